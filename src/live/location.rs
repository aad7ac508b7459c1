//! Where each environment lives: the AWS account (through a role or a profile), the region and
//! the endpoint its AppConfig calls go to, as flagops.yaml's `aws` blocks say. AppConfig
//! resources belong to one account and one region (application ids differ, strategies are
//! account and region wide), so every live read and write of a target goes through the client
//! of its own location: one per location, made when a command first needs it.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::appconfig::AppConfigBackend;
use super::local::LocalBackend;
use super::{Backend, BackendSpec};
use crate::compile::{Target, TargetId};
use crate::model::config::{AwsSettings, RepoConfig};

/// What a command does in AppConfig, which decides the role it assumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// plan, drift, adopt: `read_role_arn` where given, else `role_arn`.
    Read,
    /// apply, stop: `role_arn`.
    Write,
}

/// Where an environment's AppConfig calls go. All `None`: the ambient credentials, region and
/// endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip)]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
}

impl Location {
    /// The location of `application`'s `environment`: the top-level `aws` block, overridden
    /// setting by setting by the application's, then the environment's; the role is the one
    /// for `access`.
    pub fn of(
        config: &RepoConfig,
        application: &str,
        environment: &str,
        access: Access,
    ) -> Location {
        let app = config.applications.get(application);
        let env = app.and_then(|a| a.environments.get(environment));
        let mut location = Location::default();
        for settings in [
            config.aws.as_ref(),
            app.and_then(|a| a.aws.as_ref()),
            env.and_then(|e| e.aws.as_ref()),
        ]
        .into_iter()
        .flatten()
        {
            location.apply(settings, access);
        }
        location
    }

    fn apply(&mut self, settings: &AwsSettings, access: Access) {
        let set = |into: &mut Option<String>, from: &Option<String>| {
            if from.is_some() {
                into.clone_from(from);
            }
        };
        set(&mut self.region, &settings.region);
        set(&mut self.profile, &settings.profile);
        set(&mut self.endpoint_url, &settings.endpoint_url);
        let role = match access {
            Access::Read => settings
                .read_role_arn
                .as_ref()
                .or(settings.role_arn.as_ref()),
            Access::Write => settings.role_arn.as_ref(),
        };
        // An external id belongs to the role of its own block.
        if let Some(role) = role {
            self.role_arn = Some(role.clone());
            self.external_id.clone_from(&settings.external_id);
        }
    }

    pub fn site(&self) -> Site {
        Site {
            account: self.account().map(str::to_owned),
            region: self.region.clone(),
        }
    }

    /// The account id, from the role's ARN.
    pub fn account(&self) -> Option<&str> {
        self.role_arn.as_deref()?.split(':').nth(4)
    }

    /// "account 111122223333, eu-west-1 (role arn:aws:iam::…)": what a report says of it.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(account) = self.account() {
            parts.push(format!("account {account}"));
        }
        if let Some(profile) = &self.profile {
            parts.push(format!("profile {profile}"));
        }
        parts.push(
            self.region
                .clone()
                .unwrap_or_else(|| "ambient region".to_owned()),
        );
        let mut text = parts.join(", ");
        if let Some(role) = &self.role_arn {
            text.push_str(&format!(" (role {role})"));
        }
        if let Some(url) = &self.endpoint_url {
            text.push_str(&format!(" at {url}"));
        }
        text
    }

    /// The short form shown next to each target: `111122223333/eu-west-1`.
    pub fn label(&self) -> String {
        let who = self
            .account()
            .or(self.profile.as_deref())
            .unwrap_or("ambient");
        let region = self.region.as_deref().unwrap_or("ambient region");
        match &self.endpoint_url {
            Some(url) => format!("{who}/{region} at {url}"),
            None => format!("{who}/{region}"),
        }
    }
}

