//! `flagops.yaml`: the applications, environments, profiles and rule settings of a flags repo.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::vocabulary;

/// The repository configuration, read from `flagops.yaml` at the repository root.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "flagops repository configuration (flagops.yaml)")]
pub struct RepoConfig {
    /// Format version of this file. Only `1` exists.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// The branch `apply` is allowed to run from.
    #[serde(default = "default_branch")]
    pub default_branch: String,
    /// Where flag files live, relative to the repository root.
    #[serde(default = "default_flags_dir")]
    pub flags_dir: String,
    /// Where plan, apply and drift look: `appconfig` (default) or `local:DIR` (a directory that
    /// behaves like AppConfig, DIR relative to the repository root). `--backend` overrides it.
    #[serde(default)]
    pub backend: Option<String>,
    /// Where environments live in AWS by default: region, a role to assume, a profile.
    /// Applications and environments override these settings in their own `aws` block.
    /// Without any, AppConfig is reached through the ambient credentials and region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsSettings>,
    /// Where the drift ledger is kept, relative to the repository root.
    #[serde(default = "default_ledger_dir")]
    pub ledger_dir: String,
    /// Custom deployment strategies, by name. Environments refer to them by name, or name a
    /// predefined AppConfig strategy (`AppConfig.Linear50PercentEvery30Seconds`, ...).
    #[serde(default)]
    pub strategies: IndexMap<String, Strategy>,
    /// The AppConfig applications this repository manages, by name.
    pub applications: IndexMap<String, Application>,
    /// Settings of the lint rules `flagops check` runs.
    #[serde(default)]
    pub rules: RuleSettings,
    /// Settings of `flagops drift`.
    #[serde(default)]
    pub drift: DriftSettings,
    /// Where application code reads flags: `flagops refs` scans it, and `check` then fails a
    /// change that deletes a flag code still reads, and warns about flags no code reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs: Option<RefsConfig>,
    /// Periods when `apply` deploys nothing to the environments named (a release freeze, a
    /// holiday): changes there are held back unless `apply --break-glass --reason "<why>"`, which
    /// is recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub freezes: Vec<Freeze>,
}

impl RepoConfig {
    /// Whether flagops.yaml declares a description for `profile` of `application`: the setup
    /// diff then reads the profile's own.
    pub fn describes_profile(&self, application: &str, profile: &str) -> bool {
        (self.applications.get(application))
            .and_then(|a| a.profiles.get(profile))
            .is_some_and(|p| p.description.is_some())
    }

    /// Checks that each name given to select targets exists: a misspelt `--env prodution`
    /// must fail loudly rather than select nothing. `Err` names what is known, and the
    /// closest name when one is close.
    pub fn check_selection(
        &self,
        application: Option<&str>,
        environment: Option<&str>,
        profile: Option<&str>,
    ) -> Result<(), String> {
        let apps: Vec<(&str, &Application)> = match application {
            Some(name) => match self.applications.get(name) {
                Some(app) => vec![(name, app)],
                None => {
                    return Err(unknown(
                        "application",
                        name,
                        self.applications.keys().map(String::as_str),
                    ));
                }
            },
            None => self
                .applications
                .iter()
                .map(|(name, app)| (name.as_str(), app))
                .collect(),
        };
        let scope = match application {
            Some(name) => format!(" in application `{name}`"),
            None => String::new(),
        };
        if let Some(name) = environment
            && !apps
                .iter()
                .any(|(_, app)| app.environments.contains_key(name))
        {
            let known = apps.iter().flat_map(|(_, app)| app.environments.keys());
            return Err(unknown("environment", name, known.map(String::as_str)) + &scope);
        }
        if let Some(name) = profile
            && !apps.iter().any(|(_, app)| app.profiles.contains_key(name))
        {
            let known = apps.iter().flat_map(|(_, app)| app.profiles.keys());
            return Err(unknown("profile", name, known.map(String::as_str)) + &scope);
        }
        Ok(())
    }
}

