//! End to end against ministack, an independent AppConfig emulator with real-time
//! deployments, bake, CloudWatch-alarm rollback and 409 conflicts: the real binary, the real
//! SDK, a scratch git repository.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use serde_json::Value;
use support::{Ministack, Repo, flagops, json, stderr, stdout};

fn config(prod_strategy: &str, monitors: &str) -> String {
    format!(
        "version: 1
strategies:
  instant: {{ duration_minutes: 0, bake_minutes: 0, growth_factor: 100 }}
  bake-1m: {{ duration_minutes: 0, bake_minutes: 1, growth_factor: 100 }}
applications:
  shop:
    environments:
      dev: {{ strategy: instant }}
      prod:
        strategy: {prod_strategy}
        urgent_strategy: instant
        production: true
        monitors: {monitors}
    profiles:
      features: {{ type: feature-flags }}
"
    )
}

/// A ministack with `config` applied once: the starting point of most scenarios.
fn applied(config: &str) -> (Ministack, Repo) {
    let stack = Ministack::start();
    let repo = Repo::new(config);
    let first = flagops(repo.path(), &stack.endpoint(), &["apply"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    (stack, repo)
}

/// Hosted versions and deployments that exist, counted with the AWS API.
fn counts(stack: &Ministack) -> (usize, usize) {
    let out = stack.boto(
        "app = [a for a in ac.list_applications()['Items'] if a['Name'] == 'shop'][0]['Id']
prof = ac.list_configuration_profiles(ApplicationId=app)['Items'][0]['Id']
versions = len(ac.list_hosted_configuration_versions(ApplicationId=app, ConfigurationProfileId=prof)['Items'])
deployments = sum(len(ac.list_deployments(ApplicationId=app, EnvironmentId=e['Id'])['Items']) for e in ac.list_environments(ApplicationId=app)['Items'])
print(versions, deployments)",
    );
    let mut parts = out
        .split_whitespace()
        .map(|n| n.parse::<usize>().expect("a count"));
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

fn outcomes(doc: &Value) -> Vec<(String, String)> {
    doc["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| {
            (
                format!(
                    "{}/{}",
                    t["environment"].as_str().unwrap_or_default(),
                    t["profile"].as_str().unwrap_or_default()
                ),
                t["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_fresh_apply_creates_everything_and_a_second_one_writes_nothing() {
    let stack = Ministack::start();
    let repo = Repo::new(&config("instant", "[]"));

    let (code, first) = json(
        repo.path(),
        &stack.endpoint(),
        &["apply", "--poll-seconds", "1"],
    );
    assert_eq!(code, 0, "{first}");
    assert_eq!(
        outcomes(&first),
        vec![
            ("dev/features".into(), "deployed".into()),
            ("prod/features".into(), "deployed".into())
        ]
    );
    let created: Vec<&str> = first["created"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        created.contains(&"application shop")
            && created.contains(&"environment shop/prod")
            && created.contains(&"deployment strategy instant"),
        "{created:?}"
    );
    let before = counts(&stack);
    assert_eq!(
        before,
        (2, 2),
        "one version and one deployment per environment"
    );

    let (code, second) = json(repo.path(), &stack.endpoint(), &["apply"]);
    assert_eq!(code, 0);
    assert_eq!(
        outcomes(&second),
        vec![
            ("dev/features".into(), "unchanged".into()),
            ("prod/features".into(), "unchanged".into())
        ]
    );
    assert_eq!(second["created"], Value::Array(vec![]));
    assert_eq!(
        counts(&stack),
        before,
        "an apply with nothing to do makes no writes"
    );

    let plan = flagops(repo.path(), &stack.endpoint(), &["plan"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "plan right after apply is empty: {}",
        stdout(&plan)
    );
    assert!(stdout(&plan).contains("0 of 2 targets change"));
}

#[test]
fn a_flag_change_plans_exactly_that_flag_and_applies_it() {
    let (stack, repo) = applied(&config("instant", "[]"));

    repo.edit(
        "flags/shop.yaml",
        "prod: { enabled: true, allow: [ws_1] }",
        "prod: { enabled: true, allow: [ws_1, ws_3] }",
        "dark mode for ws_3",
    );
    let (code, plan) = json(repo.path(), &stack.endpoint(), &["plan"]);
    assert_eq!(code, 2, "changes exit 2");
    let changed: Vec<&Value> = plan["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["action"] != "unchanged")
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["environment"], "prod");
    let changes = changed[0]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["key"], "dark_mode");
    assert_eq!(changes[0]["fields"][0]["field"], "allow_list");
    assert_eq!(
        changes[0]["fields"][0]["added"],
        serde_json::json!(["ws_3"])
    );

    let human = stdout(&flagops(repo.path(), &stack.endpoint(), &["plan"]));
    assert!(
        human.contains("~ dark_mode (permission): allow_list: +\"ws_3\""),
        "{human}"
    );

    let (code, applied) = json(
        repo.path(),
        &stack.endpoint(),
        &["apply", "--poll-seconds", "1"],
    );
    assert_eq!(code, 0);
    assert_eq!(
        outcomes(&applied),
        vec![
            ("dev/features".into(), "unchanged".into()),
            ("prod/features".into(), "deployed".into())
        ]
    );
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["plan"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn an_alarm_during_bake_rolls_back_and_apply_exits_3_naming_it() {
    let stack = Ministack::start();
    let alarm = stack.boto(
        "cw.put_metric_alarm(AlarmName='shop-5xx', MetricName='5xx', Namespace='shop', Statistic='Sum', Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator='GreaterThanThreshold')
print(cw.describe_alarms(AlarmNames=['shop-5xx'])['MetricAlarms'][0]['AlarmArn'])",
    );
    let alarm = alarm.trim().to_owned();
    let monitors = format!(
        "[{{ alarm_arn: \"{alarm}\", alarm_role_arn: \"arn:aws:iam::000000000000:role/appconfig-alarms\" }}]"
    );
    let repo = Repo::new(&config("bake-1m", &monitors));

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(["apply", "--poll-seconds", "1", "-C"])
        .arg(repo.path())
        .env("AWS_ENDPOINT_URL_APPCONFIG", stack.endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("flagops runs");
    // Fire the alarm once the production deployment is baking.
    stack.boto(
        "import sys
deadline = time.time() + 50
while time.time() < deadline:
    apps = [a for a in ac.list_applications()['Items'] if a['Name'] == 'shop']
    if apps:
        envs = [e for e in ac.list_environments(ApplicationId=apps[0]['Id'])['Items'] if e['Name'] == 'prod']
        if envs and any(d['State'] == 'BAKING' for d in ac.list_deployments(ApplicationId=apps[0]['Id'], EnvironmentId=envs[0]['Id'])['Items']):
            break
    time.sleep(0.5)
else:
    sys.exit('production never started baking')
cw.set_alarm_state(AlarmName='shop-5xx', StateValue='ALARM', StateReason='5xx rate above threshold')",
    );
    let out = child.wait_with_output().expect("flagops finishes");
    let (text, log) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(3), "stdout: {text}\nstderr: {log}");
    assert!(text.contains("shop/prod/features: ROLLED BACK"), "{text}");
    assert!(text.contains(&alarm), "the report names the alarm: {text}");
    assert!(
        log.contains("shop/prod/features] deployment #1: BAKING 100%, ")
            && log.contains(" of bake left (waiting "),
        "progress counts the bake down: {log}"
    );
    assert!(
        text.contains("shop/dev/features: deployed"),
        "other environments still report: {text}"
    );
}

#[test]
fn a_deployment_started_outside_flagops_is_waited_for_not_clobbered() {
    let (stack, repo) = applied(&config("instant", "[]"));
    // Someone redeploys the live version in prod by hand, with a strategy that bakes a minute.
    stack.boto(
        "app = [a for a in ac.list_applications()['Items'] if a['Name'] == 'shop'][0]['Id']
env = [e for e in ac.list_environments(ApplicationId=app)['Items'] if e['Name'] == 'prod'][0]['Id']
prof = ac.list_configuration_profiles(ApplicationId=app)['Items'][0]['Id']
strategy = ac.create_deployment_strategy(Name='by-hand', DeploymentDurationInMinutes=0, FinalBakeTimeInMinutes=1, GrowthFactor=100, ReplicateTo='NONE')['Id']
version = ac.list_hosted_configuration_versions(ApplicationId=app, ConfigurationProfileId=prof)['Items'][0]['VersionNumber']
ac.start_deployment(ApplicationId=app, EnvironmentId=env, DeploymentStrategyId=strategy, ConfigurationProfileId=prof, ConfigurationVersion=str(version), Description='manual redeploy')",
    );
    repo.edit(
        "flags/shop.yaml",
        "prod: { enabled: true, allow: [ws_1] }",
        "prod: { enabled: false, allow: [ws_1] }",
        "dark mode off in prod",
    );

    let no_wait = flagops(repo.path(), &stack.endpoint(), &["apply", "--no-wait"]);
    assert_eq!(no_wait.status.code(), Some(1), "{}", stdout(&no_wait));
    assert!(
        stdout(&no_wait).contains("is in progress"),
        "reported, not clobbered: {}",
        stdout(&no_wait)
    );

    let waited = flagops(
        repo.path(),
        &stack.endpoint(),
        &["apply", "--poll-seconds", "2"],
    );
    assert_eq!(
        waited.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&waited),
        stderr(&waited)
    );
    assert!(
        stderr(&waited).contains("waiting for deployment"),
        "{}",
        stderr(&waited)
    );
    assert!(stdout(&waited).contains("shop/prod/features: deployed"));
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["plan"])
            .status
            .code(),
        Some(0)
    );
}

/// The setup around the flags is reconciled too: a strategy's bake edited in flagops.yaml
/// shows in plan and drift, apply updates the strategy in place (no new one), and then plan
/// and drift are empty. A console edit of the strategy is setup drift, put back by apply.
#[test]
fn a_strategy_edit_is_planned_applied_in_place_and_then_in_sync() {
    let (stack, repo) = applied(&config("instant", "[]"));
    let strategy = |stack: &Ministack| {
        let out = stack.boto(
            "found = [s for s in ac.list_deployment_strategies()['Items'] if s['Name'] == 'bake-1m']
print(json.dumps([[s['Id'], s['FinalBakeTimeInMinutes'], s['DeploymentDurationInMinutes']] for s in found]))",
        );
        serde_json::from_str::<Value>(&out).expect("strategies as JSON")
    };
    // The strategy exists before flagops uses it, as in an account set up earlier.
    stack.boto(
        "ac.create_deployment_strategy(Name='bake-1m', DeploymentDurationInMinutes=0, FinalBakeTimeInMinutes=1, GrowthFactor=100, ReplicateTo='NONE')",
    );
    let before = strategy(&stack);
    let id = before[0][0].clone();
    let (code, plan) = json(repo.path(), &stack.endpoint(), &["plan"]);
    assert_eq!((code, plan.get("setup")), (0, None), "in sync: {plan}");

    repo.edit(
        "flagops.yaml",
        "bake-1m: { duration_minutes: 0, bake_minutes: 1,",
        "bake-1m: { duration_minutes: 0, bake_minutes: 0,",
        "no bake for bake-1m",
    );
    let (code, plan) = json(repo.path(), &stack.endpoint(), &["plan"]);
    assert_eq!(code, 2, "a setup change is a change: {plan}");
    assert_eq!(
        plan["setup"],
        serde_json::json!([{
            "resource": "strategy",
            "name": "bake-1m",
            "settings": [{"setting": "bake_minutes", "live": 1, "declared": 0}]
        }]),
        "{plan}"
    );
    let human = stdout(&flagops(repo.path(), &stack.endpoint(), &["plan"]));
    assert!(
        human.contains("~ deployment strategy bake-1m: bake_minutes 1 → 0"),
        "{human}"
    );
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift"]);
    assert_eq!((code, drift["drift"].as_bool()), (2, Some(true)), "{drift}");
    assert_eq!(drift["setup"][0]["name"], "bake-1m", "{drift}");

    let (code, apply) = json(repo.path(), &stack.endpoint(), &["apply"]);
    assert_eq!(code, 0, "{apply}");
    assert_eq!(
        apply["setup"],
        serde_json::json!([{"resource": "strategy", "name": "bake-1m"}]),
        "{apply}"
    );
    let after = strategy(&stack);
    assert_eq!(after, serde_json::json!([[id, 0, 0]]), "updated in place");
    let (code, plan) = json(repo.path(), &stack.endpoint(), &["plan"]);
    assert_eq!((code, plan.get("setup")), (0, None), "{plan}");
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift"]);
    assert_eq!(code, 0, "{drift}");

    // Someone raises the bake in the console: setup drift, which apply puts back.
    stack.boto(&format!(
        "ac.update_deployment_strategy(DeploymentStrategyId={id}, FinalBakeTimeInMinutes=30)"
    ));
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift"]);
    assert_eq!(code, 2, "{drift}");
    assert_eq!(
        drift["setup"][0]["settings"][0],
        serde_json::json!({"setting": "bake_minutes", "live": 30, "declared": 0}),
        "{drift}"
    );
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["apply"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(strategy(&stack), serde_json::json!([[id, 0, 0]]));
}

/// `plan --out FILE` then `apply FILE`: applied exactly when nothing moved; refused, with what
/// moved, when the live state or the commit did.
#[test]
fn a_saved_plan_is_applied_only_while_nothing_has_moved() {
    let (stack, repo) = applied(&config("instant", "[]"));
    let scratch = tempfile::tempdir().expect("tempdir");
    let saved = scratch.path().join("plan.json");
    let saved = saved.to_str().expect("a UTF-8 path");

    // Reviewed and applied as is.
    repo.edit(
        "flags/shop.yaml",
        "prod: { enabled: true, allow: [ws_1] }",
        "prod: { enabled: true, allow: [ws_1, ws_2] }",
        "ws_2",
    );
    let plan = flagops(repo.path(), &stack.endpoint(), &["plan", "--out", saved]);
    assert_eq!(plan.status.code(), Some(2), "{}", stderr(&plan));
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(saved).expect("the saved plan"))
            .expect("JSON");
    assert_eq!(file["saved_plan"], 1, "{file}");
    assert_eq!(file["commit"].as_str().map(str::len), Some(40), "{file}");
    let (code, applied) = json(repo.path(), &stack.endpoint(), &["apply", saved]);
    assert_eq!(code, 0, "{applied}");
    assert_eq!(
        outcomes(&applied),
        vec![
            ("dev/features".to_owned(), "unchanged".to_owned()),
            ("prod/features".to_owned(), "deployed".to_owned())
        ]
    );

    // Planned, then the live state moves under it (another apply gets there first).
    repo.edit(
        "flags/shop.yaml",
        "prod: { enabled: true, allow: [ws_1, ws_2] }",
        "prod: { enabled: true, allow: [ws_1, ws_2, ws_3] }",
        "ws_3",
    );
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["plan", "--out", saved])
            .status
            .code(),
        Some(2)
    );
    let (before, _) = counts(&stack);
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["apply"])
            .status
            .code(),
        Some(0)
    );
    let refused = flagops(repo.path(), &stack.endpoint(), &["apply", saved]);
    assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
    let why = stderr(&refused);
    assert!(
        why.contains("refusing to apply the saved plan")
            && why.contains("shop/prod/features: the live state moved (deployment #"),
        "{why}"
    );
    assert_eq!(
        counts(&stack).0,
        before + 1,
        "only the other apply uploaded"
    );

    // Planned, then a new commit lands: refused too.
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["plan", "--out", saved])
            .status
            .code(),
        Some(0)
    );
    repo.edit(
        "flags/shop.yaml",
        "values: { max_items: 10 }",
        "values: { max_items: 12 }",
        "carts",
    );
    let refused = flagops(repo.path(), &stack.endpoint(), &["apply", saved]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("the plan is of commit"),
        "{}",
        stderr(&refused)
    );
    // A selection cannot be mixed into a saved plan.
    let mixed = flagops(
        repo.path(),
        &stack.endpoint(),
        &["apply", saved, "--env", "prod"],
    );
    assert_eq!(mixed.status.code(), Some(1), "{}", stderr(&mixed));
}

/// `-v` logs each AWS request with its request id on stderr, and the report stays on stdout;
/// `-q` logs nothing.
#[test]
fn verbose_logs_aws_request_ids_on_stderr() {
    let stack = Ministack::start();
    let repo = Repo::new(&config("instant", "[]"));
    let out = flagops(repo.path(), &stack.endpoint(), &["plan", "-v"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains("AWS request")
            && log.contains("operation=\"ListApplications\"")
            && log.contains("request_id="),
        "{log}"
    );
    assert!(!stdout(&out).contains("request_id"), "logs stay off stdout");
    let quiet = flagops(repo.path(), &stack.endpoint(), &["plan", "-q"]);
    assert_eq!(stderr(&quiet), "");
}
