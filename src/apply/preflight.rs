//! Before apply deploys anything: the commit it deploys, from a clean default branch.

use std::path::Path;

use anyhow::bail;

use crate::model::config::RepoConfig;

/// The commit apply deploys, and a warning to show when it cannot be known.
pub struct Preflight {
    pub commit: String,
    pub warning: Option<String>,
}

/// apply deploys committed state of the default branch (or any branch, when allowed);
/// uncommitted changes to flagops.yaml or the flags refuse it.
pub fn check(
    root: &Path,
    config: &RepoConfig,
    allow_any_branch: bool,
) -> anyhow::Result<Preflight> {
    let head = crate::git::head(root, &[crate::load::CONFIG_FILE, &config.flags_dir]);
    match head {
        Ok(h)
            if h.branch.as_deref() == Some(config.default_branch.as_str()) || allow_any_branch =>
        {
            if h.dirty {
                bail!(
                    "flagops.yaml or {}/ has uncommitted changes: apply deploys committed state only (commit or stash them)",
                    config.flags_dir
                );
            }
            Ok(Preflight {
                commit: h.sha,
                warning: None,
            })
        }
        Ok(h) => bail!(
            "apply runs from the default branch `{}`, but HEAD is {}; pass --allow-any-branch to override",
            config.default_branch,
            h.branch
                .as_deref()
                .map_or("detached".to_owned(), |b| format!("on `{b}`"))
        ),
        Err(e) if allow_any_branch => Ok(Preflight {
            commit: "unknown".to_owned(),
            warning: Some(format!("{e}; versions will record commit `unknown`")),
        }),
        Err(e) => bail!("{e}: apply needs the git commit it deploys (or --allow-any-branch)"),
    }
}