/// The account and region a report shows next to a target, when more than one location is
/// in use.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Site {
    /// The AWS account id, from the role's ARN; absent for the ambient account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The AWS region; absent for the ambient region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let account = self.account.as_deref().unwrap_or("ambient account");
        let region = self.region.as_deref().unwrap_or("ambient region");
        write!(f, "{account} {region}")
    }
}

/// A location no call reached (a role that cannot be assumed, an endpoint that does not
/// answer, throttling that outlasted retries): its targets were not read, planned, applied
/// or compared; every other location's were.
#[derive(Debug, Clone, Serialize)]
pub struct Unreachable {
    #[serde(flatten)]
    pub site: Site,
    /// The role assumed there, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// What failed, naming the location.
    pub error: String,
    /// The targets left out.
    pub targets: Vec<TargetId>,
    /// What failed, without the location: the ambient one needs no naming.
    #[serde(skip)]
    ambient_error: Option<String>,
}

impl Unreachable {
    pub fn new(location: &Location, targets: &[&Target], error: impl std::fmt::Display) -> Self {
        Unreachable {
            site: location.site(),
            role_arn: location.role_arn.clone(),
            error: format!("{}: {error}", location.describe()),
            targets: targets.iter().map(|t| t.id.clone()).collect(),
            ambient_error: (*location == Location::default()).then(|| error.to_string()),
        }
    }

    /// With a single location, its failure is the command's failure, as with one account
    /// there is nothing else to report: `Err` with what failed.
    pub fn alone(unreachable: &[Unreachable], located: &[Located<'_>]) -> anyhow::Result<()> {
        match (unreachable, located) {
            ([only], [_]) => Err(anyhow::anyhow!(
                "{}",
                only.ambient_error.as_deref().unwrap_or(&only.error)
            )),
            _ => Ok(()),
        }
    }
}

/// The targets of one location, and the backend that reaches it.
pub struct Located<'a> {
    pub location: Location,
    pub targets: Vec<&'a Target>,
    /// `Err` when the location's role cannot be assumed: why.
    pub backend: Result<Backend, String>,
    /// Shown next to each target when several locations are in use.
    pub site: Option<Site>,
}

impl Located<'_> {
    pub fn ids(&self) -> Vec<&TargetId> {
        self.targets.iter().map(|t| &t.id).collect()
    }

    /// The location's backend and the ids of its targets' applications: the first read of
    /// every command; `Err`, why the location cannot be reached.
    pub async fn inventory(&self) -> Result<(&Backend, super::Inventory), String> {
        let backend = self.backend.as_ref().map_err(Clone::clone)?;
        let inventory =
            (super::inventory(backend, &self.targets).await).map_err(|e| e.to_string())?;
        Ok((backend, inventory))
    }
}

/// The targets of one location.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    pub location: Location,
    pub targets: Vec<&'a Target>,
}

/// Where a command's targets are: the backend it talks to, and for AppConfig the location of
/// each environment.
pub struct Router<'c> {
    spec: BackendSpec,
    root: PathBuf,
    config: &'c RepoConfig,
    access: Access,
    /// `flagops-<short sha>`: the STS session name of every assumed role.
    session: String,
}

impl<'c> Router<'c> {
    pub fn new(spec: BackendSpec, root: &Path, config: &'c RepoConfig, access: Access) -> Self {
        let sha = crate::git::head_sha(root);
        Router {
            access,
            spec,
            root: root.to_owned(),
            config,
            session: session_name(&sha),
        }
    }

    /// The location of a target; the default one on the local backend, which ignores them.
    pub fn location(&self, id: &TargetId) -> Location {
        match self.spec {
            BackendSpec::AppConfig => {
                Location::of(self.config, &id.application, &id.environment, self.access)
            }
            BackendSpec::Local(_) => Location::default(),
        }
    }

