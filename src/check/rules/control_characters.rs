//! FO223 control-character: keys, names, descriptions and owners are text people read in
//! the console, in reviews and in logs. A NUL, an escape sequence or a bidirectional override
//! there is uploaded unseen, or shows one thing and means another. Tabs and line breaks stay
//! allowed in descriptions; flag values and freeform content are the application's data and
//! are left as written.

use serde_json::Value;

use crate::finding::{Finding, Location, catalog::CONTROL_CHARACTER};
use crate::load::yaml::PointerPath;

/// The fields read as labels, whose strings are checked like keys.
const LABELS: &[&str] = &["name", "description", "owner"];

/// Scans every key, and every label's value, of the parsed file `file`.
pub fn scan_document(file: &str, value: &Value, out: &mut Vec<Finding>) {
    scan(file, &mut PointerPath::default(), value, out);
}

/// Scans `value`, at `path`.
fn scan<'v>(file: &str, path: &mut PointerPath<'v>, value: &'v Value, out: &mut Vec<Finding>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_index(i);
                scan(file, path, item, out);
                path.pop();
            }
        }
        Value::Object(map) => {
            // Flag and attribute keys have AppConfig's key pattern, which FO201 checks.
            let patterned = path.is_keys(&["flags"]) || path.last_key() == Some("attributes");
            for (key, item) in map {
                path.push_key(key);
                if !patterned && let Some(c) = first_forbidden(key, false) {
                    out.push(finding(Location::key(file, path.pointer()), "a key", c));
                }
                match item {
                    Value::String(text) if LABELS.contains(&key.as_str()) => {
                        if let Some(c) = first_forbidden(text, key == "description") {
                            out.push(finding(
                                Location::node(file, path.pointer()),
                                &format!("`{key}`"),
                                c,
                            ));
                        }
                    }
                    _ => scan(file, path, item, out),
                }
                path.pop();
            }
        }
        _ => {}
    }
}

/// The first character of `text` that [`forbidden`] refuses. Printable ASCII, which nearly
/// every text is, holds none.
fn first_forbidden(text: &str, multiline: bool) -> Option<char> {
    if text.bytes().all(|b| matches!(b, b' '..=b'~')) {
        return None;
    }
    text.chars().find(|&c| forbidden(c, multiline))
}

/// Control characters (C0, DEL, C1) and the invisible overrides of text direction; in a
/// multi-line text, tabs and line breaks are fine.
fn forbidden(c: char, multiline: bool) -> bool {
    if multiline && matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn finding(location: Location, what: &str, c: char) -> Finding {
    Finding::new(
        &CONTROL_CHARACTER,
        location,
        format!(
            "{what} holds U+{:04X}, {}",
            u32::from(c),
            if c.is_control() {
                "a control character"
            } else {
                "an invisible text-direction override"
            }
        ),
    )
    .label("uploaded as is")
    .help("remove it: keys, names, descriptions and owners are read by people, in the console and in logs")
}

#[cfg(test)]
mod tests {
    use super::forbidden;

    #[test]
    fn controls_and_direction_overrides_but_not_line_breaks_in_descriptions() {
        for c in [
            '\0', '\u{1b}', '\u{7f}', '\u{85}', '\u{202E}', '\u{2066}', '\n',
        ] {
            assert!(forbidden(c, false), "{c:?}");
        }
        assert!(!forbidden('\n', true) && !forbidden('\t', true));
        assert!(forbidden('\0', true));
        assert!(!forbidden('é', false) && !forbidden(' ', false));
    }
}
