//! `flagops status` on this repository's example, against the local backend: every format
//! after the README's quickstart, and the held fields after a revert.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use support::{copy_dir, git};

const TODAY: &str = "2026-11-22";

fn flagops(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flagops"));
    command
        .args(args)
        .arg("-C")
        .arg(dir)
        .env("FLAGOPS_TODAY", TODAY)
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY");
    support::isolated(&mut command);
    command.output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The example committed on `main`, applied to the local backend (the README's quickstart).
fn applied_example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("flagops.yaml"), dir.path().join("flagops.yaml")).unwrap();
    std::fs::copy(root.join(".gitignore"), dir.path().join(".gitignore")).unwrap();
    copy_dir(&root.join("flags"), &dir.path().join("flags"));
    copy_dir(&root.join("schemas"), &dir.path().join("schemas"));
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "example flags"]);
    let apply = flagops(dir.path(), &["apply", "--backend", "local"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    dir
}

fn status(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["status", "--backend", "local"];
    all.extend(args);
    flagops(dir, &all)
}

fn status_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = status(dir, &all);
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out)));
    (out.status.code().unwrap(), doc)
}

/// Commits, times and the local directory change from run to run.
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\b[0-9a-f]{40}\b", "[sha]");
    settings.add_filter(r"\b[0-9a-f]{7}\b", "[short]");
    settings.add_filter(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
        "[time]",
    );
    settings.add_filter(
        r"local backend \S+?/\.flagops/local",
        "local backend [dir]/.flagops/local",
    );
    settings.add_filter(
        r#""version": "\d+\.\d+\.\d+[^"]*""#,
        r#""version": "[version]""#,
    );
    settings
}

fn cell<'a>(doc: &'a Value, key: &str, env: &str) -> &'a Value {
    let envs = doc["environments"].as_array().unwrap();
    let column = envs.iter().position(|e| e == env).unwrap();
    let row = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key}"));
    &row["cells"][column]
}

