//! Progress while apply waits on deployments: one line per change of state, on stderr, so
//! stdout keeps only the report. Inside GitHub Actions the lines are the same plain text.

use std::io::Write;

use crate::apply::Progress;
use crate::compile::TargetId;

/// Plain progress lines: `[app/env/profile] message`.
pub struct Lines;

impl Progress for Lines {
    fn report(&self, target: &TargetId, message: &str) {
        if super::log::quiet() {
            return;
        }
        let mut stderr = anstream::stderr().lock();
        let _ = writeln!(stderr, "[{target}] {}", crate::secrets::redact(message));
    }

    fn setup(&self, message: &str) {
        if super::log::quiet() {
            return;
        }
        let mut stderr = anstream::stderr().lock();
        let _ = writeln!(stderr, "[setup] {}", crate::secrets::redact(message));
    }
}

/// Progress lines with the time in front, `2026-12-07T00:10:03Z [app/env/profile] message`:
/// what `flagops watch` prints, for logs read later.
pub struct Timestamped;

impl Progress for Timestamped {
    fn report(&self, target: &TargetId, message: &str) {
        if super::log::quiet() {
            return;
        }
        let now = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_default();
        let mut stderr = anstream::stderr().lock();
        let _ = writeln!(
            stderr,
            "{now} [{target}] {}",
            crate::secrets::redact(message)
        );
    }

    fn setup(&self, message: &str) {
        self.report(
            &TargetId {
                application: "setup".into(),
                environment: String::new(),
                profile: String::new(),
            },
            message,
        );
    }
}
