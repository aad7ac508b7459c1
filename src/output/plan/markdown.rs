//! A plan as a pull-request comment: a summary table naming every changed target first, then
//! collapsible details per target, cut to fit GitHub's comment limit. A hidden marker lets a
//! workflow find and update the same comment on every push.

use super::{describe_change, describe_kept};
use crate::freeze::Frozen;
use crate::output::markdown::{cell, code};
use crate::plan::{Action, Plan};

/// GitHub rejects comments longer than this many characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;
/// Identifies flagops's plan comment.
pub const MARKER: &str = "<!-- flagops-plan -->";

/// Targets held back by check errors or a freeze, first: a reviewer must see them before the
/// changes.
fn blocked(plan: &Plan, frozen: &[Frozen]) -> String {
    let mut md = String::new();
    for b in &plan.blocked {
        md.push_str(&format!(
            "> ⛔ {}\n",
            cell(&crate::output::describe_blocked(b))
        ));
    }
    for f in frozen {
        md.push_str(&format!("> ❄️ {}\n", cell(&super::describe_frozen(f))));
    }
    for u in &plan.unreachable {
        md.push_str(&format!(
            "> ❌ {}\n",
            cell(&crate::output::describe_unreachable(u))
        ));
    }
    if !md.is_empty() {
        md.push('\n');
    }
    md
}

/// Strategies, environments and profiles whose settings change (or are only reported), before
/// the flags: a bake time or an alarm matters to every deployment after it.
fn setup(plan: &Plan) -> String {
    if plan.setup.is_empty() {
        return String::new();
    }
    let mut md = "**AppConfig setup**\n\n".to_owned();
    for line in plan.setup.iter().flat_map(super::describe_setup) {
        md.push_str(&format!("- `{}`\n", cell(&line).replace('`', "'")));
    }
    md.push('\n');
    md
}

/// Marks a comment that a later, failed plan run leaves behind as stale: the same marker
/// first (so the workflow finds it again), a warning naming the failed run, then the old plan.
/// Marking twice keeps one warning, naming the newest run.
pub fn mark_stale(previous: &str) -> String {
    let run = crate::output::actions::run_reference()
        .map(|r| format!(" {r}"))
        .unwrap_or_default();
    let mut body = previous.trim_start();
    body = body.strip_prefix(MARKER).unwrap_or(body).trim_start();
    if let Some(rest) = body.strip_prefix(STALE_MARKER) {
        // The warning is the first paragraph after the stale marker.
        body = rest.trim_start();
        body = body.split_once("\n\n").map_or("", |(_, after)| after);
    }
    format!(
        "{MARKER}\n{STALE_MARKER}\n> [!WARNING]\n> **Stale plan.** The plan run{run} failed, so this comment shows an earlier plan, which may no longer hold. Fix the run and push again.\n\n{body}"
    )
}

/// Marks a plan comment as stale (see [`mark_stale`]).
pub const STALE_MARKER: &str = "<!-- flagops-plan-stale -->";

pub fn render(plan: &Plan, frozen: &[Frozen], backend: &str) -> String {
    render_within(plan, frozen, backend, GITHUB_COMMENT_LIMIT - 1_000)
}

