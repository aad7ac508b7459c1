//! `untrusted-history`: a note that the environment's ListDeployments broke AppConfig's
//! contract (newest first, paged by NextToken), so the whole history was read and ordered by
//! deployment number instead. Classification stays right; the endpoint is worth a look.

use super::{Class, Context, Finding};

pub fn classify(cx: &Context<'_>, _found: &[Finding]) -> Vec<Finding> {
    let Some(how) = &cx.live.untrusted_history else {
        return Vec::new();
    };
    vec![cx.finding(Class::UntrustedHistory, how.clone())]
}
