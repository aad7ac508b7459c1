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
                    .help("write e.g. 2026-12-21T00:00:00Z (a time and an offset are required)"),
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
                .label("not after `from`"),
            );
        }
        for (j, app) in freeze.applications.iter().enumerate() {
            if !config.applications.contains_key(app) {
                out.push(Finding::new(
                    &FREEZE_WINDOW,
                    Location::node(CONFIG_FILE, format!("{base}/applications/{j}")),
                    format!(
                        "the freeze names application `{app}`, which flagops.yaml does not declare"
                    ),
                ));
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
