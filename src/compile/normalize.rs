//! The normal form of documents. What AppConfig stores differs in bytes from what was uploaded
//! (it injects `_createdAt`/`_updatedAt`, sorts keys, coerces `"true"`, drops empty
//! `attributes` and `_variants`, writes `100` for `100.0`), so live documents are normalized
//! before comparing, and compiled ones are built in the same form: what `compile` prints, check
//! checks and apply uploads are one document. A plan right after an apply must be empty.

use serde_json::{Map, Number, Value};

use crate::model::config::ProfileKind;

/// A normalized copy of `doc`, ready for comparison and diffing.
pub fn normalize(doc: &Value, kind: ProfileKind) -> Value {
    let mut value = doc.clone();
    normalize_in_place(&mut value, kind);
    value
}

/// [`normalize`] without the copy.
pub fn normalize_in_place(doc: &mut Value, kind: ProfileKind) {
    numbers(doc);
    if kind == ProfileKind::FeatureFlags
        && let Value::Object(top) = doc
    {
        for (key, value) in top.iter_mut() {
            match (key.as_str(), value) {
                ("flags", Value::Object(flags)) => flags.values_mut().for_each(definition),
                ("values", Value::Object(values)) => values.values_mut().for_each(flag_value),
                _ => {}
            }
        }
    }
}

/// Normalizes one flag definition of a FeatureFlags document (`/flags/<key>`), as
/// [`normalize_in_place`] does to each of them.
pub fn normalize_definition(def: &mut Value) {
    numbers(def);
    definition(def);
}

/// Normalizes one flag value of a FeatureFlags document (`/values/<key>`), as
/// [`normalize_in_place`] does to each of them.
pub fn normalize_flag_value(value: &mut Value) {
    numbers(value);
    flag_value(value);
}

/// Integral floats become integers, so `1.0` and `1` compare equal.
fn numbers(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if n.as_i64().is_none()
                && n.as_u64().is_none()
                && let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *value = Value::Number(Number::from(f as i64));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(numbers),
        Value::Object(map) => map.values_mut().for_each(numbers),
        _ => {}
    }
}

fn strip_timestamps(map: &mut Map<String, Value>) {
    map.retain(|k, _| k != "_createdAt" && k != "_updatedAt");
}

fn definition(def: &mut Value) {
    let Value::Object(map) = def else {
        return;
    };
    strip_timestamps(map);
    if map
        .get("attributes")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        map.remove("attributes");
    }
}

fn flag_value(value: &mut Value) {
    let Value::Object(map) = value else {
        return;
    };
    strip_timestamps(map);
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
