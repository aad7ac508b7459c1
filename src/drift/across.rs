//! Drift across every location the targets live in: each location's targets are read and
//! classified through its own backend, all locations at once. A location no call reaches is
//! reported with its targets; the others are compared all the same.

use std::path::Path;

use super::Finding;
use crate::live::location::{Located, Unreachable};
use crate::model::Model;
use crate::model::RepoConfig;
use crate::plan::setup::SetupChange;

/// What every reached location showed.
#[derive(Debug, Clone, Default)]
pub struct Across {
    pub findings: Vec<Finding>,
    /// AppConfig setup that differs from flagops.yaml, location after location.
    pub setup: Vec<SetupChange>,
    pub unreachable: Vec<Unreachable>,
    /// The live state each reached target was classified from (what status shows).
    pub live: Vec<crate::live::TargetLive>,
}

/// Reads and classifies every location's targets; with `setup`, also diffs each location's
/// AppConfig setup against flagops.yaml.
pub async fn read(
    located: &[Located<'_>],
    config: &RepoConfig,
    model: &Model,
    root: &Path,
    setup: bool,
) -> Across {
    let runs = located.iter().map(|here| async move {
        let (backend, inventory) = here.inventory().await?;
        let described = |app: &str, profile: &str| config.describes_profile(app, profile);
        // The versions, deployments and setup of the location, all at once.
        let read = super::read_in(backend, model, &inventory, &here.targets);
        let account = async {
            match setup {
                true => (crate::live::setup(backend, &inventory, &described).await).map(Some),
                false => Ok(None),
            }
        };
        let ((mut findings, live), account) =
            tokio::try_join!(read, account).map_err(|e| e.to_string())?;
        for f in &mut findings {
            f.site.clone_from(&here.site);
        }
        let changes = if let Some(account) = account {
            let mut changes = crate::plan::setup::diff(config, &account, root, &here.ids());
            for change in &mut changes {
                change.site.clone_from(&here.site);
            }
            changes
        } else {
            Vec::new()
        };
        Ok::<_, String>((findings, changes, live))
    });
    let mut across = Across::default();
    for (here, result) in located
        .iter()
        .zip(futures_util::future::join_all(runs).await)
    {
        match result {
            Ok((findings, changes, live)) => {
                across.findings.extend(findings);
                across.setup.extend(changes);
                across.live.extend(live);
            }
            Err(e) => (across.unreachable).push(Unreachable::new(&here.location, &here.targets, e)),
        }
    }
    across
}
