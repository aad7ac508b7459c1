//! The AppConfig setup flagops.yaml declares, against what the account holds: custom
//! strategies (duration, bake, growth, replicate-to, description), applications
//! (description), environments (description, alarm monitors) and profiles (description,
//! JSON Schema validator). Flag content is planned per target in [`super::plan`]; this is
//! everything around it.
//!
//! Nothing is ever deleted: a monitor or validator AppConfig has and flagops.yaml does not
//! declare is reported and kept, and so is an environment or profile flagops.yaml does not
//! declare. A description flagops.yaml leaves out is not managed. What AppConfig cannot
//! change in place (a strategy's replicate-to) is reported with what to do instead.
//! Resources that do not exist yet are not setup changes: apply creates them with the
//! target that needs them.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use crate::compile::TargetId;
use crate::finding::Location;
use crate::live::describe::{Account, AppDescription};
use crate::load::CONFIG_FILE;
use crate::load::yaml::escape_pointer;
use crate::model::config::{Monitor, ProfileKind, RepoConfig, Strategy};
use crate::vocabulary;

/// What kind of AppConfig resource a setup change is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resource {
    Strategy,
    Application,
    Environment,
    Profile,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Strategy => "deployment strategy",
            Resource::Application => "application",
            Resource::Environment => "environment",
            Resource::Profile => "configuration profile",
        }
    }
}

/// One setting that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingChange {
    /// `bake_minutes`, `description`, `monitors`, `validator`…
    pub setting: String,
    /// What AppConfig has (`null`: nothing).
    pub live: Value,
    /// What flagops.yaml declares (`null`: nothing).
    pub declared: Value,
    /// Why apply leaves this one as it is: a removal, or what AppConfig cannot change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
}

/// The call that brings a resource to what flagops.yaml declares.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Strategy {
        id: String,
        strategy: Strategy,
    },
    Application {
        id: String,
        description: String,
    },
    Environment {
        application_id: String,
        id: String,
        description: Option<String>,
        monitors: Vec<Monitor>,
    },
    Profile {
        application_id: String,
        id: String,
        description: Option<String>,
        json_schema: Option<String>,
    },
}

/// A resource whose AppConfig settings differ from flagops.yaml, or that flagops.yaml does
/// not declare.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupChange {
    pub resource: Resource,
    /// `quick-canary`, `storefront`, `storefront/production`, `storefront/release-flags`.
    pub name: String,
    /// The account and region the resource is in, when more than one is in use.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub site: Option<crate::live::location::Site>,
    /// In AppConfig and in one of flagops's applications, not in flagops.yaml: reported,
    /// never deleted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub undeclared: bool,
    pub settings: Vec<SettingChange>,
    /// Where it is declared in flagops.yaml (the application, when undeclared).
    #[serde(skip)]
    pub location: Location,
    /// What apply calls; `None` when everything here is only reported.
    #[serde(skip)]
    pub update: Option<Update>,
    /// A freeze holds this environment's setup: its update waits for the freeze to end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub frozen: bool,
}

impl SetupChange {
    /// A declared resource's change, located at its first setting under `node` in
    /// flagops.yaml, with `update` when any setting is one apply makes; `None` when nothing
    /// differs.
    fn declared(
        resource: Resource,
        name: String,
        node: &str,
        settings: Vec<SettingChange>,
        update: impl FnOnce() -> Update,
    ) -> Option<SetupChange> {
        let first = settings.first()?;
        // A profile's validator is declared as its `schema:`.
        let key = match first.setting.as_str() {
            "validator" => "schema",
            other => other,
        };
        let location = Location::node(CONFIG_FILE, format!("{node}/{key}"));
        let updatable = settings.iter().any(|s| s.kept.is_none());
        Some(SetupChange {
            resource,
            name,
            site: None,
            undeclared: false,
            settings,
            location,
            update: updatable.then(update),
            frozen: false,
        })
    }

