//! One plan across every location the targets live in: each location's targets are read and
//! planned through its own backend, all locations at once, and the plans merged into one. A
//! location no call reaches is reported with its targets; the others are planned all the same.

use std::path::Path;

use super::Plan;
use crate::live::Details;
use crate::live::location::{Located, Unreachable};
use crate::model::Model;
use crate::model::RepoConfig;

/// The merged plan, and which part of it belongs to which location.
#[derive(Debug, Clone, Default)]
pub struct Across {
    pub plan: Plan,
    /// How many of `plan.setup`'s changes each location has, in the locations' order.
    pub setup_counts: Vec<usize>,
    /// Whether each location was reached (an unreachable one has nothing in the plan).
    pub reached: Vec<bool>,
}

impl Across {
    /// `plan` (the merged plan, or what freeze kept of it: same setup changes, fewer
    /// targets) cut back into each location's part.
    pub fn split(&self, plan: &Plan, located: &[Located<'_>]) -> Vec<Plan> {
        let mut setup = plan.setup.iter();
        located
            .iter()
            .zip(&self.setup_counts)
            .map(|(here, &count)| Plan {
                targets: (plan.targets.iter())
                    .filter(|t| here.targets.iter().any(|h| h.id == t.id))
                    .cloned()
                    .collect(),
                setup: setup.by_ref().take(count).cloned().collect(),
                ..Plan::default()
            })
            .collect()
    }
}

/// Reads and plans every location's targets through its own backend: the deployments'
/// `details` that the caller needs (plan shows numbers; apply needs what a deployment says),
/// and the setup, at once.
pub async fn plan(
    located: &[Located<'_>],
    config: &RepoConfig,
    model: &Model,
    root: &Path,
    retry: &[String],
    details: Details,
) -> Across {
    let runs = located.iter().map(|here| async move {
        let (backend, inventory) = here.inventory().await?;
        let described = |app: &str, profile: &str| config.describes_profile(app, profile);
        let (live, account) = tokio::try_join!(
            crate::live::read_in(backend, &inventory, &here.targets, details),
            crate::live::setup(backend, &inventory, &described),
        )
        .map_err(|e| e.to_string())?;
        let mut plan = super::plan(config, model, &here.targets, &live, retry);
        for t in &mut plan.targets {
            t.site.clone_from(&here.site);
        }
        plan.setup = super::setup::diff(config, &account, root, &here.ids());
        for change in &mut plan.setup {
            change.site.clone_from(&here.site);
        }
        Ok::<_, String>(plan)
    });
    let mut across = Across::default();
    for (here, result) in located
        .iter()
        .zip(futures_util::future::join_all(runs).await)
    {
        match result {
            Ok(plan) => {
                across.setup_counts.push(plan.setup.len());
                across.reached.push(true);
                across.plan.targets.extend(plan.targets);
                across.plan.setup.extend(plan.setup);
            }
            Err(e) => {
                across.setup_counts.push(0);
                across.reached.push(false);
                (across.plan.unreachable).push(Unreachable::new(&here.location, &here.targets, e));
            }
        }
    }
    across
}
