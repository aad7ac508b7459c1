//! FO206 period-order: active periods have valid RFC 3339 timestamps and `from` < `until`.

use jiff::Timestamp;

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::PERIOD_ORDER, quote};
use crate::model::parse_timestamp;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for flag in cx.model.flags() {
        for (pointer, _, block) in flag.value_blocks() {
            let Some(period) = &block.active else {
                continue;
            };
            let mut parse = |field: &str, value: &Option<String>| -> Option<Timestamp> {
                let text = value.as_ref()?;
                match parse_timestamp(text) {
                    Ok(t) => Some(t),
                    Err(why) => {
                        out.push(
                            Finding::new(&PERIOD_ORDER, Location::node(flag.file, format!("{pointer}/active/{field}")), format!("`{}` {why}", quote(text)))
                                .help("write an RFC 3339 date-time with a time and an offset, e.g. `2027-03-01T08:00:00Z`"),
                        );
                        None
                    }
                }
            };
            let from = parse("from", &period.from);
            let until = parse("until", &period.until);
            if let (Some(from), Some(until)) = (from, until)
                && from >= until
            {
                // Equal instants are often written with different offsets (09:00+01:00 and
                // 08:00Z): "ends before it starts" would then read as a false claim.
                let message = if from == until {
                    format!("the active period is empty: it ends the moment it starts ({from})")
                } else {
                    format!("the active period ends ({until}) before it starts ({from})")
                };
                out.push(
                    Finding::new(
                        &PERIOD_ORDER,
                        Location::node(flag.file, format!("{pointer}/active/until")),
                        message,
                    )
                    .label("not after `from`")
                    .help("make `until` later than `from`, e.g. `from: 2027-03-01T08:00:00Z` and `until: 2027-03-08T08:00:00Z`"),
                );
            }
        }
    }
}
