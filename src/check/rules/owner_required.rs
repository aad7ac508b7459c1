//! FO209 owner-required: every flag names who answers for it.

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::OWNER_REQUIRED};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for flag in cx.model.flags() {
        let owner = flag
            .flag
            .owner
            .as_deref()
            .map(str::trim)
            .unwrap_or_default();
        if owner.is_empty() {
            out.push(
                Finding::new(
                    &OWNER_REQUIRED,
                    Location::key(flag.file, flag.pointer()),
                    format!("flag `{}` has no owner", flag.key),
                )
                .label("add `owner:` here")
                .help(
                    "name the team or person who answers for the flag, e.g. `owner: team-payments`",
                ),
            );
        }
    }
}
