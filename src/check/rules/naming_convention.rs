//! FO208 naming-convention: flag keys follow the house convention from `rules.naming`
//! (e.g. a dated suffix, so that a new flag is never switched on by a stale record of an old
//! flag with the same name).

use regex::Regex;

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::NAMING_CONVENTION, quote};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(naming) = cx
        .model
        .config
        .as_ref()
        .and_then(|c| c.rules.naming.as_ref())
    else {
        return;
    };
    let pattern = match Regex::new(&naming.pattern) {
        Ok(pattern) => pattern,
        Err(error) => {
            // The syntax error's own text repeats the whole pattern: only its kind is said.
            let why = match error {
                regex::Error::CompiledTooBig(limit) => {
                    format!("compiles to more than {limit} bytes")
                }
                _ => "is not a valid regular expression".to_owned(),
            };
            out.push(
                Finding::new(
                    &NAMING_CONVENTION,
                    Location::node(crate::load::CONFIG_FILE, "/rules/naming/pattern"),
                    format!("`{}` {why}", quote(&naming.pattern)),
                )
                .help(r"write a Rust regular expression, quoted in YAML, e.g. `pattern: '^[a-z][a-z0-9_]*_\d{8}$'`"),
            );
            return;
        }
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
                    quote(flag.key),
                    quote(&naming.pattern)
                ),
            );
            finding = finding.help(match &naming.help {
                Some(help) => help.clone(),
                None => format!("rename the flag to match `{}`", quote(&naming.pattern)),
            });
            out.push(finding);
        }
    }
}
