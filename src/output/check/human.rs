//! Human output: rustc-style snippets with the YAML node underlined.

use std::borrow::Cow;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use std::collections::HashMap;

use super::CheckOutput;
use crate::finding::{Finding, Severity, catalog};
use crate::load::Resolved;
use crate::secrets;

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

pub fn render(out: &CheckOutput<'_>, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut text = String::new();
    let mut masked = HashMap::new();
    for finding in out.findings {
        let resolved = out.sources.resolve(&finding.location);
        let source = resolved.text.map(|text| {
            &**masked
                .entry(resolved.file)
                .or_insert_with(|| masked_source(out, resolved.file, text))
        });
        text.push_str(&renderer.render(&[group(finding, &resolved, source)]));
        text.push_str("\n\n");
    }
    let verdict = if out.count(Severity::Error) > 0 {
        "check failed"
    } else {
        "check passed"
    };
    text.push_str(&format!("{verdict}: {}\n", out.summary_line()));
    text
}

/// Text from the repository (keys, values, paths) as it may be printed to a terminal: control
/// characters escaped (`\n`, `\r`, `\u{1b}`). A flag key may hold a line break, which would
/// split the finding's title, or an escape sequence, which would reach the terminal as such
/// when colour is on.
fn printable(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// The text of `file` as a snippet may show it: every credential masked, including the nodes
/// FO213 points at, whose secret may be written escaped in the YAML.
fn masked_source<'a>(out: &CheckOutput<'_>, file: &str, text: &'a str) -> Cow<'a, str> {
    let nodes = out
        .findings
        .iter()
        .filter(|f| f.rule.code == catalog::SECRET_VALUE.code && f.location.file() == file)
        .filter_map(|f| out.sources.resolve(&f.location).span)
        .map(|span| span.start..span.end);
    secrets::redact_with(text, nodes)
}

fn group<'a>(finding: &'a Finding, resolved: &Resolved<'a>, source: Option<&'a str>) -> Group<'a> {
    let title = level(finding.severity)
        .primary_title(printable(&finding.message))
        .id(finding.rule.code);
    let mut group = Group::with_title(title);
    match (source, resolved.span) {
        (Some(text), Some(span)) if span.start <= text.len() => {
            let end = span.end.clamp(span.start, text.len());
            let mut annotation = AnnotationKind::Primary.span(span.start..end);
            if let Some(label) = &finding.label {
                annotation = annotation.label(printable(label));
            }
            group = group.element(
                Snippet::source(text)
                    .path(printable(resolved.file))
                    .line_start(1)
                    .fold(true)
                    .annotation(annotation),
            );
        }
        _ => group = group.element(Origin::path(printable(resolved.file))),
    }
    if let Some(pointer) = finding.location.pointer().filter(|p| !p.is_empty()) {
        let note = format!("at {} ({})", printable(pointer), finding.rule.name);
        group = group.element(Level::NOTE.message(note));
    } else {
        group = group.element(Level::NOTE.message(finding.rule.name));
    }
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(printable(help)));
    }
    group
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_are_printed_escaped() {
        assert_eq!(printable("flag `a`"), "flag `a`");
        assert_eq!(printable("two\r\nlines"), "two\\r\\nlines");
        assert_eq!(printable("\u{1b}[2Jx"), "\\u{1b}[2Jx");
        assert_eq!(printable("größe"), "größe");
    }
}
