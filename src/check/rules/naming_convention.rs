//! FO208 naming-convention: flag keys follow the house convention from `rules.naming`
//! (e.g. a dated suffix, so that a new flag is never switched on by a stale record of an old
//! flag with the same name).

use regex::Regex;

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::NAMING_CONVENTION};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(naming) = cx
        .model
        .config
        .as_ref()
        .and_then(|c| c.rules.naming.as_ref())
    else {
        return;
    };
    let Ok(pattern) = Regex::new(&naming.pattern) else {
        out.push(Finding::new(
            &NAMING_CONVENTION,
            Location::node(crate::load::CONFIG_FILE, "/rules/naming/pattern"),
            format!("`{}` is not a valid regular expression", naming.pattern),
        ));
        return;
    };
    for flag in cx.model.flags() {
        let applies = naming.classes.is_empty() || naming.classes.contains(&flag.flag.class);
        if applies && !pattern.is_match(flag.key) {
            let mut finding = Finding::new(
                &NAMING_CONVENTION,
                Location::key(flag.file, flag.pointer()),
                format!(
                    "{} flag `{}` does not match the naming convention `{}`",
                    flag.flag.class.as_str(),
                    flag.key,
                    naming.pattern
                ),
            );
            if let Some(help) = &naming.help {
                finding = finding.help(help.clone());
            }
            out.push(finding);
        }
    }
}
