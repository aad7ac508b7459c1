//! What plan and apply share: a checked repository, its selected targets and a backend.

use crate::check::Documents;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::check::Report;
use crate::cli::Format;
use crate::cli::{BackendArgs, TargetFilter};
use crate::compile::Target;
use crate::finding::Severity;
use crate::live::appconfig::AppConfigBackend;
use crate::live::local::LocalBackend;
use crate::live::{Backend, BackendSpec};
use crate::load::Loaded;
use crate::model::RepoConfig;
use crate::output::{self, check::CheckOutput};

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
pub fn checked(repo: &Path, today: jiff::civil::Date) -> anyhow::Result<Option<Checked>> {
    let root = super::repo_root(repo)?;
    let (loaded, report) = super::load_and_check(&root, today, Documents::Keep);
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
        output::print_stderr(&output::check::render(
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
    let spec = match (&args.backend, &config.backend) {
        (Some(spec), _) => spec.clone(),
        (None, Some(text)) => text.parse().map_err(anyhow::Error::msg)?,
        (None, None) => BackendSpec::AppConfig,
    };
    Ok(match spec.local_dir(root) {
        None => Backend::AppConfig(AppConfigBackend::from_env().await),
        Some(dir) => Backend::Local(LocalBackend::new(dir)),
    })
}

/// A single-threaded runtime: flagops's concurrency is I/O, bounded, and needs no threads.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
