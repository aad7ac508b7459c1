//! No credential is ever printed or uploaded. Canary secrets, one of each kind flagops knows,
//! sit in every kind of field of a repository (flagops.yaml, names, descriptions, owners,
//! attribute constraints, values, allow lists, variant rules, freeform content). Every command
//! runs on it in every format, with a GitHub job summary, against the local backend; not one
//! byte of a canary's middle may appear in stdout, stderr or the summary, and none reaches the
//! backend. Then the other way round: secrets that only the live state holds (uploaded once,
//! with a reviewed marker, then dropped from git) are masked too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::process::Command;

use support::git;

/// One secret of each kind, each distinct in its middle, which masking never shows.
const AWS_KEY_ID: &str = "AKIACANARYQ7XW2KEYID";
const AWS_SECRET: &str = "c4NaRy/Secret+Key0Zq8Wv3Lm9Tx2Yb7Rp1Nd6Hs";
const GITHUB_TOKEN: &str = "ghp_CanaryToken0123456789abcdefGHIJKLmnop";
const GITHUB_PAT: &str = "github_pat_11CANARYPAT0_abcdefghijklmnopqrstu";
const SLACK_TOKEN: &str = "xoxb-112233445566-CanarySlackTok";
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJjYW5hcnkiOiJqd3QtY2FuYXJ5In0.CanaryJwtSignature0123";
const URL_PASSWORD: &str = "CanaryUrlPassw0rd";
const NAMED_VALUE: &str = "Zq-canary-named-value-91";
const PRIVATE_KEY_BODY: &str = "MIIEcanaryPrivateKeyBodyQ0ZXN0";
/// In freeform content that its JSON Schema rejects: the schema error quotes the value.
const OAUTH_TOKEN: &str = "gho_CanaryOauthToken0123456789abcdefGHIJKL";

const ALL: &[&str] = &[
    AWS_KEY_ID,
    AWS_SECRET,
    GITHUB_TOKEN,
    GITHUB_PAT,
    SLACK_TOKEN,
    JWT,
    URL_PASSWORD,
    NAMED_VALUE,
    PRIVATE_KEY_BODY,
    OAUTH_TOKEN,
];

/// The part of a secret that masking never keeps: everything but four characters at each end.
fn middle(secret: &str) -> &str {
    &secret[4..secret.len() - 4]
}

fn config(description: &str) -> String {
    format!(
        "\
version: 1
applications:
  shop:
    description: \"{description}\"
    environments:
      prod: {{ strategy: AppConfig.AllAtOnce }}
    profiles:
      flags: {{ type: feature-flags }}
      settings: {{ type: freeform, schema: schemas/settings.json }}
"
    )
}

/// A scratch directory with the repository one level down, in `repo/`, so that the job
/// summary written beside it is not part of it.
fn scratch() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("flags")).unwrap();
    (dir, root)
}

