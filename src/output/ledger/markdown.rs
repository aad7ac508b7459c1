//! The ledger as markdown, for the job summary.

use super::LedgerReport;
use crate::ledger::Record;
use crate::output::markdown::cell;

pub fn render(report: &LedgerReport<'_>) -> String {
    let listing = match report {
        LedgerReport::List(listing) => listing,
        LedgerReport::Acknowledged { id, branch } => {
            return format!("### flagops ledger\n\nAcknowledged `{id}` on branch `{branch}`.\n");
        }
    };
    let mut md = format!(
        "### flagops ledger\n\n{} open finding(s).\n\n| id | record | what |\n|---|---|---|\n",
        listing.open
    );
    for listed in &listing.records {
        let (kind, what) = match listed.record {
            Record::Finding(f) => (
                format!(
                    "{}{}",
                    f.class.as_str(),
                    if listed.open { "" } else { " (resolved)" }
                ),
                format!("`{}`: {}", cell(&f.target.to_string()), cell(&f.message)),
            ),
            Record::Resolution(r) => (
                r.resolution.as_str().to_owned(),
                format!("resolves `{}`", r.resolves),
            ),
            Record::BreakGlass(b) => (
                "break-glass".to_owned(),
                format!(
                    "{} by {}: {}",
                    cell(&b.targets.join(", ")),
                    cell(&b.by),
                    cell(&b.reason)
                ),
            ),
            Record::Stop(s) => (
                if s.revert { "revert" } else { "stop" }.to_owned(),
                format!(
                    "{} by {}: {}",
                    cell(&s.deployments.join(", ")),
                    cell(&s.by),
                    cell(&s.reason)
                ),
            ),
        };
        md.push_str(&format!("| `{}` | {kind} | {what} |\n", listed.record.id()));
    }
    md
}
