//! End to end: `flagops watch` follows a deployment apply started and left baking.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use support::{Ministack, Repo, flagops, stderr, stdout};

const BAKING: &str = "version: 1
strategies:
  instant: { duration_minutes: 0, bake_minutes: 0, growth_factor: 100 }
  bake-1m: { duration_minutes: 0, bake_minutes: 1, growth_factor: 100 }
applications:
  shop:
    environments:
      dev: { strategy: instant }
      prod: { strategy: bake-1m }
    profiles:
      features: { type: feature-flags }
";

#[test]
fn watch_follows_a_baking_deployment_to_its_end() {
    let stack = Ministack::start();
    let repo = Repo::new(BAKING);

    // Nothing running: nothing to follow.
    let apply = flagops(repo.path(), &stack.endpoint(), &["apply", "--no-wait"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));

    let watch = flagops(
        repo.path(),
        &stack.endpoint(),
        &["watch", "--poll-seconds", "2", "--timeout-minutes", "3"],
    );
    let (out, err) = (stdout(&watch), stderr(&watch));
    assert_eq!(watch.status.code(), Some(0), "{out}{err}");
    assert!(
        out.contains("shop/prod/features: deployment #1 of version 2: COMPLETE"),
        "{out}"
    );
    assert!(
        out.contains("1 of 2 target(s) had a deployment running; 1 complete"),
        "{out}"
    );
    // Timestamped progress lines on stderr, with the bake time left.
    let baking = err
        .lines()
        .find(|l| l.contains("[shop/prod/features] deployment #1: BAKING 100%"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(baking.contains("of bake left"), "{baking}");
    assert!(
        baking
            .split(' ')
            .next()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok(),
        "{baking}"
    );

    let idle = flagops(repo.path(), &stack.endpoint(), &["watch"]);
    assert_eq!(idle.status.code(), Some(0));
    assert!(stdout(&idle).contains("0 of 2 target(s) had a deployment running"));
}
