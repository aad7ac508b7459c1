//! drift: where AppConfig serves something other than git, classified and explained.
//!
//! Classes: `rolled-back` (a flagops deployment AppConfig rolled back, alarm or stop),
//! `reverted` (a completed one a person reverted), `out-of-band` (the live version or
//! deployment was not made by flagops: an emergency console edit), `staged` (a newer hosted
//! version never deployed here), `in-flight` (a deployment still running), `missing` (a
//! declared resource does not exist), `pending` (flagops's own work under way: its deployment
//! rolling out, or a change apply has not reached yet; drift only once it is old).
//! `provenance` is a note, not drift: git's content, served from a version or deployment
//! flagops did not make. Drift is about content. `untrusted-history` is a note too: the
//! endpoint listed deployments out of order or cut short, and flagops read around it.

pub mod across;
mod classify;

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use crate::compile::{Target, TargetId};
use crate::finding::{Location, RuleInfo, catalog};
use crate::live::{Backend, BackendError, TargetLive, VersionInfo, provenance_commit};
use crate::model::Model;
use crate::model::config::ProfileKind;
use crate::plan::overlay;
use crate::plan::{ChangeKind, FlagChange};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    RolledBack,
    Reverted,
    OutOfBand,
    Staged,
    InFlight,
    Missing,
    Pending,
    Provenance,
    UntrustedHistory,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::RolledBack => "rolled-back",
            Class::Reverted => "reverted",
            Class::OutOfBand => "out-of-band",
            Class::Staged => "staged",
            Class::InFlight => "in-flight",
            Class::Missing => "missing",
            Class::Pending => "pending",
            Class::Provenance => "provenance",
            Class::UntrustedHistory => "untrusted-history",
        }
    }

    /// The finding code of this class.
    pub fn rule(self) -> &'static RuleInfo {
        match self {
            Class::RolledBack => &catalog::DRIFT_ROLLED_BACK,
            Class::Reverted => &catalog::DRIFT_REVERTED,
            Class::OutOfBand => &catalog::DRIFT_OUT_OF_BAND,
            Class::Staged => &catalog::DRIFT_STAGED,
            Class::InFlight => &catalog::DRIFT_IN_FLIGHT,
            Class::Missing => &catalog::DRIFT_MISSING,
            Class::Pending => &catalog::DRIFT_PENDING,
            Class::Provenance => &catalog::DRIFT_PROVENANCE,
            Class::UntrustedHistory => &catalog::DRIFT_UNTRUSTED_HISTORY,
        }
    }
}

/// One field that differs: git's value and the live one.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FieldDrift {
    pub field: String,
    /// The variant a `variants…` field is about, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub desired: Option<Value>,
    pub live: Option<Value>,
}

/// The fields of one flag (or top-level freeform key) that differ.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FlagDrift {
    pub key: String,
    pub fields: Vec<FieldDrift>,
    /// Declared console-owned: reported and recorded, never reverted by apply.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub console_owned: bool,
    /// The flag's node in its flag file (not part of the ledger's fingerprint).
    #[serde(skip)]
    pub location: Option<Location>,
}

/// One drift finding on one target.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    #[serde(flatten)]
    pub target: TargetId,
    /// The account and region the target lives in, when more than one is in use.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub site: Option<crate::live::location::Site>,
    pub class: Class,
    pub message: String,
    pub flags: Vec<FlagDrift>,
    /// What ended the deployment: the alarm ARN, or who stopped it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// The deployment this is about (the rolled-back one, the foreign one, the running one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<i32>,
    /// The hosted version this is about (the staged one, the rolled-back one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_deployment: Option<i32>,
    /// When it happened, as AppConfig reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// SHA-256 of git's document for the target.
    pub desired_digest: String,
    /// The target's environment in flagops.yaml, where a finding without flags is shown.
    #[serde(skip)]
    pub location: Location,
    /// Pending for longer than `drift.pending_after_minutes`: an apply that failed or never
    /// ran, which counts as drift.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
}

impl Finding {
    /// Whether this is drift a person must look at: not a note, not fresh pending work.
    pub fn is_drift(&self) -> bool {
        match self.class {
            Class::Provenance | Class::UntrustedHistory => false,
            Class::Pending => self.stale,
            _ => true,
        }
    }
}

