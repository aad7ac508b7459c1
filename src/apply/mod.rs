//! apply: reconcile the desired state into AppConfig. Creates missing resources, uploads a
//! hosted version per changed target (reused on re-runs: its label carries the content
//! digest), deploys it with the environment's strategy, one deployment at a time per
//! environment, and watches each deployment to its end.
//!
//! Every step is idempotent, so an interrupted apply converges when run again: a version
//! with the target's label is reused, and a deployment of that version already running or
//! complete is watched instead of started twice.

pub mod preflight;
mod report;
pub mod setup;
pub mod stop;

pub use report::ApplyReport;

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::compile::{Target, TargetId};
use crate::live::api::{NewDeployment, NewVersion};
use crate::live::{
    Backend, BackendError, DeployState, Deployment, ErrorKind, Inventory, PROVENANCE_PREFIX,
    resolve,
};
use crate::model::config::{ProfileKind, RepoConfig};
use crate::plan::{Action, Plan, TargetPlan};
use crate::vocabulary;

/// StartDeployment conflicts decided again from a fresh read before apply gives up on a
/// target (waits for a deployment in progress do not count: the busy check does them).
const MAX_CONFLICTS: u32 = 10;

/// How apply runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Watch deployments to their end (otherwise return once started).
    pub wait: bool,
    /// Give up waiting after this long (per environment).
    pub timeout: Duration,
    /// Pause between polls of a running deployment.
    pub poll: Duration,
    /// Environments deployed at the same time; 0 for all of them.
    pub concurrency: usize,
    /// The git commit being applied, recorded on every version and deployment.
    pub commit: String,
    /// The repository root (freeform schemas are read from it).
    pub root: std::path::PathBuf,
    /// Appended to every deployment description, e.g. `break-glass=<ledger record id>`.
    pub note: Option<String>,
}

/// Progress reports while apply runs; the output layer decides how to show them.
pub trait Progress: Sync {
    fn report(&self, target: &TargetId, message: &str);
    /// A step on the setup around targets: a strategy, an environment's monitors.
    fn setup(&self, message: &str);
    /// How far a target's deployment has gone, 0 to 100: what a progress bar shows.
    fn percent(&self, _target: &TargetId, _percent: f32) {}
}

/// How one target ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    Unchanged,
    /// Deployed and complete.
    Deployed {
        deployment: i32,
        version: i32,
        strategy: String,
    },
    /// Started and not watched (`--no-wait`), or still running at the timeout.
    Started {
        deployment: i32,
        version: i32,
        state: String,
    },
    /// AppConfig rolled the deployment back or it was reverted.
    RolledBack {
        deployment: i32,
        version: i32,
        state: String,
        reason: String,
    },
    Failed {
        error: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    #[serde(flatten)]
    pub id: crate::compile::TargetId,
    /// The account and region the target lives in, when more than one is in use.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub site: Option<crate::live::location::Site>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Resources created: "application storefront", "environment storefront/production", ...
    pub created: Vec<String>,
    /// Setup brought to what flagops.yaml declares, or failed to be.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<setup::SetupResult>,
    pub targets: Vec<TargetResult>,
}

impl Report {
    /// Adds what apply did in one more location, its targets marked with their site.
    pub fn merge(&mut self, other: Report, site: Option<&crate::live::location::Site>) {
        self.created
            .extend(other.created.into_iter().map(|c| match site {
                Some(site) => format!("{c} ({site})"),
                None => c,
            }));
        self.setup.extend(other.setup);
        self.targets
            .extend(other.targets.into_iter().map(|t| TargetResult {
                site: site.cloned(),
                ..t
            }));
    }

    /// Fails the targets of a location no call reached.
    pub fn unreachable(&mut self, unreachable: &crate::live::location::Unreachable) {
        let site = Some(unreachable.site.clone());
        for id in &unreachable.targets {
            self.targets.push(TargetResult {
                id: id.clone(),
                site: site.clone(),
                outcome: Outcome::Failed {
                    error: unreachable.error.clone(),
                },
            });
        }
    }

