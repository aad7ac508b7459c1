//! The ledger for a terminal or a CI log: one line a record.

use super::LedgerReport;
use crate::ledger::{Listed, Record};

pub fn render(report: &LedgerReport<'_>) -> String {
    let listing = match report {
        LedgerReport::List(listing) => listing,
        LedgerReport::Acknowledged { id, branch } => {
            return format!("acknowledged {id} on branch {branch}\n");
        }
    };
    let mut text = String::new();
    for listed in &listing.records {
        text.push_str(&line(listed));
        text.push('\n');
    }
    text.push_str(&format!("{} open finding(s)\n", listing.open));
    text
}

fn line(listed: &Listed<'_>) -> String {
    match listed.record {
        Record::Finding(f) => format!(
            "{}  {:<12} {}  {}{}",
            f.id,
            f.class.as_str(),
            f.target,
            f.message,
            if listed.open { "" } else { "  (resolved)" }
        ),
        Record::Resolution(r) => format!(
            "{}  resolves {} ({})",
            r.id,
            r.resolves,
            r.resolution.as_str()
        ),
        Record::BreakGlass(b) => format!(
            "{}  break-glass  {}  by {}: {}",
            b.id,
            b.targets.join(", "),
            b.by,
            b.reason
        ),
        Record::Stop(s) => format!(
            "{}  {}  {}  by {}: {}",
            s.id,
            if s.revert { "revert" } else { "stop" },
            s.deployments.join(", "),
            s.by,
            s.reason
        ),
    }
}
