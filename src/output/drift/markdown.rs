//! Drift as markdown, for a job summary or the body of a drift issue.

use super::describe_field;
use crate::drift::{LedgerEntry, Report};
use crate::output::markdown::cell;

pub fn render(report: &Report) -> String {
    let (findings, targets, backend) = (&report.findings, report.targets, &report.backend);
    let mut not_compared = String::new();
    for b in &report.not_compared {
        not_compared.push_str(&format!(
            "\n> ⛔ not compared: {}\n",
            cell(&crate::output::describe_blocked(b))
        ));
    }
    for u in &report.unreachable {
        not_compared.push_str(&format!(
            "\n> ❌ {}\n",
            cell(&crate::output::describe_unreachable(u))
        ));
    }
    let left_out = report.not_compared.len()
        + (report.unreachable.iter())
            .map(|u| u.targets.len())
            .sum::<usize>();
    let setup = setup(report);
    if !report.any_drift() && findings.is_empty() && setup.is_empty() {
        let verdict = if not_compared.is_empty() {
            format!(
                "### ✅ flagops drift: in sync\n\nAll {targets} targets serve what git says ({backend}).\n"
            )
        } else {
            format!(
                "### ⚠️ flagops drift: {} target{} not compared\n\nThe {targets} compared serve what git says ({backend}).\n",
                left_out,
                if left_out == 1 { "" } else { "s" }
            )
        };
        return verdict + &not_compared;
    }
    let drift = report.drift() + report.setup_drift();
    let title = if drift == 0 {
        format!(
            "### ✅ flagops drift: in sync\n\nAll {targets} targets serve what git says ({backend}); flagops's own work under way, and notes:"
        )
    } else {
        format!(
            "### ⚠️ flagops drift: {drift} finding{}\n\nAgainst {backend}.",
            if drift == 1 { "" } else { "s" }
        )
    };
    let mut md = format!("{title}\n\n{setup}");
    if !findings.is_empty() {
        md.push_str("| class | target | what | flags | ledger |\n|---|---|---|---|---|\n");
    }
    for r in findings {
        let f = &r.finding;
        let flags: Vec<String> = f
            .flags
            .iter()
            .map(|flag| {
                format!(
                    "`{}`{}: {}",
                    cell(&flag.key),
                    if flag.console_owned {
                        " (console-owned)"
                    } else {
                        ""
                    },
                    cell(
                        &flag
                            .fields
                            .iter()
                            .map(describe_field)
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                )
            })
            .collect();
        let ledger = match &r.ledger {
            Some(LedgerEntry {
                id,
                resolution: Some(res),
            }) => format!("`{id}` ({res})"),
            Some(LedgerEntry {
                id,
                resolution: None,
            }) => format!("`{id}`"),
            None => "new".into(),
        };
        md.push_str(&format!(
            "| {} | `{}` | {} | {} | {ledger} |\n",
            f.class.as_str(),
            cell(&crate::output::target_name(&f.target, f.site.as_ref())),
            cell(&f.message),
            flags.join("<br>")
        ));
    }
    md.push_str(&not_compared);
    if drift == 0 {
        return md;
    }
    md.push_str("\nResolve by applying git again (`flagops apply`), or by adopting the live values into git (`flagops adopt`).\n");
    md
}

/// The setup that drifted, and what is only reported, as a list before the table.
fn setup(report: &Report) -> String {
    if report.setup.is_empty() {
        return String::new();
    }
    let mut md =
        "**AppConfig setup** (`flagops apply` brings it back to flagops.yaml)\n\n".to_owned();
    for line in report
        .setup
        .iter()
        .flat_map(crate::output::plan::describe_setup)
    {
        md.push_str(&format!("- `{}`\n", cell(&line).replace('`', "'")));
    }
    md.push('\n');
    md
}
