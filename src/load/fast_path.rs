//! The common case, fast: YAML events straight to a JSON value, without spans.
//!
//! Flag files are plain YAML: mappings, sequences and scalars, without anchors, aliases, tags
//! or merge keys. For those, building the value from the parser's events is several times
//! faster than the span-carrying deserializer of `yaml.rs`, and holds no span per node. Every
//! other input, every error included, makes this path decline (`None`), and `yaml::parse`
//! decides: it alone reports problems, so the two can never disagree on a finding. Spans are
//! computed by `yaml::parse` too, for the files a finding points into.
//!
//! The limits are half of `yaml.rs`'s or less, so a file near one is handed to the path that
//! reports it.

use std::borrow::Cow;

use serde_json::{Map, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

use super::yaml::{self, MAX_DEPTH, MAX_NODES, MAX_POINTER_BYTES, MAX_SCALAR_BYTES};

/// One open collection: its entries so far, and for a mapping the length of the key awaiting
/// its value (entered with a null in its place, so that each key is hashed once).
enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map<String, Value>, Option<usize>, usize),
}

impl Frame {
    /// Length of this collection's own JSON Pointer.
    fn pointer_len(&self) -> usize {
        match self {
            Frame::Seq(_, len) | Frame::Map(_, _, len) => *len,
        }
    }
}

/// The value of a plain YAML file, or `None` when `yaml::parse` must decide.
pub fn parse_value(text: &str) -> Option<Value> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    let mut documents = 0;
    let mut nodes = 0usize;
    let mut scalar_bytes = 0usize;
    let mut pointer_bytes = 0usize;
    for item in Parser::new_from_str(text) {
        let (event, _) = item.ok()?;
        nodes += 1;
        let awaiting_key = matches!(stack.last(), Some(Frame::Map(_, None, _)));
        let value = match event {
            Event::StreamStart | Event::DocumentEnd => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(_, version) => {
                documents += 1;
                if version.is_some() || documents > 1 {
                    return None;
                }
                continue;
            }
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                scalar_bytes += text.len();
                scalar(text, style)?
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                // A collection as a mapping key is the full path's to report.
                if anchor != 0 || tag.is_some() || awaiting_key || stack.len() >= MAX_DEPTH / 2 {
                    return None;
                }
                let pointer_len = child_pointer_len(&stack);
                pointer_bytes += pointer_len;
                stack.push(match event {
                    Event::MappingStart(..) => Frame::Map(Map::new(), None, pointer_len),
                    _ => Frame::Seq(Vec::new(), pointer_len),
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop()? {
                Frame::Seq(items, _) => Value::Array(items),
                Frame::Map(map, None, _) => Value::Object(map),
                Frame::Map(_, Some(_), _) => return None,
            },
            // Aliases, anchors, comments: the full path handles them.
            _ => return None,
        };
        if !awaiting_key && !matches!(value, Value::Array(_) | Value::Object(_)) {
            pointer_bytes += child_pointer_len(&stack);
        }
        if nodes > MAX_NODES / 2
            || scalar_bytes > MAX_SCALAR_BYTES / 2
            || pointer_bytes > MAX_POINTER_BYTES / 4
        {
            return None;
        }
        match stack.last_mut() {
            None if root.is_none() => root = Some(value),
            None => return None,
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map(map, pending @ None, _)) => {
                // A key: strings only, never the merge key, never twice.
                let Value::String(key) = value else {
                    return None;
                };
                if key == "<<" {
                    return None;
                }
                let len = key.len();
                match map.entry(key) {
                    serde_json::map::Entry::Occupied(_) => return None,
                    serde_json::map::Entry::Vacant(entry) => {
                        entry.insert(Value::Null);
                    }
                }
                *pending = Some(len);
            }
            Some(Frame::Map(map, pending @ Some(_), _)) => {
                pending.take()?;
                *map.values_mut().next_back()? = value;
            }
        }
    }
    // An empty stream is the full path's to report.
    root.filter(|_| stack.is_empty())
}

/// Length of the JSON Pointer of the next value under the open collections: an upper bound
/// up to escapes (a key is counted unescaped; the limit it is held to leaves room for them).
fn child_pointer_len(stack: &[Frame]) -> usize {
    let Some(parent) = stack.last() else {
        return 0;
    };
    let segment = match parent {
        Frame::Seq(items, _) => items.len().checked_ilog10().unwrap_or(0) as usize + 1,
        Frame::Map(_, key, _) => key.unwrap_or(0),
    };
    parent.pointer_len() + 1 + segment
}

