//! Surgical YAML edits: set one value at a path, touching only that node, so comments,
//! ordering and formatting elsewhere in the file survive. New keys go into the existing
//! mapping (block or flow) with its indentation, in the style of their siblings: a new
//! mapping beside flow mappings is a flow mapping, otherwise block style.

use serde_json::Value;

use crate::load::yaml::{self, Document, escape_pointer};

/// Sets `path` (mapping keys) to `value` in `text`. Returns the new text.
pub fn set(text: &str, path: &[&str], value: &Value) -> Result<String, String> {
    let (doc, _) = yaml::parse(text).map_err(|p| p.message)?;
    // The longest prefix of the path that exists.
    let mut existing = 0;
    let mut node = &doc.value;
    for segment in path {
        match node.get(*segment) {
            Some(child) => {
                node = child;
                existing += 1;
            }
            None => break,
        }
    }
    let pointer = |n: usize| {
        path[..n]
            .iter()
            .map(|s| format!("/{}", escape_pointer(s)))
            .collect::<String>()
    };
    if existing == path.len() {
        let spans = doc.spans_at(&pointer(existing));
        let start = spans.value.start;
        let end = node_end(text, start, node);
        let replacement = if is_block(text, start, node) {
            format!(" {}", flow(value))
        } else {
            flow(value)
        };
        // A block collection starts on the next line: replace from just after the colon.
        let start = if is_block(text, start, node) {
            colon_end(text, spans.key.map_or(start, |k| k.end))
        } else {
            start
        };
        return Ok(format!("{}{}{}", &text[..start], replacement, &text[end..]));
    }
    // Insert `key: value` into the mapping at the existing prefix.
    let mut nested = value.clone();
    for segment in path[existing + 1..].iter().rev() {
        let mut map = serde_json::Map::new();
        map.insert((*segment).to_owned(), nested);
        nested = Value::Object(map);
    }
    let key = path[existing];
    let parent_pointer = pointer(existing);
    insert(text, &doc, &parent_pointer, node, key, &nested)
}

fn insert(
    text: &str,
    doc: &Document,
    parent_pointer: &str,
    parent: &Value,
    key: &str,
    value: &Value,
) -> Result<String, String> {
    let spans = doc.spans_at(parent_pointer);
    let start = spans.value.start;
    let entry = format!("{}: {}", plain_or_quoted(key), flow(value));
    match parent {
        Value::Null => {
            // `key:` with nothing after it: give it a flow mapping.
            let at = colon_end(text, spans.key.map_or(start, |k| k.end));
            let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            let rest = text[at..line_end].trim_start();
            let keep = if rest.starts_with('#') {
                format!(" {rest}")
            } else {
                String::new()
            };
            Ok(format!(
                "{} {{ {entry} }}{keep}{}",
                &text[..at],
                &text[line_end..]
            ))
        }
        Value::Object(map) if text[start..].starts_with('{') => {
            let end = matching(text, start).ok_or("unbalanced flow mapping")?;
            let inner = text[start + 1..end - 1].trim_end();
            let at = start + 1 + inner.len();
            let separator = if map.is_empty() { " " } else { ", " };
            let closing = if map.is_empty() {
                " "
            } else {
                &text[at..end - 1]
            };
            Ok(format!(
                "{}{separator}{entry}{}{}",
                &text[..at],
                if closing.is_empty() { " " } else { closing },
                &text[end - 1..]
            ))
        }
        Value::Object(map) => {
            // Block mapping: after its last line, at its children's indentation.
            let first = map.keys().next().ok_or("empty block mapping")?;
            let child = doc.spans_at(&format!("{parent_pointer}/{}", escape_pointer(first)));
            let key_span = child.key.ok_or("no key span")?;
            let line_start = text[..key_span.start].rfind('\n').map_or(0, |i| i + 1);
            let indent = &text[line_start..key_span.start];
            let end = block_end(text, line_start, indent.len());
            let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
            // A mapping takes the style of its siblings: flow beside flow mappings
            // (`dev: { enabled: true }`), block otherwise, indented by the file's step.
            let sibling_is_flow = text[child.value.start..].starts_with(['{', '[']);
            let entry = if sibling_is_flow {
                entry
            } else {
                let parent_indent = spans.key.map_or(0, |k| {
                    let line = text[..k.start].rfind('\n').map_or(0, |i| i + 1);
                    k.start - line
                });
                let step = indent.len().saturating_sub(parent_indent).max(1);
                block_entry(key, value, indent, step, newline)
            };
            // `end` is where the block's last line ends; its line break stays after ours.
            Ok(format!(
                "{}{newline}{indent}{entry}{}",
                &text[..end],
                &text[end..]
            ))
        }
        _ => Err(format!("cannot add `{key}`: its parent is not a mapping")),
    }
}

