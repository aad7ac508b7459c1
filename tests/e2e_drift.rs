//! End to end: drift after rollbacks, reverts and console edits, the ledger, holds, adopt.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use serde_json::Value;
use support::rollback::{PROD_IDS, RolledBack, alarmed_config, rolled_back_by_alarm};
use support::{Ministack, Repo, flagops, json, stderr, stdout};

const IDS: &str = PROD_IDS;

/// The prod deployment serving now (the newest complete one; listing order varies).
const LIVE: &str = "live = max((d for d in ac.list_deployments(ApplicationId=app, EnvironmentId=env)['Items'] if d['State'] == 'COMPLETE'), key=lambda d: d['DeploymentNumber'])";

/// Deploys `edit(content)` to prod as a console user would: a new hosted version, a deployment.
fn console_deploy(stack: &Ministack, edit: &str) {
    stack.boto(&format!(
        "{IDS}{LIVE}
doc = json.loads(ac.get_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=prof, VersionNumber=int(live['ConfigurationVersion']))['Content'].read())
{edit}
v = ac.create_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=prof, Content=json.dumps(doc).encode(), ContentType='application/json')['VersionNumber']
s = ac.create_deployment_strategy(Name='console-now', DeploymentDurationInMinutes=0, FinalBakeTimeInMinutes=0, GrowthFactor=100, ReplicateTo='NONE')['Id']
ac.start_deployment(ApplicationId=app, EnvironmentId=env, DeploymentStrategyId=s, ConfigurationProfileId=prof, ConfigurationVersion=str(v), Description='emergency edit')"
    ));
}

fn classes(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["environment"].as_str().unwrap_or_default(),
                f["class"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn prod_enabled(stack: &Ministack, flag: &str) -> String {
    stack.boto(&format!(
        "{IDS}{LIVE}
doc = json.loads(ac.get_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=prof, VersionNumber=int(live['ConfigurationVersion']))['Content'].read())
print(doc['values']['{flag}'].get('enabled'))"
    ))
    .trim()
    .to_owned()
}

#[test]
fn a_rollback_is_reported_recorded_held_and_adopted() {
    let stack = Ministack::start();
    let RolledBack {
        repo,
        alarm,
        monitors,
    } = rolled_back_by_alarm(&stack);

    // drift names the class, the alarm and the flag.
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift"]);
    assert_eq!(code, 2);
    assert_eq!(classes(&drift), vec!["prod:rolled-back"]);
    let finding = &drift["findings"][0];
    assert!(
        finding["trigger"]
            .as_str()
            .unwrap_or_default()
            .contains(&alarm),
        "{finding}"
    );
    assert_eq!(finding["flags"][0]["key"], "new_checkout");
    assert_eq!(
        finding["flags"][0]["fields"][0],
        serde_json::json!({"field": "enabled", "desired": true, "live": false})
    );

    // Recorded once, however often drift runs.
    for _ in 0..2 {
        let out = flagops(repo.path(), &stack.endpoint(), &["drift", "--record"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    }
    let listed = stdout(&flagops(
        repo.path(),
        &stack.endpoint(),
        &["ledger", "list"],
    ));
    assert!(
        listed.contains("rolled-back") && listed.contains("1 open finding(s)"),
        "{listed}"
    );

    // A change to another flag still deploys; the rolled-back value is held, not redeployed.
    stack
        .boto("cw.set_alarm_state(AlarmName='shop-5xx', StateValue='OK', StateReason='recovered')");
    std::fs::write(
        repo.path().join("flagops.yaml"),
        alarmed_config("instant", &monitors),
    )
    .unwrap();
    repo.edit(
        "flags/shop.yaml",
        "prod: { enabled: true, allow: [ws_1] }",
        "prod: { enabled: true, allow: [ws_1, ws_3] }",
        "dark mode for ws_3",
    );
    let held = flagops(
        repo.path(),
        &stack.endpoint(),
        &["apply", "--poll-seconds", "1"],
    );
    assert_eq!(
        held.status.code(),
        Some(2),
        "held values exit 2: {}\n{}",
        stdout(&held),
        stderr(&held)
    );
    assert!(
        stdout(&held).contains("shop/prod/features: deployed"),
        "{}",
        stdout(&held)
    );
    assert_eq!(
        prod_enabled(&stack, "new_checkout"),
        "False",
        "the rolled-back value was not redeployed"
    );
    let plan = flagops(repo.path(), &stack.endpoint(), &["plan"]);
    assert_eq!(plan.status.code(), Some(2));
    assert!(
        stdout(&plan).contains("held: new_checkout.enabled stays false (git: true)"),
        "{}",
        stdout(&plan)
    );

    // Adopt the live value: check passes, plan is empty, the ledger finding is resolved.
    let adopted = flagops(repo.path(), &stack.endpoint(), &["adopt"]);
    assert_eq!(
        adopted.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&adopted),
        stderr(&adopted)
    );
    let said = stdout(&adopted);
    let branch = said
        .split("committed on branch ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{said}"));
    // The checkout is left alone: the change is on the branch, for a pull request.
    let yaml = std::fs::read_to_string(repo.path().join("flags/shop.yaml")).unwrap();
    assert!(yaml.contains("      prod: { enabled: true }\n"), "{yaml}");
    assert_eq!(
        support::git(repo.path(), &["status", "--porcelain"]),
        "",
        "nothing is left in the work tree"
    );
    // The pull request is merged.
    repo.git(&["merge", "-q", "--ff-only", branch]);
    let yaml = std::fs::read_to_string(repo.path().join("flags/shop.yaml")).unwrap();
    assert!(
        yaml.contains("      prod: { enabled: false }\n"),
        "only that scalar changed:\n{yaml}"
    );
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["check"])
            .status
            .code(),
        Some(0)
    );
    let plan = flagops(repo.path(), &stack.endpoint(), &["plan"]);
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));
    let listed = stdout(&flagops(
        repo.path(),
        &stack.endpoint(),
        &["ledger", "list"],
    ));
    assert!(listed.contains("0 open finding(s)"), "{listed}");

    // Merged and applied, AppConfig serves git: drift is clean and the record stays resolved.
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["apply"])
            .status
            .code(),
        Some(0)
    );
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift", "--record"]);
    assert_eq!(code, 0, "{drift}");
    let listed = stdout(&flagops(
        repo.path(),
        &stack.endpoint(),
        &["ledger", "list"],
    ));
    assert!(listed.contains("0 open finding(s)"), "{listed}");
}

