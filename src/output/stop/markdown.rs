//! stop as markdown, for the job summary.

use crate::apply::stop::StopReport;
use crate::output::markdown::cell;

pub fn render(report: &StopReport) -> String {
    let mut md = format!(
        "### ⏹ flagops stop\n\nAgainst {}. Reason: {}\n\n| target | deployment | state |\n|---|---|---|\n",
        report.backend,
        cell(&report.reason)
    );
    for s in &report.stopped {
        md.push_str(&format!(
            "| `{}` | #{} (version {}) | {} |\n",
            cell(&s.id.to_string()),
            s.deployment,
            cell(&s.version),
            s.state
        ));
    }
    for (id, why) in &report.untouched {
        md.push_str(&format!(
            "| `{}` | — | {} |\n",
            cell(&id.to_string()),
            cell(why)
        ));
    }
    if let Some(id) = &report.ledger_record {
        md.push_str(&format!("\nRecorded in the drift ledger as `{id}`.\n"));
    }
    md
}
