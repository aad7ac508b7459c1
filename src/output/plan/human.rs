//! A plan for a terminal or a CI log.

use super::{describe_change, describe_kept};
use crate::freeze::Frozen;
use crate::plan::{Action, Plan};

pub fn render(plan: &Plan, frozen: &[Frozen], backend: &str) -> String {
    let mut out = String::new();
    for t in &plan.targets {
        let name = t.id.to_string();
        match t.action {
            Action::Unchanged => {
                out.push_str(&format!("  {name}: unchanged\n"));
                for k in &t.kept {
                    out.push_str(&format!("    {}\n", describe_kept(k)));
                }
            }
            action => {
                let what = if action == Action::Create {
                    "create"
                } else {
                    "update"
                };
                let missing = t
                    .missing
                    .map(|m| {
                        format!(
                            ", {} missing",
                            serde_json::to_value(m)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default()
                        )
                    })
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{} {name}: {what}{missing} (strategy {})\n",
                    if action == Action::Create { "+" } else { "~" },
                    t.strategy
                ));
                for c in &t.changes {
                    out.push_str(&format!("    {}\n", describe_change(c)));
                }
                for k in &t.kept {
                    out.push_str(&format!("    {}\n", describe_kept(k)));
                }
                if let Some(note) = &t.strategy_note {
                    out.push_str(&format!("    note: {note}\n"));
                }
                for r in &t.risks {
                    out.push_str(&format!("    warning[{}]: {}\n", r.code, r.message));
                }
            }
        }
    }
    for line in plan.setup.iter().flat_map(super::describe_setup) {
        out.push_str(&format!("{line}\n"));
    }
    for f in frozen {
        out.push_str(&format!("❄ {}\n", super::describe_frozen(f)));
    }
    for b in &plan.blocked {
        out.push_str(&format!("! {}\n", crate::output::describe_blocked(b)));
    }
    let changed = plan
        .targets
        .iter()
        .filter(|t| t.action != Action::Unchanged)
        .count();
    let blocked = match plan.blocked.len() {
        0 => String::new(),
        n => format!("; {n} held back by check errors"),
    };
    let setup = match plan.setup.iter().filter(|s| s.update.is_some()).count() {
        0 => String::new(),
        n => format!("; {n} setup change{}", if n == 1 { "" } else { "s" }),
    };
    out.push_str(&format!(
        "\nplan against {backend}: {changed} of {} targets change{setup}{blocked}\n",
        plan.targets.len()
    ));
    out
}
