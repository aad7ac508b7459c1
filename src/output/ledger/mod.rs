//! The ledger's listing and acknowledgements in every format.

pub mod human;
pub mod json;
pub mod markdown;

use crate::cli::ReportFormat;
use crate::ledger::Listing;
use crate::output;

/// What a ledger command reports.
pub enum LedgerReport<'a> {
    List(Listing<'a>),
    /// A finding acknowledged on the ledger branch.
    Acknowledged {
        id: &'a str,
        branch: &'a str,
    },
}

/// Prints the report in `format` and adds the markdown to the job summary.
pub fn emit(report: &LedgerReport<'_>, format: ReportFormat) -> std::io::Result<()> {
    output::emit_report(format, |format| match format {
        ReportFormat::Human => human::render(report),
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Json => json::render(report),
    })
}