    /// `targets` by location, locations in the order their first target comes, targets in
    /// their own order.
    pub fn partition<'a>(&self, targets: &[&'a Target]) -> Vec<Part<'a>> {
        let mut parts: Vec<Part<'a>> = Vec::new();
        for t in targets {
            let location = self.location(&t.id);
            match parts.iter_mut().find(|p| p.location == location) {
                Some(part) => part.targets.push(t),
                None => parts.push(Part {
                    location,
                    targets: vec![t],
                }),
            }
        }
        if parts.is_empty() {
            // No target: the one location still answers what the account holds.
            parts.push(Part {
                location: Location::default(),
                targets: Vec::new(),
            });
        }
        parts
    }

    /// `targets` by location, each with its backend: one client per location, made only
    /// for the locations the targets are in.
    pub async fn locate<'a>(&self, targets: &[&'a Target]) -> Vec<Located<'a>> {
        let parts = self.partition(targets);
        let several = parts.len() > 1;
        // Every location's role is assumed at once.
        let backends =
            futures_util::future::join_all(parts.iter().map(|p| self.backend(&p.location))).await;
        parts
            .into_iter()
            .zip(backends)
            .map(|(part, backend)| Located {
                backend,
                site: several.then(|| part.location.site()),
                location: part.location,
                targets: part.targets,
            })
            .collect()
    }

    /// What reports call the backend: `AppConfig`, or the local directory.
    pub fn name(&self) -> String {
        match self.spec.local_dir(&self.root) {
            Some(dir) => format!("local backend {}", dir.display()),
            None => "AppConfig".to_owned(),
        }
    }

    /// The backend of a location: a client with its region, profile, endpoint and role.
    /// A role is assumed at once, so that one that cannot be fails here, with STS's reason;
    /// its credentials are then refreshed before they expire, however long apply waits.
    pub async fn backend(&self, location: &Location) -> Result<Backend, String> {
        if let Some(dir) = self.spec.local_dir(&self.root) {
            return Ok(Backend::Local(LocalBackend::new(dir)));
        }
        if *location == Location::default() {
            return Ok(Backend::AppConfig(AppConfigBackend::from_env().await));
        }
        let mut loader = AppConfigBackend::loader();
        if let Some(region) = &location.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(profile) = &location.profile {
            // The profile named in flagops.yaml, not credentials in the environment.
            let credentials = aws_config::profile::ProfileFileCredentialsProvider::builder()
                .profile_name(profile)
                .build();
            loader = loader
                .profile_name(profile)
                .credentials_provider(credentials);
        }
        let mut config = loader.load().await;
        if let Some(role) = &location.role_arn {
            let mut provider = aws_config::sts::AssumeRoleProvider::builder(role)
                .configure(&config)
                .session_name(&self.session);
            if let Some(id) = &location.external_id {
                provider = provider.external_id(id);
            }
            let provider = provider.build().await;
            config = config
                .into_builder()
                .credentials_provider(aws_sdk_appconfig::config::SharedCredentialsProvider::new(
                    provider,
                ))
                .build();
        }
        // Credentials now, so that a location that has none fails here, saying why.
        if let Some(provider) = config.credentials_provider() {
            use aws_sdk_appconfig::config::ProvideCredentials as _;
            provider.provide_credentials().await.map_err(|e| {
                let what = match (&location.role_arn, &location.profile) {
                    (Some(role), _) => format!("assume role {role} from the base credentials"),
                    (None, Some(profile)) => format!("load the credentials of profile {profile}"),
                    (None, None) => "load credentials".to_owned(),
                };
                format!("cannot {what}: {}", reason(&e))
            })?;
        }
        Ok(Backend::AppConfig(AppConfigBackend::from_config(
            &config,
            location.endpoint_url.as_deref(),
        )))
    }
}

