//! The normal form of documents. What AppConfig stores differs in bytes from what was uploaded
//! (it injects `_createdAt`/`_updatedAt`, sorts keys, coerces `"true"`, drops empty
//! `attributes` and `_variants`, writes `100` for `100.0`), so live documents are normalized
//! before comparing, and compiled ones are built in the same form: what `compile` prints, check
//! checks and apply uploads are one document. A plan right after an apply must be empty.

use serde_json::{Map, Number, Value};

use crate::model::config::ProfileKind;

/// A normalized copy of `doc`, ready for comparison and diffing.
pub fn normalize(doc: &Value, kind: ProfileKind) -> Value {
    let value = numbers(doc);
    match kind {
        ProfileKind::FeatureFlags => feature_flags(&value),
        ProfileKind::Freeform => value,
    }
}

/// Integral floats become integers, so `1.0` and `1` compare equal.
fn numbers(value: &Value) -> Value {
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(_), _, _) | (_, Some(_), _) => value.clone(),
            (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Value::Number(Number::from(f as i64))
            }
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(numbers).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), numbers(v))).collect())
        }
        other => other.clone(),
    }
}

fn feature_flags(doc: &Value) -> Value {
    let Value::Object(top) = doc else {
        return doc.clone();
    };
    let mut out = Map::new();
    for (key, value) in top {
        match (key.as_str(), value) {
            ("flags", Value::Object(flags)) => {
                out.insert(
                    key.clone(),
                    Value::Object(
                        flags
                            .iter()
                            .map(|(k, v)| (k.clone(), definition(v)))
                            .collect(),
                    ),
                );
            }
            ("values", Value::Object(values)) => {
                out.insert(
                    key.clone(),
                    Value::Object(
                        values
                            .iter()
                            .map(|(k, v)| (k.clone(), flag_value(v)))
                            .collect(),
                    ),
                );
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

fn strip_timestamps(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| *k != "_createdAt" && *k != "_updatedAt")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn definition(def: &Value) -> Value {
    let Value::Object(map) = def else {
        return def.clone();
    };
    let mut map = strip_timestamps(map);
    if map
        .get("attributes")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        map.remove("attributes");
    }
    Value::Object(map)
}

fn flag_value(value: &Value) -> Value {
    let Value::Object(map) = value else {
        return value.clone();
    };
    let mut map = strip_timestamps(map);
    if let Some(Value::String(s)) = map.get("enabled") {
        match s.as_str() {
            "true" => map.insert("enabled".into(), Value::Bool(true)),
            "false" => map.insert("enabled".into(), Value::Bool(false)),
            _ => None,
        };
    }
    if map
        .get("_variants")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        map.remove("_variants");
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_appconfig_adds_or_rewrites_does_not_count() {
        let uploaded = json!({"version": "1", "flags": {"a": {"name": "A", "attributes": {}}}, "values": {"a": {"enabled": true, "n": 1, "_variants": []}}});
        let stored = json!({"flags": {"a": {"_createdAt": "2026-01-01T00:00:00.000Z", "_updatedAt": "2026-01-02T00:00:00.000Z", "name": "A"}},
                            "values": {"a": {"_createdAt": "x", "_updatedAt": "y", "enabled": "true", "n": 1.0}}, "version": "1"});
        assert_eq!(
            normalize(&uploaded, ProfileKind::FeatureFlags),
            normalize(&stored, ProfileKind::FeatureFlags)
        );
    }

    #[test]
    fn real_differences_remain() {
        let a = json!({"version": "1", "values": {"a": {"enabled": true}}});
        let b = json!({"version": "1", "values": {"a": {"enabled": false}}});
        assert_ne!(
            normalize(&a, ProfileKind::FeatureFlags),
            normalize(&b, ProfileKind::FeatureFlags)
        );
        assert_ne!(
            normalize(&json!({"n": 1.5}), ProfileKind::Freeform),
            normalize(&json!({"n": 1}), ProfileKind::Freeform)
        );
    }
}
