//! One spec per command of the CLI, run against the real binary: what it prints, what it
//! writes, and the exit code it ends with (the table in README.md and src/exit.rs).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use flagops::compile::aws_schema;
use flagops::exit::Exit;
use flagops::finding::catalog;
use serde_json::Value;
use support::check::{TODAY, fixture_copy, flagops, repo_root};

/// Runs `flagops <args>` and returns (stdout, stderr, exit code).
fn run<I, S>(args: I) -> (String, String, i32)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output = flagops().args(args).output().expect("flagops runs");
    (
        String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        output.status.code().expect("flagops exits with a code"),
    )
}

fn path_arg(path: &Path) -> String {
    path.to_str().expect("a UTF-8 path").to_owned()
}

/// A directory with no flagops.yaml in it or above it.
fn outside_any_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    assert!(
        dir.path()
            .ancestors()
            .all(|d| !d.join("flagops.yaml").exists()),
        "the temporary directory must not be inside a flagops repository"
    );
    dir
}

// ---------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------

#[test]
fn check_passes_on_the_example_in_this_repository() {
    let root = path_arg(&repo_root());
    let (stdout, stderr, code) = run(["check", "-C", &root, "--today", TODAY]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("check passed: 0 errors, 0 warnings in "),
        "{stdout}"
    );
    assert_eq!(stderr, "");
}

#[test]
fn check_finds_the_repository_from_a_directory_below_it() {
    let flags = path_arg(&repo_root().join("flags/storefront"));
    let (stdout, _, code) = run(["check", "-C", &flags, "--today", TODAY]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("check passed: "), "{stdout}");
}

#[test]
fn check_outside_any_repository_says_so_and_exits_1() {
    let dir = outside_any_repository();
    let (stdout, stderr, code) = run(["check", "-C", &path_arg(dir.path())]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("error: no flagops.yaml found in ")
            && stderr.contains(" or any parent directory; is this a flagops repository?"),
        "{stderr}"
    );
}

#[test]
fn check_of_a_missing_directory_exits_1() {
    let dir = outside_any_repository();
    let missing = path_arg(&dir.path().join("no-such-dir"));
    let (_, stderr, code) = run(["check", "-C", &missing]);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("error: cannot open "), "{stderr}");
}

#[test]
fn check_reports_only_the_paths_it_is_given() {
    // The duplicate-flag fixture has its finding in flags/payments.yaml.
    let copy = fixture_copy("rules/duplicate-flag/fail");
    let repo = copy.path();
    let only = |path: &str| {
        let (_, _, code) = run([
            "check".to_owned(),
            "-C".to_owned(),
            path_arg(repo),
            path_arg(&repo.join(path)),
        ]);
        code
    };
    assert_eq!(only("flags/payments.yaml"), 2);
    assert_eq!(only("flags"), 2);
    assert_eq!(only("flags/checkout.yaml"), 0);
}

// ---------------------------------------------------------------------------------------
// compile
// ---------------------------------------------------------------------------------------

/// `compile` on the example: its documents, by target header. The documents are on stdout,
/// one per line (a JSON stream); their `# <target> (<type>)` headers on stderr, in order.
fn compile_example() -> (String, BTreeMap<String, (String, String)>) {
    let root = path_arg(&repo_root());
    let (stdout, stderr, code) = run(["compile", "-C", &root, "--today", TODAY]);
    assert_eq!(code, 0, "{stderr}");
    let headers: Vec<&str> = stderr.lines().collect();
    let bodies: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        headers.len(),
        bodies.len(),
        "a header per document: {stderr}"
    );
    let mut documents = BTreeMap::new();
    for (header, body) in headers.iter().zip(bodies) {
        let header = header.strip_prefix("# ").expect("`# <target> (<type>)`");
        let (id, kind) = header.split_once(' ').expect("`# <target> (<type>)`");
        let kind = kind.trim_start_matches('(').trim_end_matches(')');
        serde_json::from_str::<Value>(body).expect("each stdout line is a JSON document");
        documents.insert(id.to_owned(), (kind.to_owned(), format!("{body}\n")));
    }
    (stdout, documents)
}

