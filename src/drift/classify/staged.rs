//! `staged`: a hosted version newer than the live one that was never deployed here.

use std::collections::HashSet;

use super::{Class, Context, Finding};

pub fn classify(cx: &Context<'_>, _found: &[Finding]) -> Vec<Finding> {
    let Some(list) = cx.versions else {
        return Vec::new();
    };
    let environment = &cx.target.id.environment;
    let live_number = cx.live.version.as_ref().map_or(0, |v| v.number);
    let deployed_here: HashSet<&str> = cx
        .live
        .history
        .iter()
        .map(|(d, _)| d.version.as_str())
        .collect();
    let mut out = Vec::new();
    for v in list.iter().filter(|v| v.number > live_number) {
        let number = v.number.to_string();
        let ours = crate::vocabulary::is_flagops_label(v.label.as_deref());
        let for_here = v
            .label
            .as_deref()
            .is_some_and(|l| l.ends_with(&format!(".{environment}")));
        let staged = if ours {
            for_here && !deployed_here.contains(number.as_str())
        } else {
            cx.deployed_anywhere
                .is_none_or(|s| !s.contains(number.as_str()))
        };
        if staged {
            let mut f = cx.finding(
                Class::Staged,
                format!(
                    "hosted version {} ({}) is newer than the live one and was never deployed here",
                    v.number,
                    v.label.as_deref().unwrap_or("no label")
                ),
            );
            f.version = Some(v.number);
            out.push(f);
        }
    }
    out
}
