//! FO210 expiry-passed, FO211 expiry-near, FO212 expiry-required: flags do not outlive their
//! purpose. The policy per class comes from `rules.expiry`; "today" is injected.

use jiff::civil::Date;

use crate::check::Context;
use crate::finding::catalog::{EXPIRY_NEAR, EXPIRY_PASSED, EXPIRY_REQUIRED};
use crate::finding::{Finding, Location};

/// Warning window when a class has no policy.
const DEFAULT_WARN_DAYS: i64 = 14;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let policies = cx.model.config.as_ref().map(|c| &c.rules.expiry);
    for flag in cx.model.flags() {
        let policy = policies.and_then(|p| p.get(&flag.flag.class));
        let Some(text) = &flag.flag.expires else {
            if policy.is_some_and(|p| p.required) {
                out.push(
                    Finding::new(
                        &EXPIRY_REQUIRED,
                        Location::key(flag.file, flag.pointer()),
                        format!(
                            "{} flag `{}` has no expiry date",
                            flag.flag.class.as_str(),
                            flag.key
                        ),
                    )
                    .help(
                        "add `expires: YYYY-MM-DD`: the date by which the flag should be removed",
                    ),
                );
            }
            continue;
        };
        let Ok(expires) = text.parse::<Date>() else {
            // The schema's `format: date` reports malformed dates.
            continue;
        };
        let pointer = format!("{}/expires", flag.pointer());
        let Ok(span) = cx.today.until(expires) else {
            continue;
        };
        let days_left = i64::from(span.get_days());
        let warn_days = policy.map_or(DEFAULT_WARN_DAYS, |p| i64::from(p.warn_days));
        if days_left < 0 {
            out.push(
                Finding::new(&EXPIRY_PASSED, Location::node(flag.file, pointer), format!("flag `{}` expired on {expires}, {} ago", flag.key, days(-days_left)))
                    .label("expired")
                    .help("remove the flag (code first, then the definition) or extend `expires` in a reviewed change"),
            );
        } else if days_left <= warn_days {
            out.push(
                Finding::new(
                    &EXPIRY_NEAR,
                    Location::node(flag.file, pointer),
                    match days_left {
                        0 => format!("flag `{}` expires today ({expires})", flag.key),
                        n => format!("flag `{}` expires on {expires}, in {}", flag.key, days(n)),
                    },
                )
                .label("expires soon")
                .help("remove the flag before then (code first, then the definition), or move `expires` later in a reviewed change"),
            );
        }
    }
}

/// The first day after `cx.today` on which this rule could find something else in the model,
/// `None` when no day would: what it finds for one day holds until then. A flag in its warning
/// window or past its date changes every day (the messages count the days); a later one when
/// its warning window opens.
pub fn unchanged_until(cx: &Context<'_>) -> Option<Date> {
    let policies = cx.model.config.as_ref().map(|c| &c.rules.expiry);
    let tomorrow = cx.today.tomorrow().ok();
    let mut until: Option<Date> = None;
    for flag in cx.model.flags() {
        let Some(expires) = (flag.flag.expires.as_ref()).and_then(|t| t.parse::<Date>().ok())
        else {
            continue;
        };
        let policy = policies.and_then(|p| p.get(&flag.flag.class));
        let warn_days = policy.map_or(DEFAULT_WARN_DAYS, |p| i64::from(p.warn_days));
        let opens = expires.checked_sub(jiff::Span::new().days(warn_days)).ok();
        let next = match opens {
            Some(opens) if opens > cx.today => Some(opens),
            // Its date unknown or already in the window: it may read otherwise tomorrow.
            _ => tomorrow,
        };
        until = match (until, next) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    until
}

/// "1 day", "21 days": the messages read as sentences.
fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}