/// A scalar's JSON value, resolved as `yaml.rs`'s options do (YAML 1.2 core schema, strict
/// booleans), or `None` for the spellings left to the full path.
fn scalar(text: Cow<'_, str>, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::String(text.into_owned()));
    }
    let s = text.as_ref();
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if yaml::is_yaml11_boolean(s) {
        return None;
    }
    let first = s.as_bytes()[0];
    if !matches!(first, b'0'..=b'9' | b'+' | b'-' | b'.' | b'~') {
        let special = ["inf", "infinity", "nan"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w));
        return (!special).then(|| Value::String(text.into_owned()));
    }
    if let Some(n) = number(s) {
        return Some(n);
    }
    is_date_or_time(s).then(|| Value::String(text.into_owned()))
}

/// Plain decimal integers and fractions; exponents, radixes, signs on zero, leading zeros
/// and underscores are left to the full path.
fn number(s: &str) -> Option<Value> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let decimal = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !decimal(whole) || (whole.len() > 1 && whole.starts_with('0')) {
        return None;
    }
    match fraction {
        None if whole.len() <= 18 => {
            let n: u64 = whole.parse().ok()?;
            match negative {
                false => Some(Value::from(n)),
                true if n == 0 => None,
                true => Some(Value::from(-i64::try_from(n).ok()?)),
            }
        }
        Some(fraction) if decimal(fraction) && whole.len() + fraction.len() <= 15 => {
            let f: f64 = s.parse().ok()?;
            serde_json::Number::from_f64(f).map(Value::Number)
        }
        _ => None,
    }
}

/// `2031-01-01`, `2031-01-01T09:30:00Z` and the like: strings in the YAML 1.2 core schema.
fn is_date_or_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let date = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10);
    date && (b.len() == 10
        || (matches!(b[10], b'T' | b't')
            && b[11..]
                .iter()
                .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b'+' | b'-' | b'Z'))))
}

/// Events a scope hint reads at most: the two keys sit at the top of a flag file.
const HINT_EVENTS: usize = 256;