/// Marks pending findings older than `after` as stale. A running deployment's age counts
/// from its start; a change apply has not reached, from `changed_at` (HEAD's commit time).
pub fn age_pending(
    findings: &mut [Finding],
    now: jiff::Timestamp,
    changed_at: Option<jiff::Timestamp>,
    after: jiff::SignedDuration,
) {
    for f in findings.iter_mut().filter(|f| f.class == Class::Pending) {
        let since =
            f.at.as_deref()
                .and_then(|at| at.parse::<jiff::Timestamp>().ok())
                .or(changed_at);
        f.stale = since.is_some_and(|since| now.duration_since(since) > after);
    }
}

impl Class {
    /// How a finding of this class is resolved.
    pub fn help(self) -> &'static str {
        match self {
            Class::RolledBack | Class::Reverted => {
                "fix the values in git, adopt what is live (`flagops adopt`), or ship them again with `flagops apply --retry FLAG`"
            }
            Class::OutOfBand => {
                "apply git again (`flagops apply`), or adopt the live values into git (`flagops adopt`)"
            }
            Class::Staged => "deploy it with `flagops apply`, or delete the hosted version",
            Class::InFlight => "wait for the deployment to end, then run drift again",
            Class::Missing => "create it with `flagops apply`, or remove it from flagops.yaml",
            Class::Pending => {
                "let the deployment end, or run `flagops apply` to deploy what git says"
            }
            Class::Provenance => "nothing to do: what is served is what git says",
            Class::UntrustedHistory => {
                "nothing to do for flagops, which read around it; the endpoint is not behaving like AppConfig"
            }
        }
    }
}

/// What the ledger already holds of a finding: its record id, and how it was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: String,
    pub resolution: Option<&'static str>,
}

/// A finding with what the ledger already holds of it.
#[derive(Debug, Clone)]
pub struct Reported {
    pub finding: Finding,
    pub ledger: Option<LedgerEntry>,
}

/// What `flagops drift` reports.
#[derive(Debug, Clone)]
pub struct Report {
    pub findings: Vec<Reported>,
    /// AppConfig setup that differs from flagops.yaml: drift where apply would update it,
    /// a note where it only reports (a removal kept, an undeclared resource).
    pub setup: Vec<crate::plan::setup::SetupChange>,
    /// Targets looked at.
    pub targets: usize,
    /// Selected targets not compared: check errors in their files leave git's side unknown.
    pub not_compared: Vec<crate::check::scope::Blocked>,
    /// Where live state was read: `AppConfig`, a local directory.
    pub backend: String,
    /// Accounts or regions no call reached: their targets are not compared.
    pub unreachable: Vec<crate::live::location::Unreachable>,
}

impl Report {
    /// Drift not in the ledger yet.
    pub fn new_findings(&self) -> usize {
        self.findings
            .iter()
            .filter(|r| r.finding.is_drift() && r.ledger.is_none())
            .count()
    }

    /// How many findings are drift (not notes, not fresh pending work).
    pub fn drift(&self) -> usize {
        self.findings
            .iter()
            .filter(|r| r.finding.is_drift())
            .count()
    }

    /// Whether anything drifted: a finding, or the setup.
    pub fn any_drift(&self) -> bool {
        self.drift() > 0 || self.setup_drift() > 0
    }

    /// Setup changes apply would make: AppConfig's setup drifted from flagops.yaml.
    pub fn setup_drift(&self) -> usize {
        self.setup.iter().filter(|s| s.update.is_some()).count()
    }
}

/// Reads the live state of `targets` and each profile's hosted versions, and classifies it;
/// with the inventory read on the way.
pub async fn read(
    backend: &Backend,
    model: &Model,
    targets: &[&Target],
) -> Result<(Vec<Finding>, crate::live::Inventory), BackendError> {
    let (findings, inventory, _) = read_with_live(backend, model, targets).await?;
    Ok((findings, inventory))
}

/// [`read`], with the live state it classified: what status shows, from the same requests.
pub async fn read_with_live(
    backend: &Backend,
    model: &Model,
    targets: &[&Target],
) -> Result<(Vec<Finding>, crate::live::Inventory, Vec<TargetLive>), BackendError> {
    let inventory = crate::live::inventory(backend, targets).await?;
    let (findings, live) = read_in(backend, model, &inventory, targets).await?;
    Ok((findings, inventory, live))
}

