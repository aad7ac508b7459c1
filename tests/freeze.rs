//! Deployment freezes on the local backend, with "now" injected (`FLAGOPS_NOW`): apply holds
//! changes to a frozen environment back (exit 2, naming the freeze) and deploys the rest,
//! kill switches and ops flags included (exempt by default); plan says what is frozen and
//! what unlocks it; `--break-glass --reason "<why>"`, scoped with `--app`/`--env`, deploys only
//! that scope and records who, why and what in the drift ledger before anything goes out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const FREEZE: &str = "
freezes:
  - environments: [production]
    from: 2026-12-20T00:00:00Z
    until: 2027-01-04T00:00:00Z
    reason: Holiday freeze
";

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Ann Oncall",
            "-c",
            "user.email=ann@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The example repository with a freeze of production over the holidays, committed.
fn repo() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let config = std::fs::read_to_string(root.join("flagops.yaml")).unwrap();
    std::fs::write(dir.path().join("flagops.yaml"), config + FREEZE).unwrap();
    copy(&root.join("flags"), &dir.path().join("flags"));
    copy(&root.join("schemas"), &dir.path().join("schemas"));
    std::fs::write(dir.path().join(".gitignore"), "/.flagops/\n").unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.name", "Ann Oncall"]);
    git(dir.path(), &["config", "user.email", "ann@example.com"]);
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &["commit", "-qm", "flags with a holiday freeze"],
    );
    dir
}

fn flagops(dir: &Path, now: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(args)
        .args(["--backend", "local"])
        .arg("-C")
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("FLAGOPS_NOW", now)
        .env("FLAGOPS_TODAY", "2026-11-22")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTOR")
        .env_remove("GITHUB_OUTPUT")
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "JSON: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn outcomes(doc: &Value) -> Vec<String> {
    doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{}/{}/{} {}",
                t["application"].as_str().unwrap(),
                t["environment"].as_str().unwrap(),
                t["profile"].as_str().unwrap(),
                t["outcome"].as_str().unwrap()
            )
        })
        .collect()
}

const IN_FREEZE: &str = "2026-12-24T10:00:00Z";

#[test]
fn a_frozen_environment_is_held_back_and_the_rest_deploys() {
    let dir = repo();
    let human = flagops(dir.path(), IN_FREEZE, &["apply"]);
    assert_eq!(human.status.code(), Some(2));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("storefront/production/release-flags: FROZEN, not deployed: freeze #1 \"Holiday freeze\" (2026-12-20T00:00:00Z to 2027-01-04T00:00:00Z)")
            && text.contains("2 targets held back by a freeze"),
        "{text}"
    );
    // The kill switch and the maintenance toggle are exempt: they ship during the freeze.
    assert!(
        text.contains("ops-switches/production/switches: deployed"),
        "{text}"
    );
    // Staging went out; production's release flags and lists are still to be created.
    let plan = flagops(dir.path(), IN_FREEZE, &["plan", "--format", "json"]);
    let doc = json(&plan);
    let changing: Vec<&str> = doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["action"] != "unchanged")
        .map(|t| t["environment"].as_str().unwrap())
        .collect();
    assert_eq!(changing, ["production", "production"]);

    // Again, as JSON: the freeze is named for each held target.
    let again = flagops(dir.path(), IN_FREEZE, &["apply", "--format", "json"]);
    assert_eq!(again.status.code(), Some(2));
    let doc = json(&again);
    let held = doc["freezes"]["held"].as_array().unwrap();
    assert_eq!(held.len(), 2);
    assert_eq!(held[0]["environment"], "production");
    assert_eq!(held[0]["freeze"]["reason"], "Holiday freeze");
    assert_eq!(held[0]["freeze"]["index"], 0);

    // Once the freeze is over (`until` is exclusive), everything goes out.
    let after = flagops(
        dir.path(),
        "2027-01-04T00:00:00Z",
        &["apply", "--format", "json"],
    );
    assert_eq!(after.status.code(), Some(0));
    let doc = json(&after);
    assert!(doc.get("freezes").is_none(), "{doc}");
    assert_eq!(
        outcomes(&doc)
            .iter()
            .filter(|o| o.ends_with(" deployed"))
            .count(),
        2
    );
}

