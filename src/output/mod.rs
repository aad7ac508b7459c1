//! The output layer: the only place flagops writes to stdout, stderr or the GitHub step
//! summary. One module per format, all rendering the same findings.

pub mod actions;
pub mod apply;
pub mod codegen;
pub mod drift;
pub mod freeze;
pub mod github;
pub mod human;
pub mod import;
pub mod json;
pub mod markdown;
pub mod plan;
pub mod progress;
pub mod refs;
pub mod sarif;

use std::io::Write;

use crate::finding::{Finding, Severity};
use crate::load::Sources;

/// How results are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with the node underlined (colour respects NO_COLOR).
    Human,
    /// GitHub Actions workflow commands: annotations on the PR's changed lines.
    Github,
    /// One versioned JSON document (`version: 1`; fields are added, never changed).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// Markdown, for a job summary or a PR comment.
    Markdown,
}

/// What a `check` run reports, ready to render.
pub struct CheckOutput<'a> {
    pub findings: &'a [Finding],
    pub sources: &'a Sources,
    /// Files read.
    pub files: usize,
    /// Targets compiled.
    pub targets: usize,
}

impl CheckOutput<'_> {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// One line: "2 errors, 1 warning in 14 files".
    pub fn summary_line(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "{}, {} in {} ({})",
            plural(self.count(Severity::Error), "error"),
            plural(self.count(Severity::Warning), "warning"),
            plural(self.files, "file"),
            plural(self.targets, "target"),
        )
    }
}

/// Renders a check report in `format`.
pub fn render_check(format: Format, out: &CheckOutput<'_>, color: bool) -> String {
    match format {
        Format::Human => human::render(out, color),
        Format::Github => github::render(out),
        Format::Json => json::render(out),
        Format::Sarif => sarif::render(out),
        Format::Markdown => markdown::render(out),
    }
}

/// Writes a rendered report to stdout.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut stdout = anstream::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// Writes a rendered report to stderr (when stdout is reserved for another result).
pub fn print_stderr(text: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

/// Whether stderr gets colour.
pub fn stderr_has_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// Writes an error message for a failed command to stderr.
pub fn print_error(message: &str) {
    let mut stderr = anstream::stderr().lock();
    let style = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let _ = writeln!(stderr, "{style}error{style:#}: {message}");
}

/// Appends markdown to the file GitHub Actions shows as the job summary, when running there.
pub fn append_step_summary(markdown: &str) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(markdown.as_bytes())
}

/// Whether stdout gets colour, following NO_COLOR, CLICOLOR(_FORCE) and the terminal.
pub fn stdout_has_color() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}
