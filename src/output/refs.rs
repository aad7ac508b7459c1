//! The report of `flagops refs`: per flag, where code reads it; flags nothing reads; names
//! read as flags that no flag file defines.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::output::json::Tool;
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
    fn undefined_by_name(&self) -> BTreeMap<&str, Vec<&Reference>> {
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

fn at(r: &Reference) -> String {
    format!("{}:{}:{}", r.file, r.span.line, r.span.column)
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub fn human(r: &RefsReport<'_>) -> String {
    let mut out = String::new();
    for f in r.flags.iter().filter(|f| !f.references.is_empty()) {
        out.push_str(&format!(
            "{} ({}/{}): {}\n",
            f.key,
            f.application,
            f.profile,
            plural(f.references.len(), "reference")
        ));
        for reference in &f.references {
            out.push_str(&format!("  {}  {}\n", at(reference), reference.line_text));
        }
    }
    let unreferenced: Vec<&FlagRefs<'_>> = r.unreferenced().collect();
    if !unreferenced.is_empty() {
        out.push_str("\ndefined but not referenced:\n");
        for f in &unreferenced {
            out.push_str(&format!(
                "  {} ({}/{}), defined at {}:{}\n",
                f.key, f.application, f.profile, f.file, f.line
            ));
        }
    }
    let undefined = r.undefined_by_name();
    if !undefined.is_empty() {
        out.push_str("\nreferenced but not defined:\n");
        for (name, refs) in &undefined {
            out.push_str(&format!("  {name}\n"));
            for reference in refs {
                out.push_str(&format!("    {}  {}\n", at(reference), reference.line_text));
            }
        }
    }
    if !r.problems.is_empty() {
        out.push('\n');
        for p in r.problems {
            out.push_str(&format!("warning: {p}\n"));
        }
    }
    out.push_str(&format!(
        "\nrefs: {} scanned; {} of {} referenced; {} defined but not referenced, {} referenced but not defined{}\n",
        plural(r.files, "file"),
        r.flags.len() - unreferenced.len(),
        plural(r.flags.len(), "flag"),
        unreferenced.len(),
        undefined.len(),
        if r.patterns {
            ""
        } else {
            " (set refs.patterns to find undefined flags)"
        }
    ));
    out
}

#[derive(Serialize)]
struct JsonReference<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    name: &'a str,
    text: &'a str,
}

impl<'a> From<&&'a Reference> for JsonReference<'a> {
    fn from(r: &&'a Reference) -> Self {
        JsonReference {
            file: &r.file,
            line: r.span.line,
            column: r.span.column,
            name: &r.name,
            text: &r.line_text,
        }
    }
}

#[derive(Serialize)]
struct JsonFlag<'a> {
    key: &'a str,
    application: &'a str,
    profile: &'a str,
    file: &'a str,
    line: usize,
    references: Vec<JsonReference<'a>>,
}

#[derive(Serialize)]
struct JsonUndefined<'a> {
    name: &'a str,
    references: Vec<JsonReference<'a>>,
}

#[derive(Serialize)]
struct RefsDocument<'a> {
    version: u32,
    tool: Tool,
    command: &'static str,
    files: usize,
    flags: Vec<JsonFlag<'a>>,
    unreferenced: Vec<&'a str>,
    undefined: Vec<JsonUndefined<'a>>,
    problems: &'a [String],
}

pub fn json(r: &RefsReport<'_>) -> String {
    let doc = RefsDocument {
        version: crate::output::json::JSON_VERSION,
        tool: Tool::this(),
        command: "refs",
        files: r.files,
        flags: r
            .flags
            .iter()
            .map(|f| JsonFlag {
                key: f.key,
                application: f.application,
                profile: f.profile,
                file: f.file,
                line: f.line,
                references: f.references.iter().map(JsonReference::from).collect(),
            })
            .collect(),
        unreferenced: r.unreferenced().map(|f| f.key).collect(),
        undefined: r
            .undefined_by_name()
            .into_iter()
            .map(|(name, refs)| JsonUndefined {
                name,
                references: refs.iter().map(JsonReference::from).collect(),
            })
            .collect(),
        problems: r.problems,
    };
    crate::output::json::document(&doc)
}
