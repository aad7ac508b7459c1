//! compile: the typed model → one document per target (application, environment, profile),
//! exactly what AppConfig will serve: AWS.AppConfig.FeatureFlags JSON or Freeform JSON.

pub mod aws_schema;
pub mod canonical;
pub mod normalize;

use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::model::config::ProfileKind;
use crate::model::flags::{AttributeDef, ElementDef, EnvValue, Evaluation, Flag, Period, Variant};
use crate::model::{FlagRef, Model};

/// Attribute names the compiler adds for allow lists and active periods evaluated by the app.
pub use crate::model::flags::{ACTIVE_FROM_ATTRIBUTE, ACTIVE_UNTIL_ATTRIBUTE, ALLOW_ATTRIBUTE};

/// AppConfig's JSON_SCHEMA validators hold at most this many characters.
pub const VALIDATOR_MAX_CHARS: usize = 32_768;

/// Identifies a target.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct TargetId {
    pub application: String,
    pub environment: String,
    pub profile: String,
}

impl std::fmt::Display for TargetId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.application, self.environment, self.profile
        )
    }
}

/// Flag key → (file, JSON Pointer) of its definition.
pub type Origins = IndexMap<String, (String, String)>;

/// The compiled document of one target.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: TargetId,
    pub kind: ProfileKind,
    pub document: Value,
    /// Where each flag of the document is defined: flag key → (file, JSON Pointer). One map
    /// for every environment of a profile.
    pub origins: Arc<Origins>,
}

impl Target {
    /// The bytes uploaded to AppConfig: canonical JSON (sorted keys, no whitespace).
    pub fn content(&self) -> String {
        canonical::compact(&self.document)
    }
}

/// Every target's document.
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    pub targets: Vec<Target>,
}

/// One profile of one application, compiled for every environment of the application.
#[derive(Debug)]
pub struct ProfileTargets<'a> {
    pub application: &'a str,
    pub profile: &'a str,
    /// Compiled with [`FlagsSection::InFirstDocument`], only the first FeatureFlags document
    /// holds the `flags` section: a rule that reads it whole asks [`Self::whole_document`].
    pub targets: Vec<Target>,
    /// The FeatureFlags targets have one `flags` section, built once: documents that differ
    /// only in their `values` (what a check of every document need not do again).
    pub flags_shared: bool,
}

/// Which FeatureFlags documents of a profile hold the `flags` section they share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagsSection {
    /// Every document is whole: what compile prints and apply uploads.
    InEveryDocument,
    /// Only the first document holds it; the others hold their `version` and `values`. For a
    /// check, which judges the shared section once and need not copy it per environment
    /// (see [`ProfileTargets::whole_document`]).
    InFirstDocument,
}

impl ProfileTargets<'_> {
    /// `target`'s document, whole: with the first document's `flags` section where
    /// [`FlagsSection::InFirstDocument`] left it out.
    pub fn whole_document<'t>(&'t self, target: &'t Target) -> std::borrow::Cow<'t, Value> {
        use std::borrow::Cow;
        let shared = self
            .targets
            .first()
            .and_then(|first| first.document.get("flags"));
        match (&target.document, shared) {
            (Value::Object(document), Some(flags))
                if self.flags_shared && !document.contains_key("flags") =>
            {
                let mut document = document.clone();
                document.insert("flags".to_owned(), flags.clone());
                Cow::Owned(Value::Object(document))
            }
            _ => Cow::Borrowed(&target.document),
        }
    }
}

/// The (application, profile) pairs of the configuration, in its order. Needs a valid
/// flagops.yaml; without one there are none.
pub fn profiles(model: &Model) -> Vec<(&str, &str)> {
    let Some(config) = &model.config else {
        return Vec::new();
    };
    config
        .applications
        .iter()
        .flat_map(|(app_name, app)| {
            app.profiles
                .keys()
                .map(move |profile_name| (app_name.as_str(), profile_name.as_str()))
        })
        .collect()
}

