//! What the workflows' flagops steps write inside GitHub Actions: the job summary
//! ($GITHUB_STEP_SUMMARY), step outputs ($GITHUB_OUTPUT) and the PR comment, driven against
//! ministack with the Actions environment variables set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::process::Command;

use support::{Ministack, Repo};

const CONFIG: &str = "version: 1
strategies:
  instant: { duration_minutes: 0, bake_minutes: 0, growth_factor: 100 }
applications:
  shop:
    environments:
      dev: { strategy: instant }
      prod: { strategy: instant, production: true }
    profiles:
      features: { type: feature-flags }
";

/// Runs flagops as a workflow step would; returns (exit code, summary, outputs, stdout).
fn step(repo: &Path, endpoint: &str, args: &[&str]) -> (i32, String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (summary, outputs) = (dir.path().join("summary.md"), dir.path().join("output.txt"));
    let out = support::flagops_command(repo, endpoint, args)
        .env("GITHUB_ACTIONS", "true")
        // The run a plan comment names.
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_REPOSITORY", "acme/flags")
        .env("GITHUB_RUN_ID", "42")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        read(&summary),
        read(&outputs),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn scrub(text: &str, stack: &Ministack) -> String {
    text.replace(&stack.endpoint(), "[endpoint]")
}

#[test]
fn the_workflow_steps_write_summaries_outputs_and_a_plan_comment() {
    let stack = Ministack::start();
    let repo = Repo::new(CONFIG);

    let (code, summary, _, annotations) = step(
        repo.path(),
        &stack.endpoint(),
        &["check", "--format", "github"],
    );
    assert_eq!(code, 0);
    assert_eq!(
        annotations,
        "flagops check: 0 errors, 0 warnings in 2 files (2 targets)\n"
    );
    insta::assert_snapshot!("check_summary", summary);

    let (code, summary, outputs, comment) = step(
        repo.path(),
        &stack.endpoint(),
        &["plan", "--format", "markdown"],
    );
    assert_eq!(code, 2);
    assert_eq!(outputs, "has_changes=true\n");
    assert!(
        summary.is_empty(),
        "with --format markdown the comment goes to stdout only"
    );
    assert!(comment.starts_with("<!-- flagops-plan -->\n"));
    insta::assert_snapshot!("plan_comment", scrub(&comment, &stack));

    let (code, summary, _, _) = step(
        repo.path(),
        &stack.endpoint(),
        &["apply", "--poll-seconds", "1"],
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!("apply_summary", scrub(&summary, &stack));

    let (code, summary, outputs, _) = step(repo.path(), &stack.endpoint(), &["plan"]);
    assert_eq!(code, 0);
    assert_eq!(outputs, "has_changes=false\n");
    insta::assert_snapshot!("plan_summary_after_apply", scrub(&summary, &stack));

    let (code, summary, outputs, _) = step(repo.path(), &stack.endpoint(), &["drift"]);
    assert_eq!(code, 0);
    assert_eq!(outputs, "drift=false\n");
    insta::assert_snapshot!("drift_summary_in_sync", scrub(&summary, &stack));
}

#[test]
fn a_pr_comment_for_a_500_flag_change_fits_and_names_every_target() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = "version: 1\nstrategies:\n  instant: { duration_minutes: 0, bake_minutes: 0, growth_factor: 100 }\napplications:\n".to_owned();
    std::fs::create_dir(dir.path().join("flags")).unwrap();
    for app in 0..5 {
        config.push_str(&format!("  app{app}:\n    environments:\n      dev: {{ strategy: instant }}\n      prod: {{ strategy: instant }}\n    profiles:\n      features: {{ type: feature-flags }}\n"));
        let mut flags = format!("application: app{app}\nprofile: features\nflags:\n");
        for n in 0..100 {
            flags.push_str(&format!(
                "  feature_{n:03}_with_a_long_descriptive_name:\n    owner: team-{n}\n    class: permission\n    description: Flag number {n} of application {app}, described at some length so that the plan has something to say.\n    environments:\n      dev: {{ enabled: true, allow: [ws_{n}_a, ws_{n}_b, ws_{n}_c] }}\n      prod: {{ enabled: true, allow: [ws_{n}_a] }}\n"
            ));
        }
        std::fs::write(dir.path().join(format!("flags/app{app}.yaml")), flags).unwrap();
    }
    std::fs::write(dir.path().join("flagops.yaml"), config).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(["plan", "--backend", "local", "--format", "markdown", "-C"])
        .arg(dir.path())
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let comment = String::from_utf8(out.stdout).unwrap();
    assert!(
        comment.chars().count() < 65_536,
        "{} characters",
        comment.chars().count()
    );
    for app in 0..5 {
        for env in ["dev", "prod"] {
            assert!(
                comment.contains(&format!("| `app{app}/{env}/features` | create | 100 |")),
                "app{app}/{env} is named in the table"
            );
        }
    }
    assert!(
        comment.contains("omitted to fit GitHub's comment limit")
            || comment.contains("diff omitted"),
        "details were cut, not the table"
    );
}
