//! stop for a terminal or a CI log.

use crate::apply::stop::StopReport;

pub fn render(report: &StopReport) -> String {
    let mut out = String::new();
    for s in &report.stopped {
        out.push_str(&format!(
            "  {}: {} deployment #{} (version {}): {}\n",
            s.id,
            super::verb(report),
            s.deployment,
            s.version,
            s.state
        ));
    }
    for (id, why) in &report.untouched {
        out.push_str(&format!("  {id}: nothing stopped: {why}\n"));
    }
    out.push_str(&format!(
        "\nstop against {}: {} {}, {} untouched",
        report.backend,
        report.stopped.len(),
        super::verb(report),
        report.untouched.len()
    ));
    match &report.ledger_record {
        Some(id) => out.push_str(&format!("; recorded in the drift ledger as {id}\n")),
        None => out.push('\n'),
    }
    if !report.stopped.is_empty() {
        out.push_str("the previous version is served again; plan, apply and drift hold these targets at it until a commit changes the flags or `--retry` names them\n");
    }
    out
}
