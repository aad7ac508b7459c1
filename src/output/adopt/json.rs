//! adopt as one JSON document (version 1, see docs/json.md).

use serde::Serialize;

use crate::adopt::write::AdoptReport;
use crate::output::json::{JSON_VERSION, Tool};

#[derive(Serialize)]
struct AdoptDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    /// Where the live values were read, as the other reports name it.
    backend: &'a str,
    #[serde(flatten)]
    report: &'a AdoptReport,
}

pub fn render(report: &AdoptReport, backend: &str) -> String {
    crate::output::json::document(&AdoptDocument {
        version: JSON_VERSION,
        tool: Tool::this(),
        command: "adopt",
        backend,
        report,
    })
}
