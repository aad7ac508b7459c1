//! The output formats as contracts: SARIF logs are valid SARIF 2.1.0, the JSON document keeps
//! its documented shape, GitHub workflow commands and markdown tables cannot be broken by what
//! a message or a file name contains.
//!
//! `tests/fixtures/formats/escaping/` is a repository whose flag file is named
//! `pricing, 50% off.yaml` and whose (invalid) flag keys hold `%`, `|`, CR LF and HTML, all of
//! which end up in messages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use flagops::finding::catalog;
use flagops::output::{check::github, markdown};
use serde_json::{Value, json};
use support::check::{FORMATS, check, check_json, fixture, rule_fixtures};
use support::sarif::{SCHEMA as SARIF_SCHEMA, is_uri_reference};

fn escaping() -> PathBuf {
    fixture("formats/escaping")
}

/// Every repository the tests have: the example, each rule fixture, the escaping fixture.
fn all_repositories() -> Vec<PathBuf> {
    let mut repos = vec![support::check::repo_root(), escaping()];
    repos.extend(rule_fixtures());
    repos
}

// ---------------------------------------------------------------------------------------
// SARIF
// ---------------------------------------------------------------------------------------

fn sarif(repo: &Path) -> Value {
    let run = check(repo, "sarif");
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{}: SARIF is not JSON ({e})", repo.display()))
}

#[test]
fn the_sarif_schema_is_enforced_by_the_validator() {
    // Without this, an empty or mis-built validator would pass every log below.
    let valid =
        json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]});
    assert!(SARIF_SCHEMA.is_valid(&valid));
    let wrong_version = json!({"version": "2.0.0", "runs": []});
    assert!(!SARIF_SCHEMA.is_valid(&wrong_version));
    let mut bad_uri = valid.clone();
    bad_uri["runs"][0]["results"] = json!([{
        "message": {"text": "m"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a b%.yaml"}}}]
    }]);
    assert!(!SARIF_SCHEMA.is_valid(&bad_uri), "`uri` is a URI reference");
    assert!(is_uri_reference("flags/pricing,%2050%25%20off.yaml"));
}

#[test]
fn every_sarif_log_is_valid_sarif_2_1_0() {
    for repo in all_repositories() {
        support::sarif::assert_valid(&sarif(&repo), &repo.display().to_string());
    }
}

#[test]
fn sarif_lists_every_rule_and_results_point_at_theirs() {
    for repo in all_repositories() {
        let log = sarif(&repo);
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .expect("driver.rules");
        let expected: Vec<Value> = catalog::ALL
            .iter()
            .map(|r| {
                json!({
                    "id": r.code,
                    "name": r.name,
                    "shortDescription": {"text": r.summary},
                    "fullDescription": {"text": r.description},
                    "help": {
                        "text": format!("{}\n\n{}", r.fix, r.help_uri()),
                        "markdown": format!(
                            "{}\n\n**How to fix:** {}\n\n[{} {}]({})",
                            r.description, r.fix, r.code, r.name, r.help_uri()
                        ),
                    },
                    "helpUri": format!(
                        "https://github.com/flagops/flagops/blob/main/docs/rules.md#{}",
                        r.code.to_ascii_lowercase()
                    ),
                    "defaultConfiguration": {"level": r.default_severity.as_str()},
                })
            })
            .collect();
        assert_eq!(rules, &expected, "{}: the rule catalog", repo.display());

        let (doc, _) = check_json(&repo);
        let results = run["results"].as_array().expect("results");
        let findings = doc["findings"].as_array().expect("findings");
        assert_eq!(results.len(), findings.len(), "{}", repo.display());
        for (result, finding) in results.iter().zip(findings) {
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
            assert_eq!(result["ruleId"], finding["code"]);
            assert_eq!(result["level"], finding["severity"]);
            let location = &result["locations"][0]["physicalLocation"];
            assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let region = &location["region"];
            assert_eq!(region["startLine"], finding["line"]);
            assert_eq!(region["startColumn"], finding["column"]);
            // The end is after the start: on a later line, or further along the same one
            // (`endColumn` is the column after the node's last character).
            if let Some(end_line) = region["endLine"].as_u64() {
                let start = (region["startLine"].as_u64(), region["startColumn"].as_u64());
                let end = (Some(end_line), region["endColumn"].as_u64());
                assert!(end > start, "{}: {region}", repo.display());
            }
            let text = result["message"]["text"].as_str().expect("message text");
            assert!(text.starts_with(finding["message"].as_str().expect("message")));
        }
    }
}

#[test]
fn sarif_uris_are_percent_encoded_paths() {
    let log = sarif(&escaping());
    let uris: BTreeSet<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect();
    // Space and `%` are not allowed in a URI; the comma (a sub-delimiter) is.
    assert_eq!(uris, BTreeSet::from(["flags/pricing,%2050%25%20off.yaml"]));
}

