//! `flagops refs` and the checks built on it, on tests/fixtures/refs: a flags repository with
//! TypeScript, Go and Rust code under app/ (a .gitignore'd build output and an `@generated`
//! file whose references do not count).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::copy_dir as copy;

use serde_json::Value;

/// A copy of the fixture outside this repository (so this repository's .gitignore and
/// history play no part).
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/refs"),
        dir.path(),
    );
    dir
}

fn flagops(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(args)
        .arg("-C")
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("FLAGOPS_TODAY", "2026-11-22")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn git(dir: &Path, args: &[&str], date: Option<&str>) {
    let mut command = Command::new("git");
    command
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null());
    if let Some(date) = date {
        command
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }
    assert!(command.status().unwrap().success(), "git {args:?}");
}

fn committed(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"], None);
    git(dir, &["add", "-A"], None);
    git(dir, &["commit", "-qm", "flags and code"], None);
}

fn remove_flag(dir: &Path, key: &str) {
    let path = dir.join("flags/shop.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find(&format!("  {key}:\n")).expect("flag in file");
    let end = text[start + 3..]
        .find("\n  ")
        .map(|i| {
            // The next flag starts at a two-space indent (not deeper).
            let mut at = start + 3 + i + 1;
            while text[at..].starts_with("    ") {
                at += text[at..].find('\n').unwrap() + 1;
            }
            at
        })
        .unwrap_or(text.len());
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).unwrap();
}

