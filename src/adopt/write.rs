//! Writing an adoption into the repository: the flag files edited in place, checked, then
//! committed on a new branch with the ledger's resolutions, or left edited (`--no-commit`).
//! Nothing is kept that does not pass check, and without `--checkout` the working tree ends
//! as it began.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, bail};
use serde::Serialize;

use super::{Change, adoption};
use crate::check::Documents;
use crate::compile::{Target, TargetId};
use crate::live::TargetLive;
use crate::model::RepoConfig;
use crate::{git, ledger};

/// What adopt found, and what it did with it.
#[derive(Debug, Serialize)]
pub struct AdoptReport {
    pub changes: Vec<Change>,
    /// Differences left to a person, with why.
    pub skipped: Vec<String>,
    /// The targets whose live values were adopted.
    pub targets: Vec<AdoptedTarget>,
    pub written: Written,
}

/// Where an adopted target's values came from.
#[derive(Debug, Clone, Serialize)]
pub struct AdoptedTarget {
    #[serde(flatten)]
    pub id: TargetId,
    pub live_version: Option<i32>,
    pub live_deployment: Option<i32>,
}

/// What became of the changes.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Written {
    /// Git already says what is live.
    Nothing,
    /// The files were edited and left uncommitted (`--no-commit`).
    Edited,
    /// Committed on a new branch; `checked_out` when the checkout moved to it.
    Committed {
        branch: String,
        commit: String,
        checked_out: bool,
    },
}

/// How the adoption is written.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    pub commit: bool,
    pub checkout: bool,
    pub today: jiff::civil::Date,
}

/// The changes that make git say what is live for each of `targets`. `flags` limits them to
/// those keys.
pub fn collect(targets: &[&Target], live: &[TargetLive], flags: &[String]) -> AdoptReport {
    let mut report = AdoptReport {
        changes: Vec::new(),
        skipped: Vec::new(),
        targets: Vec::new(),
        written: Written::Nothing,
    };
    for target in targets {
        let Some(l) = live
            .iter()
            .find(|l| l.id == target.id)
            .filter(|l| l.missing.is_none())
        else {
            continue;
        };
        let a = adoption(target, l, flags);
        if !a.changes.is_empty() {
            report.targets.push(AdoptedTarget {
                id: target.id.clone(),
                live_version: l.version.as_ref().map(|v| v.number),
                live_deployment: l.state.live.as_ref().map(|d| d.number),
            });
        }
        report.changes.extend(a.changes);
        report.skipped.extend(
            a.skipped
                .into_iter()
                .filter(|s| !s.ends_with("nothing is live")),
        );
    }
    report
}

/// Fails when the files adopt writes, or flagops.yaml, have uncommitted changes: a commit
/// would take them along.
pub fn preflight(root: &Path, config: &RepoConfig) -> anyhow::Result<()> {
    let head = git::head(root, &[crate::load::CONFIG_FILE, &config.flags_dir])?;
    if head.dirty {
        bail!(
            "flagops.yaml or {}/ has uncommitted changes: commit or stash them first (or pass --no-commit)",
            config.flags_dir
        );
    }
    Ok(())
}

/// Writes the report's changes into the repository at `root` and records how.
pub fn write(
    report: &mut AdoptReport,
    root: &Path,
    config: &RepoConfig,
    options: WriteOptions,
) -> anyhow::Result<()> {
    if report.changes.is_empty() {
        return Ok(());
    }
    let originals = read_files(root, &report.changes)?;
    let mut texts = originals.clone();
    super::apply_changes(&mut texts, &report.changes)
        .map_err(|e| anyhow::anyhow!("cannot edit {e}"))?;
    write_files(root, &texts)?;
    // What adopt wrote must pass check, or nothing is kept.
    let (_, checked) = crate::check::repository(root, options.today, Documents::CheckOnly);
    if checked.errors() > 0 {
        write_files(root, &originals)?;
        bail!(
            "the adopted values do not pass check ({} errors); the files were restored",
            checked.errors()
        );
    }
    if !options.commit {
        report.written = Written::Edited;
        return Ok(());
    }
    let mut files: Vec<(String, Vec<u8>)> = texts
        .iter()
        .map(|(f, t)| (f.clone(), t.clone().into_bytes()))
        .collect();
    let records = resolutions(root, config, &report.targets)?;
    for record in &records {
        files.push((
            ledger::record_path(&config.ledger_dir, record.id()),
            record.to_bytes()?,
        ));
    }
    let branch = format!(
        "flagops/adopt-{}",
        jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S")
    );
    if options.checkout {
        // The new HEAD's tree: the ledger records must be in the working tree too.
        for (path, bytes) in files.iter().filter(|(p, _)| !texts.contains_key(p)) {
            let path = root.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            crate::fsutil::write_atomic(&path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    let message = commit_message(&report.targets);
    let oid = git::commit_on_new_branch(root, &branch, &files, &message, options.checkout)?;
    if !options.checkout {
        // The commit holds the change; the checkout goes back to what it was.
        write_files(root, &originals)?;
    }
    report.written = Written::Committed {
        branch,
        commit: oid,
        checked_out: options.checkout,
    };
    Ok(())
}

/// The ledger's open findings of the adopted targets, resolved as adopted.
fn resolutions(
    root: &Path,
    config: &RepoConfig,
    targets: &[AdoptedTarget],
) -> anyhow::Result<Vec<ledger::Record>> {
    let commit = git::head_sha(root);
    let now = jiff::Timestamp::now().to_string();
    let book = ledger::read(root, &config.ledger_dir)?;
    Ok(book
        .open()
        .into_iter()
        .filter(|open| targets.iter().any(|t| t.id == open.target))
        .map(|open| {
            ledger::Record::Resolution(ledger::ResolutionRecord::of(
                &open.id,
                ledger::Resolution::Adopted,
                &commit,
                &now,
            ))
        })
        .collect())
}

/// The commit says where each value came from: the live version and deployment.
fn commit_message(targets: &[AdoptedTarget]) -> String {
    let names: Vec<String> = targets.iter().map(|t| t.id.to_string()).collect();
    let provenance: Vec<String> = targets
        .iter()
        .map(|t| {
            format!(
                "{}: live version {}, deployment #{}",
                t.id,
                t.live_version.map_or("-".into(), |v| v.to_string()),
                t.live_deployment.map_or("-".into(), |d| d.to_string())
            )
        })
        .collect();
    format!(
        "Adopt live values of {}\n\n{}\n\nWritten by flagops adopt from what AppConfig serves.",
        names.join(", "),
        provenance.join("\n")
    )
}

/// The text of every file a change edits.
fn read_files(root: &Path, changes: &[Change]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut texts = BTreeMap::new();
    for c in changes {
        if !texts.contains_key(&c.file) {
            let text = std::fs::read_to_string(root.join(&c.file))
                .with_context(|| format!("cannot read {}", c.file))?;
            texts.insert(c.file.clone(), text);
        }
    }
    Ok(texts)
}

fn write_files(root: &Path, texts: &BTreeMap<String, String>) -> anyhow::Result<()> {
    for (file, text) in texts {
        let path = root.join(file);
        crate::fsutil::write_atomic(&path, text)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
