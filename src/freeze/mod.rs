//! Deployment freezes: periods, declared in flagops.yaml, when `apply` deploys nothing to the
//! environments they name. A change there is held back (exit 2) unless the person applying
//! breaks the glass (`apply --break-glass --reason "<why>"`), which the apply report and the drift
//! ledger record.

use jiff::Timestamp;
use serde::Serialize;

use std::path::Path;

use crate::compile::TargetId;
use crate::ledger::{self, BreakGlassRecord, Record};
use crate::model::config::{Freeze, RepoConfig};
use crate::model::flags::FlagClass;
use crate::plan::{Action, Plan, TargetPlan};

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
    pub id: TargetId,
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

/// The freeze that holds back this target's change at `now`, if any: a freeze covers its
/// environment and a changed flag is of a class the freeze does not exempt (or of none).
fn holding<'a>(
    config: &'a RepoConfig,
    target: &TargetPlan,
    now: Timestamp,
) -> Option<(usize, &'a Freeze)> {
    if target.action == Action::Unchanged {
        return None;
    }
    let (index, freeze) = active(config, &target.id.application, &target.id.environment, now)?;
    let exempt = |class: &Option<FlagClass>| class.is_some_and(|c| freeze.exempt.contains(&c));
    let all_exempt = !target.changes.is_empty() && target.changes.iter().all(|c| exempt(&c.class));
    (!all_exempt).then_some((index, freeze))
}

/// The changed targets of `plan` that a freeze holds back at `now`: what plan shows.
pub fn frozen(config: &RepoConfig, plan: &Plan, now: Timestamp) -> Vec<Frozen> {
    plan.targets
        .iter()
        .filter_map(|t| {
            let (index, freeze) = holding(config, t, now)?;
            Some(Frozen {
                id: t.id.clone(),
                freeze: FreezeRef::new(index, freeze),
            })
        })
        .collect()
}

/// The reason a break-glass apply ships with, refused without a reason or a scope: breaking
/// the glass ships what was named, never every frozen change of the repository. `None` when
/// the glass is not broken.
pub fn break_glass(
    broken: bool,
    reason: Option<&str>,
    scoped: bool,
) -> anyhow::Result<Option<&str>> {
    if !broken {
        return Ok(None);
    }
    let reason = reason.unwrap_or_default();
    if reason.trim().is_empty() {
        anyhow::bail!("--break-glass needs a --reason: it is recorded in the drift ledger");
    }
    if !scoped {
        anyhow::bail!(
            "--break-glass needs a scope: name what must ship with --app and/or --env (and --profile)"
        );
    }
    Ok(Some(reason))
}

/// Splits off the changed targets that a freeze holds back at `now`: without a break-glass
/// reason they leave the plan (held); with one they stay (broken). The plan holds only the
/// targets the person breaking the glass selected.
pub fn hold(
    config: &RepoConfig,
    mut plan: Plan,
    now: Timestamp,
    break_glass: Option<&str>,
) -> (Plan, FreezeReport) {
    let mut report = FreezeReport::default();
    plan.targets.retain(|t| {
        let Some((index, freeze)) = holding(config, t, now) else {
            return true;
        };
        let frozen = Frozen {
            id: t.id.clone(),
            freeze: FreezeRef::new(index, freeze),
        };
        if break_glass.is_some() {
            report.broken.push(frozen);
            true
        } else {
            report.held.push(frozen);
            false
        }
    });
    if break_glass.is_none() {
        hold_setup(config, &mut plan, now);
    }
    if !report.is_empty() {
        report.break_glass = break_glass.map(str::to_owned);
    }
    (plan, report)
}

/// Holds the setup of every frozen environment (its alarms, its description) until the
/// freeze ends: plan shows it waiting, and apply leaves it and counts it held.
pub fn hold_setup(config: &RepoConfig, plan: &mut Plan, now: Timestamp) {
    let environments = (plan.setup.iter_mut())
        .filter(|c| c.resource == crate::plan::setup::Resource::Environment && c.update.is_some());
    for change in environments {
        let Some((application, environment)) = change.name.split_once('/') else {
            continue;
        };
        if let Some((index, freeze)) = active(config, application, environment, now) {
            change.update = None;
            change.frozen = true;
            for setting in change.settings.iter_mut().filter(|s| s.kept.is_none()) {
                setting.kept = Some(format!(
                    "frozen by freeze #{} \"{}\" until {}: applied when it ends, or with --break-glass",
                    index + 1,
                    freeze.reason,
                    freeze.until
                ));
            }
        }
    }
}

