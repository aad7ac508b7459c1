//! FO203 attribute-count: AppConfig allows at most 25 attributes per flag, counting the ones
//! flagops generates for allow lists and active periods.

use crate::check::Context;
use crate::compile::ProfileTargets;
use crate::finding::{Finding, Location, catalog::ATTRIBUTE_COUNT};

pub const MAX_ATTRIBUTES: usize = 25;

pub fn check(_: &Context<'_>, profile: &ProfileTargets<'_>, out: &mut Vec<Finding>) {
    for target in &profile.targets {
        let Some(flags) = target.document.get("flags").and_then(|f| f.as_object()) else {
            continue;
        };
        for (key, def) in flags {
            let count = def
                .get("attributes")
                .and_then(|a| a.as_object())
                .map_or(0, |a| a.len());
            if count <= MAX_ATTRIBUTES {
                continue;
            }
            if let Some((file, pointer)) = target.origins.get(key) {
                out.push(
                    Finding::new(
                        &ATTRIBUTE_COUNT,
                        Location::key(file, format!("{pointer}/attributes")),
                        format!("flag `{key}` has {count} attributes; AppConfig allows {MAX_ATTRIBUTES}"),
                    )
                    .help("allow lists and active periods each add an attribute; split the flag or drop attributes"),
                );
            }
        }
    }
}
