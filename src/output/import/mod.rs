//! The import report in every format.

pub mod human;
pub mod json;
pub mod markdown;

use crate::cli::ReportFormat;
use crate::import::write::ImportReport;
use crate::output;

/// Prints the report in `format` and adds the markdown to the job summary.
pub fn emit(report: &ImportReport, format: ReportFormat) -> std::io::Result<()> {
    let color = output::stdout_has_color();
    output::emit_report(format, |format| match format {
        ReportFormat::Human => human::render(report, color),
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Json => json::render(report),
    })
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
