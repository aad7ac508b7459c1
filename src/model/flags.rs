//! Flag files (`flags/**.yaml`): the flags of one configuration profile, with the values of
//! every environment in one place.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The attributes flagops generates for an allow list and an active period; compile writes
/// them, and a flag that declares either gets them.
pub const ALLOW_ATTRIBUTE: &str = "allow_list";
pub const ACTIVE_FROM_ATTRIBUTE: &str = "active_from";
pub const ACTIVE_UNTIL_ATTRIBUTE: &str = "active_until";

/// One flag file. Several files may contribute flags to the same profile.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "flagops flag file")]
pub struct FlagFile {
    /// The application (a key of `applications` in flagops.yaml).
    pub application: String,
    /// The configuration profile of that application.
    pub profile: String,
    /// Feature flags, by AppConfig key (`^[a-z][a-zA-Z0-9_-]{0,63}$`), for a `feature-flags` profile.
    #[serde(default)]
    pub flags: Option<IndexMap<String, Flag>>,
    /// Configuration for a `freeform` profile: compiled to JSON as written, per environment
    /// when `environments` is given.
    #[serde(default)]
    pub content: Option<FreeformContent>,
}

/// The content of a freeform profile.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FreeformContent {
    /// The document every environment gets.
    pub defaults: serde_json::Map<String, serde_json::Value>,
    /// Top-level keys replaced per environment.
    #[serde(default)]
    pub environments: IndexMap<String, serde_json::Map<String, serde_json::Value>>,
}

/// A feature flag.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flag {
    /// Display name in AppConfig (1 to 64 characters, one line). Defaults to the key.
    #[serde(default)]
    pub name: Option<String>,
    /// What the flag does (at most 1024 characters).
    #[serde(default)]
    pub description: Option<String>,
    /// Who answers for the flag: a team or person.
    #[serde(default)]
    pub owner: Option<String>,
    /// What kind of flag this is; drives expiry policy and deployment urgency.
    pub class: FlagClass,
    /// The date (YYYY-MM-DD) by which the flag should be gone.
    #[serde(default)]
    #[schemars(extend("format" = "date"))]
    pub expires: Option<String>,
    /// Planned removal: compiled to AppConfig's `_deprecation` with this date (YYYY-MM-DD).
    #[serde(default)]
    #[schemars(extend("format" = "date"))]
    pub deprecated: Option<String>,
    /// Why this key, once deleted, is used again. Without it, re-introducing a deleted key fails.
    #[serde(default)]
    pub reintroduces: Option<String>,
    /// Who evaluates allow lists and active periods: the application (default) or the
    /// AppConfig Agent, through variant rules.
    #[serde(default)]
    pub evaluate: Evaluation,
    /// Context key the Agent matches the allow list against (with `evaluate: agent`).
    #[serde(default)]
    pub context_key: Option<String>,
    /// Fields people change in the AppConfig console (an ops toggle flipped in an emergency):
    /// apply keeps their live value in every upload and never reverts them; drift still reports
    /// and records them. `true` for the whole value, or a list of `enabled`, `allow`, `active`,
    /// `variants` and attribute names.
    #[serde(default)]
    pub console_owned: Option<ConsoleOwned>,
    /// Fields `flagops import` could not learn from AppConfig and filled with a placeholder
    /// (`owner: TODO-owner`, a guessed `class`). `check` warns at each (FO218) until the real
    /// value is written and the field is removed from this list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placeholders: Vec<FlagPlaceholder>,
    /// Typed attributes of the flag (at most 25).
    #[serde(default)]
    pub attributes: IndexMap<String, AttributeDef>,
    /// Values shared by every environment; each environment may override them.
    #[serde(default)]
    pub defaults: EnvValue,
    /// Per-environment values, by environment name.
    #[serde(default)]
    pub environments: IndexMap<String, EnvValue>,
}

impl Flag {
    /// A flag of which only the class and `reintroduces` are known: what the rules that
    /// read the whole repository (history, application code) look at.
    pub fn outline(class: FlagClass, reintroduces: Option<String>) -> Flag {
        Flag {
            name: None,
            description: None,
            owner: None,
            class,
            expires: None,
            deprecated: None,
            reintroduces,
            evaluate: Evaluation::default(),
            context_key: None,
            console_owned: None,
            placeholders: Vec::new(),
            attributes: IndexMap::new(),
            defaults: EnvValue::default(),
            environments: IndexMap::new(),
        }
    }
}

