//! End to end against ministack: the urgent path at its worst moment. A release rollout is
//! under way in another application, an unrelated release flag has expired, and a freeze
//! covers production. A kill-switch flip, applied as the merge workflow applies (the whole
//! repository), is served in production within the instant strategy's time plus 10 s; the
//! figure is printed. Then `flagops stop` ends the release canary: rolled back, recorded in
//! the ledger, and held on the next apply.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use support::{Ministack, Repo, flagops_command};

/// Shop's production deploys at once at first, then through a canary of minutes.
const CONFIG: &str = "version: 1
strategies:
  instant: { duration_minutes: 0, bake_minutes: 0, growth_factor: 100 }
  canary: { duration_minutes: 1, bake_minutes: 1, growth_factor: 50 }
applications:
  shop:
    environments:
      dev: { strategy: instant }
      prod: { strategy: instant }
    profiles:
      features: { type: feature-flags }
  ops:
    environments:
      prod: { strategy: instant }
    profiles:
      switches: { type: feature-flags }
freezes:
  - environments: [prod]
    from: 2030-01-01T00:00:00Z
    until: 2030-02-01T00:00:00Z
    reason: Incident review freeze
";

const SWITCHES: &str = "application: ops
profile: switches
flags:
  payments_off:
    owner: team-payments
    class: kill-switch
    defaults: { enabled: false }
";

/// A release flag that expires on 2027-01-01, next to the e2e fixture's flags.
const PROMO: &str = "application: shop
profile: features
flags:
  winter_promo:
    owner: team-growth
    class: release
    expires: 2027-01-01
    defaults: { enabled: true }
";

/// Before the promo expires and before the freeze.
const CALM: (&str, &str) = ("2026-12-01", "2029-12-31T00:00:00Z");
/// After the promo expired, inside the freeze.
const INCIDENT: (&str, &str) = ("2027-06-01", "2030-01-15T00:00:00Z");

fn run(repo: &Path, stack: &Ministack, (today, now): (&str, &str), args: &[&str]) -> Output {
    flagops_command(repo, &stack.endpoint(), args)
        .env("FLAGOPS_TODAY", today)
        .env("FLAGOPS_NOW", now)
        .env("FLAGOPS_BACKEND", "appconfig")
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

const IDS: &str = "def ids(app_name):
    app = [a for a in ac.list_applications()['Items'] if a['Name'] == app_name][0]['Id']
    env = [e for e in ac.list_environments(ApplicationId=app)['Items'] if e['Name'] == 'prod'][0]['Id']
    return app, env
def newest(app_name):
    app, env = ids(app_name)
    return max(ac.list_deployments(ApplicationId=app, EnvironmentId=env)['Items'], key=lambda d: d['DeploymentNumber'])
";

/// State and served value of the newest deployment of an application's prod environment.
fn newest(stack: &Ministack, app: &str, flag: &str) -> String {
    stack
        .boto(&format!(
            "{IDS}d = newest('{app}')
app, env = ids('{app}')
prof = ac.list_configuration_profiles(ApplicationId=app)['Items'][0]['Id']
doc = json.loads(ac.get_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=prof, VersionNumber=int(d['ConfigurationVersion']))['Content'].read())
print(d['State'], doc['values']['{flag}']['enabled'])"
        ))
        .trim()
        .to_owned()
}

