//! What the rule, format and CLI specs add (tests/rules.rs, tests/formats.rs,
//! tests/cli.rs): fixtures, the real `flagops` binary as an assert_cmd command, and what
//! `check --format json` reports.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The date every expiry rule compares against in the tests.
pub const TODAY: &str = "2026-11-22";

/// The output formats of `flagops check`.
pub const FORMATS: &[&str] = &["human", "github", "json", "sarif", "markdown"];

/// The repository root (where flagops.yaml and flags/ of the example live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<relative>`.
pub fn fixture(relative: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(relative)
}

/// A copy of `tests/fixtures/<relative>` in a temporary directory, outside any git
/// repository. Fixtures live inside this repository's work tree, and deleted-key-reuse reads
/// the git history around a flags repository: run in place, a fixture's findings would depend
/// on how this repository's history treated it (and a shallow clone adds a warning).
pub fn fixture_copy(relative: &str) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("a temporary directory");
    super::copy_dir(&fixture(relative), copy.path());
    copy
}

/// The `flagops` binary, with colour off and nothing from a CI runner (or a git hook) that
/// would change what it prints or where it writes.
pub fn flagops() -> Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_flagops"));
    super::isolated(&mut cmd).env_remove("FLAGOPS_TODAY");
    Command::from_std(cmd)
}

/// What one `flagops check` run printed, and its exit code.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Runs `flagops check -C <repo> --today TODAY --format <format>`. A fixture (a directory
/// under tests/fixtures/) is checked as a copy outside this repository: see [`fixture_copy`].
pub fn check(repo: &Path, format: &str) -> Run {
    let copy = repo
        .strip_prefix(fixture(""))
        .ok()
        .map(|relative| fixture_copy(relative.to_str().expect("a UTF-8 fixture path")));
    let output = flagops()
        .arg("check")
        .arg("-C")
        .arg(copy.as_ref().map_or(repo, |c| c.path()))
        .args(["--today", TODAY, "--format", format])
        .output()
        .expect("flagops runs");
    Run {
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        code: output.status.code().expect("flagops exits with a code"),
    }
}

/// One finding of the JSON output, reduced to what the tests compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub code: String,
    pub severity: String,
    /// `file:line:column`, or just the file when the finding has no position.
    pub at: String,
}

/// The JSON report of `flagops check` on `repo`, and its exit code.
pub fn check_json(repo: &Path) -> (Value, i32) {
    let run = check(repo, "json");
    let doc: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "check --format json on {} printed no JSON ({e}):\n{}\n{}",
            repo.display(),
            run.stdout,
            run.stderr
        )
    });
    (doc, run.code)
}

/// The findings of a JSON report.
pub fn findings(doc: &Value) -> Vec<Reported> {
    doc["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            let file = f["file"].as_str().expect("file is a string");
            let at = match (f["line"].as_u64(), f["column"].as_u64()) {
                (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
                _ => file.to_owned(),
            };
            Reported {
                code: f["code"].as_str().expect("code is a string").to_owned(),
                severity: f["severity"]
                    .as_str()
                    .expect("severity is a string")
                    .to_owned(),
                at,
            }
        })
        .collect()
}

/// Every fixture repository under `tests/fixtures/rules/` (each `<rule>/pass` and
/// `<rule>/fail`), in path order.
pub fn rule_fixtures() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for rule in sorted_dirs(&fixture("rules")) {
        for variant in ["fail", "pass"] {
            let dir = rule.join(variant);
            if dir.join("flagops.yaml").is_file() {
                dirs.push(dir);
            }
        }
    }
    dirs
}

/// The subdirectories of `dir`, sorted.
pub fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Insta settings that make snapshots independent of the flagops version, and keep SARIF
/// snapshots to what depends on the repository: every log lists the whole rule catalog,
/// which tests/formats.rs checks against the catalog itself.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        &format!(
            r#""version": "{}""#,
            regex_escape(env!("CARGO_PKG_VERSION"))
        ),
        r#""version": "[flagops version]""#,
    );
    settings.add_filter(
        r#"(?s)"rules": \[\n.*?\n {10}\]"#,
        r#""rules": "[the rule catalog, checked in tests/formats.rs]""#,
    );
    settings
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain(Some(c))
        })
        .collect()
}
