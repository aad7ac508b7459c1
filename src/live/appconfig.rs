//! The AppConfig backend: the control-plane API through `aws-sdk-appconfig`, with the standard
//! credential chain, region and endpoint settings (`AWS_ENDPOINT_URL_APPCONFIG` included).
//! The SDK retries throttling and 5xx with backoff; 409 ConflictException is left to callers.
//!
//! Creates are not idempotent in AppConfig (no client token), and a resend after a lost answer
//! would make a second application, strategy or deployment. Hosted versions are safe to resend
//! (compare-and-swap on the latest number, unique labels: AppConfig refuses the copy); every
//! other create goes through [`AppConfigBackend::create_once`], which looks for what a lost
//! request made before sending it again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_appconfig::Client;
use aws_sdk_appconfig::config::http::HttpResponse;
use aws_sdk_appconfig::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_appconfig::primitives::Blob;
use aws_sdk_appconfig::types::{self as aws, GrowthType as AwsGrowth};
use aws_smithy_types::date_time::Format;

use super::api::{BackendError, ErrorKind, NewDeployment, NewVersion, Result};
use super::describe::{
    self, Account, AppDescription, EnvDescription, ProfileDescription, StrategyDescription,
};
use super::{
    AppInventory, DeployEvent, DeployState, Deployment, History, Inventory, Needed, VersionInfo,
};
use crate::model::config::{GrowthType, Monitor, ReplicateTo, Strategy};
use crate::vocabulary;

/// Attempts per call, throttling and 5xx included.
const MAX_ATTEMPTS: u32 = 8;

/// Longest a TCP (and TLS) connection may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Longest one attempt of a call may wait for its answer.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(8);
/// Longest one call may take, its retries included: an endpoint that accepts connections and
/// never answers fails the run within this, not at the CI job's limit.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(20);

/// The SDK's timeouts for every AppConfig call.
pub fn timeout_config() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(ATTEMPT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// The endpoint AppConfig calls go to, as configured: `AWS_ENDPOINT_URL_APPCONFIG`,
/// `AWS_ENDPOINT_URL`, or the regional AWS endpoint.
fn endpoint_description(config: &aws_config::SdkConfig) -> String {
    std::env::var("AWS_ENDPOINT_URL_APPCONFIG")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|u| format!("{u} (AWS_ENDPOINT_URL_APPCONFIG)"))
        .or_else(|| {
            std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|s| !s.is_empty())
                .map(|u| format!("{u} (AWS_ENDPOINT_URL)"))
        })
        .or_else(|| config.endpoint_url().map(str::to_owned))
        .unwrap_or_else(|| match config.region() {
            Some(r) => format!("https://appconfig.{r}.amazonaws.com"),
            None => "AppConfig (no region configured)".to_owned(),
        })
}

/// Items per page of every listing (AppConfig's maximum).
const PAGE: i32 = 50;

/// Every item of a listing, page after page through the SDK's paginator.
macro_rules! every_item {
    ($backend:expr, $operation:literal, $request:expr) => {
        ($request)
            .max_results(PAGE)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| $backend.err($operation, e))
    };
}

/// (application id, profile id, version number)
type VersionKey = (String, String, String);

pub struct AppConfigBackend {
    client: Client,
    /// Where calls go, for error messages.
    endpoint: String,
    /// Deployments that reached a final state never change: (app, env, number) → deployment.
    finished: Mutex<HashMap<(String, String, i32), Deployment>>,
    /// Hosted versions are immutable: (app, profile, number) → content.
    contents: Mutex<HashMap<VersionKey, (VersionInfo, Vec<u8>)>>,
    /// Reads under way at once. The HTTP client lets [`super::in_flight::MAX_IN_FLIGHT`]
    /// requests through; starting no more reads than that keeps a read from spending its
    /// attempt and operation timeouts queued behind thousands of others (plan and drift
    /// start every read of a large repository at once).
    reads: tokio::sync::Semaphore,
    /// Why the latest attempt to reach the endpoint failed to connect, if it did: a call that
    /// runs out of time retrying says so rather than "no answer".
    connect_failure: Arc<Mutex<Option<String>>>,
}

impl AppConfigBackend {
    /// A client from the environment: credentials, region, endpoint overrides; bounded
    /// retries (standard mode) and timeouts ([`timeout_config`]).
    pub async fn from_env() -> Self {
        Self::from_config(&Self::loader().load().await, None)
    }

    /// The settings every client starts from: the environment's, with flagops's retries,
    /// timeouts and connection bound. A location (region, profile, role) adds to these.
    pub fn loader() -> aws_config::ConfigLoader {
        aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
            .timeout_config(timeout_config())
            .http_client(super::in_flight::Bounded::https(
                super::in_flight::MAX_IN_FLIGHT,
            ))
    }

    /// A client from loaded settings; `endpoint_url`, when given, is where AppConfig calls go
    /// whatever the environment says.
    pub fn from_config(config: &aws_config::SdkConfig, endpoint_url: Option<&str>) -> Self {
        let connect_failure = Arc::default();
        let mut builder = aws_sdk_appconfig::config::Builder::from(config)
            .interceptor(RequestIds)
            .interceptor(ConnectFailures(Arc::clone(&connect_failure)))
            .retry_classifier(UntrustedCertificate);
        let endpoint = match endpoint_url {
            Some(url) => {
                builder = builder.endpoint_url(url);
                format!("{url} (flagops.yaml endpoint_url)")
            }
            None => endpoint_description(config),
        };
        let mut backend = Self::with_client(Client::from_conf(builder.build()));
        backend.endpoint = endpoint;
        backend.connect_failure = connect_failure;
        backend
    }

