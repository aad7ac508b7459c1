//! FO219 removed-flag-still-referenced, FO220 stale-flag, FO221 refs-settings: flags and the
//! application code that reads them (field report 3: remove the code that reads a flag first,
//! then the definition).
//!
//! With `refs:` in flagops.yaml, the source trees are scanned once (`crate::refs`). A flag that
//! HEAD (or the merge-base with the default branch) has and the working tree no longer has,
//! while code still reads it, is an error at each reference's file:line. A flag no code
//! reads is stale. With `rules.lifetime`, a flag older than its class's expected lifetime (by
//! the first commit in the unbroken run of commits that have it) is stale too.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;

use crate::check::Context;
use crate::finding::catalog::{REFS_SETTINGS, REMOVED_FLAG_STILL_REFERENCED, STALE_FLAG};
use crate::finding::{Finding, Location, Severity};
use crate::git::{self, GitError};
use crate::load::CONFIG_FILE;

/// References reported per removed flag at most; the message counts the rest.
const MAX_REPORTED: usize = 20;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let (Some(root), Some(config)) = (cx.root, &cx.model.config) else {
        return;
    };
    if let Some(settings) = &config.refs {
        references(cx, root, config, settings, out);
    }
    if !config.rules.lifetime.is_empty() {
        lifetime(cx, config, out);
    }
}

fn references(
    cx: &Context<'_>,
    root: &std::path::Path,
    config: &crate::model::RepoConfig,
    settings: &crate::model::config::RefsConfig,
    out: &mut Vec<Finding>,
) {
    let defined: BTreeSet<String> = cx.model.flags().map(|f| f.key.to_owned()).collect();
    // Deleted flags, each with the revisions that still have it.
    let removed: BTreeMap<String, Vec<String>> = match git::baseline(
        root,
        &config.flags_dir,
        &config.default_branch,
    ) {
        Ok(b) => {
            let mut removed: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (label, sha, keys) in &b.revisions {
                for (_, _, key) in keys {
                    if !defined.contains(key) {
                        let at = removed.entry(key.clone()).or_default();
                        let here = format!("{label} {sha}");
                        if !at.contains(&here) {
                            at.push(here);
                        }
                    }
                }
            }
            removed
        }
        Err(GitError::NotARepository(_)) => BTreeMap::new(),
        Err(e) => {
            out.push(
                Finding::new(
                    &REMOVED_FLAG_STILL_REFERENCED,
                    Location::node(CONFIG_FILE, "/refs"),
                    format!(
                        "cannot read git history, so deleted flags were not looked for in code: {e}"
                    ),
                )
                .severity(Severity::Warning)
                .help("run check in a complete, readable clone, e.g. `fetch-depth: 0` with actions/checkout"),
            );
            BTreeMap::new()
        }
    };
    let keys: BTreeSet<String> = defined.iter().chain(removed.keys()).cloned().collect();
    let skip = [
        config.flags_dir.as_str(),
        CONFIG_FILE,
        config.ledger_dir.as_str(),
    ];
    let scan = match crate::refs::scan(root, settings, &[], &keys, &skip) {
        Ok(scan) => scan,
        Err(errors) => {
            for e in errors {
                out.push(
                    Finding::new(
                        &REFS_SETTINGS,
                        Location::node(CONFIG_FILE, e.pointer),
                        e.message,
                    )
                    .help("`refs.patterns` are regular expressions with `{key}` where the flag key goes, e.g. `'isEnabled\\(\"{key}\"\\)'`; `refs.paths` and `refs.exclude` are globs such as `src/**/*.ts`"),
                );
            }
            return;
        }
    };
    for problem in &scan.problems {
        out.push(
            Finding::new(
                &REFS_SETTINGS,
                Location::node(CONFIG_FILE, "/refs"),
                format!("refs: {problem}"),
            )
            .severity(Severity::Warning)
            .help("make the path readable, or leave it out with `refs.exclude`"),
        );
    }

    for (key, had) in &removed {
        // A name that also spells a flag still defined is that flag's reference.
        let refs: Vec<_> = scan
            .of(key)
            .filter(|r| r.keys.iter().all(|k| !defined.contains(k)))
            .collect();
        for r in refs.iter().take(MAX_REPORTED) {
            let more = match refs.len() {
                n if n > MAX_REPORTED && std::ptr::eq(*r, refs[0]) => {
                    format!(" ({} references in all)", n)
                }
                _ => String::new(),
            };
            out.push(
                Finding::new(
                    &REMOVED_FLAG_STILL_REFERENCED,
                    Location::Text {
                        file: r.file.clone(),
                        span: r.span,
                    },
                    format!(
                        "flag `{key}` is deleted ({} has it) but this code still reads it{more}",
                        had.join(" and ")
                    ),
                )
                .label("still reads the deleted flag")
                .help("remove the code that reads the flag first, and delete the definition in a later change"),
            );
        }
    }

    if scan.files == 0 {
        return;
    }
    for flag in cx.model.flags() {
        if scan.of(flag.key).next().is_some() {
            continue;
        }
        out.push(
            Finding::new(
                &STALE_FLAG,
                Location::key(flag.file, flag.pointer()),
                format!(
                    "flag `{}` is not referenced in application code ({} file{} scanned)",
                    flag.key,
                    scan.files,
                    if scan.files == 1 { "" } else { "s" }
                ),
            )
            .label("no code reads it")
            .help("remove the flag if no code needs it any more; `flagops refs` lists references, and `refs.aliases` names other spellings"),
        );
    }
}

fn lifetime(cx: &Context<'_>, config: &crate::model::RepoConfig, out: &mut Vec<Finding>) {
    let Some(Ok(history)) = cx.key_facts() else {
        return; // deleted-key-reuse reports unreadable history
    };
    for flag in cx.model.flags() {
        let Some(days) = config.rules.lifetime.get(&flag.flag.class) else {
            continue;
        };
        let added = history.added(flag.application, flag.profile, flag.key);
        let Some(added) = added.and_then(|d| d.parse::<Date>().ok()) else {
            continue; // not committed yet: new
        };
        let Ok(age) = added.until(cx.today) else {
            continue;
        };
        let age = i64::from(age.get_days());
        if age <= i64::from(*days) {
            continue;
        }
        out.push(
            Finding::new(
                &STALE_FLAG,
                Location::key(flag.file, flag.pointer()),
                format!(
                    "flag `{}` was added on {added}, {age} days ago; {} flags are expected to live {days} days",
                    flag.key,
                    flag.flag.class.as_str()
                ),
            )
            .label("stale")
            .help("remove the flag (code first, then the definition), or change `rules.lifetime` if this class lives longer"),
        );
    }
}
