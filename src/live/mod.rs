//! live state: what AppConfig serves for each target now, resolved from the deployment history
//! of its environment, through a [`Backend`] (AppConfig itself, or a local directory).

pub mod api;
pub mod appconfig;
pub mod backend;
pub mod describe;
pub mod in_flight;
pub mod local;
pub mod location;
pub mod normalize;
pub mod resolve;
pub mod spec;

use std::collections::BTreeMap;

pub use api::{BackendError, ErrorKind};
pub use backend::Backend;
pub use resolve::{LiveState, resolve};
pub use spec::BackendSpec;

/// A deployment's state. AppConfig sends SCREAMING_CASE; anything else is kept as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeployState {
    Validating,
    Deploying,
    Baking,
    Complete,
    RollingBack,
    RolledBack,
    Reverted,
    #[serde(untagged)]
    Other(String),
}

impl DeployState {
    /// Parses a state, tolerating case and separators (AppConfig's environment states come
    /// CamelCase while the model says SCREAMING_CASE).
    pub fn parse(s: &str) -> Self {
        let norm: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match norm.as_str() {
            "validating" => DeployState::Validating,
            "deploying" => DeployState::Deploying,
            "baking" => DeployState::Baking,
            "complete" | "completed" => DeployState::Complete,
            "rollingback" => DeployState::RollingBack,
            "rolledback" => DeployState::RolledBack,
            "reverted" => DeployState::Reverted,
            _ => DeployState::Other(s.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            DeployState::Validating => "VALIDATING",
            DeployState::Deploying => "DEPLOYING",
            DeployState::Baking => "BAKING",
            DeployState::Complete => "COMPLETE",
            DeployState::RollingBack => "ROLLING_BACK",
            DeployState::RolledBack => "ROLLED_BACK",
            DeployState::Reverted => "REVERTED",
            DeployState::Other(s) => s,
        }
    }

    /// Still moving: AppConfig allows no other deployment in the environment meanwhile.
    pub fn is_in_progress(&self) -> bool {
        matches!(
            self,
            DeployState::Validating
                | DeployState::Deploying
                | DeployState::Baking
                | DeployState::RollingBack
        )
    }

    /// Ended with its version no longer served.
    pub fn is_rejected(&self) -> bool {
        matches!(
            self,
            DeployState::RollingBack | DeployState::RolledBack | DeployState::Reverted
        )
    }
}

/// One entry of a deployment's event log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeployEvent {
    pub event_type: String,
    pub triggered_by: String,
    pub description: String,
    pub occurred_at: String,
}

/// A deployment, as far as flagops needs it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Deployment {
    pub number: i32,
    /// Missing from ListDeployments summaries; filled from the profile's name or from
    /// GetDeployment when needed.
    pub profile_id: Option<String>,
    /// The profile's name (ListDeployments' `ConfigurationName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
    /// The hosted version number (as AppConfig returns it, a string).
    pub version: String,
    pub version_label: Option<String>,
    pub state: DeployState,
    pub percentage: f32,
    pub strategy_id: Option<String>,
    /// The strategy's bake, copied into the deployment when it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bake_minutes: Option<i32>,
    pub description: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    /// Most recent first; empty in list summaries.
    #[serde(default)]
    pub events: Vec<DeployEvent>,
}

impl Deployment {
    /// Who or what ended it, from the event log: the alarm ARN for an alarm rollback.
    pub fn rollback_reason(&self) -> Option<String> {
        // ROLLBACK_STARTED carries the initiator (the alarm ARN); the completion events follow.
        let event = ["ROLLBACK_STARTED", "REVERT_COMPLETED", "ROLLBACK_COMPLETED"]
            .iter()
            .find_map(|kind| self.events.iter().find(|e| e.event_type == *kind))?;
        let by = match event.triggered_by.as_str() {
            "CLOUDWATCH_ALARM" => "CloudWatch alarm",
            "USER" => "user",
            "APPCONFIG" => "AppConfig",
            "INTERNAL_ERROR" => "internal error",
            other => other,
        };
        Some(if event.description.is_empty() {
            by.to_owned()
        } else {
            format!("{by}: {}", event.description)
        })
    }

    /// The git commit recorded by flagops in the description, if flagops made it.
    pub fn flagops_commit(&self) -> Option<&str> {
        provenance_commit(self.description.as_deref()?)
    }
}

/// A hosted configuration version's metadata.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VersionInfo {
    pub number: i32,
    pub label: Option<String>,
    pub description: Option<String>,
}

/// Names to ids of everything that exists in the account (for the applications flagops manages).
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub applications: BTreeMap<String, AppInventory>,
    /// Custom strategies by name (predefined ones are addressed by their `AppConfig.*` id).
    pub strategies: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct AppInventory {
    pub id: String,
    pub environments: BTreeMap<String, String>,
    /// name → (id, AppConfig type)
    pub profiles: BTreeMap<String, (String, String)>,
}

