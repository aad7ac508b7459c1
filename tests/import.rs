//! `flagops import` on the local backend: a repository is applied, imported into an empty
//! directory, and the import must pass check and plan empty against the same backend. The
//! ministack test (tests/e2e_import.rs) does the same for resources made by hand.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{copy_dir as copy, git};

fn flagops(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(args)
        .arg("-C")
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("FLAGOPS_TODAY", "2026-11-22")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("FLAGOPS_BACKEND")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Applies `source` (a repository: flagops.yaml, flags/, schemas/) to a local backend in
/// `work`; returns the backend option that reaches it from anywhere.
fn applied(source: &Path, work: &Path) -> String {
    let repo = work.join("source");
    copy(source, &repo);
    assert!(repo.join("flagops.yaml").is_file());
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "flags"]);
    let backend = format!("local:{}", work.join("served-state").display());
    let apply = flagops(&repo, &["apply", "--backend", &backend]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    backend
}

/// The README example: allow lists and periods become `allow` and `active` again, variants
/// and freeform content with its schema come back, owner and class are placeholders.
#[test]
fn the_example_repository_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let example = work.path().join("example");
    std::fs::create_dir_all(&example).unwrap();
    std::fs::copy(root.join("flagops.yaml"), example.join("flagops.yaml")).unwrap();
    copy(&root.join("flags"), &example.join("flags"));
    copy(&root.join("schemas"), &example.join("schemas"));
    let backend = applied(&example, work.path());

    let out = work.path().join("imported");
    let import = flagops(&out, &["import", "--backend", &backend]);
    assert_eq!(import.status.code(), Some(0), "{}", text(&import));
    let report = text(&import).replace(&work.path().display().to_string(), "[WORK]");
    insta::assert_snapshot!("example_import_report", report);
    insta::assert_snapshot!(
        "example_flagops_yaml",
        std::fs::read_to_string(out.join("flagops.yaml")).unwrap()
    );
    insta::assert_snapshot!(
        "example_release_flags",
        std::fs::read_to_string(out.join("flags/storefront/release-flags.yaml")).unwrap()
    );
    // The freeform schema is what AppConfig's validator holds: the example's own.
    assert_eq!(
        std::fs::read_to_string(out.join("schemas/storefront/workspace-lists.schema.json"))
            .unwrap()
            .trim_end(),
        std::fs::read_to_string(root.join("schemas/workspace-lists.schema.json"))
            .unwrap()
            .trim_end()
    );

    let check = flagops(&out, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    assert!(
        text(&check).contains("0 errors, 12 warnings"),
        "{}",
        text(&check)
    );
    let plan = flagops(&out, &["plan", "--backend", &backend]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
}

/// Names and strings YAML would misread, agent-evaluated allow lists and periods (variants
/// live), periods with offsets, an exponential strategy named with a colon, deep freeform
/// content: all come back exactly.
#[test]
fn strings_yaml_would_misread_and_agent_rules_round_trip() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let backend = applied(&root.join("tests/fixtures/import/tricky"), work.path());

    let out = work.path().join("imported");
    let import = flagops(&out, &["import", "--backend", &backend]);
    assert_eq!(import.status.code(), Some(0), "{}", text(&import));
    let check = flagops(&out, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let plan = flagops(&out, &["plan", "--backend", &backend]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    let flags = std::fs::read_to_string(out.join("flags/web_app/flags.yaml")).unwrap();
    // `window` is evaluated by the application: its period attributes become `active` again.
    assert!(
        flags.contains("active: { until: \"2030-01-01T00:00:00+02:00\" }"),
        "{flags}"
    );
}

#[test]
fn only_the_named_applications_are_imported() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let example = work.path().join("example");
    std::fs::create_dir_all(&example).unwrap();
    std::fs::copy(root.join("flagops.yaml"), example.join("flagops.yaml")).unwrap();
    copy(&root.join("flags"), &example.join("flags"));
    copy(&root.join("schemas"), &example.join("schemas"));
    let backend = applied(&example, work.path());

    let out = work.path().join("ops");
    let import = flagops(
        &out,
        &["import", "--app", "ops-switches", "--backend", &backend],
    );
    assert_eq!(import.status.code(), Some(0), "{}", text(&import));
    assert!(out.join("flags/ops-switches/switches.yaml").is_file());
    assert!(!out.join("flags/storefront").exists());
    let config = std::fs::read_to_string(out.join("flagops.yaml")).unwrap();
    assert!(
        config.contains("ops-switches:") && !config.contains("storefront"),
        "{config}"
    );

    let missing = flagops(
        &work.path().join("none"),
        &["import", "--app", "no-such-app", "--backend", &backend],
    );
    assert_eq!(missing.status.code(), Some(1), "{}", text(&missing));
    assert!(
        text(&missing).contains("no application named no-such-app"),
        "{}",
        text(&missing)
    );
    assert!(!work.path().join("none/flagops.yaml").exists());

    // The same import as JSON: what was written, and that it is exact.
    let json = flagops(
        &work.path().join("as-json"),
        &[
            "import",
            "--app",
            "ops-switches",
            "--backend",
            &backend,
            "--format",
            "json",
        ],
    );
    assert_eq!(json.status.code(), Some(0), "{}", text(&json));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["command"], "import");
    assert_eq!(report["exact"], true);
    assert_eq!(report["applications"], 1);
    assert_eq!(report["check_errors"], serde_json::json!([]));
    let written = report["written"].as_array().unwrap();
    assert!(written.iter().any(|w| w == "flagops.yaml"), "{report:#}");
    assert!(
        report["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["action"] == "unchanged"),
        "{report:#}"
    );

    // A directory that holds no local backend state is no account at all.
    let empty = flagops(
        &work.path().join("from-nothing"),
        &[
            "import",
            "--backend",
            &format!("local:{}", work.path().join("nothing").display()),
        ],
    );
    assert_eq!(empty.status.code(), Some(1), "{}", text(&empty));
    assert!(
        text(&empty).contains("holds no local backend state"),
        "{}",
        text(&empty)
    );
}
