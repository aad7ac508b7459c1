//! The adopt report in every format.

pub mod human;
pub mod json;
pub mod markdown;

use crate::adopt::write::AdoptReport;
use crate::cli::ReportFormat;
use crate::output;

/// Prints the report in `format` and adds the markdown to the job summary.
pub fn emit(report: &AdoptReport, backend: &str, format: ReportFormat) -> std::io::Result<()> {
    output::emit_report(format, |format| match format {
        ReportFormat::Human => human::render(report),
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Json => json::render(report, backend),
    })
}

/// The first twelve characters of a commit id.
fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
