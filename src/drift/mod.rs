//! drift: where AppConfig serves something other than git, classified and explained.
//!
//! Classes: `rolled-back` (a flagops deployment AppConfig rolled back, alarm or stop),
//! `reverted` (a completed one a person reverted), `out-of-band` (the live version or
//! deployment was not made by flagops: an emergency console edit), `staged` (a newer hosted
//! version never deployed here), `in-flight` (a deployment still running), `missing` (a
//! declared resource does not exist), `pending` (git changed and apply has not run yet).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use crate::compile::Target;
use crate::live::normalize::normalize;
use crate::live::{DeployState, Missing, TargetLive, VersionInfo, provenance_commit};
use crate::model::Model;
use crate::model::config::ProfileKind;
use crate::plan::overlay::{self, Reason};
use crate::plan::{ChangeKind, FlagChange, TargetIdJson};

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
        }
    }
}

/// One field that differs: git's value and the live one.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FieldDrift {
    pub field: String,
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
}

/// One drift finding on one target.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    #[serde(flatten)]
    pub target: TargetIdJson,
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
}

/// Classifies every target. `versions` holds each profile's hosted versions (newest first),
/// keyed by (application, profile), for staged detection.
pub fn detect(
    model: &Model,
    targets: &[&Target],
    live: &[TargetLive],
    versions: &HashMap<(String, String), Vec<VersionInfo>>,
) -> Vec<Finding> {
    // Versions ever deployed, per (application, profile), in any environment read.
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

    let mut out = Vec::new();
    for target in targets {
        let Some(l) = live.iter().find(|l| l.id == target.id) else {
            continue;
        };
        let desired = normalize(&target.document, target.kind);
        let base = |class: Class, message: String| Finding {
            target: (&target.id).into(),
            class,
            message,
            flags: Vec::new(),
            trigger: None,
            deployment: None,
            version: None,
            live_version: l.version.as_ref().map(|v| v.number),
            live_deployment: l.state.live.as_ref().map(|d| d.number),
            at: None,
            desired_digest: crate::plan::digest(&desired),
        };
        if let Some(missing) = l.missing {
            let what = match missing {
                Missing::Application => {
                    format!("application `{}` does not exist", target.id.application)
                }
                Missing::Environment => {
                    format!("environment `{}` does not exist", target.id.environment)
                }
                Missing::Profile => format!(
                    "configuration profile `{}` does not exist",
                    target.id.profile
                ),
            };
            out.push(base(Class::Missing, what));
            continue;
        }
        let console: overlay::ConsoleFields<'_> = model
            .flags()
            .filter(|f| f.application == target.id.application && f.profile == target.id.profile)
            .filter_map(|f| f.flag.console_owned.as_ref().map(|c| (f.key, c)))
            .collect();
        let console_keys: HashSet<&str> = console.iter().map(|(k, _)| *k).collect();
        let differences =
            |live: Option<&Value>| flag_drift(live, &desired, target.kind, &console, &console_keys);

        let running = l.state.in_flight.as_ref().or(l
            .state
            .live
            .as_ref()
            .filter(|d| d.state == DeployState::Baking));
        if let Some(d) = running {
            let mut f = base(
                Class::InFlight,
                format!(
                    "deployment #{} is {} ({:.0}%)",
                    d.number,
                    d.state.as_str(),
                    d.percentage
                ),
            );
            f.deployment = Some(d.number);
            f.at = d.started_at.clone();
            out.push(f);
        }

        // A rejected flagops attempt newer than what is live, or fields still held from one.
        let mut explained = false;
        if let Some(rejected) = l
            .state
            .rejected
            .first()
            .filter(|d| d.flagops_commit().is_some())
        {
            let class = if rejected.state == DeployState::Reverted {
                Class::Reverted
            } else {
                Class::RolledBack
            };
            let trigger = rejected.rollback_reason();
            let mut f = base(
                class,
                format!(
                    "deployment #{} of version {} was {}{}",
                    rejected.number,
                    rejected.version,
                    rejected.state.as_str(),
                    trigger
                        .as_ref()
                        .map(|t| format!(" by {t}"))
                        .unwrap_or_default()
                ),
            );
            f.flags = differences(l.content.as_ref());
            f.trigger = trigger;
            f.deployment = Some(rejected.number);
            f.version = rejected.version.parse().ok();
            f.at = rejected
                .events
                .first()
                .map(|e| e.occurred_at.clone())
                .or_else(|| rejected.completed_at.clone());
            out.push(f);
            explained = true;
        } else {
            let mut held = desired.clone();
            let kept = overlay::apply(&mut held, l, &Vec::new(), &[]);
            if let Some(Reason::RolledBack {
                deployment,
                state,
                trigger,
            }) = kept.first().map(|k| &k.reason)
            {
                let class = if state == "REVERTED" {
                    Class::Reverted
                } else {
                    Class::RolledBack
                };
                let mut f = base(
                    class,
                    format!(
                        "values of deployment #{deployment} ({state}) are held at their live values"
                    ),
                );
                f.flags = differences(l.content.as_ref());
                f.trigger = Some(trigger.clone()).filter(|t| !t.is_empty());
                f.deployment = Some(*deployment);
                out.push(f);
                explained = true;
            }
        }

        if let Some(live_deployment) = &l.state.live {
            let foreign_deployment = live_deployment.flagops_commit().is_none();
            let foreign_version = l.version.as_ref().is_some_and(|v| !made_by_flagops(v));
            let drift = differences(l.content.as_ref());
            if !explained
                && (foreign_deployment || foreign_version)
                && (!drift.is_empty() || foreign_version)
            {
                let who = if foreign_version {
                    "a hosted version"
                } else {
                    "a deployment"
                };
                let mut f = base(
                    Class::OutOfBand,
                    format!(
                        "live deployment #{} serves {who} flagops did not make{}",
                        live_deployment.number,
                        live_deployment
                            .description
                            .as_ref()
                            .filter(|d| !d.is_empty())
                            .map(|d| format!(" (\"{d}\")"))
                            .unwrap_or_default()
                    ),
                );
                f.flags = drift;
                f.deployment = Some(live_deployment.number);
                f.at = live_deployment
                    .completed_at
                    .clone()
                    .or_else(|| live_deployment.started_at.clone());
                out.push(f);
            } else if !explained && !drift.is_empty() {
                // Console-owned differences are drift too: reported and recorded, never reverted.
                let (class, message) = if drift.iter().all(|d| d.console_owned) {
                    (
                        Class::OutOfBand,
                        "console-owned values differ from git (apply keeps them)",
                    )
                } else {
                    (
                        Class::Pending,
                        "git differs from what is live: apply has not run since the change",
                    )
                };
                let mut f = base(class, message.into());
                f.flags = drift;
                out.push(f);
            }
        } else if !explained && running.is_none() {
            out.push(base(
                Class::Pending,
                "nothing is deployed yet: apply has not run".into(),
            ));
        }

        // Versions newer than the live one that were never deployed.
        let Some(list) = versions.get(&(target.id.application.clone(), target.id.profile.clone()))
        else {
            continue;
        };
        let live_number = l.version.as_ref().map_or(0, |v| v.number);
        let deployed_here: HashSet<&str> =
            l.history.iter().map(|(d, _)| d.version.as_str()).collect();
        let everywhere =
            deployed.get(&(target.id.application.as_str(), target.id.profile.as_str()));
        for v in list.iter().filter(|v| v.number > live_number) {
            let number = v.number.to_string();
            let ours = v.label.as_deref().is_some_and(|l| l.starts_with("fo."));
            let for_here = v
                .label
                .as_deref()
                .is_some_and(|l| l.ends_with(&format!(".{}", target.id.environment)));
            let staged = if ours {
                for_here && !deployed_here.contains(number.as_str())
            } else {
                everywhere.is_none_or(|s| !s.contains(number.as_str()))
            };
            if staged {
                let mut f = base(
                    Class::Staged,
                    format!(
                        "hosted version {} ({}) is newer than the live one and was never deployed here",
                        v.number,
                        v.label.as_deref().unwrap_or("no label")
                    ),
                );
                f.version = Some(v.number);
                out.push(f);
            }
        }
    }
    out
}

/// A version flagops uploaded: its description carries the commit, or (where a service drops
/// descriptions) its label has flagops's form.
fn made_by_flagops(v: &VersionInfo) -> bool {
    v.description
        .as_deref()
        .and_then(provenance_commit)
        .is_some()
        || v.label.as_deref().is_some_and(|l| l.starts_with("fo."))
}

fn flag_drift(
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
                                        || (l == "_variants" && f.field == "variants")
                                })
                            })
                    }
                    None => false,
                };
            FlagDrift {
                key: c.key,
                fields,
                console_owned,
            }
        })
        .collect()
}
