//! The README quickstart on this repository's own example: plan → apply → plan, against the
//! local backend (no AWS account), with the AppConfig Agent's files written for apps.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use support::copy_dir as copy;
use support::git;

use std::path::Path;
use std::process::{Command, Output};

fn flagops(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(args)
        .arg("-C")
        .arg(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("FLAGOPS_BACKEND")
        .output()
        .unwrap()
}

/// This repository's example, committed on `main` in a directory of its own.
fn example_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    example_in(dir.path(), dir.path());
    dir
}

/// The example copied to `flags_root` inside `work_tree`, committed there on `main`.
fn example_in(work_tree: &Path, flags_root: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(flags_root).unwrap();
    std::fs::copy(root.join("flagops.yaml"), flags_root.join("flagops.yaml")).unwrap();
    std::fs::copy(root.join(".gitignore"), flags_root.join(".gitignore")).unwrap();
    copy(&root.join("flags"), &flags_root.join("flags"));
    copy(&root.join("schemas"), &flags_root.join("schemas"));
    git(work_tree, &["init", "-q", "-b", "main"]);
    git(work_tree, &["add", "-A"]);
    git(work_tree, &["commit", "-qm", "example flags"]);
}

#[test]
fn plan_apply_plan_on_the_local_backend() {
    let dir = example_repository();

    let first = flagops(dir.path(), &["plan", "--backend", "local"]);
    assert_eq!(
        first.status.code(),
        Some(2),
        "everything is created: {}",
        String::from_utf8_lossy(&first.stdout)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("6 of 6 targets change"));

    let apply = flagops(dir.path(), &["apply", "--backend", "local"]);
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&apply.stdout),
        String::from_utf8_lossy(&apply.stderr)
    );
    assert!(String::from_utf8_lossy(&apply.stdout).contains("6 deployed"));

    let again = flagops(dir.path(), &["plan", "--backend", "local"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "plan right after apply is empty: {}",
        String::from_utf8_lossy(&again.stdout)
    );
    let drift = flagops(dir.path(), &["drift", "--backend", "local"]);
    assert_eq!(
        drift.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&drift.stdout)
    );

    // What the AppConfig Agent (LOCAL_DEVELOPMENT_DIRECTORY) serves to applications.
    let served = dir.path().join(".flagops/local/served");
    let switches: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(served.join("ops-switches:production:switches.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        switches["maintenance_mode"],
        serde_json::json!({"enabled": false})
    );
    assert!(served.join("storefront:production:release-flags.application%ion%type=AWS.AppConfig.FeatureFlags").exists(), "variants make it Ion");
}

/// The example applied to the local backend, then a commit that turns maintenance mode on
/// which apply has not deployed.
fn applied_then_maintenance_on() -> tempfile::TempDir {
    let dir = example_repository();
    maintenance_on(dir.path());
    dir
}

/// Applies the example at `dir`, then commits maintenance mode on without applying it.
fn maintenance_on(dir: &Path) {
    let apply = flagops(dir, &["apply", "--backend", "local"]);
    assert_eq!(apply.status.code(), Some(0));
    let file = dir.join("flags/ops/switches.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("enabled: false", "enabled: true", 1)).unwrap();
    git(dir, &["commit", "-qam", "maintenance on"]);
}

#[test]
fn drift_annotations_and_sarif_land_on_the_drifted_flag() {
    // A merged change apply has not deployed yet: drift on maintenance_mode (line 6).
    let dir = applied_then_maintenance_on();

    let github = flagops(
        dir.path(),
        &["drift", "--backend", "local", "--format", "github"],
    );
    let out = String::from_utf8_lossy(&github.stdout);
    // flagops's own work under way is not drift: exit 0, unless asked.
    assert_eq!(github.status.code(), Some(0), "{out}");
    let strict = flagops(
        dir.path(),
        &["drift", "--backend", "local", "--fail-on", "pending"],
    );
    assert_eq!(strict.status.code(), Some(2));
    let annotation = out
        .lines()
        .find(|l| l.contains("title=FO407 pending"))
        .unwrap_or_else(|| panic!("no pending annotation: {out}"));
    assert!(
        annotation.starts_with(
            "::warning file=flags/ops/switches.yaml,line=6,col=3,endLine=6,endColumn=19,"
        ),
        "{annotation}"
    );
    assert!(annotation.contains("maintenance_mode"), "{annotation}");

    let sarif = flagops(
        dir.path(),
        &["drift", "--backend", "local", "--format", "sarif"],
    );
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    support::sarif::assert_valid(&log, "drift --format sarif");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let pending: Vec<_> = results.iter().filter(|r| r["ruleId"] == "FO407").collect();
    // One per environment the flag drifted in: staging and production.
    assert_eq!(pending.len(), 2, "{results:#?}");
    for result in pending {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "flags/ops/switches.yaml"
        );
        assert_eq!(location["region"]["startLine"], 6);
        assert_eq!(location["region"]["endLine"], 6);
        assert_eq!(location["region"]["endColumn"], 19);
    }
}