    pub fn rolled_back(&self) -> bool {
        self.targets
            .iter()
            .any(|t| matches!(t.outcome, Outcome::RolledBack { .. }))
    }
    pub fn failed(&self) -> bool {
        self.targets
            .iter()
            .any(|t| matches!(t.outcome, Outcome::Failed { .. }))
            || self.setup.iter().any(|s| s.error.is_some())
    }
}

/// Applies `plan`. `targets` are the compiled targets the plan was made from.
pub async fn apply(
    backend: &Backend,
    config: &RepoConfig,
    targets: &[&Target],
    plan: &Plan,
    options: &Options,
    progress: &dyn Progress,
) -> Report {
    let mut report = Report {
        // Before any deployment: a new bake time or alarm applies to this apply's own.
        setup: setup::update(backend, &plan.setup, progress).await,
        ..Report::default()
    };
    let changed: Vec<&TargetPlan> = plan
        .targets
        .iter()
        .filter(|t| t.action != Action::Unchanged)
        .collect();
    for t in plan
        .targets
        .iter()
        .filter(|t| t.action == Action::Unchanged)
    {
        report.targets.push(TargetResult {
            id: t.id.clone(),
            site: None,
            outcome: Outcome::Unchanged,
        });
    }
    if changed.is_empty() {
        return report;
    }

    let inventory = match ensure_resources(
        backend,
        config,
        &options.root,
        &changed,
        &mut report.created,
        progress,
    )
    .await
    {
        Ok(inv) => inv,
        Err(e) => {
            for t in changed {
                report.targets.push(TargetResult {
                    id: t.id.clone(),
                    site: None,
                    outcome: Outcome::Failed {
                        error: e.to_string(),
                    },
                });
            }
            return report;
        }
    };

    // One queue per environment; environments run side by side (all of them by default).
    let mut queues: Vec<Vec<&TargetPlan>> = Vec::new();
    for t in &changed {
        match queues.iter_mut().find(|q| {
            q[0].id.application == t.id.application && q[0].id.environment == t.id.environment
        }) {
            Some(q) => q.push(t),
            None => queues.push(vec![t]),
        }
    }
    let at_once = match options.concurrency {
        0 => queues.len(),
        n => n,
    };
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(at_once.max(1)));
    // Environments of one profile upload their versions in turn: each upload moves the
    // profile's latest version number, which the next one is conditioned on, so uploads at
    // once would only conflict with each other and retry.
    let turns: UploadTurns = changed
        .iter()
        .map(|t| {
            let key = (t.id.application.clone(), t.id.profile.clone());
            (key, tokio::sync::Mutex::new(()))
        })
        .collect();
    let runs = queues.into_iter().map(|queue| {
        let limit = limit.clone();
        let inventory = &inventory;
        let turns = &turns;
        async move {
            let _permit = limit.acquire().await;
            let mut results = Vec::new();
            for t in queue {
                let target = targets.iter().find(|c| c.id == t.id);
                let outcome = match target {
                    Some(target) => {
                        deploy_target(backend, inventory, turns, target, t, options, progress)
                            .await
                            .unwrap_or_else(|e| Outcome::Failed {
                                error: e.to_string(),
                            })
                    }
                    None => Outcome::Failed {
                        error: "target not compiled".into(),
                    },
                };
                progress.report(&t.id, &describe(&outcome));
                results.push(TargetResult {
                    id: t.id.clone(),
                    site: None,
                    outcome,
                });
            }
            results
        }
    });
    for results in futures_util::future::join_all(runs).await {
        report.targets.extend(results);
    }
    let order = |r: &TargetResult| plan.targets.iter().position(|t| t.id == r.id);
    report.targets.sort_by_key(order);
    report
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Unchanged => "unchanged".into(),
        Outcome::Deployed {
            deployment,
            version,
            strategy,
        } => format!("deployment #{deployment} of version {version} complete ({strategy})"),
        Outcome::Started {
            deployment,
            version,
            state,
        } => format!("deployment #{deployment} of version {version} started ({state})"),
        Outcome::RolledBack {
            deployment,
            state,
            reason,
            ..
        } => format!("deployment #{deployment} {state}: {reason}"),
        Outcome::Failed { error } => format!("failed: {error}"),
    }
}

