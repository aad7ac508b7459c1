//! The GitHub integration users copy (.github/workflows/flagops-*.yml, action.yml and
//! .pre-commit-hooks.yaml), read with flagops's own YAML loader and held to the properties that
//! keep it safe: actions pinned to commits, least privilege, one apply at a time, no AWS
//! credentials for pull requests from forks, and no template expansion inside scripts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

/// A job's permissions: (scope, level).
type Permissions = &'static [(&'static str, &'static str)];

/// The workflows users copy, and the permissions each of their jobs may hold.
const WORKFLOWS: [(&str, &[(&str, Permissions)]); 4] = [
    (
        "flagops-check.yml",
        &[
            (
                "check",
                &[
                    ("contents", "read"),
                    ("security-events", "write"),
                    ("actions", "read"),
                ],
            ),
            (
                "plan",
                &[
                    ("contents", "read"),
                    ("id-token", "write"),
                    ("pull-requests", "write"),
                ],
            ),
        ],
    ),
    (
        "flagops-apply.yml",
        &[
            ("apply", &[("contents", "read"), ("id-token", "write")]),
            (
                "record",
                &[
                    ("contents", "write"),
                    ("id-token", "write"),
                    ("pull-requests", "write"),
                ],
            ),
        ],
    ),
    (
        "flagops-apply-approved.yml",
        &[
            ("plan", &[("contents", "read"), ("id-token", "write")]),
            ("apply", &[("contents", "read"), ("id-token", "write")]),
        ],
    ),
    (
        "flagops-drift.yml",
        &[(
            "drift",
            &[
                // To wait for a running apply.
                ("actions", "read"),
                ("contents", "read"),
                ("id-token", "write"),
                ("issues", "write"),
            ],
        )],
    ),
];

const AWS_CREDENTIALS: &str = "aws-actions/configure-aws-credentials";
const CHECKOUT: &str = "actions/checkout";

fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A YAML file's text and its value, through the loader `flagops check` uses.
fn load(relative: &str) -> (String, Value) {
    let text = std::fs::read_to_string(path(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"));
    let (doc, problems) = flagops::load::yaml::parse(&text)
        .unwrap_or_else(|p| panic!("{relative} is not valid YAML: {}", p.message));
    assert!(problems.is_empty(), "{relative}: {problems:?}");
    (text, doc.value)
}

fn workflow(name: &str) -> (String, Value) {
    load(&format!(".github/workflows/{name}"))
}

/// Every workflow of the repository: the ones users copy and the project's own CI.
fn all_workflows() -> Vec<(String, String, Value)> {
    let mut names: Vec<String> = std::fs::read_dir(path(".github/workflows"))
        .expect(".github/workflows exists")
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let (text, value) = workflow(&n);
            (n, text, value)
        })
        .collect()
}

fn jobs(workflow: &Value) -> &serde_json::Map<String, Value> {
    workflow["jobs"].as_object().expect("jobs is a mapping")
}

fn steps(job: &Value) -> &[Value] {
    job["steps"].as_array().map_or(&[], Vec::as_slice)
}

fn uses(step: &Value) -> Option<&str> {
    step.get("uses").and_then(Value::as_str)
}

/// Every `uses:` of a workflow (steps and reusable-workflow jobs) or of a composite action.
fn all_uses(value: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some(jobs) = value.get("jobs").and_then(Value::as_object) {
        for job in jobs.values() {
            out.extend(uses(job));
            out.extend(steps(job).iter().filter_map(uses));
        }
    }
    if let Some(runs) = value.get("runs") {
        out.extend(steps(runs).iter().filter_map(uses));
    }
    out
}

/// Every `run:` script of a workflow or composite action.
fn all_scripts(value: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some(jobs) = value.get("jobs").and_then(Value::as_object) {
        for job in jobs.values() {
            out.extend(steps(job).iter().filter_map(|s| s["run"].as_str()));
        }
    }
    if let Some(runs) = value.get("runs") {
        out.extend(steps(runs).iter().filter_map(|s| s["run"].as_str()));
    }
    out
}