/// "no environment `prodution`; did you mean `production`? (known: …)".
pub fn unknown<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a str>) -> String {
    let mut known: Vec<&str> = known.collect();
    known.sort_unstable();
    known.dedup();
    let hint = match crate::finding::closest(name, known.iter().copied()) {
        Some(best) => format!("; did you mean `{best}`?"),
        None => String::new(),
    };
    // A large repository's list is cut: the did-you-mean is what helps.
    const LISTED: usize = 12;
    let list = match known.len() {
        0 => "none".to_owned(),
        n if n > LISTED => format!("{}, … and {} more", known[..LISTED].join(", "), n - LISTED),
        _ => known.join(", "),
    };
    format!(
        "no {what} `{}`{hint} (known: {list})",
        crate::finding::quote(name)
    )
}

/// A deployment freeze.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Freeze {
    /// Environment names frozen, in every application (or those in `applications`); all
    /// environments when empty.
    #[serde(default)]
    pub environments: Vec<String>,
    /// Applications frozen; all when empty.
    #[serde(default)]
    pub applications: Vec<String>,
    /// Start of the freeze, RFC 3339 (e.g. 2026-12-21T00:00:00Z).
    #[schemars(extend("format" = "date-time"))]
    pub from: String,
    /// End of the freeze (exclusive), RFC 3339.
    #[schemars(extend("format" = "date-time"))]
    pub until: String,
    /// Why: shown when apply holds a change back.
    #[schemars(length(min = 1))]
    pub reason: String,
    /// Flag classes the freeze lets through: a target whose changed flags are all of these
    /// classes deploys during the freeze. An incident's kill switch must not wait for the
    /// holidays to end.
    #[serde(default = "default_exempt")]
    pub exempt: Vec<crate::model::flags::FlagClass>,
}

fn default_exempt() -> Vec<crate::model::flags::FlagClass> {
    use crate::model::flags::FlagClass;
    vec![FlagClass::KillSwitch, FlagClass::Ops]
}

/// The application source trees `flagops refs` scans for flag references.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefsConfig {
    /// Directories (or files) to scan, relative to the repository root; `.gitignore` and
    /// `.ignore` files are respected. The flags directory, flagops.yaml and the ledger are
    /// never scanned, nor files marked `@generated` in their first lines.
    #[serde(default = "default_ref_paths")]
    pub paths: Vec<String>,
    /// Only files matching one of these globs (gitignore syntax, relative to each scanned
    /// directory), e.g. `*.ts`. All files when empty.
    #[serde(default)]
    pub include: Vec<String>,
    /// Files to skip (gitignore syntax), on top of what `.gitignore` skips.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// How code spells a key `checkout_v2`: `exact` (checkout_v2), `camel` (checkoutV2),
    /// `pascal` (CheckoutV2), `screaming-snake` (CHECKOUT_V2).
    #[serde(default = "default_key_forms")]
    pub forms: Vec<KeyForm>,
    /// Regular expressions of a flag read, with `{key}` where the key (in any form) stands,
    /// e.g. `isEnabled\("{key}"\)`. With patterns, only these count as references, and a
    /// name in `{key}` that is no flag is reported as referenced but undefined. Without them,
    /// any whole-word occurrence of a key form counts.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Further names code uses for a flag, by flag key.
    #[serde(default)]
    pub aliases: IndexMap<String, Vec<String>>,
}

fn default_ref_paths() -> Vec<String> {
    vec![".".to_owned()]
}

fn default_key_forms() -> Vec<KeyForm> {
    vec![KeyForm::Exact]
}

/// A spelling of a flag key in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeyForm {
    /// The key as written: `checkout_v2`.
    Exact,
    /// `checkoutV2`.
    Camel,
    /// `CheckoutV2`.
    Pascal,
    /// `CHECKOUT_V2`.
    ScreamingSnake,
}

