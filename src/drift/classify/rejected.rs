//! `rolled-back` and `reverted`: AppConfig rolled back a flagops deployment (an alarm or a
//! stop), or a person reverted a completed one; or fields are still held from one. Each
//! drifted flag is listed under the deployment that actually tried it, never under a later
//! one that did not contain it.

use std::collections::HashSet;

use super::{Class, Context, Finding};
use crate::drift::FlagDrift;
use crate::live::{DeployState, Deployment};
use crate::plan::overlay::{self, Kept, Reason};

pub fn classify(cx: &Context<'_>, _found: &[Finding]) -> Vec<Finding> {
    let mut held = cx.desired.clone();
    let kept = overlay::apply(&mut held, cx.live, &Vec::new(), &[]);
    let differences = cx.differences();
    // The newest rejected flagops attempt, newer than what is live: reported even when it
    // holds nothing (git has moved on since, and differs from live), for it still happened.
    // When git says what is live (the value was adopted), it is in sync.
    let newest = cx
        .live
        .state
        .rejected
        .first()
        .filter(|d| d.flagops_commit().is_some());
    let mut numbers: Vec<i32> = kept.iter().filter_map(deployment_of).collect();
    numbers.sort_unstable_by(|a, b| b.cmp(a));
    numbers.dedup();
    let mut out = Vec::new();
    let git_differs = !differences.is_empty() || cx.live.content.is_none();
    if let Some(d) = newest.filter(|d| !numbers.contains(&d.number) && git_differs) {
        out.push(attempt(cx, d, Vec::new()));
    }
    for number in numbers {
        let from_it: Vec<&Kept> = kept
            .iter()
            .filter(|k| deployment_of(k) == Some(number))
            .collect();
        let keys: HashSet<&str> = from_it.iter().map(|k| k.key.as_str()).collect();
        let flags: Vec<FlagDrift> = differences
            .iter()
            .filter(|f| keys.contains(f.key.as_str()))
            .cloned()
            .collect();
        match newest.filter(|d| d.number == number) {
            Some(d) => out.push(attempt(cx, d, flags)),
            None => out.push(older(cx, from_it[0], flags)),
        }
    }
    out
}

fn deployment_of(kept: &Kept) -> Option<i32> {
    match &kept.reason {
        Reason::RolledBack { deployment, .. } => Some(*deployment),
        Reason::ConsoleOwned => None,
    }
}

/// The newest rejected attempt, with the flags it tried that are held.
fn attempt(cx: &Context<'_>, rejected: &Deployment, flags: Vec<FlagDrift>) -> Finding {
    let trigger = rejected.rollback_reason();
    // A rejected first deployment leaves the profile with nothing live: say so.
    let served = if cx.live.state.live.is_none() {
        "; nothing is served for this profile here"
    } else {
        ""
    };
    let mut f = cx.finding(
        class_of(rejected.state == DeployState::Reverted),
        format!(
            "deployment #{} of version {} was {}{}{served}",
            rejected.number,
            rejected.version,
            rejected.state.as_str(),
            trigger
                .as_ref()
                .map(|t| format!(" by {t}"))
                .unwrap_or_default()
        ),
    );
    f.flags = flags;
    f.trigger = trigger;
    f.deployment = Some(rejected.number);
    f.version = rejected.version.parse().ok();
    f.at = rejected
        .events
        .first()
        .map(|e| e.occurred_at.clone())
        .or_else(|| rejected.completed_at.clone());
    f
}

/// Fields still held at their live values after an older rejected deployment.
fn older(cx: &Context<'_>, kept: &Kept, flags: Vec<FlagDrift>) -> Finding {
    let Reason::RolledBack {
        deployment,
        state,
        trigger,
    } = &kept.reason
    else {
        unreachable!("only rejected deployments hold fields")
    };
    let mut f = cx.finding(
        class_of(state == "REVERTED"),
        format!("values of deployment #{deployment} ({state}) are held at their live values"),
    );
    f.flags = flags;
    f.trigger = Some(trigger.clone()).filter(|t| !t.is_empty());
    f.deployment = Some(*deployment);
    f
}

fn class_of(reverted: bool) -> Class {
    if reverted {
        Class::Reverted
    } else {
        Class::RolledBack
    }
}