/// Compiles one profile for every environment of its application, every document whole.
pub fn compile_profile<'a>(
    model: &Model,
    application: &'a str,
    profile: &'a str,
) -> ProfileTargets<'a> {
    compile_profile_with(model, application, profile, FlagsSection::InEveryDocument)
}

/// Compiles one profile for every environment of its application, with the shared `flags`
/// section where `section` says.
pub fn compile_profile_with<'a>(
    model: &Model,
    application: &'a str,
    profile: &'a str,
    section: FlagsSection,
) -> ProfileTargets<'a> {
    let app = model
        .config
        .as_ref()
        .and_then(|c| c.applications.get(application));
    let kind = app.and_then(|a| a.profiles.get(profile)).map(|p| p.kind);
    let targets = match (app, kind) {
        (Some(app), Some(ProfileKind::FeatureFlags)) => {
            let environments: Vec<&String> = app.environments.keys().collect();
            feature_flags(model, application, profile, &environments, section)
        }
        (Some(app), Some(ProfileKind::Freeform)) => app
            .environments
            .keys()
            .map(|env_name| {
                let id = TargetId {
                    application: application.to_owned(),
                    environment: env_name.clone(),
                    profile: profile.to_owned(),
                };
                let mut target = freeform(model, id);
                // In the form AppConfig stores (`1.0e2` is `100`): check checks, compile
                // prints and apply uploads this very document.
                normalize::normalize_in_place(&mut target.document, ProfileKind::Freeform);
                target
            })
            .collect(),
        _ => Vec::new(),
    };
    ProfileTargets {
        application,
        profile,
        targets,
        flags_shared: kind == Some(ProfileKind::FeatureFlags),
    }
}

/// The FeatureFlags documents of one profile, one per environment. The `flags` section (the
/// definitions) is the same in every environment: it is built once and copied.
fn feature_flags(
    model: &Model,
    application: &str,
    profile: &str,
    environments: &[&String],
    section: FlagsSection,
) -> Vec<Target> {
    let mut in_profile = Vec::new();
    let mut origins = IndexMap::new();
    for flag_ref in model
        .flags()
        .filter(|f| f.application == application && f.profile == profile)
    {
        // The first definition wins; a duplicate is reported by the duplicate-flag rule.
        if origins.contains_key(flag_ref.key) {
            continue;
        }
        origins.insert(
            flag_ref.key.to_owned(),
            (flag_ref.file.to_owned(), flag_ref.pointer()),
        );
        in_profile.push(flag_ref);
    }
    // In the form AppConfig stores (`1.0e2` is `100`): check checks, compile prints and apply
    // uploads this very document.
    let mut flags = Map::new();
    for flag_ref in &in_profile {
        let mut def = definition(*flag_ref);
        normalize::normalize_definition(&mut def);
        flags.insert(flag_ref.key.to_owned(), def);
    }
    let origins = Arc::new(origins);
    let mut targets = Vec::with_capacity(environments.len());
    for (i, environment) in environments.iter().enumerate() {
        let mut values = Map::new();
        for flag_ref in &in_profile {
            let mut value = flag_value(flag_ref.flag, &Effective::of(flag_ref.flag, environment));
            normalize::normalize_flag_value(&mut value);
            values.insert(flag_ref.key.to_owned(), value);
        }
        let last = i + 1 == environments.len();
        let flags = match section {
            FlagsSection::InFirstDocument if i > 0 => None,
            FlagsSection::InFirstDocument => Some(std::mem::take(&mut flags)),
            FlagsSection::InEveryDocument if last => Some(std::mem::take(&mut flags)),
            FlagsSection::InEveryDocument => Some(flags.clone()),
        };
        let sections = [
            Some(("version", Value::String("1".to_owned()))),
            flags.map(|flags| ("flags", Value::Object(flags))),
            Some(("values", Value::Object(values))),
        ];
        targets.push(Target {
            id: TargetId {
                application: application.to_owned(),
                environment: (*environment).clone(),
                profile: profile.to_owned(),
            },
            kind: ProfileKind::FeatureFlags,
            // Built by moving the maps in: `json!` would deep-copy them through `to_value`.
            document: Value::Object(
                (sections.into_iter().flatten())
                    .map(|(name, section)| (name.to_owned(), section))
                    .collect(),
            ),
            origins: Arc::clone(&origins),
        });
    }
    targets
}

