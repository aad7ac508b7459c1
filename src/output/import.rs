//! The report of an import: files written, what needs a person, and whether check passes and
//! plan is empty on the result.

use crate::compile::TargetId;
use crate::plan::Action;

/// How one target of the written repository compares with what is live.
#[derive(Debug, Clone)]
pub struct TargetOutcome {
    pub id: TargetId,
    pub action: Action,
    /// Flags (or freeform keys) that would change.
    pub changed: Vec<String>,
}

pub struct ImportReport<'a> {
    pub backend: &'a str,
    pub written: Vec<&'a str>,
    pub notes: &'a [String],
    pub applications: usize,
    pub environments: usize,
    pub profiles: usize,
    pub flags: usize,
    pub placeholders: usize,
    pub targets: &'a [TargetOutcome],
    pub check_errors: usize,
    pub check_warnings: usize,
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub fn human(r: &ImportReport<'_>) -> String {
    let mut out = String::new();
    for path in &r.written {
        out.push_str(&format!("wrote {path}\n"));
    }
    if !r.notes.is_empty() {
        out.push('\n');
        for note in r.notes {
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
        plural(r.applications, "application"),
        plural(r.environments, "environment"),
        plural(r.profiles, "profile"),
        plural(r.flags, "flag"),
        exact,
        plural(r.targets.len(), "target"),
    ));
    out.push_str(&format!(
        "check: {}, {}",
        plural(r.check_errors, "error"),
        plural(r.check_warnings, "warning"),
    ));
    if r.placeholders > 0 {
        out.push_str(&format!(
            " ({} to fill in: run `flagops check`)",
            plural(r.placeholders, "placeholder")
        ));
    }
    out.push('\n');
    out
}
