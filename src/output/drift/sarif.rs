//! Drift as SARIF 2.1.0: a result on each drifted flag's node.

use crate::drift::Report;
use crate::load::Sources;

/// `prefix`: where the flagops root is in the git work tree (see
/// [`crate::output::check::CheckOutput::repo_prefix`]).
pub fn render(report: &Report, sources: &Sources, prefix: &str) -> String {
    crate::output::check::sarif::log(&super::located(report), sources, prefix)
}
