//! Writing an import, then asking check and plan what they make of it: the report says
//! whether check passes and plan is empty on the files just written.

use std::path::Path;

use anyhow::{Context as _, bail};
use serde::Serialize;

use super::{File, Imported};
use crate::check::Documents;
use crate::compile::TargetId;
use crate::finding::{Finding, Severity};
use crate::live::TargetLive;
use crate::load::Sources;
use crate::plan::Action;

/// How one target of the written repository compares with what is live.
#[derive(Debug, Clone, Serialize)]
pub struct TargetOutcome {
    #[serde(flatten)]
    pub id: TargetId,
    pub action: Action,
    /// Flags (or freeform keys) that would change.
    pub changed: Vec<String>,
}

/// What import wrote and what check and plan say about it.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub backend: String,
    pub written: Vec<String>,
    /// Notes and counts; its files are `written`.
    #[serde(flatten)]
    pub imported: Imported,
    pub targets: Vec<TargetOutcome>,
    /// Check's errors on the written files (rendered by check's formats).
    #[serde(skip)]
    pub check_errors: Vec<Finding>,
    pub check_warnings: usize,
    /// The written files' text, for rendering the errors.
    #[serde(skip)]
    pub sources: Sources,
}

impl ImportReport {
    /// Every target compiles back to exactly what is live, and check passes.
    pub fn exact(&self) -> bool {
        self.check_errors.is_empty() && self.targets.iter().all(|t| t.action == Action::Unchanged)
    }
}

/// Writes the files. Without `force`, existing files that would change stop it before
/// anything is written; each file is written to a temporary name and renamed into place.
pub fn write(root: &Path, files: &[File], force: bool) -> anyhow::Result<()> {
    if !force {
        let existing: Vec<&str> = files
            .iter()
            .filter(|f| {
                let path = root.join(&f.path);
                std::fs::symlink_metadata(&path).is_ok()
                    && std::fs::read_to_string(&path).ok().as_deref() != Some(f.text.as_str())
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
        let path = root.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        crate::fsutil::write_atomic(&path, &f.text)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Checks and plans the repository at `root`, just written from `imported`, against `live`.
pub fn verify(
    root: &Path,
    today: jiff::civil::Date,
    mut imported: Imported,
    live: &[TargetLive],
    backend: String,
) -> ImportReport {
    let (loaded, checked) = crate::check::repository(root, today, Documents::Keep);
    let mut targets = Vec::new();
    if let Some(config) = &checked.model.config {
        let compiled: Vec<_> = checked.compiled.targets.iter().collect();
        let plan = crate::plan::plan(config, &checked.model, &compiled, live, &[]);
        targets = (plan.targets.iter())
            .map(|t| TargetOutcome {
                id: t.id.clone(),
                action: t.action,
                changed: t.changes.iter().map(|c| c.key.clone()).collect(),
            })
            .collect();
    }
    ImportReport {
        backend,
        written: imported.files.drain(..).map(|f| f.path).collect(),
        imported,
        targets,
        check_errors: (checked.findings.iter())
            .filter(|f| f.severity == Severity::Error)
            .cloned()
            .collect(),
        check_warnings: checked.count(Severity::Warning),
        sources: loaded.sources,
    }
}