    /// "deployment strategy quick-canary".
    pub fn title(&self) -> String {
        match &self.site {
            Some(site) => format!("{} {} ({site})", self.resource.as_str(), self.name),
            None => format!("{} {}", self.resource.as_str(), self.name),
        }
    }
}

/// The setup changes of the applications, environments and profiles of `targets`, of the
/// custom strategies their environments use, and of those no environment uses. `account` holds those applications as AppConfig
/// has them (absent ones are created by apply, not changed).
pub fn diff(
    config: &RepoConfig,
    account: &Account,
    root: &Path,
    targets: &[&TargetId],
) -> Vec<SetupChange> {
    let mut out = Vec::new();
    let mut strategies = BTreeSet::new();
    let mut applications: Vec<&str> = targets.iter().map(|t| t.application.as_str()).collect();
    applications.dedup();
    for app_name in applications {
        let (Some(declared), Some(live)) = (
            config.applications.get(app_name),
            account.applications.iter().find(|a| a.name == app_name),
        ) else {
            continue;
        };
        let app_node = format!("/applications/{}", escape_pointer(app_name));
        if let Some(description) = &declared.description
            && live.description.as_deref().unwrap_or_default() != description
        {
            out.push(SetupChange {
                resource: Resource::Application,
                site: None,
                name: app_name.to_owned(),
                undeclared: false,
                settings: vec![described(&live.description, description)],
                location: Location::node(CONFIG_FILE, format!("{app_node}/description")),
                update: Some(Update::Application {
                    id: live.id.clone(),
                    description: description.clone(),
                }),
                frozen: false,
            });
        }
        let selected = |pick: fn(&TargetId) -> &str| -> BTreeSet<&str> {
            targets
                .iter()
                .filter(|t| t.application == app_name)
                .map(|t| pick(t))
                .collect()
        };
        for env_name in selected(|t| t.environment.as_str()) {
            let Some(env) = declared.environments.get(env_name) else {
                continue;
            };
            strategies.insert(env.strategy.as_str());
            strategies.extend(env.urgent_strategy.as_deref());
            if let Some(change) = environment(app_name, &app_node, env_name, env, live) {
                out.push(change);
            }
        }
        for profile_name in selected(|t| t.profile.as_str()) {
            let Some(profile) = declared.profiles.get(profile_name) else {
                continue;
            };
            if let Some(change) =
                self::profile(app_name, &app_node, profile_name, profile, live, root)
            {
                out.push(change);
            }
        }
        out.extend(undeclared(app_name, &app_node, declared, live));
    }
    // Strategies no environment uses are flagops's too.
    let used: BTreeSet<&str> = (config.applications.values())
        .flat_map(|a| a.environments.values())
        .flat_map(|e| [Some(e.strategy.as_str()), e.urgent_strategy.as_deref()])
        .flatten()
        .collect();
    strategies.extend(
        config
            .strategies
            .keys()
            .map(String::as_str)
            .filter(|n| !used.contains(n)),
    );
    for name in strategies {
        if let Some(change) = strategy(config, account, name) {
            out.push(change);
        }
    }
    out
}

fn described(live: &Option<String>, declared: &str) -> SettingChange {
    SettingChange {
        setting: "description".to_owned(),
        live: live.as_deref().map_or(Value::Null, |d| json!(d)),
        declared: json!(declared),
        kept: None,
    }
}