#[test]
fn compile_prints_the_same_bytes_every_time() {
    let (first, documents) = compile_example();
    let (second, _) = compile_example();
    assert_eq!(first, second);
    // The example has two applications with two environments each; storefront has two
    // profiles, ops-switches one.
    let ids: Vec<&str> = documents.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        [
            "ops-switches/production/switches",
            "ops-switches/staging/switches",
            "storefront/production/release-flags",
            "storefront/production/workspace-lists",
            "storefront/staging/release-flags",
            "storefront/staging/workspace-lists",
        ]
    );
}

/// Every file under `dir`, relative, with `/` separators.
fn files_under(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("a readable directory") {
            let path: PathBuf = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under dir");
                files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn compile_out_writes_one_valid_document_per_target() {
    let (_, documents) = compile_example();
    let out = tempfile::tempdir().expect("a temporary directory");
    let root = path_arg(&repo_root());
    let (stdout, stderr, code) = run([
        "compile",
        "-C",
        &root,
        "--today",
        TODAY,
        "--out",
        &path_arg(out.path()),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "", "with --out nothing is printed");

    let expected: Vec<String> = documents.keys().map(|id| format!("{id}.json")).collect();
    assert_eq!(
        files_under(out.path()),
        expected,
        "one file per target, no leftovers"
    );

    let mut feature_flags = 0;
    for (id, (kind, printed)) in &documents {
        let written = std::fs::read_to_string(out.path().join(format!("{id}.json")))
            .expect("the target's file");
        assert_eq!(
            written.as_str(),
            printed.trim_end_matches('\n'),
            "{id}: the file holds what compile prints"
        );
        assert!(
            !written.contains('\n'),
            "{id}: the bytes apply uploads, compact"
        );
        let document: Value = serde_json::from_str(&written).expect("JSON");
        match kind.as_str() {
            "AWS.AppConfig.FeatureFlags" => {
                feature_flags += 1;
                assert_eq!(
                    aws_schema::validate(&document),
                    vec![],
                    "{id} must satisfy AWS's FeatureFlags schema"
                );
            }
            "AWS.Freeform" => assert!(document.is_object(), "{id}"),
            other => panic!("{id}: unknown profile type {other}"),
        }
    }
    assert_eq!(feature_flags, 4);
}

#[test]
fn compile_only_the_selected_targets() {
    let root = path_arg(&repo_root());
    let (stdout, stderr, code) = run([
        "compile",
        "-C",
        &root,
        "--today",
        TODAY,
        "--app",
        "storefront",
        "--env",
        "production",
    ]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let headers: Vec<&str> = stderr.lines().filter(|l| l.starts_with("# ")).collect();
    assert_eq!(
        headers,
        [
            "# storefront/production/release-flags (AWS.AppConfig.FeatureFlags)",
            "# storefront/production/workspace-lists (AWS.Freeform)",
        ]
    );
}

#[test]
fn compile_of_a_repository_with_errors_exits_2_and_writes_nothing() {
    let out = tempfile::tempdir().expect("a temporary directory");
    let target = out.path().join("compiled");
    let copy = fixture_copy("rules/key-pattern/fail");
    let repo = path_arg(copy.path());
    let (_, stderr, code) = run([
        "compile",
        "-C",
        &repo,
        "--today",
        TODAY,
        "--out",
        &path_arg(&target),
    ]);
    assert_eq!(code, 2);
    assert!(!target.exists(), "nothing is written when check fails");
    // What stops it is shown, as check shows it.
    assert!(
        stderr.contains("error[FO201]"),
        "errors go to stderr: {stderr}"
    );
    assert!(stderr.contains("check failed: 1 error"), "{stderr}");
}

#[test]
fn compile_of_a_repository_with_only_warnings_succeeds() {
    let copy = fixture_copy("rules/allow-list-duplicate/fail");
    let repo = path_arg(copy.path());
    let (stdout, stderr, code) = run(["compile", "-C", &repo, "--today", TODAY]);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("# storefront/staging/release-flags"),
        "{stderr}"
    );
    assert!(stdout.starts_with("{\"flags\""), "{stdout}");
}

/// `flagops check --format <format> -C <dir>`'s stdout.
fn check_stdout(dir: &Path, format: &str) -> String {
    let dir = path_arg(dir);
    let (stdout, _, code) = run(["check", "-C", &dir, "--today", TODAY, "--format", format]);
    assert_eq!(code, 2, "{stdout}");
    stdout
}

#[test]
fn annotation_and_sarif_paths_start_at_the_git_root() {
    // A git repository whose flagops.yaml is in a subfolder: GitHub and code scanning look
    // files up from the root of the checkout.
    let work_tree = tempfile::tempdir().expect("a temporary directory");
    let sub = work_tree.path().join("ops/flag config");
    support::copy_dir(&support::check::fixture("rules/key-pattern/fail"), &sub);
    support::git(work_tree.path(), &["init", "-q", "-b", "main"]);
    support::git(work_tree.path(), &["add", "-A"]);
    support::git(work_tree.path(), &["commit", "-qm", "flags in a subfolder"]);

    let github = check_stdout(&sub, "github");
    let annotation = github.lines().next().expect("an annotation");
    assert!(
        annotation.starts_with("::error file=ops/flag config/flags/checkout.yaml,line=5,col=3,"),
        "{github}"
    );
    let sarif: Value = serde_json::from_str(&check_stdout(&sub, "sarif")).expect("SARIF");
    support::sarif::assert_valid(&sarif, "check --format sarif in a subfolder");
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "ops/flag%20config/flags/checkout.yaml"
    );
    // The other formats keep paths from the flagops root, as `-C` names it.
    let json: Value = serde_json::from_str(&check_stdout(&sub, "json")).expect("JSON");
    assert_eq!(json["findings"][0]["file"], "flags/checkout.yaml");

    // Outside git, paths are relative to the flagops root.
    let plain = fixture_copy("rules/key-pattern/fail");
    let github = check_stdout(plain.path(), "github");
    assert!(
        github.starts_with("::error file=flags/checkout.yaml,line=5,col=3,"),
        "{github}"
    );
}

// ---------------------------------------------------------------------------------------
// rules and schema
// ---------------------------------------------------------------------------------------

#[test]
fn rules_lists_every_code_of_the_catalog() {
    let (stdout, _, code) = run(["rules"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), catalog::ALL.len(), "{stdout}");
    for (line, rule) in lines.iter().zip(catalog::ALL) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            words[..3],
            [rule.code, rule.name, rule.default_severity.as_str()],
            "{line}"
        );
        assert!(line.ends_with(rule.summary), "{line}");
    }
}