fn is_local(uses: &str) -> bool {
    uses.starts_with("./") || uses.starts_with("$/")
}

#[test]
fn every_third_party_action_is_pinned_to_a_full_commit_sha() {
    let pinned = regex::Regex::new(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@\s]+)?@[0-9a-f]{40}$")
        .expect("valid regex");
    let mut files = all_workflows();
    let (text, value) = load("action.yml");
    files.push(("action.yml".to_owned(), text, value));
    for (name, text, value) in &files {
        for uses in all_uses(value) {
            if is_local(uses) {
                continue;
            }
            assert!(
                pinned.is_match(uses),
                "{name}: `{uses}` is not pinned to a full commit sha"
            );
            // The version the sha stands for is written beside it, for reviewers and updates.
            let line = text
                .lines()
                .find(|l| l.contains(uses))
                .expect("the uses line is in the text");
            let comment = line.split_once(" # ").map(|(_, c)| c.trim());
            assert!(
                comment
                    .is_some_and(|c| c.starts_with('v')
                        && c[1..].starts_with(|ch: char| ch.is_ascii_digit())),
                "{name}: `{uses}` has no `# vX.Y.Z` comment naming its version: {line}"
            );
        }
    }
}

#[test]
fn each_action_is_pinned_to_one_commit_across_the_integration() {
    let mut seen: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut files: Vec<(String, Value)> = WORKFLOWS
        .iter()
        .map(|(name, _)| (name.to_string(), workflow(name).1))
        .collect();
    files.push(("action.yml".to_owned(), load("action.yml").1));
    for (name, value) in &files {
        for uses in all_uses(value).into_iter().filter(|u| !is_local(u)) {
            let (action, sha) = uses.split_once('@').expect("pinned");
            let repo: String = action.split('/').take(2).collect::<Vec<_>>().join("/");
            if let Some((other, other_file)) = seen.get(&repo) {
                assert_eq!(
                    other, sha,
                    "{repo} is pinned to {sha} in {name} but to {other} in {other_file}"
                );
            } else {
                seen.insert(repo, (sha.to_owned(), name.clone()));
            }
        }
    }
}

#[test]
fn top_level_permissions_grant_at_most_read_access_to_contents() {
    for (name, _, value) in all_workflows() {
        let permissions = value
            .get("permissions")
            .unwrap_or_else(|| panic!("{name} has no top-level permissions"));
        let restrictive = match permissions {
            Value::Object(map) => map
                .iter()
                .all(|(scope, level)| scope == "contents" && level == "read"),
            _ => false,
        };
        assert!(
            restrictive,
            "{name}: top-level permissions must be {{}} or {{ contents: read }}, got {permissions}"
        );
    }
}

#[test]
fn each_job_holds_exactly_the_permissions_it_needs() {
    for (name, expected_jobs) in WORKFLOWS {
        let (_, value) = workflow(name);
        let jobs = jobs(&value);
        let expected_ids: Vec<&str> = expected_jobs.iter().map(|(id, _)| *id).collect();
        let mut ids: Vec<&str> = jobs.keys().map(String::as_str).collect();
        ids.sort_unstable();
        let mut sorted = expected_ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "{name}: unexpected jobs");
        for (id, expected) in expected_jobs.iter() {
            let job = &jobs[*id];
            let actual: BTreeMap<&str, &str> = job["permissions"]
                .as_object()
                .unwrap_or_else(|| panic!("{name}: job {id} declares no permissions"))
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().expect("a permission level")))
                .collect();
            let expected: BTreeMap<&str, &str> = expected.iter().copied().collect();
            assert_eq!(actual, expected, "{name}: permissions of job {id}");

            // An OIDC token only where AWS credentials are configured, and the other way round.
            let assumes_role = steps(job)
                .iter()
                .filter_map(uses)
                .any(|u| u.starts_with(AWS_CREDENTIALS));
            assert_eq!(
                assumes_role,
                actual.get("id-token") == Some(&"write"),
                "{name}: job {id}: id-token: write goes with configure-aws-credentials"
            );
        }
    }
}

