//! import: an existing AppConfig setup → flagops.yaml and flag files that compile back to
//! exactly what is live, so `plan` right after an import is empty.
//!
//! [`targets`] lists what to read (every environment × hosted profile of the applications),
//! `crate::live::read` resolves what each target serves, and [`build`] turns that into files:
//! one flag file per profile (`flags/<app>/<profile>.yaml`), freeform profiles as
//! `content: { defaults, environments }`, JSON Schema validators under `schemas/<app>/`.
//! Fields AppConfig has no equivalent for (a flag's owner and class; an environment's
//! strategy when nothing was ever deployed there) get placeholders listed under
//! `placeholders`, which `check` reports (FO218).

pub mod flags;
pub mod render;
pub mod write;

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::compile::{Target, TargetId};
use crate::live::TargetLive;
use crate::live::describe::{Account, AppDescription, EnvDescription, ProfileDescription};
use crate::model::config::ProfileKind;
use crate::model::flags::Flag;
use crate::vocabulary::PREDEFINED_STRATEGIES;
use render::{Yaml, scalar};

/// The strategy written for an environment with no deployment to take one from.
pub const STRATEGY_PLACEHOLDER: &str = "AppConfig.AllAtOnce";

/// A file import writes, relative to the repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// What [`build`] produced.
#[derive(Debug, Default, serde::Serialize)]
pub struct Imported {
    #[serde(skip)]
    pub files: Vec<File>,
    /// What could not be carried over exactly, or needs a person's attention.
    pub notes: Vec<String>,
    pub applications: usize,
    pub environments: usize,
    pub profiles: usize,
    pub flags: usize,
    pub placeholders: usize,
}

/// The targets to read: each environment × hosted profile of a supported type. Profiles
/// left out are explained in `notes`.
pub fn targets(account: &Account, notes: &mut Vec<String>) -> Vec<Target> {
    let mut out = Vec::new();
    for app in &account.applications {
        for profile in &app.profiles {
            let Some(kind) = ProfileKind::from_appconfig_type(&profile.kind) else {
                notes.push(format!(
                    "{}/{}: not imported: flagops manages AWS.AppConfig.FeatureFlags and AWS.Freeform profiles, this one is {}",
                    app.name, profile.name, profile.kind
                ));
                continue;
            };
            if profile.location_uri != "hosted" {
                notes.push(format!(
                    "{}/{}: not imported: its configuration lives in {}, not in AppConfig's hosted store",
                    app.name, profile.name, profile.location_uri
                ));
                continue;
            }
            for env in &app.environments {
                out.push(Target {
                    id: TargetId {
                        application: app.name.clone(),
                        environment: env.name.clone(),
                        profile: profile.name.clone(),
                    },
                    kind,
                    document: Value::Null,
                    origins: Default::default(),
                });
            }
        }
    }
    out
}

/// A profile as imported: its kind and, for freeform content, the path of its schema file.
type ImportedProfile<'a> = (&'a ProfileDescription, ProfileKind, Option<String>);
/// An environment as imported, with the strategy its newest live deployment used.
type ImportedEnvironment<'a> = (&'a EnvDescription, Option<String>);
type ImportedApp<'a> = (
    &'a AppDescription,
    Vec<ImportedEnvironment<'a>>,
    Vec<ImportedProfile<'a>>,
);

/// Turns the account and what its targets serve into repository files.
pub fn build(account: &Account, live: &[TargetLive], notes: Vec<String>) -> Imported {
    let mut imported = Imported {
        notes,
        ..Imported::default()
    };
    let mut paths = PathNames::default();
    let mut custom_strategies: BTreeSet<String> = BTreeSet::new();
    let mut apps = Vec::new();
    for app in &account.applications {
        let app_dir = paths.dir(&app.name);
        let profiles: Vec<ImportedProfile<'_>> = (app.profiles.iter())
            .filter_map(|profile| {
                profile_files(app, &app_dir, profile, live, &mut paths, &mut imported)
            })
            .collect();
        let environments =
            environment_strategies(account, app, live, &mut custom_strategies, &mut imported);
        imported.applications += 1;
        imported.environments += environments.len();
        imported.profiles += profiles.len();
        apps.push((app, environments, profiles));
    }
    let config = config_file(account, &apps, &custom_strategies);
    imported.files.insert(
        0,
        File {
            path: crate::load::CONFIG_FILE.to_owned(),
            text: config,
        },
    );
    imported.files.push(File {
        path: "schemas/flagops.schema.json".to_owned(),
        text: crate::check::schema::CONFIG_SCHEMA.to_owned(),
    });
    imported.files.push(File {
        path: "schemas/flags.schema.json".to_owned(),
        text: crate::check::schema::FLAGS_SCHEMA.to_owned(),
    });
    imported
}

