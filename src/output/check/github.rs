//! GitHub Actions workflow commands: `::error file=…,line=…::message`, one per finding, which
//! GitHub shows as annotations on the changed lines of a pull request.

use super::CheckOutput;
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
    let mut text = annotations(out.findings, out.sources);
    text.push_str(&format!("flagops check: {}\n", out.summary_line()));
    text
}

/// One workflow command per finding, at its resolved location.
pub fn annotations(findings: &[Finding], sources: &Sources) -> String {
    let mut text = String::new();
    for finding in findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let resolved = sources.resolve(&finding.location);
        let mut props = vec![format!("file={}", escape_property(resolved.file))];
        if let Some(span) = resolved.span {
            // Only the start: GitHub mishandles annotations whose end is past the line.
            props.push(format!("line={}", span.line));
            props.push(format!("col={}", span.column));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("flags/a,b:c.yaml"), "flags/a%2Cb%3Ac.yaml");
        assert_eq!(escape_property("50%\n"), "50%25%0A");
    }
}