#[test]
fn plan_says_what_is_frozen_and_what_unlocks_it() {
    let dir = repo();
    let plan = flagops(dir.path(), IN_FREEZE, &["plan", "--format", "json"]);
    assert_eq!(plan.status.code(), Some(2));
    let frozen: Vec<String> = json(&plan)["frozen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}/{}",
                f["application"].as_str().unwrap(),
                f["profile"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        frozen,
        ["storefront/release-flags", "storefront/workspace-lists"]
    );
    let human = flagops(dir.path(), IN_FREEZE, &["plan"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("storefront/production/release-flags: frozen by freeze #1 \"Holiday freeze\" until 2027-01-04T00:00:00Z")
            && text.contains("flagops apply --break-glass --app storefront --env production --profile release-flags --reason"),
        "{text}"
    );
    let after = flagops(
        dir.path(),
        "2027-01-05T00:00:00Z",
        &["plan", "--format", "json"],
    );
    assert!(
        json(&after).get("frozen").is_none(),
        "nothing is frozen after the freeze"
    );
}

#[test]
fn break_glass_deploys_through_the_freeze_and_is_recorded() {
    let dir = repo();
    let scope = ["--app", "storefront", "--env", "production"];
    let empty = flagops(
        dir.path(),
        IN_FREEZE,
        &["apply", "--break-glass", "--reason", " "],
    );
    assert_eq!(empty.status.code(), Some(1), "a reason is required");
    let none = flagops(dir.path(), IN_FREEZE, &["apply", "--break-glass"]);
    assert_eq!(none.status.code(), Some(1), "--reason is required");
    let everything = flagops(
        dir.path(),
        IN_FREEZE,
        &["apply", "--break-glass", "--reason", "x"],
    );
    assert_eq!(everything.status.code(), Some(1), "a scope is required");
    assert!(String::from_utf8_lossy(&everything.stderr).contains("needs a scope"));
    assert!(
        !dir.path().join(".flagops/local/state.json").exists(),
        "nothing was deployed by a refused break-glass"
    );

    let out = flagops(
        dir.path(),
        IN_FREEZE,
        &[
            "apply",
            "--format",
            "json",
            "--break-glass",
            "--reason",
            "Payments outage: ship the fix",
            scope[0],
            scope[1],
            scope[2],
            scope[3],
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    assert_eq!(
        outcomes(&doc)
            .iter()
            .filter(|o| o.ends_with(" deployed"))
            .count(),
        2,
        "only the scope ships: {doc}"
    );
    let freezes = &doc["freezes"];
    assert_eq!(freezes["break_glass"], "Payments outage: ship the fix");
    assert_eq!(freezes["broken"].as_array().unwrap().len(), 2);
    let id = freezes["ledger_record"]
        .as_str()
        .expect("a ledger record id");

    // The deployments that went through the glass name the record.
    let state = std::fs::read_to_string(dir.path().join(".flagops/local/state.json")).unwrap();
    assert!(
        state.contains(&format!("break-glass={id}")),
        "deployment descriptions carry the record id"
    );

    // The record is on the ledger branch, committed without touching the checkout.
    let path = format!("ledger/{}-{}/{id}.json", &id[..4], &id[4..6]);
    let record: Value = serde_json::from_str(&git(
        dir.path(),
        &["show", &format!("flagops/drift-ledger:{path}")],
    ))
    .unwrap();
    assert_eq!(record["type"], "break-glass");
    assert_eq!(record["reason"], "Payments outage: ship the fix");
    assert_eq!(record["by"], "Ann Oncall");
    assert_eq!(
        record["targets"],
        serde_json::json!([
            "storefront/production/release-flags",
            "storefront/production/workspace-lists"
        ])
    );
    assert_eq!(
        record["freezes"],
        serde_json::json!(["Holiday freeze (2026-12-20T00:00:00Z to 2027-01-04T00:00:00Z)"])
    );
    assert_eq!(
        record["commit"],
        git(dir.path(), &["rev-parse", "HEAD"]).trim()
    );
    assert!(
        !dir.path().join(&path).exists(),
        "the working tree is untouched"
    );
    let list = Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(["ledger", "list", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&list.stdout)
            .contains("break-glass  storefront/production/release-flags"),
        "{}",
        String::from_utf8_lossy(&list.stdout)
    );

    // With nothing frozen left to change, breaking the glass records nothing.
    let again = ["apply", "--break-glass", "--reason", "again"];
    let calm = flagops(dir.path(), IN_FREEZE, &[&again[..], &scope[..]].concat());
    assert_eq!(calm.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&calm.stdout).contains("no change was frozen, nothing to record")
    );
    assert_eq!(
        git(dir.path(), &["log", "--oneline", "flagops/drift-ledger"])
            .lines()
            .count(),
        2,
        "the initial commit and one break-glass record"
    );
}

#[test]
fn a_frozen_environment_keeps_its_alarms_until_the_freeze_ends_and_says_so() {
    let dir = repo();
    let after = "2027-01-05T00:00:00Z";
    assert_eq!(
        flagops(dir.path(), after, &["apply"]).status.code(),
        Some(0)
    );
    // A new alarm for production, merged during the freeze.
    let path = dir.path().join("flagops.yaml");
    let config = std::fs::read_to_string(&path)
        .unwrap()
        .replace("alarm:storefront-5xx-rate", "alarm:storefront-p99-latency");
    std::fs::write(&path, config).unwrap();
    git(dir.path(), &["commit", "-qam", "watch latency too"]);

    let plan = flagops(dir.path(), IN_FREEZE, &["plan"]);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert_eq!(plan.status.code(), Some(2), "{text}");
    assert!(
        text.contains("environment storefront/production: monitors")
            && text.contains("kept: frozen by freeze #1 \"Holiday freeze\""),
        "plan shows the alarm change waiting for the freeze: {text}"
    );
    let apply = flagops(dir.path(), IN_FREEZE, &["apply"]);
    let text = String::from_utf8_lossy(&apply.stdout);
    assert_eq!(
        apply.status.code(),
        Some(2),
        "held setup needs a human: {text}"
    );
    assert!(!text.contains("updated environment"), "{text}");

    let apply = flagops(dir.path(), after, &["apply"]);
    let text = String::from_utf8_lossy(&apply.stdout);
    assert_eq!(apply.status.code(), Some(0), "{text}");
    assert!(
        text.contains("updated environment storefront/production"),
        "{text}"
    );
    assert_eq!(flagops(dir.path(), after, &["plan"]).status.code(), Some(0));
}
