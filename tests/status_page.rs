//! End to end: the status page of a repository applied to ministack, after an emergency
//! console edit, opened in headless Chromium (Debian's `chromium`, which .ci/run installs).
//! Asserts on the DOM the page's script leaves, and saves screenshots under target/ for
//! people: target/status-page.png (desktop) and target/status-page-phone.png.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::rollback::{RolledBack, rolled_back_by_alarm};
use support::{FaultProxy, Faults, Ministack, Repo, TWO_ENVIRONMENTS, flagops, stderr, stdout};

/// Deploys `edit(doc)` to prod as a console user would: a new hosted version, a deployment.
fn console_deploy(stack: &Ministack, edit: &str) {
    stack.boto(&format!(
        "app = [a for a in ac.list_applications()['Items'] if a['Name'] == 'shop'][0]['Id']
env = [e for e in ac.list_environments(ApplicationId=app)['Items'] if e['Name'] == 'prod'][0]['Id']
prof = ac.list_configuration_profiles(ApplicationId=app)['Items'][0]['Id']
live = max((d for d in ac.list_deployments(ApplicationId=app, EnvironmentId=env)['Items'] if d['State'] == 'COMPLETE'), key=lambda d: d['DeploymentNumber'])
doc = json.loads(ac.get_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=prof, VersionNumber=int(live['ConfigurationVersion']))['Content'].read())
{edit}
v = ac.create_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=prof, Content=json.dumps(doc).encode(), ContentType='application/json')['VersionNumber']
s = ac.create_deployment_strategy(Name='console-now', DeploymentDurationInMinutes=0, FinalBakeTimeInMinutes=0, GrowthFactor=100, ReplicateTo='NONE')['Id']
ac.start_deployment(ApplicationId=app, EnvironmentId=env, DeploymentStrategyId=s, ConfigurationProfileId=prof, ConfigurationVersion=str(v), Description='emergency edit')"
    ));
}

/// Debian's chromium, or a failure that says how to get it: this test never skips.
fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(out) = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            && out.status.success()
        {
            return PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        }
    }
    panic!(
        "chromium is not installed: the status page is tested in headless Chromium. Install \
         it with `apt-get install -y --no-install-recommends chromium` (bash .ci/run does)"
    );
}