/// Records a break-glass apply in the drift ledger before anything is deployed, so the
/// record exists whatever happens next; fails (deploying nothing) when it cannot be written.
/// Returns the report with the record's id.
pub fn record_break_glass(
    root: &Path,
    config: &RepoConfig,
    commit: &str,
    mut report: FreezeReport,
) -> anyhow::Result<FreezeReport> {
    if report.broken.is_empty() {
        return Ok(report);
    }
    let reason = report.break_glass.clone().unwrap_or_default();
    let targets: Vec<String> = report.broken.iter().map(|f| f.id.to_string()).collect();
    let mut freezes: Vec<String> = report
        .broken
        .iter()
        .map(|f| {
            format!(
                "{} ({} to {})",
                f.freeze.reason, f.freeze.from, f.freeze.until
            )
        })
        .collect();
    freezes.dedup();
    let record = BreakGlassRecord {
        id: ledger::new_id(&format!("{reason}{}", targets.join(","))),
        reason: ledger::recorded_reason(&reason),
        targets,
        freezes,
        commit: commit.to_owned(),
        by: ledger::actor(root),
        at: Timestamp::now().to_string(),
    };
    let id = record.id.clone();
    ledger::commit(
        root,
        &config.ledger_dir,
        ledger::BRANCH,
        &[Record::BreakGlass(record)],
        &format!("drift ledger: break-glass apply\n\nRecorded by flagops apply --break-glass at {commit}."),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot record the break-glass apply in the drift ledger, so nothing was deployed: {e}"
        )
    })?;
    report.ledger_record = Some(id);
    Ok(report)
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
            exempt: vec![FlagClass::KillSwitch, FlagClass::Ops],
        }
    }

    /// A repository configuration whose one freeze covers `production`.
    fn production_frozen() -> RepoConfig {
        let config: RepoConfig = serde_json::from_value(serde_json::json!({
            "version": 1, "applications": {}
        }))
        .unwrap();
        RepoConfig {
            freezes: vec![freeze(&["production"], &[])],
            ..config
        }
    }

    #[test]
    fn a_freeze_covers_its_environments_from_start_to_before_its_end() {
        let config = production_frozen();
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        assert!(active(&config, "shop", "production", at("2026-12-20T00:00:00Z")).is_some());
        assert!(active(&config, "shop", "production", at("2027-01-03T22:59:59Z")).is_some());
        assert!(active(&config, "shop", "production", at("2027-01-03T23:00:00Z")).is_none());
        assert!(active(&config, "shop", "production", at("2026-12-19T23:59:59Z")).is_none());
        assert!(active(&config, "shop", "staging", at("2026-12-24T00:00:00Z")).is_none());
        assert!(covers(&freeze(&[], &["shop"]), "shop", "anything"));
        assert!(!covers(&freeze(&[], &["shop"]), "ops", "production"));
    }

    #[test]
    fn a_frozen_environment_keeps_its_setup_until_the_freeze_ends_or_the_glass_breaks() {
        use crate::plan::setup::{Resource, SettingChange, SetupChange, Update};
        let config = production_frozen();
        let change = |env: &str| SetupChange {
            resource: Resource::Environment,
            site: None,
            name: format!("shop/{env}"),
            undeclared: false,
            settings: vec![SettingChange {
                setting: "monitors".into(),
                live: serde_json::json!([]),
                declared: serde_json::json!([{"alarm_arn": "a"}]),
                kept: None,
            }],
            location: crate::finding::Location::node("flagops.yaml", ""),
            update: Some(Update::Environment {
                application_id: "a".into(),
                id: "e".into(),
                description: None,
                monitors: Vec::new(),
            }),
            frozen: false,
        };
        let plan = Plan {
            setup: vec![change("production"), change("staging")],
            ..Plan::default()
        };
        let at = "2026-12-24T00:00:00Z".parse::<Timestamp>().unwrap();
        let (held, _) = hold(&config, plan.clone(), at, None);
        assert_eq!(held.setup[0].update, None, "production is frozen");
        assert!(
            held.setup[0].settings[0]
                .kept
                .as_deref()
                .is_some_and(|k| k.starts_with("frozen by freeze #1 \"holidays\""))
        );
        assert!(held.setup[1].update.is_some(), "staging is not");
        assert!(
            held.has_holds() && !plan.has_holds(),
            "a frozen setup is a hold: apply and plan exit 2 for it"
        );
        let (broken, _) = hold(&config, plan, at, Some("incident 42"));
        assert!(broken.setup[0].update.is_some(), "through the glass");
        assert!(!broken.has_holds());
    }
}