    /// The client, for readers that need more than the backend's calls (import).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Where calls go: the endpoint URL and the setting it came from.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn with_client(client: Client) -> Self {
        AppConfigBackend {
            endpoint: "AppConfig".to_owned(),
            client,
            finished: Mutex::default(),
            contents: Mutex::default(),
            reads: tokio::sync::Semaphore::new(super::in_flight::MAX_IN_FLIGHT),
            connect_failure: Arc::default(),
        }
    }

    /// A turn to read (see `reads`); the semaphore is never closed.
    async fn read_turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.reads.acquire().await.ok()
    }

    /// The applications named, with their environments and profiles, and the custom
    /// strategies: the applications and the strategies at once (the strategies need no
    /// application, and listed later they would queue behind every application's listings, a
    /// round trip on the way to the deployments), then every application's environments and
    /// profiles at once. A failure of both names ListApplications, the first call of every
    /// command. What the listings say beyond ids is kept in [`Inventory::listed`] for the
    /// setup diff.
    pub async fn inventory(&self, applications: &[&str]) -> Result<Inventory> {
        let (apps, strategies) = tokio::join!(self.list_applications(), self.list_strategies());
        let apps = apps?;
        let apps: Vec<(&str, &str, Option<&str>)> = apps
            .iter()
            .filter_map(|a| Some((a.id()?, a.name()?, a.description())))
            .filter(|(_, name, _)| applications.contains(name))
            .collect();
        let lists = futures_util::future::try_join_all(apps.iter().map(|(id, ..)| async {
            tokio::try_join!(self.list_environments(id), self.list_profiles(id))
        }));
        let lists = lists.await?;
        let strategies = strategies?;
        let mut inventory = Inventory::default();
        let mut listed = describe::Listed::default();
        for ((id, name, description), (environments, profiles)) in apps.into_iter().zip(lists) {
            let app = AppInventory {
                environments: environments
                    .iter()
                    .filter_map(|e| Some((e.name()?.to_owned(), e.id()?.to_owned())))
                    .collect(),
                profiles: profiles
                    .iter()
                    .filter_map(|p| {
                        let kind = p.r#type().unwrap_or(vocabulary::FREEFORM);
                        Some((p.name()?.to_owned(), (p.id()?.to_owned(), kind.to_owned())))
                    })
                    .collect(),
                id: id.to_owned(),
            };
            inventory.applications.insert(name.to_owned(), app);
            let mut described = AppDescription {
                id: id.to_owned(),
                name: name.to_owned(),
                description: non_empty(description),
                environments: environments
                    .iter()
                    .filter_map(describe_environment)
                    .collect(),
                profiles: Vec::new(),
            };
            for p in &profiles {
                let (Some(profile_id), Some(profile_name)) = (p.id(), p.name()) else {
                    continue;
                };
                listed.validators.insert(
                    (id.to_owned(), profile_id.to_owned()),
                    p.validator_types.as_ref().map(Vec::len),
                );
                described.profiles.push(ProfileDescription {
                    id: profile_id.to_owned(),
                    name: profile_name.to_owned(),
                    description: None,
                    kind: p.r#type().unwrap_or(vocabulary::FREEFORM).to_owned(),
                    location_uri: p.location_uri().unwrap_or("hosted").to_owned(),
                    json_schema: None,
                });
            }
            listed.account.applications.push(described);
        }
        // Names are not unique in AppConfig: of several strategies of one name, the lowest id
        // is the one (what apply agrees on after a race).
        for s in &strategies {
            if let (Some(name), Some(id)) = (s.name(), s.id()) {
                let kept = inventory
                    .strategies
                    .entry(name.to_owned())
                    .or_insert_with(|| id.to_owned());
                if id < kept.as_str() {
                    *kept = id.to_owned();
                }
            }
        }
        listed.account.strategies = strategies.iter().filter_map(describe_strategy).collect();
        inventory.listed = Some(listed);
        Ok(inventory)
    }

    /// The account of a [`describe::Listed`], with each profile's description and validator
    /// read (all at once) where flagops.yaml declares a description (`described(application,
    /// profile)`) or the listing showed a validator or did not say.
    pub async fn complete(
        &self,
        listed: &describe::Listed,
        described: &(dyn Fn(&str, &str) -> bool + Sync),
    ) -> Result<Account> {
        let mut account = listed.account.clone();
        let reads = account.applications.iter_mut().flat_map(|app| {
            let (app_id, app_name) = (app.id.as_str(), app.name.as_str());
            app.profiles.iter_mut().filter_map(move |p| {
                let validators = listed
                    .validators
                    .get(&(app_id.to_owned(), p.id.clone()))
                    .copied()
                    .flatten();
                let wanted = described(app_name, &p.name) || validators != Some(0);
                wanted.then_some(async move {
                    *p = self.describe_profile(app_id, &p.id).await?;
                    Ok::<_, BackendError>(())
                })
            })
        });
        futures_util::future::try_join_all(reads).await?;
        Ok(account)
    }

    /// What `flagops import` reads: the applications named (all when `names` is empty) with
    /// their descriptions, environments and monitors, profiles and validators, and every
    /// deployment strategy with its parameters. A named application that does not exist is an
    /// error.
    pub async fn describe(&self, names: &[String]) -> Result<Account> {
        let mut account = Account::default();
        for app in self.list_applications().await? {
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
        describe::missing_names(&account, names)?;
        for app in &mut account.applications {
            app.environments = self
                .list_environments(&app.id)
                .await?
                .iter()
                .filter_map(describe_environment)
                .collect();
            // The summaries lack descriptions and validators.
            for summary in self.list_profiles(&app.id).await? {
                if let Some(id) = summary.id() {
                    app.profiles.push(self.describe_profile(&app.id, id).await?);
                }
            }
        }
        account.strategies = self
            .list_strategies()
            .await?
            .iter()
            .filter_map(describe_strategy)
            .collect();
        Ok(account)
    }

    async fn describe_profile(&self, app_id: &str, id: &str) -> Result<ProfileDescription> {
        let _turn = self.read_turn().await;
        let p = self
            .client
            .get_configuration_profile()
            .application_id(app_id)
            .configuration_profile_id(id)
            .send()
            .await
            .map_err(|e| self.err("GetConfigurationProfile", e))?;
        Ok(ProfileDescription {
            id: id.to_owned(),
            name: p.name().unwrap_or_default().to_owned(),
            description: non_empty(p.description()),
            kind: p.r#type().unwrap_or(vocabulary::FREEFORM).to_owned(),
            location_uri: p.location_uri().unwrap_or("hosted").to_owned(),
            json_schema: p
                .validators()
                .iter()
                .find(|v| v.r#type() == &aws::ValidatorType::JsonSchema)
                .map(|v| v.content().to_owned()),
        })
    }

    async fn list_applications(&self) -> Result<Vec<aws::Application>> {
        let _turn = self.read_turn().await;
        every_item!(self, "ListApplications", self.client.list_applications())
    }

    async fn list_environments(&self, app_id: &str) -> Result<Vec<aws::Environment>> {
        let request = self.client.list_environments().application_id(app_id);
        let _turn = self.read_turn().await;
        every_item!(self, "ListEnvironments", request)
    }

    async fn list_profiles(&self, app_id: &str) -> Result<Vec<aws::ConfigurationProfileSummary>> {
        let request = self
            .client
            .list_configuration_profiles()
            .application_id(app_id);
        let _turn = self.read_turn().await;
        every_item!(self, "ListConfigurationProfiles", request)
    }

    async fn list_strategies(&self) -> Result<Vec<aws::DeploymentStrategy>> {
        let _turn = self.read_turn().await;
        every_item!(
            self,
            "ListDeploymentStrategies",
            self.client.list_deployment_strategies()
        )
    }

    /// The environment's deployments, newest first, read page by page until `needed` is met
    /// or the listing ends. Neither the service's order nor its page size is trusted: pages
    /// that are not newest-first are read whole and sorted, and a listing that fills whole
    /// pages is checked for numbers above its newest (an implementation that lists oldest
    /// first and cuts at MaxResults without a NextToken hides the newest deployments).
    pub async fn deployments(
        &self,
        app_id: &str,
        env_id: &str,
        needed: &Needed,
    ) -> Result<History> {
        let mut pages = (self.client.list_deployments())
            .application_id(app_id)
            .environment_id(env_id)
            .max_results(PAGE)
            .into_paginator()
            .send();
        let mut out: Vec<Deployment> = Vec::new();
        let mut newest_first = true;
        let mut untrusted = None;
        let mut last_page = 0;
        loop {
            let turn = self.read_turn().await;
            let Some(page) = pages.next().await else {
                break;
            };
            drop(turn);
            let page = page.map_err(|e| self.err("ListDeployments", e))?;
            let numbers: Vec<i32> = page.items().iter().map(|s| s.deployment_number()).collect();
            let continues = match (out.last(), numbers.first()) {
                (Some(previous), Some(first)) => *first < previous.number,
                _ => true,
            };
            let more = page.next_token().is_some_and(|t| !t.is_empty());
            if newest_first && !(continues && numbers.is_sorted_by(|a, b| a > b)) {
                newest_first = false;
                if more {
                    untrusted = Some(format!(
                        "ListDeployments returned a page {} while more pages followed",
                        order_of(&numbers)
                    ));
                }
            }
            last_page = numbers.len();
            out.extend(page.items().iter().map(summary));
            if newest_first && more && needed.met(&out) {
                return Ok(History {
                    deployments: out,
                    untrusted,
                });
            }
        }
        if last_page == PAGE as usize {
            let before = out.len();
            let mut next = out.iter().map(|d| d.number).max().unwrap_or(0) + 1;
            loop {
                match self.deployment(app_id, env_id, next).await {
                    Ok(d) => out.push(d),
                    Err(e) if e.kind == ErrorKind::NotFound => break,
                    Err(e) => return Err(e),
                }
                next += 1;
            }
            if out.len() > before {
                untrusted.get_or_insert(format!(
                    "ListDeployments ended after a full page of {PAGE} without a NextToken, \
                     and {} newer deployments exist",
                    out.len() - before
                ));
            }
        }
        out.sort_by_key(|d| std::cmp::Reverse(d.number));
        out.dedup_by_key(|d| d.number);
        let untrusted = untrusted.map(|how| {
            format!(
                "{how}: read all {} deployments of the environment and ordered them by number",
                out.len()
            )
        });
        Ok(History {
            deployments: out,
            untrusted,
        })
    }

    pub async fn deployment(&self, app_id: &str, env_id: &str, number: i32) -> Result<Deployment> {
        let key = (app_id.to_owned(), env_id.to_owned(), number);
        if let Some(d) = cached(&self.finished, &key) {
            return Ok(d);
        }
        let request = (self.client.get_deployment())
            .application_id(app_id)
            .environment_id(env_id)
            .deployment_number(number);
        let turn = self.read_turn().await;
        let out = (request.send().await).map_err(|e| self.err("GetDeployment", e))?;
        drop(turn);
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
            profile_name: None,
            bake_minutes: Some(out.final_bake_time_in_minutes()),
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
        if let Some(v) = cached(&self.contents, &key) {
            return Ok(v);
        }
        let n: i32 = number.parse().map_err(|_| {
            BackendError::new(
                ErrorKind::BadRequest,
                "GetHostedConfigurationVersion",
                format!("`{number}` is not a hosted version number"),
            )
        })?;
        let _turn = self.read_turn().await;
        let out = self
            .client
            .get_hosted_configuration_version()
            .application_id(app_id)
            .configuration_profile_id(profile_id)
            .version_number(n)
            .send()
            .await
            .map_err(|e| self.err("GetHostedConfigurationVersion", e))?;
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
        let request = (self.client.list_hosted_configuration_versions())
            .application_id(app_id)
            .configuration_profile_id(profile_id);
        let turn = self.read_turn().await;
        let items = every_item!(self, "ListHostedConfigurationVersions", request)?;
        drop(turn);
        let mut out: Vec<VersionInfo> = items
            .iter()
            .map(|v| VersionInfo {
                number: v.version_number(),
                label: v.version_label().map(str::to_owned),
                description: v.description().map(str::to_owned),
            })
            .collect();
        out.sort_by_key(|v| std::cmp::Reverse(v.number));
        Ok(out)
    }

    pub async fn create_application(
        &self,
        name: &str,
        description: Option<&str>,
    ) -> Result<String> {
        let send = async || {
            let out = self
                .client
                .create_application()
                .name(name)
                .set_description(description.map(str::to_owned))
                .tags("managed-by", "flagops")
                .customize()
                .config_override(no_retries())
                .send()
                .await?;
            Ok(out.id().unwrap_or_default().to_owned())
        };
        let existing = async || {
            let apps = self.list_applications().await?;
            Ok(id_named(&apps, name, |a| (a.name(), a.id())))
        };
        self.create_once("CreateApplication", send, existing).await
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
        for monitor in aws_monitors("CreateEnvironment", monitors)? {
            req = req.monitors(monitor);
        }
        let send = async || {
            let out = req.clone().customize().config_override(no_retries()).send();
            Ok(out.await?.id().unwrap_or_default().to_owned())
        };
        let existing = async || {
            let envs = self.list_environments(app_id).await?;
            Ok(id_named(&envs, name, |e| (e.name(), e.id())))
        };
        self.create_once("CreateEnvironment", send, existing).await
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
            req = req.validators(json_schema_validator("CreateConfigurationProfile", schema)?);
        }
        let send = async || {
            let out = req.clone().customize().config_override(no_retries()).send();
            Ok(out.await?.id().unwrap_or_default().to_owned())
        };
        let existing = async || {
            let profiles = self.list_profiles(app_id).await?;
            Ok(id_named(&profiles, name, |p| (p.name(), p.id())))
        };
        self.create_once("CreateConfigurationProfile", send, existing)
            .await
    }

    pub async fn create_strategy(&self, name: &str, s: &Strategy) -> Result<String> {
        let growth = aws_growth(s.growth_type);
        let send = async || {
            let out = self
                .client
                .create_deployment_strategy()
                .name(name)
                .set_description(s.description.clone())
                .deployment_duration_in_minutes(s.duration_minutes as i32)
                .final_bake_time_in_minutes(s.bake_minutes as i32)
                .growth_factor(s.growth_factor as f32)
                .growth_type(growth.clone())
                .replicate_to(match s.replicate_to {
                    ReplicateTo::None => aws::ReplicateTo::None,
                    ReplicateTo::SsmDocument => aws::ReplicateTo::SsmDocument,
                })
                .tags("managed-by", "flagops")
                .customize()
                .config_override(no_retries())
                .send()
                .await?;
            Ok(out.id().unwrap_or_default().to_owned())
        };
        // Strategy names are not unique in AppConfig: without this look, a lost answer leaves
        // a second strategy of the same name behind (and strategies have a quota of 20).
        let existing = async || {
            let strategies = self.list_strategies().await?;
            Ok(id_named(&strategies, name, |s| (s.name(), s.id())))
        };
        self.create_once("CreateDeploymentStrategy", send, existing)
            .await
    }

    /// Updates are idempotent: the SDK's retries may resend them.
    pub async fn update_application(&self, id: &str, description: &str) -> Result<()> {
        (self.client.update_application())
            .application_id(id)
            .description(description)
            .send()
            .await
            .map_err(|e| self.err("UpdateApplication", e))?;
        Ok(())
    }

    pub async fn update_environment(
        &self,
        app_id: &str,
        env_id: &str,
        description: Option<&str>,
        monitors: &[Monitor],
    ) -> Result<()> {
        (self.client.update_environment())
            .application_id(app_id)
            .environment_id(env_id)
            .set_description(description.map(str::to_owned))
            .set_monitors(Some(aws_monitors("UpdateEnvironment", monitors)?))
            .send()
            .await
            .map_err(|e| self.err("UpdateEnvironment", e))?;
        Ok(())
    }

    /// Sets the description and the JSON Schema validator; validators of other types (a
    /// Lambda) stay as they are.
    pub async fn update_profile(
        &self,
        app_id: &str,
        profile_id: &str,
        description: Option<&str>,
        json_schema: Option<&str>,
    ) -> Result<()> {
        let mut req = (self.client.update_configuration_profile())
            .application_id(app_id)
            .configuration_profile_id(profile_id)
            .set_description(description.map(str::to_owned));
        if let Some(schema) = json_schema {
            let current = (self.client.get_configuration_profile())
                .application_id(app_id)
                .configuration_profile_id(profile_id)
                .send()
                .await
                .map_err(|e| self.err("GetConfigurationProfile", e))?;
            let mut validators: Vec<aws::Validator> = (current.validators().iter())
                .filter(|v| v.r#type() != &aws::ValidatorType::JsonSchema)
                .cloned()
                .collect();
            validators.push(json_schema_validator("UpdateConfigurationProfile", schema)?);
            req = req.set_validators(Some(validators));
        }
        req.send()
            .await
            .map_err(|e| self.err("UpdateConfigurationProfile", e))?;
        Ok(())
    }

    pub async fn update_strategy(&self, id: &str, s: &Strategy) -> Result<()> {
        (self.client.update_deployment_strategy())
            .deployment_strategy_id(id)
            .set_description(s.description.clone())
            .deployment_duration_in_minutes(s.duration_minutes as i32)
            .final_bake_time_in_minutes(s.bake_minutes as i32)
            .growth_factor(s.growth_factor as f32)
            .growth_type(aws_growth(s.growth_type))
            .send()
            .await
            .map_err(|e| self.err("UpdateDeploymentStrategy", e))?;
        Ok(())
    }

    /// The ids of every strategy of this name (AppConfig does not keep names unique).
    pub async fn strategy_ids(&self, name: &str) -> Result<Vec<String>> {
        let strategies = self.list_strategies().await?;
        Ok(strategies
            .iter()
            .filter(|s| s.name() == Some(name))
            .filter_map(|s| s.id().map(str::to_owned))
            .collect())
    }

    pub async fn delete_strategy(&self, id: &str) -> Result<()> {
        (self.client.delete_deployment_strategy())
            .deployment_strategy_id(id)
            .send()
            .await
            .map_err(|e| self.err("DeleteDeploymentStrategy", e))?;
        Ok(())
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
            .map_err(|e| self.err("CreateHostedConfigurationVersion", e))?;
        Ok(out.version_number())
    }

    pub async fn start_deployment(&self, d: &NewDeployment<'_>) -> Result<Deployment> {
        let (app_id, env_id) = (d.application_id, d.environment_id);
        let latest = d.latest_deployment_number;
        let mut req = self
            .client
            .start_deployment()
            .application_id(app_id)
            .environment_id(env_id)
            .configuration_profile_id(d.profile_id)
            .deployment_strategy_id(d.strategy_id)
            .configuration_version(d.version)
            .description(d.description);
        // The guard goes with every request, 0 for an environment seen empty, so two first
        // deployments conflict too. AWS does not document 0: should it refuse it as a value,
        // the first deployment goes unguarded, as it would without the field.
        let guard = std::cell::Cell::new(latest);
        for (k, v) in &d.tags {
            req = req.tags(k, v);
        }
        let send = async || {
            let out = req
                .clone()
                .set_latest_deployment_number(guard.get())
                .customize()
                .config_override(no_retries())
                .send()
                .await?;
            Ok(out.deployment_number())
        };
        // A deployment of this version newer than the history the request was decided on is
        // the one the lost request started (or a concurrent apply did: the same outcome).
        let existing = async || {
            let newest = self.deployments(app_id, env_id, &Needed::default()).await?;
            for s in newest.deployments {
                if s.number <= latest.unwrap_or(0) {
                    break;
                }
                let profile = match s.profile_id {
                    Some(p) => p,
                    None => self
                        .deployment(app_id, env_id, s.number)
                        .await?
                        .profile_id
                        .unwrap_or_default(),
                };
                if profile == d.profile_id && s.version == d.version {
                    return Ok(Some(s.number));
                }
            }
            Ok(None)
        };
        let number = match self.create_once("StartDeployment", &send, &existing).await {
            Err(e) if latest == Some(0) && refuses_zero_guard(&e) => {
                guard.set(None);
                self.create_once("StartDeployment", &send, &existing)
                    .await?
            }
            other => other?,
        };
        self.deployment(app_id, env_id, number).await
    }

    /// Sends a create, and never sends it blindly again (the SDK's retries are off for it):
    /// after a throttled, failed (5xx) or lost answer the request may or may not have been
    /// applied, so `existing` looks for what it would have made before it is resent, with
    /// backoff (0.2 s, 0.4 s … 6.4 s), up to [`MAX_ATTEMPTS`] times. A name already taken (a
    /// concurrent apply got there first) is looked up the same way.
    async fn create_once<T, E>(
        &self,
        operation: &'static str,
        send: impl AsyncFn() -> std::result::Result<T, SdkError<E, HttpResponse>>,
        existing: impl AsyncFn() -> Result<Option<T>>,
    ) -> Result<T>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let mut attempt = 1;
        loop {
            let e = match send().await {
                Ok(created) => return Ok(created),
                Err(e) => e,
            };
            if !is_transient(&e) && !is_name_taken(&e) {
                return Err(self.err(operation, e));
            }
            if let Some(found) = existing().await? {
                return Ok(found);
            }
            // Not there (or a taken name not listed yet): send again after a pause.
            if attempt >= MAX_ATTEMPTS {
                return Err(self.err(operation, e));
            }
            tokio::time::sleep(Duration::from_millis(100 << attempt.min(6))).await;
            attempt += 1;
        }
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
            .map_err(|e| self.err("StopDeployment", e))?;
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

/// An SDK config that makes no retries, for requests that are not safe to resend blindly.
fn no_retries() -> aws_sdk_appconfig::config::Builder {
    aws_sdk_appconfig::config::Builder::default().retry_config(RetryConfig::disabled())
}

/// Error codes the SDK retries as throttling (`aws-runtime`'s `THROTTLING_ERRORS`).
const THROTTLING_ERRORS: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
];

/// What the SDK would retry: throttling, 5xx, timeouts, and connections that failed or closed
/// before an answer (after which the request may or may not have been applied).
fn is_transient<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    match e {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::DispatchFailure(f) => {
            f.is_io()
                || f.is_timeout()
                || f.as_other()
                    .is_some_and(|k| k != aws_smithy_types::retry::ErrorKind::ClientError)
        }
        SdkError::ServiceError(s) => {
            matches!(s.raw().status().as_u16(), 500 | 502 | 503 | 504)
                || THROTTLING_ERRORS.contains(&s.err().code().unwrap_or_default())
        }
        _ => false,
    }
}

