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
    /// What the listings behind this inventory said beyond names and ids, when the backend
    /// keeps it: the setup diff starts from it instead of listing everything again.
    pub listed: Option<describe::Listed>,
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
/// setup plan; nothing when none exists yet. `described(application, profile)` says whether
/// flagops.yaml declares the profile's description: a profile's own read (its description and
/// validator) is skipped when it declares none and its listing showed no validator.
pub async fn setup(
    backend: &Backend,
    inventory: &Inventory,
    described: &(dyn Fn(&str, &str) -> bool + Sync),
) -> Result<describe::Account, BackendError> {
    let names: Vec<String> = inventory.applications.keys().cloned().collect();
    if names.is_empty() {
        return Ok(describe::Account::default());
    }
    match (backend, &inventory.listed) {
        (Backend::AppConfig(b), Some(listed)) => b.complete(listed, described).await,
        _ => backend.describe(&names).await,
    }
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
/// also brings the description, strategy and event log). The first [`HISTORY_DEPTH`]
/// deployments are fetched at once; after them, as many as profiles are still without a
/// live deployment, which is the fewest that can find them all.
pub async fn identify(
    backend: &Backend,
    app: &AppInventory,
    env_id: &str,
    history: &mut [Deployment],
    needed: &Needed,
) -> Result<(), BackendError> {
    let mut live_found = std::collections::HashSet::new();
    let mut start = 0;
    while start < history.len() {
        let missing = needed.profiles.len() - live_found.len();
        if start >= HISTORY_DEPTH && missing == 0 {
            break;
        }
        let end = if start < HISTORY_DEPTH {
            HISTORY_DEPTH
        } else {
            start + missing
        }
        .min(history.len());
        let wave = &mut history[start..end];
        for d in wave.iter_mut() {
            if d.profile_id.is_none()
                && let Some((id, _)) = d.profile_name.as_deref().and_then(|n| app.profiles.get(n))
            {
                d.profile_id = Some(id.clone());
            }
        }
        let fetches = wave
            .iter_mut()
            .filter(|d| d.profile_id.is_none())
            .map(|d| async move {
                let full = backend.deployment(&app.id, env_id, d.number).await?;
                *d = Deployment {
                    events: full.events,
                    description: full.description,
                    strategy_id: full.strategy_id,
                    profile_id: full.profile_id,
                    ..d.clone()
                };
                Ok::<_, BackendError>(())
            });
        futures_util::future::try_join_all(fetches).await?;
        for d in history[start..end].iter() {
            if matches!(d.state, DeployState::Complete | DeployState::Baking)
                && let Some(p) = d.profile_id.as_deref()
                && needed.profiles.iter().any(|(id, _)| id == p)
            {
                live_found.insert(p.to_owned());
            }
        }
        start = end;
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

/// Which deployments a read fetches the details of (description and event log, one
/// GetDeployment each) beyond those that identifying profiles brought already. Rejected
/// deployments in a profile's history always have them: rollback holds start there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Details {
    /// The live, in-flight and rejected deployments and the environment's running one.
    All,
    /// The rejected ones only: what plan shows of a deployment is its number and state,
    /// except for the rollback holds.
    Rejected,
    /// The live, in-flight and rejected ones: drift tells who made them.
    Drift,
}

/// Reads the live state of `targets`: one ListDeployments per environment serves all its
/// profiles; GetDeployment only where a summary lacks the profile id or flagops needs the
/// description and event log; version content is fetched once per version.
pub async fn read(
    backend: &Backend,
    targets: &[&crate::compile::Target],
) -> Result<(Inventory, Vec<TargetLive>), BackendError> {
    let inventory = inventory(backend, targets).await?;
    let live = read_in(backend, &inventory, targets, Details::All).await?;
    Ok((inventory, live))
}

/// Names to ids for the applications of `targets`.
pub async fn inventory(
    backend: &Backend,
    targets: &[&crate::compile::Target],
) -> Result<Inventory, BackendError> {
    let mut apps: Vec<&str> = targets.iter().map(|t| t.id.application.as_str()).collect();
    apps.sort_unstable();
    apps.dedup();
    backend.inventory(&apps).await
}

/// Reads the live state of `targets` with the ids `inventory` found, every environment and
/// every target of an environment at once (the HTTP client bounds the requests in flight).
pub async fn read_in(
    backend: &Backend,
    inventory: &Inventory,
    targets: &[&crate::compile::Target],
    details: Details,
) -> Result<Vec<TargetLive>, BackendError> {
    // Group by environment, keeping the targets' order within each.
    let mut groups: Vec<((&str, &str), Vec<&crate::compile::Target>)> = Vec::new();
    for t in targets {
        let key = (t.id.application.as_str(), t.id.environment.as_str());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(t),
            None => groups.push((key, vec![t])),
        }
    }
    let reads = groups
        .iter()
        .map(|(_, group)| read_environment(backend, inventory, group, details));
    let mut out = Vec::with_capacity(targets.len());
    for result in futures_util::future::join_all(reads).await {
        out.extend(result?);
    }
    // Back to the caller's order.
    out.sort_by_key(|l| targets.iter().position(|t| t.id == l.id));
    Ok(out)
}

async fn read_environment(
    backend: &Backend,
    inventory: &Inventory,
    group: &[&crate::compile::Target],
    details: Details,
) -> Result<Vec<TargetLive>, BackendError> {
    let first = &group[0].id;
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
    let cx = EnvRead {
        backend,
        app,
        env_id,
        history: &history,
        untrusted: &untrusted,
        details,
    };
    futures_util::future::try_join_all(group.iter().map(|t| cx.target(t))).await
}

/// A target with nothing read: a resource is missing.
fn blank(t: &crate::compile::Target, missing: Option<Missing>) -> TargetLive {
    TargetLive {
        id: t.id.clone(),
        kind: t.kind,
        ids: None,
        missing,
        state: LiveState::default(),
        version: None,
        content: None,
        history: Vec::new(),
        untrusted_history: None,
    }
}

/// What the targets of one environment share while they are read.
struct EnvRead<'a> {
    backend: &'a Backend,
    app: &'a AppInventory,
    env_id: &'a str,
    /// The environment's deployments, newest first, profile ids filled in.
    history: &'a [Deployment],
    untrusted: &'a Option<String>,
    details: Details,
}

