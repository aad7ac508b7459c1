//! status: every flag × every environment at a glance, built from the plan and the drift
//! findings of one live read (the same requests `flagops drift` makes, and no others).
//!
//! A row is a flag of a feature-flags profile; a column an environment; a cell what is live
//! there and whether it is what git says: in sync, changed in git and not applied yet, held
//! at its live value after a rollback, changed out of band, pending (a deployment under way),
//! or missing (the application, environment or profile does not exist).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::compile::Target;
use crate::drift::{self, Class};
use crate::live::{Deployment, TargetLive};
use crate::model::Model;
use crate::model::config::{ProfileKind, RepoConfig};
use crate::model::flags::FlagClass;
use crate::plan::overlay::Reason;
use crate::plan::{Plan, TargetPlan};

/// Whether a cell serves what git says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncState {
    InSync,
    /// Git changed it; apply has not deployed it yet.
    Changed,
    /// AppConfig rolled back (or a person reverted) git's value: it stays at the live value
    /// until a commit changes it or `--retry` names the flag.
    Held,
    /// Someone changed it outside flagops (a console edit).
    OutOfBand,
    /// A deployment is rolling out here.
    Pending,
    /// The application, environment or profile does not exist.
    Missing,
}

impl SyncState {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::InSync => "in sync",
            SyncState::Changed => "changed in git",
            SyncState::Held => "held",
            SyncState::OutOfBand => "out-of-band",
            SyncState::Pending => "pending",
            SyncState::Missing => "missing",
        }
    }

    /// The JSON and HTML name: `in-sync`, `out-of-band`…
    pub fn slug(self) -> &'static str {
        match self {
            SyncState::InSync => "in-sync",
            SyncState::Changed => "changed",
            SyncState::Held => "held",
            SyncState::OutOfBand => "out-of-band",
            SyncState::Pending => "pending",
            SyncState::Missing => "missing",
        }
    }
}

/// How close a flag is to its `expires` date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expiry {
    Expired,
    /// Within the class's `warn_days` (14 by default).
    Soon,
    Later,
}

/// The deployment a cell's environment last saw for the profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastDeployment {
    pub number: i32,
    pub state: String,
    pub version: String,
    /// The commit flagops recorded in its description; none for a deployment flagops did not make.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// When it completed, or started when it has not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// One field where the live value is not git's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub field: String,
    pub git: Option<Value>,
    pub live: Option<Value>,
}

/// One flag in one environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub environment: String,
    pub sync: SyncState,
    /// What is served: `enabled` and the attribute values; none when nothing is.
    pub live: Option<Value>,
    /// Where live and git differ, field by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    /// Why: the rollback's trigger for a held value, the deployment that changed it out of band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The fields held after a rollback.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<String>,
    /// Declared console-owned: differences are expected and never reverted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub console_owned: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<LastDeployment>,
}

/// One flag across the environments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub application: String,
    pub profile: String,
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub class: FlagClass,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Expiry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    /// The flag file that defines it.
    pub file: String,
    /// Where application code reads it, when flagops.yaml has `refs` settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub references: Option<CodeReferences>,
    /// One per column of the report; none where the flag's profile is not in that environment.
    pub cells: Vec<Option<Cell>>,
}

impl Row {
    /// Whether any environment is not in sync.
    pub fn drifted(&self) -> bool {
        self.cells
            .iter()
            .flatten()
            .any(|c| c.sync != SyncState::InSync)
    }
}

/// Where code reads a flag, as `flagops refs` finds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeReferences {
    pub count: usize,
    /// The first [`SHOWN_REFERENCES`] of them, `path:line`.
    pub at: Vec<String>,
}

/// References listed per flag; `count` has them all.
pub const SHOWN_REFERENCES: usize = 10;

/// What `flagops status` reports.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub backend: String,
    /// The date expiry is measured against.
    pub today: String,
    /// The commit the report describes.
    pub commit: String,
    /// Where commits can be linked: `https://github.com/owner/repo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The columns: environment names, in flagops.yaml's order.
    pub environments: Vec<String>,
    pub rows: Vec<Row>,
    /// Selected targets not compared: check errors in their files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_compared: Vec<crate::check::scope::Blocked>,
    /// Accounts or regions no call reached, with their targets: they have no cells.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<crate::live::location::Unreachable>,
}

