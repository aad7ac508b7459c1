//! Drift as SARIF 2.1.0: a result on each drifted flag's node.

use crate::drift::Report;
use crate::load::Sources;

pub fn render(report: &Report, sources: &Sources) -> String {
    crate::output::check::sarif::log(&super::located(report), sources)
}
