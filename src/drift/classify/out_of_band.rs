//! `out-of-band`: AppConfig serves content other than git's from a version or deployment
//! flagops did not make (an emergency console edit), or console-owned values differ from git.
//! The same content from a foreign version is `provenance`, a note: drift is about content.

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
    if foreign_version || foreign_deployment {
        let who = if foreign_version {
            "a hosted version"
        } else {
            "a deployment"
        };
        let described = live_deployment
            .description
            .as_ref()
            .filter(|d| !d.is_empty())
            .map(|d| format!(" (\"{d}\")"))
            .unwrap_or_default();
        let (class, message) = if drift.is_empty() {
            (
                Class::Provenance,
                format!(
                    "in sync: live deployment #{} serves git's content from {who} flagops did not make{described}",
                    live_deployment.number
                ),
            )
        } else {
            (
                Class::OutOfBand,
                format!(
                    "live deployment #{} serves {who} flagops did not make{described}",
                    live_deployment.number
                ),
            )
        };
        let mut f = cx.finding(class, message);
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