#[test]
fn console_edits_are_out_of_band_restored_by_apply_unless_console_owned() {
    let stack = Ministack::start();
    let repo = Repo::new(&alarmed_config("instant", "[]"));
    repo.edit(
        "flags/shop.yaml",
        "  payments_off:\n    owner: team-payments\n",
        "  payments_off:\n    owner: team-payments\n    console_owned: [enabled]\n",
        "payments switch is console-owned",
    );
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["apply"])
            .status
            .code(),
        Some(0)
    );

    // An emergency edit in the console: dark_mode off, and the payments kill switch on.
    console_deploy(
        &stack,
        "doc['values']['dark_mode']['enabled'] = False\ndoc['values']['payments_off']['enabled'] = True",
    );
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift"]);
    assert_eq!(code, 2);
    assert_eq!(classes(&drift), vec!["prod:out-of-band"]);
    let flags = drift["findings"][0]["flags"].as_array().unwrap();
    let keys: Vec<(&str, bool)> = flags
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap(),
                f["console_owned"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(keys, vec![("dark_mode", false), ("payments_off", true)]);

    // apply restores git's dark_mode, keeps the console's kill switch, and records both.
    let applied = flagops(repo.path(), &stack.endpoint(), &["apply", "--record"]);
    assert_eq!(applied.status.code(), Some(0), "{}", stdout(&applied));
    assert_eq!(prod_enabled(&stack, "dark_mode"), "True");
    assert_eq!(prod_enabled(&stack, "payments_off"), "True");
    let plan = stdout(&flagops(repo.path(), &stack.endpoint(), &["plan"]));
    assert!(
        plan.contains("console-owned: payments_off.enabled keeps its live value true (git: false)"),
        "{plan}"
    );

    // The out-of-band finding is resolved as re-applied; the console-owned difference remains.
    let (_, after) = json(repo.path(), &stack.endpoint(), &["drift", "--record"]);
    let remaining: Vec<&str> = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["key"].as_str().unwrap())
        })
        .collect();
    assert_eq!(remaining, vec!["payments_off"]);
    let ledger = stdout(&flagops(
        repo.path(),
        &stack.endpoint(),
        &["ledger", "list", "--all"],
    ));
    assert!(
        ledger.contains("(superseded)") || ledger.contains("(re-applied)"),
        "the restored drift is resolved: {ledger}"
    );
    assert!(
        ledger.contains("1 open finding(s)"),
        "the console-owned difference stays open: {ledger}"
    );
}