#[test]
fn docs_rules_md_is_the_catalog_as_markdown_and_json_lists_every_rule() {
    let (markdown, _, code) = run(["rules", "--format", "markdown"]);
    assert_eq!(code, 0);
    let committed = std::fs::read_to_string(repo_root().join("docs/rules.md")).expect("committed");
    assert_eq!(
        committed, markdown,
        "docs/rules.md is stale: regenerate it with `flagops rules --format markdown > docs/rules.md`"
    );
    for rule in catalog::ALL {
        let anchor = rule.code.to_ascii_lowercase();
        let row = format!("| [{}](#{anchor}) | `{}` |", rule.code, rule.name);
        assert!(markdown.contains(&row), "no table row for {}", rule.code);
        let section = format!(
            "<a id=\"{anchor}\"></a>\n\n## {} {}\n\nDefault level: {}.\n\n{}\n\n**How to fix:** {}\n",
            rule.code,
            rule.name,
            rule.default_severity.as_str(),
            rule.description,
            rule.fix
        );
        assert!(markdown.contains(&section), "no section for {}", rule.code);
        assert_eq!(
            rule.help_uri(),
            format!(
                "{}/blob/main/docs/rules.md#{anchor}",
                env!("CARGO_PKG_REPOSITORY")
            )
        );
    }
    let (json, _, code) = run(["rules", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["command"], "rules");
    let codes: Vec<&str> = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = catalog::ALL.iter().map(|r| r.code).collect();
    assert_eq!(codes, want);
}

#[test]
fn every_json_report_is_documented() {
    let docs = std::fs::read_to_string(repo_root().join("docs/json.md")).expect("committed");
    for command in [
        "check", "plan", "apply", "drift", "stop", "adopt", "import", "ledger", "refs", "rules",
        "status",
    ] {
        assert!(
            docs.contains(&format!("\n## {command}\n")),
            "docs/json.md has no section for {command}"
        );
    }
}

#[test]
fn schema_prints_the_committed_schemas() {
    let committed = |name: &str| {
        std::fs::read_to_string(repo_root().join("schemas").join(name)).expect("committed")
    };
    let (stdout, stderr, code) = run(["schema"]);
    assert_eq!(code, 0);
    // A stream of JSON documents on stdout, for jq; their names on stderr.
    assert_eq!(
        stdout,
        format!(
            "{}{}",
            committed("flagops.schema.json"),
            committed("flags.schema.json")
        )
    );
    assert_eq!(stderr, "# flagops.schema.json\n# flags.schema.json\n");
}

#[test]
fn schema_write_produces_the_committed_files() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (_, _, code) = run(["schema", "--write", "-C", &path_arg(dir.path())]);
    assert_eq!(code, 0);
    for name in ["flagops.schema.json", "flags.schema.json"] {
        let written =
            std::fs::read_to_string(dir.path().join("schemas").join(name)).expect("written");
        let committed =
            std::fs::read_to_string(repo_root().join("schemas").join(name)).expect("committed");
        assert_eq!(written, committed, "{name}");
    }
}

