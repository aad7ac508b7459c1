//! The report of `flagops refs`, in every format: per flag, where code reads it; flags
//! nothing reads; names read as flags that no flag file defines.

pub mod human;
pub mod json;
pub mod markdown;

use std::collections::BTreeMap;

use crate::refs::Reference;

/// One flag and its references.
pub struct FlagRefs<'a> {
    pub key: &'a str,
    pub application: &'a str,
    pub profile: &'a str,
    /// Where it is defined.
    pub file: &'a str,
    pub line: usize,
    pub references: Vec<&'a Reference>,
}

pub struct RefsReport<'a> {
    pub flags: Vec<FlagRefs<'a>>,
    /// References to names that spell no flag (pattern mode only).
    pub undefined: Vec<&'a Reference>,
    pub files: usize,
    pub problems: &'a [String],
    /// Whether `refs.patterns` are set (without them, undefined flags cannot be found).
    pub patterns: bool,
}

impl RefsReport<'_> {
    pub fn unreferenced(&self) -> impl Iterator<Item = &FlagRefs<'_>> {
        self.flags.iter().filter(|f| f.references.is_empty())
    }

    /// Undefined names with their references, by name.
    pub fn undefined_by_name(&self) -> BTreeMap<&str, Vec<&Reference>> {
        let mut out: BTreeMap<&str, Vec<&Reference>> = BTreeMap::new();
        for r in &self.undefined {
            out.entry(r.name.as_str()).or_default().push(r);
        }
        out
    }

    pub fn has_findings(&self) -> bool {
        self.unreferenced().next().is_some() || !self.undefined.is_empty()
    }
}

pub(super) fn at(r: &Reference) -> String {
    format!("{}:{}:{}", r.file, r.span.line, r.span.column)
}

/// The counts every format states, as one sentence without its full stop.
fn summary(r: &RefsReport<'_>) -> String {
    let unreferenced = r.unreferenced().count();
    format!(
        "{} scanned; {} of {} referenced; {unreferenced} defined but not referenced, {} referenced but not defined",
        plural(r.files, "file"),
        r.flags.len() - unreferenced,
        plural(r.flags.len(), "flag"),
        r.undefined_by_name().len(),
    )
}

pub(super) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Prints the report in `format` and adds the markdown to the job summary.
pub fn emit(report: &RefsReport<'_>, format: crate::cli::ReportFormat) -> std::io::Result<()> {
    use crate::cli::ReportFormat;
    crate::output::emit_report(format, |format| match format {
        ReportFormat::Human => human::render(report),
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Json => json::render(report),
    })
}
