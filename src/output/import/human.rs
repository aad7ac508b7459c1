//! import for a terminal or a CI log: files written, what needs a person, whether check
//! passes and plan is empty on the result, and check's errors as check shows them.

use super::plural;
use crate::cli::Format;
use crate::import::write::{ImportReport, TargetOutcome};
use crate::output::check::{self, CheckOutput};
use crate::plan::Action;

pub fn render(r: &ImportReport, color: bool) -> String {
    let mut out = String::new();
    for path in &r.written {
        out.push_str(&format!("wrote {path}\n"));
    }
    if !r.imported.notes.is_empty() {
        out.push('\n');
        for note in &r.imported.notes {
            out.push_str(&format!("note: {note}\n"));
        }
    }
    let differing: Vec<&TargetOutcome> = r
        .targets
        .iter()
        .filter(|t| t.action != Action::Unchanged)
        .collect();
    if !differing.is_empty() {
        out.push('\n');
        for t in &differing {
            match t.action {
                Action::Create => out.push_str(&format!(
                    "{}: nothing is served there yet; plan shows a create\n",
                    t.id
                )),
                _ => out.push_str(&format!(
                    "{}: does not compile back to what is live: {}\n",
                    t.id,
                    t.changed
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
    }
    let exact = r.targets.len() - differing.len();
    out.push_str(&format!(
        "\nimport from {}: {}, {}, {}, {}; {} of {} compile back to exactly what is live\n",
        r.backend,
        plural(r.imported.applications, "application"),
        plural(r.imported.environments, "environment"),
        plural(r.imported.profiles, "profile"),
        plural(r.imported.flags, "flag"),
        exact,
        plural(r.targets.len(), "target"),
    ));
    out.push_str(&format!(
        "check: {}, {}",
        plural(r.check_errors.len(), "error"),
        plural(r.check_warnings, "warning"),
    ));
    if r.imported.placeholders > 0 {
        out.push_str(&format!(
            " ({} to fill in: run `flagops check`)",
            plural(r.imported.placeholders, "placeholder")
        ));
    }
    out.push('\n');
    if !r.check_errors.is_empty() {
        let errors = CheckOutput {
            findings: &r.check_errors,
            sources: &r.sources,
            files: r.sources.iter().count(),
            targets: r.targets.len(),
            repo_prefix: "",
            skipped: &[],
        };
        out.push_str(&check::render(Format::Human, &errors, color));
    }
    out
}