// ---------------------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------------------

/// The codes of a markdown table whose rows start with `| <code> |`.
fn table_codes(text: &str) -> Vec<u8> {
    text.lines()
        .map(|l| l.trim_start_matches("//!").trim())
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next()?.parse().ok())
        .collect()
}

#[test]
fn readme_and_exit_rs_document_the_same_codes_as_the_exit_enum() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let exit_rs = std::fs::read_to_string(repo_root().join("src/exit.rs")).expect("exit.rs");
    let codes = [Exit::Clean, Exit::Failure, Exit::Findings, Exit::RolledBack].map(|e| e as u8);
    assert_eq!(codes, [0, 1, 2, 3]);
    assert_eq!(table_codes(&readme), codes, "README.md's exit code table");
    assert_eq!(
        table_codes(&exit_rs),
        codes,
        "src/exit.rs's exit code table"
    );
}

#[test]
fn exit_codes_follow_the_documented_table() {
    let outside = outside_any_repository();
    let outside = path_arg(outside.path());
    let copies: Vec<_> = [
        "rules/expiry-near/fail",
        "rules/expiry-passed/fail",
        "rules/unknown-reference/fail",
        "rules/schema/fail",
    ]
    .map(fixture_copy)
    .into_iter()
    .collect();
    let fixture = |i: usize| path_arg(copies[i].path());
    let root = path_arg(&repo_root());
    let command = |name: &str, dir: &str| -> Vec<String> {
        [name, "-C", dir, "--today", TODAY]
            .map(str::to_owned)
            .to_vec()
    };
    let cases = [
        (command("check", &root), 0, "nothing to report"),
        (command("compile", &root), 0, "nothing to report"),
        (vec!["rules".to_owned()], 0, "nothing to report"),
        (
            command("check", &fixture(0)),
            0,
            "warnings alone are nothing a human must act on",
        ),
        (command("check", &fixture(1)), 2, "check errors"),
        (
            command("check", &fixture(2)),
            2,
            "a problem located in a repository file",
        ),
        (
            command("compile", &fixture(3)),
            2,
            "compile refuses what check rejects",
        ),
        (command("check", &outside), 1, "no repository"),
        (command("compile", &outside), 1, "no repository"),
    ];
    for (args, expected, why) in cases {
        let (stdout, stderr, code) = run(&args);
        assert_eq!(code, expected, "{why}: flagops {args:?}\n{stdout}{stderr}");
    }
}

