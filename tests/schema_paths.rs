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
