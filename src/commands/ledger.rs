//! `flagops ledger list|ack`: read the drift ledger, acknowledge a finding.

use crate::cli::LedgerCommand;
use crate::exit::Exit;
use crate::ledger;
use crate::output::{self, ledger::LedgerReport};

pub fn run(command: &LedgerCommand) -> anyhow::Result<Exit> {
    match command {
        LedgerCommand::List { repo, all, format } => {
            let root = super::repo_root(&repo.repo)?;
            let book = ledger::read(&root, &ledger::dir_of(&root))?;
            output::ledger::emit(&LedgerReport::List(book.listing(*all)), *format)?;
        }
        LedgerCommand::Ack {
            repo,
            id,
            note,
            format,
        } => {
            let root = super::repo_root(&repo.repo)?;
            ledger::acknowledge(&root, &ledger::dir_of(&root), id, note.as_deref())?;
            let branch = ledger::BRANCH;
            output::ledger::emit(&LedgerReport::Acknowledged { id, branch }, *format)?;
        }
    }
    Ok(Exit::Clean)
}
