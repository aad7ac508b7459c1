//! What freezes did to an apply: changes held back, or deployed through the glass.

use crate::freeze::{FreezeReport, Frozen};
use crate::output::markdown::cell;

fn name(f: &Frozen) -> String {
    f.id.to_string()
}

fn freeze(f: &Frozen) -> String {
    format!(
        "freeze #{} \"{}\" ({} to {})",
        f.freeze.index + 1,
        f.freeze.reason,
        f.freeze.from,
        f.freeze.until
    )
}

pub(super) fn human(report: &FreezeReport, break_glass: Option<&str>) -> String {
    let mut out = String::new();
    if !report.held.is_empty() {
        out.push('\n');
        for f in &report.held {
            out.push_str(&format!(
                "  {}: FROZEN, not deployed: {}\n",
                name(f),
                freeze(f)
            ));
        }
        out.push_str(&format!(
            "{} held back by a freeze: they go out on the first apply after it ends, or now with --break-glass --reason \"<why>\" and a scope (--app, --env)\n",
            plural(report.held.len())
        ));
    }
    if !report.broken.is_empty() {
        out.push('\n');
        for f in &report.broken {
            out.push_str(&format!("  {}: deployed through {}\n", name(f), freeze(f)));
        }
        out.push_str(&format!(
            "break-glass: \"{}\" ({} through a freeze), recorded in the drift ledger as {}\n",
            report.break_glass.as_deref().unwrap_or_default(),
            plural(report.broken.len()),
            report.ledger_record.as_deref().unwrap_or("?")
        ));
    } else if break_glass.is_some() {
        out.push_str("break-glass: no change was frozen, nothing to record\n");
    }
    out
}

fn plural(n: usize) -> String {
    format!("{n} target{}", if n == 1 { "" } else { "s" })
}

pub(super) fn markdown(report: &FreezeReport) -> String {
    if report.is_empty() {
        return String::new();
    }
    let mut md = String::from("\n| target | freeze | result |\n|---|---|---|\n");
    for (f, what) in report
        .held
        .iter()
        .map(|f| (f, "held back"))
        .chain(report.broken.iter().map(|f| (f, "deployed (break-glass)")))
    {
        md.push_str(&format!(
            "| `{}` | {} | {what} |\n",
            cell(&name(f)),
            cell(&freeze(f))
        ));
    }
    if let Some(reason) = &report.break_glass
        && !report.broken.is_empty()
    {
        md.push_str(&format!("\nBreak-glass reason: {}\n", cell(reason)));
    }
    md
}
