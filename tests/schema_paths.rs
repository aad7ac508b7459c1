//! A freeform profile's `schema:` is read like a flag file: a regular file inside the
//! repository, size-capped. `/dev/zero` and a path out of the repository give an FO217
//! finding at the `schema:` node in well under a second, and are never read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::process::Command;
use std::time::{Duration, Instant};

fn repo(schema: &str) -> tempfile::TempDir {
    let outer = tempfile::tempdir().expect("temp dir");
    let dir = tempfile::tempdir_in(outer.path()).expect("repo dir");
    std::fs::write(outer.path().join("outside.json"), r#"{"type": "object"}"#).unwrap();
    std::fs::write(
        dir.path().join("flagops.yaml"),
        format!(
            "version: 1
applications:
  shop:
    environments:
      dev: {{ strategy: AppConfig.AllAtOnce }}
    profiles:
      lists: {{ type: freeform, schema: {schema} }}
"
        ),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("flags")).unwrap();
    std::fs::write(
        dir.path().join("flags/lists.yaml"),
        "application: shop\nprofile: lists\ncontent:\n  defaults:\n    beta: [ws_1]\n",
    )
    .unwrap();
    // Keep the outer directory alive with the repository.
    std::mem::forget(outer);
    dir
}

#[test]
fn schema_paths_outside_the_repository_or_special_files_are_findings_in_under_a_second() {
    for schema in ["/dev/zero", "../outside.json", "/etc/passwd"] {
        let dir = repo(schema);
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_flagops"))
            .args(["check", "-C"])
            .arg(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("flagops runs");
        let took = started.elapsed();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("{schema}: {took:?}: {text}");
        assert_eq!(out.status.code(), Some(2), "{schema}: findings: {text}");
        assert!(took < Duration::from_secs(1), "{schema} took {took:?}");
        assert!(text.contains("FO217"), "{schema}: {text}");
        assert!(text.contains("flagops.yaml:7:"), "{schema}: {text}");
        assert!(
            text.contains("outside the repository") || text.contains("absolute path"),
            "{schema}: {text}"
        );
    }
}

fn check(dir: &std::path::Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(["check", "-C"])
        .arg(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("flagops runs");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// AppConfig evaluates JSON_SCHEMA validators as draft-04, and so does check: `exclusiveMaximum`
/// is draft-04's boolean form. A schema that declares a later draft is checked by that draft,
/// with a warning that AppConfig may read it differently.
#[test]
fn freeform_schemas_are_evaluated_as_draft_04_as_appconfig_does() {
    let dir = repo("lists.schema.json");
    let draft04 = r#"{"type": "object", "properties": {"limit": {"type": "integer", "maximum": 10, "exclusiveMaximum": true}}}"#;
    std::fs::write(dir.path().join("lists.schema.json"), draft04).unwrap();
    std::fs::write(
        dir.path().join("flags/lists.yaml"),
        "application: shop\nprofile: lists\ncontent:\n  defaults:\n    limit: 10\n",
    )
    .unwrap();
    let (code, text) = check(dir.path());
    assert_eq!(
        code,
        Some(2),
        "10 is not below an exclusive maximum of 10: {text}"
    );
    assert!(text.contains("error[FO217]"), "{text}");
    assert!(
        text.contains("flags/lists.yaml:5:12"),
        "at the value: {text}"
    );

    let later = r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}"#;
    std::fs::write(dir.path().join("lists.schema.json"), later).unwrap();
    let (code, text) = check(dir.path());
    assert_eq!(code, Some(0), "a warning only: {text}");
    assert!(
        text.contains("warning[FO217]")
            && text.contains("AppConfig's JSON_SCHEMA validators are draft-04"),
        "{text}"
    );
    assert!(text.contains("flagops.yaml:7:"), "at `schema:`: {text}");
}