/// `key: value` for a block mapping: a nested mapping in block style, one key a line, each
/// level `step` spaces deeper than `indent`; anything else in flow style.
fn block_entry(key: &str, value: &Value, indent: &str, step: usize, newline: &str) -> String {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let inner = format!("{indent}{}", " ".repeat(step));
            let mut out = format!("{}:", plain_or_quoted(key));
            for (k, v) in map {
                out.push_str(&format!(
                    "{newline}{inner}{}",
                    block_entry(k, v, &inner, step, newline)
                ));
            }
            out
        }
        _ => format!("{}: {}", plain_or_quoted(key), flow(value)),
    }
}

/// The byte after the `:` that follows a key.
fn colon_end(text: &str, key_end: usize) -> usize {
    let rest = &text[key_end..];
    rest.find(':').map_or(key_end, |i| key_end + i + 1)
}

/// Whether the node at `start` is a block collection (its text does not open with a bracket).
fn is_block(text: &str, start: usize, node: &Value) -> bool {
    (node.is_object() || node.is_array()) && !text[start..].starts_with(['{', '['])
}

/// Where the node that starts at `start` ends.
fn node_end(text: &str, start: usize, node: &Value) -> usize {
    let rest = &text[start..];
    if rest.starts_with(['{', '[']) {
        return matching(text, start).unwrap_or(text.len());
    }
    if node.is_object() || node.is_array() {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = text[line_start..].len() - text[line_start..].trim_start().len();
        return block_end(text, line_start, indent);
    }
    scalar_end(text, start)
}

/// The end of a scalar token: a quoted string to its closing quote, a plain one to the end
/// of the line or a comment.
fn scalar_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    match bytes.get(start) {
        Some(b'"') => {
            let mut i = start + 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => i += 2,
                    b'"' => return i + 1,
                    _ => i += 1,
                }
            }
            text.len()
        }
        Some(b'\'') => {
            let mut i = start + 1;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            text.len()
        }
        _ => {
            let line_end = text[start..]
                .find(['\n', '\r'])
                .map_or(text.len(), |i| start + i);
            let mut end = line_end;
            // A plain scalar inside a flow collection ends at `,`, `}` or `]`.
            if let Some(i) = text[start..line_end].find([',', '}', ']']) {
                end = start + i;
            }
            if let Some(i) = text[start..end].find(" #") {
                end = start + i;
            }
            start + text[start..end].trim_end().len()
        }
    }
}

