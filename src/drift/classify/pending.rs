//! `pending`: git changed and apply has not run since.

use super::{Class, Context, Finding, explained};

pub fn classify(cx: &Context<'_>, found: &[Finding]) -> Vec<Finding> {
    if explained(found) || found.iter().any(|f| f.class == Class::OutOfBand) {
        return Vec::new();
    }
    if cx.live.state.live.is_none() {
        if super::in_flight::running(cx).is_some() {
            return Vec::new();
        }
        return vec![cx.finding(
            Class::Pending,
            "nothing is deployed yet: apply has not run".into(),
        )];
    }
    let drift = cx.differences();
    if drift.is_empty() {
        return Vec::new();
    }
    let mut f = cx.finding(
        Class::Pending,
        "git differs from what is live: apply has not run since the change".into(),
    );
    f.flags = drift;
    vec![f]
}