/// Creates the applications, environments, profiles and custom strategies the changed
/// targets need. Never deletes anything.
async fn ensure_resources(
    backend: &Backend,
    config: &RepoConfig,
    root: &std::path::Path,
    changed: &[&TargetPlan],
    created: &mut Vec<String>,
    progress: &dyn Progress,
) -> Result<Inventory, BackendError> {
    let mut apps: Vec<&str> = changed.iter().map(|t| t.id.application.as_str()).collect();
    apps.sort_unstable();
    apps.dedup();
    let mut inventory = backend.inventory(&apps).await?;
    let note = |created: &mut Vec<String>, what: String, id: &TargetId| {
        progress.report(id, &format!("created {what}"));
        created.push(what);
    };
    for t in changed {
        let id = t.id.clone();
        let Some(app_config) = config.applications.get(&id.application) else {
            continue;
        };
        if !inventory.applications.contains_key(&id.application) {
            let app_id = backend
                .create_application(&id.application, app_config.description.as_deref())
                .await?;
            inventory.applications.insert(
                id.application.clone(),
                crate::live::AppInventory {
                    id: app_id,
                    ..Default::default()
                },
            );
            note(created, format!("application {}", id.application), &id);
        }
        let Some(env_config) = app_config.environments.get(&id.environment) else {
            continue;
        };
        for name in [
            Some(&env_config.strategy),
            env_config.urgent_strategy.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(strategy) = config.strategies.get(name)
                && !inventory.strategies.contains_key(name)
            {
                let sid = setup::create_strategy(backend, name, strategy).await?;
                inventory.strategies.insert(name.clone(), sid);
                note(created, format!("deployment strategy {name}"), &id);
            }
        }
        let app = inventory
            .applications
            .get_mut(&id.application)
            .ok_or_else(|| {
                BackendError::new(ErrorKind::Other, "inventory", "application vanished")
            })?;
        if !app.environments.contains_key(&id.environment) {
            let env_id = backend
                .create_environment(
                    &app.id,
                    &id.environment,
                    env_config.description.as_deref(),
                    &env_config.monitors,
                )
                .await?;
            app.environments.insert(id.environment.clone(), env_id);
            note(
                created,
                format!("environment {}/{}", id.application, id.environment),
                &id,
            );
        }
        if !app.profiles.contains_key(&id.profile)
            && let Some(profile) = app_config.profiles.get(&id.profile)
        {
            // Freeform profiles get their schema as an AppConfig validator when it fits one.
            let schema = match (&profile.kind, &profile.schema) {
                (ProfileKind::Freeform, Some(path)) => crate::load::read_repo_file(root, path)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .filter(|s| s.chars().count() <= crate::compile::VALIDATOR_MAX_CHARS),
                _ => None,
            };
            let pid = backend
                .create_profile(
                    &app.id,
                    &id.profile,
                    profile.kind.appconfig_type(),
                    profile.description.as_deref(),
                    schema.as_deref(),
                )
                .await?;
            app.profiles.insert(
                id.profile.clone(),
                (pid, profile.kind.appconfig_type().to_owned()),
            );
            note(
                created,
                format!("configuration profile {}/{}", id.application, id.profile),
                &id,
            );
        }
    }
    Ok(inventory)
}

/// One lock per (application, profile): whose turn it is to upload a version.
type UploadTurns = std::collections::HashMap<(String, String), tokio::sync::Mutex<()>>;

