//! adopt as markdown, for the job summary.

use crate::adopt::edit::flow;
use crate::adopt::write::{AdoptReport, Written};
use crate::output::markdown::cell;

pub fn render(report: &AdoptReport) -> String {
    let mut md = String::from("### ⤵ flagops adopt\n\n");
    if report.changes.is_empty() {
        md.push_str("Nothing to adopt: git already says what is live.\n");
    } else {
        md.push_str("| file | value | adopted |\n|---|---|---|\n");
        for c in &report.changes {
            md.push_str(&format!(
                "| `{}` | `{}` | `{}` |\n",
                cell(&c.file),
                cell(&c.what),
                cell(&flow(&c.value))
            ));
        }
    }
    if !report.skipped.is_empty() {
        md.push_str("\nNot adopted:\n\n");
        for s in &report.skipped {
            md.push_str(&format!("- {}\n", cell(s)));
        }
    }
    match &report.written {
        Written::Nothing => {}
        Written::Edited => md.push_str("\nFiles edited, not committed (`--no-commit`).\n"),
        Written::Committed { branch, commit, .. } => md.push_str(&format!(
            "\nCommitted on branch `{}` (`{}`): push it and open a pull request.\n",
            cell(branch),
            super::short(commit)
        )),
    }
    md
}