/// An error's reason: AWS's error code and message where the chain has them (`AccessDenied:
/// User … is not authorized …`), else each distinct message of the chain.
fn reason(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(meta) = e.downcast_ref::<aws_smithy_types::error::ErrorMetadata>() {
            return format!(
                "{}: {}",
                meta.code().unwrap_or("error"),
                meta.message().unwrap_or("no message")
            );
        }
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// The live state of `targets`, every location read through its own backend: what adopt
/// writes back. A location no call reaches fails the whole read, naming it: adopt writes
/// nothing rather than half.
pub async fn read(
    router: &Router<'_>,
    targets: &[&Target],
) -> anyhow::Result<Vec<super::TargetLive>> {
    let located = router.locate(targets).await;
    let reads = located.iter().map(|here| async move {
        let read = match &here.backend {
            Ok(backend) => super::read(backend, &here.targets)
                .await
                .map_err(|e| e.to_string()),
            Err(why) => Err(why.clone()),
        };
        (here, read)
    });
    let mut live = Vec::new();
    for (here, result) in futures_util::future::join_all(reads).await {
        let (_, read) = result.map_err(|e| anyhow::anyhow!("{}: {e}", here.location.describe()))?;
        live.extend(read);
    }
    // Back to the caller's order.
    live.sort_by_key(|l| targets.iter().position(|t| t.id == l.id));
    Ok(live)
}

/// `flagops-<short sha>`, or `flagops` outside a git repository: what CloudTrail shows as the
/// session of every call made through an assumed role.
pub fn session_name(sha: &str) -> String {
    let short: String = sha
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    if short.is_empty() {
        "flagops".to_owned()
    } else {
        format!("flagops-{short}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(yaml: &str) -> RepoConfig {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn each_setting_comes_from_the_nearest_block_and_an_external_id_from_its_roles() {
        let config = config(
            r#"
version: 1
aws:
  region: us-east-1
  role_arn: arn:aws:iam::111111111111:role/flagops
  read_role_arn: arn:aws:iam::111111111111:role/flagops-read
  external_id: hub
applications:
  shop:
    aws: { region: eu-west-1 }
    environments:
      staging: { strategy: AppConfig.AllAtOnce }
      production:
        strategy: AppConfig.AllAtOnce
        aws: { role_arn: "arn:aws:iam::222222222222:role/flagops", endpoint_url: "http://127.0.0.1:1" }
    profiles: {}
"#,
        );
        let staging = Location::of(&config, "shop", "staging", Access::Write);
        assert_eq!(staging.region.as_deref(), Some("eu-west-1"));
        assert_eq!(staging.account(), Some("111111111111"));
        assert_eq!(staging.external_id.as_deref(), Some("hub"));
        let staging_read = Location::of(&config, "shop", "staging", Access::Read);
        let read_role = staging_read.role_arn.as_deref();
        assert_eq!(
            read_role,
            Some("arn:aws:iam::111111111111:role/flagops-read")
        );
        assert_eq!(staging_read.external_id.as_deref(), Some("hub"));
        for access in [Access::Read, Access::Write] {
            let production = Location::of(&config, "shop", "production", access);
            assert_eq!(production.region.as_deref(), Some("eu-west-1"));
            assert_eq!(production.account(), Some("222222222222"));
            assert_eq!(production.external_id, None);
        }
        let production = Location::of(&config, "shop", "production", Access::Write);
        assert_eq!(
            production.label(),
            "222222222222/eu-west-1 at http://127.0.0.1:1"
        );
        assert_ne!(staging, production);
    }

    #[test]
    fn without_aws_blocks_every_environment_is_ambient() {
        let config = config(
            "version: 1\napplications:\n  shop:\n    environments:\n      a: { strategy: x }\n    profiles: {}\n",
        );
        let ambient = Location::of(&config, "shop", "a", Access::Read);
        assert_eq!(ambient, Location::default());
    }

    #[test]
    fn the_session_names_the_commit() {
        assert_eq!(session_name("0123456789abcdef0123"), "flagops-0123456789ab");
        assert_eq!(session_name("unknown"), "flagops");
    }
}