#[test]
fn bad_usage_exits_1() {
    for args in [
        vec!["check", "--format", "yaml"],
        vec!["no-such-command"],
        vec!["check", "--today", "yesterday"],
    ] {
        let (_, stderr, code) = run(&args);
        assert_eq!(code, 1, "flagops {args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
}

#[test]
fn help_and_version_exit_0() {
    for args in [["--help"], ["--version"]] {
        let (stdout, _, code) = run(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(!stdout.is_empty());
    }
}

/// `schema --check` passes on this repository's committed schemas and fails, naming the file,
/// when one differs from what flagops generates.
#[test]
fn schema_check_notices_a_stale_schema() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("schemas");
    std::fs::create_dir(&schemas).unwrap();
    for name in ["flagops.schema.json", "flags.schema.json"] {
        std::fs::copy(repo_root().join("schemas").join(name), schemas.join(name)).unwrap();
    }
    let (out, _, code) = run(["schema", "--check", "-C", &path_arg(dir.path())]);
    assert_eq!((code, out.as_str()), (0, "schemas are current\n"));
    let stale = schemas.join("flags.schema.json");
    let text = std::fs::read_to_string(&stale).unwrap();
    std::fs::write(&stale, text.replacen("\"type\"", "\"type\" ", 1)).unwrap();
    let (out, _, code) = run(["schema", "--check", "-C", &path_arg(dir.path())]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("stale: schemas/flags.schema.json"), "{out}");
}

/// `rules.levels` takes `off` unquoted, as the README writes it, and in the other cases YAML
/// 1.1 wrote it (`Off`, `OFF`), quoted or not: no YAML 1.1 boolean finding, and the rule is off.
#[test]
fn a_rule_level_of_unquoted_off_turns_the_rule_off() {
    for off in ["off", "Off", "OFF", "'off'", "\"Off\"", "'OFF'"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("flagops.yaml"),
            format!("version: 1\napplications:\n  app:\n    environments:\n      prod: {{ strategy: AppConfig.AllAtOnce }}\n    profiles:\n      flags: {{ type: feature-flags }}\nrules:\n  levels:\n    expiry-passed: {off}\n"),
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("flags")).unwrap();
        std::fs::write(
            dir.path().join("flags/app.yaml"),
            "application: app\nprofile: flags\nflags:\n  old_promo:\n    owner: team-growth\n    class: release\n    expires: 2020-01-01\n    defaults: { enabled: false }\n",
        )
        .unwrap();
        let (out, err, code) = run(["check", "--format", "json", "-C", &path_arg(dir.path())]);
        assert_eq!(code, 0, "{off}: {out}{err}");
        let doc: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(doc["findings"], serde_json::json!([]), "{off}: {out}");
    }
}

/// A YAML 1.1 boolean leaves the file's document as YAML 1.2 reads it (`yes` is the text
/// "yes"), so the file's other findings come with it, not after it is fixed; and it is an
/// error, so plan holds the file's targets back.
#[test]
fn a_yaml11_boolean_is_reported_with_the_files_other_findings_and_blocks_plan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flagops.yaml"),
        "version: 1\napplications:\n  app:\n    environments:\n      prod: { strategy: AppConfig.AllAtOnce }\n    profiles:\n      flags: { type: feature-flags }\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("flags")).unwrap();
    std::fs::write(
        dir.path().join("flags/app.yaml"),
        "application: app\nprofile: flags\nflags:\n  checkout_v2:\n    description: yes\n    class: ops\n    defaults: { enabled: false }\n",
    )
    .unwrap();
    let root = path_arg(dir.path());
    let (out, err, code) = run(["check", "--format", "json", "-C", &root]);
    assert_eq!(code, 2, "{out}{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let at: Vec<(&str, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(at, [("FO209", 4), ("FO012", 5)], "{out}");

    let backend = format!("local:{}", dir.path().join("live").display());
    let (out, err, code) = run([
        "plan",
        "--format",
        "json",
        "-C",
        &root,
        "--backend",
        &backend,
    ]);
    assert_eq!(code, 2, "{out}{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["targets"], serde_json::json!([]), "{out}");
    assert_eq!(
        doc["blocked"][0]["codes"],
        serde_json::json!(["FO209", "FO012"]),
        "{out}"
    );
}

/// A mapping key that is no string has no faithful text, so it stops its file, as a syntax
/// error does: no other finding is reported on a document that is not what was written.
#[test]
fn a_non_string_key_stops_its_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flagops.yaml"),
        "version: 1\napplications:\n  app:\n    environments:\n      prod: { strategy: AppConfig.AllAtOnce }\n    profiles:\n      flags: { type: feature-flags }\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("flags")).unwrap();
    std::fs::write(
        dir.path().join("flags/app.yaml"),
        "application: app\nprofile: flags\nflags:\n  1:\n    class: ops\n    defaults: { enabled: false }\n  \"1\":\n    owner: team-a\n    class: ops\n    defaults: { enabled: false }\n",
    )
    .unwrap();
    let (out, err, code) = run(["check", "--format", "json", "-C", &path_arg(dir.path())]);
    assert_eq!(code, 2, "{out}{err}");
    let codes = finding_codes(&out);
    assert_eq!(codes, ["FO014"], "{out}");
}

/// Outside a git repository the history rules cannot run: check still passes, and says which
/// did not run, once, in every format's summary and in JSON's `skipped`. In a git repository
/// nothing is skipped.
#[test]
fn check_outside_git_says_which_history_rules_did_not_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flagops.yaml"),
        "version: 1\napplications:\n  app:\n    environments:\n      prod: { strategy: AppConfig.AllAtOnce }\n    profiles:\n      flags: { type: feature-flags }\nrefs:\n  paths: [src]\n",
    )
    .unwrap();
    let root = path_arg(dir.path());
    let note = "not run: deleted-key-reuse (not a git repository), removed-flag-still-referenced (not a git repository)";
    for format in ["human", "github", "markdown"] {
        let (out, err, code) = run(["check", "--format", format, "-C", &root]);
        assert_eq!(code, 0, "{format}: {out}{err}");
        assert_eq!(out.matches(note).count(), 1, "{format}: {out}");
    }
    let (out, err, code) = run(["check", "--format", "json", "-C", &root]);
    assert_eq!(code, 0, "{out}{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc["skipped"],
        serde_json::json!([
            "deleted-key-reuse: not a git repository",
            "removed-flag-still-referenced: not a git repository"
        ]),
        "{out}"
    );

    let example = path_arg(&repo_root());
    let (out, err, code) = run([
        "check", "--format", "json", "-C", &example, "--today", TODAY,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["skipped"], serde_json::json!([]), "{out}");
}

