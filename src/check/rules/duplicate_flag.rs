//! FO215 duplicate-flag: two files define the same key in one profile; only one can win.

use std::collections::HashMap;

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::DUPLICATE_FLAG};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut first: HashMap<(&str, &str, &str), &str> = HashMap::new();
    for flag in cx.model.flags() {
        let key = (flag.application, flag.profile, flag.key);
        match first.get(&key) {
            Some(file) => out.push(
                Finding::new(
                    &DUPLICATE_FLAG,
                    Location::key(flag.file, flag.pointer()),
                    format!(
                        "flag `{}` of {}/{} is already defined in {file}",
                        flag.key, flag.application, flag.profile
                    ),
                )
                .label("second definition")
                .help(
                    "keep one definition: delete this one, or rename the key if it is another flag",
                ),
            ),
            None => {
                first.insert(key, flag.file);
            }
        }
    }
}
