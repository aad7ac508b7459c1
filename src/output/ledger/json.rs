//! The ledger as one JSON document (version 1, see docs/json.md).

use serde::Serialize;

use super::LedgerReport;
use crate::ledger::Listed;
use crate::output::json::{JSON_VERSION, Tool};

#[derive(Serialize)]
struct LedgerDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<&'a [Listed<'a>]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    open: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledged: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<&'a str>,
}

pub fn render(report: &LedgerReport<'_>) -> String {
    let mut doc = LedgerDocument {
        version: JSON_VERSION,
        tool: Tool::this(),
        command: "ledger",
        records: None,
        open: None,
        acknowledged: None,
        branch: None,
    };
    match report {
        LedgerReport::List(listing) => {
            doc.records = Some(&listing.records);
            doc.open = Some(listing.open);
        }
        LedgerReport::Acknowledged { id, branch } => {
            doc.acknowledged = Some(id);
            doc.branch = Some(branch);
        }
    }
    crate::output::json::document(&doc)
}
