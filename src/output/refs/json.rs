//! refs as one JSON document (version 1, see docs/json.md).

use serde::Serialize;

use super::RefsReport;
use crate::output::json::Tool;
use crate::refs::Reference;

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

pub fn render(r: &RefsReport<'_>) -> String {
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
