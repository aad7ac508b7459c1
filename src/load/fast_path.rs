//! The common case, fast: YAML events straight to a JSON value, without spans.
//!
//! Flag files are plain YAML: mappings, sequences and scalars, at most with anchors, aliases
//! and merge keys to share a block. For those, building the value from the parser's events is
//! several times faster than the span-carrying deserializer of `yaml.rs`, and holds no span
//! per node. Every other input (tags, unusual scalar spellings, alias or merge shapes the
//! full parser might read otherwise), every error included, makes this path decline (`None`),
//! and `yaml::parse` decides: it alone reports problems, so the two can never disagree on a
//! finding. Spans are computed by `yaml::parse` too, for the files a finding points into.
//!
//! The limits are half of `yaml.rs`'s or less, counting every alias as its whole value, so a
//! file near one is handed to the path that reports it.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Map, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

use super::yaml::{
    self, MAX_ALIASES, MAX_ANCHORED_EVENTS, MAX_DEPTH, MAX_NODES, MAX_POINTER_BYTES,
    MAX_SCALAR_BYTES,
};

/// One open collection and what its value will need when it closes.
struct Frame {
    items: Items,
    /// Length of this collection's own JSON Pointer.
    pointer_len: usize,
    /// The anchor it is defined under (0: none), and the budgets spent when it opened.
    anchor: usize,
    opened: Spent,
    /// The deepest level of collections below it so far (its own level when it has none).
    deepest: usize,
    /// A mapping with a merge key, or a collection holding one: a shape the full parser's
    /// merge may read otherwise, so never itself merged in.
    merges_inside: bool,
}

enum Items {
    Seq(Vec<Value>),
    /// The entries so far; the length of the key awaiting its value (entered with a null in
    /// its place, so that each key is hashed once), or `MERGE_KEY` for `<<`; and the values
    /// given to `<<`, merged in when the mapping closes.
    Map(Map<String, Value>, Option<usize>, Vec<Value>),
}

/// The pending key of a mapping is its merge key `<<`.
const MERGE_KEY: usize = usize::MAX;

/// What the document has cost so far, counting each alias as a copy of its value.
#[derive(Clone, Copy, Default)]
struct Spent {
    /// Events, keys and ends of collections included.
    nodes: usize,
    scalar_bytes: usize,
    /// The values that have a JSON Pointer, and the bytes of those pointers.
    pointers: usize,
    pointer_bytes: usize,
}

/// An anchored value, and what it cost where it was defined: each alias to it costs as much
/// again, its JSON Pointers measured from the alias.
struct Anchored {
    value: Value,
    spent: Spent,
    /// The pointer bytes of its values beyond the anchored node's own pointer, and how many
    /// levels of collections it takes, its own included.
    pointer_bytes_below: usize,
    levels: usize,
    merges_inside: bool,
}