/// Which of a flag's fields the console owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ConsoleOwned {
    /// `true`: the whole value.
    All(bool),
    /// Only these fields.
    Fields(Vec<String>),
}

impl ConsoleOwned {
    /// The fields of the compiled value this covers; `None` means all of them.
    pub fn compiled_fields(&self) -> Option<Vec<String>> {
        match self {
            ConsoleOwned::All(true) => None,
            ConsoleOwned::All(false) => Some(Vec::new()),
            ConsoleOwned::Fields(fields) => Some(
                fields
                    .iter()
                    .flat_map(|f| match f.as_str() {
                        "allow" => vec![ALLOW_ATTRIBUTE.to_owned()],
                        "active" => vec![
                            ACTIVE_FROM_ATTRIBUTE.to_owned(),
                            ACTIVE_UNTIL_ATTRIBUTE.to_owned(),
                        ],
                        "variants" => vec!["_variants".to_owned()],
                        other => vec![other.to_owned()],
                    })
                    .collect(),
            ),
        }
    }
}

/// A flag field holding a placeholder written by `flagops import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FlagPlaceholder {
    Owner,
    Class,
}

impl FlagPlaceholder {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagPlaceholder::Owner => "owner",
            FlagPlaceholder::Class => "class",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FlagClass {
    /// Gates a release; removed once the release is complete.
    Release,
    /// An experiment, usually with variants.
    Experiment,
    /// Operational toggle (e.g. maintenance mode), flipped by people in emergencies.
    Ops,
    /// Turns a feature off fast when it misbehaves.
    KillSwitch,
    /// Grants a capability to some workspaces or users; long-lived.
    Permission,
}

impl FlagClass {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagClass::Release => "release",
            FlagClass::Experiment => "experiment",
            FlagClass::Ops => "ops",
            FlagClass::KillSwitch => "kill-switch",
            FlagClass::Permission => "permission",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Evaluation {
    /// Compiled to attributes (`allow_list`, `active_from`, `active_until`) the application checks.
    #[default]
    App,
    /// Compiled to variant rules the AppConfig Agent evaluates from the request context.
    Agent,
}

/// An attribute definition with its AppConfig constraints.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeDef {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub kind: AttributeType,
    /// The attribute must have a value in every environment where the flag is defined.
    #[serde(default)]
    pub required: bool,
    /// For strings: a regular expression the value must match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// For strings: the allowed values.
    #[serde(default, rename = "enum")]
    pub allowed: Option<Vec<serde_json::Value>>,
    /// For numbers: the smallest allowed value (an integer).
    #[serde(default)]
    pub minimum: Option<i64>,
    /// For numbers: the largest allowed value (an integer).
    #[serde(default)]
    pub maximum: Option<i64>,
    /// For arrays: the constraints on each element.
    #[serde(default)]
    pub elements: Option<Box<ElementDef>>,
}

/// The constraints on each element of an array attribute.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ElementDef {
    #[serde(rename = "type")]
    pub kind: ElementType,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default, rename = "enum")]
    pub allowed: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    pub minimum: Option<i64>,
    #[serde(default)]
    pub maximum: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AttributeType {
    String,
    Number,
    Boolean,
    Array,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ElementType {
    String,
    Number,
}

/// The value of a flag in one environment (or the defaults every environment starts from).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvValue {
    /// Whether the flag is on.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Attribute values, by attribute name.
    #[serde(default)]
    pub values: IndexMap<String, serde_json::Value>,
    /// Who the flag applies to (e.g. workspace ids). Empty or absent: everyone.
    #[serde(default)]
    pub allow: Option<Vec<String>>,
    /// When the flag is active.
    #[serde(default)]
    pub active: Option<Period>,
    /// Multi-variant value: variants evaluated in order by the AppConfig Agent, the last one
    /// (without a rule) being the default.
    #[serde(default)]
    pub variants: Option<Vec<Variant>>,
}

/// A time window, RFC 3339 timestamps.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(default)]
    #[schemars(extend("format" = "date-time"))]
    pub from: Option<String>,
    #[serde(default)]
    #[schemars(extend("format" = "date-time"))]
    pub until: Option<String>,
}

/// One variant of a multi-variant flag.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Variant name (1 to 64 characters, one line).
    pub name: String,
    /// AppConfig rule expression, e.g. `(eq $tier "gold")`. The last variant has none.
    #[serde(default)]
    pub rule: Option<String>,
    pub enabled: bool,
    /// Attribute values of this variant.
    #[serde(default)]
    pub values: IndexMap<String, serde_json::Value>,
}
