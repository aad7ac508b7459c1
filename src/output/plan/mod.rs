//! Rendering of a plan: one module per format.

pub mod human;
pub mod json;
pub mod markdown;

use serde_json::Value;

use crate::cli::ReportFormat;
use crate::compile::canonical;
use crate::freeze::Frozen;
use crate::output;
use crate::plan::{ChangeKind, FieldChange, FlagChange, Plan};

/// Prints the plan in `format`, adds the markdown to the job summary, and sets the step's
/// `has_changes` output.
pub fn emit(
    plan: &Plan,
    frozen: &[Frozen],
    backend: &str,
    format: ReportFormat,
    diff: bool,
) -> std::io::Result<()> {
    output::emit_report(format, |format| match format {
        ReportFormat::Human => human::render(plan, frozen, backend, diff),
        ReportFormat::Markdown => markdown::render(plan, frozen, backend),
        ReportFormat::Json => json::render(plan, frozen, backend),
    })?;
    output::actions::set_output(
        "has_changes",
        if plan.has_changes() { "true" } else { "false" },
    )
}

/// "storefront/production/release-flags: frozen by freeze #1 \"Holiday freeze\" until …;
/// ships when it ends, or with `flagops apply --break-glass --app … --env … --reason …`".
pub fn describe_frozen(frozen: &Frozen) -> String {
    let (id, freeze) = (&frozen.id, &frozen.freeze);
    format!(
        "{id}: frozen by freeze #{} \"{}\" until {}; apply deploys it when the freeze ends, or now with `flagops apply --break-glass --app {} --env {} --profile {} --reason \"…\"`",
        freeze.index + 1,
        freeze.reason,
        freeze.until,
        id.application,
        id.environment,
        id.profile
    )
}

/// "~ deployment strategy quick-canary: bake_minutes 0 → 5; growth_factor 20 → 25", and one
/// line per setting apply keeps as it is.
pub fn describe_setup(change: &crate::plan::setup::SetupChange) -> Vec<String> {
    if change.undeclared {
        return vec![format!(
            "? {}: in AppConfig, not in flagops.yaml (reported, never deleted)",
            change.title()
        )];
    }
    let value = |v: &Value| short(&(!v.is_null()).then(|| v.clone()));
    let updated: Vec<String> = (change.settings.iter())
        .filter(|s| s.kept.is_none())
        .map(|s| {
            let some = |v: &Value| (!v.is_null()).then(|| v.clone());
            let (live, declared) = pair(&some(&s.live), &some(&s.declared));
            format!("{} {live} → {declared}", s.setting)
        })
        .collect();
    let mut lines = Vec::new();
    if !updated.is_empty() {
        lines.push(format!("~ {}: {}", change.title(), updated.join("; ")));
    }
    for s in change.settings.iter().filter(|s| s.kept.is_some()) {
        lines.push(format!(
            "! {}: {} {} kept: {}",
            change.title(),
            s.setting,
            value(&s.live),
            s.kept.as_deref().unwrap_or_default()
        ));
    }
    lines
}

/// How many characters of a value a change line shows before cutting it.
const SHOWN: usize = 100;
/// How many equal characters a cut value keeps on each side of where the two sides differ.
const CONTEXT: usize = 24;

/// A value as a change line quotes it: JSON, so a string is in quotes and a number is not,
/// objects with their keys sorted; `(none)` where there is none. Long values are cut.
pub fn short(value: &Option<Value>) -> String {
    match value {
        None => "(none)".to_owned(),
        Some(v) => cut_end(&canonical::compact(v)),
    }
}