#[test]
fn drift_paths_start_at_the_git_root_when_flagops_yaml_is_in_a_subfolder() {
    let work_tree = tempfile::tempdir().unwrap();
    let dir = work_tree.path().join("deploy/flags repo");
    example_in(work_tree.path(), &dir);
    maintenance_on(&dir);

    let github = flagops(&dir, &["drift", "--backend", "local", "--format", "github"]);
    let out = String::from_utf8_lossy(&github.stdout);
    let annotation = out
        .lines()
        .find(|l| l.contains("title=FO407 pending"))
        .unwrap_or_else(|| panic!("no pending annotation: {out}"));
    assert!(
        annotation.starts_with("::warning file=deploy/flags repo/flags/ops/switches.yaml,line=6,"),
        "{annotation}"
    );

    let sarif = flagops(&dir, &["drift", "--backend", "local", "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    support::sarif::assert_valid(&log, "drift --format sarif in a subfolder");
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(!uris.is_empty());
    assert!(
        uris.iter().all(|u| u.starts_with("deploy/flags%20repo/")),
        "{uris:?}"
    );
}

#[test]
fn adopt_and_ledger_report_as_json() {
    // git now says maintenance mode is on; AppConfig still serves it off.
    let dir = applied_then_maintenance_on();
    let file = dir.path().join("flags/ops/switches.yaml");

    let adopt = flagops(
        dir.path(),
        &[
            "adopt",
            "--backend",
            "local",
            "--no-commit",
            "--format",
            "json",
        ],
    );
    assert_eq!(adopt.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&adopt.stdout).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["command"], "adopt");
    assert!(
        report["backend"]
            .as_str()
            .is_some_and(|b| b.starts_with("local backend ")),
        "adopt names where it read: {report}"
    );
    assert_eq!(report["written"]["kind"], "edited");
    let changes = report["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["file"] == "flags/ops/switches.yaml"
                && c["what"].as_str().unwrap().starts_with("maintenance_mode")
                && c["value"] == false),
        "{report:#}"
    );
    // Targets are named as in every other JSON report: their three names at the top level.
    assert_eq!(
        report["targets"][0]["application"], "ops-switches",
        "{report:#}"
    );
    // Written as the most specific value: the environment's.
    let edited = std::fs::read_to_string(&file).unwrap();
    assert!(
        edited.contains("      production:\n        enabled: false\n"),
        "{edited}"
    );

    let ledger = flagops(dir.path(), &["ledger", "list", "--format", "json"]);
    assert_eq!(ledger.status.code(), Some(0));
    let listing: serde_json::Value = serde_json::from_slice(&ledger.stdout).unwrap();
    assert_eq!(listing["command"], "ledger");
    assert_eq!(listing["open"], 0);
    assert_eq!(listing["records"], serde_json::json!([]));
}

