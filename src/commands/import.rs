//! `flagops import`: reads an existing AppConfig setup and writes flagops.yaml, flag files and
//! schemas that compile back to exactly what is live; then checks and plans the result in
//! process, so the report says whether `check` passes and `plan` is empty.

use crate::check::Documents;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::cli::ImportArgs;
use crate::exit::Exit;
use crate::finding::Severity;
use crate::import;
use crate::live::Backend;
use crate::live::BackendSpec;
use crate::live::appconfig::AppConfigBackend;
use crate::live::describe::Account;
use crate::live::local::LocalBackend;
use crate::output;
use crate::output::import::{ImportReport, TargetOutcome};
use crate::plan::Action;

pub fn run(args: &ImportArgs) -> anyhow::Result<Exit> {
    std::fs::create_dir_all(&args.repo)
        .with_context(|| format!("cannot create {}", args.repo.display()))?;
    let root = std::fs::canonicalize(&args.repo)
        .with_context(|| format!("cannot open {}", args.repo.display()))?;
    let spec = args
        .backend
        .backend
        .clone()
        .unwrap_or(BackendSpec::AppConfig);

    let runtime = super::live::runtime()?;
    let (account, live, backend_name, mut notes) = runtime.block_on(async {
        let (backend, account) = connect(&spec, &root, &args.applications).await?;
        let mut notes = Vec::new();
        let targets = import::targets(&account, &mut notes);
        let refs: Vec<&crate::compile::Target> = targets.iter().collect();
        let (_, live) = crate::live::read(&backend, &refs).await?;
        anyhow::Ok((account, live, backend.name(), notes))
    })?;

    let imported = import::build(&account, &live, std::mem::take(&mut notes));
    write_all(&root, &imported.files, args.force)?;

    // What check and plan will say about the files just written.
    let (loaded, report) = crate::check::repository(&root, args.today.date(), Documents::Keep);
    let errors: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .cloned()
        .collect();
    let mut targets = Vec::new();
    if let Some(config) = &report.model.config {
        let compiled: Vec<_> = report.compiled.targets.iter().collect();
        let plan = crate::plan::plan(config, &report.model, &compiled, &live, &[]);
        for t in &plan.targets {
            targets.push(TargetOutcome {
                id: t.id.clone(),
                action: t.action,
                changed: t.changes.iter().map(|c| c.key.clone()).collect(),
            });
        }
    }
    let out = ImportReport {
        backend: &backend_name,
        written: imported.files.iter().map(|f| f.path.as_str()).collect(),
        notes: &imported.notes,
        applications: imported.applications,
        environments: imported.environments,
        profiles: imported.profiles,
        flags: imported.flags,
        placeholders: imported.placeholders,
        targets: &targets,
        check_errors: errors.len(),
        check_warnings: report.count(Severity::Warning),
    };
    output::print(&output::import::human(&out))?;
    if !errors.is_empty() {
        let check = output::check::CheckOutput {
            findings: &errors,
            sources: &loaded.sources,
            files: loaded.sources.iter().count(),
            targets: report.targets,
        };
        output::print(&output::check::render(
            crate::cli::Format::Human,
            &check,
            output::stdout_has_color(),
        ))?;
    }
    let exact = targets.iter().all(|t| t.action == Action::Unchanged);
    Ok(if exact && errors.is_empty() {
        Exit::Clean
    } else {
        Exit::Findings
    })
}

/// The backend to read live state through, and the account description from the same place.
async fn connect(
    spec: &BackendSpec,
    root: &Path,
    applications: &[String],
) -> anyhow::Result<(Backend, Account)> {
    match spec.local_dir(root) {
        None => {
            // One client for both: the backend's, with its timeouts and retries.
            let backend = AppConfigBackend::from_env().await;
            let account = backend.describe(applications).await?;
            Ok((Backend::AppConfig(backend), account))
        }
        Some(dir) => {
            if !dir.join("state.json").is_file() {
                bail!("{} holds no local backend state", dir.display());
            }
            let local = LocalBackend::new(dir);
            let account = local.describe(applications)?;
            Ok((Backend::Local(local), account))
        }
    }
}

/// Writes the files. Without `force`, existing files that would change stop it before
/// anything is written; each file is written to a temporary name and renamed into place.
fn write_all(root: &Path, files: &[import::File], force: bool) -> anyhow::Result<()> {
    let path_of = |rel: &str| -> PathBuf { root.join(rel) };
    if !force {
        let existing: Vec<&str> = files
            .iter()
            .filter(|f| {
                std::fs::symlink_metadata(path_of(&f.path)).is_ok()
                    && std::fs::read_to_string(path_of(&f.path)).ok().as_deref()
                        != Some(f.text.as_str())
            })
            .map(|f| f.path.as_str())
            .collect();
        if !existing.is_empty() {
            bail!(
                "{} exist{} in {} and would be overwritten: nothing was written (use --force to overwrite)",
                existing.join(", "),
                if existing.len() == 1 { "s" } else { "" },
                root.display()
            );
        }
    }
    for f in files {
        let path = path_of(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        crate::fsutil::write_atomic(&path, &f.text)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
