//! The one interface to where flags are served: AppConfig through the AWS SDK, or a local
//! directory that behaves like AppConfig for one machine.

use super::api::{NewDeployment, NewVersion, Result};
use super::appconfig::AppConfigBackend;
use super::describe::Account;
use super::local::LocalBackend;
use super::{Deployment, History, Inventory, Needed, VersionInfo};
use crate::model::config::{Monitor, Strategy};

/// Where flags are served.
pub enum Backend {
    AppConfig(AppConfigBackend),
    Local(LocalBackend),
}

macro_rules! dispatch {
    ($self:ident, $b:ident => $e:expr) => {
        match $self {
            Backend::AppConfig($b) => $e.await,
            Backend::Local($b) => $e,
        }
    };
}

impl Backend {
    pub fn name(&self) -> String {
        match self {
            Backend::AppConfig(_) => "AppConfig".to_owned(),
            Backend::Local(l) => format!("local backend {}", l.dir().display()),
        }
    }

    /// Applications (only those named), their environments and profiles, and custom strategies.
    pub async fn inventory(&self, applications: &[&str]) -> Result<Inventory> {
        dispatch!(self, b => b.inventory(applications))
    }

    /// What `flagops import` reads: applications (the named ones, or all) with their
    /// environments, profiles and validators, and the deployment strategies.
    pub async fn describe(&self, applications: &[String]) -> Result<Account> {
        dispatch!(self, b => b.describe(applications))
    }

    /// The environment's deployment summaries, newest first, as far back as `needed` asks.
    /// Profile ids may be missing and descriptions and event logs are: [`Backend::deployment`]
    /// has them.
    pub async fn deployments(
        &self,
        app_id: &str,
        env_id: &str,
        needed: &Needed,
    ) -> Result<History> {
        match self {
            Backend::AppConfig(b) => b.deployments(app_id, env_id, needed).await,
            Backend::Local(b) => b.deployments(app_id, env_id),
        }
    }

    /// One deployment with its event log.
    pub async fn deployment(&self, app_id: &str, env_id: &str, number: i32) -> Result<Deployment> {
        dispatch!(self, b => b.deployment(app_id, env_id, number))
    }

    /// A hosted version's metadata and content.
    pub async fn version(
        &self,
        app_id: &str,
        profile_id: &str,
        number: &str,
    ) -> Result<(VersionInfo, Vec<u8>)> {
        dispatch!(self, b => b.version(app_id, profile_id, number))
    }

    /// A profile's hosted versions, newest first.
    pub async fn versions(&self, app_id: &str, profile_id: &str) -> Result<Vec<VersionInfo>> {
        dispatch!(self, b => b.versions(app_id, profile_id))
    }

    pub async fn create_application(
        &self,
        name: &str,
        description: Option<&str>,
    ) -> Result<String> {
        dispatch!(self, b => b.create_application(name, description))
    }

    pub async fn create_environment(
        &self,
        app_id: &str,
        name: &str,
        description: Option<&str>,
        monitors: &[Monitor],
    ) -> Result<String> {
        dispatch!(self, b => b.create_environment(app_id, name, description, monitors))
    }

    pub async fn create_profile(
        &self,
        app_id: &str,
        name: &str,
        kind: &str,
        description: Option<&str>,
        json_schema: Option<&str>,
    ) -> Result<String> {
        dispatch!(self, b => b.create_profile(app_id, name, kind, description, json_schema))
    }

    pub async fn create_strategy(&self, name: &str, strategy: &Strategy) -> Result<String> {
        dispatch!(self, b => b.create_strategy(name, strategy))
    }

    pub async fn update_application(&self, id: &str, description: &str) -> Result<()> {
        dispatch!(self, b => b.update_application(id, description))
    }

    /// Sets the description (when given) and the monitors.
    pub async fn update_environment(
        &self,
        app_id: &str,
        env_id: &str,
        description: Option<&str>,
        monitors: &[Monitor],
    ) -> Result<()> {
        dispatch!(self, b => b.update_environment(app_id, env_id, description, monitors))
    }

    /// Sets the description and the JSON Schema validator, each when given.
    pub async fn update_profile(
        &self,
        app_id: &str,
        profile_id: &str,
        description: Option<&str>,
        json_schema: Option<&str>,
    ) -> Result<()> {
        dispatch!(self, b => b.update_profile(app_id, profile_id, description, json_schema))
    }

    /// Everything but replicate-to, which AppConfig cannot change.
    pub async fn update_strategy(&self, id: &str, strategy: &Strategy) -> Result<()> {
        dispatch!(self, b => b.update_strategy(id, strategy))
    }

    /// The ids of every custom strategy of this name.
    pub async fn strategy_ids(&self, name: &str) -> Result<Vec<String>> {
        dispatch!(self, b => b.strategy_ids(name))
    }

    pub async fn delete_strategy(&self, id: &str) -> Result<()> {
        dispatch!(self, b => b.delete_strategy(id))
    }

    pub async fn create_version(&self, version: &NewVersion<'_>) -> Result<i32> {
        dispatch!(self, b => b.create_version(version))
    }

    pub async fn start_deployment(&self, deployment: &NewDeployment<'_>) -> Result<Deployment> {
        dispatch!(self, b => b.start_deployment(deployment))
    }

    pub async fn stop_deployment(
        &self,
        app_id: &str,
        env_id: &str,
        number: i32,
        allow_revert: bool,
    ) -> Result<Deployment> {
        dispatch!(self, b => b.stop_deployment(app_id, env_id, number, allow_revert))
    }

    /// Whether polling should wait between checks (the local backend finishes at once).
    pub fn is_instant(&self) -> bool {
        matches!(self, Backend::Local(_))
    }
}
