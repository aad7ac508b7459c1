//! adopt as one JSON document (version 1, see docs/json.md).

use serde::Serialize;

use crate::adopt::write::AdoptReport;
use crate::output::json::{JSON_VERSION, Tool};

#[derive(Serialize)]
struct AdoptDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    #[serde(flatten)]
    report: &'a AdoptReport,
}

pub fn render(report: &AdoptReport) -> String {
    crate::output::json::document(&AdoptDocument {
        version: JSON_VERSION,
        tool: Tool::this(),
        command: "adopt",
        report,
    })
}
