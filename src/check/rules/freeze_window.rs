//! FO222 freeze-window: every freeze in flagops.yaml has RFC 3339 timestamps with `from`
//! before `until`, and names applications and environments that exist (a typo would leave
//! the environment it meant unfrozen).

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::FREEZE_WINDOW, quote};
use crate::load::CONFIG_FILE;
use crate::model::parse_timestamp;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(config) = &cx.model.config else {
        return;
    };
    for (i, freeze) in config.freezes.iter().enumerate() {
        let base = format!("/freezes/{i}");
        let mut parse = |field: &str, text: &str| match parse_timestamp(text) {
            Ok(t) => Some(t),
            Err(why) => {
                out.push(
                    Finding::new(
                        &FREEZE_WINDOW,
                        Location::node(CONFIG_FILE, format!("{base}/{field}")),
                        format!("`{}` {why}", quote(text)),
                    )
                    .help("write an RFC 3339 date-time with a time and an offset, e.g. `2027-03-01T08:00:00Z`"),
                );
                None
            }
        };
        let from = parse("from", &freeze.from);
        let until = parse("until", &freeze.until);
        if let (Some(from), Some(until)) = (from, until)
            && from >= until
        {
            out.push(
                Finding::new(
                    &FREEZE_WINDOW,
                    Location::node(CONFIG_FILE, format!("{base}/until")),
                    format!("the freeze ends ({until}) before it starts ({from})"),
                )
                .label("not after `from`")
                .help("make `until` later than `from`, e.g. `from: 2027-03-01T08:00:00Z` and `until: 2027-03-08T08:00:00Z`"),
            );
        }
        for (j, app) in freeze.applications.iter().enumerate() {
            if !config.applications.contains_key(app) {
                let known = config.applications.keys().map(String::as_str);
                let help = match crate::finding::closest(app, known) {
                    Some(best) => {
                        format!("did you mean `{best}`? A misspelt application is not frozen")
                    }
                    None => format!(
                        "name an application of flagops.yaml's `applications:` ({})",
                        config
                            .applications
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                out.push(
                    Finding::new(
                        &FREEZE_WINDOW,
                        Location::node(CONFIG_FILE, format!("{base}/applications/{j}")),
                        format!(
                            "the freeze names application `{app}`, which flagops.yaml does not declare"
                        ),
                    )
                    .help(help),
                );
            }
        }
        for (j, env) in freeze.environments.iter().enumerate() {
            let exists = config
                .applications
                .iter()
                .filter(|(name, _)| {
                    freeze.applications.is_empty() || freeze.applications.contains(name)
                })
                .any(|(_, app)| app.environments.contains_key(env));
            if !exists {
                out.push(
                    Finding::new(
                        &FREEZE_WINDOW,
                        Location::node(CONFIG_FILE, format!("{base}/environments/{j}")),
                        format!("the freeze names environment `{env}`, which no application it covers has"),
                    )
                    .help("a misspelt environment is not frozen"),
                );
            }
        }
    }
}