async fn deploy_target(
    backend: &Backend,
    inventory: &Inventory,
    turns: &UploadTurns,
    target: &Target,
    plan: &TargetPlan,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Outcome, BackendError> {
    let id = &target.id;
    let Ids {
        app,
        env_id,
        profile_id,
        strategy_id,
    } = ids(inventory, id, plan)?;
    let version = {
        let key = (id.application.clone(), id.profile.clone());
        let _turn = match turns.get(&key) {
            Some(turn) => Some(turn.lock().await),
            None => None,
        };
        upload(backend, &app.id, profile_id, target, plan, options).await?
    };
    let version_text = version.to_string();
    let started = Instant::now();
    // Conflicts that are not explained by a deployment in progress (a stale
    // LatestDeploymentNumber) are decided again from a fresh read, a bounded number of times.
    let mut conflicts = 0u32;

    let deployment = loop {
        let needed = app.needed([id.profile.as_str()]);
        let mut history = backend
            .deployments(&app.id, env_id, &needed)
            .await?
            .deployments;
        crate::live::identify(backend, app, env_id, &mut history, &needed).await?;
        let state = resolve(&history, profile_id);
        match already(&state, &version_text) {
            Some(Already::Complete(number)) => {
                return Ok(Outcome::Deployed {
                    deployment: number,
                    version,
                    strategy: plan.strategy.clone(),
                });
            }
            Some(Already::Live(d)) => break d,
            Some(Already::Running(d)) => {
                let number = d.number;
                progress.report(
                    id,
                    &format!("deployment #{number} of version {version} is already running"),
                );
                break d;
            }
            None => {}
        }
        if let Some(busy) = &state.environment_busy {
            let waited_enough = !options.wait || started.elapsed() > options.timeout;
            wait_for(backend, id, busy, waited_enough, options, progress).await?;
            continue;
        }
        let description = description(options, plan);
        let request = NewDeployment {
            application_id: &app.id,
            environment_id: env_id,
            profile_id,
            strategy_id: &strategy_id,
            version: &version_text,
            description: &description,
            tags: vec![("flagops:commit".into(), options.commit.clone())],
            latest_deployment_number: Some(history.iter().map(|d| d.number).max().unwrap_or(0)),
        };
        match backend.start_deployment(&request).await {
            Ok(d) => {
                progress.report(
                    id,
                    &format!(
                        "started deployment #{} of version {version} with {}",
                        d.number, plan.strategy
                    ),
                );
                break d;
            }
            // Another deployment got in first: read the environment again and decide again
            // (the same request is never re-sent: the next one carries the new history).
            Err(e)
                if e.kind == ErrorKind::Conflict
                    && conflicts < MAX_CONFLICTS
                    && (options.wait || !e.message.contains("in progress"))
                    && started.elapsed() <= options.timeout =>
            {
                conflicts += 1;
                progress.report(
                    id,
                    &format!(
                        "conflict ({}); reading the environment again ({conflicts}/{MAX_CONFLICTS})",
                        e.message
                    ),
                );
                if e.message.contains("in progress") {
                    pause(backend, options.poll).await;
                }
            }
            Err(e) => return Err(e),
        }
    };
    watch(
        backend, &app.id, env_id, deployment, version, plan, options, progress,
    )
    .await
}

/// Another deployment holds the environment: waits one poll for it, or fails once waiting
/// is over (or not allowed), naming it.
async fn wait_for(
    backend: &Backend,
    id: &TargetId,
    busy: &Deployment,
    waited_enough: bool,
    options: &Options,
    progress: &dyn Progress,
) -> Result<(), BackendError> {
    let (number, state) = (busy.number, busy.state.as_str());
    if waited_enough {
        return Err(BackendError::new(
            ErrorKind::Conflict,
            "StartDeployment",
            format!(
                "deployment #{number} ({state}) is in progress in {}/{}; not started",
                id.application, id.environment
            ),
        ));
    }
    progress.report(
        id,
        &format!("waiting for deployment #{number} ({state}) to finish"),
    );
    pause(backend, options.poll).await;
    Ok(())
}

/// A deployment of the version apply would deploy, found in the environment's history.
enum Already {
    /// Live and complete: nothing to do (a re-run, or a concurrent apply got there first).
    Complete(i32),
    /// Live, still baking: watch it.
    Live(Deployment),
    /// In flight: watch it rather than start another.
    Running(Deployment),
}

fn already(state: &crate::live::LiveState, version: &str) -> Option<Already> {
    if let Some(d) =
        (state.live.as_ref()).filter(|d| d.version == version && state.in_flight.is_none())
    {
        return Some(if d.state == DeployState::Complete {
            Already::Complete(d.number)
        } else {
            Already::Live(d.clone())
        });
    }
    let running = state.in_flight.as_ref().filter(|d| d.version == version);
    running.map(|d| Already::Running(d.clone()))
}

/// The AppConfig ids a target's deployment needs.
struct Ids<'a> {
    app: &'a crate::live::AppInventory,
    env_id: &'a str,
    profile_id: &'a str,
    strategy_id: String,
}

