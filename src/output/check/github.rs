//! GitHub Actions workflow commands: `::error file=…,line=…::message`, one per finding, which
//! GitHub shows as annotations on the changed lines of a pull request.

use super::{CheckOutput, Region};
use crate::finding::{Finding, Severity};
use crate::load::Sources;

/// Escapes a workflow-command message: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value: as data, plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(out: &CheckOutput<'_>) -> String {
    let mut text = annotations(out.findings, out.sources, out.repo_prefix);
    text.push_str(&format!("flagops check: {}\n", out.summary_line()));
    text
}

/// One workflow command per finding, at its resolved location. Paths are given from the root
/// of the git work tree: `prefix` (see [`super::CheckOutput::repo_prefix`]) and the finding's
/// path, since that is where GitHub looks for the file.
pub fn annotations(findings: &[Finding], sources: &Sources, prefix: &str) -> String {
    let mut text = String::new();
    for finding in findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let resolved = sources.resolve(&finding.location);
        let file = super::repo_path(prefix, resolved.file);
        let mut props = vec![format!("file={}", escape_property(&file))];
        if let Some(region) = super::region(&resolved) {
            props.extend(position(region));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", finding.rule.code, finding.rule.name))
        ));
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        text.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    text
}

/// `line`, `col`, `endLine` and `endColumn` of an annotation. GitHub takes columns only
/// for an annotation on one line, so a node over several lines gives its lines alone.
/// `endColumn` is the column just past the node, as in SARIF.
fn position(region: Region) -> Vec<String> {
    match region.end {
        Some((line, column)) if line == region.line => vec![
            format!("line={}", region.line),
            format!("col={}", region.column),
            format!("endLine={line}"),
            format!("endColumn={column}"),
        ],
        Some((line, _)) => vec![format!("line={}", region.line), format!("endLine={line}")],
        None => vec![
            format!("line={}", region.line),
            format!("col={}", region.column),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_only_on_one_line() {
        let at = |end| {
            position(Region {
                line: 3,
                column: 5,
                end,
            })
            .join(",")
        };
        assert_eq!(at(Some((3, 9))), "line=3,col=5,endLine=3,endColumn=9");
        assert_eq!(at(Some((6, 2))), "line=3,endLine=6");
        assert_eq!(at(None), "line=3,col=5");
    }

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("flags/a,b:c.yaml"), "flags/a%2Cb%3Ac.yaml");
        assert_eq!(escape_property("50%\n"), "50%25%0A");
    }
}