fn freeform(model: &Model, id: TargetId) -> Target {
    let mut document = Map::new();
    let mut origins = IndexMap::new();
    for (path, file) in &model.files {
        if file.application != id.application || file.profile != id.profile {
            continue;
        }
        let Some(content) = &file.content else {
            continue;
        };
        for (k, v) in &content.defaults {
            document.insert(k.clone(), v.clone());
        }
        if let Some(overrides) = content.environments.get(&id.environment) {
            for (k, v) in overrides {
                document.insert(k.clone(), v.clone());
            }
        }
        origins.insert(String::new(), (path.clone(), "/content".to_owned()));
    }
    Target {
        id,
        kind: ProfileKind::Freeform,
        document: Value::Object(document),
        origins: Arc::new(origins),
    }
}

/// The defaults overlaid with one environment's value.
pub fn effective_value(flag: &Flag, environment: &str) -> EnvValue {
    let value = Effective::of(flag, environment);
    EnvValue {
        enabled: value.enabled,
        values: (value
            .defaults
            .iter()
            .chain(value.overrides.into_iter().flatten()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect(),
        allow: value.allow.cloned(),
        active: value.active.cloned(),
        variants: value.variants.cloned(),
    }
}

/// [`effective_value`], borrowed from the flag: what the compiler and the rules read, once
/// per environment, without copying the flag's values.
pub struct Effective<'a> {
    enabled: Option<bool>,
    defaults: &'a IndexMap<String, Value>,
    overrides: Option<&'a IndexMap<String, Value>>,
    allow: Option<&'a Vec<String>>,
    active: Option<&'a Period>,
    variants: Option<&'a Vec<Variant>>,
}

impl<'a> Effective<'a> {
    pub fn of(flag: &'a Flag, environment: &str) -> Self {
        let defaults = &flag.defaults;
        let env = flag.environments.get(environment);
        // A block the environment sets, even an empty one, replaces the default's whole.
        let pick = |get: fn(&'a EnvValue) -> bool| env.filter(|e| get(e)).unwrap_or(defaults);
        Effective {
            enabled: env.and_then(|e| e.enabled).or(defaults.enabled),
            defaults: &defaults.values,
            overrides: env.map(|e| &e.values),
            allow: pick(|e| e.allow.is_some()).allow.as_ref(),
            active: pick(|e| e.active.is_some()).active.as_ref(),
            variants: pick(|e| e.variants.is_some()).variants.as_ref(),
        }
    }

    /// The attribute values: the defaults', each replaced where the environment sets it.
    fn values_into(&self, map: &mut Map<String, Value>) {
        for (k, v) in self
            .defaults
            .iter()
            .chain(self.overrides.into_iter().flatten())
        {
            map.insert(k.clone(), v.clone());
        }
    }

    /// Whether the attribute `name` has a value.
    pub fn has_value(&self, name: &str) -> bool {
        self.defaults.contains_key(name) || self.overrides.is_some_and(|o| o.contains_key(name))
    }

    /// Whether the value is given by variants.
    pub fn has_variants(&self) -> bool {
        self.variants.is_some()
    }

    fn has_values(&self) -> bool {
        !self.defaults.is_empty() || self.overrides.is_some_and(|o| !o.is_empty())
    }

    fn values(&self) -> Value {
        let mut map = Map::new();
        self.values_into(&mut map);
        Value::Object(map)
    }
}

/// Whether a flag needs the generated allow-list / period attributes (app evaluation only).
fn generated_attributes(flag: &Flag) -> (bool, bool, bool) {
    if flag.evaluate == Evaluation::Agent {
        return (false, false, false);
    }
    let blocks = std::iter::once(&flag.defaults).chain(flag.environments.values());
    let (mut allow, mut from, mut until) = (false, false, false);
    for b in blocks {
        allow |= b.allow.as_ref().is_some_and(|a| !a.is_empty());
        if let Some(p) = &b.active {
            from |= p.from.is_some();
            until |= p.until.is_some();
        }
    }
    (allow, from, until)
}

fn definition(flag_ref: FlagRef<'_>) -> Value {
    let flag = flag_ref.flag;
    let mut def = Map::new();
    def.insert(
        "name".into(),
        Value::String(flag.name.clone().unwrap_or_else(|| flag_ref.key.to_owned())),
    );
    if let Some(d) = &flag.description {
        def.insert("description".into(), Value::String(d.clone()));
    }
    if let Some(date) = &flag.deprecated {
        def.insert(
            "_deprecation".into(),
            json!({"status": "planned", "date": date}),
        );
    }
    let mut attributes = Map::new();
    for (name, attr) in &flag.attributes {
        attributes.insert(name.clone(), attribute_definition(attr));
    }
    let (allow, from, until) = generated_attributes(flag);
    for (present, name) in [
        (allow, ALLOW_ATTRIBUTE),
        (from, ACTIVE_FROM_ATTRIBUTE),
        (until, ACTIVE_UNTIL_ATTRIBUTE),
    ] {
        if let Some(def) = present.then(|| generated_attribute(name)).flatten() {
            attributes.insert(name.into(), def);
        }
    }
    if !attributes.is_empty() {
        def.insert("attributes".into(), Value::Object(attributes));
    }
    Value::Object(def)
}

/// The definition flagops generates for a reserved attribute (`allow_list`, `active_from`,
/// `active_until`); `None` for any other name.
pub fn generated_attribute(name: &str) -> Option<Value> {
    match name {
        ALLOW_ATTRIBUTE => Some(
            json!({"description": "Who the flag applies to (managed by flagops)",
                   "constraints": {"type": "array", "elements": {"type": "string"}}}),
        ),
        ACTIVE_FROM_ATTRIBUTE | ACTIVE_UNTIL_ATTRIBUTE => {
            let what = if name == ACTIVE_FROM_ATTRIBUTE {
                "Start of the active period"
            } else {
                "End of the active period"
            };
            Some(
                json!({"description": format!("{what}, RFC 3339 (managed by flagops)"),
                       "constraints": {"type": "string"}}),
            )
        }
        _ => None,
    }
}

/// An attribute definition as it appears in the compiled document.
pub fn attribute_definition(attr: &AttributeDef) -> Value {
    let mut c = Map::new();
    c.insert(
        "type".into(),
        Value::String(
            match attr.kind {
                crate::model::flags::AttributeType::String => "string",
                crate::model::flags::AttributeType::Number => "number",
                crate::model::flags::AttributeType::Boolean => "boolean",
                crate::model::flags::AttributeType::Array => "array",
            }
            .into(),
        ),
    );
    if attr.required {
        c.insert("required".into(), Value::Bool(true));
    }
    insert_common(
        &mut c,
        attr.pattern.as_ref(),
        attr.allowed.as_ref(),
        attr.minimum,
        attr.maximum,
    );
    if let Some(el) = &attr.elements {
        c.insert("elements".into(), element_definition(el));
    }
    let mut def = Map::new();
    if let Some(d) = &attr.description {
        def.insert("description".into(), Value::String(d.clone()));
    }
    def.insert("constraints".into(), Value::Object(c));
    Value::Object(def)
}

fn element_definition(el: &ElementDef) -> Value {
    let mut c = Map::new();
    c.insert(
        "type".into(),
        Value::String(
            match el.kind {
                crate::model::flags::ElementType::String => "string",
                crate::model::flags::ElementType::Number => "number",
            }
            .into(),
        ),
    );
    insert_common(
        &mut c,
        el.pattern.as_ref(),
        el.allowed.as_ref(),
        el.minimum,
        el.maximum,
    );
    Value::Object(c)
}

fn insert_common(
    c: &mut Map<String, Value>,
    pattern: Option<&String>,
    allowed: Option<&Vec<Value>>,
    minimum: Option<i64>,
    maximum: Option<i64>,
) {
    if let Some(p) = pattern {
        c.insert("pattern".into(), Value::String(p.clone()));
    }
    if let Some(e) = allowed {
        c.insert("enum".into(), Value::Array(e.clone()));
    }
    if let Some(m) = minimum {
        c.insert("minimum".into(), Value::from(m));
    }
    if let Some(m) = maximum {
        c.insert("maximum".into(), Value::from(m));
    }
}

/// The value of a flag in one environment, as the document holds it.
fn flag_value(flag: &Flag, value: &Effective<'_>) -> Value {
    let enabled = value.enabled.unwrap_or(false);
    if let Some(variants) = value.variants {
        let variants: Vec<Value> = variants
            .iter()
            .map(|v| {
                let mut m = Map::new();
                m.insert("name".into(), Value::String(v.name.clone()));
                if let Some(rule) = &v.rule {
                    m.insert("rule".into(), Value::String(rule.clone()));
                }
                m.insert("enabled".into(), Value::Bool(v.enabled));
                if !v.values.is_empty() {
                    m.insert("attributeValues".into(), json!(v.values));
                }
                Value::Object(m)
            })
            .collect();
        return json!({ "_variants": variants });
    }
    let allow = value.allow.filter(|a| !a.is_empty());
    if flag.evaluate == Evaluation::Agent && (allow.is_some() || value.active.is_some()) {
        return json!({ "_variants": agent_variants(flag, value, enabled) });
    }
    let mut m = Map::with_capacity(value.defaults.len() + 4);
    m.insert("enabled".into(), Value::Bool(enabled));
    value.values_into(&mut m);
    if let Some(allow) = allow {
        let allow = allow.iter().map(|a| Value::String(a.clone())).collect();
        m.insert(ALLOW_ATTRIBUTE.into(), Value::Array(allow));
    }
    if let Some(period) = value.active {
        if let Some(from) = &period.from {
            m.insert(ACTIVE_FROM_ATTRIBUTE.into(), Value::String(from.clone()));
        }
        if let Some(until) = &period.until {
            m.insert(ACTIVE_UNTIL_ATTRIBUTE.into(), Value::String(until.clone()));
        }
    }
    Value::Object(m)
}

/// Allow list and period as a rule the AppConfig Agent evaluates: the matching variant carries
/// the environment's value, everyone else gets the flag off. The application passes the
/// context key (and `now`, RFC 3339, when a period is set). Only documented operators (`in`,
/// `gte`, `lt`, `and`) and operand types (strings, timestamps) are used.
fn agent_variants(flag: &Flag, value: &Effective<'_>, enabled: bool) -> Vec<Value> {
    let mut clauses = Vec::new();
    if let Some(allow) = value.allow.filter(|a| !a.is_empty()) {
        let key = flag.context_key.as_deref().unwrap_or("workspace");
        let list: Vec<String> = allow.iter().map(|a| rule_string(a)).collect();
        clauses.push(format!("(in ${key} [{}])", list.join(",")));
    }
    if let Some(period) = value.active {
        if let Some(from) = &period.from {
            clauses.push(format!("(gte $now {})", rule_timestamp(from)));
        }
        if let Some(until) = &period.until {
            clauses.push(format!("(lt $now {})", rule_timestamp(until)));
        }
    }
    let rule = if clauses.len() == 1 {
        clauses.remove(0)
    } else {
        format!("(and {})", clauses.join(" "))
    };
    let mut matched = Map::new();
    matched.insert("name".into(), Value::String("allowed".into()));
    matched.insert("rule".into(), Value::String(rule));
    matched.insert("enabled".into(), Value::Bool(enabled));
    if value.has_values() {
        matched.insert("attributeValues".into(), value.values());
    }
    vec![
        Value::Object(matched),
        json!({"name": "default", "enabled": false}),
    ]
}

/// A string literal in AppConfig's rule language.
fn rule_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A timestamp literal in AppConfig's rule language: W3C form, unquoted. Quoted, it would be
/// a string, compared with `$now` as text. (check refuses a period that is not a timestamp.)
fn rule_timestamp(s: &str) -> String {
    if crate::model::parse_timestamp(s).is_ok()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-:.+".contains(c))
    {
        s.to_owned()
    } else {
        rule_string(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "\
version: 1
applications:
  shop:
    environments:
      dev: { strategy: AppConfig.AllAtOnce }
      staging: { strategy: AppConfig.AllAtOnce }
      prod: { strategy: AppConfig.AllAtOnce }
    profiles:
      flags: { type: feature-flags }
";

    const FLAGS: &str = "\
application: shop
profile: flags
flags:
  checkout_v2:
    description: the new checkout
    class: release
    attributes:
      limit: { type: number, minimum: 1 }
    defaults:
      enabled: false
      values: { limit: 5 }
    environments:
      dev: { enabled: true, values: { limit: 50 } }
      prod: { values: { limit: 10 } }
  dark_mode:
    class: release
    defaults: { enabled: true }
";

    #[test]
    fn a_document_without_the_shared_flags_section_is_made_whole_again() {
        let today = jiff::civil::date(2027, 1, 1);
        let (_, report) = crate::check::run_in_memory(CONFIG, &[("flags/shop.yaml", FLAGS)], today);
        assert_eq!(report.model.flags().count(), 2, "{:?}", report.findings);
        let every = compile_profile(&report.model, "shop", "flags");
        let first = compile_profile_with(
            &report.model,
            "shop",
            "flags",
            FlagsSection::InFirstDocument,
        );
        assert_eq!(every.targets.len(), 3);
        assert_eq!(first.targets.len(), 3);
        for (i, (whole, part)) in every.targets.iter().zip(&first.targets).enumerate() {
            assert_eq!(part.document.get("flags").is_some(), i == 0, "target {i}");
            assert_eq!(part.document.get("values"), whole.document.get("values"));
            assert_eq!(*first.whole_document(part), whole.document, "target {i}");
            assert_eq!(*every.whole_document(whole), whole.document, "target {i}");
        }
        // The environments differ in their values, not in their flags.
        assert_ne!(
            every.targets[0].document.get("values"),
            every.targets[2].document.get("values")
        );
    }

    #[test]
    fn an_environment_replaces_the_blocks_it_sets_and_lays_its_values_over_the_defaults() {
        let flag: Flag = serde_json::from_value(serde_json::json!({
            "class": "release",
            "defaults": {
                "enabled": true,
                "values": { "limit": 5, "mode": "a" },
                "allow": ["ws_one"],
                "active": { "from": "2027-01-01T00:00:00Z" }
            },
            "environments": {
                "dev": { "enabled": false, "values": { "mode": "b", "extra": 1 }, "allow": [] },
                "prod": { "values": { "limit": 10 } }
            }
        }))
        .unwrap();
        let dev = effective_value(&flag, "dev");
        assert_eq!(dev.enabled, Some(false));
        assert_eq!(
            serde_json::to_value(&dev.values).unwrap(),
            serde_json::json!({ "limit": 5, "mode": "b", "extra": 1 })
        );
        assert_eq!(
            dev.values.keys().collect::<Vec<_>>(),
            ["limit", "mode", "extra"]
        );
        assert_eq!(
            dev.allow,
            Some(Vec::new()),
            "an empty list set in the environment wins"
        );
        assert!(dev.active.is_some());
        let prod = effective_value(&flag, "prod");
        assert_eq!(prod.enabled, Some(true));
        assert_eq!(prod.allow, Some(vec!["ws_one".to_owned()]));
        assert_eq!(prod.values["limit"], 10);
        let absent = Effective::of(&flag, "staging");
        assert!(absent.has_value("mode") && !absent.has_value("extra") && !absent.has_variants());
        assert!(Effective::of(&flag, "dev").has_value("extra"));
    }
}
