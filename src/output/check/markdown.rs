//! Markdown output for the GitHub job summary (and PR comments): a verdict, then a table of
//! findings. Cell text is escaped so a message cannot break the table.

use super::CheckOutput;
use crate::finding::Severity;
use crate::output::markdown::cell;

pub fn render(out: &CheckOutput<'_>) -> String {
    let mut md = String::new();
    let icon = if out.count(Severity::Error) > 0 {
        "❌"
    } else if out.findings.is_empty() {
        "✅"
    } else {
        "⚠️"
    };
    md.push_str(&format!(
        "### {icon} flagops check\n\n{}\n",
        out.summary_line()
    ));
    if out.findings.is_empty() {
        return md;
    }
    md.push_str("\n| | code | location | message |\n|---|---|---|---|\n");
    for f in out.findings {
        let resolved = out.sources.resolve(&f.location);
        let at = match resolved.span {
            Some(s) => format!("{}:{}:{}", resolved.file, s.line, s.column),
            None => resolved.file.to_owned(),
        };
        let sev = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let mut message = cell(&f.message);
        if let Some(help) = &f.help {
            message.push_str(&format!("<br>*{}*", cell(help)));
        }
        md.push_str(&format!(
            "| {sev} | `{}` {} | {} | {message} |\n",
            f.rule.code,
            f.rule.name,
            cell(&format!("`{at}`"))
        ));
    }
    md
}
