//! A deployment still rolling out or baking. flagops's own is `pending` (its work under way,
//! drift only once it is old); another's is `in-flight`, named with who started it and what.

use super::{Class, Context, Finding};
use crate::live::DeployState;

pub fn classify(cx: &Context<'_>, _found: &[Finding]) -> Vec<Finding> {
    let Some(d) = running(cx) else {
        return Vec::new();
    };
    let progress = format!("{} ({:.0}%)", d.state.as_str(), d.percentage);
    let mut f = match d.flagops_commit() {
        Some(commit) => cx.finding(
            Class::Pending,
            format!(
                "flagops deployment #{} of version {} (commit {}) is {progress}",
                d.number,
                d.version,
                commit.get(..12).unwrap_or(commit)
            ),
        ),
        None => {
            let by = d
                .description
                .as_ref()
                .filter(|d| !d.is_empty())
                .map(|d| format!(", described \"{d}\""))
                .unwrap_or_default();
            let strategy = d
                .strategy_id
                .as_ref()
                .map(|s| format!(", strategy {s}"))
                .unwrap_or_default();
            cx.finding(
                Class::InFlight,
                format!(
                    "deployment #{} of version {}, not made by flagops{by}{strategy}, is {progress}",
                    d.number, d.version
                ),
            )
        }
    };
    f.deployment = Some(d.number);
    f.at = d.started_at.clone();
    vec![f]
}

/// The deployment still running: rolling out, or live and baking.
pub fn running<'a>(cx: &Context<'a>) -> Option<&'a crate::live::Deployment> {
    let state = &cx.live.state;
    state.in_flight.as_ref().or(state
        .live
        .as_ref()
        .filter(|d| d.state == DeployState::Baking))
}
