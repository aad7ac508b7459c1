//! `flagops stop`: end a bad rollout. A running flagops deployment is stopped (ROLLED_BACK);
//! with `revert`, a completed one is reverted (REVERTED, within AWS's 72 hours). Either way
//! the previous version is served again, and drift and apply then treat the target like any
//! rollback: its values are held at what is live until a commit changes them or
//! `--retry` names them. The stop is recorded in the drift ledger, with who and why.

use serde::Serialize;

use crate::compile::TargetId;
use crate::live::{Backend, TargetLive};

/// One deployment stopped.
#[derive(Debug, Clone, Serialize)]
pub struct Stopped {
    #[serde(flatten)]
    pub id: TargetId,
    pub deployment: i32,
    pub version: String,
    /// Its state after the stop: ROLLED_BACK or REVERTED.
    pub state: String,
}

/// What `flagops stop` did.
#[derive(Debug, Clone, Serialize)]
pub struct StopReport {
    pub stopped: Vec<Stopped>,
    /// Selected targets with nothing to stop, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub untouched: Vec<(TargetId, String)>,
    pub revert: bool,
    pub reason: String,
    /// The ledger record of the stop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_record: Option<String>,
    pub backend: String,
}

/// Stops (or with `revert`, reverts) the newest flagops deployment of each target in `live`.
/// A target with nothing to stop is left alone, with the reason; an AWS error ends the run.
pub async fn stop(
    backend: &Backend,
    live: &[TargetLive],
    revert: bool,
) -> Result<(Vec<Stopped>, Vec<(TargetId, String)>), crate::live::BackendError> {
    let mut stopped = Vec::new();
    let mut untouched = Vec::new();
    for target in live {
        let Some(ids) = &target.ids else {
            untouched.push((
                target.id.clone(),
                "it does not exist in AppConfig".to_owned(),
            ));
            continue;
        };
        // Rolling out, or baking (served to all, still able to roll back); with `revert`,
        // also the completed deployment that is live.
        let rolling = target.state.in_flight.as_ref().or(target
            .state
            .live
            .as_ref()
            .filter(|d| d.state == crate::live::DeployState::Baking));
        let candidate = rolling.or(target.state.live.as_ref().filter(|_| revert));
        let Some(deployment) = candidate else {
            let why = if revert {
                "nothing is deployed"
            } else {
                "no deployment is in progress (`--revert` rolls back a completed one)"
            };
            untouched.push((target.id.clone(), why.to_owned()));
            continue;
        };
        if deployment.flagops_commit().is_none() {
            untouched.push((
                target.id.clone(),
                format!(
                    "deployment #{} was not made by flagops: stop it where it was started",
                    deployment.number
                ),
            ));
            continue;
        }
        // AllowRevert on a deployment still in progress makes the old version live as
        // well, and is the only form AppConfig accepts while it bakes.
        let after = backend
            .stop_deployment(&ids.application, &ids.environment, deployment.number, true)
            .await?;
        stopped.push(Stopped {
            id: target.id.clone(),
            deployment: after.number,
            version: after.version.clone(),
            state: after.state.as_str().to_owned(),
        });
    }
    Ok((stopped, untouched))
}
