//! The check report in every format: source snippets, annotations, JSON, SARIF, markdown.

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use crate::cli::Format;
use crate::finding::{Finding, Severity};
use crate::load::Sources;

/// What a `check` run reports, ready to render.
pub struct CheckOutput<'a> {
    pub findings: &'a [Finding],
    pub sources: &'a Sources,
    /// Files read.
    pub files: usize,
    /// Targets compiled.
    pub targets: usize,
    /// Rules that did not run, and why.
    pub skipped: &'a [crate::check::Skipped],
}

impl CheckOutput<'_> {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// One line: "2 errors, 1 warning in 14 files (3 targets)", and the rules that did not
    /// run: "; not run: deleted-key-reuse (not a git repository)".
    pub fn summary_line(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut line = format!(
            "{}, {} in {} ({})",
            plural(self.count(Severity::Error), "error"),
            plural(self.count(Severity::Warning), "warning"),
            plural(self.files, "file"),
            plural(self.targets, "target"),
        );
        if !self.skipped.is_empty() {
            let rules: Vec<String> = self
                .skipped
                .iter()
                .map(|s| format!("{} ({})", s.rule.name, s.why))
                .collect();
            line.push_str(&format!("; not run: {}", rules.join(", ")));
        }
        line
    }
}

/// Renders a check report in `format`.
pub fn render(format: Format, out: &CheckOutput<'_>, color: bool) -> String {
    match format {
        Format::Human => human::render(out, color),
        Format::Github => github::render(out),
        Format::Json => json::render(out),
        Format::Sarif => sarif::render(out),
        Format::Markdown => markdown::render(out),
    }
}
