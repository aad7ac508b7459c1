//! check as one JSON document, versioned (see docs/json.md). The structs here are the
//! contract, frozen per version; they are built from findings and never serialize internal
//! types directly.

use serde::Serialize;

use super::CheckOutput;
use crate::finding::{Finding, Severity};
use crate::load::Sources;
use crate::output::json::{JSON_VERSION, Tool};

#[derive(Serialize)]
struct CheckDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    summary: Summary,
    /// Rules that did not run, as `"<rule>: <why>"`.
    skipped: Vec<String>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    notes: usize,
    files: usize,
    targets: usize,
}

/// One finding as every JSON report carries it.
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    code: &'static str,
    rule: &'static str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    /// 1-based; absent when the finding concerns a whole file.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    /// The YAML node as a JSON Pointer, when the file parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    yaml_path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

/// A finding located through the file texts that hold it.
pub fn finding<'a>(f: &'a Finding, sources: &Sources) -> JsonFinding<'a> {
    let resolved = sources.resolve(&f.location);
    JsonFinding {
        code: f.rule.code,
        rule: f.rule.name,
        severity: f.severity,
        message: &f.message,
        file: f.location.file(),
        line: resolved.span.map(|s| s.line),
        column: resolved.span.map(|s| s.column),
        yaml_path: f.location.pointer(),
        label: f.label.as_deref(),
        help: f.help.as_deref(),
    }
}

pub fn render(out: &CheckOutput<'_>) -> String {
    let findings = out
        .findings
        .iter()
        .map(|f| finding(f, out.sources))
        .collect();
    let doc = CheckDocument {
        version: JSON_VERSION,
        tool: Tool::this(),
        command: "check",
        summary: Summary {
            errors: out.count(Severity::Error),
            warnings: out.count(Severity::Warning),
            notes: out.count(Severity::Note),
            files: out.files,
            targets: out.targets,
        },
        skipped: out.skipped.iter().map(ToString::to_string).collect(),
        findings,
    };
    crate::output::json::document(&doc)
}
