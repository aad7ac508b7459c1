//! SARIF 2.1.0 output for code scanning: the subset of the format flagops emits, written out
//! by hand (section numbers refer to the SARIF 2.1.0 specification).

use serde::Serialize;

use super::CheckOutput;
use crate::finding::{Finding, RuleInfo, Severity, catalog};
use crate::load::Sources;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// §3.13
#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

/// §3.14
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    /// Columns count characters (§3.14.26); SARIF's default would be UTF-16 code units.
    column_kind: &'static str,
}

/// §3.18
#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

/// §3.19
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

/// §3.49
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    /// §3.49.13: what to do about a result of the rule, as text and markdown.
    help: Message,
    help_uri: String,
    default_configuration: Configuration,
}

/// §3.12: a multiformat message string.
#[derive(Serialize)]
struct Message {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

/// §3.27
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
}

/// §3.28
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
}

/// §3.29
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

/// §3.4
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    /// A relative URI reference (§3.4.3), so the path is percent-encoded.
    uri: String,
    uri_base_id: &'static str,
}

/// §3.30
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    /// §3.30.5: the end, with `endColumn` the column just past the last character.
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

/// A repository-relative path as a relative URI reference (RFC 3986): every byte outside
/// the unreserved characters, the sub-delimiters, `:`, `@` and `/` is percent-encoded, so a
/// file named `a b%.yaml` becomes `a%20b%25.yaml` rather than an invalid URI.
fn uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                uri.push(char::from(byte));
            }
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' => {
                uri.push(char::from(byte));
            }
            b':' | b'@' | b'/' => uri.push(char::from(byte)),
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    // A first segment with a `:` would read as a scheme (`c:x.yaml`); `./` keeps it a path.
    let first = uri.split('/').next().unwrap_or_default();
    if first.contains(':') {
        uri.insert_str(0, "./");
    }
    uri
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

pub fn render(out: &CheckOutput<'_>) -> String {
    log(out.findings, out.sources, out.repo_prefix)
}

/// A rule of the catalog as a SARIF reporting descriptor, linked to its section of
/// docs/rules.md.
fn rule(r: &RuleInfo) -> Rule {
    let help_uri = r.help_uri();
    Rule {
        id: r.code,
        name: r.name,
        short_description: Text {
            text: r.summary.to_owned(),
        },
        full_description: Text {
            text: r.description.to_owned(),
        },
        help: Message {
            text: format!("{}\n\n{}", r.fix, help_uri),
            markdown: format!(
                "{}\n\n**How to fix:** {}\n\n[{} {}]({help_uri})",
                r.description, r.fix, r.code, r.name
            ),
        },
        help_uri,
        default_configuration: Configuration {
            level: level(r.default_severity),
        },
    }
}

/// A SARIF log of `findings`, with every rule of the catalog. Paths are given from the root
/// of the git work tree: `prefix` (see [`CheckOutput::repo_prefix`]) and the finding's path.
pub fn log(findings: &[Finding], sources: &Sources, prefix: &str) -> String {
    let rules = catalog::ALL.iter().map(|r| rule(r)).collect();
    let results = findings
        .iter()
        .map(|f| {
            let resolved = sources.resolve(&f.location);
            let mut text = f.message.clone();
            if let Some(help) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            SarifResult {
                rule_id: f.rule.code,
                rule_index: catalog::ALL
                    .iter()
                    .position(|r| r.code == f.rule.code)
                    .unwrap_or(0),
                level: level(f.severity),
                message: Text { text },
                locations: vec![SarifLocation {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: uri_path(&super::repo_path(prefix, f.location.file())),
                            uri_base_id: "%SRCROOT%",
                        },
                        region: super::region(&resolved).map(|r| Region {
                            start_line: r.line,
                            start_column: r.column,
                            end_line: r.end.map(|(line, _)| line),
                            end_column: r.end.map(|(_, column)| column),
                        }),
                    },
                }],
            }
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "flagops",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/flagops/flagops",
                    rules,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    crate::output::json::document(&log)
}

#[cfg(test)]
mod tests {
    use super::uri_path;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(uri_path("flags/checkout.yaml"), "flags/checkout.yaml");
        assert_eq!(
            uri_path("flags/pricing, 50% off.yaml"),
            "flags/pricing,%2050%25%20off.yaml"
        );
        assert_eq!(
            uri_path("flags/größe#1?.yaml"),
            "flags/gr%C3%B6%C3%9Fe%231%3F.yaml"
        );
        assert_eq!(uri_path("a:b/c.yaml"), "./a:b/c.yaml");
    }
}
