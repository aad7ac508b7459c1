//! apply for a terminal or a CI log.

use super::{freeze, line};
use crate::apply::{ApplyReport, Outcome};

pub fn render(apply: &ApplyReport) -> String {
    let (report, backend) = (&apply.outcome, &apply.backend);
    let mut out = String::new();
    for c in &report.created {
        out.push_str(&format!("+ created {c}\n"));
    }
    for l in super::setup_lines(apply) {
        out.push_str(&format!("{l}\n"));
    }
    for t in &report.targets {
        let (what, detail) = line(&t.outcome);
        let name = crate::output::target_name(&t.id, t.site.as_ref());
        if detail.is_empty() {
            out.push_str(&format!("  {name}: {what}\n"))
        } else {
            out.push_str(&format!("  {name}: {what} ({detail})\n"))
        }
    }
    let count = |f: fn(&Outcome) -> bool| report.targets.iter().filter(|t| f(&t.outcome)).count();
    out.push_str(&format!(
        "\napply to {backend}: {} deployed, {} started, {} unchanged, {} rolled back, {} failed\n",
        count(|o| matches!(o, Outcome::Deployed { .. })),
        count(|o| matches!(o, Outcome::Started { .. })),
        count(|o| matches!(o, Outcome::Unchanged)),
        count(|o| matches!(o, Outcome::RolledBack { .. })),
        count(|o| matches!(o, Outcome::Failed { .. })),
    ));
    // Values held at what is live after a rollback: why apply left them, and what frees them.
    for t in &apply.plan.targets {
        for k in t.kept.iter().filter(|k| k.is_held()) {
            out.push_str(&format!(
                "  {}: {}\n",
                t.id,
                crate::output::plan::describe_kept(k)
            ));
        }
    }
    for b in &apply.plan.blocked {
        out.push_str(&format!("! {}\n", crate::output::describe_blocked(b)));
    }
    out + &freeze::human(&apply.freezes, apply.break_glass.as_deref())
}
