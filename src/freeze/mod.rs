//! Deployment freezes: periods, declared in flagops.yaml, when `apply` deploys nothing to the
//! environments they name. A change there is held back (exit 2) unless the person applying
//! breaks the glass (`apply --break-glass "<reason>"`), which the apply report and the drift
//! ledger record.

use jiff::Timestamp;
use serde::Serialize;

use crate::model::config::{Freeze, RepoConfig};
use crate::plan::TargetIdJson;

/// "Now", injectable for tests and rehearsals: `FLAGOPS_NOW` (RFC 3339) or the clock.
pub fn now(given: Option<Timestamp>) -> Timestamp {
    given.unwrap_or_else(Timestamp::now)
}

/// A freeze's period, when both timestamps parse.
pub fn window(freeze: &Freeze) -> Option<(Timestamp, Timestamp)> {
    Some((freeze.from.parse().ok()?, freeze.until.parse().ok()?))
}

/// Whether `freeze` covers the environment `environment` of `application`.
pub fn covers(freeze: &Freeze, application: &str, environment: &str) -> bool {
    (freeze.applications.is_empty() || freeze.applications.iter().any(|a| a == application))
        && (freeze.environments.is_empty() || freeze.environments.iter().any(|e| e == environment))
}

/// The first freeze in force at `now` for this environment, with its index in `freezes`.
pub fn active<'a>(
    config: &'a RepoConfig,
    application: &str,
    environment: &str,
    now: Timestamp,
) -> Option<(usize, &'a Freeze)> {
    config.freezes.iter().enumerate().find(|(_, f)| {
        covers(f, application, environment)
            && window(f).is_some_and(|(from, until)| from <= now && now < until)
    })
}

/// A freeze as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FreezeRef {
    /// Position in `freezes` of flagops.yaml.
    pub index: usize,
    pub from: String,
    pub until: String,
    pub reason: String,
}

impl FreezeRef {
    pub fn new(index: usize, freeze: &Freeze) -> Self {
        FreezeRef {
            index,
            from: freeze.from.clone(),
            until: freeze.until.clone(),
            reason: freeze.reason.clone(),
        }
    }
}

/// A changed target in a frozen environment.
#[derive(Debug, Clone, Serialize)]
pub struct Frozen {
    #[serde(flatten)]
    pub id: TargetIdJson,
    pub freeze: FreezeRef,
}

/// What freezes did to an apply.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FreezeReport {
    /// Not deployed: their environment is frozen.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<Frozen>,
    /// Deployed through a freeze with `--break-glass`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Frozen>,
    /// The reason given with `--break-glass`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub break_glass: Option<String>,
    /// The ledger record of the break-glass apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_record: Option<String>,
}

impl FreezeReport {
    pub fn is_empty(&self) -> bool {
        self.held.is_empty() && self.broken.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn freeze(envs: &[&str], apps: &[&str]) -> Freeze {
        Freeze {
            environments: envs.iter().map(|e| (*e).to_owned()).collect(),
            applications: apps.iter().map(|a| (*a).to_owned()).collect(),
            from: "2026-12-20T00:00:00Z".into(),
            until: "2027-01-04T00:00:00+01:00".into(),
            reason: "holidays".into(),
        }
    }

    #[test]
    fn a_freeze_covers_its_environments_from_start_to_before_its_end() {
        let config: RepoConfig = serde_json::from_value(serde_json::json!({
            "version": 1, "applications": {}
        }))
        .unwrap();
        let config = RepoConfig {
            freezes: vec![freeze(&["production"], &[])],
            ..config
        };
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        assert!(active(&config, "shop", "production", at("2026-12-20T00:00:00Z")).is_some());
        assert!(active(&config, "shop", "production", at("2027-01-03T22:59:59Z")).is_some());
        assert!(active(&config, "shop", "production", at("2027-01-03T23:00:00Z")).is_none());
        assert!(active(&config, "shop", "production", at("2026-12-19T23:59:59Z")).is_none());
        assert!(active(&config, "shop", "staging", at("2026-12-24T00:00:00Z")).is_none());
        assert!(covers(&freeze(&[], &["shop"]), "shop", "anything"));
        assert!(!covers(&freeze(&[], &["shop"]), "ops", "production"));
    }
}
