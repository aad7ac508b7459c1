//! watch: follows the deployments running on the selected targets to their end, reporting
//! each change of state (percentage, bake time left) the way apply does while it waits.

use std::time::{Duration, Instant};

use crate::apply::Progress;
use crate::compile::TargetId;
use crate::live::{Backend, BackendError, DeployState, Deployment, TargetLive};

/// How one followed deployment ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    pub target: TargetId,
    pub deployment: i32,
    pub version: String,
    /// Its last state: `COMPLETE`, `ROLLED_BACK`, `REVERTED`, or a running state at the timeout.
    pub state: String,
    /// What ended a rolled-back or reverted one.
    pub reason: Option<String>,
    /// Still running when the timeout passed.
    pub running: bool,
    /// Rolled back or reverted.
    pub rejected: bool,
}

/// What `flagops watch` reports.
#[derive(Debug, Clone, Default)]
pub struct WatchReport {
    pub watched: Vec<Watched>,
    /// Targets looked at.
    pub targets: usize,
    pub backend: String,
}

impl WatchReport {
    pub fn rolled_back(&self) -> bool {
        self.watched.iter().any(|w| w.rejected)
    }

    pub fn still_running(&self) -> bool {
        self.watched.iter().any(|w| w.running)
    }
}

/// Follows every deployment in progress on `live`'s targets (rolling out or baking) until it
/// ends or `timeout` passes, polling every `poll`.
pub async fn follow(
    backend: &Backend,
    live: &[TargetLive],
    poll: Duration,
    timeout: Duration,
    progress: &dyn Progress,
) -> Result<Vec<Watched>, BackendError> {
    let follows = live.iter().filter_map(|l| {
        let ids = l.ids.as_ref()?;
        let d = (l.state.in_flight.iter())
            .chain(l.state.live.iter())
            .find(|d| d.state.is_in_progress())?
            .clone();
        let at = Target {
            id: &l.id,
            app_id: &ids.application,
            env_id: &ids.environment,
        };
        Some(follow_one(backend, at, d, poll, timeout, progress))
    });
    futures_util::future::join_all(follows)
        .await
        .into_iter()
        .collect()
}

/// Where a followed deployment runs.
#[derive(Clone, Copy)]
struct Target<'a> {
    id: &'a TargetId,
    app_id: &'a str,
    env_id: &'a str,
}

async fn follow_one(
    backend: &Backend,
    at: Target<'_>,
    mut d: Deployment,
    poll: Duration,
    timeout: Duration,
    progress: &dyn Progress,
) -> Result<Watched, BackendError> {
    let started = Instant::now();
    let mut last = String::new();
    loop {
        progress.percent(at.id, d.percentage);
        let status = format!("{} {:.0}%", d.state.as_str(), d.percentage);
        if status != last {
            let bake = match d.state {
                DeployState::Baking => crate::apply::bake_left(&d, jiff::Timestamp::now()),
                _ => String::new(),
            };
            progress.report(at.id, &format!("deployment #{}: {status}{bake}", d.number));
            last = status;
        }
        let running = d.state.is_in_progress();
        if !running || started.elapsed() > timeout {
            return Ok(Watched {
                target: at.id.clone(),
                deployment: d.number,
                version: d.version.clone(),
                state: d.state.as_str().to_owned(),
                reason: if d.state.is_rejected() {
                    d.rollback_reason()
                } else {
                    None
                },
                running,
                rejected: d.state.is_rejected(),
            });
        }
        if !backend.is_instant() {
            tokio::time::sleep(poll).await;
        }
        d = backend.deployment(at.app_id, at.env_id, d.number).await?;
    }
}