// ---------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// The documented, versioned shape of `check --format json`.
fn assert_json_shape(doc: &Value, repo: &Path) {
    let at = repo.display();
    assert_eq!(
        keys(doc),
        [
            "version", "tool", "command", "summary", "skipped", "findings"
        ],
        "{at}"
    );
    assert!(
        doc["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .all(|s| s.as_str().is_some_and(|s| s.contains(": "))),
        "{at}: skipped holds \"<rule>: <why>\" strings"
    );
    assert_eq!(doc["version"], 1, "{at}");
    assert_eq!(
        doc["tool"],
        json!({"name": "flagops", "version": env!("CARGO_PKG_VERSION")})
    );
    assert_eq!(doc["command"], "check");
    let summary = &doc["summary"];
    assert_eq!(
        keys(summary),
        ["errors", "warnings", "notes", "files", "targets"],
        "{at}"
    );
    let findings = doc["findings"].as_array().expect("findings");
    for (severity, count) in [
        ("error", "errors"),
        ("warning", "warnings"),
        ("note", "notes"),
    ] {
        let n = findings
            .iter()
            .filter(|f| f["severity"] == severity)
            .count();
        assert_eq!(summary[count], n, "{at}: summary.{count}");
    }
    assert!(summary["files"].as_u64().is_some_and(|n| n >= 1), "{at}");
    assert!(summary["targets"].is_u64(), "{at}");

    let allowed = [
        "code",
        "rule",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "yaml_path",
        "label",
        "help",
    ];
    for f in findings {
        for key in keys(f) {
            assert!(
                allowed.contains(&key),
                "{at}: unexpected field {key} in {f}"
            );
        }
        let rule = catalog::find(f["code"].as_str().expect("code")).expect("a catalog code");
        assert_eq!(f["rule"], rule.name, "{at}");
        assert!(["error", "warning", "note"].contains(&f["severity"].as_str().expect("severity")));
        assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{at}");
        assert!(
            f["file"].as_str().is_some_and(|p| !p.starts_with('/')),
            "{at}: relative"
        );
        // A position is 1-based, and line and column come together.
        assert_eq!(
            f.get("line").is_some(),
            f.get("column").is_some(),
            "{at}: {f}"
        );
        for key in ["line", "column"] {
            if let Some(n) = f.get(key) {
                assert!(n.as_u64().is_some_and(|n| n >= 1), "{at}: {key} in {f}");
            }
        }
        if let Some(path) = f.get("yaml_path") {
            let path = path.as_str().expect("yaml_path is a string");
            assert!(path.is_empty() || path.starts_with('/'), "{at}: {path}");
        }
    }
}

#[test]
fn json_output_has_the_documented_shape() {
    for repo in all_repositories() {
        let (doc, _) = check_json(&repo);
        assert_json_shape(&doc, &repo);
    }
}

#[test]
fn json_findings_about_a_whole_file_have_no_position() {
    let repo = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        repo.path().join("flagops.yaml"),
        "version: 1\napplications: {}\n",
    )
    .expect("write flagops.yaml");
    std::fs::create_dir(repo.path().join("flags")).expect("create flags/");
    std::fs::write(repo.path().join("flags/empty.yaml"), "# nothing yet\n").expect("write");
    let (doc, code) = check_json(repo.path());
    assert_json_shape(&doc, repo.path());
    assert_eq!(code, 2);
    assert_eq!(
        doc["findings"],
        json!([{
            "code": "FO006",
            "rule": "empty-file",
            "severity": "error",
            "message": "flags/empty.yaml is empty",
            "file": "flags/empty.yaml",
            "help": "write the file's content (`application:`, `profile:` and `flags:` for a flag file), or delete it",
        }])
    );
}

#[test]
fn json_keeps_messages_and_paths_as_they_are() {
    let (doc, _) = check_json(&escaping());
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["message"].as_str().expect("message"))
        .collect();
    assert!(messages.contains(&"flag key `two\r\nlines` is not a valid AppConfig key"));
    let paths: BTreeSet<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["yaml_path"].as_str().expect("yaml_path"))
        .collect();
    // JSON Pointer escapes `/` as `~1`.
    assert!(paths.contains("/flags/<b>bold<~1b>&co"), "{paths:?}");
}

// ---------------------------------------------------------------------------------------
// GitHub workflow commands
// ---------------------------------------------------------------------------------------