/// Marker flagops writes in version and deployment descriptions: `flagops commit=<sha> …`.
pub const PROVENANCE_PREFIX: &str = "flagops commit=";

/// The commit in a description written by flagops.
pub fn provenance_commit(description: &str) -> Option<&str> {
    let rest = description.strip_prefix(PROVENANCE_PREFIX)?;
    rest.split_whitespace().next()
}

/// Which declared resource does not exist in AppConfig.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    Application,
    Environment,
    Profile,
}

/// AppConfig ids of a target's resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceIds {
    pub application: String,
    pub environment: String,
    pub profile: String,
}

/// What is live for one target.
#[derive(Debug, Clone)]
pub struct TargetLive {
    pub id: crate::compile::TargetId,
    pub kind: crate::model::config::ProfileKind,
    /// `None` when a resource is missing.
    pub ids: Option<ResourceIds>,
    pub missing: Option<Missing>,
    pub state: LiveState,
    /// The live version's metadata and normalized content.
    pub version: Option<VersionInfo>,
    pub content: Option<serde_json::Value>,
    /// The profile's recent deployments in this environment, newest first, each with its
    /// normalized content when it was live or a rejected flagops attempt: what rollback
    /// holds are computed from.
    pub history: Vec<(Deployment, Option<serde_json::Value>)>,
    /// How the environment's deployment listing broke AppConfig's contract, when it did.
    pub untrusted_history: Option<String>,
}

/// What AppConfig holds of the applications `inventory` found (with every strategy), for the
/// setup plan; nothing when none exists yet.
pub async fn setup(
    backend: &Backend,
    inventory: &Inventory,
) -> Result<describe::Account, BackendError> {
    let names: Vec<String> = inventory.applications.keys().cloned().collect();
    if names.is_empty() {
        return Ok(describe::Account::default());
    }
    backend.describe(&names).await
}

/// Deployments of an environment looked at for rollback history.
pub const HISTORY_DEPTH: usize = 30;

/// An environment's deployments as read, newest first.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub deployments: Vec<Deployment>,
    /// How the listing broke AppConfig's contract (newest first, paged by NextToken), when
    /// it did: the history was then read whole and ordered by number.
    pub untrusted: Option<String>,
}

/// What a history read must have seen before it may stop: a live deployment of every
/// profile, and [`HISTORY_DEPTH`] deployments. Everything newer than a profile's live
/// deployment (its rejected and in-flight attempts) comes before it, newest first.
#[derive(Debug, Clone, Default)]
pub struct Needed {
    /// (id, name) of each profile.
    pub profiles: Vec<(String, String)>,
}

impl AppInventory {
    /// What reading an environment's history must find for these profiles (by name).
    pub fn needed<'a>(&self, profiles: impl IntoIterator<Item = &'a str>) -> Needed {
        let mut needed = Needed::default();
        for name in profiles {
            if let Some((id, _)) = self.profiles.get(name)
                && !needed.profiles.iter().any(|(known, _)| known == id)
            {
                needed.profiles.push((id.clone(), name.to_owned()));
            }
        }
        needed
    }
}

/// Fills in the profile ids that ListDeployments summaries lack, newest first until `needed`
/// is met: from the profile's name where the summary has it, else from GetDeployment (which
/// also brings the description, strategy and event log).
pub async fn identify(
    backend: &Backend,
    app: &AppInventory,
    env_id: &str,
    history: &mut [Deployment],
    needed: &Needed,
) -> Result<(), BackendError> {
    let mut live_found = std::collections::HashSet::new();
    for (seen, d) in history.iter_mut().enumerate() {
        if seen >= HISTORY_DEPTH && live_found.len() == needed.profiles.len() {
            break;
        }
        if d.profile_id.is_none()
            && let Some((id, _)) = d.profile_name.as_deref().and_then(|n| app.profiles.get(n))
        {
            d.profile_id = Some(id.clone());
        }
        if d.profile_id.is_none() {
            let full = backend.deployment(&app.id, env_id, d.number).await?;
            *d = Deployment {
                events: full.events,
                description: full.description,
                strategy_id: full.strategy_id,
                profile_id: full.profile_id,
                ..d.clone()
            };
        }
        if matches!(d.state, DeployState::Complete | DeployState::Baking)
            && let Some(p) = d.profile_id.as_deref()
            && needed.profiles.iter().any(|(id, _)| id == p)
        {
            live_found.insert(p.to_owned());
        }
    }
    Ok(())
}

