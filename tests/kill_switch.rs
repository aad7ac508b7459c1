//! The emergency path on the local backend, on this repository's own example: a kill switch
//! ships whatever else is wrong (an unrelated flag past its expiry), misspelt filters fail
//! loudly instead of selecting nothing, and `flagops stop --revert` takes a bad flip back,
//! is recorded, and holds the flag at the live value until a commit or `--retry`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{copy_dir, git};

/// Past every storefront release flag's `expires`, before none of the others'.
const LATE: &str = "2028-06-01";

fn flagops(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(args)
        .arg("-C")
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("FLAGOPS_TODAY", LATE)
        .env("FLAGOPS_BACKEND", "local")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_ACTOR")
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

fn example() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root.join("flagops.yaml"), dir.path().join("flagops.yaml")).unwrap();
    copy_dir(&root.join("flags"), &dir.path().join("flags"));
    copy_dir(&root.join("schemas"), &dir.path().join("schemas"));
    std::fs::write(dir.path().join(".gitignore"), "/.flagops/\n").unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.name", "Ann Oncall"]);
    git(dir.path(), &["config", "user.email", "ann@example.com"]);
    commit(dir.path(), "example flags");
    dir
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", message]);
}

/// Turns maintenance mode on in git.
fn flip(dir: &Path) {
    let path = dir.join("flags/ops/switches.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text
        .find("maintenance_mode:")
        .expect("the maintenance flag");
    let off = text[at..].find("enabled: false").expect("it is off") + at;
    let flipped = format!(
        "{}enabled: true{}",
        &text[..off],
        &text[off + "enabled: false".len()..]
    );
    std::fs::write(&path, flipped).unwrap();
    commit(dir, "maintenance mode on");
}

fn codes(out: &Output) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_date_passing_fails_only_the_change_that_touches_the_flag() {
    let dir = example();
    // On main, nothing touches the storefront flags past their expiry: warnings.
    let main = flagops(dir.path(), &["check", "--format", "json"]);
    assert_eq!(main.status.code(), Some(0), "{}", text(&main));
    assert_eq!(
        codes(&main),
        ["FO210 warning", "FO210 warning", "FO210 warning"]
    );

    // A branch that flips the kill switch passes too.
    git(dir.path(), &["checkout", "-q", "-b", "kill-switch"]);
    flip(dir.path());
    let urgent = flagops(dir.path(), &["check", "--format", "json"]);
    assert_eq!(urgent.status.code(), Some(0), "{}", text(&urgent));

    // A branch that edits an expired flag must deal with its expiry.
    git(
        dir.path(),
        &["checkout", "-q", "-b", "touch-search", "main"],
    );
    let path = dir.path().join("flags/storefront/search.yaml");
    let yaml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        yaml.replacen("result_limit: 50", "result_limit: 40", 1),
    )
    .unwrap();
    let touched = flagops(dir.path(), &["check", "--format", "json"]);
    assert_eq!(touched.status.code(), Some(2), "{}", text(&touched));
    assert_eq!(
        codes(&touched),
        ["FO210 warning", "FO210 warning", "FO210 error"]
    );
}

