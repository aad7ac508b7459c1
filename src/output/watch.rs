//! What `flagops watch` followed, for a terminal or a CI log.

use crate::watch::WatchReport;

pub fn render(report: &WatchReport) -> String {
    let mut out = String::new();
    for w in &report.watched {
        let ended = if w.rejected {
            format!(
                "{} ({})",
                w.state.replace('_', " "),
                w.reason.as_deref().unwrap_or("no reason in the event log")
            )
        } else if w.running {
            format!("still {} when the timeout passed", w.state)
        } else {
            w.state.clone()
        };
        out.push_str(&format!(
            "  {}: deployment #{} of version {}: {ended}\n",
            w.target, w.deployment, w.version
        ));
    }
    let rolled_back = report.watched.iter().filter(|w| w.rejected).count();
    let running = report.watched.iter().filter(|w| w.running).count();
    out.push_str(&format!(
        "watch on {}: {} of {} target(s) had a deployment running; {} complete, {rolled_back} rolled back, {running} still running\n",
        report.backend,
        report.watched.len(),
        report.targets,
        report.watched.len() - rolled_back - running,
    ));
    out
}
