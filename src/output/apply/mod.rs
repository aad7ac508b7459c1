//! The apply report in every format: per target, what happened, and what freezes did.

mod freeze;
pub mod human;
pub mod json;
pub mod markdown;

use crate::apply::{ApplyReport, Outcome};
use crate::cli::ReportFormat;
use crate::output;

/// Prints the report in `format` and adds the markdown to the job summary.
pub fn emit(report: &ApplyReport, format: ReportFormat) -> std::io::Result<()> {
    output::emit_report(format, |format| match format {
        ReportFormat::Human => human::render(report),
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Json => json::render(report),
    })
}

/// Inside Actions, folds the per-deployment progress lines into one log group; returns
/// whether it did.
pub fn progress_group_start() -> bool {
    let grouped = output::actions::in_actions();
    if grouped {
        output::print_stderr("::group::flagops apply: deployment progress\n");
    }
    grouped
}

pub fn progress_group_end(grouped: bool) {
    if grouped {
        output::print_stderr("::endgroup::\n");
    }
}

/// "deployed", "deployment #4, version 7, instant"
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

/// "updated deployment strategy instant", "failed to update …: why"; then what apply left
/// as it is (settings AppConfig cannot change, removals, undeclared resources).
pub fn setup_lines(apply: &ApplyReport) -> Vec<String> {
    let mut lines: Vec<String> = (apply.outcome.setup.iter())
        .map(|r| {
            let title = format!("{} {}", r.resource.as_str(), r.name);
            match &r.error {
                None => format!("~ updated {title}"),
                Some(e) => format!("✗ failed to update {title}: {e}"),
            }
        })
        .collect();
    lines.extend(
        (apply.plan.setup.iter())
            .flat_map(crate::output::plan::describe_setup)
            .filter(|l| !l.starts_with('~')),
    );
    lines
}