impl StatusReport {
    /// Cells in each state, over the whole report.
    pub fn counts(&self) -> BTreeMap<SyncState, usize> {
        let mut counts = BTreeMap::new();
        for cell in self.rows.iter().flat_map(|r| r.cells.iter().flatten()) {
            *counts.entry(cell.sync).or_insert(0) += 1;
        }
        counts
    }

    /// Whether every cell is in sync and every selected target was compared.
    pub fn all_in_sync(&self) -> bool {
        self.not_compared.is_empty()
            && self.unreachable.is_empty()
            && !self.rows.iter().any(Row::drifted)
    }

    /// A commit's web page, when the repository is known.
    pub fn commit_url(&self, sha: &str) -> Option<String> {
        let base = self.repository.as_deref()?;
        sha.chars()
            .all(|c| c.is_ascii_hexdigit())
            .then(|| format!("{base}/commit/{sha}"))
    }
}

/// Which rows to show: `--owner` and `--class`.
#[derive(Debug, Clone, Default)]
pub struct RowFilter<'a> {
    pub owner: Option<&'a str>,
    pub class: Option<FlagClass>,
}

/// What the report is built from: one live read, classified by drift and planned.
pub struct Inputs<'a> {
    pub config: &'a RepoConfig,
    pub model: &'a Model,
    pub targets: &'a [&'a Target],
    pub live: &'a [TargetLive],
    pub plan: &'a Plan,
    pub findings: &'a [drift::Finding],
    pub today: jiff::civil::Date,
    /// The code scan, when flagops.yaml has `refs` settings.
    pub references: Option<&'a crate::refs::Scan>,
}

/// Builds the report: a row per flag of the selected feature-flags targets.
pub fn build(inputs: &Inputs<'_>, filter: &RowFilter<'_>) -> Vec<Row> {
    let columns = environments(inputs.config, inputs.targets);
    let mut rows = Vec::new();
    for flag in inputs.model.flags() {
        if filter.owner.is_some() && flag.flag.owner.as_deref() != filter.owner {
            continue;
        }
        if filter.class.is_some_and(|c| c != flag.flag.class) {
            continue;
        }
        let of_flag = |t: &&&Target| {
            t.id.application == flag.application
                && t.id.profile == flag.profile
                && t.kind == ProfileKind::FeatureFlags
        };
        if !inputs.targets.iter().any(|t| of_flag(&t)) {
            continue;
        }
        let cells = columns
            .iter()
            .map(|env| {
                let target = inputs
                    .targets
                    .iter()
                    .find(|t| of_flag(t) && t.id.environment == *env)?;
                Some(cell(inputs, target, flag.key))
            })
            .collect();
        let warn_days = inputs
            .config
            .rules
            .expiry
            .get(&flag.flag.class)
            .map_or(14, |p| p.warn_days);
        rows.push(Row {
            application: flag.application.to_owned(),
            profile: flag.profile.to_owned(),
            key: flag.key.to_owned(),
            description: flag.flag.description.clone(),
            owner: flag.flag.owner.clone(),
            class: flag.flag.class,
            expires: flag.flag.expires.clone(),
            expiry: expiry(flag.flag.expires.as_deref(), inputs.today, warn_days),
            deprecated: flag.flag.deprecated.clone(),
            file: flag.file.to_owned(),
            references: inputs.references.map(|scan| {
                let all: Vec<&crate::refs::Reference> = scan.of(flag.key).collect();
                CodeReferences {
                    count: all.len(),
                    at: all
                        .iter()
                        .take(SHOWN_REFERENCES)
                        .map(|r| format!("{}:{}", r.file, r.span.line))
                        .collect(),
                }
            }),
            cells,
        });
    }
    rows
}

/// The environment names of the selected targets, in flagops.yaml's order.
pub fn environments(config: &RepoConfig, targets: &[&Target]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for app in config.applications.values() {
        for env in app.environments.keys() {
            if !out.contains(env) && targets.iter().any(|t| t.id.environment == *env) {
                out.push(env.clone());
            }
        }
    }
    out
}

