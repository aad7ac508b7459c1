//! deleted-key-reuse (FO216) against real git repositories built with the git CLI.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use support::git;

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

const CONFIG: &str = "version: 1
strategies:
  instant: { duration_minutes: 0, bake_minutes: 0, growth_factor: 100 }
applications:
  shop:
    environments:
      prod: { strategy: instant }
    profiles:
      flags: { type: feature-flags }
";

fn flag_file(keys: &[&str], reintroduces: Option<&str>) -> String {
    let mut text = "application: shop\nprofile: flags\nflags:\n".to_owned();
    for key in keys {
        text.push_str(&format!(
            "  {key}:\n    owner: team\n    class: permission\n"
        ));
        if let Some(why) = reintroduces {
            text.push_str(&format!("    reintroduces: {why}\n"));
        }
    }
    text
}

fn commit(dir: &Path, keys: &[&str], message: &str) {
    std::fs::write(dir.join("flags/shop.yaml"), flag_file(keys, None)).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", message]);
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("flags")).unwrap();
    std::fs::write(dir.path().join("flagops.yaml"), CONFIG).unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

/// Findings of `flagops check --format json`, as (code, severity, message).
fn findings(dir: &Path) -> Vec<(String, String, String)> {
    let out = Command::cargo_bin("flagops")
        .unwrap()
        .args(["check", "--format", "json", "-C"])
        .arg(dir)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_key_deleted_earlier_and_added_again_fails() {
    let dir = repo();
    commit(dir.path(), &["old_banner", "search"], "add flags");
    commit(dir.path(), &["search"], "remove old_banner");
    commit(
        dir.path(),
        &["search", "old_banner"],
        "bring old_banner back",
    );
    let found = findings(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "FO216");
    assert!(
        found[0].2.contains("`old_banner` was deleted in")
            && found[0].2.contains("remove old_banner"),
        "{}",
        found[0].2
    );
}

#[test]
fn an_uncommitted_reintroduction_fails_too() {
    let dir = repo();
    commit(dir.path(), &["old_banner"], "add");
    commit(dir.path(), &[], "remove");
    std::fs::write(
        dir.path().join("flags/shop.yaml"),
        flag_file(&["old_banner"], None),
    )
    .unwrap();
    assert_eq!(
        findings(dir.path())
            .iter()
            .filter(|f| f.0 == "FO216")
            .count(),
        1
    );
}

#[test]
fn a_declared_reintroduction_passes() {
    let dir = repo();
    commit(dir.path(), &["old_banner"], "add");
    commit(dir.path(), &[], "remove");
    std::fs::write(
        dir.path().join("flags/shop.yaml"),
        flag_file(&["old_banner"], Some("clients dropped v1 in 2026")),
    )
    .unwrap();
    assert_eq!(findings(dir.path()), vec![]);
}

#[test]
fn new_keys_and_keys_moved_between_files_pass() {
    let dir = repo();
    commit(dir.path(), &["a", "b"], "add");
    std::fs::write(dir.path().join("flags/shop.yaml"), flag_file(&["a"], None)).unwrap();
    std::fs::write(
        dir.path().join("flags/more.yaml"),
        flag_file(&["b", "c"], None),
    )
    .unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "split"]);
    assert_eq!(findings(dir.path()), vec![]);
}

#[test]
fn a_shallow_clone_is_detected_and_explained() {
    let origin = repo();
    commit(origin.path(), &["a"], "one");
    commit(origin.path(), &["a", "b"], "two");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "."]);
    let found = findings(clone.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("FO216", "warning")
    );
    assert!(found[0].2.contains("shallow clone"));
}