fn default_branch() -> String {
    "main".to_owned()
}
fn default_flags_dir() -> String {
    "flags".to_owned()
}
fn default_ledger_dir() -> String {
    "ledger".to_owned()
}

/// A custom AppConfig deployment strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    /// What the strategy is for, shown in AppConfig.
    #[serde(default)]
    pub description: Option<String>,
    /// Minutes over which the deployment grows to 100% of targets (0 to 1440).
    #[schemars(range(min = 0, max = 1440))]
    pub duration_minutes: u32,
    /// Minutes AppConfig watches the alarms after reaching 100% before completing (0 to 1440).
    #[schemars(range(min = 0, max = 1440))]
    pub bake_minutes: u32,
    /// How the deployment grows.
    #[serde(default)]
    pub growth_type: GrowthType,
    /// Percentage of targets added at each step (1 to 100).
    #[schemars(range(min = 1.0, max = 100.0))]
    pub growth_factor: f64,
    /// Where AppConfig saves a copy of the strategy: `none`, or `ssm-document`. Fixed once
    /// the strategy exists: AppConfig cannot change it.
    #[serde(default, skip_serializing_if = "ReplicateTo::is_none")]
    pub replicate_to: ReplicateTo,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReplicateTo {
    #[default]
    None,
    SsmDocument,
}

impl ReplicateTo {
    pub fn is_none(&self) -> bool {
        *self == ReplicateTo::None
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GrowthType {
    #[default]
    Linear,
    Exponential,
}

/// Where AppConfig calls for an environment go: region, credentials, endpoint. Each setting
/// given here overrides the one of the enclosing level (top level, then application, then
/// environment); `external_id` goes with the `role_arn` of its own block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwsSettings {
    /// AWS region, e.g. `eu-west-1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// IAM role to assume through STS from the base credentials (the ambient ones, or
    /// `profile`'s), e.g. `arn:aws:iam::111122223333:role/flagops-apply`. The session is
    /// named `flagops-<short commit sha>`, so CloudTrail shows which commit made each call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// A read-only role that `plan`, `drift` and `adopt` assume instead of `role_arn`, so
    /// that pull-request jobs never hold write access to an account. `apply` and `stop`
    /// assume `role_arn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_role_arn: Option<String>,
    /// External id the roles' trust policies ask for; only with `role_arn` or
    /// `read_role_arn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Named AWS profile (from `~/.aws/config`) the base credentials come from: for running
    /// flagops on a laptop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// AppConfig endpoint URL, for emulators and VPC endpoints. Overrides
    /// `AWS_ENDPOINT_URL_APPCONFIG` for the environments it covers; STS (for `role_arn`)
    /// keeps the standard settings (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
}

/// An AppConfig application.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    #[serde(default)]
    pub description: Option<String>,
    /// Where the application's environments live in AWS, over the top-level `aws` block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsSettings>,
    /// Environments of the application, by name, in deployment order.
    pub environments: IndexMap<String, Environment>,
    /// Configuration profiles of the application, by name.
    pub profiles: IndexMap<String, Profile>,
}

/// An AppConfig environment.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    #[serde(default)]
    pub description: Option<String>,
    /// Deployment strategy for ordinary changes: a name from `strategies`, or a predefined
    /// `AppConfig.*` strategy.
    pub strategy: String,
    /// Strategy for kill-switch and ops changes, which must not wait for a gradual rollout.
    /// Defaults to `strategy`.
    #[serde(default)]
    pub urgent_strategy: Option<String>,
    /// Where the environment lives in AWS, over its application's and the top-level `aws`
    /// blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsSettings>,
    /// Serves real users: plan highlights risky changes here.
    #[serde(default)]
    pub production: bool,
    /// CloudWatch alarms that roll a deployment back when they fire.
    #[serde(default)]
    pub monitors: Vec<Monitor>,
    /// Fields `flagops import` could not learn from AppConfig and filled with a placeholder
    /// (a `strategy` when the environment has no deployment to take it from). `check` warns
    /// at each (FO218) until the field is removed from this list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placeholders: Vec<EnvironmentPlaceholder>,
}