fn expiry(expires: Option<&str>, today: jiff::civil::Date, warn_days: u32) -> Option<Expiry> {
    let date: jiff::civil::Date = expires?.parse().ok()?;
    let soon = today
        .checked_add(jiff::Span::new().days(i64::from(warn_days)))
        .ok()?;
    Some(if date < today {
        Expiry::Expired
    } else if date <= soon {
        Expiry::Soon
    } else {
        Expiry::Later
    })
}

fn cell(inputs: &Inputs<'_>, target: &Target, key: &str) -> Cell {
    let id = &target.id;
    let live = inputs.live.iter().find(|l| l.id == *id);
    let plan = inputs.plan.targets.iter().find(|t| t.id == *id);
    let findings: Vec<&drift::Finding> =
        inputs.findings.iter().filter(|f| f.target == *id).collect();
    let value = live
        .and_then(|l| l.content.as_ref())
        .and_then(|c| c.get("values")?.get(key))
        .cloned();
    let mut cell = Cell {
        environment: id.environment.clone(),
        sync: SyncState::InSync,
        live: value,
        differences: Vec::new(),
        cause: None,
        held: Vec::new(),
        console_owned: false,
        deployment: live.and_then(|l| last_deployment(l).map(|d| describe_deployment(l, d))),
    };
    if live.is_none_or(|l| l.missing.is_some()) {
        cell.sync = SyncState::Missing;
        cell.cause = live
            .and_then(|l| l.missing)
            .and_then(|m| serde_json::to_value(m).ok())
            .and_then(|v| v.as_str().map(|s| format!("the {s} does not exist")));
        return cell;
    }
    if let Some(plan) = plan {
        held(&mut cell, plan, key);
    }
    let flagged = |f: &&&drift::Finding| f.flags.iter().any(|d| d.key == key);
    if cell.sync == SyncState::InSync
        && let Some(f) = findings
            .iter()
            .filter(|f| f.class == Class::OutOfBand)
            .find(flagged)
    {
        cell.sync = SyncState::OutOfBand;
        cell.cause = Some(f.message.clone());
        if let Some(d) = f.flags.iter().find(|d| d.key == key) {
            cell.console_owned = d.console_owned;
            cell.differences = d
                .fields
                .iter()
                .map(|x| Difference {
                    field: x.field.clone(),
                    git: x.desired.clone(),
                    live: x.live.clone(),
                })
                .collect();
        }
    }
    let change = plan.and_then(|p| p.changes.iter().find(|c| c.key == key));
    let running = live.is_some_and(|l| l.state.in_flight.is_some());
    if cell.sync == SyncState::InSync && (change.is_some() || value_missing(&cell, target, key)) {
        cell.sync = if running {
            SyncState::Pending
        } else {
            SyncState::Changed
        };
        if let Some(c) = change {
            cell.differences = c
                .fields
                .iter()
                .map(|x| Difference {
                    field: x.field.clone(),
                    git: x.to.clone(),
                    live: x.from.clone(),
                })
                .collect();
        }
        if running {
            cell.cause = live
                .and_then(|l| l.state.in_flight.as_ref())
                .map(|d| format!("deployment #{} is {}", d.number, d.state.as_str()));
        }
    }
    cell
}

/// Git has the flag and nothing is served for it (a new flag apply has not reached).
fn value_missing(cell: &Cell, target: &Target, key: &str) -> bool {
    cell.live.is_none()
        && target
            .document
            .get("values")
            .and_then(|v| v.get(key))
            .is_some()
}

/// Fields of `key` the plan keeps at their live value after a rollback.
fn held(cell: &mut Cell, plan: &TargetPlan, key: &str) {
    for kept in plan
        .kept
        .iter()
        .filter(|k| k.key == key || k.field == "document")
    {
        match &kept.reason {
            Reason::RolledBack {
                deployment,
                state,
                trigger,
            } => {
                cell.sync = SyncState::Held;
                cell.held.push(kept.field.clone());
                let by = if trigger.is_empty() {
                    String::new()
                } else {
                    format!(" by {trigger}")
                };
                cell.cause = Some(format!(
                    "deployment #{deployment} {}{by}",
                    state.to_ascii_lowercase().replace('_', " ")
                ));
                cell.differences.push(Difference {
                    field: kept.field.clone(),
                    git: kept.desired.clone(),
                    live: kept.live.clone(),
                });
            }
            Reason::ConsoleOwned => cell.console_owned = true,
        }
    }
}

