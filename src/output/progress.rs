//! Progress while apply and watch wait on deployments, on stderr, so stdout keeps only the
//! report: on a terminal a bar per target (indicatif), elsewhere (CI, a pipe, a log file) one
//! plain line per change of state.

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

/// A bar per target on a terminal: how far its deployment has gone and its latest state. Setup
/// steps print above the bars. The bars are cleared when it ends: the report that follows
/// says how each target ended.
pub struct Bars {
    multi: indicatif::MultiProgress,
    bars: std::sync::Mutex<Vec<(TargetId, indicatif::ProgressBar)>>,
}

impl Bars {
    /// Bars when stderr is a terminal a person watches (not `-q`, not CI); `None` elsewhere,
    /// where plain lines serve logs better.
    pub fn on_terminal() -> Option<Bars> {
        use std::io::IsTerminal as _;
        let ci = std::env::var_os("CI").is_some() || std::env::var_os("GITHUB_ACTIONS").is_some();
        (std::io::stderr().is_terminal() && !ci && !super::log::quiet()).then(|| Bars {
            multi: indicatif::MultiProgress::with_draw_target(
                indicatif::ProgressDrawTarget::stderr(),
            ),
            bars: std::sync::Mutex::default(),
        })
    }

    fn bar(&self, target: &TargetId) -> indicatif::ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, bar)) = bars.iter().find(|(id, _)| id == target) {
            return bar.clone();
        }
        let style = indicatif::ProgressStyle::with_template(
            "{prefix:.bold} [{bar:20.cyan/blue}] {pos:>3}% {wide_msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
        let bar = self.multi.add(
            indicatif::ProgressBar::new(100)
                .with_style(style)
                .with_prefix(target.to_string()),
        );
        bars.push((target.clone(), bar.clone()));
        bar
    }
}

impl Progress for Bars {
    fn report(&self, target: &TargetId, message: &str) {
        self.bar(target)
            .set_message(crate::secrets::redact(message).into_owned());
    }

    fn setup(&self, message: &str) {
        let _ = (self.multi).println(format!("[setup] {}", crate::secrets::redact(message)));
    }

    fn percent(&self, target: &TargetId, percent: f32) {
        // A percentage is 0 to 100; the cast saturates whatever AppConfig sends.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        self.bar(target)
            .set_position(percent.round().clamp(0.0, 100.0) as u64);
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        for (_, bar) in self.bars.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            bar.finish_and_clear();
        }
    }
}
