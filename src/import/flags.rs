//! Live feature flags → the flag-file model: a flag's definition and each environment's value
//! become one [`Flag`], values shared by every environment moved to `defaults`.
//!
//! The inverse of `crate::compile`: whatever is written here must compile back to the live
//! documents. What the model cannot express is reported as a note, and `flagops import`
//! verifies every target after writing.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::compile::{ACTIVE_FROM_ATTRIBUTE, ACTIVE_UNTIL_ATTRIBUTE, ALLOW_ATTRIBUTE};
use crate::model::flags::{
    AttributeDef, AttributeType, ElementDef, ElementType, EnvValue, Evaluation, Flag, FlagClass,
    FlagPlaceholder, Period, Variant,
};

/// Owner written where AppConfig holds none; listed under `placeholders`.
pub const OWNER_PLACEHOLDER: &str = "TODO-owner";

/// One environment's view of a flag: its definition and value there (`None` when the flag is
/// not in that environment's document).
#[derive(Debug, Clone, Copy)]
pub struct EnvFlag<'a> {
    pub environment: &'a str,
    pub definition: Option<&'a Value>,
    pub value: Option<&'a Value>,
}

/// The flag `key`, from its definition and value in each environment.
pub fn import_flag(key: &str, envs: &[EnvFlag<'_>], notes: &mut Vec<String>) -> Flag {
    let mut note = |message: String| notes.push(format!("flag `{key}`: {message}"));
    let present: Vec<&EnvFlag<'_>> = envs.iter().filter(|e| e.definition.is_some()).collect();
    let definition = present
        .first()
        .and_then(|e| e.definition)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for e in &present {
        if e.definition.and_then(Value::as_object) != Some(&definition) {
            note(format!(
                "its definition in `{}` differs from the one in `{}`; flagops keeps one definition for every environment",
                e.environment, present[0].environment
            ));
        }
    }
    for e in envs.iter().filter(|e| e.definition.is_none()) {
        note(format!(
            "it is not in the document of `{}`; flagops serves every flag of a profile in every environment",
            e.environment
        ));
    }

    let mut flag = Flag {
        name: None,
        description: None,
        owner: Some(OWNER_PLACEHOLDER.to_owned()),
        class: FlagClass::Release,
        expires: None,
        deprecated: None,
        reintroduces: None,
        evaluate: Evaluation::App,
        context_key: None,
        console_owned: None,
        placeholders: vec![FlagPlaceholder::Owner, FlagPlaceholder::Class],
        attributes: IndexMap::new(),
        defaults: EnvValue::default(),
        environments: IndexMap::new(),
    };
    for (field, value) in &definition {
        match (field.as_str(), value) {
            ("name", Value::String(name)) => {
                if name != key {
                    flag.name = Some(name.clone());
                }
            }
            ("description", Value::String(d)) => flag.description = Some(d.clone()),
            ("_deprecation", Value::Object(d))
                if d.get("status").and_then(Value::as_str) == Some("planned")
                    && d.len() == 2
                    && d.get("date").is_some_and(Value::is_string) =>
            {
                flag.deprecated = d.get("date").and_then(Value::as_str).map(str::to_owned);
            }
            ("attributes", Value::Object(attributes)) => {
                for (name, def) in attributes {
                    match attribute_def(def) {
                        Some(def) => {
                            flag.attributes.insert(name.clone(), def);
                        }
                        None => note(format!(
                            "the definition of attribute `{name}` cannot be written as a flagops attribute: {def}"
                        )),
                    }
                }
            }
            _ => note(format!(
                "the definition field `{field}` cannot be written in a flag file: {value}"
            )),
        }
    }
    // The name defaults to the key: a definition without one gets it on the next apply.
    if !definition.contains_key("name") && !present.is_empty() {
        note("its definition has no name; apply will name it after its key".to_owned());
    }

    let reserved = Reserved::decide(&flag.attributes, envs);
    if reserved.as_attributes {
        // Keeps `allow_list` / `active_from` / `active_until` as the plain attributes they are:
        // with `evaluate: agent` and no `allow`/`active`, flagops generates none of them.
        flag.evaluate = Evaluation::Agent;
    } else {
        for name in [
            ALLOW_ATTRIBUTE,
            ACTIVE_FROM_ATTRIBUTE,
            ACTIVE_UNTIL_ATTRIBUTE,
        ] {
            flag.attributes.shift_remove(name);
        }
    }

    let mut blocks: Vec<(&str, EnvValue)> = Vec::new();
    for e in envs {
        let Some(value) = e.value else {
            if e.definition.is_some() {
                note(format!("it has no value in `{}`", e.environment));
            }
            continue;
        };
        let (block, problems) = env_value(value, reserved.as_attributes);
        for p in problems {
            note(format!("in `{}`: {p}", e.environment));
        }
        blocks.push((e.environment, block));
    }
    let (defaults, environments) = factor(blocks);
    flag.defaults = defaults;
    flag.environments = environments;

    let has_variants = std::iter::once(&flag.defaults)
        .chain(flag.environments.values())
        .any(|b| b.variants.is_some());
    flag.class = if has_variants {
        FlagClass::Experiment
    } else if key.contains("kill") {
        FlagClass::KillSwitch
    } else {
        FlagClass::Release
    };
    flag
}

/// Whether a flag's `allow_list` / `active_from` / `active_until` attributes become `allow`
/// and `active`, which compile back to exactly the same attributes, or stay plain attributes.
struct Reserved {
    as_attributes: bool,
}

impl Reserved {
    fn decide(attributes: &IndexMap<String, AttributeDef>, envs: &[EnvFlag<'_>]) -> Self {
        let names = [
            ALLOW_ATTRIBUTE,
            ACTIVE_FROM_ATTRIBUTE,
            ACTIVE_UNTIL_ATTRIBUTE,
        ];
        let values: Vec<&Map<String, Value>> = envs
            .iter()
            .filter_map(|e| e.value.and_then(Value::as_object))
            .collect();
        let used = |name: &str| {
            attributes.contains_key(name)
                || values.iter().any(|v| {
                    v.contains_key(name)
                        || v.get("_variants")
                            .and_then(Value::as_array)
                            .is_some_and(|vs| {
                                vs.iter().any(|x| {
                                    x.get("attributeValues")
                                        .and_then(Value::as_object)
                                        .is_some_and(|a| a.contains_key(name))
                                })
                            })
                })
        };
        if !names.iter().any(|n| used(n)) {
            return Reserved {
                as_attributes: false,
            };
        }
        let convertible = names.iter().filter(|n| used(n)).all(|name| {
            let generated = generated_definition(name);
            let def_matches = attributes
                .get(*name)
                .is_some_and(|d| attribute_json(d) == generated);
            // Variants carry no generated attributes; one there is a plain attribute.
            let in_variants = values.iter().any(|v| {
                v.get("_variants")
                    .and_then(Value::as_array)
                    .is_some_and(|vs| {
                        vs.iter().any(|x| {
                            x.get("attributeValues")
                                .and_then(Value::as_object)
                                .is_some_and(|a| a.contains_key(*name))
                        })
                    })
            });
            let mut set_somewhere = false;
            let values_fit = values.iter().all(|v| match v.get(*name) {
                None => true,
                Some(Value::Array(items)) if *name == ALLOW_ATTRIBUTE => {
                    set_somewhere = true;
                    !items.is_empty() && items.iter().all(Value::is_string)
                }
                Some(Value::String(s)) if *name != ALLOW_ATTRIBUTE => {
                    set_somewhere = true;
                    s.parse::<jiff::Timestamp>().is_ok()
                }
                Some(_) => false,
            });
            def_matches && !in_variants && values_fit && set_somewhere
        });
        // A period must also be in order, or check would reject it.
        let ordered = values.iter().all(|v| {
            match (
                v.get(ACTIVE_FROM_ATTRIBUTE).and_then(Value::as_str),
                v.get(ACTIVE_UNTIL_ATTRIBUTE).and_then(Value::as_str),
            ) {
                (Some(from), Some(until)) => {
                    match (
                        from.parse::<jiff::Timestamp>(),
                        until.parse::<jiff::Timestamp>(),
                    ) {
                        (Ok(f), Ok(u)) => f < u,
                        _ => false,
                    }
                }
                _ => true,
            }
        });
        Reserved {
            as_attributes: !(convertible && ordered),
        }
    }
}

/// The attribute definition compile generates for `name` (a reserved attribute).
fn generated_definition(name: &str) -> Value {
    crate::compile::generated_attribute(name).unwrap_or(Value::Null)
}

/// An attribute definition as compile writes it.
fn attribute_json(def: &AttributeDef) -> Value {
    crate::compile::attribute_definition(def)
}

/// Parses an AppConfig attribute definition; `None` when the model cannot hold it exactly.
fn attribute_def(def: &Value) -> Option<AttributeDef> {
    let def = def.as_object()?;
    if def.keys().any(|k| k != "description" && k != "constraints") {
        return None;
    }
    let c = def.get("constraints")?.as_object()?;
    let kind = match c.get("type")?.as_str()? {
        "string" => AttributeType::String,
        "number" => AttributeType::Number,
        "boolean" => AttributeType::Boolean,
        "array" => AttributeType::Array,
        _ => return None,
    };
    let known = [
        "type", "required", "pattern", "enum", "minimum", "maximum", "elements",
    ];
    if c.keys().any(|k| !known.contains(&k.as_str())) {
        return None;
    }
    let parsed = AttributeDef {
        description: match def.get("description") {
            Some(Value::String(s)) => Some(s.clone()),
            None => None,
            Some(_) => return None,
        },
        kind,
        required: match c.get("required") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return None,
        },
        pattern: string_field(c, "pattern")?,
        allowed: match c.get("enum") {
            None => None,
            Some(Value::Array(items)) => Some(items.clone()),
            Some(_) => return None,
        },
        minimum: integer_field(c, "minimum")?,
        maximum: integer_field(c, "maximum")?,
        elements: match c.get("elements") {
            None => None,
            Some(el) => Some(Box::new(element_def(el)?)),
        },
    };
    // What compile would write back must be what was read (e.g. `required: false`).
    (attribute_json(&parsed) == Value::Object(def.clone())).then_some(parsed)
}

fn element_def(el: &Value) -> Option<ElementDef> {
    let c = el.as_object()?;
    let known = ["type", "pattern", "enum", "minimum", "maximum"];
    if c.keys().any(|k| !known.contains(&k.as_str())) {
        return None;
    }
    Some(ElementDef {
        kind: match c.get("type")?.as_str()? {
            "string" => ElementType::String,
            "number" => ElementType::Number,
            _ => return None,
        },
        pattern: string_field(c, "pattern")?,
        allowed: match c.get("enum") {
            None => None,
            Some(Value::Array(items)) => Some(items.clone()),
            Some(_) => return None,
        },
        minimum: integer_field(c, "minimum")?,
        maximum: integer_field(c, "maximum")?,
    })
}

/// `Some(None)` when absent, `Some(Some(s))` for a string, `None` for anything else.
fn string_field(c: &Map<String, Value>, name: &str) -> Option<Option<String>> {
    match c.get(name) {
        None => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => None,
    }
}

fn integer_field(c: &Map<String, Value>, name: &str) -> Option<Option<i64>> {
    match c.get(name) {
        None => Some(None),
        Some(v) => v.as_i64().map(Some),
    }
}

/// One environment's live value as a value block, with what could not be expressed.
fn env_value(value: &Value, reserved_as_attributes: bool) -> (EnvValue, Vec<String>) {
    let mut problems = Vec::new();
    let mut block = EnvValue::default();
    let Some(map) = value.as_object() else {
        problems.push(format!("its value is not an object: {value}"));
        return (block, problems);
    };
    if let Some(variants) = map.get("_variants") {
        let others: Vec<&String> = map.keys().filter(|k| *k != "_variants").collect();
        if !others.is_empty() {
            problems.push(format!(
                "a multi-variant value with other fields ({}): flagops writes only `_variants`",
                others
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut list = Vec::new();
        for v in variants.as_array().into_iter().flatten() {
            match variant(v) {
                Some(v) => list.push(v),
                None => problems.push(format!("a variant cannot be written: {v}")),
            }
        }
        block.variants = Some(list);
        return (block, problems);
    }
    let mut period = Period {
        from: None,
        until: None,
    };
    for (k, v) in map {
        match (k.as_str(), v) {
            ("enabled", Value::Bool(b)) => block.enabled = Some(*b),
            ("enabled", other) => problems.push(format!("`enabled` is not a boolean: {other}")),
            (ALLOW_ATTRIBUTE, Value::Array(items)) if !reserved_as_attributes => {
                block.allow = Some(
                    items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_owned))
                        .collect(),
                );
            }
            (ACTIVE_FROM_ATTRIBUTE, Value::String(s)) if !reserved_as_attributes => {
                period.from = Some(s.clone());
            }
            (ACTIVE_UNTIL_ATTRIBUTE, Value::String(s)) if !reserved_as_attributes => {
                period.until = Some(s.clone());
            }
            _ => {
                block.values.insert(k.clone(), v.clone());
            }
        }
    }
    if !map.contains_key("enabled") {
        problems.push("it has no `enabled`; flagops always writes one (false)".to_owned());
    }
    if period.from.is_some() || period.until.is_some() {
        block.active = Some(period);
    }
    (block, problems)
}

fn variant(v: &Value) -> Option<Variant> {
    let m = v.as_object()?;
    let known = ["name", "rule", "enabled", "attributeValues"];
    if m.keys().any(|k| !known.contains(&k.as_str())) {
        return None;
    }
    let values = match m.get("attributeValues") {
        None => IndexMap::new(),
        // An empty object would not be written back.
        Some(Value::Object(a)) if !a.is_empty() => {
            a.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        }
        Some(_) => return None,
    };
    Some(Variant {
        name: m.get("name")?.as_str()?.to_owned(),
        rule: match m.get("rule") {
            None => None,
            Some(Value::String(r)) => Some(r.clone()),
            Some(_) => return None,
        },
        enabled: m.get("enabled")?.as_bool()?,
        values,
    })
}

/// Moves what every environment shares into `defaults`; each environment keeps the rest.
/// Environments left with nothing of their own are dropped (they get the defaults).
fn factor(blocks: Vec<(&str, EnvValue)>) -> (EnvValue, IndexMap<String, EnvValue>) {
    let mut defaults = EnvValue::default();
    if blocks.is_empty() {
        return (defaults, IndexMap::new());
    }
    let mut blocks = blocks;
    // Variants replace the whole value: shared when every environment has the same ones.
    let all_variants: Vec<_> = blocks.iter().map(|(_, b)| b.variants.clone()).collect();
    if all_variants[0].is_some()
        && all_variants
            .iter()
            .all(|v| same_variants(v, &all_variants[0]))
    {
        defaults.variants = all_variants[0].clone();
        for (_, b) in &mut blocks {
            b.variants = None;
        }
    }
    // The other fields count only where no variants override them.
    let plain: Vec<usize> = blocks
        .iter()
        .enumerate()
        .filter(|(_, (_, b))| b.variants.is_none() && defaults.variants.is_none())
        .map(|(i, _)| i)
        .collect();
    if let Some(&first) = plain.first() {
        // `enabled` and attribute values every plain environment has: the value most of them
        // share goes to defaults, the others override it.
        let enabled: Vec<Option<bool>> = plain.iter().map(|&i| blocks[i].1.enabled).collect();
        if enabled.iter().all(Option::is_some)
            && let Some(shared) = majority(&enabled)
        {
            defaults.enabled = shared;
            for &i in &plain {
                if blocks[i].1.enabled == shared {
                    blocks[i].1.enabled = None;
                }
            }
        }
        let keys: Vec<String> = blocks[first].1.values.keys().cloned().collect();
        for key in keys {
            let values: Vec<Option<&Value>> = plain
                .iter()
                .map(|&i| blocks[i].1.values.get(&key))
                .collect();
            if !values.iter().all(Option::is_some) {
                continue;
            }
            let Some(Some(shared)) = majority(&values) else {
                continue;
            };
            let shared = shared.clone();
            for &i in &plain {
                if blocks[i].1.values.get(&key) == Some(&shared) {
                    blocks[i].1.values.shift_remove(&key);
                }
            }
            defaults.values.insert(key, shared);
        }
        let allow = blocks[first].1.allow.clone();
        if allow.is_some() && plain.iter().all(|&i| blocks[i].1.allow == allow) {
            defaults.allow = allow;
            for &i in &plain {
                blocks[i].1.allow = None;
            }
        }
        let active = blocks[first].1.active.clone();
        if active.is_some()
            && plain
                .iter()
                .all(|&i| same_period(&blocks[i].1.active, &active))
        {
            defaults.active = active;
            for &i in &plain {
                blocks[i].1.active = None;
            }
        }
    }
    let environments = blocks
        .into_iter()
        .filter(|(_, b)| !is_empty(b))
        .map(|(env, b)| (env.to_owned(), b))
        .collect();
    (defaults, environments)
}

/// The value more than half of `items` share (all of them, for one or two), if any.
fn majority<T: PartialEq + Clone>(items: &[T]) -> Option<T> {
    items
        .iter()
        .find(|x| items.iter().filter(|y| y == x).count() * 2 > items.len())
        .cloned()
}

fn same_variants(a: &Option<Vec<Variant>>, b: &Option<Vec<Variant>>) -> bool {
    let json = |v: &Option<Vec<Variant>>| serde_json::to_value(v).unwrap_or(Value::Null);
    json(a) == json(b)
}

fn same_period(a: &Option<Period>, b: &Option<Period>) -> bool {
    let json = |p: &Option<Period>| serde_json::to_value(p).unwrap_or(Value::Null);
    json(a) == json(b)
}

/// Whether a value block sets nothing.
pub fn is_empty(b: &EnvValue) -> bool {
    b.enabled.is_none()
        && b.values.is_empty()
        && b.allow.is_none()
        && b.active.is_none()
        && b.variants.is_none()
}
