//! The local backend: a directory that behaves like AppConfig for one machine. Versions and
//! deployment history live in `state.json`; what is served is written in the AppConfig
//! Agent's local-development layout under `served/` (point the Agent's
//! `LOCAL_DEVELOPMENT_DIRECTORY` there), so an application reading the Agent sees the flags.
//!
//! Deployments complete at once (there is no fleet to roll out to); stop and revert behave as
//! in AppConfig. Every change is written to a temporary file and renamed, under a file lock,
//! so concurrent or interrupted runs never leave a torn state.

use crate::fsutil::write_atomic;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::api::{BackendError, ErrorKind, NewDeployment, NewVersion, Result};
use super::describe::{
    Account, AppDescription, EnvDescription, ProfileDescription, StrategyDescription,
};
use super::{AppInventory, DeployEvent, DeployState, Deployment, History, Inventory, VersionInfo};
use crate::model::config::{Monitor, Strategy};

pub struct LocalBackend {
    dir: PathBuf,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    next_id: u32,
    applications: Vec<App>,
    strategies: Vec<NamedId>,
}

#[derive(Debug, Serialize, Deserialize)]
struct NamedId {
    id: String,
    name: String,
    /// A custom strategy's parameters, as created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    strategy: Option<Strategy>,
}

#[derive(Debug, Serialize, Deserialize)]
struct App {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    environments: Vec<Env>,
    profiles: Vec<Profile>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Env {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default)]
    monitors: Vec<String>,
    /// Alarm ARN → the role AppConfig assumes to read it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    alarm_roles: BTreeMap<String, String>,
    deployments: Vec<Deployment>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Profile {
    id: String,
    name: String,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// The JSON Schema validator, as created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    json_schema: Option<String>,
    versions: Vec<StoredVersion>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredVersion {
    number: i32,
    label: Option<String>,
    description: Option<String>,
    content_type: String,
    content: String,
}

fn not_found(operation: &'static str, what: &str) -> BackendError {
    BackendError::new(ErrorKind::NotFound, operation, format!("{what} not found"))
}

fn io(operation: &'static str, e: impl std::fmt::Display) -> BackendError {
    BackendError::new(ErrorKind::Other, operation, e.to_string())
}

impl LocalBackend {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LocalBackend { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the Agent-layout files are written.
    pub fn served_dir(&self) -> PathBuf {
        self.dir.join("served")
    }

    /// Runs `f` on the state under an exclusive lock; saves the state when `f` succeeds and
    /// `write` is set.
    fn with_state<T>(
        &self,
        operation: &'static str,
        write: bool,
        f: impl FnOnce(&mut State, &Path) -> Result<T>,
    ) -> Result<T> {
        fs::create_dir_all(&self.dir).map_err(|e| io(operation, e))?;
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(".lock"))
            .map_err(|e| io(operation, e))?;
        lock.lock().map_err(|e| io(operation, e))?;
        let path = self.dir.join("state.json");
        let mut state: State = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| io(operation, format!("{} is corrupt: {e}", path.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(io(operation, e)),
        };
        let result = f(&mut state, &self.dir)?;
        if write {
            write_atomic(
                &path,
                &serde_json::to_vec_pretty(&state).map_err(|e| io(operation, e))?,
            )
            .map_err(|e| io(operation, e))?;
        }
        Ok(result)
    }

    pub fn inventory(&self, applications: &[&str]) -> Result<Inventory> {
        self.with_state("inventory", false, |state, _| {
            let mut inv = Inventory::default();
            for app in state
                .applications
                .iter()
                .filter(|a| applications.contains(&a.name.as_str()))
            {
                inv.applications.insert(
                    app.name.clone(),
                    AppInventory {
                        id: app.id.clone(),
                        environments: app
                            .environments
                            .iter()
                            .map(|e| (e.name.clone(), e.id.clone()))
                            .collect(),
                        profiles: app
                            .profiles
                            .iter()
                            .map(|p| (p.name.clone(), (p.id.clone(), p.kind.clone())))
                            .collect(),
                    },
                );
            }
            inv.strategies = state
                .strategies
                .iter()
                .map(|s| (s.name.clone(), s.id.clone()))
                .collect();
            Ok(inv)
        })
    }

    /// Every application (or the named ones) with its environments and profiles, and the
    /// strategies, for `flagops import`.
    pub fn describe(&self, names: &[String]) -> Result<Account> {
        // Reading an empty directory as an empty account would import nothing, silently.
        if !self.dir.join("state.json").is_file() {
            let why = format!("{} holds no local backend state", self.dir.display());
            return Err(BackendError::new(ErrorKind::NotFound, "describe", why));
        }
        let account = self.with_state("describe", false, |state, _| {
            let applications = state
                .applications
                .iter()
                .filter(|a| names.is_empty() || names.contains(&a.name))
                .map(|app| AppDescription {
                    id: app.id.clone(),
                    name: app.name.clone(),
                    description: app.description.clone(),
                    environments: app
                        .environments
                        .iter()
                        .map(|e| EnvDescription {
                            id: e.id.clone(),
                            name: e.name.clone(),
                            description: e.description.clone(),
                            monitors: e
                                .monitors
                                .iter()
                                .map(|arn| Monitor {
                                    alarm_arn: arn.clone(),
                                    alarm_role_arn: e.alarm_roles.get(arn).cloned(),
                                })
                                .collect(),
                        })
                        .collect(),
                    profiles: app
                        .profiles
                        .iter()
                        .map(|p| ProfileDescription {
                            id: p.id.clone(),
                            name: p.name.clone(),
                            description: p.description.clone(),
                            kind: p.kind.clone(),
                            location_uri: "hosted".to_owned(),
                            json_schema: p.json_schema.clone(),
                        })
                        .collect(),
                })
                .collect();
            let strategies = state
                .strategies
                .iter()
                .map(|s| StrategyDescription {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    strategy: s.strategy.clone(),
                })
                .collect();
            Ok(Account {
                applications,
                strategies,
            })
        })?;
        super::describe::missing_names(&account, names)?;
        Ok(account)
    }

    /// The whole history: a local directory has no pages to stop after.
    pub fn deployments(&self, app_id: &str, env_id: &str) -> Result<History> {
        self.with_state("ListDeployments", false, |state, _| {
            let env = find_env(state, app_id, env_id, "ListDeployments")?;
            Ok(History {
                deployments: env.deployments.iter().rev().cloned().collect(),
                untrusted: None,
            })
        })
    }

    pub fn deployment(&self, app_id: &str, env_id: &str, number: i32) -> Result<Deployment> {
        self.with_state("GetDeployment", false, |state, _| {
            let env = find_env(state, app_id, env_id, "GetDeployment")?;
            env.deployments
                .iter()
                .find(|d| d.number == number)
                .cloned()
                .ok_or_else(|| not_found("GetDeployment", &format!("deployment {number}")))
        })
    }

    pub fn version(
        &self,
        app_id: &str,
        profile_id: &str,
        number: &str,
    ) -> Result<(VersionInfo, Vec<u8>)> {
        self.with_state("GetHostedConfigurationVersion", false, |state, _| {
            let profile = find_profile(state, app_id, profile_id, "GetHostedConfigurationVersion")?;
            let v = profile
                .versions
                .iter()
                .find(|v| v.number.to_string() == number || v.label.as_deref() == Some(number))
                .ok_or_else(|| {
                    not_found(
                        "GetHostedConfigurationVersion",
                        &format!("version {number}"),
                    )
                })?;
            Ok((
                VersionInfo {
                    number: v.number,
                    label: v.label.clone(),
                    description: v.description.clone(),
                },
                v.content.clone().into_bytes(),
            ))
        })
    }

    pub fn versions(&self, app_id: &str, profile_id: &str) -> Result<Vec<VersionInfo>> {
        self.with_state("ListHostedConfigurationVersions", false, |state, _| {
            let profile =
                find_profile(state, app_id, profile_id, "ListHostedConfigurationVersions")?;
            Ok(profile
                .versions
                .iter()
                .rev()
                .map(|v| VersionInfo {
                    number: v.number,
                    label: v.label.clone(),
                    description: v.description.clone(),
                })
                .collect())
        })
    }

    pub fn create_application(&self, name: &str, description: Option<&str>) -> Result<String> {
        self.with_state("CreateApplication", true, |state, _| {
            // Names are unique: a concurrent apply that got here first made it already.
            if let Some(a) = state.applications.iter().find(|a| a.name == name) {
                return Ok(a.id.clone());
            }
            let id = next_id(state, 'a');
            state.applications.push(App {
                id: id.clone(),
                name: name.to_owned(),
                description: description.map(str::to_owned),
                environments: Vec::new(),
                profiles: Vec::new(),
            });
            Ok(id)
        })
    }

    pub fn create_environment(
        &self,
        app_id: &str,
        name: &str,
        description: Option<&str>,
        monitors: &[Monitor],
    ) -> Result<String> {
        self.with_state("CreateEnvironment", true, |state, _| {
            let id = next_id(state, 'e');
            let app = state.app_mut(app_id, "CreateEnvironment")?;
            if let Some(e) = app.environments.iter().find(|e| e.name == name) {
                return Ok(e.id.clone());
            }
            app.environments.push(Env {
                id: id.clone(),
                name: name.to_owned(),
                description: description.map(str::to_owned),
                monitors: monitors.iter().map(|m| m.alarm_arn.clone()).collect(),
                alarm_roles: monitors
                    .iter()
                    .filter_map(|m| Some((m.alarm_arn.clone(), m.alarm_role_arn.clone()?)))
                    .collect(),
                deployments: Vec::new(),
            });
            Ok(id)
        })
    }

    pub fn update_application(&self, id: &str, description: &str) -> Result<()> {
        self.with_state("UpdateApplication", true, |state, _| {
            state.app_mut(id, "UpdateApplication")?.description = Some(description.to_owned());
            Ok(())
        })
    }

    pub fn update_environment(
        &self,
        app_id: &str,
        env_id: &str,
        description: Option<&str>,
        monitors: &[Monitor],
    ) -> Result<()> {
        self.with_state("UpdateEnvironment", true, |state, _| {
            let env = find_env_mut(state, app_id, env_id)?;
            if let Some(d) = description {
                env.description = Some(d.to_owned());
            }
            env.monitors = monitors.iter().map(|m| m.alarm_arn.clone()).collect();
            env.alarm_roles = monitors
                .iter()
                .filter_map(|m| Some((m.alarm_arn.clone(), m.alarm_role_arn.clone()?)))
                .collect();
            Ok(())
        })
    }

    pub fn update_profile(
        &self,
        app_id: &str,
        profile_id: &str,
        description: Option<&str>,
        json_schema: Option<&str>,
    ) -> Result<()> {
        self.with_state("UpdateConfigurationProfile", true, |state, _| {
            let profile = find_profile_mut(state, app_id, profile_id)?;
            if let Some(d) = description {
                profile.description = Some(d.to_owned());
            }
            if let Some(schema) = json_schema {
                profile.json_schema = Some(schema.to_owned());
            }
            Ok(())
        })
    }

    pub fn update_strategy(&self, id: &str, strategy: &Strategy) -> Result<()> {
        self.with_state("UpdateDeploymentStrategy", true, |state, _| {
            let s = (state.strategies.iter_mut().find(|s| s.id == id))
                .ok_or_else(|| not_found("UpdateDeploymentStrategy", "deployment strategy"))?;
            // AppConfig keeps what it cannot update.
            let replicate_to = s.strategy.as_ref().map(|old| old.replicate_to);
            s.strategy = Some(Strategy {
                replicate_to: replicate_to.unwrap_or(strategy.replicate_to),
                ..strategy.clone()
            });
            Ok(())
        })
    }

    /// One strategy per name here: creation returns the existing one.
    pub fn strategy_ids(&self, name: &str) -> Result<Vec<String>> {
        self.with_state("ListDeploymentStrategies", false, |state, _| {
            Ok((state.strategies.iter())
                .filter(|s| s.name == name)
                .map(|s| s.id.clone())
                .collect())
        })
    }

    pub fn delete_strategy(&self, id: &str) -> Result<()> {
        self.with_state("DeleteDeploymentStrategy", true, |state, _| {
            state.strategies.retain(|s| s.id != id);
            Ok(())
        })
    }

    pub fn create_profile(
        &self,
        app_id: &str,
        name: &str,
        kind: &str,
        description: Option<&str>,
        json_schema: Option<&str>,
    ) -> Result<String> {
        self.with_state("CreateConfigurationProfile", true, |state, _| {
            let id = next_id(state, 'p');
            let app = state.app_mut(app_id, "CreateConfigurationProfile")?;
            if let Some(p) = app.profiles.iter().find(|p| p.name == name) {
                return Ok(p.id.clone());
            }
            app.profiles.push(Profile {
                id: id.clone(),
                name: name.to_owned(),
                kind: kind.to_owned(),
                description: description.map(str::to_owned),
                json_schema: json_schema.map(str::to_owned),
                versions: Vec::new(),
            });
            Ok(id)
        })
    }

    pub fn create_strategy(&self, name: &str, strategy: &Strategy) -> Result<String> {
        self.with_state("CreateDeploymentStrategy", true, |state, _| {
            // One strategy per name, even when two applies on a fresh directory race.
            if let Some(s) = state.strategies.iter().find(|s| s.name == name) {
                return Ok(s.id.clone());
            }
            let id = next_id(state, 's');
            state.strategies.push(NamedId {
                id: id.clone(),
                name: name.to_owned(),
                strategy: Some(strategy.clone()),
            });
            Ok(id)
        })
    }

    pub fn create_version(&self, v: &NewVersion<'_>) -> Result<i32> {
        let content = String::from_utf8(v.content.to_vec()).map_err(|_| {
            BackendError::new(
                ErrorKind::BadRequest,
                "CreateHostedConfigurationVersion",
                "content is not UTF-8",
            )
        })?;
        self.with_state("CreateHostedConfigurationVersion", true, |state, _| {
            let profile = find_profile_mut(state, v.application_id, v.profile_id)?;
            let latest = profile.versions.last().map(|x| x.number);
            if let Some(expected) = v.latest_version_number
                && Some(expected) != latest
            {
                return Err(BackendError::new(ErrorKind::Conflict, "CreateHostedConfigurationVersion", format!("Expected latest version {expected} does not match actual latest version {}", latest.unwrap_or(0))));
            }
            if profile.versions.iter().any(|x| x.label.as_deref() == Some(v.label)) {
                return Err(BackendError::new(ErrorKind::BadRequest, "CreateHostedConfigurationVersion", format!("The version label '{}' has already been assigned", v.label)));
            }
            let number = latest.unwrap_or(0) + 1;
            profile.versions.push(StoredVersion { number, label: Some(v.label.to_owned()), description: Some(v.description.to_owned()), content_type: v.content_type.to_owned(), content });
            Ok(number)
        })
    }

    pub fn start_deployment(&self, d: &NewDeployment<'_>) -> Result<Deployment> {
        self.with_state("StartDeployment", true, |state, dir| {
            let app = state
                .applications
                .iter()
                .find(|a| a.id == d.application_id)
                .ok_or_else(|| not_found("StartDeployment", "application"))?;
            let profile = app
                .profiles
                .iter()
                .find(|p| p.id == d.profile_id)
                .ok_or_else(|| not_found("StartDeployment", "configuration profile"))?;
            let version = profile
                .versions
                .iter()
                .find(|v| {
                    v.number.to_string() == d.version || v.label.as_deref() == Some(d.version)
                })
                .ok_or_else(|| not_found("StartDeployment", "configuration version"))?;
            let (app_name, profile_name, kind) =
                (app.name.clone(), profile.name.clone(), profile.kind.clone());
            let (number, content, label) = (
                version.number,
                version.content.clone(),
                version.label.clone(),
            );
            let env = find_env_mut(state, d.application_id, d.environment_id)?;
            // Compare-and-swap on the environment's newest deployment, as AppConfig does. Only
            // apply starts deployments here, and it always says what it saw (0: an environment
            // it saw empty), so two applies racing on a new environment conflict too.
            let newest = env.deployments.last().map(|x| x.number);
            if d.latest_deployment_number.unwrap_or(0) != newest.unwrap_or(0) {
                return Err(BackendError::new(
                    ErrorKind::Conflict,
                    "StartDeployment",
                    format!(
                        "LatestDeploymentNumber {} does not match the latest deployment number {}",
                        d.latest_deployment_number.unwrap_or(0),
                        newest.unwrap_or(0)
                    ),
                ));
            }
            if let Some(busy) = env.deployments.iter().find(|x| x.state.is_in_progress()) {
                return Err(BackendError::new(
                    ErrorKind::Conflict,
                    "StartDeployment",
                    format!(
                        "Deployment {} is already in progress in environment {}",
                        busy.number, env.name
                    ),
                ));
            }
            let now = jiff::Timestamp::now().to_string();
            let deployment = Deployment {
                number: env.deployments.last().map_or(1, |x| x.number + 1),
                profile_id: Some(d.profile_id.to_owned()),
                version: number.to_string(),
                version_label: label,
                state: DeployState::Complete,
                percentage: 100.0,
                strategy_id: Some(d.strategy_id.to_owned()),
                profile_name: None,
                bake_minutes: None,
                description: Some(d.description.to_owned()),
                started_at: Some(now.clone()),
                completed_at: Some(now.clone()),
                events: vec![
                    event(
                        "DEPLOYMENT_COMPLETED",
                        "APPCONFIG",
                        "Deployment completed",
                        &now,
                    ),
                    event("DEPLOYMENT_STARTED", "USER", "Deployment started", &now),
                ],
            };
            env.deployments.push(deployment.clone());
            let env_name = env.name.clone();
            serve(
                dir,
                &app_name,
                &env_name,
                &profile_name,
                &kind,
                Some(&content),
            )
            .map_err(|e| io("StartDeployment", e))?;
            Ok(deployment)
        })
    }

    pub fn stop_deployment(
        &self,
        app_id: &str,
        env_id: &str,
        number: i32,
        allow_revert: bool,
    ) -> Result<Deployment> {
        self.with_state("StopDeployment", true, |state, dir| {
            let app = state.app(app_id, "StopDeployment")?;
            let app_name = app.name.clone();
            let profiles: Vec<ProfileContents> = app
                .profiles
                .iter()
                .map(|p| {
                    (
                        p.id.clone(),
                        p.name.clone(),
                        p.kind.clone(),
                        p.versions
                            .iter()
                            .map(|v| (v.number, v.content.clone()))
                            .collect(),
                    )
                })
                .collect();
            let env = find_env_mut(state, app_id, env_id)?;
            let env_name = env.name.clone();
            let index = env
                .deployments
                .iter()
                .position(|d| d.number == number)
                .ok_or_else(|| not_found("StopDeployment", &format!("deployment {number}")))?;
            let now = jiff::Timestamp::now().to_string();
            let d = &mut env.deployments[index];
            match (&d.state, allow_revert) {
                (s, _) if s.is_in_progress() => {
                    d.state = DeployState::RolledBack;
                    d.events.insert(
                        0,
                        event("ROLLBACK_COMPLETED", "USER", "Deployment stopped", &now),
                    );
                }
                (DeployState::Complete, true) => {
                    d.state = DeployState::Reverted;
                    d.events.insert(
                        0,
                        event("REVERT_COMPLETED", "USER", "Deployment reverted", &now),
                    );
                }
                (state, _) => {
                    return Err(BackendError::new(
                        ErrorKind::BadRequest,
                        "StopDeployment",
                        format!(
                            "deployment {number} is {} and cannot be stopped{}",
                            state.as_str(),
                            if allow_revert {
                                ""
                            } else {
                                " without AllowRevert"
                            }
                        ),
                    ));
                }
            }
            let stopped = d.clone();
            // Serve what is live for that profile now: the previous good deployment, if any.
            let profile_id = stopped.profile_id.clone().unwrap_or_default();
            let history: Vec<Deployment> = env.deployments.iter().rev().cloned().collect();
            let live = super::resolve(&history, &profile_id).live;
            if let Some((_, name, kind, versions)) = profiles.iter().find(|p| p.0 == profile_id) {
                let content = live.and_then(|l| {
                    versions
                        .iter()
                        .find(|v| v.0.to_string() == l.version)
                        .map(|v| v.1.clone())
                });
                serve(dir, &app_name, &env_name, name, kind, content.as_deref())
                    .map_err(|e| io("StopDeployment", e))?;
            }
            Ok(stopped)
        })
    }
}

/// (id, name, type, [(version number, content)])
type ProfileContents = (String, String, String, Vec<(i32, String)>);

fn event(event_type: &str, by: &str, description: &str, at: &str) -> DeployEvent {
    DeployEvent {
        event_type: event_type.to_owned(),
        triggered_by: by.to_owned(),
        description: description.to_owned(),
        occurred_at: at.to_owned(),
    }
}

impl State {
    fn app(&self, app_id: &str, op: &'static str) -> Result<&App> {
        (self.applications.iter().find(|a| a.id == app_id))
            .ok_or_else(|| not_found(op, "application"))
    }

    fn app_mut(&mut self, app_id: &str, op: &'static str) -> Result<&mut App> {
        (self.applications.iter_mut().find(|a| a.id == app_id))
            .ok_or_else(|| not_found(op, "application"))
    }
}

fn next_id(state: &mut State, prefix: char) -> String {
    state.next_id += 1;
    format!("{prefix}{:06}", state.next_id)
}

fn find_env<'a>(state: &'a State, app_id: &str, env_id: &str, op: &'static str) -> Result<&'a Env> {
    let app = state.app(app_id, op)?;
    app.environments
        .iter()
        .find(|e| e.id == env_id)
        .ok_or_else(|| not_found(op, "environment"))
}

fn find_env_mut<'a>(state: &'a mut State, app_id: &str, env_id: &str) -> Result<&'a mut Env> {
    let app = state.app_mut(app_id, "StartDeployment")?;
    app.environments
        .iter_mut()
        .find(|e| e.id == env_id)
        .ok_or_else(|| not_found("StartDeployment", "environment"))
}

