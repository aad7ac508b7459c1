//! Validation of compiled FeatureFlags documents against AWS's published schema.

use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::Value;

const AWS_SCHEMA: &str = include_str!("../../schemas/vendor/aws-featureflags.schema.json");

/// AWS's schema with its one known defect patched: the array branch of `attributeValue` uses
/// `oneOf`, which rejects `[]` (it matches both element types); the service accepts it.
pub fn patched_schema() -> Value {
    let mut schema: Value = serde_json::from_str(AWS_SCHEMA).unwrap_or_default();
    if let Some(branches) = schema
        .pointer_mut("/definitions/attributeValue/oneOf")
        .and_then(Value::as_array_mut)
    {
        for branch in branches {
            if let Some(obj) = branch.as_object_mut()
                && let Some(inner) = obj.remove("oneOf")
            {
                obj.insert("anyOf".into(), inner);
            }
        }
    }
    schema
}

static VALIDATOR: LazyLock<Validator> = LazyLock::new(|| {
    jsonschema::options()
        .should_validate_formats(true)
        // Its patterns (key names) need no look-around: the linear-time engine is faster.
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .build(&patched_schema())
        .unwrap_or_else(|_| {
            jsonschema::validator_for(&Value::Bool(true)).unwrap_or_else(|_| unreachable!())
        })
});

/// AWS's schema of a document's `values` section alone (`flagValues`): the schema ties no
/// section to another, so a document whose `flags` are known to be valid needs only this.
static VALUES_VALIDATOR: LazyLock<Validator> = LazyLock::new(|| {
    let mut schema = patched_schema();
    if let Some(root) = schema.as_object_mut() {
        root.retain(|k, _| k == "$schema" || k == "definitions");
        root.insert("$ref".into(), "#/definitions/flagValues".into());
    }
    jsonschema::options()
        .should_validate_formats(true)
        // Its patterns (key names) need no look-around: the linear-time engine is faster.
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .build(&schema)
        .unwrap_or_else(|_| {
            jsonschema::validator_for(&Value::Bool(false)).unwrap_or_else(|_| unreachable!())
        })
});

/// Whether a document's `values` section satisfies the schema.
pub fn values_are_valid(values: &Value) -> bool {
    VALUES_VALIDATOR.is_valid(values)
}

/// One schema violation in a compiled document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON Pointer into the compiled document.
    pub pointer: String,
    pub message: String,
}

/// Whether a compiled FeatureFlags document satisfies the schema: [`validate`] finds
/// nothing in it. Faster: it stops at the first violation and describes none.
pub fn is_valid(document: &Value) -> bool {
    VALIDATOR.is_valid(document)
}

/// Validates a compiled FeatureFlags document.
pub fn validate(document: &Value) -> Vec<Violation> {
    VALIDATOR
        .iter_errors(document)
        .map(|e| Violation {
            pointer: e.instance_path().as_str().to_owned(),
            message: e.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_array_values_are_accepted_after_the_patch() {
        let doc = json!({"version": "1", "flags": {"a": {"name": "a"}}, "values": {"a": {"enabled": true, "tags": []}}});
        assert_eq!(validate(&doc), vec![]);
        assert!(is_valid(&doc));
    }

    /// The values section's own schema agrees with the whole document's on it.
    #[test]
    fn values_are_judged_as_in_the_whole_document() {
        let flags =
            json!({"a": {"name": "a", "attributes": {"n": {"constraints": {"type": "number"}}}}});
        for values in [
            json!({"a": {"enabled": true, "n": 3}}),
            json!({"a": {"enabled": "yes"}}),
            json!({"a": {"enabled": true, "Bad Key": 1}}),
            json!({"a": {}}),
            json!({"Bad": {"enabled": true}}),
            json!([]),
        ] {
            let doc = json!({"version": "1", "flags": flags, "values": values});
            assert_eq!(values_are_valid(&values), is_valid(&doc), "{values}");
        }
    }

    #[test]
    fn upper_case_keys_are_rejected() {
        let doc = json!({"version": "1", "flags": {"Bad": {"name": "b"}}});
        assert!(!validate(&doc).is_empty());
        assert!(!is_valid(&doc));
    }
}