/// The byte after the bracket matching the one at `start`.
fn matching(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' | b'\'' => i = scalar_end(text, i) - 1,
            b'#' if i > 0 && bytes[i - 1] == b' ' => {
                i = text[i..].find('\n').map_or(text.len(), |j| i + j)
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The end of the last content line of a block whose lines are indented at least `indent`,
/// starting with the line at `line_start`.
fn block_end(text: &str, line_start: usize, indent: usize) -> usize {
    let mut end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut pos = end;
    while pos < text.len() {
        let next_start = pos + 1;
        let next_end = text[next_start..]
            .find('\n')
            .map_or(text.len(), |i| next_start + i);
        let line = text[next_start..next_end].trim_end_matches('\r');
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            pos = next_end;
            continue;
        }
        if line.len() - content.len() < indent {
            break;
        }
        end = next_end;
        pos = next_end;
    }
    // Keep a CR that belongs to the line.
    if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// A JSON value as YAML flow text.
pub fn flow(value: &Value) -> String {
    match value {
        Value::String(s) => plain_or_quoted(s),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => {
            if map.is_empty() {
                return "{}".into();
            }
            format!(
                "{{ {} }}",
                map.iter()
                    .map(|(k, v)| format!("{}: {}", plain_or_quoted(k), flow(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        other => other.to_string(),
    }
}

/// A string plain when YAML would read it back as the same string, quoted otherwise.
fn plain_or_quoted(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '@'))
        && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        );
    if safe {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FILE: &str = "# Checkout flags\nflags:\n  checkout:\n    owner: payments # the team\n    environments:\n      staging: { enabled: true }\n      production:\n        enabled: false   # not yet\n        allow: [ws_a, ws_b]\n\n  other:\n    owner: x\n";

    #[test]
    fn a_scalar_is_replaced_in_place_keeping_its_comment() {
        let out = set(
            FILE,
            &["flags", "checkout", "environments", "production", "enabled"],
            &json!(true),
        )
        .unwrap();
        assert_eq!(
            out,
            FILE.replace("enabled: false   # not yet", "enabled: true   # not yet")
        );
    }

    #[test]
    fn a_flow_sequence_is_replaced_in_place() {
        let out = set(
            FILE,
            &["flags", "checkout", "environments", "production", "allow"],
            &json!(["ws_a"]),
        )
        .unwrap();
        assert_eq!(out, FILE.replace("allow: [ws_a, ws_b]", "allow: [ws_a]"));
    }

    #[test]
    fn a_key_joins_a_flow_mapping() {
        let out = set(
            FILE,
            &[
                "flags",
                "checkout",
                "environments",
                "staging",
                "values",
                "limit",
            ],
            &json!(5),
        )
        .unwrap();
        assert_eq!(
            out,
            FILE.replace(
                "staging: { enabled: true }",
                "staging: { enabled: true, values: { limit: 5 } }"
            )
        );
    }

    #[test]
    fn a_mapping_joins_a_block_mapping_in_block_style_at_its_indentation() {
        let out = set(
            FILE,
            &[
                "flags",
                "checkout",
                "environments",
                "production",
                "values",
                "limit",
            ],
            &json!(5),
        )
        .unwrap();
        assert_eq!(
            out,
            FILE.replace(
                "        allow: [ws_a, ws_b]\n",
                "        allow: [ws_a, ws_b]\n        values:\n          limit: 5\n"
            )
        );
        let (doc, _) = crate::load::yaml::parse(&out).unwrap();
        assert_eq!(
            doc.value["flags"]["checkout"]["environments"]["production"]["values"]["limit"],
            json!(5)
        );
        assert_eq!(
            doc.value["flags"]["other"]["owner"],
            json!("x"),
            "the rest is untouched"
        );
    }

    #[test]
    fn a_missing_environment_is_added_in_the_block_style_of_its_siblings() {
        let out = set(
            FILE,
            &["flags", "other", "environments", "qa", "enabled"],
            &json!(true),
        )
        .unwrap();
        assert_eq!(
            out,
            format!("{FILE}    environments:\n      qa:\n        enabled: true\n")
        );
    }

    #[test]
    fn a_mapping_beside_flow_mappings_is_a_flow_mapping() {
        let out = set(
            FILE,
            &["flags", "checkout", "environments", "qa", "enabled"],
            &json!(false),
        )
        .unwrap();
        assert_eq!(
            out,
            FILE.replace(
                "        allow: [ws_a, ws_b]\n",
                "        allow: [ws_a, ws_b]\n      qa: { enabled: false }\n"
            )
        );
    }

    #[test]
    fn strings_that_yaml_would_misread_are_quoted() {
        assert_eq!(
            flow(&json!(["yes", "ws_a", "1.5", "a b", ""])),
            "[\"yes\", ws_a, \"1.5\", \"a b\", \"\"]"
        );
    }
}