fn cut_end(text: &str) -> String {
    match text.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Both sides of a change, quoted as [`short`] does. Where they are long, each is cut to the
/// stretch where they differ with a little context, so a cut never hides the change.
pub fn pair(from: &Option<Value>, to: &Option<Value>) -> (String, String) {
    let (Some(a), Some(b)) = (from, to) else {
        return (short(from), short(to));
    };
    let (a, b) = (canonical::compact(a), canonical::compact(b));
    let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if ac.len() <= SHOWN && bc.len() <= SHOWN {
        return (a, b);
    }
    let prefix = ac.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    let suffix = (ac[prefix..].iter().rev())
        .zip(bc[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let start = prefix.saturating_sub(CONTEXT);
    let window = |chars: &[char]| {
        let end = (chars.len() - suffix + CONTEXT).min(chars.len());
        let mut text: String = if start > 0 {
            "…".into()
        } else {
            String::new()
        };
        let stretch = &chars[start..end];
        if stretch.len() > SHOWN + 2 * CONTEXT {
            text.extend(&stretch[..SHOWN + CONTEXT]);
            text.push('…');
        } else {
            text.extend(stretch);
            if end < chars.len() {
                text.push('…');
            }
        }
        text
    };
    (window(&ac), window(&bc))
}

/// What a field change is about: `enabled`, `definition.attributes.x.constraints.maximum`,
/// `variants: rule of "beta"`, `variants: "beta"`, `variants: order`.
pub fn subject(field: &str, variant: Option<&str>) -> String {
    match (field, variant) {
        ("variants", Some(v)) => format!("variants: {}", short(&Some(Value::from(v)))),
        (part, Some(v)) => format!(
            "variants: {} of {}",
            part.strip_prefix("variants.").unwrap_or(part),
            short(&Some(Value::from(v)))
        ),
        ("variants.order", None) => "variants: order".to_owned(),
        (field, None) => field.to_owned(),
    }
}

/// A list of variants by name: `3 variants "internal", "beta", "control"`; a variant order
/// (a list of names) the same way.
fn variant_names(value: &Option<Value>) -> String {
    let Some(items) = value.as_ref().and_then(Value::as_array) else {
        return "none".to_owned();
    };
    let names: Vec<String> = items
        .iter()
        .map(|v| {
            let name = v.get("name").unwrap_or(v);
            short(&Some(name.clone()))
        })
        .collect();
    format!(
        "{} variant{} {}",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    )
}

/// One variant in short: `enabled true, rule "(…)", values {"ranker":"semantic"}`.
fn variant_summary(variant: &Value) -> String {
    let parts: Vec<String> = [
        ("enabled", "enabled"),
        ("rule", "rule"),
        ("attributeValues", "values"),
    ]
    .iter()
    .filter_map(|(key, label)| {
        variant
            .get(*key)
            .map(|v| format!("{label} {}", short(&Some(v.clone()))))
    })
    .collect();
    parts.join(", ")
}

/// "enabled: false → true", "allow_list: +\"ws_a\" −\"ws_b\"",
/// "definition.attributes.limit.constraints.maximum: 500 → 1000",
/// "variants: rule of \"beta\" changed: \"(…)\" → \"(…)\"".
pub fn describe_field(f: &FieldChange) -> String {
    let what = subject(&f.field, f.variant.as_deref());
    if !f.added.is_empty() || !f.removed.is_empty() {
        let entry =
            |sign: &str, e: &String| format!("{sign}{}", short(&Some(Value::from(e.as_str()))));
        let mut parts: Vec<String> = f.added.iter().map(|a| entry("+", a)).collect();
        parts.extend(f.removed.iter().map(|r| entry("−", r)));
        return format!("{what}: {}", parts.join(" "));
    }
    match (f.field.as_str(), f.variant.is_some()) {
        ("variants", true) => {
            return match &f.to {
                Some(v) => format!("{what} added: {}", variant_summary(v)),
                None => format!("{what} removed"),
            };
        }
        ("variants", false) | ("variants.order", _) => {
            return format!(
                "{what}: {} → {}",
                variant_names(&f.from),
                variant_names(&f.to)
            );
        }
        (_, true) => {
            let (from, to) = pair(&f.from, &f.to);
            return match (&f.from, &f.to) {
                (None, _) => format!("{what} set: {to}"),
                (_, None) => format!("{what} removed (was {from})"),
                _ => format!("{what} changed: {from} → {to}"),
            };
        }
        _ => {}
    }
    match (&f.from, &f.to) {
        (None, Some(_)) => format!("{what}: {}", short(&f.to)),
        (Some(_), None) => format!("{what}: removed (was {})", short(&f.from)),
        _ => {
            let (from, to) = pair(&f.from, &f.to);
            format!("{what}: {from} → {to}")
        }
    }
}

/// How one flag changes: a head line ("~ checkout_v2 (release)") and a line per field.
pub struct ChangeLines {
    pub head: String,
    pub fields: Vec<String>,
}

/// "~ checkout_v2 (release)" with "enabled: false → true", …
pub fn describe_change(c: &FlagChange) -> ChangeLines {
    let sign = match c.kind {
        ChangeKind::Added => "+",
        ChangeKind::Removed => "-",
        ChangeKind::Changed => "~",
    };
    let class = c
        .class
        .map(|k| format!(" ({})", k.as_str()))
        .unwrap_or_default();
    let fields: Vec<String> = match c.kind {
        ChangeKind::Removed => Vec::new(),
        _ => c
            .fields
            .iter()
            .filter(|f| !f.field.starts_with("definition.") || c.kind == ChangeKind::Changed)
            .map(describe_field)
            .collect(),
    };
    ChangeLines {
        head: format!("{sign} {}{class}", c.key),
        fields,
    }
}

/// "held: checkout.enabled stays false (git: true) after deployment #4 ROLLED_BACK: CloudWatch alarm: arn…"
pub fn describe_kept(k: &crate::plan::overlay::Kept) -> String {
    if k.field == "document"
        && let crate::plan::overlay::Reason::RolledBack {
            deployment,
            state,
            trigger,
        } = &k.reason
    {
        let stays = if k.live.is_some() {
            "stays at the live version"
        } else {
            "stays undeployed: nothing is served"
        };
        return format!(
            "held: the whole {} document {stays} since deployment #{deployment} was {state}{}; fix it in git, or apply --retry {}",
            k.key,
            if trigger.is_empty() {
                String::new()
            } else {
                format!(" by {trigger}")
            },
            k.key
        );
    }
    let field = if k.field == "definition" {
        format!("{} (definition)", k.key)
    } else {
        format!("{}.{}", k.key, k.field)
    };
    match &k.reason {
        crate::plan::overlay::Reason::ConsoleOwned => format!(
            "console-owned: {field} keeps its live value {} (git: {})",
            short(&k.live),
            short(&k.desired)
        ),
        crate::plan::overlay::Reason::RolledBack {
            deployment,
            state,
            trigger,
        } => format!(
            "held: {field} stays {} (git: {}) since deployment #{deployment} was {state}{}; fix it in git, adopt the live value, or apply --retry {}",
            short(&k.live),
            short(&k.desired),
            if trigger.is_empty() {
                String::new()
            } else {
                format!(" by {trigger}")
            },
            k.key
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::config::ProfileKind;
    use crate::plan::diff_documents;

    /// The change lines of one feature-flags document edit, per flag.
    fn lines(live: Value, desired: Value) -> Vec<String> {
        diff_documents(Some(&live), &desired, ProfileKind::FeatureFlags, &|_| None)
            .iter()
            .flat_map(|c| describe_change(c).fields)
            .collect()
    }

    fn variants(items: Value) -> Value {
        json!({"flags": {"f": {"name": "f"}}, "values": {"f": {"enabled": true, "_variants": items}}})
    }

    #[test]
    fn a_definition_change_is_one_leaf_whatever_the_key_order() {
        let live = json!({"flags": {"f": {"attributes": {"n": {"constraints": {"type": "number", "maximum": 500}}}, "name": "f"}}});
        let desired = json!({"flags": {"f": {"name": "f", "attributes": {"n": {"constraints": {"maximum": 1000, "type": "number"}}}}}});
        assert_eq!(
            lines(live, desired),
            ["definition.attributes.n.constraints.maximum: 500 → 1000"]
        );
    }

    #[test]
    fn variants_are_compared_by_name() {
        let live = variants(json!([
            {"name": "beta", "rule": "(eq $tier \"beta\")", "enabled": true, "attributeValues": {"limit": 5}},
            {"name": "old", "rule": "(eq $tier \"old\")", "enabled": false},
            {"name": "default", "enabled": false},
        ]));
        let desired = variants(json!([
            {"name": "new", "rule": "(eq $tier \"new\")", "enabled": true},
            {"name": "beta", "rule": "(eq $tier \"gamma\")", "enabled": true, "attributeValues": {"limit": 6}},
            {"name": "default", "enabled": true},
        ]));
        assert_eq!(
            lines(live, desired),
            [
                r#"variants: "new" added: enabled true, rule "(eq $tier \"new\")""#,
                r#"variants: rule of "beta" changed: "(eq $tier \"beta\")" → "(eq $tier \"gamma\")""#,
                r#"variants: values.limit of "beta" changed: 5 → 6"#,
                r#"variants: enabled of "default" changed: false → true"#,
                r#"variants: "old" removed"#,
            ]
        );
    }

    #[test]
    fn a_reordered_variant_list_says_so() {
        let a = json!({"name": "a", "rule": "(eq $x 1)", "enabled": true});
        let b = json!({"name": "b", "rule": "(eq $x 2)", "enabled": true});
        let live = variants(json!([a.clone(), b.clone()]));
        let desired = variants(json!([b, a]));
        assert_eq!(
            lines(live, desired),
            [r#"variants: order: 2 variants "a", "b" → 2 variants "b", "a""#]
        );
    }

    #[test]
    fn values_are_quoted_by_type() {
        let doc = |v: Value| json!({"flags": {"f": {"name": "f"}}, "values": {"f": {"enabled": true, "x": v}}});
        assert_eq!(
            lines(doc(json!("10")), doc(json!(10))),
            [r#"values.x: "10" → 10"#]
        );
        assert_eq!(
            lines(doc(json!(true)), doc(json!("true"))),
            [r#"values.x: true → "true""#]
        );
    }

    #[test]
    fn a_long_value_is_cut_around_the_difference() {
        let before = format!("{}A{}", "x".repeat(300), "y".repeat(300));
        let after = format!("{}B{}", "x".repeat(300), "y".repeat(300));
        let (from, to) = pair(&Some(json!(before)), &Some(json!(after)));
        assert!(from.contains("xAy"), "{from}");
        assert!(to.contains("xBy"), "{to}");
        assert!(from.starts_with('…') && from.ends_with('…'), "{from}");
        assert!(from.chars().count() < 2 * CONTEXT + 10, "{from}");
        // A difference at the very end stays visible too.
        let (from, to) = pair(
            &Some(json!(format!("{}1", "z".repeat(500)))),
            &Some(json!(format!("{}2", "z".repeat(500)))),
        );
        assert!(
            from.ends_with("z1\"") && to.ends_with("z2\""),
            "{from} {to}"
        );
    }
}
