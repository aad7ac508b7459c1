//! codegen: flag keys and their fallback values as Rust, TypeScript or Go source, so
//! application code names flags through constants (a typo fails to compile, a deleted flag
//! fails the build) and has a value to use when AppConfig cannot be reached.
//!
//! The values are each flag's `defaults` block as compile reads it (`enabled` false when not
//! set; a multi-variant flag gives its default, last, variant), or with an environment
//! chosen, that environment's compiled value. Allow lists and active periods are targeting,
//! not fallbacks, and are left out; so are freeform profiles. Output is deterministic:
//! applications and profiles in flagops.yaml order, flags sorted by key, no timestamps.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::Value;

use crate::compile::effective_value;
use crate::model::Model;
use crate::model::config::{KeyForm, ProfileKind};
use crate::model::flags::Flag;
use crate::refs::spellings;

/// A target language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    Typescript,
    Go,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    pub lang: Lang,
    /// Values of this environment instead of the `defaults` blocks.
    pub environment: Option<&'a str>,
    pub application: Option<&'a str>,
    pub profile: Option<&'a str>,
    /// The Go package name.
    pub package: &'a str,
}

/// One flag as generated.
struct Entry<'a> {
    key: &'a str,
    flag: &'a Flag,
    enabled: bool,
    values: IndexMap<String, Value>,
}

/// One feature-flags profile.
struct Group<'a> {
    application: &'a str,
    profile: &'a str,
    flags: Vec<Entry<'a>>,
}

/// The generated source, or why there is none.
pub fn generate(model: &Model, options: &Options<'_>) -> Result<String, String> {
    let groups = collect(model, options)?;
    let source = match options.environment {
        Some(env) => format!("the compiled values of environment `{env}`"),
        None => "their `defaults` values".to_owned(),
    };
    Ok(match options.lang {
        Lang::Rust => rust(&groups, &source),
        Lang::Typescript => typescript(&groups, &source),
        Lang::Go => go(&groups, &source, options.package),
    })
}

fn collect<'a>(model: &'a Model, options: &Options<'_>) -> Result<Vec<Group<'a>>, String> {
    let Some(config) = &model.config else {
        return Err("flagops.yaml is not valid: run `flagops check`".to_owned());
    };
    let mut groups = Vec::new();
    for (app_name, app) in &config.applications {
        if options.application.is_some_and(|a| a != app_name) {
            continue;
        }
        if let Some(env) = options.environment
            && !app.environments.contains_key(env)
        {
            return Err(format!(
                "application `{app_name}` has no environment `{env}`"
            ));
        }
        for (profile_name, profile) in &app.profiles {
            if profile.kind != ProfileKind::FeatureFlags
                || options.profile.is_some_and(|p| p != profile_name)
            {
                continue;
            }
            let mut flags: BTreeMap<&str, &Flag> = BTreeMap::new();
            for f in model
                .flags()
                .filter(|f| f.application == app_name && f.profile == profile_name)
            {
                // The first definition wins, as in compile.
                flags.entry(f.key).or_insert(f.flag);
            }
            let flags = flags
                .into_iter()
                .map(|(key, flag)| {
                    let value = match options.environment {
                        Some(env) => effective_value(flag, env),
                        None => flag.defaults.clone(),
                    };
                    let (enabled, values) = match value.variants.as_ref().and_then(|v| v.last()) {
                        Some(default) => (default.enabled, default.values.clone()),
                        None => (value.enabled.unwrap_or(false), value.values.clone()),
                    };
                    Entry {
                        key,
                        flag,
                        enabled,
                        values,
                    }
                })
                .collect();
            groups.push(Group {
                application: app_name,
                profile: profile_name,
                flags,
            });
        }
    }
    if groups.is_empty() {
        return Err("no feature-flags profile matches".to_owned());
    }
    Ok(groups)
}

/// Any character that cannot be in an identifier separates words (`web app` → `web_app`).
fn separated(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// `checkout_v2` → `checkout_v2`; anything else → snake case of its words.
fn snake(name: &str) -> String {
    let s = spellings(&separated(name), &[KeyForm::ScreamingSnake])
        .pop()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let s: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    match s.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => s,
        _ => format!("_{s}"),
    }
}

