//! What plan, apply, drift, adopt and stop share: a checked repository with its targets
//! selected, a backend and a runtime.

use std::path::Path;

use anyhow::Context as _;

use crate::check::scope::Purpose;
use crate::check::select::{self, Checked, Selection};
use crate::cli::{BackendArgs, Format, TargetFilter};
use crate::live::appconfig::AppConfigBackend;
use crate::live::local::LocalBackend;
use crate::live::location::{Access, Router};
use crate::live::{Backend, BackendSpec};
use crate::load::Loaded;
use crate::model::RepoConfig;
use crate::output::{self, check::CheckOutput};

/// The repository at or above `repo`, checked, with the targets `filter` names selected.
/// The findings that hold back a selected target are printed on stderr; `None` (after
/// printing why) when an error blocks everything.
pub fn checked(
    repo: &Path,
    today: jiff::civil::Date,
    purpose: Purpose,
    filter: &TargetFilter,
) -> anyhow::Result<Option<Checked>> {
    let root = super::repo_root(repo)?;
    match select::select(root, today, purpose, filter.selector()).map_err(anyhow::Error::msg)? {
        Selection::Refused { loaded, findings } => {
            print_findings(&loaded, &findings);
            Ok(None)
        }
        Selection::Checked(checked) => {
            if !checked.shown.is_empty() {
                print_findings(&checked.loaded, &checked.shown);
            }
            Ok(Some(*checked))
        }
    }
}

/// Prints findings on stderr, as check would.
fn print_findings(loaded: &Loaded, findings: &[crate::finding::Finding]) {
    let out = CheckOutput {
        findings,
        sources: &loaded.sources,
        files: loaded.sources.iter().count(),
        targets: 0,
        repo_prefix: "",
        skipped: &[],
    };
    output::print_stderr(&output::check::render(
        Format::Human,
        &out,
        output::stderr_has_color(),
    ));
}

/// The live state of the selected targets, each read where it lives (with the AppConfig
/// setup when `setup`), and the backend's name: what drift and status start from. `Err`
/// when no target could be reached at all.
pub fn read_across(
    args: &BackendArgs,
    checked: &Checked,
    setup: bool,
) -> anyhow::Result<(crate::drift::across::Across, String)> {
    let config = checked.config();
    let targets = checked.targets();
    let router = router(args, config, &checked.root, Access::Read)?;
    runtime()?.block_on(async {
        let located = router.locate(&targets).await;
        let model = &checked.report.model;
        let across =
            crate::drift::across::read(&located, config, model, &checked.root, setup).await;
        crate::live::location::Unreachable::alone(&across.unreachable, &located)?;
        anyhow::Ok((across, router.name()))
    })
}

/// The backend named on the command line, in flagops.yaml, or AppConfig.
pub fn spec(args: &BackendArgs, config: &RepoConfig) -> anyhow::Result<BackendSpec> {
    Ok(match (&args.backend, &config.backend) {
        (Some(spec), _) => spec.clone(),
        (None, Some(text)) => text.parse().map_err(anyhow::Error::msg)?,
        (None, None) => BackendSpec::AppConfig,
    })
}

/// Where each target lives: the backend named on the command line, in flagops.yaml, or
/// AppConfig, and for AppConfig the account and region flagops.yaml's `aws` blocks give.
pub fn router<'c>(
    args: &BackendArgs,
    config: &'c RepoConfig,
    root: &Path,
    access: Access,
) -> anyhow::Result<Router<'c>> {
    Ok(Router::new(spec(args, config)?, root, config, access))
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

/// The selection a saved plan records, and apply plans again.
pub fn selection(filter: &TargetFilter, retry: &[String]) -> crate::plan::saved::Selection {
    crate::plan::saved::Selection {
        application: filter.application.clone(),
        environment: filter.environment.clone(),
        profile: filter.profile.clone(),
        retry: retry.to_vec(),
    }
}

/// A saved plan's selection as the filter and `--retry` flags it was made with.
pub fn filter_of(selection: &crate::plan::saved::Selection) -> (TargetFilter, Vec<String>) {
    (
        TargetFilter {
            application: selection.application.clone(),
            environment: selection.environment.clone(),
            profile: selection.profile.clone(),
        },
        selection.retry.clone(),
    )
}