/// AppConfig's answer to a create whose name exists already (applications, and environments
/// and profiles within one): 400 "Application with name X already exists with id …".
fn is_name_taken<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    e.as_service_error().is_some_and(|s| {
        s.code() == Some("BadRequestException")
            && s.message().is_some_and(|m| m.contains("already exists"))
    })
}

impl AppConfigBackend {
    /// [`describe_error`] with this backend's endpoint. A call that ran out of time or of
    /// attempts while its attempts could not connect says why they could not.
    fn err<E, R>(&self, operation: &'static str, e: SdkError<E, R>) -> BackendError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + HttpStatus,
    {
        // The call ran out of time, or of attempts, each of which failed to connect.
        let retried = match &e {
            SdkError::TimeoutError(_) => Some(format!("for {} s", OPERATION_TIMEOUT.as_secs())),
            SdkError::DispatchFailure(f) if f.is_timeout() => {
                Some(format!("for {} s", OPERATION_TIMEOUT.as_secs()))
            }
            // A refused certificate is final, and describe_error names it.
            SdkError::DispatchFailure(f)
                if f.is_io()
                    && (f.as_connector_error())
                        .and_then(|c| certificate_refusal(c))
                        .is_none() =>
            {
                Some(format!("{MAX_ATTEMPTS} times"))
            }
            _ => None,
        };
        let connect_failure = (self.connect_failure.lock())
            .map(|failure| failure.clone())
            .unwrap_or_default();
        match (connect_failure, retried) {
            (Some(why), Some(retried)) => BackendError::new(
                ErrorKind::Other,
                operation,
                format!(
                    "cannot connect to {}: {why} (retried {retried}; hint: check the endpoint and that it is up)",
                    self.endpoint,
                ),
            ),
            _ => describe_error(operation, &self.endpoint, e),
        }
    }
}

fn describe_environment(env: &aws::Environment) -> Option<EnvDescription> {
    Some(EnvDescription {
        id: env.id()?.to_owned(),
        name: env.name()?.to_owned(),
        description: non_empty(env.description()),
        monitors: env
            .monitors()
            .iter()
            .map(|m| Monitor {
                alarm_arn: m.alarm_arn().to_owned(),
                alarm_role_arn: non_empty(m.alarm_role_arn()),
            })
            .collect(),
    })
}

fn describe_strategy(s: &aws::DeploymentStrategy) -> Option<StrategyDescription> {
    Some(StrategyDescription {
        id: s.id()?.to_owned(),
        name: s.name()?.to_owned(),
        strategy: Some(Strategy {
            description: non_empty(s.description()),
            duration_minutes: u32::try_from(s.deployment_duration_in_minutes()).unwrap_or_default(),
            bake_minutes: u32::try_from(s.final_bake_time_in_minutes()).unwrap_or_default(),
            growth_type: match s.growth_type() {
                Some(AwsGrowth::Exponential) => GrowthType::Exponential,
                _ => GrowthType::Linear,
            },
            growth_factor: f64::from(s.growth_factor().unwrap_or(100.0)),
            replicate_to: match s.replicate_to() {
                Some(aws::ReplicateTo::SsmDocument) => ReplicateTo::SsmDocument,
                _ => ReplicateTo::None,
            },
        }),
    })
}

/// What a cache holds for `key`; finished deployments and hosted versions never change.
fn cached<K: Eq + std::hash::Hash, V: Clone>(cache: &Mutex<HashMap<K, V>>, key: &K) -> Option<V> {
    cache.lock().ok().and_then(|c| c.get(key).cloned())
}

/// The id of the item of this name in a listing.
fn id_named<T>(
    items: &[T],
    name: &str,
    name_id: impl Fn(&T) -> (Option<&str>, Option<&str>),
) -> Option<String> {
    items.iter().find_map(|item| match name_id(item) {
        (Some(n), Some(id)) if n == name => Some(id.to_owned()),
        _ => None,
    })
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The HTTP status of a raw response, where there is one.
pub trait HttpStatus {
    fn http_status(&self) -> Option<u16>;
}

impl HttpStatus for HttpResponse {
    fn http_status(&self) -> Option<u16> {
        Some(self.status().as_u16())
    }
}

/// The IAM action an operation needs (docs/iam.md lists them all).
fn iam_action(operation: &str) -> String {
    format!("appconfig:{operation}")
}

/// Maps an SDK error to a backend error with its kind, as one readable line: the operation,
/// the HTTP status, AWS's error code and message, and a hint where the cause is known. The
/// request id goes to the debug log only; the message never holds credentials.
pub fn describe_error<E, R>(
    operation: &'static str,
    endpoint: &str,
    e: SdkError<E, R>,
) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + HttpStatus,
{
    if let Some(meta) = e.as_service_error().map(ProvideErrorMetadata::meta)
        && let Some(id) = meta.extra("aws_request_id")
    {
        tracing_request_id(operation, id);
    }
    let status = match &e {
        SdkError::ServiceError(s) => s.raw().http_status(),
        SdkError::ResponseError(r) => r.raw().http_status(),
        _ => None,
    };
    let (kind, message) = match e.as_service_error() {
        Some(service) => {
            let code = service.code().unwrap_or_default();
            let text = service.message().filter(|m| !m.is_empty());
            let kind = match code {
                "ConflictException" => ErrorKind::Conflict,
                "ResourceNotFoundException" => ErrorKind::NotFound,
                "BadRequestException"
                | "PayloadTooLargeException"
                | "ServiceQuotaExceededException" => ErrorKind::BadRequest,
                _ => ErrorKind::Other,
            };
            let mut line = match status {
                Some(s) => format!("HTTP {s}"),
                None => "error".to_owned(),
            };
            if !code.is_empty() {
                line.push_str(&format!(" {code}"));
            }
            line.push_str(&format!(": {}", text.unwrap_or("no message")));
            let hint = match (code, status) {
                ("AccessDeniedException" | "AccessDenied", _) | (_, Some(403)) => Some(format!(
                    "grant `{}` to the role flagops runs as (see docs/iam.md), or check which credentials the AWS credential chain picked",
                    iam_action(operation)
                )),
                ("UnrecognizedClientException" | "InvalidSignatureException" | "ExpiredTokenException"
                | "InvalidClientTokenId", _) => Some(
                    "the credentials from the AWS credential chain were refused: check AWS_PROFILE / AWS_ACCESS_KEY_ID and that they have not expired".to_owned(),
                ),
                ("", Some(500 | 501)) | (_, Some(501)) if text.is_none() => Some(format!(
                    "{endpoint} may not implement {operation} (an emulator that lacks it answers like this)"
                )),
                (_, Some(404)) if code.is_empty() || code == "UnknownOperationException" => Some(format!(
                    "{endpoint} does not serve {operation}: check AWS_ENDPOINT_URL_APPCONFIG and the region"
                )),
                _ => None,
            };
            if let Some(h) = hint {
                line.push_str(&format!(" (hint: {h})"));
            }
            (kind, line)
        }
        None => {
            let detail = match &e {
                SdkError::TimeoutError(_) => format!(
                    "no answer from {endpoint} within {} s (per call; {} s per attempt)",
                    OPERATION_TIMEOUT.as_secs(),
                    ATTEMPT_TIMEOUT.as_secs()
                ),
                SdkError::DispatchFailure(f) if f.is_timeout() => {
                    format!("no answer from {endpoint} (timed out after retries)")
                }
                SdkError::DispatchFailure(f)
                    if let Some(why) =
                        f.as_connector_error().and_then(|c| certificate_refusal(c)) =>
                {
                    format!(
                        "the TLS certificate of {endpoint} is not trusted ({why}) (hint: for a private CA, point SSL_CERT_FILE at its PEM bundle)"
                    )
                }
                SdkError::DispatchFailure(_) => format!(
                    "cannot reach {endpoint}: {}",
                    aws_sdk_appconfig::error::DisplayErrorContext(&e)
                ),
                SdkError::ConstructionFailure(_) => {
                    let text = aws_sdk_appconfig::error::DisplayErrorContext(&e).to_string();
                    if text.contains("credentials") || text.contains("Credentials") {
                        format!(
                            "{text} (hint: no credentials from the AWS credential chain: set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a role)"
                        )
                    } else if text.contains("region") || text.contains("Region") {
                        format!("{text} (hint: set AWS_REGION)")
                    } else {
                        text
                    }
                }
                _ => format!(
                    "{} from {endpoint}",
                    aws_sdk_appconfig::error::DisplayErrorContext(&e)
                ),
            };
            let detail = match status {
                Some(s) => format!("HTTP {s}: {detail}"),
                None => detail,
            };
            (ErrorKind::Other, detail)
        }
    };
    BackendError::new(kind, operation, message)
}

fn aws_growth(growth: GrowthType) -> AwsGrowth {
    match growth {
        GrowthType::Linear => AwsGrowth::Linear,
        GrowthType::Exponential => AwsGrowth::Exponential,
    }
}

fn aws_monitors(operation: &'static str, monitors: &[Monitor]) -> Result<Vec<aws::Monitor>> {
    monitors
        .iter()
        .map(|m| {
            aws::Monitor::builder()
                .alarm_arn(&m.alarm_arn)
                .set_alarm_role_arn(m.alarm_role_arn.clone())
                .build()
                .map_err(|e| BackendError::new(ErrorKind::BadRequest, operation, e.to_string()))
        })
        .collect()
}

fn json_schema_validator(operation: &'static str, schema: &str) -> Result<aws::Validator> {
    aws::Validator::builder()
        .r#type(aws::ValidatorType::JsonSchema)
        .content(schema)
        .build()
        .map_err(|e| BackendError::new(ErrorKind::BadRequest, operation, e.to_string()))
}

/// A refusal of `LatestDeploymentNumber` 0 as a value (not a mismatch, which is a conflict).
fn refuses_zero_guard(e: &BackendError) -> bool {
    e.kind == ErrorKind::BadRequest
        && e.message
            .to_ascii_lowercase()
            .contains("latestdeploymentnumber")
}

/// A ListDeployments summary. It names the profile but carries no id, strategy, description
/// or event log: [`AppConfigBackend::deployment`] has those.
fn summary(s: &aws::DeploymentSummary) -> Deployment {
    Deployment {
        number: s.deployment_number(),
        // AWS names the profile; an emulator may not (identify falls back to GetDeployment).
        profile_id: s
            .configuration_profile_id()
            .filter(|id| !id.is_empty())
            .map(str::to_owned),
        profile_name: s.configuration_name().map(str::to_owned),
        version: s.configuration_version().unwrap_or_default().to_owned(),
        version_label: s.version_label().map(str::to_owned),
        state: s.state().map_or(DeployState::Other(String::new()), |st| {
            DeployState::parse(st.as_str())
        }),
        percentage: s.percentage_complete().unwrap_or_default(),
        strategy_id: None,
        bake_minutes: Some(s.final_bake_time_in_minutes()),
        description: None,
        started_at: s.started_at().and_then(|t| t.fmt(Format::DateTime).ok()),
        completed_at: s.completed_at().and_then(|t| t.fmt(Format::DateTime).ok()),
        events: Vec::new(),
    }
}

/// How a page that is not newest-first is ordered.
fn order_of(numbers: &[i32]) -> &'static str {
    if numbers.is_sorted() {
        "oldest first"
    } else {
        "out of order"
    }
}

/// Why the client refused a TLS certificate (an unknown issuer, an expired certificate, another
/// name), when that is what `error` or an error under it says: rustls's own words, the
/// innermost that names the certificate.
fn certificate_refusal(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    std::iter::successors(Some(error), |e| e.source())
        .map(ToString::to_string)
        .filter(|text| text.to_ascii_lowercase().contains("certificate"))
        .last()
}

/// Forbids retrying a connection whose TLS certificate was refused: the same certificate comes
/// back on every attempt, and retries would only hold the run to the operation timeout before
/// saying why.
#[derive(Debug)]
struct UntrustedCertificate;

impl aws_smithy_runtime_api::client::retries::classifiers::ClassifyRetry for UntrustedCertificate {
    fn classify_retry(
        &self,
        ctx: &aws_smithy_runtime_api::client::interceptors::context::InterceptorContext,
    ) -> aws_smithy_runtime_api::client::retries::classifiers::RetryAction {
        use aws_smithy_runtime_api::client::retries::classifiers::RetryAction;
        match ctx.output_or_error() {
            Some(Err(e))
                if e.as_connector_error()
                    .is_some_and(|c| certificate_refusal(c).is_some()) =>
            {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "flagops-untrusted-certificate"
    }
}

/// Keeps why the latest attempt could not connect (refused, unreachable, a name that does not
/// resolve), or forgets it once an attempt connects: the operation timeout that ends the
/// retries hides the attempts' own errors.
#[derive(Debug)]
struct ConnectFailures(Arc<Mutex<Option<String>>>);

impl aws_sdk_appconfig::config::Intercept for ConnectFailures {
    fn name(&self) -> &'static str {
        "flagops-connect-failures"
    }

    fn read_after_attempt(
        &self,
        context: &aws_sdk_appconfig::config::interceptors::FinalizerInterceptorContextRef<'_>,
        _components: &aws_sdk_appconfig::config::RuntimeComponents,
        _cfg: &mut aws_sdk_appconfig::config::ConfigBag,
    ) -> std::result::Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let failure = match context.output_or_error() {
            Some(Err(e)) => e
                .as_connector_error()
                .filter(|c| c.is_io())
                .map(|c| innermost_cause(c)),
            _ => None,
        };
        if let Ok(mut slot) = self.0.lock() {
            *slot = failure;
        }
        Ok(())
    }
}

/// The last of an error's causes, in its own words: "Connection refused (os error 111)".
fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    std::iter::successors(Some(error), |e| e.source())
        .last()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Logs each AWS answer (every attempt, retries included) at debug (`-v`): its operation,
/// HTTP status and request id, for a support case.
#[derive(Debug)]
struct RequestIds;

impl aws_sdk_appconfig::config::Intercept for RequestIds {
    fn name(&self) -> &'static str {
        "flagops-request-ids"
    }