#[test]
fn errors_in_one_application_block_neither_the_kill_switch_nor_drift() {
    let dir = example();
    // A storefront file with a schema error, on main.
    std::fs::write(
        dir.path().join("flags/storefront/broken.yaml"),
        "application: storefront\nprofile: release-flags\nflags:\n  gift_cards:\n    owner: team-growth\n    class: release\n    expires: 2029-01-01\n    colour: blue\n",
    )
    .unwrap();
    commit(dir.path(), "a broken storefront file");
    let check = flagops(dir.path(), &["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(2), "{}", text(&check));

    // The urgent application deploys.
    let apply = flagops(
        dir.path(),
        &["apply", "--app", "ops-switches", "--format", "json"],
    );
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    let doc: serde_json::Value = serde_json::from_slice(&apply.stdout).unwrap();
    let deployed = doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["outcome"] == "deployed")
        .count();
    assert_eq!(deployed, 2, "{doc}");

    // A whole apply ships everything but the targets the broken file feeds, and says so.
    let all = flagops(dir.path(), &["apply", "--format", "json"]);
    assert_eq!(all.status.code(), Some(2), "{}", text(&all));
    let doc: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    let blocked: Vec<String> = doc["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            format!(
                "{}/{}",
                b["environment"].as_str().unwrap(),
                b["profile"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        blocked,
        ["staging/release-flags", "production/release-flags"]
    );
    assert_eq!(doc["blocked"][0]["codes"], serde_json::json!(["FO100"]));
    assert_eq!(
        doc["blocked"][0]["files"],
        serde_json::json!(["flags/storefront/broken.yaml"])
    );

    // Drift is monitoring: it runs, and says what it could not compare.
    let drift = flagops(dir.path(), &["drift", "--format", "markdown"]);
    let out = text(&drift);
    assert_eq!(drift.status.code(), Some(2), "{out}");
    assert!(out.contains("flagops drift"), "{out}");
    assert!(
        out.contains("not compared: storefront/staging/release-flags: held back by check errors (FO100) in flags/storefront/broken.yaml"),
        "{out}"
    );
}

#[test]
fn filters_that_match_nothing_fail_with_a_did_you_mean() {
    let dir = example();
    for (args, expected) in [
        (
            vec!["plan", "--env", "prodution"],
            "did you mean `production`?",
        ),
        (
            vec!["apply", "--app", "storefrnt"],
            "did you mean `storefront`?",
        ),
        (
            vec!["drift", "--profile", "switchs"],
            "did you mean `switches`?",
        ),
        (
            vec!["adopt", "--no-commit", "--flag", "maintenance_mod"],
            "did you mean `maintenance_mode`?",
        ),
        (
            vec!["plan", "--retry", "maintenance_mod"],
            "did you mean `maintenance_mode`?",
        ),
        (
            vec!["check", "flags/ops/switchs.yaml"],
            "did you mean `flags/ops/switches.yaml`?",
        ),
    ] {
        let out = flagops(dir.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(expected), "{args:?}: {}", text(&out));
    }
    // check keeps its cache beside it, in .flagops/cache.
    assert!(
        !dir.path().join(".flagops/local").exists(),
        "nothing touched the backend"
    );
}

#[test]
fn stop_reverts_a_bad_flip_records_it_and_holds_it() {
    let dir = example();
    let ops = ["--app", "ops-switches"];
    assert_eq!(
        flagops(dir.path(), &[&["apply"][..], &ops].concat())
            .status
            .code(),
        Some(0)
    );
    flip(dir.path());
    assert_eq!(
        flagops(dir.path(), &[&["apply"][..], &ops].concat())
            .status
            .code(),
        Some(0)
    );

    // Nothing is rolling out (the local backend deploys at once): stop says so.
    let production = ["--app", "ops-switches", "--env", "production"];
    let nothing = flagops(
        dir.path(),
        &[&["stop", "--reason", "bad flip"][..], &production].concat(),
    );
    assert_eq!(nothing.status.code(), Some(2), "{}", text(&nothing));
    assert!(text(&nothing).contains("no deployment is in progress"));
    let unscoped = flagops(
        dir.path(),
        &["stop", "--app", "ops-switches", "--reason", "x"],
    );
    assert_eq!(
        unscoped.status.code(),
        Some(1),
        "a stop names its environment"
    );

    // A broken file of the same application, mid-incident, does not keep anyone from
    // stopping its rollout.
    let broken = dir.path().join("flags/ops/broken.yaml");
    std::fs::write(
        &broken,
        "application: ops-switches\nprofile: switches\nflags: [\n",
    )
    .unwrap();
    let revert = [
        &[
            "stop",
            "--revert",
            "--reason",
            "maintenance page broke checkout",
            "--format",
            "json",
        ][..],
        &production,
    ]
    .concat();
    let out = flagops(dir.path(), &revert);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["stopped"][0]["state"], "REVERTED", "{doc}");
    assert_eq!(doc["stopped"][0]["profile"], "switches");
    std::fs::remove_file(&broken).unwrap();

    // Recorded, with who and why.
    let list = flagops(dir.path(), &["ledger", "list"]);
    let listed = text(&list);
    assert!(
        listed.contains("revert  ops-switches/production/switches #2  by Ann Oncall: maintenance page broke checkout"),
        "{listed}"
    );

    // Drift sees the revert; plan and apply hold the flag at the live value.
    let drift = flagops(
        dir.path(),
        &[&["drift", "--format", "json"][..], &production].concat(),
    );
    let doc: serde_json::Value = serde_json::from_slice(&drift.stdout).unwrap();
    assert_eq!(doc["findings"][0]["code"], "FO402", "{doc}");
    let apply = flagops(dir.path(), &[&["apply"][..], &production].concat());
    assert_eq!(apply.status.code(), Some(2), "held: {}", text(&apply));
    assert!(
        text(&apply).contains("held: maintenance_mode.enabled stays false"),
        "{}",
        text(&apply)
    );
    // A person who means it retries the flag.
    let retry = flagops(
        dir.path(),
        &[&["apply", "--retry", "maintenance_mode"][..], &production].concat(),
    );
    assert_eq!(retry.status.code(), Some(0), "{}", text(&retry));
    assert!(text(&retry).contains("deployed"), "{}", text(&retry));
}

/// Where fields cannot be held, the whole document is: a Freeform profile reverted stays at
/// its live version, and a profile whose first deployment was reverted stays undeployed,
/// saying that nothing is served. `--retry <profile>` ships either again.
#[test]
fn reverted_freeform_and_first_deployments_are_held_whole() {
    let dir = example();
    let lists = [
        "--app",
        "storefront",
        "--env",
        "production",
        "--profile",
        "workspace-lists",
    ];
    assert_eq!(
        flagops(dir.path(), &[&["apply"][..], &lists].concat())
            .status
            .code(),
        Some(0)
    );
    let path = dir.path().join("flags/storefront/workspace-lists.yaml");
    let yaml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        yaml.replacen(
            "export_rate_limit_per_hour: 20",
            "export_rate_limit_per_hour: 5",
            1,
        ),
    )
    .unwrap();
    commit(dir.path(), "tighter export limit");
    assert_eq!(
        flagops(dir.path(), &[&["apply"][..], &lists].concat())
            .status
            .code(),
        Some(0)
    );
    let stop = [
        &["stop", "--revert", "--reason", "exports failing"][..],
        &lists,
    ]
    .concat();
    assert_eq!(flagops(dir.path(), &stop).status.code(), Some(0));
    let again = flagops(dir.path(), &[&["apply"][..], &lists].concat());
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(
        text(&again).contains("held: the whole workspace-lists document stays at the live version since deployment #2 was REVERTED"),
        "{}",
        text(&again)
    );
    let retry = flagops(
        dir.path(),
        &[&["apply", "--retry", "workspace-lists"][..], &lists].concat(),
    );
    assert_eq!(retry.status.code(), Some(0), "{}", text(&retry));
    assert!(text(&retry).contains("deployed"), "{}", text(&retry));

    // The first deployment of the switches to staging, reverted: nothing is served.
    let staging = ["--app", "ops-switches", "--env", "staging"];
    assert_eq!(
        flagops(dir.path(), &[&["apply"][..], &staging].concat())
            .status
            .code(),
        Some(0)
    );
    let stop = [
        &["stop", "--revert", "--reason", "wrong environment"][..],
        &staging,
    ]
    .concat();
    assert_eq!(flagops(dir.path(), &stop).status.code(), Some(0));
    let plan = flagops(dir.path(), &[&["plan"][..], &staging].concat());
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));
    assert!(
        text(&plan).contains("held: the whole switches document stays undeployed: nothing is served since deployment #1 was REVERTED"),
        "{}",
        text(&plan)
    );
    let apply = flagops(dir.path(), &[&["apply"][..], &staging].concat());
    assert!(
        text(&apply).contains("unchanged"),
        "not redeployed: {}",
        text(&apply)
    );
    let drift = flagops(dir.path(), &[&["drift"][..], &staging].concat());
    assert!(
        text(&drift).contains("nothing is served for this profile here"),
        "{}",
        text(&drift)
    );
}

