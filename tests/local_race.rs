//! Two applies of one commit at once against the local backend: both succeed, one
//! deployment per changed environment, no duplicate label, one strategy per name.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::process::Stdio;

use support::{Repo, flagops_command, stderr, stdout};

#[test]
fn two_local_applies_at_once_deploy_each_environment_once() {
    let repo = Repo::new(support::TWO_ENVIRONMENTS);
    for round in 0..3 {
        if round > 0 {
            repo.edit(
                "flags/shop.yaml",
                &format!("values: {{ max_items: {} }}", 9 + round),
                &format!("values: {{ max_items: {} }}", 10 + round),
                "next cart size",
            );
        }
        let spawn = || {
            flagops_command(
                repo.path(),
                "http://127.0.0.1:9",
                &["apply", "--backend", "local"],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("flagops runs")
        };
        let (a, b) = (spawn(), spawn());
        for out in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {round}:\n{}\n{}",
                stdout(&out),
                stderr(&out)
            );
        }
    }
    let state: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo.path().join(".flagops/local/state.json")).expect("state"),
    )
    .expect("JSON");
    let pretty = serde_json::to_string_pretty(&state).unwrap();
    assert_eq!(
        state["strategies"].as_array().map(Vec::len),
        Some(1),
        "{pretty}"
    );
    let apps = state["applications"].as_array().expect("apps");
    assert_eq!(apps.len(), 1, "{pretty}");
    for env in apps[0]["environments"].as_array().expect("envs") {
        let versions: Vec<&str> = env["deployments"]
            .as_array()
            .expect("deployments")
            .iter()
            .map(|d| d["version"].as_str().unwrap_or_default())
            .collect();
        let mut unique = versions.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            unique.len(),
            versions.len(),
            "a version deployed twice: {pretty}"
        );
    }
    let mut labels: Vec<&str> = apps[0]["profiles"][0]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["label"].as_str().unwrap_or_default())
        .collect();
    let n = labels.len();
    labels.sort_unstable();
    labels.dedup();
    assert_eq!(labels.len(), n, "a duplicate label: {pretty}");
}
