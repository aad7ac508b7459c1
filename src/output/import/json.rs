//! import as one JSON document (version 1, see docs/json.md).

use serde::Serialize;

use crate::import::write::ImportReport;
use crate::output::check::json::{JsonFinding, finding};
use crate::output::json::{JSON_VERSION, Tool};

#[derive(Serialize)]
struct ImportDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    #[serde(flatten)]
    report: &'a ImportReport,
    /// Every target compiles back to what is live and check passes.
    exact: bool,
    check_errors: Vec<JsonFinding<'a>>,
}

pub fn render(report: &ImportReport) -> String {
    crate::output::json::document(&ImportDocument {
        version: JSON_VERSION,
        tool: Tool::this(),
        command: "import",
        report,
        exact: report.exact(),
        check_errors: (report.check_errors.iter())
            .map(|f| finding(f, &report.sources))
            .collect(),
    })
}
