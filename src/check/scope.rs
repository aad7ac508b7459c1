//! Which findings stop which targets. A kill switch must ship whatever else is wrong in the
//! repository: an error blocks only the targets its file feeds (every environment of the
//! file's application and profile, or one environment when it lies under
//! `environments/<env>`), and a problem no target can be told from (flagops.yaml, a file that
//! does not say where it belongs) blocks them all.
//!
//! Findings that time raises without a commit (a flag past its expiry, a stale flag) are
//! warnings, not blocks, where they would stop the wrong thing: in monitoring (drift), and
//! when deploying a flag of an urgent class (kill-switch, ops).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::Report;
use crate::compile::TargetId;
use crate::finding::{Finding, Severity, catalog};
use crate::load::yaml::unescape_pointer;
use crate::model::flags::FlagClass;

/// What the checked repository is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// plan, apply, compile: what a target would serve.
    Deploy,
    /// drift, adopt: compare what is live with git.
    Monitor,
    /// stop: act on targets by name alone; no error in a flag file stops it, only a
    /// flagops.yaml that cannot be read.
    Stop,
}

/// A target that is not planned, applied or compared, and the findings that hold it.
#[derive(Debug, Clone, Serialize)]
pub struct Blocked {
    #[serde(flatten)]
    pub id: TargetId,
    /// The codes of the findings, in report order, once each.
    pub codes: Vec<&'static str>,
    /// The files they are in.
    pub files: Vec<String>,
}

/// The error findings that stop work, by reach.
#[derive(Debug, Default)]
pub struct Blocking {
    /// Findings no target can be told from: nothing proceeds.
    pub everything: Vec<Finding>,
    /// Findings that stop only the targets they feed.
    pub targets: BTreeMap<TargetId, Vec<Finding>>,
    /// Error findings that do not block for this purpose (time-driven ones), shown as
    /// warnings.
    pub demoted: Vec<Finding>,
}

impl Blocking {
    pub fn blocked(&self, id: &TargetId) -> bool {
        !self.everything.is_empty() || self.targets.contains_key(id)
    }

    /// Every blocking finding, once each, in report order.
    pub fn findings(&self) -> Vec<Finding> {
        let mut all: Vec<Finding> = self.everything.clone();
        for findings in self.targets.values() {
            for f in findings {
                if !all.contains(f) {
                    all.push(f.clone());
                }
            }
        }
        all
    }

    /// The blocked ones among `ids`, with what blocks them.
    pub fn among<'a>(&self, ids: impl IntoIterator<Item = &'a TargetId>) -> Vec<Blocked> {
        ids.into_iter()
            .filter_map(|id| {
                let findings: Vec<&Finding> = self
                    .everything
                    .iter()
                    .chain(self.targets.get(id).into_iter().flatten())
                    .collect();
                (!findings.is_empty()).then(|| {
                    let mut codes = Vec::new();
                    let mut files = Vec::new();
                    for f in findings {
                        if !codes.contains(&f.rule.code) {
                            codes.push(f.rule.code);
                        }
                        let file = f.location.file().to_owned();
                        if !files.contains(&file) {
                            files.push(file);
                        }
                    }
                    Blocked {
                        id: id.clone(),
                        codes,
                        files,
                    }
                })
            })
            .collect()
    }
}

/// Findings that time raises on an unchanged repository: a flag past its expiry, a stale one.
pub fn time_driven(finding: &Finding) -> bool {
    [catalog::EXPIRY_PASSED.code, catalog::STALE_FLAG.code].contains(&finding.rule.code)
}

fn urgent(class: FlagClass) -> bool {
    matches!(class, FlagClass::KillSwitch | FlagClass::Ops)
}

/// Sorts the error findings of `report` by what they stop, for `purpose`. `targets` are the
/// repository's compiled targets (every one, not only those selected).
pub fn blocking<'a>(
    report: &Report,
    targets: impl IntoIterator<Item = &'a TargetId>,
    purpose: Purpose,
) -> Blocking {
    let targets: Vec<&TargetId> = targets.into_iter().collect();
    let classes: HashMap<(&str, &str), FlagClass> = report
        .model
        .files
        .iter()
        .flat_map(|(path, file)| {
            file.flags
                .iter()
                .flatten()
                .map(move |(key, flag)| ((path.as_str(), key.as_str()), flag.class))
        })
        .collect();
    let mut blocking = Blocking::default();
    for finding in report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
    {
        let file = finding.location.file();
        let pointer = finding.location.pointer().unwrap_or_default();
        let mut segments = pointer.split('/').skip(1).map(unescape_pointer);
        let flag = match (segments.next().as_deref(), segments.next()) {
            (Some("flags"), Some(key)) => Some(key),
            _ => None,
        };
        if time_driven(finding) {
            let class = flag.as_deref().and_then(|key| classes.get(&(file, key)));
            if purpose != Purpose::Deploy || class.is_some_and(|&c| urgent(c)) {
                let mut warning = finding.clone();
                warning.severity = Severity::Warning;
                blocking.demoted.push(warning);
                continue;
            }
        }
        let environment = match (segments.next().as_deref(), segments.next()) {
            (Some("environments"), Some(env)) if flag.is_some() => Some(env),
            _ => None,
        };
        let mut fed: Vec<&&TargetId> = match report.scopes.get(file) {
            Some((application, profile)) => targets
                .iter()
                .filter(|t| &t.application == application && &t.profile == profile)
                .collect(),
            None => Vec::new(),
        };
        // Under one environment, only its target; an environment that does not exist (a
        // typo the finding is about) leaves the profile's every target.
        if let Some(environment) = &environment
            && fed.iter().any(|t| &t.environment == environment)
        {
            fed.retain(|t| &t.environment == environment);
        }
        // No target to pin it on (flagops.yaml, a file that does not parse or names an
        // application that does not exist): deploying anything could drop its flags.
        if fed.is_empty() {
            blocking.everything.push(finding.clone());
        } else {
            for id in fed {
                blocking
                    .targets
                    .entry((*id).clone())
                    .or_default()
                    .push(finding.clone());
            }
        }
    }
    blocking
}
