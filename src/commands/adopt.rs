//! `flagops adopt`: bring live values back into git as a reviewable change.

use crate::check::Documents;
use std::collections::BTreeMap;

use anyhow::{Context as _, bail};

use crate::adopt;
use crate::check::scope::Purpose;
use crate::cli::AdoptArgs;
use crate::exit::Exit;
use crate::ledger::{self, Record, Resolution, ResolutionRecord};
use crate::output;

pub fn run(args: &AdoptArgs) -> anyhow::Result<Exit> {
    let purpose = Purpose::Monitor;
    let Some(checked) =
        super::live::checked(&args.repo.repo, args.today.date(), purpose, &args.filter)?
    else {
        return Ok(Exit::Findings);
    };
    let config = checked.config();
    if !args.no_commit {
        let head = crate::git::head(
            &checked.root,
            &[crate::load::CONFIG_FILE, &config.flags_dir],
        )?;
        if head.dirty {
            bail!(
                "flagops.yaml or {}/ has uncommitted changes: commit or stash them first (or pass --no-commit)",
                config.flags_dir
            );
        }
    }
    checked.check_flags(&args.flags)?;
    let targets = checked.targets();
    let runtime = super::live::runtime()?;
    let live = runtime.block_on(async {
        let backend = super::live::backend(&args.backend, config, &checked.root).await?;
        anyhow::Ok(crate::live::read(&backend, &targets).await?.1)
    })?;

    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    let mut adopted_targets = Vec::new();
    for target in &targets {
        let Some(l) = live
            .iter()
            .find(|l| l.id == target.id)
            .filter(|l| l.missing.is_none())
        else {
            continue;
        };
        let a = adopt::adoption(target, l, &args.flags);
        if !a.changes.is_empty() {
            adopted_targets.push((
                target.id.clone(),
                l.version.as_ref().map(|v| v.number),
                l.state.live.as_ref().map(|d| d.number),
            ));
        }
        changes.extend(a.changes);
        skipped.extend(
            a.skipped
                .into_iter()
                .filter(|s| !s.ends_with("nothing is live")),
        );
    }
    if changes.is_empty() {
        let mut text = "nothing to adopt: git already says what is live\n".to_owned();
        for s in &skipped {
            text.push_str(&format!("  not adopted: {s}\n"));
        }
        output::print(&text)?;
        return Ok(Exit::Clean);
    }

    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for c in &changes {
        if !texts.contains_key(&c.file) {
            let text = std::fs::read_to_string(checked.root.join(&c.file))
                .with_context(|| format!("cannot read {}", c.file))?;
            texts.insert(c.file.clone(), text);
        }
    }
    let originals = texts.clone();
    adopt::apply_changes(&mut texts, &changes).map_err(|e| anyhow::anyhow!("cannot edit {e}"))?;
    for (file, text) in &texts {
        write_atomic(&checked.root.join(file), text)?;
    }
    // What adopt wrote must pass check, or nothing is kept.
    let (_, report) = super::load_and_check(&checked.root, args.today.date(), Documents::CheckOnly);
    if report.errors() > 0 {
        for (file, text) in &originals {
            write_atomic(&checked.root.join(file), text)?;
        }
        bail!(
            "the adopted values do not pass check ({} errors); the files were restored",
            report.errors()
        );
    }

    let mut text = String::new();
    for c in &changes {
        text.push_str(&format!(
            "  {}: {} ← {}\n",
            c.file,
            c.what,
            adopt::edit::flow(&c.value)
        ));
    }
    for s in &skipped {
        text.push_str(&format!("  not adopted: {s}\n"));
    }

    if !args.no_commit {
        let commit = crate::git::head(&checked.root, &[])
            .map(|h| h.sha)
            .unwrap_or_default();
        let now = jiff::Timestamp::now().to_string();
        let book = ledger::read(&checked.root, &config.ledger_dir)?;
        let mut files: Vec<(String, Vec<u8>)> = texts
            .iter()
            .map(|(f, t)| (f.clone(), t.clone().into_bytes()))
            .collect();
        for open in book.open() {
            if adopted_targets.iter().any(|(id, _, _)| *id == open.target) {
                let record = Record::Resolution(ResolutionRecord {
                    id: ledger::new_id(&open.id),
                    resolves: open.id.clone(),
                    resolution: Resolution::Adopted,
                    commit: commit.clone(),
                    at: now.clone(),
                    note: None,
                });
                let path = ledger::record_path(&config.ledger_dir, record.id());
                let bytes = serde_json::to_vec_pretty(&record)?;
                if let Some(parent) = checked.root.join(&path).parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(checked.root.join(&path), &bytes)?;
                files.push((path, bytes));
            }
        }
        let provenance: Vec<String> = adopted_targets
            .iter()
            .map(|(id, version, deployment)| {
                format!(
                    "{id}: live version {}, deployment #{}",
                    version.map_or("-".into(), |v| v.to_string()),
                    deployment.map_or("-".into(), |d| d.to_string())
                )
            })
            .collect();
        let names: Vec<String> = adopted_targets
            .iter()
            .map(|(id, _, _)| id.to_string())
            .collect();
        let message = format!(
            "Adopt live values of {}\n\n{}\n\nWritten by flagops adopt from what AppConfig serves.",
            names.join(", "),
            provenance.join("\n")
        );
        let branch = format!(
            "flagops/adopt-{}",
            jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S")
        );
        let oid = crate::git::commit_on_new_branch(
            &checked.root,
            &branch,
            &files,
            &message,
            args.checkout,
        )?;
        if args.checkout {
            text.push_str(&format!(
                "\ncommitted on branch {branch} ({}), now checked out; push it and open a pull request\n",
                &oid[..12]
            ));
        } else {
            // The commit holds the change; the checkout goes back to what it was.
            for (file, original) in &originals {
                write_atomic(&checked.root.join(file), original)?;
            }
            for (path, _) in files.iter().filter(|(p, _)| !texts.contains_key(p)) {
                let _ = std::fs::remove_file(checked.root.join(path));
            }
            text.push_str(&format!(
                "\ncommitted on branch {branch} ({}); your checkout is unchanged. Push the branch and open a pull request\n",
                &oid[..12]
            ));
        }
    } else {
        text.push_str("\nfiles edited; not committed (--no-commit)\n");
    }
    output::print(&text)?;
    Ok(Exit::Clean)
}

fn write_atomic(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    crate::fsutil::write_atomic(path, text)
        .with_context(|| format!("cannot write {}", path.display()))
}