/// An environment field holding a placeholder written by `flagops import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EnvironmentPlaceholder {
    Strategy,
}

/// A CloudWatch alarm AppConfig watches during a deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Monitor {
    /// ARN of the CloudWatch alarm.
    #[schemars(regex(pattern = r"^arn:aws[a-zA-Z-]*:cloudwatch:"))]
    pub alarm_arn: String,
    /// ARN of the IAM role AppConfig assumes to read the alarm.
    #[serde(default)]
    pub alarm_role_arn: Option<String>,
}

/// An AppConfig configuration profile.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default)]
    pub description: Option<String>,
    /// `feature-flags` (AWS.AppConfig.FeatureFlags) or `freeform` (AWS.Freeform JSON).
    #[serde(rename = "type")]
    pub kind: ProfileKind,
    /// For freeform profiles: the JSON Schema (in `schemas/`) the content must satisfy.
    #[serde(default)]
    pub schema: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileKind {
    FeatureFlags,
    Freeform,
}

impl ProfileKind {
    /// The profile type AppConfig knows.
    pub fn appconfig_type(self) -> &'static str {
        match self {
            ProfileKind::FeatureFlags => vocabulary::FEATURE_FLAGS,
            ProfileKind::Freeform => vocabulary::FREEFORM,
        }
    }

    /// The kind of an AppConfig profile type flagops reads, if it is one.
    pub fn from_appconfig_type(appconfig_type: &str) -> Option<ProfileKind> {
        match appconfig_type {
            vocabulary::FEATURE_FLAGS => Some(ProfileKind::FeatureFlags),
            vocabulary::FREEFORM => Some(ProfileKind::Freeform),
            _ => None,
        }
    }
}

/// Settings of `flagops drift`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DriftSettings {
    /// flagops's own work (its deployment rolling out, a change apply has not reached yet)
    /// is `pending`, not drift, for this many minutes; after that it counts as drift: an
    /// apply that failed or never ran.
    #[serde(default = "default_pending_after")]
    pub pending_after_minutes: u32,
}

impl Default for DriftSettings {
    fn default() -> Self {
        DriftSettings {
            pending_after_minutes: default_pending_after(),
        }
    }
}

fn default_pending_after() -> u32 {
    60
}

/// Settings of the lint rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSettings {
    /// A house naming convention for flag keys, on top of AppConfig's key pattern.
    #[serde(default)]
    pub naming: Option<NamingRule>,
    /// Expiry policy per flag class.
    #[serde(default)]
    pub expiry: IndexMap<crate::model::flags::FlagClass, ExpiryPolicy>,
    /// Override the level of a rule by its name or code: `error`, `warning` or `off`.
    #[serde(default)]
    pub levels: IndexMap<String, RuleLevel>,
    /// Expected lifetime of a flag, in days, per class: older flags (by the first commit that
    /// had them) are reported as stale (FO220), a warning; `expires` stays the hard limit.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub lifetime: IndexMap<crate::model::flags::FlagClass, u32>,
}

/// A naming convention for flag keys.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamingRule {
    /// Regular expression every flag key of the listed classes must match.
    pub pattern: String,
    /// Classes the convention applies to; all classes when empty.
    #[serde(default)]
    pub classes: Vec<crate::model::flags::FlagClass>,
    /// Explanation shown with a violation, e.g. "end release flags with their creation date".
    #[serde(default)]
    pub help: Option<String>,
}

/// How long flags of a class may live.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpiryPolicy {
    /// Flags of this class must declare `expires`.
    #[serde(default)]
    pub required: bool,
    /// Warn this many days before a flag expires.
    #[serde(default = "default_warn_days")]
    pub warn_days: u32,
}

fn default_warn_days() -> u32 {
    14
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    Warning,
    Off,
}
