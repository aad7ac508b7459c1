//! apply under faults, interruption and concurrency, against ministack behind the fault proxy
//! (`tests/support/fault_proxy.py`): throttling, 5xx and connections lost before or after the
//! request reached AppConfig; flagops killed at random points; two applies at once. Afterwards
//! AppConfig must hold one hosted version per content and environment, one deployment per
//! environment per change, and a plan must be empty. The proxy also enforces what AWS does and
//! the emulator does not (version compare-and-swap, unique labels and names).
//!
//! State is read with boto3 straight from ministack, never through the proxy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{FaultProxy, Faults, Ministack, Repo, flagops_command, stderr, stdout};

/// Instant deployments (no duration, no bake), so tests spend their time on faults.
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

/// Longest a single flagops run may take before the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(90);

/// A small seeded generator (xorshift64*): the same delays on every run of the test.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

/// Waits for `child` at most `limit`; kills it and fails the test past that.
fn wait_bounded(mut child: Child, limit: Duration, what: &str) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "{what} still running after {limit:?}\nstdout: {}\nstderr: {}",
                stdout(&out),
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn spawn(repo: &Repo, endpoint: &str, args: &[&str]) -> Child {
    flagops_command(repo.path(), endpoint, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("flagops runs")
}

fn run(repo: &Repo, endpoint: &str, args: &[&str]) -> Output {
    wait_bounded(spawn(repo, endpoint, args), RUN_LIMIT, &format!("{args:?}"))
}

fn assert_no_panic(out: &Output) {
    let log = stderr(out);
    assert!(
        !log.contains("panicked") && out.status.code().is_some(),
        "flagops crashed ({:?}): {log}",
        out.status
    );
}

/// `flagops apply`, run again while it exits 1 (a failure it reports), at most `runs` times.
/// Returns how many runs it took.
fn apply_until_converged(repo: &Repo, endpoint: &str, runs: usize) -> usize {
    let mut last = String::new();
    for n in 1..=runs {
        let out = run(repo, endpoint, &["apply", "--poll-seconds", "1"]);
        assert_no_panic(&out);
        match out.status.code() {
            Some(0) => return n,
            Some(1) => last = format!("stdout: {}\nstderr: {}", stdout(&out), stderr(&out)),
            code => panic!(
                "apply exited {code:?}\nstdout: {}\nstderr: {}",
                stdout(&out),
                stderr(&out)
            ),
        }
    }
    panic!("apply did not converge in {runs} runs; last one:\n{last}");
}

/// What AppConfig holds for application `shop`, read with boto3 from ministack directly.
fn state(stack: &Ministack) -> Value {
    let out = stack.boto(
        "import hashlib
out = {'apps': 0, 'environments': {}, 'profiles': {}, 'strategies': {}, 'versions': [], 'deployments': {}}
for s in ac.list_deployment_strategies()['Items']:
    out['strategies'][s['Name']] = out['strategies'].get(s['Name'], 0) + 1
for app in [a for a in ac.list_applications()['Items'] if a['Name'] == 'shop']:
    out['apps'] += 1
    profiles = ac.list_configuration_profiles(ApplicationId=app['Id'])['Items']
    for p in profiles:
        out['profiles'][p['Name']] = out['profiles'].get(p['Name'], 0) + 1
        for v in ac.list_hosted_configuration_versions(ApplicationId=app['Id'], ConfigurationProfileId=p['Id'])['Items']:
            full = ac.get_hosted_configuration_version(ApplicationId=app['Id'], ConfigurationProfileId=p['Id'], VersionNumber=v['VersionNumber'])
            out['versions'].append({'profile': p['Name'], 'number': v['VersionNumber'], 'label': v.get('VersionLabel'),
                                    'sha': hashlib.sha256(full['Content'].read()).hexdigest()})
    for e in ac.list_environments(ApplicationId=app['Id'])['Items']:
        out['environments'][e['Name']] = out['environments'].get(e['Name'], 0) + 1
        for d in ac.list_deployments(ApplicationId=app['Id'], EnvironmentId=e['Id'])['Items']:
            full = ac.get_deployment(ApplicationId=app['Id'], EnvironmentId=e['Id'], DeploymentNumber=d['DeploymentNumber'])
            out['deployments'].setdefault(e['Name'], []).append({'number': d['DeploymentNumber'],
                'version': d['ConfigurationVersion'], 'state': d['State'], 'profile': full['ConfigurationProfileId']})
print(json.dumps(out))",
    );
    serde_json::from_str(&out).expect("state as JSON")
}

/// Counts that a converged AppConfig must show: hosted versions, and deployments per
/// environment.
struct Expected {
    versions: usize,
    dev: usize,
    prod: usize,
}

/// The invariants every test ends with: one application, environment and profile per name;
/// one hosted version per label and per (content, environment); every deployment complete and
/// no version deployed twice in an environment; with `expected`, exact counts.
fn assert_converged(stack: &Ministack, expected: Option<Expected>) -> Value {
    let s = state(stack);
    let pretty = serde_json::to_string_pretty(&s).unwrap_or_default();
    assert_eq!(s["apps"], 1, "one application `shop`: {pretty}");
    for (kind, names) in [
        ("environments", &["dev", "prod"][..]),
        ("profiles", &["features"]),
    ] {
        for name in names {
            assert_eq!(s[kind][name], 1, "one {kind} `{name}`: {pretty}");
        }
    }
    let versions = s["versions"].as_array().expect("versions");
    let mut labels = BTreeSet::new();
    let mut contents = BTreeSet::new();
    for v in versions {
        let label = v["label"].as_str().unwrap_or_else(|| {
            panic!("a hosted version without a label: {pretty}");
        });
        assert!(labels.insert(label), "label {label} twice: {pretty}");
        let env = label.rsplit('.').next().unwrap_or_default();
        assert!(
            contents.insert((v["sha"].as_str().unwrap_or_default(), env)),
            "the same content uploaded twice for {env}: {pretty}"
        );
    }
    let mut deployed: BTreeMap<&str, usize> = BTreeMap::new();
    for (env, list) in s["deployments"].as_object().expect("deployments") {
        let mut seen = BTreeSet::new();
        for d in list.as_array().expect("list") {
            assert_eq!(d["state"], "COMPLETE", "{env}: {pretty}");
            let version = d["version"].as_str().unwrap_or_default();
            assert!(
                seen.insert(version),
                "version {version} deployed twice in {env}: {pretty}"
            );
        }
        deployed.insert(env, seen.len());
    }
    if let Some(e) = expected {
        assert_eq!(versions.len(), e.versions, "hosted versions: {pretty}");
        assert_eq!(deployed.get("dev").copied(), Some(e.dev), "dev: {pretty}");
        assert_eq!(
            deployed.get("prod").copied(),
            Some(e.prod),
            "prod: {pretty}"
        );
    }
    s
}

fn assert_plan_empty(repo: &Repo, endpoint: &str) {
    let plan = run(repo, endpoint, &["plan"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "plan after apply is empty:\n{}\n{}",
        stdout(&plan),
        stderr(&plan)
    );
}

fn count(stats: &Value, operation: &str, outcome: &str) -> u64 {
    stats["operations"][operation][outcome]
        .as_u64()
        .unwrap_or_default()
}

#[test]
fn apply_converges_through_throttling_5xx_and_lost_responses() {
    let stack = Ministack::start();
    // Besides 40% of requests failing at random, the first write of each kind is applied by
    // AppConfig and its answer lost: the SDK's retry (or flagops's) must not make it twice.
    let proxy = FaultProxy::start(
        &stack.endpoint(),
        &Faults {
            seed: 0x5eed_0001,
            rate: 0.4,
            force: [
                "CreateApplication=reset-after",
                "CreateEnvironment=error-500-after",
                "CreateConfigurationProfile=reset-after",
                "CreateDeploymentStrategy=reset-after",
                "CreateHostedConfigurationVersion=reset-after",
                "StartDeployment=reset-after",
                "StartDeployment=error-500-after",
            ]
            .map(String::from)
            .to_vec(),
        },
    );
    let repo = Repo::new(CONFIG);
    let endpoint = proxy.endpoint();
    let mut runs = Vec::new();

    runs.push(apply_until_converged(&repo, &endpoint, 4));
    let s = assert_converged(
        &stack,
        Some(Expected {
            versions: 2,
            dev: 1,
            prod: 1,
        }),
    );
    assert_eq!(s["strategies"]["instant"], 1, "one strategy `instant`: {s}");

    // A change to production only, then one to both environments.
    repo.edit(
        "flags/shop.yaml",
        "prod: { enabled: true, allow: [ws_1] }",
        "prod: { enabled: true, allow: [ws_1, ws_9] }",
        "dark mode for ws_9",
    );
    runs.push(apply_until_converged(&repo, &endpoint, 4));
    assert_converged(
        &stack,
        Some(Expected {
            versions: 3,
            dev: 1,
            prod: 2,
        }),
    );
    repo.edit(
        "flags/shop.yaml",
        "values: { max_items: 10 }",
        "values: { max_items: 20 }",
        "bigger carts",
    );
    runs.push(apply_until_converged(&repo, &endpoint, 4));
    assert_converged(
        &stack,
        Some(Expected {
            versions: 5,
            dev: 2,
            prod: 3,
        }),
    );

    let stats = proxy.stats();
    proxy.set_rate(0.0);
    assert_plan_empty(&repo, &endpoint);

    let (requests, faults) = (
        stats["requests"].as_u64().unwrap_or_default(),
        stats["faults"].as_u64().unwrap_or_default(),
    );
    eprintln!(
        "apply runs per change: {runs:?}; {requests} requests, {faults} faulted: {}",
        serde_json::to_string(&stats["by_fault"]).unwrap_or_default()
    );
    for (op, outcomes) in stats["operations"].as_object().into_iter().flatten() {
        if op.starts_with("Create") || op.starts_with("Start") {
            eprintln!("  {op}: {outcomes}");
        }
    }
    assert!(
        faults * 10 >= requests * 3,
        "at least 30% of requests faulted: {faults} of {requests}"
    );
    // Retries absorb the faults: a run that gives up is the exception. A client-side rate
    // limiter that stalls calls past their timeout shows here first (it took 9 runs).
    assert!(
        runs.iter().sum::<usize>() <= 5,
        "apply gave up too often under faults: runs per change {runs:?}"
    );
    for op in ["CreateHostedConfigurationVersion", "StartDeployment"] {
        assert!(
            count(&stats, op, "reset-after") >= 1,
            "{op} lost an answer after AppConfig applied it: {stats}"
        );
    }
}

#[test]
fn apply_killed_at_random_points_converges_when_run_again() {
    let stack = Ministack::start();
    let proxy = FaultProxy::start(&stack.endpoint(), &Faults::none());
    let repo = Repo::new(CONFIG);
    let endpoint = proxy.endpoint();
    let mut rng = Rng(0x6b11_5eed_2024);
    // Kills are spread over a whole apply: delays up to the time a plan takes at first, half
    // as long again after every kill, and the time an apply took when one finished first.
    let mut max_delay = {
        let started = Instant::now();
        let out = run(&repo, &endpoint, &["plan"]);
        assert_no_panic(&out);
        started.elapsed().as_millis() as u64
    };

    let mut killed = Vec::new();
    for i in 0..8u32 {
        if i > 0 {
            repo.edit(
                "flags/shop.yaml",
                &format!("values: {{ max_items: {} }}", 9 + i),
                &format!("values: {{ max_items: {} }}", 10 + i),
                "next cart size",
            );
        }
        let delay = rng.below(max_delay.clamp(100, 5_000));
        let mut child = spawn(&repo, &endpoint, &["apply", "--poll-seconds", "1"]);
        let started = Instant::now();
        let mut finished = false;
        while started.elapsed() < Duration::from_millis(delay) {
            if child.try_wait().expect("wait").is_some() {
                finished = true;
                max_delay = started.elapsed().as_millis() as u64;
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if !finished {
            child.kill().expect("SIGKILL");
            max_delay = max_delay * 3 / 2;
        }
        let out = wait_bounded(child, RUN_LIMIT, "killed apply");
        if finished {
            assert_no_panic(&out);
        }
        let last = proxy.log().lines().last().unwrap_or_default().to_owned();
        killed.push((delay, !finished, last));
    }
    let mid_flight = killed.iter().filter(|k| k.1).count();
    eprintln!("kills (delay ms, killed before the end, last request):");
    for k in &killed {
        eprintln!("  {k:?}");
    }
    assert!(
        mid_flight >= 2,
        "at least two applies were killed before they finished: {killed:?}"
    );

    let final_apply = run(&repo, &endpoint, &["apply", "--poll-seconds", "1"]);
    assert_no_panic(&final_apply);
    assert_eq!(
        final_apply.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&final_apply),
        stderr(&final_apply)
    );
    let s = assert_converged(&stack, None);
    assert_eq!(s["strategies"]["instant"], 1, "one strategy `instant`: {s}");
    assert_plan_empty(&repo, &endpoint);
    eprintln!(
        "{} hosted versions, deployments {}; proxy: {} requests",
        s["versions"].as_array().map_or(0, Vec::len),
        s["deployments"],
        proxy.stats()["requests"]
    );
}

#[test]
fn two_applies_at_once_deploy_each_change_once() {
    let stack = Ministack::start();
    // Both applies create strategy `instant` at the same moment, each having seen none.
    let proxy = FaultProxy::start(
        &stack.endpoint(),
        &Faults {
            seed: 0,
            rate: 0.0,
            force: vec!["CreateDeploymentStrategy=barrier".to_owned(); 2],
        },
    );
    let repo = Repo::new(CONFIG);
    let endpoint = proxy.endpoint();

    let both = |round: &str| {
        let first = spawn(&repo, &endpoint, &["apply", "--poll-seconds", "1"]);
        let second = spawn(&repo, &endpoint, &["apply", "--poll-seconds", "1"]);
        let outs = [
            wait_bounded(first, RUN_LIMIT, "first apply"),
            wait_bounded(second, RUN_LIMIT, "second apply"),
        ];
        for out in &outs {
            assert_no_panic(out);
            match out.status.code() {
                Some(0) => {}
                // The loser of a race may report it; it must say what happened.
                Some(1) => assert!(
                    stdout(out).contains("onflict") || stdout(out).contains("in progress"),
                    "{round}: a failure that is not the conflict:\n{}\n{}",
                    stdout(out),
                    stderr(out)
                ),
                code => panic!("{round}: exit {code:?}\n{}\n{}", stdout(out), stderr(out)),
            }
        }
        assert!(
            outs.iter().any(|o| o.status.success()),
            "{round}: one of the two applies succeeds"
        );
        outs.map(|o| o.status.code().unwrap_or(-1))
    };

    let fresh = both("fresh account");
    let s = assert_converged(&stack, None);
    // AppConfig does not keep strategy names unique: both applies may create `instant`, and
    // must agree on one and leave one.
    assert_eq!(s["strategies"]["instant"], 1, "one strategy `instant`: {s}");
    assert_plan_empty(&repo, &endpoint);

    repo.edit(
        "flags/shop.yaml",
        "prod: { enabled: true, allow: [ws_1] }",
        "prod: { enabled: true, allow: [ws_1, ws_7] }",
        "dark mode for ws_7",
    );
    let prod_only = both("prod change");
    repo.edit(
        "flags/shop.yaml",
        "values: { max_items: 10 }",
        "values: { max_items: 30 }",
        "bigger carts",
    );
    let everywhere = both("change everywhere");
    assert_converged(
        &stack,
        Some(Expected {
            versions: 5,
            dev: 2,
            prod: 3,
        }),
    );
    assert_plan_empty(&repo, &endpoint);
    eprintln!(
        "exit codes: fresh {fresh:?}, prod change {prod_only:?}, change everywhere {everywhere:?}; proxy: {}",
        proxy.stats()["operations"]
    );
}

/// Killed at the one point where a version is uploaded and its deployment not started yet:
/// the next apply finds the version by its label and deploys it once, uploading nothing again.
#[test]
fn apply_killed_between_upload_and_start_deployment_deploys_that_version_once() {
    let stack = Ministack::start();
    let proxy = FaultProxy::start(
        &stack.endpoint(),
        &Faults {
            seed: 1,
            rate: 0.0,
            force: vec!["StartDeployment=hang".to_owned()],
        },
    );
    let repo = Repo::new(CONFIG);
    let endpoint = proxy.endpoint();

    let mut child = spawn(&repo, &endpoint, &["apply", "--poll-seconds", "1"]);
    let started = Instant::now();
    while !proxy
        .log()
        .lines()
        .any(|l| l.contains("StartDeployment") && l.contains(" hang "))
    {
        assert!(
            started.elapsed() < RUN_LIMIT,
            "StartDeployment never arrived:\n{}",
            proxy.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    let _ = wait_bounded(child, RUN_LIMIT, "killed apply");
    let before = state(&stack);
    let uploaded = before["versions"].as_array().map_or(0, Vec::len);
    let deployed: usize = (before["deployments"].as_object()).map_or(0, |m| {
        m.values().filter_map(Value::as_array).map(Vec::len).sum()
    });
    assert!(
        uploaded > deployed,
        "the kill left a version uploaded and not deployed: {before}"
    );

    let rerun = run(&repo, &endpoint, &["apply", "--poll-seconds", "1"]);
    assert_no_panic(&rerun);
    assert_eq!(
        rerun.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&rerun),
        stderr(&rerun)
    );
    assert_converged(
        &stack,
        Some(Expected {
            versions: 2,
            dev: 1,
            prod: 1,
        }),
    );
    assert_plan_empty(&repo, &endpoint);
}

/// Every environment is deployed and waited on at once: 16 environments baking one minute
/// each finish in little more than a minute (four at a time would take four minutes), and
/// the requests in flight to AppConfig stay within flagops's bound of 10 when they would all
/// be out at once.
#[test]
fn apply_waits_on_every_environment_at_once_with_requests_in_flight_bounded() {
    let stack = Ministack::start();
    let proxy = FaultProxy::start(&stack.endpoint(), &Faults::none());
    let many: String = (1..=14)
        .map(|n| format!("      env{n:02}: {{ strategy: bake-1m }}\n"))
        .collect();
    let config = CONFIG
        .replace(
            "  instant: {",
            "  bake-1m: { duration_minutes: 0, bake_minutes: 1, growth_factor: 100 }\n  instant: {",
        )
        .replace(
            "      dev: { strategy: instant }\n      prod: { strategy: instant, production: true }\n",
            &format!("      dev: {{ strategy: bake-1m }}\n      prod: {{ strategy: bake-1m, production: true }}\n{many}"),
        );
    let repo = Repo::new(&config);
    let endpoint = proxy.endpoint();

    let started = Instant::now();
    let out = wait_bounded(
        spawn(&repo, &endpoint, &["apply", "--poll-seconds", "2"]),
        Duration::from_secs(150),
        "apply of 16 environments baking a minute each",
    );
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "apply: {}", stderr(&out));
    let deployed = stdout(&out)
        .matches("deployed (deployment #1, version")
        .count();
    assert_eq!(
        deployed,
        16,
        "one deployment per environment: {}",
        stdout(&out)
    );
    println!("16 environments applied in {:?}", started.elapsed());

    // Reads of 16 environments at once, each answered slowly: without the bound all 16
    // would be in flight together.
    proxy.set_latency_ms(400);
    assert_plan_empty(&repo, &endpoint);
    let stats = proxy.stats();
    let peak = stats["peak_in_flight"].as_u64().unwrap();
    assert!(
        (5..=10).contains(&peak),
        "between 5 and 10 requests in flight at the peak, saw {peak}: {stats}"
    );
}