fn findings(out: &Output) -> Vec<(String, String, String)> {
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                format!(
                    "{}:{}:{}",
                    f["file"].as_str().unwrap_or_default(),
                    f["line"],
                    f["column"]
                ),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn refs_reports_unreferenced_and_undefined_flags() {
    let dir = fixture();
    let out = flagops(dir.path(), &["refs", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["files"], 3,
        "gitignored and @generated files are skipped"
    );
    assert_eq!(doc["unreferenced"], serde_json::json!(["legacy_banner"]));
    assert_eq!(doc["undefined"][0]["name"], "ghost_flag");
    assert_eq!(
        doc["undefined"][0]["references"][0]["file"],
        "app/worker/src/main.rs"
    );
    let checkout = doc["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "checkout_v2_20270301")
        .unwrap();
    let spelled: Vec<&str> = checkout["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(spelled, ["checkoutV220270301", "CHECKOUT_V2_20270301"]);

    let human = flagops(dir.path(), &["refs"]);
    assert_eq!(human.status.code(), Some(2));
    insta::assert_snapshot!("refs_human", stdout(&human));
    let markdown = flagops(dir.path(), &["refs", "--format", "markdown"]);
    assert_eq!(markdown.status.code(), Some(2));
    insta::assert_snapshot!("refs_markdown", stdout(&markdown));

    // PATHs narrow the scan: only the Go service.
    let go = flagops(dir.path(), &["refs", "app/api", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&go.stdout).unwrap();
    assert_eq!(doc["files"], 1);
    assert_eq!(
        doc["unreferenced"],
        serde_json::json!(["checkout_v2_20270301", "legacy_banner"])
    );
}

#[test]
fn without_patterns_whole_words_count_and_nothing_is_undefined() {
    let dir = fixture();
    let config = dir.path().join("flagops.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let start = text.find("  patterns:").unwrap();
    let end = text.find("  aliases:").unwrap();
    std::fs::write(&config, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let out = flagops(dir.path(), &["refs", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["undefined"], serde_json::json!([]));
    assert_eq!(doc["unreferenced"], serde_json::json!(["legacy_banner"]));
    let text = stdout(&flagops(dir.path(), &["refs"]));
    assert!(
        text.contains("(set refs.patterns to find undefined flags)"),
        "{text}"
    );
}

/// Deleting a flag that code still reads fails check at the line of code; deleting one no
/// code reads is fine; once the code is gone, so is the error.
#[test]
fn deleting_a_flag_still_read_by_code_fails_check_at_the_reference() {
    let dir = fixture();
    committed(dir.path());
    let clean = flagops(dir.path(), &["check", "--format", "json"]);
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(
        findings(&clean)
            .iter()
            .map(|f| (f.0.as_str(), f.1.as_str()))
            .collect::<Vec<_>>(),
        [("FO220", "flags/shop.yaml:18:3")],
        "the unreferenced flag is stale"
    );

    remove_flag(dir.path(), "search_ranking");
    let out = flagops(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let found = findings(&out);
    let fo219: Vec<_> = found.iter().filter(|f| f.0 == "FO219").collect();
    assert_eq!(fo219.len(), 1, "{found:#?}");
    assert_eq!(fo219[0].1, "app/api/server.go:6:22");
    assert!(
        fo219[0].2.contains("`search_ranking` is deleted"),
        "{}",
        fo219[0].2
    );

    // The line of code is shown like any YAML finding.
    let human = flagops(dir.path(), &["check"]);
    let text = stdout(&human);
    assert!(
        text.contains("--> app/api/server.go:6:22")
            && text.contains("if flags.IsEnabled(\"search_ranking\") {")
            && text.contains("still reads the deleted flag"),
        "{text}"
    );

    // Deleting the unreferenced flag instead is fine.
    git(
        dir.path(),
        &["checkout", "-q", "--", "flags/shop.yaml"],
        None,
    );
    remove_flag(dir.path(), "legacy_banner");
    let out = flagops(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // Code first, then the definition.
    git(
        dir.path(),
        &["checkout", "-q", "--", "flags/shop.yaml"],
        None,
    );
    let go = dir.path().join("app/api/server.go");
    let code = std::fs::read_to_string(&go).unwrap();
    std::fs::write(
        &go,
        code.replace("flags.IsEnabled(\"search_ranking\")", "true"),
    )
    .unwrap();
    remove_flag(dir.path(), "search_ranking");
    let out = flagops(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// On a branch (or in a pull request's checkout) the deletion is committed: the flags at the
/// merge-base with the default branch are the baseline.
#[test]
fn a_deletion_committed_on_a_branch_is_compared_with_the_merge_base() {
    let dir = fixture();
    committed(dir.path());
    git(
        dir.path(),
        &["checkout", "-q", "-b", "remove-ranking"],
        None,
    );
    remove_flag(dir.path(), "search_ranking");
    git(
        dir.path(),
        &["commit", "-qam", "remove search_ranking"],
        None,
    );
    let out = flagops(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        findings(&out)
            .iter()
            .any(|f| f.0 == "FO219" && f.1 == "app/api/server.go:6:22"),
        "{:#?}",
        findings(&out)
    );
}

#[test]
fn flags_older_than_their_class_lifetime_are_stale() {
    let dir = fixture();
    let config = dir.path().join("flagops.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}rules:\n  lifetime: {{ release: 90, experiment: 30 }}\n"),
    )
    .unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"], None);
    git(dir.path(), &["add", "-A"], None);
    git(
        dir.path(),
        &["commit", "-qm", "flags"],
        Some("2026-08-01T12:00:00Z"),
    );
    // A later commit that keeps every flag does not reset their age.
    std::fs::write(dir.path().join("README"), "shop flags\n").unwrap();
    git(dir.path(), &["add", "-A"], None);
    git(
        dir.path(),
        &["commit", "-qm", "readme"],
        Some("2026-11-01T12:00:00Z"),
    );

    let out = flagops(
        dir.path(),
        &["check", "--format", "json", "--today", "2026-10-15"],
    );
    let stale: Vec<String> = findings(&out)
        .into_iter()
        .filter(|f| f.0 == "FO220" && f.2.contains("was added on"))
        .map(|f| f.2)
        .collect();
    // 75 days: the experiment (30) is stale, the release flags (90) are not yet.
    assert_eq!(
        stale,
        [
            "flag `search_ranking` was added on 2026-08-01, 75 days ago; experiment flags are expected to live 30 days"
        ]
    );
    let out = flagops(
        dir.path(),
        &["check", "--format", "json", "--today", "2026-11-22"],
    );
    assert_eq!(out.status.code(), Some(0), "warnings only");
    let stale = findings(&out)
        .into_iter()
        .filter(|f| f.0 == "FO220" && f.2.contains("was added on"))
        .count();
    assert_eq!(
        stale, 3,
        "113 days: both release flags and the experiment (permission flags have no lifetime)"
    );
}

/// `refs` walks the code once per run: its own scan, not the code-references rule's on top
/// (which `check` runs, and which `refs` used to run through it). The walks are counted in
/// this process, so the commands run in it rather than as a child.
#[test]
fn a_run_scans_the_code_once() {
    use clap::Parser;
    let dir = fixture();
    let run = |args: &[&str]| {
        let before = flagops::refs::scans();
        let cli = flagops::cli::Cli::try_parse_from(
            ["flagops"]
                .iter()
                .chain(args)
                .chain(&["-C", dir.path().to_str().unwrap()]),
        )
        .unwrap();
        flagops::commands::run(cli).unwrap();
        flagops::refs::scans() - before
    };
    assert_eq!(run(&["refs", "--format", "json"]), 1);
    assert_eq!(run(&["check", "--format", "json"]), 1);
}