#[test]
fn github_escapes_data_and_properties_as_the_actions_toolkit_does() {
    assert_eq!(
        github::escape_data("50% done\r\n::error::x"),
        "50%25 done%0D%0A::error::x"
    );
    assert_eq!(
        github::escape_property("flags/a,b:c%.yaml"),
        "flags/a%2Cb%3Ac%25.yaml"
    );
    // `%` first, so an escape is never escaped twice, and decoding gives the text back.
    for text in ["%0A", "100%", "a\nb\rc", "x,y:z", "%25%2C"] {
        assert_eq!(unescape(&github::escape_property(text)), text);
        assert_eq!(unescape(&github::escape_data(text)), text);
    }
}

/// Decodes `%XX` escapes, as the Actions runner does.
fn unescape(text: &str) -> String {
    let mut bytes = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        let hex = tail.get(..2).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(decoded) if b == b'%' => {
                bytes.push(decoded);
                rest = &tail[2..];
            }
            _ => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).expect("UTF-8 after decoding")
}

/// One parsed `::command prop=value,...::data` line.
struct Command {
    name: String,
    props: Vec<(String, String)>,
    data: String,
}

fn parse_command(line: &str) -> Command {
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, data) = rest.split_once("::").expect("`::` before the data");
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("prop=value");
            (k.to_owned(), unescape(v))
        })
        .collect();
    Command {
        name: name.to_owned(),
        props,
        data: unescape(data),
    }
}

#[test]
fn github_annotations_carry_every_finding_intact() {
    for repo in [escaping(), fixture("rules/expiry-near/fail")] {
        let run = check(&repo, "github");
        let (doc, _) = check_json(&repo);
        let findings = doc["findings"].as_array().expect("findings");
        let log = sarif(&repo);
        let results = log["runs"][0]["results"].as_array().expect("results");
        let lines: Vec<&str> = run.stdout.lines().collect();
        // One line per finding (no CR or LF got through), then the summary line.
        assert_eq!(lines.len(), findings.len() + 1, "{}", run.stdout);
        assert!(!run.stdout.contains('\r'));
        assert!(lines[findings.len()].starts_with("flagops check: "));
        for ((line, f), result) in lines.iter().zip(findings).zip(results) {
            let command = parse_command(line);
            let expected_name = match f["severity"].as_str() {
                Some("error") => "error",
                Some("warning") => "warning",
                _ => "notice",
            };
            assert_eq!(command.name, expected_name);
            let prop = |k: &str| {
                command
                    .props
                    .iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.clone())
            };
            assert_eq!(prop("file").as_deref(), f["file"].as_str());
            assert_eq!(prop("line"), Some(f["line"].to_string()));
            assert_eq!(prop("col"), Some(f["column"].to_string()));
            // The end SARIF gives, for a node on one line.
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["endLine"], f["line"], "{line}");
            assert_eq!(prop("endLine"), Some(f["line"].to_string()));
            assert_eq!(prop("endColumn"), Some(region["endColumn"].to_string()));
            assert_eq!(
                prop("title"),
                Some(format!(
                    "{} {}",
                    f["code"].as_str().expect("code"),
                    f["rule"].as_str().expect("rule")
                ))
            );
            let mut message = f["message"].as_str().expect("message").to_owned();
            if let Some(help) = f["help"].as_str() {
                message = format!("{message}\nhelp: {help}");
            }
            assert_eq!(command.data, message);
        }
    }
}