#[test]
fn a_kill_switch_ships_in_seconds_while_a_release_bakes_a_flag_expired_and_prod_is_frozen() {
    let stack = Ministack::start();
    let repo = Repo::new(CONFIG);
    std::fs::write(repo.path().join("flags/ops.yaml"), SWITCHES).unwrap();
    std::fs::write(repo.path().join("flags/promo.yaml"), PROMO).unwrap();
    repo.commit("switches and a promo");

    // Everything exists, the kill switch off; then a release rollout starts and takes minutes.
    let first = run(repo.path(), &stack, CALM, &["apply"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let config = std::fs::read_to_string(repo.path().join("flagops.yaml")).unwrap();
    std::fs::write(
        repo.path().join("flagops.yaml"),
        config.replacen(
            "prod: { strategy: instant }",
            "prod: { strategy: canary }",
            1,
        ),
    )
    .unwrap();
    repo.edit(
        "flags/shop.yaml",
        "      dev: { enabled: true }\n  dark_mode:",
        "      dev: { enabled: true }\n      prod: { enabled: true }\n  dark_mode:",
        "new checkout in prod, through a canary",
    );
    let shop = run(
        repo.path(),
        &stack,
        CALM,
        &["apply", "--app", "shop", "--env", "prod", "--no-wait"],
    );
    assert_eq!(shop.status.code(), Some(0), "{}", text(&shop));
    assert!(newest(&stack, "shop", "new_checkout").starts_with("DEPLOYING"));

    // The incident: flip the kill switch and apply the whole repository, as on merge.
    repo.edit(
        "flags/ops.yaml",
        "defaults: { enabled: false }",
        "defaults: { enabled: true }",
        "payments off",
    );
    let started = Instant::now();
    let apply = run(
        repo.path(),
        &stack,
        INCIDENT,
        &["apply", "--format", "json"],
    );
    let latency = started.elapsed();
    let served = newest(&stack, "ops", "payments_off");
    println!(
        "urgent latency: {:.1} s from commit to the kill switch served in production (instant strategy: 0 s, bound 10 s)",
        latency.as_secs_f64()
    );
    assert_eq!(served, "COMPLETE True", "{}", text(&apply));
    assert!(latency < Duration::from_secs(10), "{latency:?}");
    // The expired promo blocks nothing (no change touches it); the freeze holds the release.
    assert_eq!(apply.status.code(), Some(2), "{}", text(&apply));
    let doc: serde_json::Value = serde_json::from_slice(&apply.stdout).unwrap();
    assert!(doc.get("blocked").is_none(), "{doc}");
    assert_eq!(doc["freezes"]["held"][0]["application"], "shop", "{doc}");
    assert!(
        newest(&stack, "shop", "new_checkout").starts_with("DEPLOYING"),
        "the release rollout goes on untouched"
    );

    // The release canary misbehaves: stop it from flagops.
    let stop = run(
        repo.path(),
        &stack,
        INCIDENT,
        &[
            "stop",
            "--app",
            "shop",
            "--env",
            "prod",
            "--reason",
            "checkout errors",
            "--format",
            "json",
        ],
    );
    assert_eq!(stop.status.code(), Some(0), "{}", text(&stop));
    let doc: serde_json::Value = serde_json::from_slice(&stop.stdout).unwrap();
    assert_eq!(doc["stopped"][0]["state"], "ROLLED_BACK", "{doc}");
    assert!(doc["ledger_record"].is_string(), "{doc}");
    let list = run(repo.path(), &stack, INCIDENT, &["ledger", "list"]);
    assert!(
        text(&list).contains("stop  shop/prod/features #"),
        "{}",
        text(&list)
    );

    // The next apply, after the freeze and with the promo's expiry extended, holds the
    // rolled-back value instead of deploying it again.
    repo.edit(
        "flags/promo.yaml",
        "expires: 2027-01-01",
        "expires: 2028-01-01",
        "extend the promo",
    );
    let prod = ["--app", "shop", "--env", "prod"];
    let again = run(
        repo.path(),
        &stack,
        CALM,
        &[&["apply", "--format", "json"][..], &prod].concat(),
    );
    assert_eq!(again.status.code(), Some(2), "held: {}", text(&again));
    assert!(
        text(&again).contains("\"outcome\": \"unchanged\""),
        "{}",
        text(&again)
    );
    let plan = run(repo.path(), &stack, CALM, &[&["plan"][..], &prod].concat());
    assert!(
        text(&plan).contains("held: new_checkout.enabled stays false (git: true)"),
        "{}",
        text(&plan)
    );
}
