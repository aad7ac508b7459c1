//! The output layer: the only place flagops writes to stdout, stderr or the GitHub step
//! summary. One module per format, all rendering the same findings. Everything written here
//! passes [`crate::secrets::redact`] first: no format, command or error path prints a
//! credential.

pub mod actions;
pub mod adopt;
pub mod apply;
pub mod check;
pub mod codegen;
pub mod drift;
pub mod import;
pub mod init;
pub mod json;
pub mod ledger;
pub mod log;
pub mod markdown;
pub mod plan;
pub mod progress;
pub mod refs;
pub mod rules;
pub mod schema;
pub mod status;
pub mod stop;
pub mod watch;

use std::io::Write;

use crate::secrets::redact;

/// "storefront/prod/flags: held back by check errors (FO100, FO210) in flags/checkout.yaml".
pub fn describe_blocked(blocked: &crate::check::scope::Blocked) -> String {
    format!(
        "{}: held back by check errors ({}) in {}",
        blocked.id,
        blocked.codes.join(", "),
        blocked.files.join(", ")
    )
}

/// A target's name, with its account and region when more than one is in use.
pub fn target_name(
    id: &crate::compile::TargetId,
    site: Option<&crate::live::location::Site>,
) -> String {
    match site {
        Some(site) => format!("{id} ({site})"),
        None => id.to_string(),
    }
}

/// "<location>: <error>; not reached: a/b/c, …": an account or region no call reached.
pub fn describe_unreachable(unreachable: &crate::live::location::Unreachable) -> String {
    let targets: Vec<String> = unreachable
        .targets
        .iter()
        .map(ToString::to_string)
        .collect();
    format!("{}; not reached: {}", unreachable.error, targets.join(", "))
}

/// Prints a report rendered in `format`, and, unless that was already markdown, its markdown
/// to the GitHub job summary: what every report without source locations does.
pub fn emit_report(
    format: crate::cli::ReportFormat,
    render: impl Fn(crate::cli::ReportFormat) -> String,
) -> std::io::Result<()> {
    use crate::cli::ReportFormat;
    print(&render(format))?;
    if format != ReportFormat::Markdown {
        append_step_summary(&render(ReportFormat::Markdown))?;
    }
    Ok(())
}

/// Writes a rendered report to stdout.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut stdout = anstream::stdout().lock();
    stdout.write_all(redact(text).as_bytes())?;
    stdout.flush()
}

/// Writes a rendered report to stderr (when stdout is reserved for another result).
pub fn print_stderr(text: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = stderr.write_all(redact(text).as_bytes());
}

/// Whether stderr gets colour.
pub fn stderr_has_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// Writes an error message for a failed command to stderr.
pub fn print_error(message: &str) {
    let mut stderr = anstream::stderr().lock();
    let style = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let _ = writeln!(stderr, "{style}error{style:#}: {}", redact(message));
}

/// Writes a warning that does not stop the command to stderr (not with `-q`).
pub fn print_warning(message: &str) {
    if log::quiet() {
        return;
    }
    let mut stderr = anstream::stderr().lock();
    let style = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Yellow.into()));
    let _ = writeln!(stderr, "{style}warning{style:#}: {}", redact(message));
}

/// Appends markdown to the file GitHub Actions shows as the job summary, when running there.
pub fn append_step_summary(markdown: &str) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(redact(markdown).as_bytes())
}

/// Whether stdout gets colour, following NO_COLOR, CLICOLOR(_FORCE) and the terminal.
pub fn stdout_has_color() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}