fn strategy(config: &RepoConfig, account: &Account, name: &str) -> Option<SetupChange> {
    if vocabulary::is_predefined_strategy(name) {
        return None;
    }
    let declared = config.strategies.get(name)?;
    // The strategy apply deploys with: the one the inventory names (the lowest id, where a
    // race left two of one name).
    let found = account
        .strategies
        .iter()
        .filter(|s| s.name == name)
        .min_by(|a, b| a.id.cmp(&b.id))?;
    let live = found.strategy.as_ref()?;
    let mut settings = Vec::new();
    let mut setting = |setting: &str, live: Value, declared: Value, kept: Option<String>| {
        if live != declared {
            settings.push(SettingChange {
                setting: setting.to_owned(),
                live,
                declared,
                kept,
            });
        }
    };
    setting(
        "duration_minutes",
        json!(live.duration_minutes),
        json!(declared.duration_minutes),
        None,
    );
    setting(
        "bake_minutes",
        json!(live.bake_minutes),
        json!(declared.bake_minutes),
        None,
    );
    setting(
        "growth_type",
        json!(live.growth_type),
        json!(declared.growth_type),
        None,
    );
    // AppConfig keeps growth factors as 32-bit floats.
    if (live.growth_factor - declared.growth_factor).abs() > 1e-4 {
        setting(
            "growth_factor",
            json!(live.growth_factor),
            json!(declared.growth_factor),
            None,
        );
    }
    if let Some(description) = &declared.description {
        setting(
            "description",
            json!(live.description.as_deref().unwrap_or_default()),
            json!(description),
            None,
        );
    }
    setting(
        "replicate_to",
        json!(live.replicate_to),
        json!(declared.replicate_to),
        Some(format!(
            "AppConfig cannot change a strategy's replicate-to: declare a strategy under a new name and point the environments at it, or set `replicate_to: {}` back",
            serde_json::to_value(live.replicate_to)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )),
    );
    let node = format!("/strategies/{}", escape_pointer(name));
    SetupChange::declared(Resource::Strategy, name.to_owned(), &node, settings, || {
        Update::Strategy {
            id: found.id.clone(),
            strategy: declared.clone(),
        }
    })
}

fn environment(
    app_name: &str,
    app_node: &str,
    env_name: &str,
    declared: &crate::model::config::Environment,
    app: &AppDescription,
) -> Option<SetupChange> {
    let live = app.environments.iter().find(|e| e.name == env_name)?;
    let node = format!("{app_node}/environments/{}", escape_pointer(env_name));
    let mut settings = Vec::new();
    if let Some(description) = &declared.description
        && live.description.as_deref().unwrap_or_default() != description
    {
        settings.push(described(&live.description, description));
    }
    // Declared monitors as written; live ones flagops.yaml does not declare are kept.
    let mut monitors = declared.monitors.clone();
    let mut kept = Vec::new();
    for m in &live.monitors {
        if !declared.monitors.iter().any(|d| d.alarm_arn == m.alarm_arn) {
            kept.push(m.alarm_arn.clone());
            monitors.push(m.clone());
        }
    }
    let key = |m: &Monitor| (m.alarm_arn.clone(), m.alarm_role_arn.clone());
    let live_set: BTreeSet<_> = live.monitors.iter().map(key).collect();
    let wanted: BTreeSet<_> = monitors.iter().map(key).collect();
    let as_json = |list: &[Monitor]| json!(list);
    if live_set != wanted {
        settings.push(SettingChange {
            setting: "monitors".to_owned(),
            live: as_json(&live.monitors),
            declared: as_json(&declared.monitors),
            kept: None,
        });
    }
    if !kept.is_empty() {
        settings.push(SettingChange {
            setting: "monitors".to_owned(),
            live: json!(kept),
            declared: Value::Null,
            kept: Some(
                "alarms AppConfig watches that flagops.yaml does not declare are kept: declare them, or remove them in AppConfig".to_owned(),
            ),
        });
    }
    let name = format!("{app_name}/{env_name}");
    SetupChange::declared(Resource::Environment, name, &node, settings, || {
        Update::Environment {
            application_id: app.id.clone(),
            id: live.id.clone(),
            description: declared.description.clone(),
            monitors,
        }
    })
}