/// `off` in any case is a level only under `rules.levels`: an unquoted `OFF` elsewhere in
/// flagops.yaml is still the YAML 1.1 boolean.
#[test]
fn an_unquoted_off_outside_rule_levels_is_still_a_yaml11_boolean() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flagops.yaml"),
        "version: 1\napplications:\n  app:\n    environments:\n      prod: { strategy: AppConfig.AllAtOnce, production: OFF }\n    profiles:\n      flags: { type: feature-flags }\n",
    )
    .unwrap();
    let (out, err, code) = run(["check", "--format", "json", "-C", &path_arg(dir.path())]);
    assert_eq!(code, 2, "{out}{err}");
    let codes = finding_codes(&out);
    assert_eq!(codes, ["FO012"], "{out}");
}

/// An allow list and active period the AppConfig Agent evaluates compile to a rule of
/// documented operators and operand types only: timestamps are W3C literals, not strings
/// (quoted, `$now` would be compared with them as text).
#[test]
fn agent_rules_use_documented_operators_and_timestamp_literals() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("flagops.yaml"),
        "version: 1
applications:
  web:
    environments:
      prod: { strategy: AppConfig.AllAtOnce }
    profiles:
      flags: { type: feature-flags }
",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("flags")).unwrap();
    std::fs::write(
        dir.path().join("flags/web.yaml"),
        r#"application: web
profile: flags
flags:
  pilot:
    owner: team-a
    class: permission
    evaluate: agent
    context_key: tenant
    defaults:
      enabled: true
      allow: [t1, "t:2"]
      active: { from: "2027-01-01T00:00:00Z", until: "2027-02-01T12:30:00+02:00" }
"#,
    )
    .unwrap();
    let (stdout, stderr, code) = run(["compile", "-C", &path_arg(dir.path()), "--today", TODAY]);
    assert_eq!(code, 0, "{stderr}");
    let document: Value =
        serde_json::from_str(stdout.lines().next().expect("a document")).expect("JSON");
    let variants = document["values"]["pilot"]["_variants"]
        .as_array()
        .expect("variants");
    let rule = variants[0]["rule"].as_str().expect("a rule");
    assert_eq!(
        rule,
        r#"(and (in $tenant ["t1","t:2"]) (gte $now 2027-01-01T00:00:00Z) (lt $now 2027-02-01T12:30:00+02:00))"#
    );
    assert_eq!(flagops::check::rule_syntax::parse(rule), Ok(()));
    assert_eq!(
        variants[1],
        serde_json::json!({"name": "default", "enabled": false})
    );
}

// ---------------------------------------------------------------------------------------
// init, completions, man, global options
// ---------------------------------------------------------------------------------------