#[test]
fn github_escapes_the_comma_and_percent_of_a_file_name() {
    let run = check(&escaping(), "github");
    let first = run.stdout.lines().next().expect("an annotation");
    assert!(
        first.starts_with(
            "::error file=flags/pricing%2C 50%25 off.yaml,line=5,col=3,endLine=5,endColumn=14,"
        ),
        "{first}"
    );
    assert!(first.contains("flag key `rollout_50%25` is not"), "{first}");
    assert!(run.stdout.contains("`two%0D%0Alines`"), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------

#[test]
fn markdown_cells_escape_pipes_line_breaks_and_html() {
    assert_eq!(markdown::cell("a|b"), "a\\|b");
    assert_eq!(markdown::cell("one\r\ntwo\nthree"), "one  two three");
    assert_eq!(markdown::cell("<b>&"), "&lt;b&gt;&amp;");
    // Inside a code span an entity would show as `&lt;`, and `<` cannot start HTML.
    assert_eq!(markdown::cell("key `<b>|x` <i>"), "key `<b>\\|x` &lt;i&gt;");
}

/// `text` without its code spans: what markdown reads as text and HTML.
fn outside_code(text: &str) -> String {
    text.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

/// The cells of a markdown table row, split at the pipes that are not escaped.
fn cells(row: &str) -> Vec<String> {
    let inner = row
        .strip_prefix('|')
        .and_then(|r| r.strip_suffix('|'))
        .expect("a table row starts and ends with |");
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cells.last_mut().expect("a cell").push('|');
                chars.next();
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().expect("a cell").push(c),
        }
    }
    cells.iter().map(|c| c.trim().to_owned()).collect()
}

#[test]
fn markdown_table_has_one_row_of_four_cells_per_finding() {
    let run = check(&escaping(), "markdown");
    let (doc, _) = check_json(&escaping());
    let findings = doc["findings"].as_array().expect("findings");
    let rows: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("|---"))
        .skip(1)
        .collect();
    assert_eq!(rows.len(), findings.len(), "{}", run.stdout);
    for (row, f) in rows.iter().zip(findings) {
        let cells = cells(row);
        assert_eq!(cells.len(), 4, "{row}");
        assert_eq!(cells[0], f["severity"].as_str().expect("severity"));
        let location = format!(
            "`{}:{}:{}`",
            f["file"].as_str().expect("file"),
            f["line"],
            f["column"]
        );
        assert_eq!(cells[2], location);
    }
    assert!(
        run.stdout
            .contains("flag key `price\\|test` is not a valid AppConfig key"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("flag key `<b>bold</b>&co` is not a valid AppConfig key"),
        "{}",
        run.stdout
    );
    // The only HTML outside code spans is the `<br>` before each help text.
    let html = outside_code(&run.stdout).replace("<br>", "");
    assert!(!html.contains('<'), "raw HTML in the summary: {html}");
}

#[test]
fn markdown_summary_of_a_clean_repository_is_a_verdict_without_a_table() {
    let run = check(&support::check::repo_root(), "markdown");
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("### ✅ flagops check\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('|'), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------
// Snapshots of the escaping fixture
// ---------------------------------------------------------------------------------------

#[test]
fn escaping_fixture_in_every_format() {
    support::check::snapshot_settings().bind(|| {
        for format in FORMATS {
            let run = check(&escaping(), format);
            assert_eq!(run.code, 2, "--format {format}");
            insta::assert_snapshot!(format!("escaping__{format}"), run.stdout);
        }
    });
}

// ---------------------------------------------------------------------------------------
// Many findings
// ---------------------------------------------------------------------------------------

/// A repository whose one flag file holds `n` flags that are not mappings: one schema
/// finding each, all in the same file.
fn many_bad_flags(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flagops.yaml"),
        "version: 1\ndefault_branch: main\napplications:\n  shop:\n    environments:\n      prod: { strategy: AppConfig.AllAtOnce }\n    profiles:\n      flags: { type: feature-flags }\n",
    )
    .unwrap();
    let mut flags = String::from("application: shop\nprofile: flags\nflags:\n");
    for i in 0..n {
        flags.push_str(&format!("  k{i:05}: 1\n"));
    }
    std::fs::create_dir_all(dir.path().join("flags/shop")).unwrap();
    std::fs::write(dir.path().join("flags/shop/flags.yaml"), flags).unwrap();
    dir
}

/// Every format renders tens of thousands of findings in one file, each at its own line:
/// rendering costs the same per finding however large the file is (before, every human
/// snippet was handed the whole file, and this took minutes).
#[test]
fn twenty_thousand_findings_render_in_every_format() {
    let n = 20_000;
    let repo = many_bad_flags(n);
    let last_line = n + 3;
    for format in FORMATS {
        let run = check(repo.path(), format);
        assert_eq!(run.code, 2, "{format}: {}", run.stderr);
        let (count, last) = match *format {
            "human" => (
                run.stdout.matches("error[FO100]").count(),
                format!("flags/shop/flags.yaml:{last_line}:"),
            ),
            "github" => (
                run.stdout
                    .lines()
                    .filter(|l| l.starts_with("::error "))
                    .count(),
                format!("line={last_line},"),
            ),
            "json" => {
                let doc: Value = serde_json::from_str(&run.stdout).unwrap();
                (
                    doc["findings"].as_array().unwrap().len(),
                    format!("\"line\":{last_line},"),
                )
            }
            "sarif" => {
                let doc: Value = serde_json::from_str(&run.stdout).unwrap();
                let results = doc["runs"][0]["results"].as_array().unwrap().len();
                (results, format!("\"startLine\":{last_line}"))
            }
            "markdown" => (
                run.stdout
                    .lines()
                    .filter(|l| l.starts_with("| error |"))
                    .count(),
                format!("flags/shop/flags.yaml:{last_line}:"),
            ),
            other => panic!("a format this test does not know: {other}"),
        };
        assert_eq!(count, n, "{format}");
        let compact: String = run.stdout.split_whitespace().collect::<Vec<_>>().join("");
        let last = last.replace(' ', "");
        assert!(
            run.stdout.contains(&last) || compact.contains(&last),
            "{format}: the last flag's finding is at line {last_line}"
        );
    }
}
