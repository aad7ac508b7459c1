//! Canonical JSON: object keys sorted at every level, so the same document always has the
//! same bytes (and the same digest) whatever order the YAML was written in.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// Serializes a value with every object's keys sorted, without copying it.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    out.serialize_entry(key, &Sorted(value))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Sorted(item))?;
                }
                out.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

/// Sorted, without whitespace: the bytes uploaded to AppConfig.
pub fn compact(value: &Value) -> String {
    serde_json::to_string(&Sorted(value)).unwrap_or_default()
}

/// The length of [`compact`]'s output, without building it.
pub fn compact_len(value: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Sorting keys moves bytes, it adds none: the length is the unsorted document's.
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => compact(value).len(),
    }
}

/// Sorted and indented, for people and for diffs.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(&Sorted(value)).unwrap_or_default()
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
        assert_eq!(compact_len(&a), compact(&a).len());
        assert_eq!(
            pretty(&b),
            "{\n  \"a\": {\n    \"c\": 3,\n    \"d\": [\n      {\n        \"x\": 2,\n        \"y\": 1\n      }\n    ]\n  },\n  \"b\": 1\n}"
        );
    }
}
