//! The status report in every format: one module per format.

pub mod html;
pub mod human;
pub mod json;
pub mod markdown;

use std::path::Path;

use serde_json::Value;

use crate::cli::StatusFormat;
use crate::compile::canonical;
use crate::output;
use crate::status::{Cell, Difference, Expiry, LastDeployment, Row, StatusReport, SyncState};

/// Prints the report in `format`, or writes it to `out`; adds the markdown to the job summary.
pub fn emit(report: &StatusReport, format: StatusFormat, out: Option<&Path>) -> anyhow::Result<()> {
    let text = render(report, format, out.is_none() && output::stdout_has_color());
    match out {
        Some(path) => {
            crate::fsutil::write_atomic(path, crate::secrets::redact(&text).as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            if !output::log::quiet() {
                output::print_stderr(&format!(
                    "wrote the status of {} flag(s) to {}\n",
                    report.rows.len(),
                    path.display()
                ));
            }
        }
        None => output::print(&text)?,
    }
    if format != StatusFormat::Markdown {
        output::append_step_summary(&markdown::render(report))?;
    }
    Ok(())
}

pub fn render(report: &StatusReport, format: StatusFormat, color: bool) -> String {
    match format {
        StatusFormat::Human => human::render(report, color),
        StatusFormat::Markdown => markdown::render(report),
        StatusFormat::Json => json::render(report),
        StatusFormat::Html => html::render(report),
    }
}

/// A one-character mark of each state, for tables where colour may be missing.
fn mark(sync: SyncState) -> &'static str {
    match sync {
        SyncState::InSync => "✓",
        SyncState::Changed => "~",
        SyncState::Held => "!",
        SyncState::OutOfBand => "✗",
        SyncState::Pending => "…",
        SyncState::Missing => "?",
    }
}

/// Longest attribute value shown in a cell before it is cut.
const SHORT: usize = 20;

/// A live flag value in short form: `on`, `off max_items=5 tier="gold"`; `—` when nothing is
/// served.
pub fn short_value(value: Option<&Value>) -> String {
    value_parts(value).join(" ")
}

/// [`short_value`]'s parts: `on` or `off`, then one `name=value` per attribute (cut to
/// [`SHORT`] characters), a variant list as `3 variants`.
pub fn value_parts(value: Option<&Value>) -> Vec<String> {
    let Some(Value::Object(map)) = value else {
        return vec!["—".to_owned()];
    };
    let mut parts = Vec::new();
    match map.get("enabled") {
        Some(Value::Bool(true)) => parts.push("on".to_owned()),
        Some(Value::Bool(false)) => parts.push("off".to_owned()),
        _ => {}
    }
    for (name, v) in map.iter().filter(|(k, _)| *k != "enabled") {
        if name == "_variants" {
            let n = v.as_array().map_or(0, Vec::len);
            parts.push(format!("{n} variant{}", if n == 1 { "" } else { "s" }));
        } else {
            parts.push(format!("{name}={}", cut(&canonical::compact(v), SHORT)));
        }
    }
    if parts.is_empty() {
        parts.push("—".to_owned());
    }
    parts
}

/// `text`, cut to `max` characters with an ellipsis.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `#4 COMPLETE a1b2c3d`
fn short_deployment(d: &LastDeployment) -> String {
    let mut out = format!("#{} {}", d.number, d.state);
    if let Some(commit) = &d.commit {
        out.push(' ');
        out.push_str(short_sha(commit));
    }
    out
}

fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// "enabled: git true, live false"
fn describe_difference(d: &Difference) -> String {
    let (git, live) = output::plan::pair(&d.git, &d.live);
    format!("{}: git {git}, live {live}", d.field)
}

/// The expiry note of a row: `expired 2026-01-31`, `expires 2026-12-01`.
fn expiry_note(row: &Row) -> Option<String> {
    let date = row.expires.as_deref()?;
    Some(match row.expiry {
        Some(Expiry::Expired) => format!("expired {date}"),
        Some(Expiry::Soon) => format!("expires soon, {date}"),
        _ => format!("expires {date}"),
    })
}

/// "3 flags × 2 environments: 5 in sync, 1 out-of-band"
fn summary(report: &StatusReport) -> String {
    let counts = report.counts();
    let parts: Vec<String> = counts
        .iter()
        .map(|(sync, n)| format!("{n} {}", sync.as_str()))
        .collect();
    let mut out = summary_head(report);
    if !parts.is_empty() {
        out.push_str(": ");
        out.push_str(&parts.join(", "));
    }
    out
}

/// "3 flags × 2 environments"
fn summary_head(report: &StatusReport) -> String {
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    format!(
        "{} × {}",
        plural(report.rows.len(), "flag"),
        plural(report.environments.len(), "environment")
    )
}

/// One line about a cell that is not in sync: its state, cause and differences.
fn explain(cell: &Cell) -> String {
    let mut out = cell.sync.as_str().to_owned();
    if cell.console_owned {
        out.push_str(" (console-owned)");
    }
    if !cell.held.is_empty() {
        out.push_str(&format!(" ({})", cell.held.join(", ")));
    }
    if let Some(cause) = &cell.cause {
        out.push_str(": ");
        out.push_str(cause);
    }
    let diffs: Vec<String> = cell.differences.iter().map(describe_difference).collect();
    if !diffs.is_empty() {
        out.push_str("; ");
        out.push_str(&diffs.join("; "));
    }
    out
}

/// Cells not in sync, with their row: what every format lists under the table.
fn not_in_sync(report: &StatusReport) -> impl Iterator<Item = (&Row, &Cell)> {
    report.rows.iter().flat_map(|row| {
        row.cells
            .iter()
            .flatten()
            .filter(|c| c.sync != SyncState::InSync)
            .map(move |c| (row, c))
    })
}
