//! `out-of-band`: the live version or deployment was not made by flagops (an emergency
//! console edit), or console-owned values differ from git.

use super::{Class, Context, Finding, explained};
use crate::drift::made_by_flagops;

pub fn classify(cx: &Context<'_>, found: &[Finding]) -> Vec<Finding> {
    let Some(live_deployment) = &cx.live.state.live else {
        return Vec::new();
    };
    if explained(found) {
        return Vec::new();
    }
    let foreign_deployment = live_deployment.flagops_commit().is_none();
    let foreign_version = cx
        .live
        .version
        .as_ref()
        .is_some_and(|v| !made_by_flagops(v));
    let drift = cx.differences();
    if foreign_version || (foreign_deployment && !drift.is_empty()) {
        let who = if foreign_version {
            "a hosted version"
        } else {
            "a deployment"
        };
        let mut f = cx.finding(
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
        return vec![f];
    }
    // Console-owned differences are drift too: reported and recorded, never reverted.
    if !drift.is_empty() && drift.iter().all(|d| d.console_owned) {
        let mut f = cx.finding(
            Class::OutOfBand,
            "console-owned values differ from git (apply keeps them)".into(),
        );
        f.flags = drift;
        return vec![f];
    }
    Vec::new()
}
