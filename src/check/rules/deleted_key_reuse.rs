//! FO216 deleted-key-reuse: a flag key that existed, was deleted, and is introduced again.
//!
//! Applications and caches may still hold values of the old flag (field report 3: a stale
//! record of an old flag switching a new one on), so reuse must be deliberate: the flag
//! declares `reintroduces: <why>`. History comes from git (first-parent chain from HEAD);
//! a shallow clone cannot show deletions and is reported as such.

use std::collections::HashSet;

use crate::check::Context;
use crate::finding::{Finding, Location, Severity, catalog::DELETED_KEY_REUSE};
use crate::git::GitError;
use crate::load::CONFIG_FILE;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let history = match cx.key_facts() {
        None | Some(Err(GitError::NotARepository(_))) => return,
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            out.push(
                Finding::new(
                    &DELETED_KEY_REUSE,
                    Location::File {
                        file: CONFIG_FILE.to_owned(),
                    },
                    format!("cannot read git history, so deleted flag keys were not checked: {e}"),
                )
                .severity(Severity::Warning)
                .help("run check in a complete, readable clone, e.g. `fetch-depth: 0` with actions/checkout"),
            );
            return;
        }
    };
    if history.shallow {
        out.push(
            Finding::new(&DELETED_KEY_REUSE, Location::File { file: CONFIG_FILE.to_owned() }, "this is a shallow clone: flag keys deleted in the missing history cannot be checked for reuse")
                .severity(Severity::Warning)
                .help("check out the full history, e.g. `fetch-depth: 0` with actions/checkout"),
        );
    }

    let deleted =
        |f: &crate::model::FlagRef<'_>| history.deleted_in(f.application, f.profile, f.key);
    // A key some definition reuses without saying why: every definition of it is reported.
    let unexplained: HashSet<(&str, &str, &str)> = cx
        .model
        .flags()
        .filter(|f| f.flag.reintroduces.is_none() && deleted(f).is_some())
        .map(|f| (f.application, f.profile, f.key))
        .collect();
    for flag in cx.model.flags() {
        let Some(commit) = deleted(&flag)
            .filter(|_| unexplained.contains(&(flag.application, flag.profile, flag.key)))
        else {
            continue;
        };
        out.push(
            Finding::new(
                &DELETED_KEY_REUSE,
                Location::key(flag.file, flag.pointer()),
                format!(
                    "flag key `{}` was deleted in {} ({}: {}) and is introduced again",
                    flag.key, commit.short_sha, commit.date, commit.summary
                ),
            )
            .label("reused key")
            .help("pick a new key (e.g. with today's date), or declare `reintroduces: <why>` if clients can no longer hold the old flag's values"),
        );
    }
}
