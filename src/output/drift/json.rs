//! Drift as one JSON document (version 1, see docs/json.md).

use serde::Serialize;

use crate::drift::{Finding, Report};
use crate::finding::Location;
use crate::load::Sources;
use crate::output::json::{JSON_VERSION, Tool};

#[derive(Serialize)]
struct DriftDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    backend: &'a str,
    targets: usize,
    drift: bool,
    findings: Vec<JsonFinding<'a>>,
    /// Selected targets not compared: check errors in their files.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    not_compared: &'a [crate::check::scope::Blocked],
    /// AppConfig setup that differs from flagops.yaml.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    setup: &'a [crate::plan::setup::SetupChange],
    /// Accounts or regions no call reached, with the targets not compared.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unreachable: &'a [crate::live::location::Unreachable],
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    /// The stable code of the drift class (FO4xx).
    code: &'static str,
    #[serde(flatten)]
    finding: &'a Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    ledger_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution: Option<&'a str>,
    /// Where a reader fixes it: each drifted flag's node in its flag file, or the target's
    /// environment in flagops.yaml; what the GitHub and SARIF formats annotate.
    locations: Vec<JsonLocation<'a>>,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    flag: Option<&'a str>,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    yaml_path: Option<&'a str>,
}

impl<'a> JsonLocation<'a> {
    fn new(flag: Option<&'a str>, location: &'a Location, sources: &Sources) -> Self {
        let span = sources.resolve(location).span;
        JsonLocation {
            flag,
            file: location.file(),
            line: span.map(|s| s.line),
            column: span.map(|s| s.column),
            yaml_path: location.pointer(),
        }
    }
}

/// Each drifted flag at its node; the target's environment when no flag has one.
fn locations<'a>(finding: &'a Finding, sources: &Sources) -> Vec<JsonLocation<'a>> {
    let flags: Vec<JsonLocation<'a>> = (finding.flags.iter())
        .filter_map(|f| {
            Some(JsonLocation::new(
                Some(&f.key),
                f.location.as_ref()?,
                sources,
            ))
        })
        .collect();
    if flags.is_empty() {
        vec![JsonLocation::new(None, &finding.location, sources)]
    } else {
        flags
    }
}

pub fn render(report: &Report, sources: &Sources) -> String {
    crate::output::json::document(&DriftDocument {
        version: JSON_VERSION,
        tool: Tool::this(),
        command: "drift",
        backend: &report.backend,
        targets: report.targets,
        drift: report.any_drift(),
        findings: report
            .findings
            .iter()
            .map(|r| JsonFinding {
                code: r.finding.class.rule().code,
                finding: &r.finding,
                ledger_id: r.ledger.as_ref().map(|l| l.id.as_str()),
                resolution: r.ledger.as_ref().and_then(|l| l.resolution),
                locations: locations(&r.finding, sources),
            })
            .collect(),
        not_compared: &report.not_compared,
        setup: &report.setup,
        unreachable: &report.unreachable,
    })
}
