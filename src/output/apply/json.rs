//! apply as one JSON document (version 1, see docs/json.md).

use serde::Serialize;

use crate::apply::{ApplyReport, Report};
use crate::freeze::FreezeReport;
use crate::output::json::{JSON_VERSION, Tool};

#[derive(Serialize)]
struct ApplyDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    backend: &'a str,
    #[serde(flatten)]
    report: &'a Report,
    /// Targets held back by a freeze, or deployed through one with `--break-glass`.
    #[serde(skip_serializing_if = "Option::is_none")]
    freezes: Option<&'a FreezeReport>,
    /// Selected targets that check errors held back: not deployed.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    blocked: &'a [crate::check::scope::Blocked],
}

/// The JSON report, with what freezes did when they did anything.
pub fn render(apply: &ApplyReport) -> String {
    let freezes = &apply.freezes;
    let shown = (!freezes.is_empty() || freezes.break_glass.is_some()).then_some(freezes);
    crate::output::json::document(&ApplyDocument {
        version: JSON_VERSION,
        tool: Tool::this(),
        command: "apply",
        backend: &apply.backend,
        report: &apply.outcome,
        freezes: shown,
        blocked: &apply.plan.blocked,
    })
}
