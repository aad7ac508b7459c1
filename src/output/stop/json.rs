//! stop as one JSON document (version 1).

use serde::Serialize;

use crate::apply::stop::StopReport;
use crate::output::json::{JSON_VERSION, Tool};

#[derive(Serialize)]
struct StopDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    #[serde(flatten)]
    report: &'a StopReport,
}

pub fn render(report: &StopReport) -> String {
    crate::output::json::document(&StopDocument {
        version: JSON_VERSION,
        tool: Tool::this(),
        command: "stop",
        report,
    })
}
