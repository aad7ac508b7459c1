//! FO223 control-character: keys, names, descriptions and owners are text people read in
//! the console, in reviews and in logs. A NUL, an escape sequence or a bidirectional override
//! there is uploaded unseen, or shows one thing and means another. Tabs and line breaks stay
//! allowed in descriptions; flag values and freeform content are the application's data and
//! are left as written.

use std::fmt::Write;

use serde_json::Value;

use crate::finding::{Finding, Location, catalog::CONTROL_CHARACTER};
use crate::load::yaml::push_pointer_segment;

/// The fields read as labels, whose strings are checked like keys.
const LABELS: &[&str] = &["name", "description", "owner"];

/// Scans every key, and every label's value, of the parsed file `file`.
pub fn scan_document(file: &str, value: &Value, out: &mut Vec<Finding>) {
    scan(file, &mut String::new(), value, out);
}

/// Scans `value`, whose JSON Pointer is `pointer`: a buffer each level extends and restores,
/// so that no node costs a string of its own.
fn scan(file: &str, pointer: &mut String, value: &Value, out: &mut Vec<Finding>) {
    match value {
        Value::Array(items) => {
            let len = pointer.len();
            for (i, item) in items.iter().enumerate() {
                let _ = write!(pointer, "/{i}");
                scan(file, pointer, item, out);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            let len = pointer.len();
            // Flag and attribute keys have AppConfig's key pattern, which FO201 checks.
            let patterned = pointer == "/flags" || pointer.ends_with("/attributes");
            for (key, item) in map {
                push_pointer_segment(pointer, key);
                if !patterned && let Some(c) = key.chars().find(|&c| forbidden(c, false)) {
                    out.push(finding(Location::key(file, pointer.as_str()), "a key", c));
                }
                match item {
                    Value::String(text) if LABELS.contains(&key.as_str()) => {
                        let multiline = key == "description";
                        if let Some(c) = text.chars().find(|&c| forbidden(c, multiline)) {
                            out.push(finding(
                                Location::node(file, pointer.as_str()),
                                &format!("`{key}`"),
                                c,
                            ));
                        }
                    }
                    _ => scan(file, pointer, item, out),
                }
                pointer.truncate(len);
            }
        }
        _ => {}
    }
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
