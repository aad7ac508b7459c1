//! Drift as GitHub workflow commands: an annotation on each drifted flag's line.

use crate::drift::Report;
use crate::load::Sources;
use crate::output::check::github::annotations;

/// `prefix`: where the flagops root is in the git work tree (see
/// [`crate::output::check::CheckOutput::repo_prefix`]).
pub fn render(report: &Report, sources: &Sources, prefix: &str) -> String {
    let mut text = annotations(&super::located(report), sources, prefix);
    text.push_str(&format!(
        "flagops drift: {} finding(s) of drift, {} pending or noted, {} setup change(s), on {} target(s) against {}\n",
        report.drift(),
        report.findings.len() - report.drift(),
        report.setup_drift(),
        report.targets,
        report.backend
    ));
    text
}
