//! apply as markdown, for the job summary.

use super::{freeze, line};
use crate::apply::ApplyReport;
use crate::output::markdown::cell;

pub fn render(apply: &ApplyReport) -> String {
    let (report, backend) = (&apply.outcome, &apply.backend);
    let icon = if report.failed() {
        "❌"
    } else if report.rolled_back() {
        "⏪"
    } else {
        "✅"
    };
    let mut md = format!(
        "### {icon} flagops apply\n\nAgainst {backend}.\n\n| target | result | detail |\n|---|---|---|\n"
    );
    for t in &report.targets {
        let (what, detail) = line(&t.outcome);
        let site = match &t.site {
            Some(site) => format!(" ({})", cell(&site.to_string())),
            None => String::new(),
        };
        md.push_str(&format!(
            "| `{}/{}/{}`{site} | {what} | {} |\n",
            cell(&t.id.application),
            cell(&t.id.environment),
            cell(&t.id.profile),
            cell(&detail)
        ));
    }
    let setup = super::setup_lines(apply);
    if !setup.is_empty() {
        md.push_str("\n**AppConfig setup**\n\n");
        for l in setup {
            md.push_str(&format!("- `{}`\n", cell(&l).replace('`', "'")));
        }
    }
    for t in &apply.plan.targets {
        for k in t.kept.iter().filter(|k| k.is_held()) {
            md.push_str(&format!(
                "\n> ⏸ `{}`: {}\n",
                cell(&t.id.to_string()),
                cell(&crate::output::plan::describe_kept(k))
            ));
        }
    }
    for b in &apply.plan.blocked {
        md.push_str(&format!(
            "\n> ⛔ {}\n",
            cell(&crate::output::describe_blocked(b))
        ));
    }
    md + &freeze::markdown(&apply.freezes)
}
