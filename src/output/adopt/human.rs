//! adopt for a terminal or a CI log.

use crate::adopt::edit::flow;
use crate::adopt::write::{AdoptReport, Written};

pub fn render(report: &AdoptReport) -> String {
    let mut out = String::new();
    if report.changes.is_empty() {
        out.push_str("nothing to adopt: git already says what is live\n");
    }
    for c in &report.changes {
        out.push_str(&format!("  {}: {} ← {}\n", c.file, c.what, flow(&c.value)));
    }
    for s in &report.skipped {
        out.push_str(&format!("  not adopted: {s}\n"));
    }
    match &report.written {
        Written::Nothing => {}
        Written::Edited => out.push_str("\nfiles edited; not committed (--no-commit)\n"),
        Written::Committed {
            branch,
            commit,
            checked_out: true,
        } => out.push_str(&format!(
            "\ncommitted on branch {branch} ({}), now checked out; push it and open a pull request\n",
            super::short(commit)
        )),
        Written::Committed { branch, commit, .. } => out.push_str(&format!(
            "\ncommitted on branch {branch} ({}); your checkout is unchanged. Push the branch and open a pull request\n",
            super::short(commit)
        )),
    }
    out
}
