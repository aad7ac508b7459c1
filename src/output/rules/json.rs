//! The rule catalog as one JSON document (version 1, see docs/json.md).

use serde::Serialize;

use crate::finding::Severity;
use crate::finding::catalog::RuleInfo;
use crate::output::json::{JSON_VERSION, Tool};

#[derive(Serialize)]
struct RulesDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    rules: Vec<JsonRule<'a>>,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    code: &'a str,
    name: &'a str,
    default_level: Severity,
    summary: &'a str,
}

pub fn render(rules: &[&RuleInfo]) -> String {
    crate::output::json::document(&RulesDocument {
        version: JSON_VERSION,
        tool: Tool::this(),
        command: "rules",
        rules: rules
            .iter()
            .map(|r| JsonRule {
                code: r.code,
                name: r.name,
                default_level: r.default_severity,
                summary: r.summary,
            })
            .collect(),
    })
}
