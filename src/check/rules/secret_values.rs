//! FO213 secret-value: a flag file is uploaded to a profile that every client of the
//! application can read, and flagops.yaml is read by every CI job: a credential in either is
//! leaked. Every string is scanned, keys included (names, descriptions, allow lists, rules,
//! values, freeform content), for the shapes in [`crate::secrets`]. The value is never echoed.
//!
//! A value reviewed as not secret (a documented example key, a public test token) is let
//! through by a comment on its line, or on the line above it, that says why:
//! `# flagops:allow-secret <reason>`.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::finding::{Finding, Location, catalog::SECRET_VALUE};
use crate::load::Sources;
use crate::load::yaml::PointerPath;
use crate::secrets;

/// The allow marker, with the reason it must give.
static ALLOW_MARKER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"#\s*flagops:allow-secret\b[ \t]*(\S.*)?$").ok());

/// Scans every key and string of the parsed file `file` (its whole document, before typing).
pub fn scan_document(file: &str, value: &Value, out: &mut Vec<Finding>) {
    let mut path = PointerPath::default();
    scan(file, &mut path, ("", secrets::Name::Other), value, out);
}

/// Scans `value`, at `path`. `name` is the key the value sits under, judged once for every
/// string below it.
fn scan<'v>(
    file: &str,
    path: &mut PointerPath<'v>,
    name: (&str, secrets::Name),
    value: &'v Value,
    out: &mut Vec<Finding>,
) {
    match value {
        Value::String(s) => {
            if let Some(hit) = secrets::find_under(name.1, s) {
                secrets::remember(&s[hit.span]);
                let what = match name.0 {
                    "" => "a value".to_owned(),
                    name => format!("the value of `{name}`"),
                };
                out.push(finding(
                    Location::node(file, path.pointer()),
                    format!("{what} looks like {}", hit.kind),
                ));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_index(i);
                scan(file, path, name, item, out);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                path.push_key(key);
                if let Some(hit) = secrets::find_under(secrets::Name::Other, key) {
                    secrets::remember(&key[hit.span]);
                    out.push(finding(
                        Location::key(file, path.pointer()),
                        format!("a key looks like {}", hit.kind),
                    ));
                }
                let named = match item {
                    Value::String(_) | Value::Array(_) => secrets::Name::of(key),
                    _ => secrets::Name::Other,
                };
                scan(file, path, (key, named), item, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Scans the text of a file that did not parse, line by line, so that a credential in it is
/// reported with the syntax error rather than once that is fixed. A `key: value` line is
/// judged as [`scan_document`] judges the value under its key; any other line that is not a
/// comment, as a string of its own.
pub fn scan_text(file: &str, text: &str, out: &mut Vec<Finding>) {
    let mut line_start = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        let body = content.trim_start_matches([' ', '\t', '-']).trim_start();
        let body_start = line_start + (content.len() - body.len());
        let (name, value, value_start) = match body.split_once(": ") {
            Some((key, value)) => (
                key,
                value.trim_start(),
                body_start + body.len() - value.trim_start().len(),
            ),
            None => ("", body, body_start),
        };
        // A quoted value is judged without its quotes.
        let (value, value_start) = match value.strip_prefix(['"', '\'']) {
            Some(inner) => (inner.trim_end_matches(['"', '\'']), value_start + 1),
            None => (value, value_start),
        };
        if !body.starts_with('#')
            && let Some(hit) = secrets::find_under(secrets::Name::of(name), value)
        {
            secrets::remember(&value[hit.span.clone()]);
            let start = value_start + hit.span.start;
            let span = crate::finding::Span {
                start,
                end: value_start + hit.span.end,
                line: number + 1,
                column: text[line_start..start].chars().count() + 1,
            };
            let what = match name {
                "" => "a line".to_owned(),
                name => format!("the value of `{name}`"),
            };
            out.push(finding(
                Location::Text {
                    file: file.to_owned(),
                    span,
                },
                format!("{what} looks like {}", hit.kind),
            ));
        }
        line_start += line.len();
    }
}

fn finding(location: Location, message: String) -> Finding {
    Finding::new(&SECRET_VALUE, location, message)
        .label("possible secret")
        .help("AppConfig profiles are readable by every client of the application: keep secrets in Secrets Manager and reference them by name or ARN; if this is reviewed and not secret, end its line with `# flagops:allow-secret <why>`")
}

/// Drops the FO213 findings whose node carries a reviewed allow marker. A marker without a
/// reason lets nothing through, and says so.
pub fn drop_allowed(findings: &mut Vec<Finding>, sources: &Sources) {
    let Some(marker) = ALLOW_MARKER.as_ref() else {
        return;
    };
    findings.retain_mut(|finding| {
        if finding.rule.code != SECRET_VALUE.code {
            return true;
        }
        let resolved = sources.resolve(&finding.location);
        let (Some(text), Some(span)) = (resolved.text, resolved.span) else {
            return true;
        };
        let end = span.end.min(text.len());
        let start = span.start.min(end);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let after = &text[end..line_end];
        let above = text[..line_start.saturating_sub(1)]
            .rsplit('\n')
            .next()
            .filter(|line| line.trim_start().starts_with('#'))
            .unwrap_or_default();
        let found = [after, above]
            .into_iter()
            .find_map(|place| marker.captures(place));
        match found {
            Some(caps) if caps.get(1).is_some() => false,
            Some(_) => {
                finding.message.push_str(
                    "; its `flagops:allow-secret` marker gives no reason, so it does not count",
                );
                true
            }
            None => true,
        }
    });
}