/// The flag file of one profile (and its schema file), added to `imported`; `None` when the
/// profile is not imported (notes say why).
fn profile_files<'a>(
    app: &AppDescription,
    app_dir: &str,
    profile: &'a ProfileDescription,
    live: &[TargetLive],
    paths: &mut PathNames,
    imported: &mut Imported,
) -> Option<ImportedProfile<'a>> {
    let kind = ProfileKind::from_appconfig_type(&profile.kind)?;
    let lives: Vec<&TargetLive> = live
        .iter()
        .filter(|l| l.id.application == app.name && l.id.profile == profile.name)
        .collect();
    if lives.is_empty() {
        return None;
    }
    let served: Vec<(&str, &Value)> = lives
        .iter()
        .filter_map(|l| Some((l.id.environment.as_str(), l.content.as_ref()?)))
        .collect();
    for l in &lives {
        if l.state.live.is_some() && l.content.is_none() {
            imported.notes.push(format!(
                "{}: what is live is not JSON; it cannot be written as flagops content",
                l.id
            ));
        }
    }
    if served.is_empty() {
        imported.notes.push(format!(
            "{}/{}: not imported: nothing was ever deployed from it",
            app.name, profile.name
        ));
        return None;
    }
    for l in lives
        .iter()
        .filter(|l| l.state.live.is_none() && l.missing.is_none())
    {
        imported.notes.push(format!(
            "{}: nothing deployed there yet; plan will show it as a create",
            l.id
        ));
    }
    let file_path = format!(
        "flags/{app_dir}/{}.yaml",
        paths.file(app_dir, &profile.name)
    );
    let text = match kind {
        ProfileKind::FeatureFlags => {
            let (text, flags, placeholders) =
                feature_flag_file(&file_path, app, &profile.name, &served, &mut imported.notes);
            imported.flags += flags;
            imported.placeholders += placeholders;
            text
        }
        ProfileKind::Freeform => match freeform_file(&file_path, app, &profile.name, &served) {
            Ok(text) => text,
            Err(why) => {
                imported.notes.push(format!(
                    "{}/{}: not imported: {why}",
                    app.name, profile.name
                ));
                return None;
            }
        },
    };
    imported.files.push(File {
        path: file_path,
        text,
    });
    let schema = match (kind, &profile.json_schema) {
        (ProfileKind::Freeform, Some(schema)) => {
            let path = format!(
                "schemas/{app_dir}/{}.schema.json",
                paths.file(&format!("schemas/{app_dir}"), &profile.name)
            );
            let mut text = schema.clone();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            imported.files.push(File {
                path: path.clone(),
                text,
            });
            Some(path)
        }
        _ => None,
    };
    Some((profile, kind, schema))
}

/// Each environment's strategy: the one its newest live deployment used. Custom ones are
/// collected to be declared; an environment with none gets a placeholder.
fn environment_strategies<'a>(
    account: &Account,
    app: &'a AppDescription,
    live: &[TargetLive],
    custom_strategies: &mut BTreeSet<String>,
    imported: &mut Imported,
) -> Vec<ImportedEnvironment<'a>> {
    let mut environments = Vec::new();
    for env in &app.environments {
        let newest = live
            .iter()
            .filter(|l| l.id.application == app.name && l.id.environment == env.name)
            .filter_map(|l| l.state.live.as_ref())
            .max_by_key(|d| d.number);
        let strategy = newest
            .and_then(|d| d.strategy_id.as_deref())
            .and_then(|id| strategy_name(account, id));
        if let Some(name) = &strategy
            && !PREDEFINED_STRATEGIES.contains(&name.as_str())
        {
            custom_strategies.insert(name.clone());
        }
        if strategy.is_none() {
            imported.placeholders += 1;
        }
        environments.push((env, strategy));
    }
    environments
}

