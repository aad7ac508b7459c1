//! The drift report in every format: one module per format.

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use crate::cli::Format;
use crate::drift::{FieldDrift, LedgerEntry, Report};
use crate::finding::Finding;
use crate::ledger::Written;
use crate::load::Sources;
use crate::output;

/// Prints the report in `format`, adds the markdown to the job summary, and sets the step's
/// `drift` output. `prefix` is where the flagops root is in the git work tree.
pub fn emit(
    report: &Report,
    format: Format,
    sources: &Sources,
    prefix: &str,
) -> std::io::Result<()> {
    output::print(&render(report, format, sources, prefix))?;
    if format != Format::Markdown {
        output::append_step_summary(&markdown::render(report))?;
    }
    output::actions::set_output("drift", if report.any_drift() { "true" } else { "false" })
}

pub fn render(report: &Report, format: Format, sources: &Sources, prefix: &str) -> String {
    match format {
        Format::Human => human::render(report),
        Format::Markdown => markdown::render(report),
        Format::Json => json::render(report, sources),
        Format::Github => github::render(report, sources, prefix),
        Format::Sarif => sarif::render(report, sources, prefix),
    }
}

/// "[ledger 2026…, adopted]"
fn ledger_note(entry: &Option<LedgerEntry>) -> String {
    match entry {
        Some(LedgerEntry {
            id,
            resolution: Some(resolution),
        }) => format!(" [ledger {id}, {resolution}]"),
        Some(LedgerEntry {
            id,
            resolution: None,
        }) => format!(" [ledger {id}]"),
        None => String::new(),
    }
}

/// What `--record` wrote, for stderr.
pub fn recorded(written: &Written) -> String {
    match &written.commit {
        Some(oid) => format!(
            "recorded {} finding(s) and {} resolution(s) on branch {} ({})\n",
            written.findings,
            written.resolutions,
            crate::ledger::BRANCH,
            oid.get(..12).unwrap_or(oid)
        ),
        None => "the ledger already has every finding\n".to_owned(),
    }
}

/// "enabled: git true, live false", "variants: rule of \"beta\": git \"(…)\", live \"(…)\"".
pub fn describe_field(f: &FieldDrift) -> String {
    let (desired, live) = output::plan::pair(&f.desired, &f.live);
    format!(
        "{}: git {desired}, live {live}",
        output::plan::subject(&f.field, f.variant.as_deref())
    )
}

/// Every drift item as a finding of its class's code: one per drifted flag, at the flag's
/// node, or one at the target's environment in flagops.yaml.
pub fn located(report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for item in report.findings.iter().map(|r| &r.finding) {
        let class = item.class;
        let at = |location, message| {
            Finding::new(class.rule(), location, message)
                .help(class.help())
                .label(class.as_str())
        };
        let headline = format!("{}: {}", item.target, item.message);
        let before = out.len();
        for flag in &item.flags {
            let Some(location) = flag.location.clone() else {
                continue;
            };
            let fields: Vec<String> = flag.fields.iter().map(describe_field).collect();
            out.push(at(
                location,
                format!("{headline}; flag `{}`: {}", flag.key, fields.join("; ")),
            ));
        }
        if out.len() == before {
            out.push(at(item.location.clone(), headline));
        }
    }
    for change in report.setup.iter().filter(|s| s.update.is_some()) {
        let rule = &crate::finding::catalog::DRIFT_SETUP;
        for line in crate::output::plan::describe_setup(change) {
            out.push(
                Finding::new(rule, change.location.clone(), line)
                    .help("run `flagops apply` to bring it back to flagops.yaml, or declare what AppConfig has")
                    .label(rule.name),
            );
        }
    }
    out
}