impl EnvRead<'_> {
    async fn target(&self, t: &crate::compile::Target) -> Result<TargetLive, BackendError> {
        let (backend, app, env_id) = (self.backend, self.app, self.env_id);
        let Some((profile_id, _)) = app.profiles.get(&t.id.profile) else {
            return Ok(blank(t, Some(Missing::Profile)));
        };
        let mut state = resolve(self.history, profile_id);
        // The live content, and the details of the deployments that matter, at once.
        let live_version = state.live.as_ref().map(|d| d.version.clone());
        let content = async {
            match &live_version {
                Some(number) => backend
                    .version(&app.id, profile_id, number)
                    .await
                    .map(|(info, bytes)| (Some(info), normalize::parse(&bytes, t.kind))),
                None => Ok((None, None)),
            }
        };
        let (all, drift) = (
            self.details == Details::All,
            self.details != Details::Rejected,
        );
        let wanted = (state.live.iter_mut().filter(|_| drift))
            .chain(state.in_flight.iter_mut().filter(|_| drift))
            .chain(state.rejected.iter_mut())
            .chain(state.environment_busy.iter_mut().filter(|_| all))
            .filter(|d| d.description.is_none());
        let details = futures_util::future::try_join_all(wanted.map(|d| async move {
            *d = backend.deployment(&app.id, env_id, d.number).await?;
            Ok::<_, BackendError>(())
        }));
        let ((version, content), _) = tokio::try_join!(content, details)?;

        // The profile's recent deployments. Their contents matter only to rollback holds,
        // that is when a rejected flagops deployment is among them.
        let mut recent: Vec<Deployment> = (self.history.iter().take(HISTORY_DEPTH))
            .filter(|d| d.profile_id.as_deref() == Some(profile_id.as_str()))
            .map(|d| {
                let known = state.rejected.iter().find(|r| r.number == d.number);
                match known {
                    Some(r) if d.description.is_none() => r.clone(),
                    _ => d.clone(),
                }
            })
            .collect();
        let undescribed = recent
            .iter_mut()
            .filter(|d| d.state.is_rejected() && d.description.is_none());
        futures_util::future::try_join_all(undescribed.map(|d| async move {
            *d = backend.deployment(&app.id, env_id, d.number).await?;
            Ok::<_, BackendError>(())
        }))
        .await?;
        let holds = recent
            .iter()
            .any(|d| d.state.is_rejected() && d.flagops_commit().is_some());
        let contents = recent.iter().map(|d| async move {
            let relevant = matches!(d.state, DeployState::Complete | DeployState::Baking)
                || (d.state.is_rejected() && d.flagops_commit().is_some());
            if !(holds && relevant) {
                return Ok(None);
            }
            let (_, bytes) = backend.version(&app.id, profile_id, &d.version).await?;
            Ok::<_, BackendError>(normalize::parse(&bytes, t.kind))
        });
        let contents = futures_util::future::try_join_all(contents).await?;
        Ok(TargetLive {
            history: recent.into_iter().zip(contents).collect(),
            untrusted_history: self.untrusted.clone(),
            id: t.id.clone(),
            kind: t.kind,
            ids: Some(ResourceIds {
                application: app.id.clone(),
                environment: env_id.to_owned(),
                profile: profile_id.clone(),
            }),
            missing: None,
            state,
            version,
            content,
        })
    }
}

