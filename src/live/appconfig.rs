//! The AppConfig backend: the control-plane API through `aws-sdk-appconfig`, with the standard
//! credential chain, region and endpoint settings (`AWS_ENDPOINT_URL_APPCONFIG` included).
//! The SDK retries throttling and 5xx with backoff; 409 ConflictException is left to callers.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_appconfig::Client;
use aws_sdk_appconfig::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_appconfig::primitives::Blob;
use aws_sdk_appconfig::types::{self as aws, GrowthType as AwsGrowth};
use aws_smithy_types::date_time::Format;

use super::backend::{BackendError, ErrorKind, NewDeployment, NewVersion, Result};
use super::{AppInventory, DeployEvent, DeployState, Deployment, Inventory, VersionInfo};
use crate::model::config::{GrowthType, Monitor, Strategy};

/// Attempts per call, throttling and 5xx included.
const MAX_ATTEMPTS: u32 = 8;

/// (application id, profile id, version number)
type VersionKey = (String, String, String);

pub struct AppConfigBackend {
    client: Client,
    /// Deployments that reached a final state never change: (app, env, number) → deployment.
    finished: Mutex<HashMap<(String, String, i32), Deployment>>,
    /// Hosted versions are immutable: (app, profile, number) → content.
    contents: Mutex<HashMap<VersionKey, (VersionInfo, Vec<u8>)>>,
}

impl AppConfigBackend {
    /// A client from the environment: credentials, region, endpoint overrides.
    pub async fn from_env() -> Self {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
            .load()
            .await;
        Self::with_client(Client::new(&config))
    }

    pub fn with_client(client: Client) -> Self {
        AppConfigBackend {
            client,
            finished: Mutex::default(),
            contents: Mutex::default(),
        }
    }

