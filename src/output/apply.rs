//! The report of an apply: per target, what happened.

use serde::Serialize;

use crate::apply::{Outcome, Report};
use crate::freeze::FreezeReport;
use crate::output::json::Tool;
use crate::output::markdown::cell;
use crate::plan::Plan;

fn line(outcome: &Outcome) -> (&'static str, String) {
    match outcome {
        Outcome::Unchanged => ("unchanged", String::new()),
        Outcome::Deployed {
            deployment,
            version,
            strategy,
        } => (
            "deployed",
            format!("deployment #{deployment}, version {version}, {strategy}"),
        ),
        Outcome::Started {
            deployment,
            version,
            state,
        } => (
            "started",
            format!("deployment #{deployment}, version {version}: {state}"),
        ),
        Outcome::RolledBack {
            deployment,
            version,
            state,
            reason,
        } => (
            "ROLLED BACK",
            format!("deployment #{deployment} of version {version} {state}: {reason}"),
        ),
        Outcome::Failed { error } => ("FAILED", error.clone()),
    }
}

pub fn human(_plan: &Plan, report: &Report, backend: &str) -> String {
    let mut out = String::new();
    for c in &report.created {
        out.push_str(&format!("+ created {c}\n"));
    }
    for t in &report.targets {
        let (what, detail) = line(&t.outcome);
        let name = format!("{}/{}/{}", t.id.application, t.id.environment, t.id.profile);
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
    out
}

#[derive(Serialize)]
struct ApplyDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    backend: &'a str,
    #[serde(flatten)]
    report: &'a Report,
    /// Targets held back by a freeze, or deployed through one with `--break-glass`.
    #[serde(skip_serializing_if = "Option::is_none")]
    freezes: Option<&'a FreezeReport>,
}

pub fn json(report: &Report, backend: &str) -> String {
    document(report, backend, None)
}

/// The JSON report with what freezes did, when they did anything.
pub fn json_with_freezes(report: &Report, backend: &str, freezes: &FreezeReport) -> String {
    let shown = (!freezes.is_empty() || freezes.break_glass.is_some()).then_some(freezes);
    document(report, backend, shown)
}

fn document(report: &Report, backend: &str, freezes: Option<&FreezeReport>) -> String {
    serde_json::to_string_pretty(&ApplyDocument {
        version: 1,
        tool: Tool::this(),
        command: "apply",
        backend,
        report,
        freezes,
    })
    .unwrap_or_default()
        + "\n"
}

pub fn markdown(_plan: &Plan, report: &Report, backend: &str) -> String {
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
        md.push_str(&format!(
            "| `{}/{}/{}` | {what} | {} |\n",
            cell(&t.id.application),
            cell(&t.id.environment),
            cell(&t.id.profile),
            cell(&detail)
        ));
    }
    md
}