/// The ids of a target's application, environment, profile and strategy; every one must
/// exist by now (resources are ensured before any target deploys).
fn ids<'a>(
    inventory: &'a Inventory,
    id: &TargetId,
    plan: &TargetPlan,
) -> Result<Ids<'a>, BackendError> {
    let missing = |what: &str| {
        BackendError::new(
            ErrorKind::NotFound,
            "apply",
            format!("{what} of {id} does not exist"),
        )
    };
    let app = inventory
        .applications
        .get(&id.application)
        .ok_or_else(|| missing("application"))?;
    let env_id = app
        .environments
        .get(&id.environment)
        .ok_or_else(|| missing("environment"))?;
    let (profile_id, _) = app
        .profiles
        .get(&id.profile)
        .ok_or_else(|| missing("configuration profile"))?;
    let strategy_id = if vocabulary::is_predefined_strategy(&plan.strategy) {
        plan.strategy.clone()
    } else {
        inventory
            .strategies
            .get(&plan.strategy)
            .cloned()
            .ok_or_else(|| missing(&format!("deployment strategy {}", plan.strategy)))?
    };
    Ok(Ids {
        app,
        env_id,
        profile_id,
        strategy_id,
    })
}

/// A deployment's description: its provenance (commit and content digest), and the
/// break-glass record it ships under, if any.
fn description(options: &Options, plan: &TargetPlan) -> String {
    format!(
        "{PROVENANCE_PREFIX}{} digest={}{}",
        options.commit,
        &plan.digest[..16.min(plan.digest.len())],
        options
            .note
            .as_ref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default()
    )
}

/// Finds or creates the target's hosted version. `LatestVersionNumber` makes creation a
/// compare-and-swap: environments of one profile race for the next number, and the loser
/// looks again (its label may already be there).
async fn upload(
    backend: &Backend,
    app_id: &str,
    profile_id: &str,
    target: &Target,
    plan: &TargetPlan,
    options: &Options,
) -> Result<i32, BackendError> {
    let label = vocabulary::version_label(&plan.digest, &target.id.environment);
    // git's document with console-owned and held fields at their live values.
    let content = crate::compile::canonical::compact(&plan.document);
    let description = format!(
        "{PROVENANCE_PREFIX}{} env={} digest={}",
        options.commit, target.id.environment, plan.digest
    );
    let content_type = "application/json";
    let mut last_error = None;
    for _ in 0..8 {
        let versions = backend.versions(app_id, profile_id).await?;
        if let Some(v) = versions
            .iter()
            .find(|v| v.label.as_deref() == Some(label.as_str()))
        {
            return Ok(v.number);
        }
        let request = NewVersion {
            application_id: app_id,
            profile_id,
            content: content.as_bytes(),
            content_type,
            label: &label,
            description: &description,
            latest_version_number: versions.iter().map(|v| v.number).max(),
        };
        match backend.create_version(&request).await {
            Ok(number) => return Ok(number),
            // A concurrent writer moved the latest number, or created our label first.
            Err(e)
                if e.kind == ErrorKind::Conflict
                    || (e.kind == ErrorKind::BadRequest && e.message.contains("label")) =>
            {
                last_error = Some(e)
            }
            // The create may have reached AppConfig with its answer lost (a reset, a timeout
            // after retries): the label says whether it did.
            Err(e) => {
                let versions = backend
                    .versions(app_id, profile_id)
                    .await
                    .map_err(|_| e.clone())?;
                return match versions
                    .iter()
                    .find(|v| v.label.as_deref() == Some(label.as_str()))
                {
                    Some(v) => Ok(v.number),
                    None => Err(e),
                };
            }
        }
    }
    Err(last_error.unwrap_or_else(|| {
        BackendError::new(
            ErrorKind::Conflict,
            "CreateHostedConfigurationVersion",
            "gave up after repeated conflicts",
        )
    }))
}