#[test]
fn after_the_quickstart_every_flag_is_in_sync_in_every_format() {
    let dir = applied_example();

    let (code, doc) = status_json(dir.path(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["command"], "status");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["in_sync"], true);
    assert_eq!(
        doc["environments"],
        serde_json::json!(["staging", "production"])
    );
    // Every flag of the example's feature-flags profiles, a cell per environment.
    let rows = doc["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["key"] == "maintenance_mode"));
    for row in rows {
        for cell in row["cells"].as_array().unwrap() {
            assert_eq!(cell["sync"], "in-sync", "{row:#}");
            assert!(
                cell["deployment"]["number"].as_i64().unwrap() >= 1,
                "{row:#}"
            );
            assert!(cell["deployment"]["commit"].is_string(), "{row:#}");
        }
    }

    let settings = settings();
    settings.bind(|| {
        let human = status(dir.path(), &[]);
        assert_eq!(human.status.code(), Some(0));
        let human = String::from_utf8_lossy(&human.stdout).into_owned();
        for line in human.lines() {
            assert!(
                line.chars().count() <= 100,
                "wider than 100 columns: {line:?}"
            );
        }
        insta::assert_snapshot!("quickstart_human", human);
        let markdown = status(dir.path(), &["--format", "markdown"]);
        insta::assert_snapshot!(
            "quickstart_markdown",
            String::from_utf8_lossy(&markdown.stdout)
        );
        insta::assert_snapshot!(
            "quickstart_json",
            serde_json::to_string_pretty(&doc).unwrap()
        );
    });
}

#[test]
fn a_reverted_flip_is_held_with_its_cause_and_fields() {
    let dir = applied_example();
    let file = dir.path().join("flags/ops/switches.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, yaml.replacen("enabled: false", "enabled: true", 1)).unwrap();
    git(dir.path(), &["commit", "-qam", "maintenance on"]);

    // Committed, not applied yet: changed in git, in both environments.
    let (code, doc) = status_json(dir.path(), &["--app", "ops-switches"]);
    assert_eq!(code, 2, "{doc:#}");
    let staging = cell(&doc, "maintenance_mode", "staging");
    assert_eq!(staging["sync"], "changed", "{staging:#}");
    assert_eq!(staging["differences"][0]["field"], "enabled");
    assert_eq!(staging["differences"][0]["git"], true);
    assert_eq!(staging["differences"][0]["live"], false);

    let apply = flagops(
        dir.path(),
        &["apply", "--backend", "local", "--app", "ops-switches"],
    );
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    let stop = flagops(
        dir.path(),
        &[
            "stop",
            "--backend",
            "local",
            "--app",
            "ops-switches",
            "--env",
            "production",
            "--revert",
            "--reason",
            "drill",
        ],
    );
    assert_eq!(stop.status.code(), Some(0), "{}", text(&stop));

    let (code, doc) = status_json(dir.path(), &["--app", "ops-switches"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["in_sync"], false);
    let production = cell(&doc, "maintenance_mode", "production");
    assert_eq!(production["sync"], "held", "{production:#}");
    assert_eq!(production["held"], serde_json::json!(["enabled"]));
    assert_eq!(production["live"]["enabled"], false);
    let cause = production["cause"].as_str().unwrap();
    assert!(cause.contains("reverted"), "{cause}");
    assert_eq!(production["deployment"]["state"], "REVERTED");
    assert_eq!(cell(&doc, "maintenance_mode", "staging")["sync"], "in-sync");

    let human = String::from_utf8_lossy(&status(dir.path(), &["--app", "ops-switches"]).stdout)
        .into_owned();
    assert!(
        human.contains("maintenance_mode in production: held (enabled): deployment #"),
        "{human}"
    );
}

#[test]
fn filters_select_rows_by_owner_class_and_environment() {
    let dir = applied_example();
    let (_, all) = status_json(dir.path(), &[]);
    let total = all["rows"].as_array().unwrap().len();

    let (_, ops) = status_json(dir.path(), &["--class", "ops"]);
    let rows = ops["rows"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.len() < total);
    assert!(rows.iter().all(|r| r["class"] == "ops"), "{ops:#}");

    let owner = rows[0]["owner"].as_str().unwrap().to_owned();
    let (_, owned) = status_json(dir.path(), &["--owner", &owner]);
    let rows = owned["rows"].as_array().unwrap();
    assert!(
        rows.iter().all(|r| r["owner"] == owner.as_str()),
        "{owned:#}"
    );

    let (_, prod) = status_json(dir.path(), &["--env", "production"]);
    assert_eq!(prod["environments"], serde_json::json!(["production"]));

    let bad = status(dir.path(), &["--class", "nonsense"]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(text(&bad).contains("kill-switch"), "{}", text(&bad));
}

#[test]
fn the_page_is_self_contained_and_escapes_what_it_shows() {
    let dir = applied_example();
    let file = dir.path().join("flags/ops/switches.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    assert!(yaml.contains("description:"), "{yaml}");
    let hostile = yaml.replacen(
        "description:",
        "description: \"<script>alert(1)</script> & <img src=x onerror=alert(2)>\" #",
        1,
    );
    std::fs::write(&file, hostile).unwrap();
    git(dir.path(), &["commit", "-qam", "a hostile description"]);

    let page = dir.path().join("status.html");
    let out = status(
        dir.path(),
        &["--format", "html", "--out", page.to_str().unwrap()],
    );
    assert!(out.stdout.is_empty(), "the page goes to the file only");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img"),
        "escaped"
    );
    assert!(!html.contains("<img"), "no markup from the repository");
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    for external in ["src=\"http", "href=\"http", "@import", "url(", "<link"] {
        assert!(!html.contains(external), "fetches nothing: {external}");
    }
    assert!(html.contains("<caption>") && html.contains("<th scope=\"row\">"));
    assert!(html.contains("<label for=\"q\">"));
}

#[test]
fn with_refs_settings_each_row_says_where_code_reads_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/refs"),
        dir.path(),
    );
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "flags and code"]);
    let apply = flagops(dir.path(), &["apply", "--backend", "local"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));

    let (code, doc) = status_json(dir.path(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    let refs = |key: &str| {
        doc["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap()["references"]
            .clone()
    };
    assert_eq!(
        refs("search_ranking"),
        serde_json::json!({"count": 1, "at": ["app/api/server.go:6"]})
    );
    assert_eq!(
        refs("legacy_banner"),
        serde_json::json!({"count": 0, "at": []})
    );
    let human = String::from_utf8_lossy(&status(dir.path(), &[]).stdout).into_owned();
    assert!(human.contains("no code reads it"), "{human}");

    // Without refs settings, rows say nothing about code.
    let (_, example) = status_json(applied_example().path(), &[]);
    assert!(
        example["rows"][0].get("references").is_none(),
        "{example:#}"
    );
}

#[test]
fn before_the_first_apply_every_cell_is_missing() {
    let dir = applied_example();
    std::fs::remove_dir_all(dir.path().join(".flagops/local")).unwrap();
    let (code, doc) = status_json(dir.path(), &["--app", "ops-switches"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["counts"], serde_json::json!({"missing": 4}), "{doc:#}");
    let cell = cell(&doc, "maintenance_mode", "production");
    assert_eq!(cell["cause"], "the application does not exist", "{cell:#}");
    assert!(cell["live"].is_null() && cell.get("deployment").is_none());
}