/// The newest deployment of the target's profile in its environment.
fn last_deployment(live: &TargetLive) -> Option<&Deployment> {
    let state = &live.state;
    state
        .live
        .iter()
        .chain(state.in_flight.iter())
        .chain(state.rejected.iter())
        .chain(live.history.iter().map(|(d, _)| d))
        .max_by_key(|d| d.number)
}

/// A deployment in short; its commit from its description, or (where the listing left the
/// description out) from the description of the version it serves.
fn describe_deployment(live: &TargetLive, d: &Deployment) -> LastDeployment {
    let version_commit = live
        .version
        .as_ref()
        .filter(|v| v.number.to_string() == d.version)
        .and_then(|v| v.description.as_deref())
        .and_then(crate::live::provenance_commit);
    LastDeployment {
        number: d.number,
        state: d.state.as_str().to_owned(),
        version: d.version.clone(),
        commit: d.flagops_commit().or(version_commit).map(str::to_owned),
        at: d.completed_at.clone().or_else(|| d.started_at.clone()),
    }
}

/// Where commits of this repository can be linked: GitHub Actions' `GITHUB_SERVER_URL` and
/// `GITHUB_REPOSITORY`, else the `origin` remote when it is on the web.
pub fn repository_url(root: &std::path::Path) -> Option<String> {
    let server = std::env::var("GITHUB_SERVER_URL").ok();
    let repository = std::env::var("GITHUB_REPOSITORY").ok();
    if let (Some(server), Some(repository)) = (server, repository)
        && !server.is_empty()
        && !repository.is_empty()
    {
        return Some(format!("{}/{repository}", server.trim_end_matches('/')));
    }
    let repo = crate::git::open(root).ok()?;
    let remote = repo.find_remote("origin").ok()?;
    web_url(remote.url().ok()?)
}

/// `git@github.com:o/r.git` or `https://github.com/o/r.git` → `https://github.com/o/r`;
/// credentials in the URL are dropped.
pub fn web_url(remote: &str) -> Option<String> {
    let remote = remote.trim().trim_end_matches('/');
    let remote = remote.strip_suffix(".git").unwrap_or(remote);
    let (host, path) = if let Some(rest) = remote.strip_prefix("https://") {
        rest.split_once('/')?
    } else if let Some(rest) = remote.strip_prefix("ssh://") {
        rest.split_once('/')?
    } else if let Some((user_host, path)) = remote.split_once(':') {
        (user_host, path)
    } else {
        return None;
    };
    let host = host.rsplit('@').next()?;
    let host = host.split(':').next()?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._/".contains(c))
    };
    (ok(host) && ok(path) && !path.contains("..")).then(|| format!("https://{host}/{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls_of_remotes() {
        assert_eq!(
            web_url("git@github.com:acme/flags.git").as_deref(),
            Some("https://github.com/acme/flags")
        );
        assert_eq!(
            web_url("https://user:token@github.com/acme/flags.git").as_deref(),
            Some("https://github.com/acme/flags")
        );
        assert_eq!(
            web_url("ssh://git@example.com:22/acme/flags").as_deref(),
            Some("https://example.com/acme/flags")
        );
        assert_eq!(web_url("/srv/git/flags"), None);
        assert_eq!(web_url("https://github.com/acme/<script>"), None);
    }

    #[test]
    fn expiry_is_measured_against_today() {
        let today: jiff::civil::Date = "2026-11-22".parse().unwrap_or_default();
        assert_eq!(expiry(Some("2026-11-21"), today, 14), Some(Expiry::Expired));
        assert_eq!(expiry(Some("2026-12-06"), today, 14), Some(Expiry::Soon));
        assert_eq!(expiry(Some("2026-12-07"), today, 14), Some(Expiry::Later));
        assert_eq!(expiry(Some("someday"), today, 14), None);
    }
}