    pub async fn inventory(&self, applications: &[&str]) -> Result<Inventory> {
        let mut inventory = Inventory::default();
        let mut token = None;
        loop {
            let page = self
                .client
                .list_applications()
                .set_next_token(token)
                .max_results(50)
                .send()
                .await
                .map_err(|e| err("ListApplications", e))?;
            for app in page.items() {
                let (Some(id), Some(name)) = (app.id(), app.name()) else {
                    continue;
                };
                if applications.contains(&name) {
                    inventory.applications.insert(
                        name.to_owned(),
                        AppInventory {
                            id: id.to_owned(),
                            ..AppInventory::default()
                        },
                    );
                }
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        for app in inventory.applications.values_mut() {
            let mut token = None;
            loop {
                let page = self
                    .client
                    .list_environments()
                    .application_id(&app.id)
                    .set_next_token(token)
                    .max_results(50)
                    .send()
                    .await
                    .map_err(|e| err("ListEnvironments", e))?;
                for env in page.items() {
                    if let (Some(id), Some(name)) = (env.id(), env.name()) {
                        app.environments.insert(name.to_owned(), id.to_owned());
                    }
                }
                token = page.next_token().map(str::to_owned);
                if token.is_none() {
                    break;
                }
            }
            let mut token = None;
            loop {
                let page = self
                    .client
                    .list_configuration_profiles()
                    .application_id(&app.id)
                    .set_next_token(token)
                    .max_results(50)
                    .send()
                    .await
                    .map_err(|e| err("ListConfigurationProfiles", e))?;
                for p in page.items() {
                    if let (Some(id), Some(name)) = (p.id(), p.name()) {
                        app.profiles.insert(
                            name.to_owned(),
                            (
                                id.to_owned(),
                                p.r#type().unwrap_or("AWS.Freeform").to_owned(),
                            ),
                        );
                    }
                }
                token = page.next_token().map(str::to_owned);
                if token.is_none() {
                    break;
                }
            }
        }
        let mut token = None;
        loop {
            let page = self
                .client
                .list_deployment_strategies()
                .set_next_token(token)
                .max_results(50)
                .send()
                .await
                .map_err(|e| err("ListDeploymentStrategies", e))?;
            for s in page.items() {
                if let (Some(id), Some(name)) = (s.id(), s.name()) {
                    inventory.strategies.insert(name.to_owned(), id.to_owned());
                }
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        Ok(inventory)
    }

    pub async fn deployments(&self, app_id: &str, env_id: &str) -> Result<Vec<Deployment>> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .list_deployments()
                .application_id(app_id)
                .environment_id(env_id)
                .set_next_token(token)
                .max_results(50)
                .send()
                .await
                .map_err(|e| err("ListDeployments", e))?;
            for s in page.items() {
                let d = Deployment {
                    number: s.deployment_number(),
                    profile_id: s.configuration_profile_id().map(str::to_owned),
                    version: s.configuration_version().unwrap_or_default().to_owned(),
                    version_label: s.version_label().map(str::to_owned),
                    state: s.state().map_or(DeployState::Other(String::new()), |st| {
                        DeployState::parse(st.as_str())
                    }),
                    percentage: s.percentage_complete().unwrap_or_default(),
                    strategy_id: None,
                    description: None,
                    started_at: s.started_at().and_then(|t| t.fmt(Format::DateTime).ok()),
                    completed_at: s.completed_at().and_then(|t| t.fmt(Format::DateTime).ok()),
                    events: Vec::new(),
                };
                out.push(d);
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        // AppConfig documents descending numbers; not every implementation keeps to it.
        out.sort_by_key(|d| std::cmp::Reverse(d.number));
        Ok(out)
    }

    pub async fn deployment(&self, app_id: &str, env_id: &str, number: i32) -> Result<Deployment> {
        let key = (app_id.to_owned(), env_id.to_owned(), number);
        if let Some(d) = self.finished.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(d);
        }
        let out = self
            .client
            .get_deployment()
            .application_id(app_id)
            .environment_id(env_id)
            .deployment_number(number)
            .send()
            .await
            .map_err(|e| err("GetDeployment", e))?;
        let d = Deployment {
            number: out.deployment_number(),
            profile_id: out.configuration_profile_id().map(str::to_owned),
            version: out.configuration_version().unwrap_or_default().to_owned(),
            version_label: out.version_label().map(str::to_owned),
            state: out.state().map_or(DeployState::Other(String::new()), |st| {
                DeployState::parse(st.as_str())
            }),
            percentage: out.percentage_complete().unwrap_or_default(),
            strategy_id: out.deployment_strategy_id().map(str::to_owned),
            description: out.description().map(str::to_owned),
            started_at: out.started_at().and_then(|t| t.fmt(Format::DateTime).ok()),
            completed_at: out
                .completed_at()
                .and_then(|t| t.fmt(Format::DateTime).ok()),
            events: out.event_log().iter().map(event).collect(),
        };
        if !d.state.is_in_progress()
            && let Ok(mut cache) = self.finished.lock()
        {
            cache.insert(key, d.clone());
        }
        Ok(d)
    }

    pub async fn version(
        &self,
        app_id: &str,
        profile_id: &str,
        number: &str,
    ) -> Result<(VersionInfo, Vec<u8>)> {
        let key = (app_id.to_owned(), profile_id.to_owned(), number.to_owned());
        if let Some(v) = self.contents.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(v);
        }
        let n: i32 = number.parse().map_err(|_| {
            BackendError::new(
                ErrorKind::BadRequest,
                "GetHostedConfigurationVersion",
                format!("`{number}` is not a hosted version number"),
            )
        })?;
        let out = self
            .client
            .get_hosted_configuration_version()
            .application_id(app_id)
            .configuration_profile_id(profile_id)
            .version_number(n)
            .send()
            .await
            .map_err(|e| err("GetHostedConfigurationVersion", e))?;
        let info = VersionInfo {
            number: out.version_number(),
            label: out.version_label().map(str::to_owned),
            description: out.description().map(str::to_owned),
        };
        let content = out
            .content()
            .map(|b| b.as_ref().to_vec())
            .unwrap_or_default();
        if let Ok(mut cache) = self.contents.lock() {
            cache.insert(key, (info.clone(), content.clone()));
        }
        Ok((info, content))
    }

    pub async fn versions(&self, app_id: &str, profile_id: &str) -> Result<Vec<VersionInfo>> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .list_hosted_configuration_versions()
                .application_id(app_id)
                .configuration_profile_id(profile_id)
                .set_next_token(token)
                .max_results(50)
                .send()
                .await
                .map_err(|e| err("ListHostedConfigurationVersions", e))?;
            for v in page.items() {
                out.push(VersionInfo {
                    number: v.version_number(),
                    label: v.version_label().map(str::to_owned),
                    description: v.description().map(str::to_owned),
                });
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        out.sort_by_key(|v| std::cmp::Reverse(v.number));
        Ok(out)
    }

    pub async fn create_application(
        &self,
        name: &str,
        description: Option<&str>,
    ) -> Result<String> {
        let out = self
            .client
            .create_application()
            .name(name)
            .set_description(description.map(str::to_owned))
            .tags("managed-by", "flagops")
            .send()
            .await
            .map_err(|e| err("CreateApplication", e))?;
        Ok(out.id().unwrap_or_default().to_owned())
    }

    pub async fn create_environment(
        &self,
        app_id: &str,
        name: &str,
        description: Option<&str>,
        monitors: &[Monitor],
    ) -> Result<String> {
        let mut req = self
            .client
            .create_environment()
            .application_id(app_id)
            .name(name)
            .set_description(description.map(str::to_owned))
            .tags("managed-by", "flagops");
        for m in monitors {
            let monitor = aws::Monitor::builder()
                .alarm_arn(&m.alarm_arn)
                .set_alarm_role_arn(m.alarm_role_arn.clone())
                .build()
                .map_err(|e| {
                    BackendError::new(ErrorKind::BadRequest, "CreateEnvironment", e.to_string())
                })?;
            req = req.monitors(monitor);
        }
        let out = req.send().await.map_err(|e| err("CreateEnvironment", e))?;
        Ok(out.id().unwrap_or_default().to_owned())
    }

    pub async fn create_profile(
        &self,
        app_id: &str,
        name: &str,
        kind: &str,
        description: Option<&str>,
        json_schema: Option<&str>,
    ) -> Result<String> {
        let mut req = self
            .client
            .create_configuration_profile()
            .application_id(app_id)
            .name(name)
            .location_uri("hosted")
            .r#type(kind)
            .set_description(description.map(str::to_owned))
            .tags("managed-by", "flagops");
        if let Some(schema) = json_schema {
            let validator = aws::Validator::builder()
                .r#type(aws::ValidatorType::JsonSchema)
                .content(schema)
                .build()
                .map_err(|e| {
                    BackendError::new(
                        ErrorKind::BadRequest,
                        "CreateConfigurationProfile",
                        e.to_string(),
                    )
                })?;
            req = req.validators(validator);
        }
        let out = req
            .send()
            .await
            .map_err(|e| err("CreateConfigurationProfile", e))?;
        Ok(out.id().unwrap_or_default().to_owned())
    }

    pub async fn create_strategy(&self, name: &str, s: &Strategy) -> Result<String> {
        let growth = match s.growth_type {
            GrowthType::Linear => AwsGrowth::Linear,
            GrowthType::Exponential => AwsGrowth::Exponential,
        };
        let out = self
            .client
            .create_deployment_strategy()
            .name(name)
            .set_description(s.description.clone())
            .deployment_duration_in_minutes(s.duration_minutes as i32)
            .final_bake_time_in_minutes(s.bake_minutes as i32)
            .growth_factor(s.growth_factor as f32)
            .growth_type(growth)
            .replicate_to(aws::ReplicateTo::None)
            .tags("managed-by", "flagops")
            .send()
            .await
            .map_err(|e| err("CreateDeploymentStrategy", e))?;
        Ok(out.id().unwrap_or_default().to_owned())
    }

    pub async fn create_version(&self, v: &NewVersion<'_>) -> Result<i32> {
        let out = self
            .client
            .create_hosted_configuration_version()
            .application_id(v.application_id)
            .configuration_profile_id(v.profile_id)
            .content(Blob::new(v.content.to_vec()))
            .content_type(v.content_type)
            .description(v.description)
            .version_label(v.label)
            .set_latest_version_number(v.latest_version_number)
            .send()
            .await
            .map_err(|e| err("CreateHostedConfigurationVersion", e))?;
        Ok(out.version_number())
    }

    pub async fn start_deployment(&self, d: &NewDeployment<'_>) -> Result<Deployment> {
        let mut req = self
            .client
            .start_deployment()
            .application_id(d.application_id)
            .environment_id(d.environment_id)
            .configuration_profile_id(d.profile_id)
            .deployment_strategy_id(d.strategy_id)
            .configuration_version(d.version)
            .description(d.description);
        for (k, v) in &d.tags {
            req = req.tags(k, v);
        }
        let out = req.send().await.map_err(|e| err("StartDeployment", e))?;
        self.deployment(d.application_id, d.environment_id, out.deployment_number())
            .await
    }

    pub async fn stop_deployment(
        &self,
        app_id: &str,
        env_id: &str,
        number: i32,
        allow_revert: bool,
    ) -> Result<Deployment> {
        self.client
            .stop_deployment()
            .application_id(app_id)
            .environment_id(env_id)
            .deployment_number(number)
            .allow_revert(allow_revert)
            .send()
            .await
            .map_err(|e| err("StopDeployment", e))?;
        self.deployment(app_id, env_id, number).await
    }
}

fn event(e: &aws::DeploymentEvent) -> DeployEvent {
    DeployEvent {
        event_type: e
            .event_type()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        triggered_by: e
            .triggered_by()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        description: e.description().unwrap_or_default().to_owned(),
        occurred_at: e
            .occurred_at()
            .and_then(|t| t.fmt(Format::DateTime).ok())
            .unwrap_or_default(),
    }
}

/// Maps an SDK error to a backend error with its kind; the message never holds credentials.
fn err<E, R>(operation: &'static str, e: SdkError<E, R>) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let (kind, message) = match e.as_service_error() {
        Some(service) => {
            let code = service.code().unwrap_or_default();
            let kind = match code {
                "ConflictException" => ErrorKind::Conflict,
                "ResourceNotFoundException" => ErrorKind::NotFound,
                "BadRequestException"
                | "PayloadTooLargeException"
                | "ServiceQuotaExceededException" => ErrorKind::BadRequest,
                _ => ErrorKind::Other,
            };
            (
                kind,
                format!("{code}: {}", service.message().unwrap_or("no message")),
            )
        }
        None => (
            ErrorKind::Other,
            aws_sdk_appconfig::error::DisplayErrorContext(&e).to_string(),
        ),
    };
    BackendError::new(kind, operation, message)
}
