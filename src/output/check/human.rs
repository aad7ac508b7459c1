//! Human output: rustc-style snippets with the YAML node underlined.

use std::borrow::Cow;
use std::ops::Range;

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
            // Only the lines the node is on: the snippet shows no others, and handing it the
            // whole file would cost a pass over the file per finding.
            let (lines, first_line) = lines_around(text, span.start, end, span.line);
            let mut annotation =
                AnnotationKind::Primary.span(span.start - lines.start..end - lines.start);
            if let Some(label) = &finding.label {
                annotation = annotation.label(printable(label));
            }
            group = group.element(
                Snippet::source(&text[lines])
                    .path(printable(resolved.file))
                    .line_start(first_line)
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

/// The byte range of the whole lines that `start..end` is on, and the number of its first
/// line (`line`, the 1-based line of `start`). Lines end at \n, \r\n or a lone \r, as YAML
/// counts them.
fn lines_around(text: &str, start: usize, end: usize, line: usize) -> (Range<usize>, usize) {
    let mut from = start.min(text.len());
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let from = text[..from].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let mut to = end.clamp(start, text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    // A node that ends with its line break (a block mapping) ends on the line before.
    let node_end = to.max(start);
    let to = text[node_end..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| node_end + i);
    (from..to.max(from), line.max(1))
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
