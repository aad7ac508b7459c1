//! `rolled-back` and `reverted`: AppConfig rolled back a flagops deployment (an alarm or a
//! stop), or a person reverted a completed one; or fields are still held from one.

use super::{Class, Context, Finding};
use crate::live::DeployState;
use crate::plan::overlay::{self, Reason};

pub fn classify(cx: &Context<'_>, _found: &[Finding]) -> Vec<Finding> {
    newest_rejected(cx)
        .or_else(|| held(cx))
        .into_iter()
        .collect()
}

/// A rejected flagops attempt newer than what is live.
fn newest_rejected(cx: &Context<'_>) -> Option<Finding> {
    let rejected = cx
        .live
        .state
        .rejected
        .first()
        .filter(|d| d.flagops_commit().is_some())?;
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
    f.flags = cx.differences();
    f.trigger = trigger;
    f.deployment = Some(rejected.number);
    f.version = rejected.version.parse().ok();
    f.at = rejected
        .events
        .first()
        .map(|e| e.occurred_at.clone())
        .or_else(|| rejected.completed_at.clone());
    Some(f)
}

/// Fields still held at their live values after an older rejected deployment.
fn held(cx: &Context<'_>) -> Option<Finding> {
    let mut held = cx.desired.clone();
    let kept = overlay::apply(&mut held, cx.live, &Vec::new(), &[]);
    let Some(Reason::RolledBack {
        deployment,
        state,
        trigger,
    }) = kept.first().map(|k| &k.reason)
    else {
        return None;
    };
    let mut f = cx.finding(
        class_of(state == "REVERTED"),
        format!("values of deployment #{deployment} ({state}) are held at their live values"),
    );
    f.flags = cx.differences();
    f.trigger = Some(trigger.clone()).filter(|t| !t.is_empty());
    f.deployment = Some(*deployment);
    Some(f)
}

fn class_of(reverted: bool) -> Class {
    if reverted {
        Class::Reverted
    } else {
        Class::RolledBack
    }
}
