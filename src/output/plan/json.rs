//! A plan as one JSON document (version 1).

use serde::Serialize;

use crate::freeze::Frozen;
use crate::output::json::Tool;
use crate::plan::{Action, Plan};

#[derive(Serialize)]
struct PlanDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    backend: &'a str,
    has_changes: bool,
    summary: Summary,
    targets: &'a [crate::plan::TargetPlan],
    /// Selected targets that check errors hold back.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    blocked: &'a [crate::check::scope::Blocked],
    /// Changed targets a freeze holds back now.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    frozen: &'a [Frozen],
    /// AppConfig setup that differs from flagops.yaml.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    setup: &'a [crate::plan::setup::SetupChange],
    /// Accounts or regions no call reached, with the targets left out.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unreachable: &'a [crate::live::location::Unreachable],
}

#[derive(Serialize)]
struct Summary {
    targets: usize,
    create: usize,
    update: usize,
    unchanged: usize,
}

pub fn render(plan: &Plan, frozen: &[Frozen], backend: &str) -> String {
    let count = |a: Action| plan.targets.iter().filter(|t| t.action == a).count();
    let doc = PlanDocument {
        version: crate::output::json::JSON_VERSION,
        tool: Tool::this(),
        command: "plan",
        backend,
        has_changes: plan.has_changes(),
        summary: Summary {
            targets: plan.targets.len(),
            create: count(Action::Create),
            update: count(Action::Update),
            unchanged: count(Action::Unchanged),
        },
        targets: &plan.targets,
        blocked: &plan.blocked,
        frozen,
        setup: &plan.setup,
        unreachable: &plan.unreachable,
    };
    crate::output::json::document(&doc)
}
