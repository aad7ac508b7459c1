//! End to end: one repository, two AWS accounts in two regions. dev lives in account
//! 111111111111 (us-east-1), prod in account 222222222222 (eu-west-1), each reached through a
//! role assumed from the base credentials. ministack scopes AppConfig resources by the
//! account of the caller's credentials and by region, so one emulator stands in for both
//! accounts. STS calls go through `sts_gate.py`, which refuses AssumeRole into the roles a
//! test names, as AWS does when a trust policy does not let the caller in.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use support::{
    FaultProxy, Faults, Ministack, Repo, flagops_command, free_port, stderr, stdout, wait_listening,
};

const DEV_ROLE: &str = "arn:aws:iam::111111111111:role/flagops";
const PROD_ROLE: &str = "arn:aws:iam::222222222222:role/flagops";

/// dev in account 111111111111 (us-east-1), prod in the account of `prod_role` (eu-west-1),
/// with prod's AppConfig calls sent to `prod_endpoint` when given.
fn config(prod_role: &str, prod_endpoint: Option<&str>) -> String {
    let endpoint = prod_endpoint
        .map(|url| format!(", endpoint_url: \"{url}\""))
        .unwrap_or_default();
    format!(
        "version: 1
aws:
  region: us-east-1
  role_arn: {DEV_ROLE}
strategies:
  instant: {{ duration_minutes: 0, bake_minutes: 0, growth_factor: 100 }}
applications:
  shop:
    environments:
      dev: {{ strategy: instant }}
      prod:
        strategy: instant
        production: true
        aws: {{ region: eu-west-1, role_arn: \"{prod_role}\"{endpoint} }}
    profiles:
      features: {{ type: feature-flags }}
"
    )
}

/// `sts_gate.py` in front of ministack, killed when dropped.
struct StsGate {
    child: Child,
    port: u16,
}

impl StsGate {
    fn start(upstream: &str, deny: &[&str]) -> Self {
        let port = free_port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/sts_gate.py");
        let mut command = Command::new("python3");
        command
            .arg(script)
            .args(["--upstream", upstream, "--port", &port.to_string()]);
        for role in deny {
            command.args(["--deny", role]);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let mut gate = StsGate { child, port };
        wait_listening(&mut gate.child, port, "sts_gate.py");
        gate
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for StsGate {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// flagops with the ambient (base) credentials of account 000000000000, AppConfig at the
/// emulator and STS at the gate.
fn run(repo: &Path, stack: &Ministack, gate: &StsGate, args: &[&str]) -> Output {
    flagops_command(repo, &stack.endpoint(), args)
        .env("AWS_ENDPOINT_URL_STS", gate.endpoint())
        .output()
        .expect("flagops runs")
}

fn run_json(repo: &Path, stack: &Ministack, gate: &StsGate, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = run(repo, stack, gate, &all);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "JSON output; stdout: {} stderr: {}",
            stdout(&out),
            stderr(&out)
        )
    });
    (out.status.code().unwrap_or(-1), doc)
}

/// Runs `script` with `ac`, an AppConfig client in `account` (through an assumed role) and
/// `region`, as a person with console access to that account would.
fn in_account(stack: &Ministack, account: &str, region: &str, script: &str) -> String {
    stack.boto(&format!(
        "sts = boto3.client('sts', **kw)
c = sts.assume_role(RoleArn='arn:aws:iam::{account}:role/console', RoleSessionName='console')['Credentials']
ac = boto3.client('appconfig', endpoint_url=kw['endpoint_url'], region_name='{region}', aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])
{script}"
    ))
}

/// The environments of application `shop` in an account and region, sorted.
fn environments(stack: &Ministack, account: &str, region: &str) -> String {
    in_account(
        stack,
        account,
        region,
        "apps = [a['Id'] for a in ac.list_applications()['Items'] if a['Name'] == 'shop']
print(sorted(e['Name'] for a in apps for e in ac.list_environments(ApplicationId=a)['Items']))",
    )
    .trim()
    .to_owned()
}

/// (environment, account, region, what) of each target or finding of a report.
fn sites(items: &Value, what: &str) -> Vec<String> {
    let mut out: Vec<String> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{} {} {} {}",
                t["environment"].as_str().unwrap_or("?"),
                t["account"].as_str().unwrap_or("-"),
                t["region"].as_str().unwrap_or("-"),
                t[what].as_str().unwrap_or("?"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn each_environment_lives_in_its_own_account_and_region() {
    let stack = Ministack::start();
    let gate = StsGate::start(&stack.endpoint(), &[]);
    // prod's AppConfig calls go through a proxy its `endpoint_url` names; dev's straight to
    // the emulator, as AWS_ENDPOINT_URL_APPCONFIG says.
    let proxy = FaultProxy::start(&stack.endpoint(), &Faults::none());
    let repo = Repo::new(&config(PROD_ROLE, Some(&proxy.endpoint())));

    let out = run(repo.path(), &stack, &gate, &["apply"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "apply: {}{}",
        stdout(&out),
        stderr(&out)
    );
    for line in [
        "shop/prod/features (222222222222 eu-west-1): deployed",
        "shop/dev/features (111111111111 us-east-1): deployed",
        // Strategies belong to an account and region: one in each.
        "+ created deployment strategy instant (111111111111 us-east-1)",
        "+ created deployment strategy instant (222222222222 eu-west-1)",
    ] {
        assert!(
            stdout(&out).contains(line),
            "apply names each target's account and region: {line}\n{}",
            stdout(&out)
        );
    }
    // Each environment where flagops.yaml says, and nowhere else.
    assert_eq!(environments(&stack, "111111111111", "us-east-1"), "['dev']");
    assert_eq!(
        environments(&stack, "222222222222", "eu-west-1"),
        "['prod']"
    );
    assert_eq!(environments(&stack, "222222222222", "us-east-1"), "[]");
    assert_eq!(environments(&stack, "111111111111", "eu-west-1"), "[]");
    let base = stack.boto("print([a['Name'] for a in ac.list_applications()['Items']])");
    assert_eq!(base.trim(), "[]", "nothing in the base account");
    let through_proxy = proxy.stats()["operations"]["StartDeployment"].clone();
    assert_eq!(
        through_proxy,
        serde_json::json!({"forwarded": 1, "requests": 1}),
        "prod's one deployment, and only it, went through its endpoint_url"
    );

    // A plan right after apply is empty, in both accounts.
    let (code, plan) = run_json(repo.path(), &stack, &gate, &["plan"]);
    assert_eq!(code, 0, "plan after apply: {plan:#}");
    assert_eq!(
        sites(&plan["targets"], "action"),
        [
            "dev 111111111111 us-east-1 unchanged",
            "prod 222222222222 eu-west-1 unchanged"
        ]
    );

    // A console edit in the prod account is drift there, and only there.
    in_account(
        &stack,
        "222222222222",
        "eu-west-1",
        "app = [a for a in ac.list_applications()['Items'] if a['Name'] == 'shop'][0]['Id']
env = ac.list_environments(ApplicationId=app)['Items'][0]['Id']
prof = ac.list_configuration_profiles(ApplicationId=app)['Items'][0]['Id']
live = max((d for d in ac.list_deployments(ApplicationId=app, EnvironmentId=env)['Items'] if d['State'] == 'COMPLETE'), key=lambda d: d['DeploymentNumber'])
doc = json.loads(ac.get_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=prof, VersionNumber=int(live['ConfigurationVersion']))['Content'].read())
doc['values']['new_checkout']['enabled'] = True
v = ac.create_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=prof, Content=json.dumps(doc).encode(), ContentType='application/json')['VersionNumber']
s = ac.create_deployment_strategy(Name='console-now', DeploymentDurationInMinutes=0, FinalBakeTimeInMinutes=0, GrowthFactor=100, ReplicateTo='NONE')['Id']
ac.start_deployment(ApplicationId=app, EnvironmentId=env, DeploymentStrategyId=s, ConfigurationProfileId=prof, ConfigurationVersion=str(v), Description='emergency edit')",
    );
    let (code, drift) = run_json(repo.path(), &stack, &gate, &["drift", "--record"]);
    assert_eq!(code, 2, "drift: {drift:#}");
    assert_eq!(
        sites(&drift["findings"], "class"),
        ["prod 222222222222 eu-west-1 out-of-band"]
    );
    // status reads each account as drift does: the edit shows in prod's cell only.
    let (code, status) = run_json(repo.path(), &stack, &gate, &["status"]);
    assert_eq!(code, 2, "status: {status:#}");
    let cells: Vec<String> = (status["rows"].as_array().unwrap().iter())
        .filter(|r| r["key"] == "new_checkout")
        .flat_map(|r| r["cells"].as_array().unwrap().iter())
        .map(|c| {
            format!(
                "{} {}",
                c["environment"].as_str().unwrap(),
                c["sync"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(cells, ["dev in-sync", "prod out-of-band"], "{status:#}");
    // The ledger keeps where it happened.
    let (_, ledger) = run_json(repo.path(), &stack, &gate, &["ledger", "list"]);
    assert_eq!(
        sites(&ledger["records"], "class"),
        ["prod 222222222222 eu-west-1 out-of-band"]
    );

    // adopt reads prod's live values from its own account: once in git, nothing is to plan.
    let out = run(repo.path(), &stack, &gate, &["adopt", "--no-commit"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "adopt: {}{}",
        stdout(&out),
        stderr(&out)
    );
    repo.commit("adopt the console edit");
    let (code, plan) = run_json(repo.path(), &stack, &gate, &["plan"]);
    assert_eq!(code, 0, "plan after adopt: {plan:#}");
}

#[test]
fn a_role_that_cannot_be_assumed_stops_its_account_only() {
    const DENIED: &str = "arn:aws:iam::333333333333:role/flagops";
    let stack = Ministack::start();
    let gate = StsGate::start(&stack.endpoint(), &[DENIED]);
    let repo = Repo::new(&config(DENIED, None));

    let (code, plan) = run_json(repo.path(), &stack, &gate, &["plan"]);
    assert_eq!(code, 1, "plan with one account unreachable: {plan:#}");
    assert_eq!(
        sites(&plan["targets"], "action"),
        ["dev 111111111111 us-east-1 create"]
    );
    let unreachable = &plan["unreachable"][0];
    assert_eq!(unreachable["role_arn"], DENIED);
    assert_eq!(unreachable["account"], "333333333333");
    assert_eq!(unreachable["targets"][0]["environment"], "prod");
    let error = unreachable["error"].as_str().unwrap();
    assert!(
        error.contains(&format!("cannot assume role {DENIED}")) && error.contains("AccessDenied"),
        "{error}"
    );

    // What a reviewer reads: the reachable account's plan, and the role that was refused.
    let out = run(repo.path(), &stack, &gate, &["plan", "--no-diff"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("plan_one_account_refused_human", stdout(&out));
    let out = run(
        repo.path(),
        &stack,
        &gate,
        &["plan", "--format", "markdown"],
    );
    insta::assert_snapshot!("plan_one_account_refused_markdown", stdout(&out));

    let out = run(repo.path(), &stack, &gate, &["apply"]);
    let text = stdout(&out) + &stderr(&out);
    assert_eq!(out.status.code(), Some(1), "apply: {text}");
    assert!(text.contains(DENIED), "apply names the role: {text}");
    assert!(text.contains("AccessDenied"), "and why: {text}");
    // The other account got its change.
    assert_eq!(environments(&stack, "111111111111", "us-east-1"), "['dev']");
    assert_eq!(environments(&stack, "333333333333", "eu-west-1"), "[]");

    // Drift compares what it can reach, and says what it could not.
    let (code, drift) = run_json(repo.path(), &stack, &gate, &["drift"]);
    assert_eq!(code, 1, "drift: {drift:#}");
    assert_eq!(drift["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(drift["unreachable"][0]["role_arn"], DENIED);
    let out = run(
        repo.path(),
        &stack,
        &gate,
        &["drift", "--format", "markdown"],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("drift_one_account_refused_markdown", stdout(&out));

    // status shows the account it reached, and names the one it did not.
    let (code, status) = run_json(repo.path(), &stack, &gate, &["status"]);
    assert_eq!(code, 1, "status: {status:#}");
    assert_eq!(status["unreachable"][0]["role_arn"], DENIED);
    let environments: Vec<&str> = (status["rows"].as_array().unwrap().iter())
        .flat_map(|r| r["cells"].as_array().unwrap().iter())
        .filter(|c| !c.is_null())
        .map(|c| c["environment"].as_str().unwrap())
        .collect();
    assert!(
        !environments.is_empty() && environments.iter().all(|e| *e == "dev"),
        "only the reached account's cells: {status:#}"
    );
}
