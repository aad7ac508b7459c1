//! Rendering of drift findings: one module per format.

pub mod human;
pub mod json;
pub mod markdown;

use crate::drift::{FieldDrift, Finding};
use crate::output::plan::short;

/// "enabled: git true, live false"
pub fn describe_field(f: &FieldDrift) -> String {
    format!(
        "{}: git {}, live {}",
        f.field,
        short(&f.desired),
        short(&f.live)
    )
}

/// A finding with whether the ledger already has it.
pub struct Reported<'a> {
    pub finding: &'a Finding,
    /// The ledger record id when already recorded, and its resolution if any.
    pub recorded: Option<(String, Option<&'static str>)>,
}

pub fn target_name(f: &Finding) -> String {
    format!(
        "{}/{}/{}",
        f.target.application, f.target.environment, f.target.profile
    )
}
