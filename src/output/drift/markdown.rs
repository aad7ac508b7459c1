//! Drift as markdown, for a job summary or the body of a drift issue.

use super::{Reported, describe_field, target_name};
use crate::output::markdown::cell;

pub fn render(findings: &[Reported<'_>], targets: usize, backend: &str) -> String {
    if findings.is_empty() {
        return format!(
            "### ✅ flagops drift: in sync\n\nAll {targets} targets serve what git says ({backend}).\n"
        );
    }
    let mut md = format!(
        "### ⚠️ flagops drift: {} finding{}\n\nAgainst {backend}.\n\n| class | target | what | flags | ledger |\n|---|---|---|---|---|\n",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    );
    for r in findings {
        let f = r.finding;
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
        let ledger = match &r.recorded {
            Some((id, Some(res))) => format!("`{id}` ({res})"),
            Some((id, None)) => format!("`{id}`"),
            None => "new".into(),
        };
        md.push_str(&format!(
            "| {} | `{}` | {} | {} | {ledger} |\n",
            f.class.as_str(),
            cell(&target_name(f)),
            cell(&f.message),
            flags.join("<br>")
        ));
    }
    md.push_str("\nResolve by applying git again (`flagops apply`), or by adopting the live values into git (`flagops adopt`).\n");
    md
}