#[test]
fn flagops_is_built_before_any_aws_credentials_exist_in_the_job() {
    for (name, _) in WORKFLOWS {
        let (_, value) = workflow(name);
        for (id, job) in jobs(&value) {
            let steps = steps(job);
            let Some(credentials) = steps
                .iter()
                .position(|s| uses(s).is_some_and(|u| u.starts_with(AWS_CREDENTIALS)))
            else {
                continue;
            };
            assert!(
                steps[..credentials]
                    .iter()
                    .any(|s| uses(s).is_some_and(is_local)),
                "{name}: job {id} assumes an AWS role before flagops is installed"
            );
        }
    }
}

#[test]
fn applies_are_serialized_for_the_whole_repository_and_never_cancelled() {
    let (_, value) = workflow("flagops-apply.yml");
    let concurrency = &value["concurrency"];
    let group = concurrency["group"]
        .as_str()
        .expect("the apply workflow has a concurrency group");
    assert!(
        !group.contains("${{"),
        "the apply concurrency group must be constant, not keyed by commit or ref: {group}"
    );
    assert_eq!(
        concurrency["cancel-in-progress"],
        Value::Bool(false),
        "a later push must wait for a running apply, never cancel it"
    );
    for (id, job) in jobs(&value) {
        assert!(
            job.get("concurrency").is_none(),
            "job {id} must not override the workflow's concurrency"
        );
    }
    let push = &value["on"]["push"];
    assert!(
        push["branches"].as_array().is_some_and(|b| !b.is_empty()),
        "apply runs on pushes to the default branch only"
    );
}

#[test]
fn pull_requests_from_forks_get_no_plan_and_no_credentials() {
    for (name, _, value) in all_workflows() {
        let triggers = &value["on"];
        for dangerous in ["pull_request_target", "workflow_run"] {
            assert!(
                triggers.get(dangerous).is_none(),
                "{name} must not run on {dangerous}"
            );
        }
    }
    let (_, value) = workflow("flagops-check.yml");
    assert!(value["on"].get("pull_request").is_some());
    let jobs = jobs(&value);
    assert!(jobs.contains_key("plan"), "the check workflow plans");
    for (id, job) in jobs {
        let holds_credentials = job["permissions"]["id-token"] == "write"
            || steps(job)
                .iter()
                .filter_map(uses)
                .any(|u| u.starts_with(AWS_CREDENTIALS));
        if holds_credentials {
            let condition = job["if"].as_str().unwrap_or_default();
            assert!(
                condition
                    .contains("github.event.pull_request.head.repo.full_name == github.repository"),
                "job {id} gets AWS credentials but runs for pull requests from forks: if: {condition:?}"
            );
        }
    }
}

#[test]
fn scripts_take_untrusted_values_from_the_environment_never_from_template_expansion() {
    let mut files: Vec<(String, Value)> = WORKFLOWS
        .iter()
        .map(|(name, _)| (name.to_string(), workflow(name).1))
        .collect();
    files.push(("action.yml".to_owned(), load("action.yml").1));
    for (name, value) in files {
        for script in all_scripts(&value) {
            assert!(
                !script.contains("${{"),
                "{name}: a run: script expands a template; pass the value through env: instead:\n{script}"
            );
        }
    }
}

#[test]
fn checkouts_keep_no_credentials_and_fetch_the_history_check_reads() {
    for (name, _) in WORKFLOWS {
        let (_, value) = workflow(name);
        for (id, job) in jobs(&value) {
            for step in steps(job) {
                if !uses(step).is_some_and(|u| u.starts_with(CHECKOUT)) {
                    continue;
                }
                assert_eq!(
                    step["with"]["persist-credentials"],
                    Value::Bool(false),
                    "{name}: job {id}: checkout must not persist the token in .git/config"
                );
                assert_eq!(
                    step["with"]["fetch-depth"],
                    Value::from(0),
                    "{name}: job {id}: the deleted-key-reuse rule needs the whole history"
                );
            }
        }
    }
}