/// `flagops init` in an empty directory gives a repository check passes, with the schemas,
/// the workflows and `.flagops/` ignored; a second init refuses, writing nothing.
#[test]
fn init_starts_a_repository_check_passes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let repo = dir.path().join("flags-repo");
    let (stdout, stderr, code) = run(["init", &path_arg(&repo), "--app", "billing"]);
    assert_eq!(code, 0, "{stderr}");
    for file in [
        "flagops.yaml",
        "flags/example.yaml",
        "schemas/flagops.schema.json",
        "schemas/flags.schema.json",
        ".github/workflows/flagops-check.yml",
        ".github/workflows/flagops-apply.yml",
        ".github/workflows/flagops-drift.yml",
        ".gitignore",
    ] {
        assert!(repo.join(file).is_file(), "{file}: {stdout}");
        assert!(stdout.contains(&format!("+ {file}")), "{stdout}");
    }
    assert!(
        std::fs::read_to_string(repo.join(".gitignore"))
            .unwrap()
            .lines()
            .any(|l| l == "/.flagops/")
    );
    let (stdout, stderr, code) = run(["check", "-C", &path_arg(&repo)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("check passed: 0 errors, 0 warnings"),
        "{stdout}"
    );
    let (_, stderr, code) = run(["schema", "--check", "-C", &path_arg(&repo)]);
    assert_eq!(code, 0, "the schemas are current: {stderr}");

    let before = std::fs::read_to_string(repo.join("flags/example.yaml")).unwrap();
    let (_, stderr, code) = run(["init", &path_arg(&repo)]);
    assert_eq!(code, 1);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(repo.join("flags/example.yaml")).unwrap(),
        before
    );
}

#[test]
fn completions_and_the_man_page_are_generated_from_the_cli() {
    for (shell, marker) in [
        ("bash", "_flagops()"),
        ("zsh", "#compdef flagops"),
        ("fish", "complete -c flagops"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (stdout, stderr, code) = run(["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        assert!(stdout.contains(marker), "{shell}: {stdout}");
        for command in ["check", "plan", "apply", "drift", "adopt"] {
            assert!(stdout.contains(command), "{shell} completes {command}");
        }
    }
    let (stdout, _, code) = run(["man"]);
    assert_eq!(code, 0);
    assert!(stdout.contains(".TH flagops 1"), "{stdout}");
    assert!(
        stdout.contains("flagops\\-apply"),
        "subcommands are listed: {stdout}"
    );
}

/// `--color always` colours even into a pipe, `never` does not; `-q` keeps warnings off
/// stderr.
#[test]
fn quiet_and_color_options_apply_to_every_command() {
    let failing = path_arg(&repo_root().join("tests/fixtures/rules/key-pattern/fail"));
    let (stdout, _, code) = run([
        "check", "-C", &failing, "--color", "always", "--today", TODAY,
    ]);
    assert_eq!(code, 2);
    assert!(stdout.contains("\u{1b}["), "coloured: {stdout}");
    let (stdout, _, _) = run([
        "check", "-C", &failing, "--color", "never", "--today", TODAY,
    ]);
    assert!(!stdout.contains("\u{1b}["), "{stdout}");

    // apply's progress lines go to stderr; with -q only the report is written.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let apply = |name: &str, quiet: bool| {
        let repo = dir.path().join(name);
        assert_eq!(run(["init", &path_arg(&repo)]).2, 0);
        let git = |args: &[&str]| {
            let ok = std::process::Command::new("git")
                .args(args)
                .current_dir(&repo)
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .output()
                .expect("git runs")
                .status
                .success();
            assert!(ok, "git {args:?}");
        };
        git(&["init", "-q", "-b", "main"]);
        git(&["add", "-A"]);
        git(&["commit", "-qm", "init"]);
        let mut args = vec![
            "apply".to_owned(),
            "--backend".to_owned(),
            "local".to_owned(),
            "-C".to_owned(),
            path_arg(&repo),
        ];
        if quiet {
            args.push("-q".to_owned());
        }
        let (stdout, stderr, code) = run(args);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(stdout.contains("2 deployed"), "{stdout}");
        stderr
    };
    let loud = apply("loud", false);
    assert!(loud.contains("started deployment #1"), "{loud}");
    assert_eq!(apply("quiet", true), "", "nothing but the report");
}

/// The codes of a JSON check report's findings, in order.
fn finding_codes(report: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(report).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}
