//! Drift as one JSON document (version 1).

use serde::Serialize;

use super::Reported;
use crate::drift::Finding;
use crate::output::json::Tool;

#[derive(Serialize)]
struct DriftDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    backend: &'a str,
    targets: usize,
    drift: bool,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    ledger_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution: Option<&'a str>,
}

pub fn render(findings: &[Reported<'_>], targets: usize, backend: &str) -> String {
    let doc = DriftDocument {
        version: 1,
        tool: Tool::this(),
        command: "drift",
        backend,
        targets,
        drift: !findings.is_empty(),
        findings: findings
            .iter()
            .map(|r| JsonFinding {
                finding: r.finding,
                ledger_id: r.recorded.as_ref().map(|(id, _)| id.as_str()),
                resolution: r.recorded.as_ref().and_then(|(_, res)| *res),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