#[allow(clippy::too_many_arguments)]
async fn watch(
    backend: &Backend,
    app_id: &str,
    env_id: &str,
    mut d: Deployment,
    version: i32,
    plan: &TargetPlan,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Outcome, BackendError> {
    let id = plan.id.clone();
    let started = Instant::now();
    let mut last = String::new();
    let mut reported = Instant::now();
    loop {
        progress.percent(&id, d.percentage);
        let status = format!("{} {:.0}%", d.state.as_str(), d.percentage);
        // A line on every change of state, and at least every PROGRESS_EVERY while waiting.
        if status != last || reported.elapsed() >= PROGRESS_EVERY {
            let bake = match d.state {
                DeployState::Baking => bake_left(&d, jiff::Timestamp::now()),
                _ => String::new(),
            };
            progress.report(
                &id,
                &format!(
                    "deployment #{}: {status}{bake} (waiting {} s)",
                    d.number,
                    started.elapsed().as_secs()
                ),
            );
            last = status;
            reported = Instant::now();
        }
        match &d.state {
            DeployState::Complete => {
                return Ok(Outcome::Deployed {
                    deployment: d.number,
                    version,
                    strategy: plan.strategy.clone(),
                });
            }
            s if s.is_rejected() && *s != DeployState::RollingBack => {
                let reason = d
                    .rollback_reason()
                    .unwrap_or_else(|| "no reason in the event log".into());
                return Ok(Outcome::RolledBack {
                    deployment: d.number,
                    version,
                    state: s.as_str().to_owned(),
                    reason,
                });
            }
            _ => {}
        }
        if !options.wait || started.elapsed() > options.timeout {
            return Ok(Outcome::Started {
                deployment: d.number,
                version,
                state: d.state.as_str().to_owned(),
            });
        }
        pause(backend, options.poll).await;
        d = backend.deployment(app_id, env_id, d.number).await?;
    }
}

/// Longest apply stays silent while it waits on a deployment.
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

/// ", 4 min 10 s of bake left", from the BAKE_TIME_STARTED event and the bake time the
/// deployment carries; how long it has baked where the bake time is unknown.
pub(crate) fn bake_left(d: &Deployment, now: jiff::Timestamp) -> String {
    let Some(started) = d
        .events
        .iter()
        .find(|e| e.event_type == "BAKE_TIME_STARTED")
        .and_then(|e| e.occurred_at.parse::<jiff::Timestamp>().ok())
    else {
        return ", baking".to_owned();
    };
    let baked = now.duration_since(started).as_secs().max(0);
    match d.bake_minutes {
        Some(minutes) => {
            let left = (i64::from(minutes) * 60 - baked).max(0);
            format!(", {} of bake left", minutes_seconds(left))
        }
        None => format!(", baking for {}", minutes_seconds(baked)),
    }
}

fn minutes_seconds(secs: i64) -> String {
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

async fn pause(backend: &Backend, poll: Duration) {
    if !backend.is_instant() {
        tokio::time::sleep(poll).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::DeployEvent;

    fn baking(bake_minutes: Option<i32>, started: &str) -> Deployment {
        Deployment {
            number: 4,
            profile_id: None,
            profile_name: None,
            version: "7".into(),
            version_label: None,
            state: DeployState::Baking,
            percentage: 100.0,
            strategy_id: None,
            bake_minutes,
            description: None,
            started_at: None,
            completed_at: None,
            events: vec![DeployEvent {
                event_type: "BAKE_TIME_STARTED".into(),
                triggered_by: "APPCONFIG".into(),
                description: "Bake time started".into(),
                occurred_at: started.into(),
            }],
        }
    }

    #[test]
    fn progress_counts_the_bake_down() {
        let now: jiff::Timestamp = "2026-12-04T10:01:50Z".parse().unwrap();
        let started = "2026-12-04T10:00:00Z";
        assert_eq!(
            bake_left(&baking(Some(5), started), now),
            ", 3 min 10 s of bake left"
        );
        assert_eq!(
            bake_left(&baking(Some(2), started), now),
            ", 10 s of bake left"
        );
        assert_eq!(
            bake_left(&baking(Some(1), started), now),
            ", 0 s of bake left"
        );
        assert_eq!(
            bake_left(&baking(None, started), now),
            ", baking for 1 min 50 s"
        );
        let mut no_event = baking(Some(5), started);
        no_event.events.clear();
        assert_eq!(bake_left(&no_event, now), ", baking");
    }
}
