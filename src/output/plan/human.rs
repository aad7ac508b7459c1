//! A plan for a terminal or a CI log.

use super::{describe_change, describe_kept};
use crate::freeze::Frozen;
use crate::plan::{Action, Plan};

/// The plan, with each changed target's unified document diff when `diff` is set.
pub fn render(plan: &Plan, frozen: &[Frozen], backend: &str, diff: bool) -> String {
    let mut out = String::new();
    for t in &plan.targets {
        let name = crate::output::target_name(&t.id, t.site.as_ref());
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
                    let lines = describe_change(c);
                    match lines.fields.as_slice() {
                        [] => out.push_str(&format!("    {}\n", lines.head)),
                        [one] => out.push_str(&format!("    {}: {one}\n", lines.head)),
                        many => {
                            out.push_str(&format!("    {}:\n", lines.head));
                            for field in many {
                                out.push_str(&format!("        {field}\n"));
                            }
                        }
                    }
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
                if diff && !t.diff.is_empty() {
                    out.push_str(&coloured_diff(&t.diff, "    "));
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
    for u in &plan.unreachable {
        out.push_str(&format!("✗ {}\n", crate::output::describe_unreachable(u)));
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
    let blocked = match plan.unreachable.iter().map(|u| u.targets.len()).sum() {
        0 => blocked,
        n => format!("{blocked}; {n} not reached"),
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

/// A unified diff, indented, with added lines green, removed lines red and hunk headers cyan
/// (the styles are dropped where stdout takes no colour).
fn coloured_diff(diff: &str, indent: &str) -> String {
    use anstyle::{AnsiColor, Style};
    let style = |line: &str| match line.as_bytes().first() {
        _ if line.starts_with("+++") || line.starts_with("---") => Style::new().bold(),
        Some(b'+') => AnsiColor::Green.on_default(),
        Some(b'-') => AnsiColor::Red.on_default(),
        Some(b'@') => AnsiColor::Cyan.on_default(),
        _ => Style::new(),
    };
    let mut out = String::new();
    for line in diff.lines() {
        let s = style(line);
        out.push_str(&format!("{indent}{s}{line}{s:#}\n"));
    }
    out
}