#[cfg(test)]
mod tests {
    //! How many requests a read makes: the budget plan and drift are held to (see
    //! bench/README.md, "plan and drift against AppConfig").

    use super::*;
    use crate::compile::{Target, TargetId};
    use crate::model::config::ProfileKind;
    use aws_sdk_appconfig::Client;
    use aws_sdk_appconfig::operation as op;
    use aws_sdk_appconfig::types as aws;
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    const ENVIRONMENTS: [(&str, &str); 2] = [("dev", "e1"), ("prod", "e2")];
    const PROFILES: [(&str, &str); 2] = [("flags", "p1"), ("ops", "p2")];

    /// One application `shop` with two environments and two feature-flags profiles, whose
    /// summaries say they have no validator. Each environment's history, newest first:
    /// `flags` deployed twice and `ops` once, all COMPLETE, versions numbered per environment.
    /// `rejected` makes the newest `flags` deployment a rolled-back flagops one.
    struct Account {
        rules: Vec<(&'static str, Rule)>,
    }

    impl Account {
        fn new(rejected: bool) -> Self {
            let state = move |n: i32| {
                if rejected && n == 3 {
                    aws::DeploymentState::RolledBack
                } else {
                    aws::DeploymentState::Complete
                }
            };
            let profile_of = |n: i32| if n == 2 { "p2" } else { "p1" };
            let version_of = |env: &str, n: i32| if env == "e1" { n } else { 10 + n };
            let rules = vec![
                (
                    "ListApplications",
                    mock!(Client::list_applications).then_output(|| {
                        op::list_applications::ListApplicationsOutput::builder()
                            .items(aws::Application::builder().id("a1").name("shop").build())
                            .build()
                    }),
                ),
                (
                    "ListDeploymentStrategies",
                    mock!(Client::list_deployment_strategies).then_output(|| {
                        op::list_deployment_strategies::ListDeploymentStrategiesOutput::builder()
                            .items(
                                aws::DeploymentStrategy::builder()
                                    .id("s1")
                                    .name("instant")
                                    .build(),
                            )
                            .build()
                    }),
                ),
                (
                    "ListEnvironments",
                    mock!(Client::list_environments).then_output(|| {
                        let items = ENVIRONMENTS
                            .iter()
                            .map(|(name, id)| aws::Environment::builder().id(*id).name(*name).build())
                            .collect();
                        op::list_environments::ListEnvironmentsOutput::builder()
                            .set_items(Some(items))
                            .build()
                    }),
                ),
                (
                    "ListConfigurationProfiles",
                    mock!(Client::list_configuration_profiles).then_output(|| {
                        let items = PROFILES
                            .iter()
                            .map(|(name, id)| {
                                aws::ConfigurationProfileSummary::builder()
                                    .id(*id)
                                    .name(*name)
                                    .r#type("AWS.AppConfig.FeatureFlags")
                                    .set_validator_types(Some(Vec::new()))
                                    .build()
                            })
                            .collect();
                        op::list_configuration_profiles::ListConfigurationProfilesOutput::builder()
                            .set_items(Some(items))
                            .build()
                    }),
                ),
                (
                    "ListDeployments",
                    mock!(Client::list_deployments).then_compute_output(move |req| {
                        let env = req.environment_id().unwrap_or_default().to_owned();
                        let items = (1..=3)
                            .rev()
                            .map(|n| {
                                aws::DeploymentSummary::builder()
                                    .deployment_number(n)
                                    .configuration_profile_id(profile_of(n))
                                    .configuration_version(version_of(&env, n).to_string())
                                    .state(state(n))
                                    .build()
                            })
                            .collect();
                        op::list_deployments::ListDeploymentsOutput::builder()
                            .set_items(Some(items))
                            .build()
                    }),
                ),
                (
                    "GetDeployment",
                    mock!(Client::get_deployment).then_compute_output(move |req| {
                        let env = req.environment_id().unwrap_or_default().to_owned();
                        let n = req.deployment_number().unwrap_or_default();
                        op::get_deployment::GetDeploymentOutput::builder()
                            .deployment_number(n)
                            .configuration_profile_id(profile_of(n))
                            .configuration_version(version_of(&env, n).to_string())
                            .state(state(n))
                            .description("flagops commit=abc digest=x")
                            .build()
                    }),
                ),
                (
                    "GetHostedConfigurationVersion",
                    mock!(Client::get_hosted_configuration_version).then_compute_output(|req| {
                        let n = req.version_number().unwrap_or_default();
                        op::get_hosted_configuration_version::GetHostedConfigurationVersionOutput::builder()
                            .version_number(n)
                            .description("flagops commit=abc digest=x")
                            .content(aws_sdk_appconfig::primitives::Blob::new(
                                format!(r#"{{"flags":{{}},"values":{{}},"version":"1","n":{n}}}"#),
                            ))
                            .build()
                    }),
                ),
                (
                    "ListHostedConfigurationVersions",
                    mock!(Client::list_hosted_configuration_versions).then_output(|| {
                        op::list_hosted_configuration_versions::ListHostedConfigurationVersionsOutput::builder()
                            .build()
                    }),
                ),
                (
                    "GetConfigurationProfile",
                    mock!(Client::get_configuration_profile).then_compute_output(|req| {
                        let id = req.configuration_profile_id().unwrap_or_default().to_owned();
                        op::get_configuration_profile::GetConfigurationProfileOutput::builder()
                            .id(id)
                            .name("flags")
                            .build()
                    }),
                ),
            ];
            Account { rules }
        }

        fn backend(&self) -> Backend {
            let rules: Vec<&Rule> = self.rules.iter().map(|(_, r)| r).collect();
            let client = mock_client!(aws_sdk_appconfig, RuleMode::MatchAny, rules);
            Backend::AppConfig(super::appconfig::AppConfigBackend::with_client(client))
        }

        /// Requests made, by operation (those made at least once).
        fn calls(&self) -> BTreeMap<&'static str, usize> {
            (self.rules.iter())
                .filter(|(_, r)| r.num_calls() > 0)
                .map(|(name, r)| (*name, r.num_calls()))
                .collect()
        }
    }

