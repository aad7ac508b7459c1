//! One classifier per drift class, the way check has one file per rule. Each looks at one
//! target's live state, with what the classifiers before it found, and adds its findings.

mod in_flight;
mod missing;
mod out_of_band;
mod pending;
mod rejected;
mod staged;
mod untrusted_history;

use std::collections::HashSet;
use std::sync::OnceLock;

use serde_json::Value;

use super::{Class, Finding, FlagDrift, flag_drift};
use crate::compile::Target;
use crate::compile::normalize::normalize;
use crate::finding::Location;
use crate::live::{TargetLive, VersionInfo};
use crate::model::Model;
use crate::plan::overlay;

/// A classifier: the findings of its class on `cx`'s target, given those found before it.
type Classifier = fn(&Context<'_>, &[Finding]) -> Vec<Finding>;

/// In order: a missing resource ends the look; an explained difference (a rejected
/// deployment) is not reported again as out-of-band or pending.
const ALL: &[Classifier] = &[
    missing::classify,
    in_flight::classify,
    rejected::classify,
    out_of_band::classify,
    pending::classify,
    staged::classify,
    untrusted_history::classify,
];

/// Every drift finding of one target.
pub fn all(cx: &Context<'_>) -> Vec<Finding> {
    let mut found = Vec::new();
    for classify in ALL {
        let new = classify(cx, &found);
        found.extend(new);
        if found.iter().any(|f| f.class == Class::Missing) {
            break;
        }
    }
    found
}

/// What every classifier of one target reads.
pub struct Context<'a> {
    pub target: &'a Target,
    pub live: &'a TargetLive,
    /// git's document, normalized as live documents are.
    pub desired: Value,
    /// The profile's hosted versions, when they were listed.
    pub versions: Option<&'a [VersionInfo]>,
    /// Versions deployed in any environment read, for this profile.
    pub deployed_anywhere: Option<&'a HashSet<&'a str>>,
    console: overlay::ConsoleFields<'a>,
    console_keys: HashSet<&'a str>,
    differences: OnceLock<Vec<FlagDrift>>,
}

impl<'a> Context<'a> {
    pub fn new(
        model: &'a Model,
        target: &'a Target,
        live: &'a TargetLive,
        versions: Option<&'a [VersionInfo]>,
        deployed_anywhere: Option<&'a HashSet<&'a str>>,
    ) -> Self {
        let console: overlay::ConsoleFields<'a> = model
            .flags()
            .filter(|f| f.application == target.id.application && f.profile == target.id.profile)
            .filter_map(|f| f.flag.console_owned.as_ref().map(|c| (f.key, c)))
            .collect();
        let console_keys = console.iter().map(|(k, _)| *k).collect();
        Context {
            target,
            live,
            desired: normalize(&target.document, target.kind),
            versions,
            deployed_anywhere,
            console,
            console_keys,
            differences: OnceLock::new(),
        }
    }

    /// A finding of `class` on this target, with the live version and deployment filled in.
    pub fn finding(&self, class: Class, message: String) -> Finding {
        Finding {
            target: self.target.id.clone(),
            site: None,
            class,
            message,
            flags: Vec::new(),
            trigger: None,
            deployment: None,
            version: None,
            live_version: self.live.version.as_ref().map(|v| v.number),
            live_deployment: self.live.state.live.as_ref().map(|d| d.number),
            at: None,
            desired_digest: crate::plan::digest(&self.desired),
            location: environment_node(&self.target.id.application, &self.target.id.environment),
            stale: false,
        }
    }

    /// The flags whose live values differ from git, each located at its flag's node.
    pub fn differences(&self) -> Vec<FlagDrift> {
        self.differences
            .get_or_init(|| {
                let mut flags = flag_drift(
                    self.live.content.as_ref(),
                    &self.desired,
                    self.target.kind,
                    &self.console,
                    &self.console_keys,
                );
                for flag in &mut flags {
                    flag.location = self.flag_node(&flag.key);
                }
                flags
            })
            .clone()
    }

    /// Where a flag (or a freeform document's content) is defined.
    fn flag_node(&self, key: &str) -> Option<Location> {
        let (file, pointer) = self
            .target
            .origins
            .get(key)
            .or_else(|| self.target.origins.get(""))?;
        Some(Location::key(file, pointer.clone()))
    }
}

/// An environment's node in flagops.yaml.
pub fn environment_node(application: &str, environment: &str) -> Location {
    let escape = |s: &str| s.replace('~', "~0").replace('/', "~1");
    Location::key(
        crate::load::CONFIG_FILE,
        format!(
            "/applications/{}/environments/{}",
            escape(application),
            escape(environment)
        ),
    )
}

/// Whether the classifiers before found a rejected deployment that explains the differences.
fn explained(found: &[Finding]) -> bool {
    found
        .iter()
        .any(|f| matches!(f.class, Class::RolledBack | Class::Reverted))
}
