//! `in-flight`: a deployment is still rolling out or baking.

use super::{Class, Context, Finding};
use crate::live::DeployState;

pub fn classify(cx: &Context<'_>, _found: &[Finding]) -> Vec<Finding> {
    let Some(d) = running(cx) else {
        return Vec::new();
    };
    let mut f = cx.finding(
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
