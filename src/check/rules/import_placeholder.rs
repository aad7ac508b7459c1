//! FO218 import-placeholder: `flagops import` writes a placeholder where AppConfig holds
//! nothing for a field flagops requires (a flag's owner and class, an environment's strategy
//! when it has no deployment to take it from), and lists the field under `placeholders`.
//! Each listed field is reported at its own line until the list no longer names it.

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::IMPORT_PLACEHOLDER};
use crate::load::CONFIG_FILE;
use crate::load::yaml::escape_pointer;
use crate::model::flags::FlagPlaceholder;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for flag in cx.model.flags() {
        let base = flag.pointer();
        for (i, field) in flag.flag.placeholders.iter().enumerate() {
            let name = field.as_str();
            let (value, present) = match field {
                FlagPlaceholder::Owner => (
                    flag.flag.owner.clone().unwrap_or_default(),
                    flag.flag.owner.is_some(),
                ),
                FlagPlaceholder::Class => (flag.flag.class.as_str().to_owned(), true),
            };
            let location = if present {
                Location::node(flag.file, format!("{base}/{name}"))
            } else {
                Location::node(flag.file, format!("{base}/placeholders/{i}"))
            };
            let example = match field {
                FlagPlaceholder::Owner => "the team or person who answers for the flag",
                FlagPlaceholder::Class => {
                    "release, experiment, ops, kill-switch or permission: it drives expiry and deployment urgency"
                }
            };
            out.push(
                Finding::new(
                    &IMPORT_PLACEHOLDER,
                    location,
                    format!(
                        "`{name}` of flag `{}` is a placeholder written by import (`{value}`)",
                        flag.key
                    ),
                )
                .label("placeholder")
                .help(format!(
                    "write the real {name} ({example}), then remove `{name}` from `placeholders`"
                )),
            );
        }
    }

    let Some(config) = &cx.model.config else {
        return;
    };
    for (app_name, app) in &config.applications {
        for (env_name, env) in &app.environments {
            let base = format!(
                "/applications/{}/environments/{}",
                escape_pointer(app_name),
                escape_pointer(env_name)
            );
            for _ in &env.placeholders {
                out.push(
                    Finding::new(
                        &IMPORT_PLACEHOLDER,
                        Location::node(CONFIG_FILE, format!("{base}/strategy")),
                        format!(
                            "the strategy of environment `{app_name}/{env_name}` is a placeholder written by import (`{}`): the environment had no deployment to take it from",
                            env.strategy
                        ),
                    )
                    .label("placeholder")
                    .help("name the deployment strategy this environment should use, then remove `strategy` from `placeholders`"),
                );
            }
        }
    }
}
