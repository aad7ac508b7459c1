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