/// The value of a plain YAML file, or `None` when `yaml::parse` must decide.
pub fn parse_value(text: &str) -> Option<Value> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    let mut documents = 0;
    let mut spent = Spent::default();
    // Which of this event's costs the branch below has counted itself.
    let mut pointer_counted;
    let mut anchors: HashMap<usize, Anchored> = HashMap::new();
    let (mut aliases, mut copied) = (0usize, 0usize);
    for item in Parser::new_from_str(text) {
        let (event, _) = item.ok()?;
        spent.nodes += 1;
        pointer_counted = false;
        let awaiting_key = matches!(
            stack.last(),
            Some(Frame {
                items: Items::Map(_, None, _),
                ..
            })
        );
        // The value completed by this event, and whether it holds a merge.
        let (value, merges_inside) = match event {
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
                // An anchored key, and a quoted `<<` (an ordinary key, not a merge), are the
                // full path's to read.
                if tag.is_some()
                    || (awaiting_key
                        && (anchor != 0 || (style != ScalarStyle::Plain && text == "<<")))
                {
                    return None;
                }
                let bytes = text.len();
                spent.scalar_bytes += bytes;
                let value = scalar(text, style)?;
                if anchor != 0 {
                    // Its costs, for each alias to it: the scalar's own.
                    let anchored = Anchored {
                        value: value.clone(),
                        spent: Spent {
                            nodes: 1,
                            scalar_bytes: bytes,
                            pointers: 1,
                            pointer_bytes: 0,
                        },
                        pointer_bytes_below: 0,
                        levels: 0,
                        merges_inside: false,
                    };
                    anchors.insert(anchor, anchored);
                }
                (value, false)
            }
            Event::Alias(id) => {
                let anchored = anchors.get(&id)?;
                let base = child_pointer_len(&stack);
                let copy = anchored.spent;
                aliases += 1;
                copied += copy.nodes;
                spent.nodes += copy.nodes;
                spent.scalar_bytes += copy.scalar_bytes;
                spent.pointers += copy.pointers;
                spent.pointer_bytes += copy.pointers * base + anchored.pointer_bytes_below;
                pointer_counted = true;
                let levels = stack.len() + anchored.levels;
                if awaiting_key
                    || aliases > MAX_ALIASES / 2
                    || copied > MAX_ANCHORED_EVENTS / 2
                    || levels > MAX_DEPTH / 2
                {
                    return None;
                }
                if let Some(parent) = stack.last_mut() {
                    parent.deepest = parent.deepest.max(levels);
                }
                (anchored.value.clone(), anchored.merges_inside)
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                // A collection as a mapping key is the full path's to report.
                if tag.is_some() || awaiting_key || stack.len() >= MAX_DEPTH / 2 {
                    return None;
                }
                let pointer_len = child_pointer_len(&stack);
                let opened = spent;
                spent.pointers += 1;
                spent.pointer_bytes += pointer_len;
                stack.push(Frame {
                    items: match event {
                        Event::MappingStart(..) => Items::Map(Map::new(), None, Vec::new()),
                        _ => Items::Seq(Vec::new()),
                    },
                    pointer_len,
                    anchor,
                    opened,
                    deepest: stack.len() + 1,
                    merges_inside: false,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = stack.pop()?;
                let value = match frame.items {
                    Items::Seq(items) => Value::Array(items),
                    Items::Map(map, None, merged) => Value::Object(merge(map, merged)?),
                    Items::Map(_, Some(_), _) => return None,
                };
                if let Some(parent) = stack.last_mut() {
                    parent.deepest = parent.deepest.max(frame.deepest);
                }
                if frame.anchor != 0 {
                    // The start event is the collection's too.
                    let cost = Spent {
                        nodes: spent.nodes - frame.opened.nodes + 1,
                        scalar_bytes: spent.scalar_bytes - frame.opened.scalar_bytes,
                        pointers: spent.pointers - frame.opened.pointers,
                        pointer_bytes: spent.pointer_bytes - frame.opened.pointer_bytes,
                    };
                    let anchored = Anchored {
                        value: value.clone(),
                        spent: cost,
                        pointer_bytes_below: (cost.pointer_bytes)
                            .saturating_sub(cost.pointers * frame.pointer_len),
                        levels: frame.deepest - stack.len(),
                        merges_inside: frame.merges_inside,
                    };
                    anchors.insert(frame.anchor, anchored);
                }
                pointer_counted = true;
                (value, frame.merges_inside)
            }
            // Anchors as events, unresolved aliases, comments: the full path handles them.
            _ => return None,
        };
        if !awaiting_key && !pointer_counted {
            spent.pointers += 1;
            spent.pointer_bytes += child_pointer_len(&stack);
        }
        if spent.nodes > MAX_NODES / 2
            || spent.scalar_bytes > MAX_SCALAR_BYTES / 2
            || spent.pointer_bytes > MAX_POINTER_BYTES / 4
        {
            return None;
        }
        let Some(parent) = stack.last_mut() else {
            if root.is_some() {
                return None;
            }
            root = Some(value);
            continue;
        };
        parent.merges_inside |= merges_inside;
        match &mut parent.items {
            Items::Seq(items) => items.push(value),
            Items::Map(map, pending @ None, _) => {
                // A key: strings only, never twice. A plain `<<` is the merge key.
                let Value::String(key) = value else {
                    return None;
                };
                if key == "<<" {
                    // Only a plain `<<` merges; a quoted one is the full path's to read.
                    parent.merges_inside = true;
                    *pending = Some(MERGE_KEY);
                    continue;
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
            Items::Map(map, pending @ Some(_), merged) => {
                if pending.take() == Some(MERGE_KEY) {
                    // A merge source that holds a merge of its own is the full path's.
                    if merges_inside {
                        return None;
                    }
                    merged.push(value);
                } else {
                    *map.values_mut().next_back()? = value;
                }
            }
        }
    }
    // An empty stream is the full path's to report.
    root.filter(|_| stack.is_empty())
}

/// A mapping with the values given to its merge keys merged in, as the full parser merges:
/// its own entries first, then each merged mapping's entries in order, a key already present
/// kept. `None` for a merge value other than a null, a mapping or a sequence of mappings.
fn merge(mut map: Map<String, Value>, merged: Vec<Value>) -> Option<Map<String, Value>> {
    let mut add = |source: Map<String, Value>| {
        for (key, value) in source {
            map.entry(key).or_insert(value);
        }
    };
    for value in merged {
        match value {
            Value::Null => {}
            Value::Object(source) => add(source),
            Value::Array(sources) => {
                for source in sources {
                    let Value::Object(source) = source else {
                        return None;
                    };
                    add(source);
                }
            }
            _ => return None,
        }
    }
    Some(map)
}

/// Length of the JSON Pointer of the next value under the open collections: an upper bound
/// up to escapes (a key is counted unescaped; the limit it is held to leaves room for them).
fn child_pointer_len(stack: &[Frame]) -> usize {
    let Some(parent) = stack.last() else {
        return 0;
    };
    let segment = match &parent.items {
        Items::Seq(items) => items.len().checked_ilog10().unwrap_or(0) as usize + 1,
        Items::Map(_, key, _) => key.map_or(0, |len| if len == MERGE_KEY { 2 } else { len }),
    };
    parent.pointer_len + 1 + segment
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
        // Most strings are settled by their length.
        let special = matches!(s.len(), 3 | 8)
            && ["inf", "infinity", "nan"]
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

/// The `application` and `profile` a flag file names at its top level: where a check groups
/// the file before parsing it in full. Read from the first events where the file says so
/// plainly and early, and then exact: when the file parses, it names the same (a duplicate
/// key fails the parse). Otherwise, as where keys are sorted and `profile` follows `flags`,
/// from the file's unindented lines: almost always right, and a check that finds a parsed
/// file naming another scope starts over without hints. `None` when neither says plainly.
pub fn scope_hint(text: &str) -> Option<(String, String)> {
    early_scope(text).or_else(|| unindented_scope(text))
}

/// The scope from the unindented `application: name` and `profile: name` lines, each given
/// once, their names plain words of letters, digits, `.`, `_` and `-` that read as strings.
fn unindented_scope(text: &str) -> Option<(String, String)> {
    let (mut application, mut profile) = (None, None);
    for line in text.lines() {
        let (slot, rest) = if let Some(rest) = line.strip_prefix("application:") {
            (&mut application, rest)
        } else if let Some(rest) = line.strip_prefix("profile:") {
            (&mut profile, rest)
        } else {
            continue;
        };
        // A second line for the same key: a duplicate key, or not a key at all.
        if slot.is_some() {
            return None;
        }
        let rest = rest.split_once(" #").map_or(rest, |(value, _)| value);
        let word = rest.trim_matches([' ', '\t']);
        let plain = !word.is_empty()
            && rest.starts_with([' ', '\t'])
            && (word.bytes()).all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        let Some(Value::String(name)) = plain
            .then(|| scalar(Cow::Borrowed(word), ScalarStyle::Plain))
            .flatten()
        else {
            return None;
        };
        *slot = Some(name);
    }
    application.zip(profile)
}

/// The scope from the file's first events, when both keys come plainly among them.
fn early_scope(text: &str) -> Option<(String, String)> {
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
                // Key order too: it decides the order of compiled documents.
                assert_eq!(fast.to_string(), doc.value.to_string(), "{text:?}");
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
            "a: !!str 1\n",
            "a: yes\n",
            "? [a]\n: 1\n",
            "1: x\n",
            "a: [\n",
            "--- a\n--- b\n",
            "%YAML 1.2\n---\na: 1\n",
            "# only a comment\n",
            // Aliases and merges whose reading only the full parser decides.
            "a: &x [*x]\n",
            "a: *x\n",
            "&k a: 1\nb: *k\n",
            "a: &k x\n*k : 1\n",
            "a: &m {x: 1}\nb:\n  <<: 1\n",
            "a: &m {x: 1}\nb:\n  <<: [[*m]]\n",
            "a: &m {x: 1}\nb: &n {<<: *m}\nc: {<<: *n}\n",
            "'<<': 1\n",
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
        // Each alias costs its whole value: a nest of doubling aliases is refused early.
        let mut bomb = "a0: &a0 [x, x]\n".to_owned();
        for i in 1..20 {
            bomb.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
        }
        assert_eq!(parse_value(&bomb), None);
        let aliases = format!(
            "a: &a 1\nb: [{}]\n",
            vec!["*a"; MAX_ALIASES / 2 + 1].join(",")
        );
        assert_eq!(parse_value(&aliases), None);
        let deep = (0..MAX_DEPTH / 4).fold("x".to_owned(), |inner, _| format!("[{inner}]"));
        let doubled = format!("a: &a {deep}\nb: {}\n", format!("[{}]", "*a").repeat(1));
        assert!(parse_value(&doubled).is_some());
        let nested = format!(
            "a: &a {deep}\nb: {}*a{}\n",
            "[".repeat(MAX_DEPTH / 4 + 1),
            "]".repeat(MAX_DEPTH / 4 + 1)
        );
        assert_eq!(parse_value(&nested), None);
    }

    #[test]
    fn agrees_with_the_full_parser_on_anchors_aliases_and_merge_keys() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: &x [1, {w: two}]\nb: *x\nc: [*x, *x]\n",
            "base: &b {x: 1, w: 2}\nc:\n  <<: *b\n",
            "base: &b {x: 1, w: 2}\nc:\n  w: 3\n  <<: *b\n  z: 4\n",
            "base: &b {x: 1, w: 2}\nc:\n  <<: *b\n  w: 3\n",
            "p: &p {x: 1}\nq: &q {x: 2, w: 2}\nc: {<<: [*p, *q]}\n",
            "p: &p {x: 1}\nq: &q {x: 2, w: 2}\nc: {<<: *q, z: 0, <<: *p}\n",
            "c: {<<: {x: 1}, w: 2}\n",
            "c: {<<: ~, w: 2}\n",
            "a: &x 1\nb: &x 2\nc: *x\n",
            "defaults: &d\n  enabled: false\n  values: {count: 1}\nflags:\n  one:\n    <<: *d\n    enabled: true\n  two: *d\n",
        ] {
            assert!(agrees(text), "{text:?} should take the fast path");
        }
    }

    /// A YAML node for the property below, drawn from few keys and anchors so that keys
    /// overlap, anchors are redefined and merges collide.
    #[derive(Debug, Clone)]
    enum Node {
        Scalar(&'static str),
        Alias(usize),
        Seq(Vec<Node>),
        /// Entries, some with the merge key; the anchor it is defined under, if any.
        Map(Vec<(&'static str, Node)>),
        Anchored(usize, Box<Node>),
    }

    impl Node {
        fn render(&self, out: &mut String) {
            match self {
                Node::Scalar(s) => out.push_str(s),
                Node::Alias(a) => out.push_str(&format!("*a{a}")),
                Node::Anchored(a, node) => {
                    out.push_str(&format!("&a{a} "));
                    node.render(out);
                }
                Node::Seq(items) => {
                    out.push('[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        item.render(out);
                    }
                    out.push(']');
                }
                Node::Map(entries) => {
                    out.push('{');
                    for (i, (key, value)) in entries.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(key);
                        out.push_str(": ");
                        value.render(out);
                    }
                    out.push('}');
                }
            }
        }
    }

    fn node() -> impl proptest::strategy::Strategy<Value = Node> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            6 => proptest::sample::select(vec!["1", "two", "true", "~", "'q'", "-3.5", "yes"])
                .prop_map(Node::Scalar),
            2 => (0..3usize).prop_map(Node::Alias),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            let key = proptest::sample::select(vec!["x", "w", "z", "x", "w", "<<", "<<", "'<<'"]);
            prop_oneof![
                1 => proptest::collection::vec(inner.clone(), 0..4).prop_map(Node::Seq),
                2 => proptest::collection::vec((key, inner.clone()), 0..5).prop_map(Node::Map),
                2 => (0..3usize, inner).prop_map(|(a, node)| Node::Anchored(a, Box::new(node))),
            ]
        })
    }

    /// A document of the top-level keys `k0`, `k1`… with these values; top-level mappings
    /// in block style when `block`, so that merges are read there as in flow style too.
    fn document(entries: &[Node], block: bool) -> String {
        let mut text = String::new();
        for (i, entry) in entries.iter().enumerate() {
            text.push_str(&format!("k{i}:"));
            match entry {
                Node::Map(map) if block => {
                    text.push('\n');
                    for (key, value) in map {
                        text.push_str(&format!("  {key}: "));
                        value.render(&mut text);
                        text.push('\n');
                    }
                }
                _ => {
                    text.push(' ');
                    entry.render(&mut text);
                    text.push('\n');
                }
            }
        }
        text
    }

    #[test]
    fn most_documents_with_anchors_aliases_and_merges_take_the_fast_path() {
        use proptest::strategy::{Strategy, ValueTree};
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut taken, mut readable, cases) = (0, 0, 1000);
        for case in 0..cases {
            let entries = proptest::collection::vec(node(), 1..6)
                .new_tree(&mut runner)
                .map(|tree| tree.current())
                .unwrap_or_default();
            let text = document(&entries, case % 2 == 0);
            let clean = matches!(yaml::parse(&text), Ok((_, ref p)) if p.is_empty());
            taken += usize::from(agrees(&text));
            readable += usize::from(clean);
        }
        // Most draws hold `yes`, an alias to no anchor or a merge of a scalar, which the full
        // parser refuses. Of those it reads without a problem, only a quoted `<<` key is left
        // to it.
        assert!(
            readable >= 100 && taken * 5 >= readable * 4,
            "{taken} of {readable}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        /// Whatever mix of anchors, aliases and merge keys a file holds, the fast path
        /// either declines or reads exactly what the full parser reads, key order included.
        #[test]
        fn anchors_aliases_and_merges_read_as_the_full_parser_reads_them(
            entries in proptest::collection::vec(node(), 1..6),
            block in proptest::bool::ANY,
        ) {
            let text = document(&entries, block);
            if let Some(fast) = parse_value(&text) {
                let full = yaml::parse(&text);
                proptest::prop_assert!(full.is_ok(), "{text:?}: {full:?}");
                let (doc, problems) = full.unwrap_or_default();
                proptest::prop_assert!(problems.is_empty(), "{text:?}: {problems:?}");
                proptest::prop_assert_eq!(fast.to_string(), doc.value.to_string(), "{:?}", text);
            }
        }
    }
}
