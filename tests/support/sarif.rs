//! The official SARIF 2.1.0 schema as a validator, for every test that checks a SARIF log
//! (tests/fixtures/schemas/README.md says where the schema comes from).

use std::sync::LazyLock;

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

/// The vendored SARIF 2.1.0 schema, compiled with format validation on.
pub static SCHEMA: LazyLock<Validator> = LazyLock::new(|| {
    let text = std::fs::read_to_string(super::check::fixture("schemas/sarif-schema-2.1.0.json"))
        .expect("the vendored SARIF schema");
    let schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    jsonschema::options()
        .with_draft(Draft::Draft4)
        .should_validate_formats(true)
        // The schema is draft-04 but uses `uri-reference` (a draft-06 format) for every
        // artifact location; draft-04 validators ignore it unless told what it means.
        .with_format("uri-reference", is_uri_reference)
        .build(&schema)
        .expect("the SARIF schema compiles")
});

/// RFC 3986 URI-reference, checked by jsonschema's own draft-07 `uri-reference` format.
pub fn is_uri_reference(text: &str) -> bool {
    static CHECK: LazyLock<Validator> = LazyLock::new(|| {
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .should_validate_formats(true)
            .build(&json!({"type": "string", "format": "uri-reference"}))
            .expect("a format schema")
    });
    CHECK.is_valid(&json!(text))
}

/// Panics with every schema violation of `log`, when it is not valid SARIF 2.1.0.
pub fn assert_valid(log: &Value, what: &str) {
    let errors: Vec<String> = SCHEMA
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
}
