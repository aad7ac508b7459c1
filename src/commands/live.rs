//! What plan and apply share: a checked repository, its selected targets and a backend.

use crate::check::Documents;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::check::Report;
use crate::check::scope::{self, Blocked, Purpose};
use crate::cli::Format;
use crate::cli::{BackendArgs, TargetFilter};
use crate::compile::Target;
use crate::live::appconfig::AppConfigBackend;
use crate::live::local::LocalBackend;
use crate::live::{Backend, BackendSpec};
use crate::load::Loaded;
use crate::model::RepoConfig;
use crate::output::{self, check::CheckOutput};

/// A checked repository, its targets selected, with what check errors hold back.
pub struct Checked {
    pub root: PathBuf,
    pub loaded: Loaded,
    pub report: Report,
    /// The selected targets, by index into the compiled targets.
    chosen: Vec<usize>,
    /// Those no error blocks.
    selected: Vec<usize>,
    /// The selected targets that errors hold back.
    pub blocked: Vec<Blocked>,
}

impl Checked {
    pub fn config(&self) -> &RepoConfig {
        self.report
            .model
            .config
            .as_ref()
            .unwrap_or_else(|| unreachable!("checked without a config"))
    }

    /// Checks that every flag named (`--retry`, `--flag`) is defined for a selected target.
    pub fn check_flags(&self, names: &[String]) -> anyhow::Result<()> {
        let targets = self.targets();
        let known: Vec<&str> = self
            .report
            .model
            .flags()
            .filter(|f| {
                targets
                    .iter()
                    .any(|t| t.id.application == f.application && t.id.profile == f.profile)
            })
            .map(|f| f.key)
            // A held whole document (a Freeform profile) is retried by its profile's name.
            .chain(targets.iter().map(|t| t.id.profile.as_str()))
            .collect();
        for name in names {
            if !known.contains(&name.as_str()) {
                let why = crate::model::config::unknown("flag", name, known.iter().copied());
                anyhow::bail!("{why} in the selected targets");
            }
        }
        Ok(())
    }

    /// Every selected target, blocked or not: for what needs only where a target is (stopping
    /// its rollout), never what git says it should serve.
    pub fn chosen_targets(&self) -> Vec<&Target> {
        self.chosen
            .iter()
            .map(|&i| &self.report.compiled.targets[i])
            .collect()
    }

    /// The selected targets that no check error holds back.
    pub fn targets(&self) -> Vec<&Target> {
        self.selected
            .iter()
            .map(|&i| &self.report.compiled.targets[i])
            .collect()
    }
}

/// Loads and checks the repository and selects the targets `filter` names, each of which
/// must exist. Error findings hold back only the targets they feed ([`scope::blocking`]):
/// they are printed on stderr, and those targets reported as blocked. `None` (after printing
/// why) when an error blocks everything: nothing that fails check is planned or applied.
pub fn checked(
    repo: &Path,
    today: jiff::civil::Date,
    purpose: Purpose,
    filter: &TargetFilter,
) -> anyhow::Result<Option<Checked>> {
    let root = super::repo_root(repo)?;
    let (loaded, report) = crate::check::repository(&root, today, Documents::Keep);
    let ids = report.compiled.targets.iter().map(|t| &t.id);
    let blocking = scope::blocking(&report, ids, purpose);
    // Without a valid flagops.yaml there are no targets: every error is in `everything`.
    let config = report.model.config.as_ref();
    let Some(config) =
        config.filter(|_| blocking.everything.is_empty() || purpose == Purpose::Stop)
    else {
        print_findings(&loaded, &blocking.findings());
        return Ok(None);
    };
    config
        .check_selection(
            filter.application.as_deref(),
            filter.environment.as_deref(),
            filter.profile.as_deref(),
        )
        .map_err(anyhow::Error::msg)?;
    let chosen: Vec<usize> = (0..report.compiled.targets.len())
        .filter(|&i| filter.matches(&report.compiled.targets[i].id))
        .collect();
    let blocked = blocking.among(chosen.iter().map(|&i| &report.compiled.targets[i].id));
    let selected = chosen
        .iter()
        .copied()
        .filter(|&i| !blocking.blocked(&report.compiled.targets[i].id))
        .collect();
    let relevant = |f: &crate::finding::Finding| {
        blocked
            .iter()
            .any(|b| b.files.iter().any(|file| file == f.location.file()))
    };
    let mut shown: Vec<_> = blocking.findings().into_iter().filter(relevant).collect();
    shown.extend(
        blocking
            .demoted
            .iter()
            .filter(|f| {
                report
                    .scopes
                    .get(f.location.file())
                    .is_some_and(|(app, profile)| {
                        filter.application.as_ref().is_none_or(|a| a == app)
                            && filter.profile.as_ref().is_none_or(|p| p == profile)
                    })
            })
            .cloned(),
    );
    if !shown.is_empty() {
        print_findings(&loaded, &shown);
    }
    Ok(Some(Checked {
        root,
        loaded,
        report,
        chosen,
        selected,
        blocked,
    }))
}

/// Prints findings on stderr, as check would.
fn print_findings(loaded: &Loaded, findings: &[crate::finding::Finding]) {
    let out = CheckOutput {
        findings,
        sources: &loaded.sources,
        files: loaded.sources.iter().count(),
        targets: 0,
    };
    output::print_stderr(&output::check::render(
        Format::Human,
        &out,
        output::stderr_has_color(),
    ));
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
    Ok(backend_at(&spec, root).await)
}

/// The backend a spec names, local directories relative to `root`.
pub async fn backend_at(spec: &BackendSpec, root: &Path) -> Backend {
    match spec.local_dir(root) {
        None => Backend::AppConfig(AppConfigBackend::from_env().await),
        Some(dir) => Backend::Local(LocalBackend::new(dir)),
    }
}

/// A single-threaded runtime: flagops's concurrency is I/O, bounded, and needs no threads.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