#[test]
fn reverted_staged_and_in_flight_are_told_apart() {
    let stack = Ministack::start();
    let repo = Repo::new(&alarmed_config("instant", "[]"));
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["apply"])
            .status
            .code(),
        Some(0)
    );
    repo.edit(
        "flags/shop.yaml",
        "prod: { enabled: true, allow: [ws_1] }",
        "prod: { enabled: true, allow: [ws_1, ws_9] }",
        "ws_9",
    );
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["apply"])
            .status
            .code(),
        Some(0)
    );

    // A person reverts the completed deployment.
    stack.boto(&format!("{IDS}n = max(d['DeploymentNumber'] for d in ac.list_deployments(ApplicationId=app, EnvironmentId=env)['Items'])\nac.stop_deployment(ApplicationId=app, EnvironmentId=env, DeploymentNumber=n, AllowRevert=True)"));
    let (_, drift) = json(repo.path(), &stack.endpoint(), &["drift"]);
    assert_eq!(classes(&drift), vec!["prod:reverted"]);

    // A hosted version made in the console and never deployed is staged.
    stack.boto(&format!("{IDS}ac.create_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=prof, Content=b'{{\"version\":\"1\"}}', ContentType='application/json')"));
    let (_, drift) = json(repo.path(), &stack.endpoint(), &["drift", "--env", "dev"]);
    assert_eq!(classes(&drift), vec!["dev:staged"]);

    // A deployment still rolling out is in flight.
    stack.boto(&format!(
        "{IDS}dev = [e for e in ac.list_environments(ApplicationId=app)['Items'] if e['Name'] == 'dev'][0]['Id']
s = ac.create_deployment_strategy(Name='slow', DeploymentDurationInMinutes=5, FinalBakeTimeInMinutes=0, GrowthFactor=10, ReplicateTo='NONE')['Id']
ac.start_deployment(ApplicationId=app, EnvironmentId=dev, DeploymentStrategyId=s, ConfigurationProfileId=prof, ConfigurationVersion='1')"
    ));
    let (_, drift) = json(repo.path(), &stack.endpoint(), &["drift", "--env", "dev"]);
    assert!(
        classes(&drift).contains(&"dev:in-flight".to_owned()),
        "{drift}"
    );
}

/// Drift is about content. A console redeploy of git's own content is in sync, with a
/// provenance note; a console change that apply then restores is in sync again; a normal
/// flagops canary still rolling out is flagops's own work, `pending`, exit 0 (and 2 with
/// `--fail-on pending`); the ledger records none of it.
#[test]
fn content_decides_drift_and_flagops_own_canary_is_pending() {
    let stack = Ministack::start();
    let repo = Repo::new(&alarmed_config("instant", "[]"));
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["apply"])
            .status
            .code(),
        Some(0)
    );

    // Someone redeploys what is live from the console: another version, the same content.
    console_deploy(&stack, "");
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift", "--env", "prod"]);
    assert_eq!(code, 0, "{drift}");
    assert_eq!(classes(&drift), vec!["prod:provenance"]);
    assert_eq!(drift["drift"], false);
    assert!(
        drift["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("serves git's content from a hosted version flagops did not make"),
        "{drift}"
    );

    // A real console change is drift; apply restores git's values, and drift is clean again.
    console_deploy(&stack, "doc['values']['dark_mode']['enabled'] = False");
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift", "--env", "prod"]);
    assert_eq!(
        (code, classes(&drift)),
        (2, vec!["prod:out-of-band".to_owned()])
    );
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["apply"])
            .status
            .code(),
        Some(0)
    );
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift", "--env", "prod"]);
    assert_eq!(code, 0, "{drift}");

    // A flagops canary under way: pending, not drift; nothing goes to the ledger.
    std::fs::write(
        repo.path().join("flagops.yaml"),
        alarmed_config("bake-1m", "[]"),
    )
    .unwrap();
    repo.edit(
        "flags/shop.yaml",
        "      dev: { enabled: true }\n  dark_mode",
        "      dev: { enabled: true }\n      prod: { enabled: true }\n  dark_mode",
        "new checkout in prod",
    );
    let started = flagops(
        repo.path(),
        &stack.endpoint(),
        &["apply", "--env", "prod", "--no-wait"],
    );
    assert_eq!(started.status.code(), Some(0), "{}", stderr(&started));
    let (code, drift) = json(
        repo.path(),
        &stack.endpoint(),
        &["drift", "--env", "prod", "--record"],
    );
    assert_eq!(code, 0, "{drift}");
    assert_eq!(classes(&drift), vec!["prod:pending"]);
    assert!(
        drift["findings"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("flagops deployment #"),
        "{drift}"
    );
    let strict = flagops(
        repo.path(),
        &stack.endpoint(),
        &["drift", "--env", "prod", "--fail-on", "pending"],
    );
    assert_eq!(strict.status.code(), Some(2));
    let list = flagops(repo.path(), &stack.endpoint(), &["ledger", "list"]);
    assert!(
        stdout(&list).contains("0 open finding(s)"),
        "{}",
        stdout(&list)
    );
}

