//! What plan and apply share: a checked repository, its selected targets and a backend.

use crate::check::Documents;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::check::Report;
use crate::cli::{BackendArgs, TargetFilter};
use crate::compile::Target;
use crate::finding::Severity;
use crate::live::Backend;
use crate::live::appconfig::AppConfigBackend;
use crate::live::local::LocalBackend;
use crate::load::Loaded;
use crate::model::RepoConfig;
use crate::output::{self, CheckOutput, Format};

/// The default directory of the local backend, relative to the repository root.
pub const DEFAULT_LOCAL_DIR: &str = ".flagops/local";

/// A repository that passed check.
pub struct Checked {
    pub root: PathBuf,
    pub loaded: Loaded,
    pub report: Report,
}

impl Checked {
    pub fn config(&self) -> &RepoConfig {
        self.report
            .model
            .config
            .as_ref()
            .unwrap_or_else(|| unreachable!("check passed without a config"))
    }

    pub fn targets(&self, filter: &TargetFilter) -> Vec<&Target> {
        self.report
            .compiled
            .targets
            .iter()
            .filter(|t| filter.matches(&t.id))
            .collect()
    }
}

/// Loads and checks the repository; on check errors prints them and returns `None`: nothing
/// that fails check is planned or applied.
pub fn checked(repo: &Path, today: Option<jiff::civil::Date>) -> anyhow::Result<Option<Checked>> {
    let root = super::repo_root(repo)?;
    let (loaded, report) = super::load_and_check(&root, super::today(today), Documents::Keep);
    if report.errors() > 0 || report.model.config.is_none() {
        let errors: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .cloned()
            .collect();
        let out = CheckOutput {
            findings: &errors,
            sources: &loaded.sources,
            files: loaded.sources.iter().count(),
            targets: 0,
        };
        output::print_stderr(&output::render_check(
            Format::Human,
            &out,
            output::stderr_has_color(),
        ));
        return Ok(None);
    }
    Ok(Some(Checked {
        root,
        loaded,
        report,
    }))
}

/// The backend named on the command line, in flagops.yaml, or AppConfig.
pub async fn backend(
    args: &BackendArgs,
    config: &RepoConfig,
    root: &Path,
) -> anyhow::Result<Backend> {
    let spec = args
        .backend
        .as_deref()
        .or(config.backend.as_deref())
        .unwrap_or("appconfig");
    match spec
        .split_once(':')
        .map_or((spec, None), |(k, d)| (k, Some(d)))
    {
        ("appconfig", None) => Ok(Backend::AppConfig(AppConfigBackend::from_env().await)),
        ("local", dir) => {
            let dir = root.join(dir.filter(|d| !d.is_empty()).unwrap_or(DEFAULT_LOCAL_DIR));
            Ok(Backend::Local(LocalBackend::new(dir)))
        }
        _ => bail!("unknown backend `{spec}`: use `appconfig` or `local[:DIR]`"),
    }
}

/// A single-threaded runtime: flagops's concurrency is I/O, bounded, and needs no threads.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
