//! Drift for a terminal or a CI log.

use super::{Reported, describe_field, target_name};

pub fn render(findings: &[Reported<'_>], targets: usize, backend: &str) -> String {
    let mut out = String::new();
    for r in findings {
        let f = r.finding;
        let recorded = match &r.recorded {
            Some((id, Some(resolution))) => format!(" [ledger {id}, {resolution}]"),
            Some((id, None)) => format!(" [ledger {id}]"),
            None => String::new(),
        };
        out.push_str(&format!(
            "{} {}: {}{recorded}\n",
            f.class.as_str(),
            target_name(f),
            f.message
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
    let drifted: std::collections::HashSet<String> =
        findings.iter().map(|r| target_name(r.finding)).collect();
    out.push_str(&format!(
        "\ndrift against {backend}: {} of {targets} targets drifted ({} finding{})\n",
        drifted.len(),
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    ));
    out
}