#[test]
fn the_plan_comment_is_found_by_the_marker_plan_prints() {
    let (text, _) = workflow("flagops-check.yml");
    let marker = flagops::output::plan::markdown::MARKER;
    assert!(
        text.matches(marker).count() >= 2,
        "the check workflow must look for {marker} in plan.md and in earlier comments"
    );
}

#[test]
fn the_action_runs_one_command_and_reports_its_exit_code() {
    let (_, action) = load("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().expect("inputs");
    for input in ["command", "args", "working-directory"] {
        assert!(
            inputs.contains_key(input),
            "action.yml has no `{input}` input"
        );
    }
    assert_eq!(
        inputs["command"]["default"], "check",
        "`with: command: check` is all a check needs"
    );
    let outputs = action["outputs"].as_object().expect("outputs");
    for output in ["exit-code", "has_changes", "drift"] {
        assert!(
            outputs.contains_key(output),
            "action.yml has no `{output}` output"
        );
    }
    // The release of the action's version, verified by install.sh (tests/install.rs), or a
    // build from the action's own source where there is none.
    let scripts = all_scripts(&action).join("\n");
    assert!(scripts.contains("bash \"$GITHUB_ACTION_PATH/install.sh\""));
    assert!(scripts.contains("cargo +stable install --locked --path ."));
}

#[test]
fn the_pre_commit_hook_checks_flagops_yaml_and_flag_files() {
    let (_, hooks) = load(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    let hook = hooks
        .iter()
        .find(|h| h["id"] == "flagops-check")
        .expect("a flagops-check hook");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["entry"], "flagops check");
    // A whole-repository check: given only the staged files, removing an environment from
    // flagops.yaml would pass while a full check fails.
    assert_eq!(hook["pass_filenames"], Value::Bool(false));
    let files = regex::Regex::new(hook["files"].as_str().expect("a files pattern"))
        .expect("the files pattern is a valid regex");
    for path in [
        "flagops.yaml",
        "flags/ops/switches.yaml",
        "flags/storefront/checkout.yml",
    ] {
        assert!(files.is_match(path), "the hook skips {path}");
    }
    for path in [
        "other.yaml",
        "schemas/flags.schema.json",
        "flags/README.md",
        "sub/flagops.yaml",
        "flagops.yaml.bak",
    ] {
        assert!(!files.is_match(path), "the hook runs for {path}");
    }
}

#[test]
fn apply_and_drift_publish_the_status_page_as_an_artifact() {
    for (name, job) in [
        ("flagops-apply.yml", "apply"),
        ("flagops-drift.yml", "drift"),
    ] {
        let (_, value) = workflow(name);
        let steps = steps(&jobs(&value)[job]);
        let status = steps
            .iter()
            .position(|s| s["with"]["command"] == "status")
            .unwrap_or_else(|| panic!("{name}: no status step"));
        let args = steps[status]["with"]["args"].as_str().unwrap_or_default();
        assert!(
            args.contains("--format html") && args.contains("--out flagops-status.html"),
            "{name}: {args}"
        );
        // 2 (something not in sync) is what the page is for, not a failure.
        assert_eq!(steps[status]["with"]["allow-exit-codes"], "0 2", "{name}");
        let upload = steps
            .iter()
            .position(|s| uses(s).is_some_and(|u| u.starts_with("actions/upload-artifact@")))
            .unwrap_or_else(|| panic!("{name}: the page is not uploaded"));
        assert!(upload > status, "{name}: uploaded before it is written");
        assert_eq!(
            steps[upload]["with"]["path"], "flagops-status.html",
            "{name}"
        );
        for step in [status, upload] {
            let condition = steps[step]["if"].as_str().unwrap_or_default();
            assert!(
                condition.contains("!cancelled()"),
                "{name}: the page is published after a failed or rolled-back run too"
            );
        }
    }
}