/// What compile prints is byte for byte what apply uploads: `1.0e2` in YAML is `100` in both,
/// and the SHA-256 of compile's file is the plan's digest.
#[test]
fn compile_prints_the_bytes_apply_uploads() {
    let dir = example_repository();
    let flags = dir.path().join("flags/storefront/checkout.yaml");
    let text = std::fs::read_to_string(&flags).unwrap();
    let edited = text.replacen("max_cart_items: 100", "max_cart_items: 1.0e2", 1);
    assert_ne!(edited, text, "the example sets max_cart_items: 100");
    std::fs::write(&flags, edited).unwrap();
    git(
        dir.path(),
        &["commit", "-qam", "max_items in exponent form"],
    );

    let out = tempfile::tempdir().unwrap();
    let compiled = flagops(
        dir.path(),
        &["compile", "--out", out.path().to_str().unwrap()],
    );
    assert_eq!(compiled.status.code(), Some(0));
    let file = out.path().join("storefront/production/release-flags.json");
    let bytes = std::fs::read(&file).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("\"max_cart_items\":100"), "{text}");
    assert!(!text.contains("1.0e2") && !text.contains("100.0"), "{text}");

    let plan = flagops(
        dir.path(),
        &["plan", "--backend", "local", "--format", "json"],
    );
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let digest = plan["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["environment"] == "production" && t["profile"] == "release-flags")
        .unwrap()["digest"]
        .clone();
    use sha2::Digest as _;
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, serde_json::json!(sha));

    assert_eq!(
        flagops(dir.path(), &["apply", "--backend", "local"])
            .status
            .code(),
        Some(0)
    );
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".flagops/local/state.json")).unwrap(),
    )
    .unwrap();
    let uploaded: Vec<&str> = state["applications"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["profiles"].as_array().unwrap())
        .filter(|p| p["name"] == "release-flags")
        .flat_map(|p| p["versions"].as_array().unwrap())
        .filter_map(|v| v["content"].as_str())
        .collect();
    assert!(
        uploaded.contains(&text.as_ref()),
        "apply uploaded compile's bytes: {uploaded:?}"
    );
}

/// apply on a terminal draws a bar per target (a pseudo-terminal from `script`); piped, the
/// same run prints plain lines, as the other tests read them.
#[test]
fn apply_on_a_terminal_draws_a_bar_per_target() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("flagops.yaml"), dir.path().join("flagops.yaml")).unwrap();
    support::copy_dir(&root.join("flags"), &dir.path().join("flags"));
    support::copy_dir(&root.join("schemas"), &dir.path().join("schemas"));
    support::git(dir.path(), &["init", "-q", "-b", "main"]);
    support::git(dir.path(), &["add", "-A"]);
    support::git(dir.path(), &["commit", "-qm", "example flags"]);
    let flagops = env!("CARGO_BIN_EXE_flagops");
    let line = format!(
        "{flagops} apply --backend local -C {} --today 2026-11-22",
        dir.path().display()
    );
    let mut command = Command::new("script");
    support::isolated(&mut command)
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm");
    let out = command.output().expect("script (util-linux) runs");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(
        screen.contains("storefront/production/release-flags [====================] 100%"),
        "a full bar for each target on the terminal: {screen}"
    );
    assert!(
        !screen.contains("[storefront/production/release-flags] deployment"),
        "no plain progress lines under the bars: {screen}"
    );
}

/// drift's JSON says where to fix each finding, as its annotations do: the flag's node.
#[test]
fn drift_json_locates_each_drifted_flag_at_its_node() {
    let work_tree = tempfile::tempdir().unwrap();
    let dir = work_tree.path().join("flags repo");
    example_in(work_tree.path(), &dir);
    maintenance_on(&dir);
    let out = flagops(&dir, &["drift", "--backend", "local", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let located: Vec<String> = (doc["findings"].as_array().unwrap().iter())
        .flat_map(|f| {
            let env = f["environment"].as_str().unwrap();
            f["locations"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |l| (env, l))
        })
        .map(|(env, l)| {
            format!(
                "{env} {} {}:{}:{} {}",
                l["flag"].as_str().unwrap_or("-"),
                l["file"].as_str().unwrap(),
                l["line"],
                l["column"],
                l["yaml_path"].as_str().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        located,
        [
            "staging maintenance_mode flags/ops/switches.yaml:6:3 /flags/maintenance_mode",
            "production maintenance_mode flags/ops/switches.yaml:6:3 /flags/maintenance_mode"
        ],
        "{doc:#}"
    );
}