/// Two rejected deployments, each blamed for its own flags: a person reverts the maintenance
/// flip (#2); the next apply holds it and ships the kill switch (#3), which is reverted too.
/// drift lists maintenance_mode under #2 only and payments_kill_switch under #3 only.
#[test]
fn each_rejected_deployment_is_blamed_for_its_own_flags_only() {
    let dir = example();
    let production = ["--app", "ops-switches", "--env", "production"];
    let apply = [&["apply"][..], &production].concat();
    assert_eq!(flagops(dir.path(), &apply).status.code(), Some(0));
    flip(dir.path());
    assert_eq!(flagops(dir.path(), &apply).status.code(), Some(0));
    let revert = [&["stop", "--revert", "--reason", "r"][..], &production].concat();
    assert_eq!(flagops(dir.path(), &revert).status.code(), Some(0));

    let path = dir.path().join("flags/ops/switches.yaml");
    let yaml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        yaml.replacen(
            "production: { enabled: false }",
            "production: { enabled: true }",
            1,
        ),
    )
    .unwrap();
    commit(dir.path(), "payments off");
    let shipped = flagops(dir.path(), &[&apply[..], &["--format", "json"]].concat());
    let doc: serde_json::Value = serde_json::from_slice(&shipped.stdout).unwrap();
    assert_eq!(doc["targets"][0]["deployment"], 3, "{doc}");
    assert_eq!(flagops(dir.path(), &revert).status.code(), Some(0));

    let drift = flagops(
        dir.path(),
        &[&["drift", "--format", "json"][..], &production].concat(),
    );
    let doc: serde_json::Value = serde_json::from_slice(&drift.stdout).unwrap();
    let blamed: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let flags: Vec<&str> = f["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|flag| flag["key"].as_str().unwrap())
                .collect();
            format!("#{} {}", f["deployment"], flags.join(","))
        })
        .collect();
    assert_eq!(
        blamed,
        ["#3 payments_kill_switch", "#2 maintenance_mode"],
        "{doc}"
    );
}
