//! FO207 allow-list-duplicate: an allow list names the same entry twice (usually a paste
//! mistake, sometimes a sign the wrong id was meant).

use std::collections::HashMap;

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::ALLOW_LIST_DUPLICATE};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for flag in cx.model.flags() {
        for (pointer, _, block) in flag.value_blocks() {
            let Some(allow) = &block.allow else { continue };
            let mut first: HashMap<&str, usize> = HashMap::new();
            for (i, entry) in allow.iter().enumerate() {
                if let Some(j) = first.get(entry.as_str()) {
                    out.push(
                        Finding::new(
                            &ALLOW_LIST_DUPLICATE,
                            Location::node(flag.file, format!("{pointer}/allow/{i}")),
                            format!("`{entry}` is already in this allow list (entry {})", j + 1),
                        )
                        .label("duplicate")
                        .help(format!(
                            "delete this entry: entry {} already allows `{entry}`",
                            j + 1
                        )),
                    );
                } else {
                    first.insert(entry, i);
                }
            }
        }
    }
}
