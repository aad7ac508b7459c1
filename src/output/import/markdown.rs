//! import as markdown, for the job summary.

use super::plural;
use crate::import::write::ImportReport;
use crate::output::markdown::cell;
use crate::plan::Action;

pub fn render(r: &ImportReport) -> String {
    let exact = r
        .targets
        .iter()
        .filter(|t| t.action == Action::Unchanged)
        .count();
    let mut md = format!(
        "### flagops import\n\nFrom {}: {}, {}, {}, {}. {exact} of {} compile back to exactly what is live; check: {}, {}.\n",
        cell(&r.backend),
        plural(r.imported.applications, "application"),
        plural(r.imported.environments, "environment"),
        plural(r.imported.profiles, "profile"),
        plural(r.imported.flags, "flag"),
        plural(r.targets.len(), "target"),
        plural(r.check_errors.len(), "error"),
        plural(r.check_warnings, "warning"),
    );
    let differing: Vec<_> = (r.targets.iter())
        .filter(|t| t.action != Action::Unchanged)
        .collect();
    if !differing.is_empty() {
        md.push_str("\n| target | differs |\n|---|---|\n");
        for t in differing {
            let what = if t.action == Action::Create {
                "nothing is served yet".to_owned()
            } else {
                t.changed.join(", ")
            };
            md.push_str(&format!(
                "| `{}` | {} |\n",
                cell(&t.id.to_string()),
                cell(&what)
            ));
        }
    }
    for note in &r.imported.notes {
        md.push_str(&format!("\n- {}", cell(note)));
    }
    if !r.imported.notes.is_empty() {
        md.push('\n');
    }
    md
}