/// The `application` and `profile` a flag file names at its top level, from its first events
/// only: where a check groups the file before parsing it in full. When it is `Some` and the
/// file parses, the typed file names the same (a duplicate key fails the parse). `None` when
/// the file does not say so plainly and early: an anchor, alias, tag or merge key before both
/// keys, a value that is not a plain string, a parse error.
pub fn scope_hint(text: &str) -> Option<(String, String)> {
    let (mut application, mut profile) = (None, None);
    // Open collections; the top-level mapping is depth 1.
    let mut depth = 0usize;
    let mut key: Option<String> = None;
    for (n, item) in Parser::new_from_str(text).enumerate() {
        if n > HINT_EVENTS {
            return None;
        }
        let (event, _) = item.ok()?;
        match event {
            Event::StreamStart => {}
            Event::DocumentStart(_, version) if depth == 0 && version.is_none() => {}
            Event::MappingStart(_, 0, None) if depth == 0 => depth = 1,
            Event::SequenceStart(_, 0, None) | Event::MappingStart(_, 0, None) if depth >= 1 => {
                // A collection as the top-level key is the full parser's to report.
                if depth == 1 && key.take().is_none() {
                    return None;
                }
                depth += 1;
            }
            Event::SequenceEnd | Event::MappingEnd if depth >= 2 => depth -= 1,
            Event::Scalar(text, style, 0, None) if depth == 1 => match key.take() {
                None => {
                    let Value::String(name) = scalar(text, style)? else {
                        return None;
                    };
                    if name == "<<" {
                        return None;
                    }
                    key = Some(name);
                }
                Some(name) => {
                    let slot = match name.as_str() {
                        "application" => &mut application,
                        "profile" => &mut profile,
                        _ => continue,
                    };
                    let Value::String(value) = scalar(text, style)? else {
                        return None;
                    };
                    *slot = Some(value);
                    if application.is_some() && profile.is_some() {
                        return application.zip(profile);
                    }
                }
            },
            Event::Scalar(_, _, 0, None) if depth >= 2 => {}
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path either declines or agrees with the full parser, value for value, on a
    /// file the full parser finds no problem in.
    fn agrees(text: &str) -> bool {
        let Some(fast) = parse_value(text) else {
            return false;
        };
        match yaml::parse(text) {
            Ok((doc, problems)) => {
                assert!(
                    problems.is_empty(),
                    "fast path accepted {text:?}: {problems:?}"
                );
                assert_eq!(fast, doc.value, "{text:?}");
            }
            Err(e) => panic!("fast path accepted {text:?}, the full parser says {e:?}"),
        }
        true
    }

    const SCALARS: &[&str] = &[
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "nULL",
        "true",
        "True",
        "TRUE",
        "tRUE",
        "false",
        "FALSE",
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "n",
        "0",
        "1",
        "-1",
        "+1",
        "-0",
        "+0",
        "00",
        "007",
        "0.5",
        "-0.5",
        "1.",
        ".5",
        "1.0",
        "1.50",
        "1e3",
        "1E3",
        "1.5e-3",
        "0x1F",
        "0o17",
        "0b11",
        "1_000",
        "1,000",
        "12:30",
        "1:20:30",
        "-1:20",
        ".inf",
        "-.inf",
        ".Inf",
        ".NaN",
        "inf",
        "Infinity",
        "nan",
        "NaN",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775807",
        "-9223372036854775808",
        "-9223372036854775809",
        "123456789012345678",
        "1234567890123456789",
        "3.141592653589793",
        "0.1234567890123456",
        "2031-01-01",
        "2031-1-1",
        "2031-01-01T09:30:00Z",
        "2031-01-01t09:30:00",
        "2031-01-01 09:30:00",
        "2031-01-01T09:30:00.5+02:00",
        "20310101",
        "2031-01",
        "a",
        "abc",
        "a b",
        "a-b",
        "_x",
        "x_1",
        "/path/to",
        "user@example.com",
        "https://example.com/a?b=c",
        "é",
        "日本",
        "~x",
        "-x",
        "-",
        ".",
        "..",
        "+",
        "=",
        "<<",
        "e5",
        "E",
        "0e",
        "1e",
        "0.",
        "-.5",
        "1.2.3",
        "1-2",
        "v1.2",
        "\"quoted\"",
        "'single'",
        "\"1\"",
        "'true'",
        "\"null\"",
        "|\n  literal\n",
        ">\n  folded\n  text\n",
        "!!str 1",
        "!custom x",
        "&a x",
        "[1, 2]",
        "{a: 1}",
        "[]",
        "{}",
    ];

    #[test]
    fn agrees_with_the_full_parser_on_every_scalar_spelling() {
        let mut taken = 0;
        for s in SCALARS {
            for text in [
                format!("k: {s}\n"),
                format!("- {s}\n- x\n"),
                format!("{s}: 1\n"),
                format!("k:\n  - {s}\n  - {{ a: {s} }}\n"),
            ] {
                taken += usize::from(agrees(&text));
            }
        }
        // The common spellings do take the fast path.
        assert!(taken > SCALARS.len(), "{taken}");
    }

    #[test]
    fn agrees_with_the_full_parser_on_every_yaml_file_of_the_repository() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("flags"), root.join("tests")];
        let (mut taken, mut flag_files) = (0, 0);
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                let Ok(meta) = std::fs::symlink_metadata(&path) else {
                    continue;
                };
                if meta.is_dir() {
                    stack.push(path);
                } else if meta.is_file()
                    && path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                    let fast = agrees(text);
                    taken += usize::from(fast);
                    if path.starts_with(root.join("flags")) {
                        flag_files += 1;
                        assert!(fast, "{} should take the fast path", path.display());
                    }
                }
            }
        }
        assert!(
            flag_files >= 5 && taken > flag_files,
            "{taken} of {flag_files}"
        );
    }

    #[test]
    fn declines_what_only_the_full_parser_reports() {
        for text in [
            "a: 1\na: 2\n",
            "a: &x 1\nb: *x\n",
            "base: &b {x: 1}\nc:\n  <<: *b\n",
            "a: !!str 1\n",
            "a: yes\n",
            "? [a]\n: 1\n",
            "1: x\n",
            "a: [\n",
            "--- a\n--- b\n",
            "%YAML 1.2\n---\na: 1\n",
            "# only a comment\n",
        ] {
            assert_eq!(parse_value(text), None, "{text:?}");
        }
    }

    #[test]
    fn declines_files_near_the_full_parser_s_limits() {
        let deep = (0..MAX_DEPTH / 2 + 1).fold("x".to_owned(), |inner, _| format!("[{inner}]"));
        assert_eq!(parse_value(&deep), None);
        let many = format!("[{}]", vec!["1"; MAX_NODES / 2 + 1].join(","));
        assert_eq!(parse_value(&many), None);
        assert!(parse_value(&format!("[{}]", vec!["1"; 1000].join(","))).is_some());
    }
}
