//! Status as one JSON document (version 1, see docs/json.md).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::output::json::{JSON_VERSION, Tool};
use crate::status::StatusReport;

#[derive(Serialize)]
struct StatusDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    /// Every flag in sync in every environment, every selected target compared.
    in_sync: bool,
    /// Cells in each state.
    counts: BTreeMap<&'static str, usize>,
    #[serde(flatten)]
    report: &'a StatusReport,
}

pub fn render(report: &StatusReport) -> String {
    crate::output::json::document(&StatusDocument {
        version: JSON_VERSION,
        tool: Tool::this(),
        command: "status",
        in_sync: report.all_in_sync(),
        counts: report
            .counts()
            .into_iter()
            .map(|(sync, n)| (sync.slug(), n))
            .collect(),
        report,
    })
}