/// More deployments in one environment than one page of ListDeployments holds (ministack
/// lists oldest first and cuts at MaxResults without a NextToken; AWS lists newest first and
/// pages): the newest are still found, classification stays right, and apply neither spins
/// nor redeploys.
#[test]
fn sixty_five_deployments_in_one_environment_are_read_whole() {
    let stack = Ministack::start();
    let repo = Repo::new(&alarmed_config("instant", "[]"));
    assert_eq!(
        flagops(repo.path(), &stack.endpoint(), &["apply"])
            .status
            .code(),
        Some(0)
    );
    // 64 redeploys of what is live, from the console.
    stack.boto(&format!(
        "{IDS}{LIVE}
s = ac.create_deployment_strategy(Name='redeploy', DeploymentDurationInMinutes=0, FinalBakeTimeInMinutes=0, GrowthFactor=100, ReplicateTo='NONE')['Id']
for i in range(64):
    ac.start_deployment(ApplicationId=app, EnvironmentId=env, DeploymentStrategyId=s, ConfigurationProfileId=prof, ConfigurationVersion=live['ConfigurationVersion'], Description=f'redeploy {{i}}')
    deadline = time.time() + 10
    while ac.get_deployment(ApplicationId=app, EnvironmentId=env, DeploymentNumber=live['DeploymentNumber'] + i + 1)['State'] != 'COMPLETE':
        assert time.time() < deadline, 'a redeploy did not complete'
        time.sleep(0.05)"
    ));
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift", "--env", "prod"]);
    assert_eq!(
        (code, classes(&drift)),
        (
            0,
            vec![
                "prod:provenance".to_owned(),
                "prod:untrusted-history".to_owned()
            ]
        ),
        "{drift}"
    );
    assert_eq!(
        drift["findings"][0]["deployment"], 65,
        "the newest deployment: {drift}"
    );
    // The emulator's cut is named, not silently worked around.
    let how = drift["findings"][1]["message"].as_str().unwrap_or_default();
    assert!(
        how.contains("full page of 50 without a NextToken, and 15 newer deployments exist")
            && how.contains("read all 65 deployments"),
        "{drift}"
    );

    // A change in git deploys once, as deployment #66, and drift is clean after it.
    repo.edit(
        "flags/shop.yaml",
        "prod: { enabled: true, allow: [ws_1] }",
        "prod: { enabled: true, allow: [ws_1, ws_3] }",
        "ws_3",
    );
    let started = std::time::Instant::now();
    let (code, apply) = json(repo.path(), &stack.endpoint(), &["apply", "--env", "prod"]);
    assert_eq!(code, 0, "{apply}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "apply spun"
    );
    assert_eq!(apply["targets"][0]["deployment"], 66, "{apply}");
    let (code, drift) = json(repo.path(), &stack.endpoint(), &["drift", "--env", "prod"]);
    assert_eq!(code, 0, "{drift}");
    let (code, again) = json(repo.path(), &stack.endpoint(), &["apply", "--env", "prod"]);
    assert_eq!(
        (code, again["targets"][0]["outcome"].as_str()),
        (0, Some("unchanged")),
        "{again}"
    );
}