fn profile(
    app_name: &str,
    app_node: &str,
    profile_name: &str,
    declared: &crate::model::config::Profile,
    app: &AppDescription,
    root: &Path,
) -> Option<SetupChange> {
    let live = app.profiles.iter().find(|p| p.name == profile_name)?;
    let node = format!("{app_node}/profiles/{}", escape_pointer(profile_name));
    let mut settings = Vec::new();
    if let Some(description) = &declared.description
        && live.description.as_deref().unwrap_or_default() != description
    {
        settings.push(described(&live.description, description));
    }
    let schema = match (declared.kind, &declared.schema) {
        (ProfileKind::Freeform, Some(path)) => validator_content(root, path),
        _ => None,
    };
    match (&schema, &live.json_schema) {
        (Some(wanted), Some(current)) if same_schema(wanted, current) => {}
        (Some(wanted), current) => settings.push(SettingChange {
            setting: "validator".to_owned(),
            live: current.as_deref().map_or(Value::Null, schema_value),
            declared: schema_value(wanted),
            kept: None,
        }),
        (None, Some(current)) if declared.schema.is_none() => settings.push(SettingChange {
            setting: "validator".to_owned(),
            live: schema_value(current),
            declared: Value::Null,
            kept: Some(
                "a validator flagops.yaml does not declare is kept: declare its `schema:`, or remove it in AppConfig".to_owned(),
            ),
        }),
        _ => {}
    }
    let name = format!("{app_name}/{profile_name}");
    SetupChange::declared(Resource::Profile, name, &node, settings, || {
        Update::Profile {
            application_id: app.id.clone(),
            id: live.id.clone(),
            description: declared.description.clone(),
            json_schema: schema,
        }
    })
}

/// The validator apply attaches for a freeform schema: the file's text, when it fits one.
pub fn validator_content(root: &Path, path: &str) -> Option<String> {
    crate::load::read_repo_file(root, path)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|s| s.chars().count() <= crate::compile::VALIDATOR_MAX_CHARS)
}

fn same_schema(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn schema_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!(text))
}

