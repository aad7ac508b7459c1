//! FO205 unknown-reference: every application, profile, environment and strategy a file
//! names exists, every rule `rules.levels` names exists, and flags go to feature-flag
//! profiles, content to freeform ones.

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::UNKNOWN_REFERENCE};
use crate::load::CONFIG_FILE;
use crate::load::yaml::escape_pointer;
use crate::model::config::ProfileKind;
use crate::vocabulary::PREDEFINED_STRATEGIES;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(config) = &cx.model.config else {
        return;
    };

    // A misspelt rule in `rules.levels` would silently leave its level as it was.
    for name in config.rules.levels.keys() {
        if crate::finding::catalog::find(name).is_none() {
            let names = crate::finding::catalog::ALL.iter().map(|r| r.name);
            let codes = crate::finding::catalog::ALL.iter().map(|r| r.code);
            let hint = crate::finding::closest(name, names.chain(codes))
                .map(|best| format!("did you mean `{best}`? "))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    &UNKNOWN_REFERENCE,
                    Location::key(
                        CONFIG_FILE,
                        format!("/rules/levels/{}", escape_pointer(name)),
                    ),
                    format!(
                        "no rule `{}` (a name or code from `flagops rules`)",
                        crate::finding::quote(name)
                    ),
                )
                .help(format!(
                    "{hint}`flagops rules` lists every rule's code and name"
                )),
            );
        }
    }

    for (app_name, app) in &config.applications {
        for (env_name, env) in &app.environments {
            let base = format!(
                "/applications/{}/environments/{}",
                escape_pointer(app_name),
                escape_pointer(env_name)
            );
            for (field, name) in [
                ("strategy", Some(&env.strategy)),
                ("urgent_strategy", env.urgent_strategy.as_ref()),
            ] {
                let Some(name) = name else { continue };
                if !config.strategies.contains_key(name)
                    && !PREDEFINED_STRATEGIES.contains(&name.as_str())
                {
                    let known: Vec<&str> = config
                        .strategies
                        .keys()
                        .map(String::as_str)
                        .chain(PREDEFINED_STRATEGIES.iter().copied())
                        .collect();
                    out.push(
                        Finding::new(
                            &UNKNOWN_REFERENCE,
                            Location::node(CONFIG_FILE, format!("{base}/{field}")),
                            format!("unknown deployment strategy `{name}`"),
                        )
                        .help(format!(
                            "define it under `strategies:` or use one of: {}",
                            known.join(", ")
                        )),
                    );
                }
            }
        }
    }

    for (path, file) in &cx.model.files {
        let Some(app) = config.applications.get(&file.application) else {
            out.push(
                Finding::new(
                    &UNKNOWN_REFERENCE,
                    Location::node(path, "/application"),
                    format!("unknown application `{}`", file.application),
                )
                .help(format!(
                    "applications in {CONFIG_FILE}: {}",
                    names(config.applications.keys())
                )),
            );
            continue;
        };
        let Some(profile) = app.profiles.get(&file.profile) else {
            out.push(
                Finding::new(
                    &UNKNOWN_REFERENCE,
                    Location::node(path, "/profile"),
                    format!(
                        "application `{}` has no profile `{}`",
                        file.application, file.profile
                    ),
                )
                .help(format!("its profiles: {}", names(app.profiles.keys()))),
            );
            continue;
        };
        match (profile.kind, file.flags.is_some(), file.content.is_some()) {
            (ProfileKind::FeatureFlags, _, true) => out.push(Finding::new(
                &UNKNOWN_REFERENCE,
                Location::key(path, "/content"),
                format!(
                    "profile `{}` holds feature flags; `content:` is for freeform profiles",
                    file.profile
                ),
            )
            .help("write the flags under `flags:`, or name a freeform profile in `profile:`")),
            (ProfileKind::Freeform, true, _) => out.push(Finding::new(
                &UNKNOWN_REFERENCE,
                Location::key(path, "/flags"),
                format!(
                    "profile `{}` is freeform; `flags:` is for feature-flag profiles",
                    file.profile
                ),
            )
            .help("write the document under `content:`, or name a feature-flag profile in `profile:`")),
            (ProfileKind::Freeform, false, false) => out.push(Finding::new(
                &UNKNOWN_REFERENCE,
                Location::node(path, ""),
                format!(
                    "profile `{}` is freeform: give its `content:`",
                    file.profile
                ),
            )
            .help("add `content:` with the document AppConfig serves, e.g. `content: { maintenance: false }`")),
            _ => {}
        }
        let known_env = |env: &str| app.environments.contains_key(env);
        if let Some(flags) = &file.flags {
            for (key, flag) in flags {
                for env in flag.environments.keys().filter(|e| !known_env(e)) {
                    out.push(unknown_env(
                        path,
                        &format!(
                            "/flags/{}/environments/{}",
                            escape_pointer(key),
                            escape_pointer(env)
                        ),
                        env,
                        &file.application,
                        app.environments.keys(),
                    ));
                }
            }
        }
        if let Some(content) = &file.content {
            for env in content.environments.keys().filter(|e| !known_env(e)) {
                out.push(unknown_env(
                    path,
                    &format!("/content/environments/{}", escape_pointer(env)),
                    env,
                    &file.application,
                    app.environments.keys(),
                ));
            }
        }
    }
}

fn unknown_env<'a>(
    path: &str,
    pointer: &str,
    env: &str,
    app: &str,
    known: impl Iterator<Item = &'a String>,
) -> Finding {
    Finding::new(
        &UNKNOWN_REFERENCE,
        Location::key(path, pointer),
        format!("application `{app}` has no environment `{env}`"),
    )
    .label("unknown environment")
    .help(format!("its environments: {}", names(known)))
}

fn names<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    keys.map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
