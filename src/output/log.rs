//! Logs and the global output settings (`-v`, `-q`, `--color`). Logs are tracing events on
//! stderr, filtered by FLAGOPS_LOG, else RUST_LOG, else the verbosity; every line passes the
//! redactor, like everything else flagops writes, so a credential in an SDK event is masked.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::{ColorWhen, GlobalArgs};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Whether `-q` asked for the report and errors only.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Applies the global options: colour, quiet, and the log filter.
pub fn init(global: &GlobalArgs) {
    anstream::ColorChoice::write_global(match global.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    });
    QUIET.store(global.quiet, Ordering::Relaxed);
    let filter = std::env::var("FLAGOPS_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| default_filter(global).to_owned());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter(global)));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| Redacting)
        .with_ansi(super::stderr_has_color())
        .without_time()
        .try_init();
}

/// A role STS refuses is reported with its location's targets, so the SDK's own warning
/// about it is left to `-vv`.
fn default_filter(global: &GlobalArgs) -> &'static str {
    match (global.quiet, global.verbose) {
        (true, _) => "off",
        (false, 0) => "warn,aws_config::sts=error",
        (false, 1) => "warn,aws_config::sts=error,flagops=debug",
        (false, _) => "debug",
    }
}

/// stderr, one redacted write per event.
struct Redacting;

impl Write for Redacting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let mut stderr = anstream::stderr().lock();
        stderr.write_all(crate::secrets::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