fn undeclared(
    app_name: &str,
    app_node: &str,
    declared: &crate::model::config::Application,
    live: &AppDescription,
) -> Vec<SetupChange> {
    let mut out = Vec::new();
    let mut report = |resource: Resource, name: &str| {
        out.push(SetupChange {
            resource,
            name: format!("{app_name}/{name}"),
            site: None,
            undeclared: true,
            settings: Vec::new(),
            location: Location::key(CONFIG_FILE, app_node.to_owned()),
            update: None,
            frozen: false,
        });
    };
    for env in &live.environments {
        if !declared.environments.contains_key(&env.name) {
            report(Resource::Environment, &env.name);
        }
    }
    for profile in &live.profiles {
        if !declared.profiles.contains_key(&profile.name) {
            report(Resource::Profile, &profile.name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::describe::{EnvDescription, ProfileDescription, StrategyDescription};

    const CONFIG: &str = "version: 1
strategies:
  canary: { duration_minutes: 10, bake_minutes: 5, growth_factor: 20, description: Ten minutes }
applications:
  shop:
    description: The shop
    environments:
      prod:
        strategy: canary
        monitors:
          - { alarm_arn: 'arn:aws:cloudwatch:eu-west-1:1:alarm:a', alarm_role_arn: 'arn:aws:iam::1:role/r' }
    profiles:
      flags: { type: feature-flags, description: Release flags }
";

    fn config() -> RepoConfig {
        serde_saphyr::from_str(CONFIG).unwrap()
    }

    fn strategy(bake: u32) -> Strategy {
        Strategy {
            description: Some("Ten minutes".into()),
            duration_minutes: 10,
            bake_minutes: bake,
            growth_type: Default::default(),
            growth_factor: 20.0,
            replicate_to: Default::default(),
        }
    }

    /// An account that matches CONFIG, before `edit`.
    fn account(edit: impl FnOnce(&mut Account)) -> Account {
        let mut account = Account {
            applications: vec![AppDescription {
                id: "a1".into(),
                name: "shop".into(),
                description: Some("The shop".into()),
                environments: vec![EnvDescription {
                    id: "e1".into(),
                    name: "prod".into(),
                    description: None,
                    monitors: vec![Monitor {
                        alarm_arn: "arn:aws:cloudwatch:eu-west-1:1:alarm:a".into(),
                        alarm_role_arn: Some("arn:aws:iam::1:role/r".into()),
                    }],
                }],
                profiles: vec![ProfileDescription {
                    id: "p1".into(),
                    name: "flags".into(),
                    description: Some("Release flags".into()),
                    kind: vocabulary::FEATURE_FLAGS.into(),
                    location_uri: "hosted".into(),
                    json_schema: None,
                }],
            }],
            strategies: vec![StrategyDescription {
                id: "s1".into(),
                name: "canary".into(),
                strategy: Some(strategy(5)),
            }],
        };
        edit(&mut account);
        account
    }

    fn changes(account: &Account) -> Vec<SetupChange> {
        let id = TargetId {
            application: "shop".into(),
            environment: "prod".into(),
            profile: "flags".into(),
        };
        diff(&config(), account, Path::new("."), &[&id])
    }

    #[test]
    fn an_account_as_declared_has_no_setup_changes() {
        assert_eq!(changes(&account(|_| {})), Vec::new());
    }

    #[test]
    fn a_strategy_edit_is_an_update_of_that_strategy() {
        let live = account(|a| a.strategies[0].strategy = Some(strategy(0)));
        let found = changes(&live);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].title(), "deployment strategy canary");
        assert_eq!(
            found[0].settings,
            vec![SettingChange {
                setting: "bake_minutes".into(),
                live: json!(0),
                declared: json!(5),
                kept: None,
            }]
        );
        assert_eq!(
            found[0].update,
            Some(Update::Strategy {
                id: "s1".into(),
                strategy: strategy(5)
            })
        );
    }

    #[test]
    fn replicate_to_cannot_change_and_is_only_reported() {
        let live = account(|a| {
            if let Some(s) = &mut a.strategies[0].strategy {
                s.replicate_to = crate::model::config::ReplicateTo::SsmDocument;
            }
        });
        let found = changes(&live);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].update, None);
        assert!(
            found[0].settings[0]
                .kept
                .as_deref()
                .unwrap()
                .contains("cannot change")
        );
    }

    #[test]
    fn a_monitor_flagops_yaml_does_not_declare_is_kept_not_removed() {
        let extra = Monitor {
            alarm_arn: "arn:aws:cloudwatch:eu-west-1:1:alarm:b".into(),
            alarm_role_arn: Some("arn:aws:iam::1:role/r".into()),
        };
        let live = account(|a| {
            a.applications[0].environments[0]
                .monitors
                .push(extra.clone())
        });
        let found = changes(&live);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            found[0].update, None,
            "nothing to update: the extra alarm stays"
        );
        assert!(found[0].settings[0].kept.is_some());

        // A declared alarm missing in AppConfig is added, and the extra one sent along.
        let live = account(|a| a.applications[0].environments[0].monitors = vec![extra.clone()]);
        let found = changes(&live);
        let Some(Update::Environment { monitors, .. }) = &found[0].update else {
            panic!("an environment update: {found:#?}");
        };
        assert_eq!(monitors.len(), 2);
        assert!(monitors.contains(&extra));
    }

    #[test]
    fn descriptions_are_managed_only_where_declared() {
        let live = account(|a| {
            a.applications[0].description = Some("Old".into());
            a.applications[0].environments[0].description = Some("set in the console".into());
        });
        let found = changes(&live);
        assert_eq!(
            found.len(),
            1,
            "the environment declares no description: {found:#?}"
        );
        assert_eq!(found[0].title(), "application shop");
    }

    #[test]
    fn what_appconfig_has_and_flagops_yaml_does_not_declare_is_reported() {
        let live = account(|a| {
            a.applications[0].environments.push(EnvDescription {
                id: "e2".into(),
                name: "sandbox".into(),
                description: None,
                monitors: Vec::new(),
            })
        });
        let found = changes(&live);
        assert_eq!(found.len(), 1);
        assert!(found[0].undeclared);
        assert_eq!(found[0].name, "shop/sandbox");
        assert_eq!(found[0].update, None);
    }
}
