//! `pending`: git changed and apply has not run since (its own deployment under way is
//! pending too, found by the in-flight classifier). Flags a rejected deployment explains are
//! reported under it, not here.

use std::collections::HashSet;

use super::{Class, Context, Finding, explained};

pub fn classify(cx: &Context<'_>, found: &[Finding]) -> Vec<Finding> {
    let taken = [Class::OutOfBand, Class::Pending, Class::Provenance];
    if found.iter().any(|f| taken.contains(&f.class)) {
        return Vec::new();
    }
    if cx.live.state.live.is_none() {
        if super::in_flight::running(cx).is_some() || explained(found) {
            return Vec::new();
        }
        return vec![cx.finding(
            Class::Pending,
            "nothing is deployed yet: apply has not run".into(),
        )];
    }
    let attributed: HashSet<&str> = found
        .iter()
        .flat_map(|f| f.flags.iter().map(|flag| flag.key.as_str()))
        .collect();
    let drift: Vec<_> = cx
        .differences()
        .into_iter()
        .filter(|flag| !attributed.contains(flag.key.as_str()))
        .collect();
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