fn headless(browser: &Path, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--no-first-run",
        "--disable-extensions",
        "--hide-scrollbars",
        "--virtual-time-budget=2000",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// The DOM after the page's script ran, at `url`.
fn dump_dom(browser: &Path, profile: &Path, url: &str) -> String {
    let out = headless(browser, profile)
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn screenshot(browser: &Path, profile: &Path, url: &str, file: &Path, size: &str) {
    let out = headless(browser, profile)
        .arg(format!("--screenshot={}", file.display()))
        .arg(format!("--window-size={size}"))
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success() && file.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `<tr>` start tags of the flag rows.
fn flag_rows(dom: &str) -> Vec<&str> {
    dom.match_indices("<tr class=\"flag")
        .map(|(at, _)| {
            let end = dom[at..].find('>').unwrap();
            &dom[at..at + end]
        })
        .collect()
}

/// The cell of `key`'s row in `env`: from its `<td` to its `</td>`.
fn cell<'a>(dom: &'a str, key: &str, env: &str) -> &'a str {
    let from = dom
        .find(&format!("data-key=\"{key}\""))
        .unwrap_or_else(|| panic!("no row {key}"));
    let row = &dom[from..from + dom[from..].find("</tr>").unwrap()];
    row.match_indices("<td ")
        .map(|(at, _)| &row[at..at + row[at..].find("</td>").unwrap()])
        .find(|td| td[..td.find('>').unwrap()].contains(&format!("data-env=\"{env}\"")))
        .unwrap_or_else(|| panic!("no {env} cell for {key}: {row}"))
}

#[test]
fn the_status_page_marks_a_console_edit_and_filters_from_its_url() {
    let browser = chromium();
    let stack = Ministack::start();
    let proxy = FaultProxy::start(&stack.endpoint(), &Faults::none());
    let endpoint = proxy.endpoint();
    let repo = Repo::new(TWO_ENVIRONMENTS);

    let apply = flagops(repo.path(), &endpoint, &["apply"]);
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}{}",
        stdout(&apply),
        stderr(&apply)
    );
    // An emergency edit in the console: dark_mode off in prod.
    console_deploy(&stack, "doc['values']['dark_mode']['enabled'] = False");

    // The same requests as drift, and no more.
    let requests = || proxy.stats()["requests"].as_u64().unwrap();
    let before = requests();
    let drift = flagops(repo.path(), &endpoint, &["drift", "--format", "json"]);
    assert_eq!(drift.status.code(), Some(2), "{}", stdout(&drift));
    let drift_requests = requests() - before;

    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target).unwrap();
    let page = target.join("status-page.html");
    let before = requests();
    let status = flagops(
        repo.path(),
        &endpoint,
        &[
            "status",
            "--format",
            "html",
            "--out",
            page.to_str().unwrap(),
        ],
    );
    let status_requests = requests() - before;
    assert_eq!(status.status.code(), Some(2), "{}", stderr(&status));
    eprintln!("requests to AppConfig: drift {drift_requests}, status {status_requests}");
    assert!(
        status_requests <= drift_requests,
        "status made {status_requests} requests, drift {drift_requests}"
    );

    let json = flagops(repo.path(), &endpoint, &["status", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let flags = doc["rows"].as_array().unwrap().len();
    assert!(flags >= 3, "{doc:#}");

    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.display());
    let dom = dump_dom(&browser, profile.path(), &url);

    // A row per flag, a column per environment.
    let rows = flag_rows(&dom);
    assert_eq!(rows.len(), flags, "{dom}");
    assert!(
        rows.iter().all(|r| !r.contains("hidden")),
        "all shown: {rows:?}"
    );
    let head = &dom[dom.find("<thead>").unwrap()..dom.find("</thead>").unwrap()];
    assert_eq!(head.matches("<th scope=\"col\"").count(), 3, "{head}");
    assert!(
        head.contains(">dev</th>") && head.contains(">prod</th>"),
        "{head}"
    );
    assert!(
        dom.contains(&format!("All {flags} flags shown.")),
        "the script ran"
    );

    // The console edit is marked in dark_mode's prod cell, and only there.
    let edited = cell(&dom, "dark_mode", "prod");
    assert!(edited.contains("s-out-of-band"), "{edited}");
    assert!(
        edited.contains("out-of-band"),
        "said in words too: {edited}"
    );
    assert!(cell(&dom, "dark_mode", "dev").contains("s-in-sync"));
    assert!(cell(&dom, "new_checkout", "prod").contains("s-in-sync"));
    assert!(dom.contains("class=\"flag drifted"), "{dom}");

    // Each flag's details: a row under it, folded by the script.
    let details: Vec<&str> = dom
        .match_indices("<tr class=\"detail\"")
        .map(|(at, _)| &dom[at..at + dom[at..].find('>').unwrap()])
        .collect();
    assert_eq!(details.len(), flags, "{dom}");
    assert!(details.iter().all(|d| d.contains("hidden")), "{details:?}");

    // The filter, from the URL: only dark_mode stays visible, its details unfolded.
    let filtered = dump_dom(
        &browser,
        profile.path(),
        &format!("{url}#q=dark&open=dark_mode"),
    );
    let open: Vec<&str> = filtered
        .match_indices("<tr class=\"detail\"")
        .map(|(at, _)| &filtered[at..at + filtered[at..].find("</tr>").unwrap()])
        .filter(|d| !d[..d.find('>').unwrap()].contains("hidden"))
        .collect();
    assert_eq!(open.len(), 1, "{open:?}");
    assert!(
        open[0].contains("<code>dark_mode</code>")
            && open[0].contains("prod <span class=\"state\">out-of-band"),
        "{}",
        open[0]
    );
    let rows = flag_rows(&filtered);
    let visible: Vec<_> = rows.iter().filter(|r| !r.contains("hidden")).collect();
    assert_eq!(visible.len(), 1, "{rows:?}");
    assert!(visible[0].contains("data-key=\"dark_mode\""), "{visible:?}");
    assert!(filtered.contains(&format!("1 of {flags} flags shown.")));
    // By owner, with a field prefix, and from the query string.
    let owned = dump_dom(
        &browser,
        profile.path(),
        &format!("{url}?q=owner%3Ateam-payments"),
    );
    let visible: Vec<_> = flag_rows(&owned)
        .into_iter()
        .filter(|r| !r.contains("hidden"))
        .collect();
    assert!(!visible.is_empty() && visible.len() < flags, "{visible:?}");
    assert!(
        visible
            .iter()
            .all(|r| r.contains("data-owner=\"team-payments\""))
    );

    screenshot(
        &browser,
        profile.path(),
        &url,
        &target.join("status-page.png"),
        "1200,900",
    );
    screenshot(
        &browser,
        profile.path(),
        &url,
        &target.join("status-page-phone.png"),
        "390,1400",
    );
}

#[test]
fn status_after_an_alarm_rollback_names_the_held_fields_and_the_alarm() {
    let stack = Ministack::start();
    let RolledBack { repo, alarm, .. } = rolled_back_by_alarm(&stack);

    let (code, doc) = support::json(repo.path(), &stack.endpoint(), &["status"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["in_sync"], false);
    let prod = doc["environments"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e == "prod")
        .unwrap();
    let row = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "new_checkout")
        .unwrap();
    let cell = &row["cells"][prod];
    assert_eq!(cell["sync"], "held", "{cell:#}");
    assert_eq!(cell["held"], serde_json::json!(["enabled"]), "{cell:#}");
    assert_eq!(
        cell["differences"][0],
        serde_json::json!({"field": "enabled", "git": true, "live": false})
    );
    let cause = cell["cause"].as_str().unwrap();
    assert!(
        cause.contains("rolled back") && cause.contains(&alarm),
        "{cause}"
    );
    assert_eq!(cell["deployment"]["state"], "ROLLED_BACK", "{cell:#}");
    // The other flags and environments are in sync.
    assert_eq!(doc["counts"]["held"], 1, "{doc:#}");
    assert_eq!(doc["counts"].as_object().unwrap().len(), 2, "{doc:#}");
}
