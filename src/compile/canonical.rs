//! Canonical JSON: object keys sorted at every level, so the same document always has the
//! same bytes (and the same digest) whatever order the YAML was written in.

use serde_json::{Map, Value};

/// A copy of `value` with every object's keys sorted.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::with_capacity(map.len());
            for k in keys {
                out.insert(k.clone(), sorted(&map[k]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Sorted, without whitespace: the bytes uploaded to AppConfig.
pub fn compact(value: &Value) -> String {
    serde_json::to_string(&sorted(value)).unwrap_or_default()
}

/// Sorted and indented, for people and for diffs.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(&sorted(value)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_does_not_change_the_bytes() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":{"d":[{"y":1,"x":2}],"c":3}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"c":3,"d":[{"x":2,"y":1}]},"b":1}"#).unwrap();
        assert_eq!(compact(&a), compact(&b));
        assert_eq!(compact(&a), r#"{"a":{"c":3,"d":[{"x":2,"y":1}]},"b":1}"#);
    }
}