    fn read_before_deserialization(
        &self,
        context: &aws_sdk_appconfig::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _components: &aws_sdk_appconfig::config::RuntimeComponents,
        cfg: &mut aws_sdk_appconfig::config::ConfigBag,
    ) -> std::result::Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let response = context.response();
        let headers = response.headers();
        let id = (headers.get("x-amzn-requestid"))
            .or_else(|| headers.get("x-amz-request-id"))
            .unwrap_or("-");
        let operation = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map_or("-", |m| m.name());
        tracing::debug!(
            operation,
            status = response.status().as_u16(),
            request_id = id,
            "AWS request"
        );
        Ok(())
    }
}

/// Request ids of failed calls, for a support case: logged at debug (`-v`).
fn tracing_request_id(operation: &str, id: &str) {
    tracing::debug!(operation, request_id = id, "AWS request");
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_appconfig::config::http::HttpResponse;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::body::SdkBody;

    /// A backend whose ListApplications answers with this status, headers and body.
    fn answering(
        status: u16,
        error_type: Option<&'static str>,
        body: &'static str,
    ) -> AppConfigBackend {
        let answer = move || {
            let mut r = HttpResponse::new(
                status.try_into().expect("a status code"),
                SdkBody::from(body),
            );
            r.headers_mut().insert("content-type", "application/json");
            if let Some(t) = error_type {
                r.headers_mut().insert("x-amzn-ErrorType", t);
            }
            r
        };
        // The strategies are listed beside the applications, and fail alike: the message
        // must still name ListApplications.
        let applications = mock!(Client::list_applications).then_http_response(answer);
        let strategies = mock!(Client::list_deployment_strategies).then_http_response(answer);
        let client = mock_client!(
            aws_sdk_appconfig,
            aws_smithy_mocks::RuleMode::MatchAny,
            [&strategies, &applications]
        );
        let mut b = AppConfigBackend::with_client(client);
        b.endpoint = "http://127.0.0.1:5000 (AWS_ENDPOINT_URL_APPCONFIG)".to_owned();
        b
    }

    async fn message(b: &AppConfigBackend) -> String {
        b.inventory(&["shop"]).await.unwrap_err().to_string()
    }

    #[test]
    fn a_call_whose_attempts_could_not_connect_says_why_however_it_ended() {
        use aws_smithy_runtime_api::client::result::ConnectorError;
        let refused = || std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let b = answering(500, None, "");
        *b.connect_failure.lock().expect("lock") =
            Some("Connection refused (os error 111)".to_owned());
        // Out of attempts, each refused; out of time while retrying.
        let out_of_attempts: SdkError<
            aws_sdk_appconfig::operation::list_applications::ListApplicationsError,
            HttpResponse,
        > = SdkError::dispatch_failure(ConnectorError::io(Box::new(refused())));
        let out_of_time: SdkError<
            aws_sdk_appconfig::operation::list_applications::ListApplicationsError,
            HttpResponse,
        > = SdkError::timeout_error(Box::new(refused()));
        for (e, retried) in [
            (out_of_attempts, "retried 8 times"),
            (out_of_time, "retried for 20 s"),
        ] {
            let m = b.err("ListApplications", e).to_string();
            assert!(
                m.starts_with(
                    "ListApplications: cannot connect to http://127.0.0.1:5000 (AWS_ENDPOINT_URL_APPCONFIG): Connection refused (os error 111)"
                ),
                "{m}"
            );
            assert!(m.contains(retried), "{m}");
            assert!(!m.contains("DispatchFailure"), "{m}");
            assert_eq!(m.lines().count(), 1, "{m}");
        }
    }

    #[tokio::test]
    async fn an_operation_the_endpoint_lacks_names_it() {
        // moto's answer to ListApplications: HTTP 500 with an empty body.
        let m = message(&answering(500, None, "")).await;
        assert!(m.starts_with("ListApplications: HTTP 500"), "{m}");
        assert!(m.contains("may not implement ListApplications"), "{m}");
        assert!(m.contains("127.0.0.1:5000"), "{m}");
        assert!(!m.contains(": : "), "{m}");
    }

    #[tokio::test]
    async fn access_denied_names_the_iam_action_and_the_docs() {
        let m = message(&answering(
            403,
            Some("AccessDeniedException"),
            r#"{"message":"User: arn:aws:sts::1:assumed-role/ci is not authorized to perform: appconfig:ListApplications"}"#,
        ))
        .await;
        assert!(
            m.starts_with("ListApplications: HTTP 403 AccessDeniedException: User:"),
            "{m}"
        );
        assert!(m.contains("`appconfig:ListApplications`"), "{m}");
        assert!(m.contains("docs/iam.md"), "{m}");
        assert_eq!(m.lines().count(), 1, "{m}");
    }

    #[tokio::test]
    async fn a_conflict_is_one_line_with_status_code_and_message() {
        let b = answering(
            409,
            Some("ConflictException"),
            r#"{"message":"LatestDeploymentNumber 3 does not match"}"#,
        );
        let e = b.inventory(&["shop"]).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(
            e.to_string(),
            "ListApplications: HTTP 409 ConflictException: LatestDeploymentNumber 3 does not match"
        );
    }

    /// A backend whose ListDeployments serves `pages` of deployment numbers (each page but
    /// the last with a NextToken) and whose GetDeployment knows every number up to `newest`.
    /// Deployment `n` is of profile `p` at version `n`; `live` ones are COMPLETE, the others
    /// ROLLED_BACK. Returns the ListDeployments rule, to count the pages read.
    fn listing(
        pages: Vec<Vec<i32>>,
        newest: i32,
        live: fn(i32) -> bool,
    ) -> (AppConfigBackend, aws_smithy_mocks::Rule) {
        let state = move |n: i32| {
            if live(n) {
                aws::DeploymentState::Complete
            } else {
                aws::DeploymentState::RolledBack
            }
        };
        let count = pages.len();
        let list = mock!(Client::list_deployments).then_compute_output(move |req| {
            let page: usize = req.next_token().map_or(0, |t| t.parse().unwrap_or(0));
            let items = pages[page]
                .iter()
                .map(|&n| {
                    aws::DeploymentSummary::builder()
                        .deployment_number(n)
                        .configuration_name("flags")
                        .configuration_version(n.to_string())
                        .state(state(n))
                        .build()
                })
                .collect();
            let out =
                aws_sdk_appconfig::operation::list_deployments::ListDeploymentsOutput::builder()
                    .set_items(Some(items));
            if page + 1 < count {
                out.next_token((page + 1).to_string()).build()
            } else {
                out.build()
            }
        });
        let unknown = mock!(Client::get_deployment)
            .match_requests(move |req| req.deployment_number().unwrap_or(0) > newest)
            .then_http_response(|| {
                let mut r = HttpResponse::new(
                    404.try_into().expect("a status code"),
                    SdkBody::from(r#"{"message":"Deployment not found"}"#),
                );
                r.headers_mut().insert("content-type", "application/json");
                r.headers_mut()
                    .insert("x-amzn-ErrorType", "ResourceNotFoundException");
                r
            });
        let known = mock!(Client::get_deployment).then_compute_output(move |req| {
            let n = req.deployment_number().unwrap_or(0);
            aws_sdk_appconfig::operation::get_deployment::GetDeploymentOutput::builder()
                .deployment_number(n)
                .configuration_profile_id("p")
                .configuration_version(n.to_string())
                .state(state(n))
                .build()
        });
        let client = mock_client!(
            aws_sdk_appconfig,
            aws_smithy_mocks::RuleMode::MatchAny,
            [&list, &unknown, &known]
        );
        (AppConfigBackend::with_client(client), list)
    }

    fn needed_profile_p() -> Needed {
        Needed {
            profiles: vec![("p".to_owned(), "flags".to_owned())],
        }
    }

    fn numbers(history: &History) -> Vec<i32> {
        history.deployments.iter().map(|d| d.number).collect()
    }

    #[tokio::test]
    async fn a_newest_first_history_is_read_only_as_far_as_every_profile_is_known() {
        let pages: Vec<Vec<i32>> = (0..4)
            .map(|p| (1..=50).map(|i| 201 - p * 50 - i).collect())
            .collect();
        // Deployment 160 is the live one, on the first page: one page is enough.
        let (b, list) = listing(pages.clone(), 200, |n| n == 160);
        let history = b.deployments("a", "e", &needed_profile_p()).await.unwrap();
        assert_eq!(list.num_calls(), 1);
        assert_eq!(numbers(&history).first(), Some(&200));
        assert_eq!(history.untrusted, None);

        // Live only on the third page: three pages, not four.
        let (b, list) = listing(pages.clone(), 200, |n| n == 70);
        let history = b.deployments("a", "e", &needed_profile_p()).await.unwrap();
        assert_eq!(list.num_calls(), 3);
        assert_eq!(history.deployments.len(), 150);

        // Never live: the whole listing.
        let (b, list) = listing(pages, 200, |_| false);
        let history = b.deployments("a", "e", &needed_profile_p()).await.unwrap();
        assert_eq!(list.num_calls(), 4);
        assert_eq!(history.deployments.len(), 200);
    }

    #[tokio::test]
    async fn an_oldest_first_first_page_with_more_to_come_is_read_whole_and_named() {
        let pages = vec![
            (1..=50).collect(),
            (51..=100).collect(),
            (101..=120).collect(),
        ];
        let (b, list) = listing(pages, 120, |n| n % 10 == 0);
        let history = b.deployments("a", "e", &needed_profile_p()).await.unwrap();
        assert_eq!(
            list.num_calls(),
            3,
            "nothing can be concluded from a page out of order"
        );
        assert_eq!(numbers(&history), (1..=120).rev().collect::<Vec<_>>());
        let how = history.untrusted.expect("the listing is named untrusted");
        assert!(
            how.starts_with(
                "ListDeployments returned a page oldest first while more pages followed"
            ),
            "{how}"
        );
        assert!(
            how.ends_with("read all 120 deployments of the environment and ordered them by number"),
            "{how}"
        );
    }

    #[tokio::test]
    async fn a_full_page_without_a_next_token_is_checked_for_newer_deployments() {
        // The emulator's way: oldest first, cut at MaxResults, no NextToken.
        let (b, _) = listing(vec![(1..=50).collect()], 65, |n| n == 64);
        let history = b.deployments("a", "e", &needed_profile_p()).await.unwrap();
        assert_eq!(numbers(&history), (1..=65).rev().collect::<Vec<_>>());
        let how = history.untrusted.expect("the cut is named");
        assert!(
            how.contains(
                "ended after a full page of 50 without a NextToken, and 15 newer deployments exist"
            ),
            "{how}"
        );

        // Fewer than a page, oldest first: an order, not a cut; nothing to say.
        let (b, _) = listing(vec![(1..=20).collect()], 20, |_| true);
        let history = b.deployments("a", "e", &needed_profile_p()).await.unwrap();
        assert_eq!(numbers(&history), (1..=20).rev().collect::<Vec<_>>());
        assert_eq!(history.untrusted, None);
    }

    #[tokio::test]
    async fn a_first_deployment_is_guarded_by_zero_and_unguarded_only_if_zero_is_refused() {
        let refused = mock!(Client::start_deployment)
            .match_requests(|req| req.latest_deployment_number() == Some(0))
            .then_http_response(|| {
                let mut r = HttpResponse::new(
                    400.try_into().expect("a status code"),
                    SdkBody::from(r#"{"message":"Invalid LatestDeploymentNumber 0"}"#),
                );
                r.headers_mut().insert("content-type", "application/json");
                r.headers_mut()
                    .insert("x-amzn-ErrorType", "BadRequestException");
                r
            });
        let unguarded = mock!(Client::start_deployment)
            .match_requests(|req| req.latest_deployment_number().is_none())
            .then_output(|| {
                aws_sdk_appconfig::operation::start_deployment::StartDeploymentOutput::builder()
                    .deployment_number(1)
                    .build()
            });
        let get = mock!(Client::get_deployment).then_output(|| {
            aws_sdk_appconfig::operation::get_deployment::GetDeploymentOutput::builder()
                .deployment_number(1)
                .configuration_profile_id("p")
                .configuration_version("1")
                .state(aws::DeploymentState::Complete)
                .build()
        });
        let client = mock_client!(
            aws_sdk_appconfig,
            aws_smithy_mocks::RuleMode::MatchAny,
            [&refused, &unguarded, &get]
        );
        let b = AppConfigBackend::with_client(client);
        let request = NewDeployment {
            application_id: "a",
            environment_id: "e",
            profile_id: "p",
            strategy_id: "s",
            version: "1",
            description: "flagops commit=abc",
            tags: Vec::new(),
            latest_deployment_number: Some(0),
        };
        let d = b.start_deployment(&request).await.unwrap();
        assert_eq!(d.number, 1);
        assert_eq!((refused.num_calls(), unguarded.num_calls()), (1, 1));
    }
}