fn find_profile<'a>(
    state: &'a State,
    app_id: &str,
    profile_id: &str,
    op: &'static str,
) -> Result<&'a Profile> {
    let app = state.app(app_id, op)?;
    app.profiles
        .iter()
        .find(|p| p.id == profile_id)
        .ok_or_else(|| not_found(op, "configuration profile"))
}

fn find_profile_mut<'a>(
    state: &'a mut State,
    app_id: &str,
    profile_id: &str,
) -> Result<&'a mut Profile> {
    let app = state.app_mut(app_id, "CreateHostedConfigurationVersion")?;
    app.profiles
        .iter_mut()
        .find(|p| p.id == profile_id)
        .ok_or_else(|| not_found("CreateHostedConfigurationVersion", "configuration profile"))
}

/// The Agent reads multi-variant profiles only as Ion, under this extension.
const ION_EXTENSION: &str = "application%ion%type=AWS.AppConfig.FeatureFlags";

/// Writes (or, with no content, removes) the served file of one target in the Agent's
/// local-development layout: `Application:Environment:Profile.<extension>`.
fn serve(
    dir: &Path,
    app: &str,
    env: &str,
    profile: &str,
    kind: &str,
    content: Option<&str>,
) -> std::io::Result<()> {
    let served = dir.join("served");
    fs::create_dir_all(&served)?;
    let base = format!("{app}:{env}:{profile}");
    let json_path = served.join(format!("{base}.json"));
    let ion_path = served.join(format!("{base}.{ION_EXTENSION}"));
    for stale in [&json_path, &ion_path] {
        match fs::remove_file(stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    let Some(content) = content else {
        return Ok(());
    };
    if kind != crate::vocabulary::FEATURE_FLAGS {
        return write_atomic(&json_path, content.as_bytes());
    }
    let doc: Value = serde_json::from_str(content).unwrap_or_default();
    match retrieval(&doc) {
        Retrieval::Json(v) => write_atomic(
            &json_path,
            (serde_json::to_string(&v).unwrap_or_default() + "\n").as_bytes(),
        ),
        Retrieval::Ion(text) => write_atomic(&ion_path, text.as_bytes()),
    }
}

enum Retrieval {
    Json(Value),
    Ion(String),
}

/// The retrieval-time format applications get: `{flag: {enabled, attributes…}}`, attributes
/// only when enabled; Ion when any flag has variants.
fn retrieval(doc: &Value) -> Retrieval {
    let values = doc
        .get("values")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let served = |v: &serde_json::Map<String, Value>, variant: Option<&str>| -> Value {
        let enabled = v.get("enabled").and_then(Value::as_bool).unwrap_or(false);
        let mut out = serde_json::Map::new();
        if let Some(name) = variant {
            out.insert("_variant".into(), Value::String(name.to_owned()));
        }
        out.insert("enabled".into(), Value::Bool(enabled));
        if enabled {
            for (k, x) in v
                .iter()
                .filter(|(k, _)| !k.starts_with('_') && *k != "enabled")
            {
                out.insert(k.clone(), x.clone());
            }
        }
        Value::Object(out)
    };
    let variants =
        |v: &serde_json::Map<String, Value>| v.get("_variants").and_then(Value::as_array).cloned();
    if !values
        .values()
        .any(|v| v.as_object().is_some_and(|o| variants(o).is_some()))
    {
        return Retrieval::Json(Value::Object(
            values
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        served(v.as_object().unwrap_or(&serde_json::Map::new()), None),
                    )
                })
                .collect(),
        ));
    }
    let long = |v: &Value| {
        format!(
            "'''{}'''",
            serde_json::to_string(v)
                .unwrap_or_default()
                .replace('\\', "\\\\")
                .replace('\'', "\\'")
        )
    };
    let mut ion = String::new();
    for (key, value) in &values {
        let obj = value.as_object().cloned().unwrap_or_default();
        ion.push_str(&format!(
            "'{}'::",
            key.replace('\\', "\\\\").replace('\'', "\\'")
        ));
        match variants(&obj) {
            None => ion.push_str(&long(&served(&obj, None))),
            Some(list) => {
                let mut parts = Vec::new();
                for variant in &list {
                    let name = variant
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let mut attrs = variant
                        .get("attributeValues")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    attrs.insert(
                        "enabled".into(),
                        variant
                            .get("enabled")
                            .cloned()
                            .unwrap_or(Value::Bool(false)),
                    );
                    let json = long(&served(&attrs, Some(name)));
                    match variant.get("rule").and_then(Value::as_str) {
                        Some(rule) => parts.push(format!("[ {rule}, {json} ]")),
                        None => parts.push(json),
                    }
                }
                ion.push_str(&format!("[ {} ]", parts.join(", ")));
            }
        }
        ion.push('\n');
    }
    Retrieval::Ion(ion)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_flags_are_served_as_json_with_attributes_only_when_enabled() {
        let doc = json!({"version": "1", "values": {"on": {"enabled": true, "limit": 5}, "off": {"enabled": false, "limit": 5}}});
        let Retrieval::Json(v) = retrieval(&doc) else {
            panic!("expected JSON")
        };
        assert_eq!(
            v,
            json!({"on": {"enabled": true, "limit": 5}, "off": {"enabled": false}})
        );
    }

    #[test]
    fn any_variant_makes_the_profile_ion() {
        let doc = json!({"version": "1", "values": {
            "plain": {"enabled": true},
            "mv": {"_variants": [
                {"name": "gold", "rule": "(eq $tier \"gold\")", "enabled": true, "attributeValues": {"color": "it's"}},
                {"name": "default", "enabled": false}]}}});
        let Retrieval::Ion(text) = retrieval(&doc) else {
            panic!("expected Ion")
        };
        assert_eq!(
            text,
            "'plain'::'''{\"enabled\":true}'''\n'mv'::[ [ (eq $tier \"gold\"), '''{\"_variant\":\"gold\",\"enabled\":true,\"color\":\"it\\'s\"}''' ], '''{\"_variant\":\"default\",\"enabled\":false}''' ]\n"
        );
    }
}
