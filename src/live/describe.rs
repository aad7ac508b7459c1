//! What an account holds beyond names and ids, for `flagops import`: every application (or the
//! named ones) with its description, environments and their alarm monitors, configuration
//! profiles with their type and JSON Schema validator, and the deployment strategies.

use aws_sdk_appconfig::Client;
use aws_sdk_appconfig::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_appconfig::types::GrowthType as AwsGrowth;

use super::backend::{BackendError, ErrorKind, Result};
use crate::model::config::{GrowthType, Monitor, Strategy};

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

/// Reads the account through the AppConfig API. `names` selects applications; empty means
/// all. A named application that does not exist is an error.
pub async fn appconfig(client: &Client, names: &[String]) -> Result<Account> {
    let mut account = Account::default();
    let mut token = None;
    loop {
        let page = client
            .list_applications()
            .set_next_token(token)
            .max_results(50)
            .send()
            .await
            .map_err(|e| fail("ListApplications", e))?;
        for app in page.items() {
            let (Some(id), Some(name)) = (app.id(), app.name()) else {
                continue;
            };
            if !names.is_empty() && !names.iter().any(|n| n == name) {
                continue;
            }
            account.applications.push(AppDescription {
                id: id.to_owned(),
                name: name.to_owned(),
                description: non_empty(app.description()),
                environments: Vec::new(),
                profiles: Vec::new(),
            });
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    missing_names(&account, names)?;
    for app in &mut account.applications {
        app.environments = environments(client, &app.id).await?;
        app.profiles = profiles(client, &app.id).await?;
    }
    account.strategies = strategies(client).await?;
    Ok(account)
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

async fn environments(client: &Client, app_id: &str) -> Result<Vec<EnvDescription>> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_environments()
            .application_id(app_id)
            .set_next_token(token)
            .max_results(50)
            .send()
            .await
            .map_err(|e| fail("ListEnvironments", e))?;
        for env in page.items() {
            let (Some(id), Some(name)) = (env.id(), env.name()) else {
                continue;
            };
            out.push(EnvDescription {
                id: id.to_owned(),
                name: name.to_owned(),
                description: non_empty(env.description()),
                monitors: env
                    .monitors()
                    .iter()
                    .map(|m| Monitor {
                        alarm_arn: m.alarm_arn().to_owned(),
                        alarm_role_arn: non_empty(m.alarm_role_arn()),
                    })
                    .collect(),
            });
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(out);
        }
    }
}

async fn profiles(client: &Client, app_id: &str) -> Result<Vec<ProfileDescription>> {
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_configuration_profiles()
            .application_id(app_id)
            .set_next_token(token)
            .max_results(50)
            .send()
            .await
            .map_err(|e| fail("ListConfigurationProfiles", e))?;
        ids.extend(
            page.items()
                .iter()
                .filter_map(|p| p.id().map(str::to_owned)),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    // The summaries lack descriptions and validators.
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let p = client
            .get_configuration_profile()
            .application_id(app_id)
            .configuration_profile_id(&id)
            .send()
            .await
            .map_err(|e| fail("GetConfigurationProfile", e))?;
        out.push(ProfileDescription {
            name: p.name().unwrap_or_default().to_owned(),
            description: non_empty(p.description()),
            kind: p.r#type().unwrap_or("AWS.Freeform").to_owned(),
            location_uri: p.location_uri().unwrap_or("hosted").to_owned(),
            json_schema: p
                .validators()
                .iter()
                .find(|v| v.r#type().as_str() == "JSON_SCHEMA")
                .map(|v| v.content().to_owned()),
            id,
        });
    }
    Ok(out)
}

async fn strategies(client: &Client) -> Result<Vec<StrategyDescription>> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_deployment_strategies()
            .set_next_token(token)
            .max_results(50)
            .send()
            .await
            .map_err(|e| fail("ListDeploymentStrategies", e))?;
        for s in page.items() {
            let (Some(id), Some(name)) = (s.id(), s.name()) else {
                continue;
            };
            out.push(StrategyDescription {
                id: id.to_owned(),
                name: name.to_owned(),
                strategy: Some(Strategy {
                    description: non_empty(s.description()),
                    duration_minutes: u32::try_from(s.deployment_duration_in_minutes())
                        .unwrap_or_default(),
                    bake_minutes: u32::try_from(s.final_bake_time_in_minutes()).unwrap_or_default(),
                    growth_type: match s.growth_type() {
                        Some(AwsGrowth::Exponential) => GrowthType::Exponential,
                        _ => GrowthType::Linear,
                    },
                    growth_factor: f64::from(s.growth_factor().unwrap_or(100.0)),
                }),
            });
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(out);
        }
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}

fn fail<E, R>(operation: &'static str, e: SdkError<E, R>) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + super::appconfig::HttpStatus,
{
    super::appconfig::describe_error(operation, "the AppConfig endpoint", e)
}
