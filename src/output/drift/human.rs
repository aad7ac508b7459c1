//! Drift for a terminal or a CI log.

use super::{describe_field, ledger_note};
use crate::drift::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.findings {
        let f = &r.finding;
        out.push_str(&format!(
            "{} {}: {}{}\n",
            f.class.as_str(),
            crate::output::target_name(&f.target, f.site.as_ref()),
            f.message,
            ledger_note(&r.ledger)
        ));
        for flag in &f.flags {
            let owned = if flag.console_owned {
                " (console-owned: kept, not reverted)"
            } else {
                ""
            };
            let fields: Vec<String> = flag.fields.iter().map(describe_field).collect();
            out.push_str(&format!("    {}{owned}: {}\n", flag.key, fields.join("; ")));
        }
    }
    for line in report
        .setup
        .iter()
        .flat_map(crate::output::plan::describe_setup)
    {
        out.push_str(&format!("setup {line}\n"));
    }
    for b in &report.not_compared {
        out.push_str(&format!(
            "not compared: {}\n",
            crate::output::describe_blocked(b)
        ));
    }
    for u in &report.unreachable {
        out.push_str(&format!(
            "not compared: {}\n",
            crate::output::describe_unreachable(u)
        ));
    }
    let drifted: std::collections::HashSet<_> = report
        .findings
        .iter()
        .filter(|r| r.finding.is_drift())
        .map(|r| &r.finding.target)
        .collect();
    let n = report.drift();
    let others = report.findings.len() - n;
    let setup = match report.setup_drift() {
        0 => String::new(),
        s => format!(
            "; {s} setup change{} for `flagops apply`",
            if s == 1 { "" } else { "s" }
        ),
    };
    let noted = if others > 0 {
        format!("; {others} pending or noted, not drift")
    } else {
        String::new()
    };
    out.push_str(&format!(
        "\ndrift against {}: {} of {} targets drifted ({n} finding{}{noted}){setup}\n",
        report.backend,
        drifted.len(),
        report.targets,
        if n == 1 { "" } else { "s" }
    ));
    out
}
