//! Human output: rustc-style snippets with the YAML node underlined.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::CheckOutput;
use crate::finding::{Finding, Severity};

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
    for finding in out.findings {
        text.push_str(&renderer.render(&[group(finding, out)]));
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

fn group<'a>(finding: &'a Finding, out: &'a CheckOutput<'a>) -> Group<'a> {
    let resolved = out.sources.resolve(&finding.location);
    let title = level(finding.severity)
        .primary_title(finding.message.as_str())
        .id(finding.rule.code);
    let mut group = Group::with_title(title);
    match (resolved.text, resolved.span) {
        (Some(text), Some(span)) if span.start <= text.len() => {
            let end = span.end.clamp(span.start, text.len());
            let mut annotation = AnnotationKind::Primary.span(span.start..end);
            if let Some(label) = &finding.label {
                annotation = annotation.label(label.as_str());
            }
            group = group.element(
                Snippet::source(text)
                    .path(resolved.file)
                    .line_start(1)
                    .fold(true)
                    .annotation(annotation),
            );
        }
        _ => group = group.element(Origin::path(resolved.file)),
    }
    if let Some(pointer) = finding.location.pointer().filter(|p| !p.is_empty()) {
        group = group.element(Level::NOTE.message(format!("at {pointer} ({})", finding.rule.name)));
    } else {
        group = group.element(Level::NOTE.message(finding.rule.name));
    }
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    group
}
