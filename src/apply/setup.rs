//! apply's setup steps: the Update* call of each setup change the plan found, and creating a
//! custom strategy once even when applies race (AppConfig does not keep strategy names
//! unique). Updates are idempotent; nothing is deleted but a strategy this apply has just
//! made and lost a race with.

use std::time::Duration;

use serde::Serialize;

use super::Progress;
use crate::live::{Backend, BackendError};
use crate::model::config::Strategy;
use crate::plan::setup::{Resource, SetupChange, Update};

/// How one setup change ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupResult {
    pub resource: Resource,
    pub name: String,
    /// Why the update failed; absent when it was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Makes every update in `changes`, in order (strategies come last in a plan, but no update
/// depends on another). A failure is reported and the rest go on: a kill switch's content
/// must not wait for an alarm's role to be fixed.
pub async fn update(
    backend: &Backend,
    changes: &[SetupChange],
    progress: &dyn Progress,
) -> Vec<SetupResult> {
    let mut out = Vec::new();
    for change in changes {
        let Some(update) = &change.update else {
            continue;
        };
        let error = match send(backend, update).await {
            Ok(()) => {
                progress.setup(&format!("updated {}", change.title()));
                None
            }
            Err(e) => {
                progress.setup(&format!("updating {} failed: {e}", change.title()));
                Some(e.to_string())
            }
        };
        out.push(SetupResult {
            resource: change.resource,
            name: change.name.clone(),
            error,
        });
    }
    out
}

async fn send(backend: &Backend, update: &Update) -> Result<(), BackendError> {
    match update {
        Update::Strategy { id, strategy } => backend.update_strategy(id, strategy).await,
        Update::Application { id, description } => {
            backend.update_application(id, description).await
        }
        Update::Environment {
            application_id,
            id,
            description,
            monitors,
        } => {
            backend
                .update_environment(application_id, id, description.as_deref(), monitors)
                .await
        }
        Update::Profile {
            application_id,
            id,
            description,
            json_schema,
        } => {
            backend
                .update_profile(
                    application_id,
                    id,
                    description.as_deref(),
                    json_schema.as_deref(),
                )
                .await
        }
    }
}

/// Long enough for a concurrent apply's create, decided on the same empty listing, to show.
const STRATEGY_SETTLE: Duration = Duration::from_secs(2);

/// Creates the custom strategy `name`, and returns the id every apply agrees on. Two applies
/// on a fresh account may each create one: after a pause both list the strategies of that
/// name, both take the lowest id, and each deletes its own if it lost. Neither has deployed
/// with its own yet, so the loser is unused.
pub async fn create_strategy(
    backend: &Backend,
    name: &str,
    strategy: &Strategy,
) -> Result<String, BackendError> {
    // Look once more right before creating: the inventory may be minutes old.
    if let Some(id) = backend.strategy_ids(name).await?.into_iter().min() {
        return Ok(id);
    }
    let ours = backend.create_strategy(name, strategy).await?;
    if !backend.is_instant() {
        tokio::time::sleep(STRATEGY_SETTLE).await;
    }
    let winner = (backend.strategy_ids(name).await?.into_iter().min()).unwrap_or(ours.clone());
    if winner != ours {
        // Unused: a failure to delete leaves a spare strategy, never a wrong deployment.
        let _ = backend.delete_strategy(&ours).await;
    }
    Ok(winner)
}