/// Reads the live state of `targets` with the ids `inventory` found, and each profile's
/// hosted versions at the same time, and classifies it; with the live state classified.
pub async fn read_in(
    backend: &Backend,
    model: &Model,
    inventory: &crate::live::Inventory,
    targets: &[&Target],
) -> Result<(Vec<Finding>, Vec<TargetLive>), BackendError> {
    // (application, profile) by name, and their ids.
    type Ids<'a> = (&'a str, &'a str);
    let mut profiles: Vec<((String, String), Ids<'_>)> = Vec::new();
    for t in targets {
        let key = (t.id.application.clone(), t.id.profile.clone());
        if profiles.iter().any(|(k, _)| *k == key) {
            continue;
        }
        if let Some(app) = inventory.applications.get(&t.id.application)
            && let Some((profile_id, _)) = app.profiles.get(&t.id.profile)
        {
            profiles.push((key, (app.id.as_str(), profile_id.as_str())));
        }
    }
    let listings = futures_util::future::try_join_all(
        (profiles.iter()).map(|(_, (app_id, profile_id))| backend.versions(app_id, profile_id)),
    );
    let live = crate::live::read_in(backend, inventory, targets, crate::live::Details::Drift);
    let (live, listings) = tokio::try_join!(live, listings)?;
    let versions: HashMap<(String, String), Vec<VersionInfo>> = (profiles.into_iter())
        .map(|(key, _)| key)
        .zip(listings)
        .collect();
    Ok((detect(model, targets, &live, &versions), live))
}

/// Classifies every target. `versions` holds each profile's hosted versions (newest first),
/// keyed by (application, profile), for staged detection.
pub fn detect(
    model: &Model,
    targets: &[&Target],
    live: &[TargetLive],
    versions: &HashMap<(String, String), Vec<VersionInfo>>,
) -> Vec<Finding> {
    let deployed = deployed_versions(live);
    let mut out = Vec::new();
    for target in targets {
        let Some(l) = live.iter().find(|l| l.id == target.id) else {
            continue;
        };
        let cx = classify::Context::new(
            model,
            target,
            l,
            versions
                .get(&(target.id.application.clone(), target.id.profile.clone()))
                .map(Vec::as_slice),
            deployed.get(&(target.id.application.as_str(), target.id.profile.as_str())),
        );
        out.extend(classify::all(&cx));
    }
    out
}

/// Versions ever deployed, per (application, profile), in any environment read.
fn deployed_versions(live: &[TargetLive]) -> HashMap<(&str, &str), HashSet<&str>> {
    let mut deployed: HashMap<(&str, &str), HashSet<&str>> = HashMap::new();
    for l in live {
        let entry = deployed
            .entry((l.id.application.as_str(), l.id.profile.as_str()))
            .or_default();
        for (d, _) in &l.history {
            entry.insert(d.version.as_str());
        }
        for d in l
            .state
            .live
            .iter()
            .chain(l.state.in_flight.iter())
            .chain(l.state.rejected.iter())
        {
            entry.insert(d.version.as_str());
        }
    }
    deployed
}

/// A version flagops uploaded: its description carries the commit, or (where a service drops
/// descriptions) its label has flagops's form.
pub(crate) fn made_by_flagops(v: &VersionInfo) -> bool {
    v.description
        .as_deref()
        .and_then(provenance_commit)
        .is_some()
        || crate::vocabulary::is_flagops_label(v.label.as_deref())
}

pub(crate) fn flag_drift(
    live: Option<&Value>,
    desired: &Value,
    kind: ProfileKind,
    console: &overlay::ConsoleFields<'_>,
    console_keys: &HashSet<&str>,
) -> Vec<FlagDrift> {
    let Some(live) = live else { return Vec::new() };
    // Reuse the plan's per-flag diff, from live to desired.
    let changes: Vec<FlagChange> =
        crate::plan::diff_documents(Some(live), desired, kind, &|_| None);
    changes
        .into_iter()
        .map(|c| {
            let owned = console
                .iter()
                .find(|(k, _)| *k == c.key)
                .map(|(_, o)| o.compiled_fields());
            let fields: Vec<FieldDrift> = c
                .fields
                .iter()
                .map(|f| FieldDrift {
                    field: f.field.clone(),
                    variant: f.variant.clone(),
                    desired: f.to.clone(),
                    live: f.from.clone(),
                })
                .collect();
            let console_owned = console_keys.contains(c.key.as_str())
                && match owned {
                    Some(None) => true,
                    Some(Some(list)) => {
                        c.kind == ChangeKind::Changed
                            && c.fields.iter().all(|f| {
                                list.iter().any(|l| {
                                    f.field == *l
                                        || f.field == format!("values.{l}")
                                        || (l == "_variants" && f.field.starts_with("variants"))
                                })
                            })
                    }
                    None => false,
                };
            FlagDrift {
                key: c.key,
                fields,
                console_owned,
                location: None,
            }
        })
        .collect()
}