/// flagops.yaml: the custom strategies, then each application's environments and profiles.
fn config_file(
    account: &Account,
    apps: &[ImportedApp<'_>],
    custom_strategies: &BTreeSet<String>,
) -> String {
    let mut y = Yaml::new();
    y.line(
        0,
        "# yaml-language-server: $schema=schemas/flagops.schema.json",
    );
    y.comment(
        0,
        "\nWritten by `flagops import` from what AppConfig serves. `flagops check` reports each\n`placeholders` entry (FO218) until a person fills it in.",
    );
    y.line(0, "version: 1");
    y.line(
        0,
        "default_branch: main # the branch `flagops apply` runs from",
    );
    strategies_section(&mut y, account, custom_strategies);
    y.blank();
    if apps.is_empty() {
        y.line(0, "applications: {}");
    } else {
        y.open(0, "applications");
    }
    for (app, environments, profiles) in apps {
        application_section(&mut y, app, environments, profiles);
    }
    y.finish()
}

fn strategies_section(y: &mut Yaml, account: &Account, custom_strategies: &BTreeSet<String>) {
    if !custom_strategies.is_empty() {
        y.blank();
        y.open(0, "strategies");
        for name in custom_strategies {
            let Some(s) = account
                .strategies
                .iter()
                .find(|s| &s.name == name)
                .and_then(|s| s.strategy.as_ref())
            else {
                continue;
            };
            y.open(1, name);
            if let Some(d) = &s.description {
                y.string(2, "description", d);
            }
            y.field(2, "duration_minutes", &json!(s.duration_minutes));
            y.field(2, "bake_minutes", &json!(s.bake_minutes));
            y.field(
                2,
                "growth_type",
                &serde_json::to_value(s.growth_type).unwrap_or(Value::Null),
            );
            y.field(2, "growth_factor", &number(s.growth_factor));
            if !s.replicate_to.is_none() {
                y.field(
                    2,
                    "replicate_to",
                    &serde_json::to_value(s.replicate_to).unwrap_or(Value::Null),
                );
            }
        }
    }
}

fn application_section(
    y: &mut Yaml,
    app: &AppDescription,
    environments: &[ImportedEnvironment<'_>],
    profiles: &[ImportedProfile<'_>],
) {
    y.open(1, &app.name);
    if let Some(d) = &app.description {
        y.string(2, "description", d);
    }
    if environments.is_empty() {
        y.line(2, "environments: {}");
    } else {
        y.open(2, "environments");
    }
    for (env, strategy) in environments {
        y.open(3, &env.name);
        if let Some(d) = &env.description {
            y.string(4, "description", d);
        }
        match strategy {
            Some(name) => y.string(4, "strategy", name),
            None => {
                y.field_commented(
                    4,
                    "strategy",
                    &json!(STRATEGY_PLACEHOLDER),
                    "no deployment to take it from",
                );
                y.field(4, "placeholders", &json!(["strategy"]));
            }
        }
        let name = env.name.to_ascii_lowercase();
        if name == "prod" || name.starts_with("prod-") || name.starts_with("production") {
            y.field_commented(4, "production", &json!(true), "from the name");
        }
        if !env.monitors.is_empty() {
            y.open(4, "monitors");
            for m in &env.monitors {
                y.line(5, &format!("- alarm_arn: {}", scalar(&m.alarm_arn)));
                if let Some(role) = &m.alarm_role_arn {
                    y.string(6, "alarm_role_arn", role);
                }
            }
        }
    }
    if profiles.is_empty() {
        y.line(2, "profiles: {}");
    } else {
        y.open(2, "profiles");
    }
    for (profile, kind, schema) in profiles {
        y.open(3, &profile.name);
        if let Some(d) = &profile.description {
            y.string(4, "description", d);
        }
        y.field(
            4,
            "type",
            &serde_json::to_value(kind).unwrap_or(Value::Null),
        );
        if let Some(schema) = schema {
            y.string(4, "schema", schema);
        }
    }
}

/// The name flagops.yaml uses for a strategy id: predefined strategies' ids are their names.
fn strategy_name(account: &Account, id: &str) -> Option<String> {
    if PREDEFINED_STRATEGIES.contains(&id) {
        return Some(id.to_owned());
    }
    let s = account.strategies.iter().find(|s| s.id == id)?;
    // A custom strategy whose parameters the backend does not know cannot be declared.
    (PREDEFINED_STRATEGIES.contains(&s.name.as_str()) || s.strategy.is_some())
        .then(|| s.name.clone())
}

/// An integral float as an integer (`100`, not `100.0`).
fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        Value::from(f as i64)
    } else {
        Value::from(f)
    }
}

/// The `$schema` modeline of a file at `path`, pointing at `schemas/<schema>`.
fn modeline(path: &str, schema: &str) -> String {
    let depth = path.matches('/').count();
    format!(
        "# yaml-language-server: $schema={}schemas/{schema}",
        "../".repeat(depth)
    )
}

/// Returns the file's text, the number of flags and of placeholders written.
fn feature_flag_file(
    path: &str,
    app: &AppDescription,
    profile: &str,
    served: &[(&str, &Value)],
    notes: &mut Vec<String>,
) -> (String, usize, usize) {
    // Flag keys in the order the first environment lists them, then any others.
    let mut keys: Vec<String> = Vec::new();
    for (_, doc) in served {
        for source in ["flags", "values"] {
            for k in doc
                .get(source)
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.keys())
            {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
    }
    for (env, doc) in served {
        let extra: Vec<&String> = doc
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .filter(|k| !["version", "flags", "values"].contains(&k.as_str()))
            .collect();
        if !extra.is_empty() || doc.get("version") != Some(&json!("1")) {
            notes.push(format!(
                "{}/{env}/{profile}: the document has fields flagops does not write ({})",
                app.name,
                extra
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .chain(
                        (doc.get("version") != Some(&json!("1")))
                            .then(|| "`version` other than \"1\"".to_owned())
                    )
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let mut flags: Vec<(String, Flag)> = Vec::new();
    for key in &keys {
        let envs: Vec<flags::EnvFlag<'_>> = served
            .iter()
            .map(|(env, doc)| flags::EnvFlag {
                environment: env,
                definition: doc.pointer(&format!(
                    "/flags/{}",
                    crate::load::yaml::escape_pointer(key)
                )),
                value: doc.pointer(&format!(
                    "/values/{}",
                    crate::load::yaml::escape_pointer(key)
                )),
            })
            .collect();
        let mut flag_notes = Vec::new();
        let flag = flags::import_flag(key, &envs, &mut flag_notes);
        notes.extend(
            flag_notes
                .into_iter()
                .map(|n| format!("{}/{profile}: {n}", app.name)),
        );
        flags.push((key.clone(), flag));
    }

    let mut y = Yaml::new();
    y.line(0, &modeline(path, "flags.schema.json"));
    y.comment(
        0,
        "Imported from AppConfig. AppConfig keeps no owner or class: each flag has placeholders\nto fill in (listed under `placeholders`; `flagops check` warns until they are gone).",
    );
    y.string(0, "application", &app.name);
    y.string(0, "profile", profile);
    y.blank();
    if flags.is_empty() {
        y.line(0, "flags: {}");
    } else {
        y.open(0, "flags");
    }
    let mut placeholders = 0;
    for (i, (key, flag)) in flags.iter().enumerate() {
        if i > 0 {
            y.blank();
        }
        render::flag(&mut y, 1, key, flag);
        placeholders += flag.placeholders.len();
    }
    (y.finish(), flags.len(), placeholders)
}

/// A freeform profile's file: keys every environment serves alike under `defaults`, the
/// rest per environment.
fn freeform_file(
    path: &str,
    app: &AppDescription,
    profile: &str,
    served: &[(&str, &Value)],
) -> Result<String, String> {
    let mut docs = Vec::new();
    for (env, doc) in served {
        match doc.as_object() {
            Some(map) => docs.push((*env, map)),
            None => {
                return Err(format!(
                    "what `{env}` serves is JSON but not an object; flagops content is an object"
                ));
            }
        }
    }
    let mut defaults = serde_json::Map::new();
    if let Some((_, first)) = docs.first() {
        for (k, v) in first.iter() {
            if docs.iter().all(|(_, d)| d.get(k) == Some(v)) {
                defaults.insert(k.clone(), v.clone());
            }
        }
    }
    let mut y = Yaml::new();
    y.line(0, &modeline(path, "flags.schema.json"));
    y.comment(0, "Imported from AppConfig.");
    y.string(0, "application", &app.name);
    y.string(0, "profile", profile);
    y.blank();
    y.open(0, "content");
    y.value(1, "defaults", &Value::Object(defaults.clone()));
    let overrides: Vec<(&str, serde_json::Map<String, Value>)> = docs
        .iter()
        .map(|(env, d)| {
            (
                *env,
                d.iter()
                    .filter(|(k, _)| !defaults.contains_key(*k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        })
        .filter(|(_, m): &(&str, serde_json::Map<String, Value>)| !m.is_empty())
        .collect();
    if !overrides.is_empty() {
        y.open(1, "environments");
        for (env, map) in overrides {
            y.value(2, env, &Value::Object(map));
        }
    }
    Ok(y.finish())
}

/// Directory and file names for applications and profiles: safe on every file system, and
/// distinct even when two names differ only in characters that are replaced.
#[derive(Debug, Default)]
struct PathNames {
    used: BTreeSet<String>,
}

impl PathNames {
    fn dir(&mut self, name: &str) -> String {
        self.unique("", name)
    }

    fn file(&mut self, dir: &str, name: &str) -> String {
        self.unique(dir, name)
    }

    fn unique(&mut self, scope: &str, name: &str) -> String {
        let mut base: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty() || base.starts_with('.') {
            base.insert(0, '_');
        }
        let mut candidate = base.clone();
        let mut n = 2;
        while !self
            .used
            .insert(format!("{scope}/{}", candidate.to_ascii_lowercase()))
        {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::describe::{EnvDescription, ProfileDescription, StrategyDescription};
    use crate::live::{DeployState, Deployment, LiveState};
    use crate::model::config::{GrowthType, Strategy};

    fn account() -> Account {
        Account {
            applications: vec![AppDescription {
                id: "a1".into(),
                name: "shop".into(),
                description: None,
                environments: ["dev", "prod"]
                    .iter()
                    .map(|n| EnvDescription {
                        id: format!("e-{n}"),
                        name: (*n).into(),
                        description: None,
                        monitors: Vec::new(),
                    })
                    .collect(),
                profiles: vec![
                    ProfileDescription {
                        id: "p1".into(),
                        name: "features".into(),
                        description: None,
                        kind: crate::vocabulary::FEATURE_FLAGS.into(),
                        location_uri: "hosted".into(),
                        json_schema: None,
                    },
                    ProfileDescription {
                        id: "p2".into(),
                        name: "from-s3".into(),
                        description: None,
                        kind: crate::vocabulary::FREEFORM.into(),
                        location_uri: "s3://bucket/key".into(),
                        json_schema: None,
                    },
                ],
            }],
            strategies: vec![StrategyDescription {
                id: "s1".into(),
                name: "fast".into(),
                strategy: Some(Strategy {
                    description: None,
                    duration_minutes: 0,
                    bake_minutes: 0,
                    growth_type: GrowthType::Linear,
                    growth_factor: 100.0,
                    replicate_to: Default::default(),
                }),
            }],
        }
    }

    fn live(env: &str, content: Option<Value>) -> TargetLive {
        TargetLive {
            id: TargetId {
                application: "shop".into(),
                environment: env.into(),
                profile: "features".into(),
            },
            kind: ProfileKind::FeatureFlags,
            ids: None,
            missing: None,
            state: LiveState {
                live: content.as_ref().map(|_| Deployment {
                    number: 1,
                    profile_id: Some("p1".into()),
                    version: "1".into(),
                    version_label: None,
                    state: DeployState::Complete,
                    percentage: 100.0,
                    strategy_id: Some("s1".into()),
                    profile_name: None,
                    bake_minutes: None,
                    description: None,
                    started_at: None,
                    completed_at: None,
                    events: Vec::new(),
                }),
                ..LiveState::default()
            },
            version: None,
            content,
            history: Vec::new(),
            untrusted_history: None,
        }
    }

    #[test]
    fn an_environment_never_deployed_to_gets_a_strategy_placeholder() {
        let account = account();
        let mut notes = Vec::new();
        let targets = targets(&account, &mut notes);
        assert_eq!(targets.len(), 2, "the S3 profile is not read");
        assert!(notes[0].contains("s3://bucket/key"), "{notes:?}");
        let doc = json!({"version": "1", "flags": {"a": {"name": "a"}}, "values": {"a": {"enabled": true}}});
        let imported = build(
            &account,
            &[live("dev", Some(doc)), live("prod", None)],
            notes,
        );
        let config = &imported.files[0].text;
        assert!(
            config.contains(
                "      dev:\n        strategy: fast\n      prod:\n        strategy: AppConfig.AllAtOnce   # no deployment to take it from\n        placeholders: [strategy]\n        production: true   # from the name\n"
            ),
            "{config}"
        );
        assert!(config.contains("strategies:\n  fast:\n"), "{config}");
        assert!(
            imported.notes.iter().any(|n| n
                == "shop/prod/features: nothing deployed there yet; plan will show it as a create"),
            "{:?}",
            imported.notes
        );
        assert_eq!(imported.placeholders, 3, "owner, class and a strategy");
    }

    #[test]
    fn what_the_model_cannot_hold_is_noted() {
        let account = account();
        let dev = json!({"version": "1",
            "flags": {"a": {"name": "A", "color": "red"}, "b": {"name": "b"}},
            "values": {"a": {"enabled": true}, "b": {"enabled": true}}});
        let prod = json!({"version": "1",
            "flags": {"a": {"name": "A", "color": "red"}},
            "values": {"a": {"enabled": false}}});
        let imported = build(
            &account,
            &[live("dev", Some(dev)), live("prod", Some(prod))],
            Vec::new(),
        );
        let notes = imported.notes.join("\n");
        assert!(
            notes.contains("flag `a`: the definition field `color` cannot be written"),
            "{notes}"
        );
        assert!(
            notes.contains("flag `b`: it is not in the document of `prod`"),
            "{notes}"
        );
    }
}