fn pascal(name: &str) -> String {
    let s: String = spellings(&separated(name), &[KeyForm::Pascal])
        .pop()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    match s.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => s,
        _ => format!("X{s}"),
    }
}

/// The flag's one-line summary: name and description.
fn summary(key: &str, flag: &Flag) -> Vec<String> {
    let mut text = flag.name.clone().unwrap_or_else(|| key.to_owned());
    if let Some(d) = &flag.description {
        text.push_str(": ");
        text.push_str(d);
    }
    text.lines().map(str::to_owned).collect()
}

/// A Rust identifier for a module or constant (raw where it is a keyword).
fn rust_ident(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern",
        "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
        "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use",
        "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro", "override",
        "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    let s = snake(name);
    if matches!(s.as_str(), "self" | "super" | "crate" | "_") {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// Distinct identifiers within one scope.
fn distinct(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    names
        .map(|n| {
            let count = seen.entry(n.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                n
            } else {
                format!("{n}_{count}")
            }
        })
        .collect()
}

fn rust_value(value: &Value) -> (String, String) {
    match value {
        Value::Bool(b) => ("bool".into(), b.to_string()),
        Value::Number(n) => (
            "f64".into(),
            format!("{:?}", n.as_f64().unwrap_or_default()),
        ),
        Value::String(s) => ("&str".into(), format!("{s:?}")),
        Value::Array(items) if items.iter().all(Value::is_number) && !items.is_empty() => (
            "&[f64]".into(),
            format!(
                "&[{}]",
                items
                    .iter()
                    .map(|v| format!("{:?}", v.as_f64().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Value::Array(items) => (
            "&[&str]".into(),
            format!(
                "&[{}]",
                items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => format!("{s:?}"),
                        other => format!("{:?}", other.to_string()),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        other => ("&str".into(), format!("{:?}", other.to_string())),
    }
}

fn rust(groups: &[Group<'_>], source: &str) -> String {
    let mut out = format!(
        "// @generated by `flagops codegen --lang rust`: flag keys and {source}. Do not edit;\n// run `flagops codegen` again after changing the flags.\n"
    );
    let mut by_app: IndexMap<&str, Vec<&Group<'_>>> = IndexMap::new();
    for g in groups {
        by_app.entry(g.application).or_default().push(g);
    }
    let app_names = distinct(by_app.keys().map(|a| rust_ident(a)));
    for ((app, profiles), app_mod) in by_app.iter().zip(app_names) {
        out.push_str(&format!(
            "\n/// Application `{app}`.\npub mod {app_mod} {{\n"
        ));
        let profile_names = distinct(profiles.iter().map(|g| rust_ident(g.profile)));
        for (i, (g, profile_mod)) in profiles.iter().zip(profile_names).enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&format!(
                "    /// Profile `{}` of `{app}`.\n    pub mod {profile_mod} {{\n",
                g.profile
            ));
            out.push_str(
                "        /// Every flag key of the profile.\n        pub const KEYS: &[&str] = &[",
            );
            out.push_str(
                &g.flags
                    .iter()
                    .map(|f| format!("{:?}", f.key))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            out.push_str("];\n");
            let flag_names = distinct(g.flags.iter().map(|f| rust_ident(f.key)));
            for (f, flag_mod) in g.flags.iter().zip(flag_names) {
                out.push('\n');
                for line in summary(f.key, f.flag) {
                    out.push_str(&format!("        /// {line}\n").replace("/// \n", "///\n"));
                }
                out.push_str(&format!("        pub mod {flag_mod} {{\n"));
                out.push_str(&format!("            pub const KEY: &str = {:?};\n", f.key));
                out.push_str(&format!(
                    "            pub const ENABLED: bool = {};\n",
                    f.enabled
                ));
                if !f.values.is_empty() {
                    out.push_str(
                        "            /// Attribute values.\n            pub mod values {\n",
                    );
                    let names = distinct(f.values.keys().map(|k| snake(k).to_ascii_uppercase()));
                    for ((_, v), name) in f.values.iter().zip(names) {
                        let (ty, literal) = rust_value(v);
                        out.push_str(&format!(
                            "                pub const {name}: {ty} = {literal};\n"
                        ));
                    }
                    out.push_str("            }\n");
                }
                out.push_str("        }\n");
            }
            out.push_str("    }\n");
        }
        out.push_str("}\n");
    }
    out
}

/// A string as a TypeScript/Go double-quoted literal (JSON's escapes are valid in both).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn typescript(groups: &[Group<'_>], source: &str) -> String {
    let mut out = format!(
        "// @generated by `flagops codegen --lang typescript`: flag keys and {source}. Do not\n// edit; run `flagops codegen` again after changing the flags.\n\nexport const flags = {{\n"
    );
    let mut by_app: IndexMap<&str, Vec<&Group<'_>>> = IndexMap::new();
    for g in groups {
        by_app.entry(g.application).or_default().push(g);
    }
    let mut keys: Vec<&str> = Vec::new();
    for (app, profiles) in &by_app {
        out.push_str(&format!("  {}: {{\n", quoted(app)));
        for g in profiles {
            out.push_str(&format!("    {}: {{\n", quoted(g.profile)));
            for f in &g.flags {
                keys.push(f.key);
                let comment = summary(f.key, f.flag).join(" ").replace("*/", "*\\/");
                out.push_str(&format!("      /** {comment} */\n"));
                let values = Value::Object(f.values.clone().into_iter().collect());
                out.push_str(&format!(
                    "      {}: {{ key: {}, enabled: {}, values: {} }},\n",
                    quoted(f.key),
                    quoted(f.key),
                    f.enabled,
                    serde_json::to_string(&values).unwrap_or_default()
                ));
            }
            out.push_str("    },\n");
        }
        out.push_str("  },\n");
    }
    out.push_str("} as const;\n\n/** Every flag key. */\nexport type FlagKey =");
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        out.push_str(" never");
    }
    for k in keys {
        out.push_str(&format!("\n  | {}", quoted(k)));
    }
    out.push_str(";\n");
    out
}

fn go_value(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("{:?}", n.as_f64().unwrap_or_default()),
        Value::String(s) => quoted(s),
        Value::Array(items) if items.iter().all(Value::is_number) && !items.is_empty() => format!(
            "[]float64{{{}}}",
            items
                .iter()
                .map(|v| format!("{:?}", v.as_f64().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(items) => format!(
            "[]string{{{}}}",
            items
                .iter()
                .map(|v| match v {
                    Value::String(s) => quoted(s),
                    other => quoted(&other.to_string()),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => quoted(&other.to_string()),
    }
}

fn go(groups: &[Group<'_>], source: &str, package: &str) -> String {
    let mut out = format!(
        "// Code generated by flagops codegen (@generated); DO NOT EDIT.\n\n// Package {package} holds flag keys and {source}.\npackage {package}\n\n// Flag is a flag's key and the value it falls back to when AppConfig cannot be reached.\ntype Flag struct {{\n\tKey     string\n\tEnabled bool\n\tValues  map[string]any\n}}\n"
    );
    let names = distinct(groups.iter().flat_map(|g| {
        g.flags.iter().map(move |f| {
            format!(
                "{}{}{}",
                pascal(g.application),
                pascal(g.profile),
                pascal(f.key)
            )
        })
    }));
    let mut names = names.into_iter();
    for g in groups {
        for f in &g.flags {
            let name = names.next().unwrap_or_default();
            let lines = summary(f.key, f.flag);
            out.push_str(&format!(
                "\n// {name} is `{}` of {}/{}: {}\n",
                f.key,
                g.application,
                g.profile,
                lines.first().cloned().unwrap_or_default()
            ));
            for line in lines.iter().skip(1) {
                out.push_str(&format!("// {line}\n").replace("// \n", "//\n"));
            }
            let values = if f.values.is_empty() {
                "nil".to_owned()
            } else {
                format!(
                    "map[string]any{{{}}}",
                    f.values
                        .iter()
                        .map(|(k, v)| format!("{}: {}", quoted(k), go_value(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            out.push_str(&format!(
                "var {name} = Flag{{Key: {}, Enabled: {}, Values: {values}}}\n",
                quoted(f.key),
                f.enabled
            ));
        }
    }
    out
}