fn write_repository_with_canaries(root: &Path) {
    std::fs::write(
        root.join("flagops.yaml"),
        config(&format!(
            "Deployed from postgres://deploy:{URL_PASSWORD}@db.internal/shop"
        )),
    )
    .unwrap();
    std::fs::write(
        root.join("flags/flags.yaml"),
        format!(
            "\
application: shop
profile: flags
flags:
  checkout:
    name: \"Checkout for {AWS_KEY_ID}\"
    description: \"aws_secret_access_key={AWS_SECRET}\"
    owner: \"{GITHUB_TOKEN}\"
    class: ops
    attributes:
      api_key: {{ type: string }}
      region: {{ type: string, enum: [eu, \"{SLACK_TOKEN}\"] }}
    defaults:
      enabled: true
      values: {{ api_key: \"{NAMED_VALUE}\", region: eu }}
    environments:
      prod:
        enabled: true
        allow: [ws_acme, \"{GITHUB_PAT}\"]
        variants:
          - name: pilot
            rule: (eq $token \"{JWT}\")
            enabled: true
          - name: default
            enabled: false
"
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("flags/settings.yaml"),
        format!(
            "\
application: shop
profile: settings
content:
  defaults:
    tls:
      key: |
        -----BEGIN PRIVATE KEY-----
        {PRIVATE_KEY_BODY}
        -----END PRIVATE KEY-----
    webhook_retries: \"{OAUTH_TOKEN}\"
"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("schemas")).unwrap();
    std::fs::write(
        root.join("schemas/settings.json"),
        r#"{"type": "object", "properties": {"webhook_retries": {"type": "integer"}}}"#,
    )
    .unwrap();
    commit(root);
}

fn commit(root: &Path) {
    if !root.join(".git").exists() {
        git(root, &["init", "-q", "-b", "main"]);
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "flags", "--allow-empty"]);
}

/// Everything one run wrote where a person or a CI log can read it.
struct Seen {
    what: String,
    code: Option<i32>,
    stdout: String,
    /// stdout, stderr and the job summary.
    text: String,
}

fn run(root: &Path, args: &[&str]) -> Seen {
    let summary = root.join("../summary.md");
    let _ = std::fs::remove_file(&summary);
    let out = Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(args)
        .arg("-C")
        .arg(root)
        .env("NO_COLOR", "1")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("FLAGOPS_TODAY", "2026-11-22")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("FLAGOPS_BACKEND")
        .output()
        .unwrap();
    let summary = std::fs::read_to_string(&summary).unwrap_or_default();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Seen {
        what: args.join(" "),
        code: out.status.code(),
        text: format!("{stdout}{}{summary}", String::from_utf8_lossy(&out.stderr)),
        stdout,
    }
}

/// Every command that reads a repository, in every format it has, against the local backend.
fn every_command() -> Vec<Vec<&'static str>> {
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for format in ["human", "github", "json", "sarif", "markdown"] {
        runs.push(vec!["check", "--format", format]);
        runs.push(vec!["drift", "--backend", "local", "--format", format]);
    }
    for format in ["human", "json", "markdown"] {
        runs.push(vec!["plan", "--backend", "local", "--format", format]);
        runs.push(vec!["apply", "--backend", "local", "--format", format]);
    }
    for format in ["human", "json"] {
        runs.push(vec!["refs", "--format", format]);
    }
    for format in ["human", "json", "markdown", "html"] {
        runs.push(vec!["status", "--backend", "local", "--format", format]);
    }
    for lang in ["rust", "typescript", "go"] {
        runs.push(vec!["codegen", "--lang", lang]);
    }
    runs.push(vec!["compile"]);
    runs.push(vec!["adopt", "--backend", "local", "--no-commit"]);
    runs.push(vec!["ledger", "list"]);
    runs.push(vec![
        "stop",
        "--backend",
        "local",
        "--app",
        "shop",
        "--env",
        "prod",
        "--revert",
        "--reason",
        "canary",
    ]);
    runs
}

fn assert_nothing_shows(seen: &[Seen], secrets: &[&str]) {
    for run in seen {
        for secret in secrets {
            assert!(
                !run.text.contains(middle(secret)),
                "`flagops {}` (exit {:?}) printed the secret {secret}:\n{}",
                run.what,
                run.code,
                run.text
            );
        }
    }
}

/// Every file under `dir`, as text.
fn files_under(dir: &Path) -> String {
    let mut text = String::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                text.push_str(&files_under(&path));
            } else if let Ok(bytes) = std::fs::read(&path) {
                text.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
    text
}

#[test]
fn canaries_in_every_field_are_never_printed_nor_uploaded() {
    let (_dir, root) = scratch();
    write_repository_with_canaries(&root);

    let seen: Vec<Seen> = every_command()
        .iter()
        .map(|args| run(&root, args))
        .collect();

    // Each canary is found, by kind, where it is: the check that reports them sees them all.
    let check = seen
        .iter()
        .find(|s| s.what == "check --format json")
        .unwrap();
    assert_eq!(check.code, Some(2), "{}", check.text);
    let report: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let secret_findings = report["findings"]
        .as_array()
        .map(|all| all.iter().filter(|f| f["code"] == "FO213").count())
        .unwrap_or_default();
    assert_eq!(
        secret_findings,
        ALL.len(),
        "one finding per canary: {}",
        check.text
    );

    assert_nothing_shows(&seen, ALL);
    // The one thing that may be uploaded is nothing: apply refuses a repository with a secret.
    let uploaded = files_under(&root.join(".flagops"));
    for secret in ALL {
        assert!(
            !uploaded.contains(middle(secret)),
            "{secret} reached the backend"
        );
    }
    for apply in seen.iter().filter(|s| s.what.starts_with("apply")) {
        assert_ne!(apply.code, Some(0), "apply must refuse: {}", apply.text);
    }
}

#[test]
fn secrets_only_the_live_state_holds_are_masked_too() {
    let (dir, root) = scratch();
    std::fs::write(root.join("flagops.yaml"), config("The shop")).unwrap();
    std::fs::create_dir_all(root.join("schemas")).unwrap();
    std::fs::write(root.join("schemas/settings.json"), r#"{"type": "object"}"#).unwrap();
    let flags = |api_key: &str, webhook: &str| {
        format!(
            "\
application: shop
profile: flags
flags:
  checkout:
    name: Checkout
    owner: team-shop
    class: ops
    attributes:
      api_key: {{ type: string }}
      webhook: {{ type: string }}
    defaults:
      enabled: true
      values:
        # flagops:allow-secret reviewed for this test: uploaded on purpose
        api_key: \"{api_key}\"
        # flagops:allow-secret reviewed for this test: uploaded on purpose
        webhook: \"{webhook}\"
"
        )
    };
    let hook = format!("https://hooks:{URL_PASSWORD}@hooks.internal/shop");
    std::fs::write(root.join("flags/flags.yaml"), flags(NAMED_VALUE, &hook)).unwrap();
    commit(&root);
    let apply = run(&root, &["apply", "--backend", "local"]);
    assert_eq!(apply.code, Some(0), "{}", apply.text);
    // The control: reviewed values are uploaded, so the backend's files do show a secret
    // when one is there, and the assertions above and below can fail.
    assert!(files_under(&root.join(".flagops")).contains(NAMED_VALUE));
    assert_nothing_shows(&[apply], &[NAMED_VALUE, URL_PASSWORD]);

    // Git moves on; the live state still serves both secrets until the next apply.
    std::fs::write(
        root.join("flags/flags.yaml"),
        flags("rotated-out", "https://hooks.internal/shop"),
    )
    .unwrap();
    commit(&root);
    let mut seen: Vec<Seen> = every_command()
        .iter()
        .filter(|args| args[0] != "apply")
        .map(|args| run(&root, args))
        .collect();
    let backend = format!("local:{}", root.join(".flagops/local").display());
    seen.push(run(
        &dir.path().join("imported"),
        &["import", "--backend", &backend],
    ));
    let plan = seen.iter().find(|s| s.what.starts_with("plan")).unwrap();
    assert_eq!(plan.code, Some(2), "live differs from git: {}", plan.text);
    assert_nothing_shows(&seen, &[NAMED_VALUE, URL_PASSWORD]);
}

#[test]
fn a_file_that_does_not_parse_is_still_scanned_and_its_secrets_never_printed() {
    let (_dir, root) = scratch();
    std::fs::write(root.join("flagops.yaml"), config("the shop")).unwrap();
    // A tab where YAML wants spaces (FO010), below two credentials and a reviewed example.
    let flags = format!(
        "application: shop\nprofile: flags\nflags:\n  checkout:\n    name: Checkout\n    \
         description: \"deploys with {AWS_KEY_ID}\"\n    db_password: {NAMED_VALUE}\n    \
         sample: {GITHUB_TOKEN} # flagops:allow-secret the docs' example token\n\
         \tvalues: {{}}\n"
    );
    std::fs::write(root.join("flags/shop.yaml"), &flags).unwrap();
    commit(&root);

    let (doc, code) = support::check::check_json(&root);
    assert_eq!(code, 2);
    let reported = support::check::findings(&doc);
    let at = |code: &str| -> Vec<String> {
        (reported.iter())
            .filter(|f| f.code == code)
            .map(|f| f.at.clone())
            .collect()
    };
    assert_eq!(at("FO010").len(), 1, "{reported:#?}");
    // Each credential at its own line and column; the reviewed one let through.
    assert_eq!(
        at("FO213"),
        ["flags/shop.yaml:6:32", "flags/shop.yaml:7:18"],
        "{reported:#?}"
    );

    let seen: Vec<Seen> = ["human", "github", "json", "sarif", "markdown"]
        .iter()
        .map(|format| run(&root, &["check", "--format", format]))
        .collect();
    assert!(seen.iter().all(|s| s.code == Some(2)));
    assert_nothing_shows(&seen, &[AWS_KEY_ID, NAMED_VALUE]);
}
