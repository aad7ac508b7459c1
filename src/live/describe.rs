//! What an account holds beyond names and ids, for `flagops import`: every application (or the
//! named ones) with its description, environments and their alarm monitors, configuration
//! profiles with their type and JSON Schema validator, and the deployment strategies.

use super::api::{BackendError, ErrorKind, Result};
use crate::model::config::{Monitor, Strategy};

/// Everything import reads about the resources of an account.
#[derive(Debug, Clone, Default)]
pub struct Account {
    pub applications: Vec<AppDescription>,
    pub strategies: Vec<StrategyDescription>,
}

#[derive(Debug, Clone)]
pub struct AppDescription {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub environments: Vec<EnvDescription>,
    pub profiles: Vec<ProfileDescription>,
}

#[derive(Debug, Clone)]
pub struct EnvDescription {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub monitors: Vec<Monitor>,
}

#[derive(Debug, Clone)]
pub struct ProfileDescription {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// The AppConfig type: `AWS.AppConfig.FeatureFlags`, `AWS.Freeform`.
    pub kind: String,
    /// `hosted`, or where AppConfig fetches the configuration from (S3, SSM, ...).
    pub location_uri: String,
    /// The content of the profile's JSON Schema validator, if it has one.
    pub json_schema: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StrategyDescription {
    pub id: String,
    pub name: String,
    /// The strategy's parameters; `None` when the backend does not keep them.
    pub strategy: Option<Strategy>,
}

impl Account {
    /// The name of the strategy with this id (predefined strategies' ids are their names).
    pub fn strategy_name(&self, id: &str) -> Option<&str> {
        self.strategies
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.as_str())
    }
}

/// An account as its listings show it: applications with their environments and monitors,
/// strategies with their parameters, and profiles without their descriptions and validators,
/// which only a read of each profile brings.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    pub account: Account,
    /// Per (application id, profile id), how many validators the listing named; `None` where
    /// the listing did not say.
    pub validators: std::collections::HashMap<(String, String), Option<usize>>,
}

/// Fails when an application asked for by name does not exist.
pub fn missing_names(account: &Account, names: &[String]) -> Result<()> {
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| !account.applications.iter().any(|a| &a.name == *n))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(BackendError::new(
        ErrorKind::NotFound,
        "ListApplications",
        format!("no application named {}", missing.join(", ")),
    ))
}
