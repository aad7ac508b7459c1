//! The scenario several specs start from: application `shop` applied with a CloudWatch alarm
//! on prod, then a change to prod rolled back by that alarm during its bake.

use std::process::Output;

use super::{Ministack, Repo, flagops, stdout};

/// `shop` with dev on an instant strategy and prod on `prod_strategy`, watched by `monitors`.
pub fn alarmed_config(prod_strategy: &str, monitors: &str) -> String {
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
        monitors: {monitors}
    profiles:
      features: {{ type: feature-flags }}
"
    )
}

/// Python that sets `app`, `env` (prod) and `prof` for a boto script.
pub const PROD_IDS: &str =
    "app = [a for a in ac.list_applications()['Items'] if a['Name'] == 'shop'][0]['Id']
env = [e for e in ac.list_environments(ApplicationId=app)['Items'] if e['Name'] == 'prod'][0]['Id']
prof = ac.list_configuration_profiles(ApplicationId=app)['Items'][0]['Id']
";

/// What the scenario leaves: the repository, the alarm's ARN and prod's `monitors:` YAML.
pub struct RolledBack {
    pub repo: Repo,
    pub alarm: String,
    pub monitors: String,
}

/// Applies `shop`, then turns `new_checkout` on in prod with a strategy that bakes, and fires
/// the alarm during the bake: apply exits 3 and AppConfig serves the old value again.
pub fn rolled_back_by_alarm(stack: &Ministack) -> RolledBack {
    let alarm = stack
        .boto(
            "cw.put_metric_alarm(AlarmName='shop-5xx', MetricName='5xx', Namespace='shop', Statistic='Sum', Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator='GreaterThanThreshold')
print(cw.describe_alarms(AlarmNames=['shop-5xx'])['MetricAlarms'][0]['AlarmArn'])",
        )
        .trim()
        .to_owned();
    let monitors = format!(
        "[{{ alarm_arn: \"{alarm}\", alarm_role_arn: \"arn:aws:iam::000000000000:role/alarms\" }}]"
    );
    let repo = Repo::new(&alarmed_config("instant", &monitors));
    let applied = flagops(repo.path(), &stack.endpoint(), &["apply"]);
    assert_eq!(applied.status.code(), Some(0), "{}", stdout(&applied));

    std::fs::write(
        repo.path().join("flagops.yaml"),
        alarmed_config("bake-1m", &monitors),
    )
    .unwrap();
    repo.edit(
        "flags/shop.yaml",
        "      dev: { enabled: true }\n  dark_mode",
        "      dev: { enabled: true }\n      prod: { enabled: true }\n  dark_mode",
        "new checkout in prod",
    );
    let child = super::flagops_command(
        repo.path(),
        &stack.endpoint(),
        &["apply", "--poll-seconds", "1"],
    )
    .spawn()
    .unwrap();
    stack.boto(&format!(
        "import sys
deadline = time.time() + 50
while time.time() < deadline:
    {ids}
    if any(d['State'] == 'BAKING' for d in ac.list_deployments(ApplicationId=app, EnvironmentId=env)['Items']):
        break
    time.sleep(0.5)
else:
    sys.exit('never baked')
cw.set_alarm_state(AlarmName='shop-5xx', StateValue='ALARM', StateReason='errors')",
        ids = PROD_IDS.replace('\n', "\n    ")
    ));
    let applied: Output = child.wait_with_output().unwrap();
    assert_eq!(applied.status.code(), Some(3), "{}", stdout(&applied));
    RolledBack {
        repo,
        alarm,
        monitors,
    }
}