impl Needed {
    pub fn met(&self, newest_first: &[Deployment]) -> bool {
        newest_first.len() >= HISTORY_DEPTH
            && self.profiles.iter().all(|(id, name)| {
                newest_first.iter().any(|d| {
                    matches!(d.state, DeployState::Complete | DeployState::Baking)
                        && (d.profile_id.as_deref() == Some(id.as_str())
                            || d.profile_name.as_deref() == Some(name.as_str()))
                })
            })
    }
}

/// Reads the live state of `targets`: one ListDeployments per environment serves all its
/// profiles; GetDeployment only where a summary lacks the profile id or flagops needs the
/// description and event log; version content is fetched once per version.
pub async fn read(
    backend: &Backend,
    targets: &[&crate::compile::Target],
) -> Result<(Inventory, Vec<TargetLive>), BackendError> {
    let mut apps: Vec<&str> = targets.iter().map(|t| t.id.application.as_str()).collect();
    apps.sort_unstable();
    apps.dedup();
    let inventory = backend.inventory(&apps).await?;

    // Group by environment, keeping the targets' order within each.
    let mut groups: Vec<((String, String), Vec<&crate::compile::Target>)> = Vec::new();
    for t in targets {
        let key = (t.id.application.clone(), t.id.environment.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(t),
            None => groups.push((key, vec![t])),
        }
    }
    let reads = groups
        .iter()
        .map(|(_, group)| read_environment(backend, &inventory, group));
    let mut out = Vec::with_capacity(targets.len());
    for result in futures_util::future::join_all(reads).await {
        out.extend(result?);
    }
    // Back to the caller's order.
    out.sort_by_key(|l| targets.iter().position(|t| t.id == l.id));
    Ok((inventory, out))
}

async fn read_environment(
    backend: &Backend,
    inventory: &Inventory,
    group: &[&crate::compile::Target],
) -> Result<Vec<TargetLive>, BackendError> {
    let first = &group[0].id;
    let blank = |t: &crate::compile::Target, missing: Option<Missing>| TargetLive {
        id: t.id.clone(),
        kind: t.kind,
        ids: None,
        missing,
        state: LiveState::default(),
        version: None,
        content: None,
        history: Vec::new(),
        untrusted_history: None,
    };
    let Some(app) = inventory.applications.get(&first.application) else {
        return Ok(group
            .iter()
            .map(|t| blank(t, Some(Missing::Application)))
            .collect());
    };
    let Some(env_id) = app.environments.get(&first.environment) else {
        return Ok(group
            .iter()
            .map(|t| blank(t, Some(Missing::Environment)))
            .collect());
    };
    let needed = app.needed(group.iter().map(|t| t.id.profile.as_str()));
    let History {
        deployments: mut history,
        untrusted,
    } = backend.deployments(&app.id, env_id, &needed).await?;
    identify(backend, app, env_id, &mut history, &needed).await?;
    let mut out = Vec::new();
    for t in group {
        let Some((profile_id, _)) = app.profiles.get(&t.id.profile) else {
            out.push(blank(t, Some(Missing::Profile)));
            continue;
        };
        let mut state = resolve(&history, profile_id);
        // Details (description for provenance, event log for rollback reasons) of the
        // deployments that matter.
        for d in state
            .live
            .iter_mut()
            .chain(state.in_flight.iter_mut())
            .chain(state.rejected.iter_mut())
            .chain(state.environment_busy.iter_mut())
        {
            if d.description.is_none() {
                *d = backend.deployment(&app.id, env_id, d.number).await?;
            }
        }
        let (version, content) = match &state.live {
            Some(live) => {
                let (info, bytes) = backend.version(&app.id, profile_id, &live.version).await?;
                (Some(info), normalize::parse(&bytes, t.kind))
            }
            None => (None, None),
        };
        let mut profile_history = Vec::new();
        for d in history
            .iter()
            .take(HISTORY_DEPTH)
            .filter(|d| d.profile_id.as_deref() == Some(profile_id.as_str()))
        {
            let d = if d.state.is_rejected() && d.description.is_none() {
                backend.deployment(&app.id, env_id, d.number).await?
            } else {
                d.clone()
            };
            let relevant = matches!(d.state, DeployState::Complete | DeployState::Baking)
                || (d.state.is_rejected() && d.flagops_commit().is_some());
            let content = if relevant {
                normalize::parse(
                    &backend.version(&app.id, profile_id, &d.version).await?.1,
                    t.kind,
                )
            } else {
                None
            };
            profile_history.push((d, content));
        }
        out.push(TargetLive {
            history: profile_history,
            untrusted_history: untrusted.clone(),
            id: t.id.clone(),
            kind: t.kind,
            ids: Some(ResourceIds {
                application: app.id.clone(),
                environment: env_id.clone(),
                profile: profile_id.clone(),
            }),
            missing: None,
            state,
            version,
            content,
        });
    }
    Ok(out)
}
