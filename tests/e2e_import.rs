//! `flagops import` end to end against ministack: resources made the way a console user makes
//! them (boto3), imported into an empty directory; the result passes check and plans empty.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use support::{Ministack, flagops, stderr, stdout};

/// An application with two environments (one with an alarm monitor), a custom strategy, a
/// feature-flags profile with attributes, a multi-variant flag, a deprecation and an
/// application-defined `allow_list` attribute, and a freeform profile with a JSON Schema
/// validator; one hosted version of each profile deployed to each environment.
const CONSOLE_SETUP: &str = r#"
app = ac.create_application(Name='shop', Description='The web shop')['Id']
cw.put_metric_alarm(AlarmName='shop-5xx', MetricName='5xx', Namespace='shop', Statistic='Sum', Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator='GreaterThanThreshold')
alarm = cw.describe_alarms(AlarmNames=['shop-5xx'])['MetricAlarms'][0]['AlarmArn']
envs = {
    'dev': ac.create_environment(ApplicationId=app, Name='dev')['Id'],
    'prod': ac.create_environment(ApplicationId=app, Name='prod', Description='Customers', Monitors=[{'AlarmArn': alarm, 'AlarmRoleArn': 'arn:aws:iam::123456789012:role/alarm-reader'}])['Id'],
}
strategy = ac.create_deployment_strategy(Name='fast', Description='No rollout', DeploymentDurationInMinutes=0, FinalBakeTimeInMinutes=0, GrowthFactor=100, GrowthType='LINEAR', ReplicateTo='NONE')['Id']
features = ac.create_configuration_profile(ApplicationId=app, Name='features', LocationUri='hosted', Type='AWS.AppConfig.FeatureFlags', Description='Release flags')['Id']
schema = {'type': 'object', 'properties': {'limit': {'type': 'integer'}}, 'required': ['limit']}
settings = ac.create_configuration_profile(ApplicationId=app, Name='settings', LocationUri='hosted', Type='AWS.Freeform', Validators=[{'Type': 'JSON_SCHEMA', 'Content': json.dumps(schema)}])['Id']

def flags(env):
    ranking = ({'_variants': [
        {'name': 'gold', 'rule': '(eq $tier "gold")', 'enabled': True, 'attributeValues': {'ranker': 'semantic'}},
        {'name': 'default', 'enabled': False},
    ]} if env == 'prod' else {'enabled': True, 'ranker': 'keyword'})
    return {
        'version': '1',
        'flags': {
            'checkout': {'name': 'New checkout', 'description': 'One-page checkout: the new flow',
                         'attributes': {
                             'max_items': {'constraints': {'type': 'number', 'minimum': 1, 'maximum': 100, 'required': True}},
                             'allow_list': {'description': 'Tenants, checked by the shop', 'constraints': {'type': 'array', 'elements': {'type': 'string'}}},
                         }},
            'ranking': {'name': 'Ranking', 'attributes': {'ranker': {'constraints': {'type': 'string', 'enum': ['keyword', 'semantic']}}}},
            'banner': {'name': 'banner', '_deprecation': {'status': 'planned', 'date': '2027-06-01'}},
        },
        'values': {
            'checkout': {'enabled': env == 'dev', 'max_items': 10, 'allow_list': ['t1', 't2']},
            'ranking': ranking,
            'banner': {'enabled': False},
        },
    }

def settings_doc(env):
    return {'limit': 5 if env == 'dev' else 50, 'regions': ['eu', 'us'], 'support': {'email': 'help@shop.example'}}

def deploy(env, profile, content):
    v = ac.create_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=profile, Content=json.dumps(content).encode(), ContentType='application/json')['VersionNumber']
    n = ac.start_deployment(ApplicationId=app, EnvironmentId=envs[env], DeploymentStrategyId=strategy, ConfigurationProfileId=profile, ConfigurationVersion=str(v), Description='by hand')['DeploymentNumber']
    deadline = time.time() + 60
    while ac.get_deployment(ApplicationId=app, EnvironmentId=envs[env], DeploymentNumber=n)['State'] != 'COMPLETE':
        assert time.time() < deadline, 'deployment did not complete'
        time.sleep(0.5)

for env in ['dev', 'prod']:
    deploy(env, features, flags(env))
    deploy(env, settings, settings_doc(env))
"#;

#[test]
fn an_imported_console_setup_checks_clean_and_plans_empty() {
    let stack = Ministack::start();
    stack.boto(CONSOLE_SETUP);
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("flags-repo");

    let import = flagops(&repo, &stack.endpoint(), &["import"]);
    assert_eq!(
        import.status.code(),
        Some(0),
        "{}{}",
        stdout(&import),
        stderr(&import)
    );
    let report = stdout(&import);
    assert!(
        report.contains("4 of 4 targets compile back to exactly what is live"),
        "{report}"
    );

    let config = std::fs::read_to_string(repo.join("flagops.yaml")).expect("flagops.yaml");
    for expected in [
        "# yaml-language-server: $schema=schemas/flagops.schema.json",
        "  fast:\n    description: No rollout\n    duration_minutes: 0\n    bake_minutes: 0\n    growth_type: linear\n    growth_factor: 100\n",
        "      prod:\n        description: Customers\n        strategy: fast\n        production: true",
        "alarm_role_arn: arn:aws:iam::123456789012:role/alarm-reader",
        "        schema: schemas/shop/settings.schema.json",
    ] {
        assert!(config.contains(expected), "{expected:?} in\n{config}");
    }
    let features =
        std::fs::read_to_string(repo.join("flags/shop/features.yaml")).expect("features file");
    for expected in [
        "# yaml-language-server: $schema=../../schemas/flags.schema.json",
        "    name: New checkout\n",
        // An allow_list the application defined itself stays a plain attribute.
        "    evaluate: agent",
        "      allow_list:\n        type: array\n        description: Tenants, checked by the shop\n",
        "        max_items: 10\n        allow_list: [t1, t2]\n",
        "          - name: gold\n            rule: (eq $tier \"gold\")\n            enabled: true\n            values: { ranker: semantic }\n",
        "    deprecated: \"2027-06-01\"\n",
        "      dev: { enabled: true }\n      prod: { enabled: false }\n",
    ] {
        assert!(features.contains(expected), "{expected:?} in\n{features}");
    }
    assert!(repo.join("schemas/shop/settings.schema.json").is_file());
    assert!(repo.join("schemas/flags.schema.json").is_file());

    let check = flagops(&repo, &stack.endpoint(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let check_text = stdout(&check);
    assert!(
        check_text.contains("warning[FO218]") && check_text.contains("0 errors"),
        "{check_text}"
    );

    let plan = flagops(&repo, &stack.endpoint(), &["plan"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}{}",
        stdout(&plan),
        stderr(&plan)
    );
    assert!(
        stdout(&plan).contains("0 of 4 targets change"),
        "{}",
        stdout(&plan)
    );

    // A second import would overwrite what a person may have edited since: refused.
    std::fs::write(
        repo.join("flags/shop/features.yaml"),
        features.replace("TODO-owner", "team-shop"),
    )
    .expect("edit");
    let again = flagops(&repo, &stack.endpoint(), &["import"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("flags/shop/features.yaml") && stderr(&again).contains("--force"),
        "{}",
        stderr(&again)
    );
    let kept = std::fs::read_to_string(repo.join("flags/shop/features.yaml")).expect("read");
    assert!(kept.contains("team-shop"), "nothing was overwritten");
    let forced = flagops(&repo, &stack.endpoint(), &["import", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stdout(&forced));
}
