//! The rule catalog in every format: `flagops rules`.

pub mod human;
pub mod json;
pub mod markdown;

use crate::cli::ReportFormat;
use crate::finding::catalog::RuleInfo;
use crate::output;

/// Prints the catalog in `format`.
pub fn emit(rules: &[&RuleInfo], format: ReportFormat) -> std::io::Result<()> {
    output::print(&render(rules, format))
}

pub fn render(rules: &[&RuleInfo], format: ReportFormat) -> String {
    match format {
        ReportFormat::Human => human::render(rules),
        ReportFormat::Markdown => markdown::render(rules),
        ReportFormat::Json => json::render(rules),
    }
}
