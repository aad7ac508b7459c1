//! What `flagops apply` reports: the plan it carried out, each target's outcome, and what
//! freezes held back or let through.

use crate::freeze::FreezeReport;
use crate::plan::Plan;

pub struct ApplyReport {
    pub plan: Plan,
    pub outcome: super::Report,
    pub freezes: FreezeReport,
    /// The `--break-glass` reason given, whether or not anything was frozen.
    pub break_glass: Option<String>,
    /// Where it applied: `AppConfig`, a local directory.
    pub backend: String,
}
