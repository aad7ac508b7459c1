//! The check report in every format: source snippets, annotations, JSON, SARIF, markdown.

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use crate::cli::Format;
use crate::finding::{Finding, Severity};
use crate::load::{Resolved, Sources};

/// What a `check` run reports, ready to render.
pub struct CheckOutput<'a> {
    pub findings: &'a [Finding],
    pub sources: &'a Sources,
    /// Files read.
    pub files: usize,
    /// Targets compiled.
    pub targets: usize,
    /// Where the flagops root is inside the git work tree (`deploy/flags`), or empty: SARIF
    /// and annotations give paths from the root of the git repository, which is where code
    /// scanning and GitHub look for them.
    pub repo_prefix: &'a str,
    /// Rules that did not run, and why.
    pub skipped: &'a [crate::check::Skipped],
}

impl<'a> CheckOutput<'a> {
    /// The report of a check: every file it read, paths relative to the flagops root.
    pub fn of(loaded: &'a crate::load::Loaded, report: &'a crate::check::Report) -> Self {
        CheckOutput {
            findings: &report.findings,
            sources: &loaded.sources,
            files: loaded.sources.iter().count(),
            targets: report.targets,
            repo_prefix: "",
            skipped: &report.skipped,
        }
    }
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

/// A file path as SARIF and annotations give it: relative to the git work tree's root, i.e.
/// `path` (relative to the flagops root) under `prefix` (see [`CheckOutput::repo_prefix`]).
pub fn repo_path(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        path.to_owned()
    } else {
        format!("{prefix}/{path}")
    }
}

/// Where a finding is in its file: 1-based lines and columns, columns in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub line: usize,
    pub column: usize,
    /// Line and column just past the node's last character (the end is exclusive, as SARIF's
    /// `endColumn`), when the node is not empty.
    pub end: Option<(usize, usize)>,
}

/// The region of a resolved location, with its end computed from the span's end offset.
/// Trailing whitespace and line breaks of a node (a block mapping ends with its line break)
/// are not part of it, so a one-line node ends on its line.
pub fn region(resolved: &Resolved<'_>) -> Option<Region> {
    let span = resolved.span?;
    let mut region = Region {
        line: span.line,
        column: span.column,
        end: None,
    };
    let Some(text) = resolved.text else {
        return Some(region);
    };
    let (start, mut end) = (span.start, span.end.min(text.len()));
    if start >= end || !text.is_char_boundary(start) {
        return Some(region);
    }
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let node = text[start..end].trim_end_matches([' ', '\t', '\r', '\n']);
    if node.is_empty() {
        return Some(region);
    }
    // YAML breaks lines at \n, \r\n and a lone \r alike, as the spans' lines count them.
    let mut line = span.line;
    let mut column = span.column;
    let mut chars = node.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                line += 1;
                column = 1;
            }
            _ => column += 1,
        }
    }
    region.end = Some((line, column));
    Some(region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Span;

    fn region_of(text: &str, span: Span) -> Option<Region> {
        region(&Resolved {
            file: "f.yaml",
            text: Some(text),
            span: Some(span),
        })
    }

    #[test]
    fn regions_end_after_the_last_character() {
        let text = "a: größe\nb:\n  c: 1\n  d: 2\n";
        let value = Span {
            start: 3,
            end: 10,
            line: 1,
            column: 4,
        };
        assert_eq!(
            region_of(text, value).and_then(|r| r.end),
            Some((1, 9)),
            "columns count characters"
        );
        // The mapping under `b`, with its line break, ends after `2` on line 4.
        let mapping = Span {
            start: 16,
            end: text.len(),
            line: 3,
            column: 3,
        };
        assert_eq!(region_of(text, mapping).and_then(|r| r.end), Some((4, 7)));
        let crlf = "a:\r\n  x\r  y\r\n";
        let block = Span {
            start: 6,
            end: crlf.len(),
            line: 2,
            column: 3,
        };
        assert_eq!(region_of(crlf, block).and_then(|r| r.end), Some((3, 4)));
    }

    #[test]
    fn an_empty_or_unresolvable_span_has_no_end() {
        let empty = Span {
            start: 2,
            end: 2,
            line: 1,
            column: 3,
        };
        assert_eq!(region_of("a: \n", empty).and_then(|r| r.end), None);
        let past = Span {
            start: 9,
            end: 12,
            line: 1,
            column: 10,
        };
        assert_eq!(region_of("a: 1\n", past).and_then(|r| r.end), None);
        assert_eq!(repo_path("", "flags/a.yaml"), "flags/a.yaml");
        assert_eq!(repo_path("sub/dir", "flags/a.yaml"), "sub/dir/flags/a.yaml");
    }
}
