//! The stop report in every format.

pub mod human;
pub mod json;
pub mod markdown;

use crate::apply::stop::StopReport;
use crate::cli::ReportFormat;
use crate::output;

/// Prints the report in `format` and adds the markdown to the job summary.
pub fn emit(report: &StopReport, format: ReportFormat) -> std::io::Result<()> {
    output::emit_report(format, |format| match format {
        ReportFormat::Human => human::render(report),
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Json => json::render(report),
    })
}

/// What was done to each deployment: "stopped" or "reverted".
fn verb(report: &StopReport) -> &'static str {
    if report.revert { "reverted" } else { "stopped" }
}
