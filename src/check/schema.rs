//! JSON Schema validation of the parsed files, with errors pointed at the YAML node.
//!
//! The schemas in `schemas/` are generated from the Rust types (a test keeps them equal), so
//! what the schema accepts is what the typed model reads; editors use the same files.

use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Validator};
use serde_json::Value;

use crate::finding::{Finding, Location, catalog, closest, quote};
use crate::load::yaml::escape_pointer;
use crate::model::{FlagFile, RepoConfig};

pub const CONFIG_SCHEMA: &str = include_str!("../../schemas/flagops.schema.json");
pub const FLAGS_SCHEMA: &str = include_str!("../../schemas/flags.schema.json");

/// The schema of flagops.yaml, generated from the Rust types.
/// The committed schema files, by name under `schemas/`, with the text each must hold.
pub fn files() -> [(&'static str, String); 2] {
    let text = |schema: Value| serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n";
    [
        ("flagops.schema.json", text(config_schema())),
        ("flags.schema.json", text(flags_schema())),
    ]
}

/// The schema files under `dir` that do not hold what this flagops generates.
pub fn stale(dir: &std::path::Path) -> Vec<String> {
    (files().into_iter())
        .filter(|(name, want)| std::fs::read_to_string(dir.join(name)).ok().as_ref() != Some(want))
        .map(|(name, _)| format!("schemas/{name}"))
        .collect()
}

pub fn config_schema() -> Value {
    without_null(serde_json::to_value(schemars::schema_for!(RepoConfig)).unwrap_or_default())
}

/// The schema of flag files, generated from the Rust types.
pub fn flags_schema() -> Value {
    without_null(serde_json::to_value(schemars::schema_for!(FlagFile)).unwrap_or_default())
}

/// Optional keys may be left out but not set to null: `owner:` with no value is a mistake.
/// Dropping the null alternatives schemars gives `Option` also keeps errors inside optional
/// objects precise (no `anyOf` that hides which key was wrong).
fn without_null(value: Value) -> Value {
    match value {
        Value::Object(mut map) => {
            if matches!(map.get("default"), Some(Value::Null | Value::Object(_))) {
                map.remove("default");
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(branches)) = map.get("anyOf") {
                let non_null: Vec<Value> = branches
                    .iter()
                    .filter(|b| b.get("type") != Some(&Value::String("null".into())))
                    .cloned()
                    .collect();
                if non_null.len() == 1 && branches.len() == 2 {
                    map.remove("anyOf");
                    if let Value::Object(inner) = &non_null[0] {
                        for (k, v) in inner {
                            map.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            Value::Object(map.into_iter().map(|(k, v)| (k, without_null(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_null).collect()),
        other => other,
    }
}

fn build(schema: &Value) -> Validator {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        // Its patterns (alarm ARNs) need no look-around: the linear-time engine is faster.
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .build(schema)
        .unwrap_or_else(|_| {
            jsonschema::validator_for(&Value::Bool(true)).unwrap_or_else(|_| unreachable!())
        })
}

static CONFIG_JSON: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(CONFIG_SCHEMA).unwrap_or_default());
static FLAGS_JSON: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(FLAGS_SCHEMA).unwrap_or_default());
static CONFIG: LazyLock<Validator> = LazyLock::new(|| build(&CONFIG_JSON));
static FLAGS: LazyLock<Validator> = LazyLock::new(|| build(&FLAGS_JSON));

/// Which schema a file is checked against.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Config,
    Flags,
}

/// Validates `value` (the content of `file`) and returns one finding per schema error.
pub fn validate(kind: Kind, file: &str, value: &Value) -> Vec<Finding> {
    let (validator, schema) = match kind {
        Kind::Config => (&*CONFIG, &*CONFIG_JSON),
        Kind::Flags => (&*FLAGS, &*FLAGS_JSON),
    };
    // Most files are valid: the yes-or-no pass stops early and builds no error.
    if validator.is_valid(value) {
        return Vec::new();
    }
    validator
        .iter_errors(value)
        .map(|err| {
            let pointer = err.instance_path().as_str().to_owned();
            let finding = match err.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected }
                    if !unexpected.is_empty() =>
                {
                    let key = &unexpected[0];
                    let known = known_properties(schema, err.schema_path().as_str());
                    let mut finding = Finding::new(
                        &catalog::SCHEMA,
                        Location::key(file, format!("{pointer}/{}", escape_pointer(key))),
                        format!("unknown key `{}`", quote(key)),
                    )
                    .label("not allowed here");
                    if let Some(best) = closest(key, known.iter().map(String::as_str)) {
                        finding = finding.help(format!("did you mean `{best}`?"));
                    } else if !known.is_empty() {
                        finding = finding.help(format!("allowed keys: {}", known.join(", ")));
                    }
                    finding
                }
                ValidationErrorKind::Required { property } => Finding::new(
                    &catalog::SCHEMA,
                    Location::key(file, pointer.clone()),
                    format!("missing required key {property}"),
                ),
                _ => Finding::new(
                    &catalog::SCHEMA,
                    Location::node(file, pointer.clone()),
                    err.to_string(),
                ),
            };
            match finding.help {
                Some(_) => finding,
                None => finding.help(hint(kind, err.kind(), &pointer)),
            }
        })
        .collect()
}

/// How to fix a schema error, when the error itself does not say: what to write there.
fn hint(kind: Kind, error: &ValidationErrorKind, pointer: &str) -> String {
    let schema = match kind {
        Kind::Config => "flagops schema` prints flagops.yaml's JSON Schema",
        Kind::Flags => "flagops schema` prints the flag files' JSON Schema",
    };
    match error {
        _ if matches!(kind, Kind::Config) && pointer == "/version" => {
            "write `version: 1`: it is the only format version of flagops.yaml this flagops reads"
                .to_owned()
        }
        ValidationErrorKind::Required { property } => match property.as_str() {
            Some(name) => format!("add `{name}:` here; `{schema}"),
            None => format!("add the missing key; `{schema}"),
        },
        ValidationErrorKind::Format { format } => match format.as_str() {
            "date" => "write the date as `YYYY-MM-DD`, e.g. `2027-03-01`".to_owned(),
            "date-time" => {
                "write an RFC 3339 date-time with a time and an offset, e.g. `2027-03-01T08:00:00Z`"
                    .to_owned()
            }
            other => format!("write a valid {other}"),
        },
        ValidationErrorKind::Enum { options } => match options.as_array() {
            Some(options) => format!(
                "write one of: {}",
                options
                    .iter()
                    .map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!("`{schema}"),
        },
        ValidationErrorKind::Type { .. } => {
            format!(
                "write a value of the type the error names; quote text, leave numbers and true/false bare; `{schema}"
            )
        }
        _ => format!("write a value the schema allows here; `{schema}"),
    }
}

/// The property names the schema allows at the object a schema path points into.
fn known_properties(schema: &Value, schema_path: &str) -> Vec<String> {
    // schema_path ends in ".../additionalProperties"; its parent object holds "properties".
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    let node = resolve_schema_path(schema, parent);
    node.and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

/// Follows a schema path, going through `$ref`s to `#/$defs/...`.
fn resolve_schema_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = root;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if segment == "$ref" {
            let target = node.get("$ref")?.as_str()?.strip_prefix('#')?;
            node = root.pointer(target)?;
            continue;
        }
        node = match node {
            Value::Object(map) => map.get(segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The known name within edit distance 2 of `word`, if one is clearly closest.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_schemas_match_the_rust_types() {
        // Regenerate with: cargo run -- schema --write
        let committed: Value = serde_json::from_str(CONFIG_SCHEMA).expect("valid JSON");
        assert_eq!(
            committed,
            config_schema(),
            "schemas/flagops.schema.json is stale"
        );
        let committed: Value = serde_json::from_str(FLAGS_SCHEMA).expect("valid JSON");
        assert_eq!(
            committed,
            flags_schema(),
            "schemas/flags.schema.json is stale"
        );
    }

    #[test]
    fn typos_get_a_suggestion() {
        let known = ["enabled", "values"];
        assert_eq!(closest("enabeld", known), Some("enabled"));
        assert_eq!(closest("colour", known), None);
    }
}