pub fn render_within(plan: &Plan, frozen: &[Frozen], backend: &str, budget: usize) -> String {
    let changed: Vec<_> = plan
        .targets
        .iter()
        .filter(|t| t.action != Action::Unchanged || !t.kept.is_empty())
        .collect();
    let unchanged = plan.targets.len() - changed.len();
    let mut md = format!("{MARKER}\n");
    if let Some(run) = crate::output::actions::run_reference() {
        md.push_str(&format!("<sub>flagops plan {run}</sub>\n\n"));
    }
    md.push_str(&blocked(plan, frozen));
    md.push_str(&setup(plan));
    if changed.is_empty() {
        let setup_only = if plan.has_changes() {
            "setup changes only"
        } else {
            "no changes"
        };
        let (mark, read) = if plan.unreachable.is_empty() {
            ("✅", "")
        } else {
            ("❌", " read")
        };
        md.push_str(&format!(
            "### {mark} flagops plan: {setup_only}\n\nAll {} targets{read} match {backend}.\n",
            plan.targets.len()
        ));
        return md;
    }
    let risky: usize = changed.iter().map(|t| t.risks.len()).sum();
    md.push_str(&format!(
        "### flagops plan: {} target{} change{}\n\nAgainst {backend}; {unchanged} unchanged.{}{}\n\n| target | action | flags | strategy | risks |\n|---|---|---|---|---|\n",
        changed.len(),
        if changed.len() == 1 { "" } else { "s" },
        if changed.len() == 1 { "s" } else { "" },
        if risky > 0 { format!(" ⚠️ {risky} risk{} to review.", if risky == 1 { "" } else { "s" }) } else { String::new() },
        match plan.unreachable.iter().map(|u| u.targets.len()).sum::<usize>() {
            0 => String::new(),
            n => format!(" ❌ {n} not reached."),
        },
    ));
    for t in &changed {
        let name = crate::output::target_name(&t.id, t.site.as_ref());
        let action = match t.action {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "held",
        };
        let risks = if t.risks.is_empty() {
            String::new()
        } else {
            format!("⚠️ {}", t.risks.len())
        };
        md.push_str(&format!(
            "| `{}` | {action} | {} | `{}` | {risks} |\n",
            cell(&name),
            t.changes.len(),
            cell(&t.strategy)
        ));
    }
    md.push('\n');

    // Details, while they fit; the table above always names every target.
    let mut omitted = 0;
    for t in &changed {
        let name = crate::output::target_name(&t.id, t.site.as_ref());
        let mut section = format!(
            "<details><summary><code>{}</code>: {} flag change{}</summary>\n\n",
            cell(&name),
            t.changes.len(),
            if t.changes.len() == 1 { "" } else { "s" }
        );
        for r in &t.risks {
            section.push_str(&format!("> ⚠️ **{}**: {}\n\n", r.code, cell(&r.message)));
        }
        if let Some(note) = &t.strategy_note {
            section.push_str(&format!("*{}*\n\n", cell(note)));
        }
        for c in &t.changes {
            // A leading `+` or `-` would start a nested list: the sign goes in code, and
            // each field's line too, so no value is read as markdown.
            let lines = describe_change(c);
            let (sign, rest) = lines.head.split_at(lines.head.find(' ').unwrap_or(0));
            section.push_str(&format!("- `{sign}`{}", cell(rest)));
            match lines.fields.as_slice() {
                [] => section.push('\n'),
                [one] => section.push_str(&format!(": {}\n", code(one))),
                many => {
                    section.push('\n');
                    for field in many {
                        section.push_str(&format!("  - {}\n", code(field)));
                    }
                }
            }
        }
        for k in &t.kept {
            section.push_str(&format!("- ⏸ {}\n", cell(&describe_kept(k))));
        }
        let fence = if t.diff.contains("```") {
            "~~~~"
        } else {
            "```"
        };
        let with_diff = format!("{section}\n{fence}diff\n{}{fence}\n</details>\n\n", t.diff);
        let without_diff = format!(
            "{section}\n*(diff omitted to fit the comment; run `flagops plan` for it)*\n</details>\n\n"
        );
        if md.len() + with_diff.len() + 200 <= budget {
            md.push_str(&with_diff);
        } else if md.len() + without_diff.len() + 200 <= budget {
            md.push_str(&without_diff);
        } else {
            omitted += 1;
        }
    }
    if omitted > 0 {
        md.push_str(&format!("*Details of {omitted} more target{} omitted to fit GitHub's comment limit; the job summary and `flagops plan --format json` have everything.*\n", if omitted == 1 { "" } else { "s" }));
    }
    md
}
