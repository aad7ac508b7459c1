//! `flagops ledger list|ack`: read the drift ledger, acknowledge a finding.

use anyhow::bail;

use crate::cli::LedgerCommand;
use crate::exit::Exit;
use crate::ledger::{self, Record, Resolution, ResolutionRecord};
use crate::output;

pub fn run(command: &LedgerCommand) -> anyhow::Result<Exit> {
    match command {
        LedgerCommand::List { repo, all } => {
            let root = super::repo_root(&repo.repo)?;
            let dir = ledger_dir(&root);
            let book = ledger::read(&root, &dir)?;
            let mut text = String::new();
            let open: Vec<&str> = book.open().iter().map(|f| f.id.as_str()).collect();
            for record in book.records.values() {
                match record {
                    Record::Finding(f) if *all || open.contains(&f.id.as_str()) => {
                        text.push_str(&format!(
                            "{}  {:<12} {}  {}{}\n",
                            f.id,
                            f.class.as_str(),
                            f.target,
                            f.message,
                            if open.contains(&f.id.as_str()) {
                                ""
                            } else {
                                "  (resolved)"
                            }
                        ))
                    }
                    Record::Resolution(r) if *all => text.push_str(&format!(
                        "{}  resolves {} ({:?})\n",
                        r.id, r.resolves, r.resolution
                    )),
                    Record::BreakGlass(b) => text.push_str(&format!(
                        "{}  break-glass  {}  by {}: {}\n",
                        b.id,
                        b.targets.join(", "),
                        b.by,
                        b.reason
                    )),
                    Record::Stop(s) => text.push_str(&format!(
                        "{}  {}  {}  by {}: {}\n",
                        s.id,
                        if s.revert { "revert" } else { "stop" },
                        s.deployments.join(", "),
                        s.by,
                        s.reason
                    )),
                    _ => {}
                }
            }
            text.push_str(&format!("{} open finding(s)\n", open.len()));
            output::print(&text)?;
            Ok(Exit::Clean)
        }
        LedgerCommand::Ack { repo, id, note } => {
            let root = super::repo_root(&repo.repo)?;
            let dir = ledger_dir(&root);
            let book = ledger::read(&root, &dir)?;
            if !book.open().iter().any(|f| &f.id == id) {
                bail!("no open finding `{id}` in the ledger (see `flagops ledger list`)");
            }
            let commit = crate::git::head(&root, &[])
                .map(|h| h.sha)
                .unwrap_or_else(|_| "unknown".into());
            let record = Record::Resolution(ResolutionRecord {
                id: ledger::new_id(id),
                resolves: id.clone(),
                resolution: Resolution::Acknowledged,
                commit,
                at: jiff::Timestamp::now().to_string(),
                note: note.clone(),
            });
            ledger::commit(
                &root,
                &dir,
                ledger::BRANCH,
                &[record],
                &format!("drift ledger: acknowledge {id}"),
            )?;
            output::print(&format!("acknowledged {id} on branch {}\n", ledger::BRANCH))?;
            Ok(Exit::Clean)
        }
    }
}

/// The ledger directory from flagops.yaml, read leniently: listing must work even when the
/// flags do not pass check.
fn ledger_dir(root: &std::path::Path) -> String {
    std::fs::read_to_string(root.join(crate::load::CONFIG_FILE))
        .ok()
        .and_then(|text| crate::load::yaml::parse(&text).ok())
        .and_then(|(doc, _)| {
            doc.value
                .get("ledger_dir")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "ledger".to_owned())
}