    fn targets() -> Vec<Target> {
        let mut out = Vec::new();
        for (env, _) in ENVIRONMENTS {
            for (profile, _) in PROFILES {
                out.push(Target {
                    id: TargetId {
                        application: "shop".into(),
                        environment: env.into(),
                        profile: profile.into(),
                    },
                    kind: ProfileKind::FeatureFlags,
                    document: serde_json::json!({}),
                    origins: Default::default(),
                });
            }
        }
        out
    }

    fn calls(list: &[(&'static str, usize)]) -> BTreeMap<&'static str, usize> {
        list.iter().copied().collect()
    }

    const INVENTORY: [(&str, usize); 4] = [
        ("ListApplications", 1),
        ("ListDeploymentStrategies", 1),
        ("ListEnvironments", 1),
        ("ListConfigurationProfiles", 1),
    ];

    #[tokio::test]
    async fn plan_reads_one_listing_per_environment_and_one_version_per_target() {
        let account = Account::new(false);
        let backend = account.backend();
        let targets = targets();
        let targets: Vec<&Target> = targets.iter().collect();
        let inv = inventory(&backend, &targets).await.unwrap();
        let live = read_in(&backend, &inv, &targets, Details::Rejected)
            .await
            .unwrap();
        let account_read = setup(&backend, &inv, &|_, _| false).await.unwrap();
        let mut expected = INVENTORY.to_vec();
        expected.extend([("ListDeployments", 2), ("GetHostedConfigurationVersion", 4)]);
        assert_eq!(account.calls(), calls(&expected));
        // What was read is what the history says: flags at #3 and ops at #2 in each
        // environment, the older flags deployment kept without its content.
        let numbers: Vec<(Option<i32>, usize)> = live
            .iter()
            .map(|l| (l.state.live.as_ref().map(|d| d.number), l.history.len()))
            .collect();
        assert_eq!(
            numbers,
            [(Some(3), 2), (Some(2), 1), (Some(3), 2), (Some(2), 1)]
        );
        assert!(live.iter().all(|l| l.content.is_some()));
        assert!(
            live.iter()
                .flat_map(|l| &l.history)
                .all(|(_, c)| c.is_none())
        );
        assert_eq!(account_read.applications[0].profiles.len(), 2);
        assert_eq!(account_read.strategies[0].name, "instant");

        // A declared description is compared: then each profile is read.
        let account = Account::new(false);
        let backend = account.backend();
        let inv = inventory(&backend, &targets).await.unwrap();
        setup(&backend, &inv, &|_, _| true).await.unwrap();
        let mut expected = INVENTORY.to_vec();
        expected.push(("GetConfigurationProfile", 2));
        assert_eq!(account.calls(), calls(&expected));
    }

    #[tokio::test]
    async fn drift_adds_the_live_deployments_and_one_version_listing_per_profile() {
        let account = Account::new(false);
        let backend = account.backend();
        let targets = targets();
        let targets: Vec<&Target> = targets.iter().collect();
        let model = crate::model::Model::default();
        let (findings, _) = crate::drift::read(&backend, &model, &targets)
            .await
            .unwrap();
        let mut expected = INVENTORY.to_vec();
        expected.extend([
            ("ListDeployments", 2),
            ("GetDeployment", 4),
            ("GetHostedConfigurationVersion", 4),
            ("ListHostedConfigurationVersions", 2),
        ]);
        assert_eq!(account.calls(), calls(&expected));
        // Every live deployment and version says flagops made it, and serves no flag: in sync.
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[tokio::test]
    async fn a_rolled_back_flagops_deployment_brings_the_contents_holds_compare() {
        let account = Account::new(true);
        let backend = account.backend();
        let targets = targets();
        let targets: Vec<&Target> = targets.iter().collect();
        let inv = inventory(&backend, &targets).await.unwrap();
        let live = read_in(&backend, &inv, &targets, Details::Rejected)
            .await
            .unwrap();
        // flags: #3 rolled back (its details read), #1 live; both contents, for the holds.
        let mut expected = INVENTORY.to_vec();
        expected.extend([
            ("ListDeployments", 2),
            ("GetDeployment", 2),
            ("GetHostedConfigurationVersion", 6),
        ]);
        assert_eq!(account.calls(), calls(&expected));
        let flags = &live[0];
        assert_eq!(flags.state.live.as_ref().map(|d| d.number), Some(1));
        assert_eq!(flags.state.rejected[0].number, 3);
        assert!(flags.history.iter().all(|(_, c)| c.is_some()));
    }
}
