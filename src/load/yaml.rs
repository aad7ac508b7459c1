//! YAML text → JSON value plus an index from JSON Pointer to source span.
//!
//! serde-saphyr parses into a span-carrying tree with hard budgets (depth, nodes, aliases,
//! scalar bytes), so hostile input fails fast with a location instead of exhausting memory
//! or the stack. The tree is then lowered to `serde_json::Value`, which the JSON Schema and
//! the typed model consume, while every node's span is kept for rendering findings.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::{Location, Spanned};

pub use crate::finding::Span;

/// Where a node and, for map entries, its key sit in the source.
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeSpans {
    pub value: Span,
    pub key: Option<Span>,
}

/// A parsed YAML document: its JSON value and, unless it came from the fast path, the span
/// of every node, by JSON Pointer.
#[derive(Debug, Default)]
pub struct Document {
    pub value: Value,
    spans: Option<HashMap<String, NodeSpans>>,
}

impl Document {
    pub fn without_spans(value: Value) -> Self {
        Document { value, spans: None }
    }

    pub fn has_spans(&self) -> bool {
        self.spans.is_some()
    }

    /// The spans of the node at `pointer`, or of its nearest ancestor that has one.
    pub fn spans_at(&self, pointer: &str) -> NodeSpans {
        let Some(spans) = &self.spans else {
            return NodeSpans::default();
        };
        let mut p = pointer;
        loop {
            if let Some(s) = spans.get(p) {
                return *s;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return NodeSpans::default(),
            }
        }
    }

    /// Whether the node at `pointer` has a span of its own.
    pub fn has_node(&self, pointer: &str) -> bool {
        self.spans.as_ref().is_some_and(|s| s.contains_key(pointer))
    }
}

/// A YAML problem found while parsing, with its location when the parser knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlProblem {
    pub kind: YamlProblemKind,
    pub message: String,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlProblemKind {
    Syntax,
    DuplicateKey,
    Limit,
    Yaml11Boolean,
    NonStringKey,
}

/// Hard limits for one file. Flag files are small; anything near these is hostile or a mistake.
pub(super) const MAX_DEPTH: usize = 48;
pub(super) const MAX_NODES: usize = 200_000;
pub(super) const MAX_ALIASES: usize = 1_000;
pub(super) const MAX_SCALAR_BYTES: usize = 8 << 20;
/// Events copied into anchors, aliases inside them included. The parser's default (1,000,000)
/// lets nested alias bombs run five times longer before the node budget stops them.
pub(super) const MAX_ANCHORED_EVENTS: usize = 100_000;
/// Every node's JSON Pointer is stored, so long keys under many descendants multiply: a 1 MB
/// key over 100,000 list items would be 100 GB of pointers. This caps their total size.
pub(super) const MAX_POINTER_BYTES: usize = 64 << 20;
/// Non-fatal problems reported per file; a file of 100,000 `yes` needs no 100,000 findings.
const MAX_PROBLEMS: usize = 100;

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        merge_keys: serde_saphyr::MergeKeyPolicy::Merge,
        reject_unsupported_tags: true,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_aliases: MAX_ALIASES,
            max_total_scalar_bytes: MAX_SCALAR_BYTES,
            max_recorded_anchor_events: MAX_ANCHORED_EVENTS,
        },
    }
}

/// Parses one YAML document. `text` has no BOM. Returns the document, or the first fatal
/// problem; non-fatal problems (YAML 1.1 booleans) come back alongside the document.
pub fn parse(text: &str) -> Result<(Document, Vec<YamlProblem>), YamlProblem> {
    let root: Spanned<Node> =
        serde_saphyr::from_str_with_options(text, options()).map_err(|e| problem_from(&e, text))?;
    let mut spans = HashMap::new();
    let mut problems = Vec::new();
    let mut lowering = Lowering {
        text,
        spans: &mut spans,
        problems: &mut problems,
        line_starts: line_starts(text),
        pointer_bytes: 0,
        unreported: None,
    };
    let value = lowering.lower(root, String::new(), None)?;
    if let Some((first, count)) = lowering.unreported.take() {
        problems.push(YamlProblem {
            message: format!(
                "{count} more YAML problems in this file are not reported; only the first {MAX_PROBLEMS} are"
            ),
            ..first
        });
    }
    let doc = Document {
        value,
        spans: Some(spans),
    };
    Ok((doc, problems))
}

fn problem_from(err: &serde_saphyr::Error, text: &str) -> YamlProblem {
    use serde_saphyr::granit_parser::ErrorKind;
    use serde_saphyr::{Error, ExternalMessageSource, MessageFormatter as _};

    // Classify by the error's variant, never by its text: messages quote the input (tags,
    // keys), and a tag named `!limit` must not turn a syntax error into a limit. Alias and
    // snippet wrappers hold the original error.
    let mut inner = err;
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = inner {
        inner = error;
    }
    let kind = match inner {
        Error::DuplicateMappingKey { .. } => YamlProblemKind::DuplicateKey,
        Error::Budget { .. }
        | Error::AliasReplayCounterOverflow { .. }
        | Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayStackDepthExceeded { .. } => YamlProblemKind::Limit,
        Error::ExternalMessage { source, .. } => match &**source {
            ExternalMessageSource::Parser(scan)
                if matches!(
                    scan.kind(),
                    ErrorKind::RecursionLimitExceeded
                        | ErrorKind::InputByteLimitExceeded { .. }
                        | ErrorKind::DirectiveByteLimitExceeded { .. }
                        | ErrorKind::TooManyReservedDirectiveParams { .. }
                ) =>
            {
                YamlProblemKind::Limit
            }
            _ => YamlProblemKind::Syntax,
        },
        _ => YamlProblemKind::Syntax,
    };
    // The user-facing formatter gives the bare message: no "at line" suffixes (the span
    // carries the location) and no advice about the parser's Rust API.
    let message = match inner {
        Error::Budget { breach, .. } => budget_message(breach),
        _ => serde_saphyr::UserMessageFormatter
            .format_message(inner)
            .into_owned(),
    };
    let span = err
        .location()
        .map(|loc| span_from_location(&loc, &line_starts(text), text));
    YamlProblem {
        kind,
        message: printable(&message),
        span,
    }
}

fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Depth { .. } => format!("the YAML nests deeper than {MAX_DEPTH} levels"),
        B::Nodes { .. } => format!(
            "the YAML has more than {MAX_NODES} nodes (an alias counts its whole value each time)"
        ),
        B::RecordedAnchorEvents { .. } => format!(
            "the YAML's anchored values expand to more than {MAX_ANCHORED_EVENTS} nodes (an alias counts its whole value each time)"
        ),
        B::Aliases { .. } => format!("the YAML uses more than {MAX_ALIASES} aliases"),
        B::ScalarBytes { .. } => format!(
            "the YAML's strings exceed {} MiB in total (an alias counts its whole value each time)",
            MAX_SCALAR_BYTES >> 20
        ),
        B::Anchors { anchors } => format!("the YAML defines too many anchors ({anchors})"),
        B::AliasAnchorRatio { aliases, anchors } => {
            format!("the YAML uses {aliases} aliases of only {anchors} anchors")
        }
        other => format!("the YAML exceeds a parser limit: {other:?}"),
    }
}

/// Messages quote the input; control characters are shown escaped, never written raw.
fn printable(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Byte offset of the start of each line.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn span_from_location(loc: &Location, line_starts: &[usize], text: &str) -> Span {
    let line = loc.line().max(1) as usize;
    let column = loc.column().max(1) as usize;
    let start = match loc.span().byte_offset() {
        Some(b) => (b as usize).min(text.len()),
        None => {
            let ls = line_starts.get(line - 1).copied().unwrap_or(text.len());
            text[ls..]
                .char_indices()
                .nth(column - 1)
                .map_or(text.len(), |(i, _)| ls + i)
        }
    };
    let len = loc.span().byte_len().unwrap_or(0) as usize;
    let end = (start + len).min(text.len());
    Span {
        start,
        end,
        line,
        column,
    }
}

struct Lowering<'a> {
    text: &'a str,
    spans: &'a mut HashMap<String, NodeSpans>,
    problems: &'a mut Vec<YamlProblem>,
    line_starts: Vec<usize>,
    /// Total length of the pointers stored in `spans`, capped at `MAX_POINTER_BYTES`.
    pointer_bytes: usize,
    /// The first problem past `MAX_PROBLEMS` and how many were not reported.
    unreported: Option<(YamlProblem, usize)>,
}

impl Lowering<'_> {
    fn span(&self, loc: &Location) -> Span {
        let mut span = span_from_location(loc, &self.line_starts, self.text);
        if span.end <= span.start {
            span.end = token_end(self.text, span.start);
        }
        span
    }

    fn problem(&mut self, problem: YamlProblem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.unreported.get_or_insert((problem, 0)).1 += 1;
        }
    }

    fn lower(
        &mut self,
        node: Spanned<Node>,
        pointer: String,
        key: Option<Span>,
    ) -> Result<Value, YamlProblem> {
        let value_span = self.span(&node.referenced);
        self.pointer_bytes += pointer.len();
        if self.pointer_bytes > MAX_POINTER_BYTES {
            return Err(YamlProblem {
                kind: YamlProblemKind::Limit,
                message: format!(
                    "the YAML paths of this file's nodes exceed {} MiB in total: keys this long cannot nest this much",
                    MAX_POINTER_BYTES >> 20
                ),
                span: Some(value_span),
            });
        }
        self.spans.insert(
            pointer.clone(),
            NodeSpans {
                value: value_span,
                key,
            },
        );
        Ok(match node.value {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::I64(i) => Value::from(i),
            Node::U64(u) => Value::from(u),
            Node::F64(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Node::Str(s) => {
                if has_binary_tag(self.text, value_span.start) {
                    self.problem(YamlProblem {
                        kind: YamlProblemKind::Syntax,
                        message: "`!!binary` is refused: it decodes base64, so what would be uploaded is not what is written; write the text itself".to_owned(),
                        span: Some(value_span),
                    });
                }
                if is_yaml11_boolean(&s) && !is_quoted(self.text, value_span.start) {
                    self.problem(YamlProblem {
                        kind: YamlProblemKind::Yaml11Boolean,
                        message: format!(
                            "`{s}` is a boolean in YAML 1.1 but a string in YAML 1.2: write true/false, or quote it if you mean the text"
                        ),
                        span: Some(value_span),
                    });
                }
                Value::String(s)
            }
            Node::Seq(items) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| self.lower(item, format!("{pointer}/{i}"), None))
                    .collect::<Result<_, _>>()?,
            ),
            Node::Map(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for (k, v) in entries {
                    let key_span = self.span(&k.referenced);
                    let key = match k.value {
                        Node::Str(s) => s,
                        other => {
                            self.problem(YamlProblem {
                                kind: YamlProblemKind::NonStringKey,
                                message: format!(
                                    "mapping keys must be strings, found {}",
                                    other.kind_name()
                                ),
                                span: Some(key_span),
                            });
                            other.key_text()
                        }
                    };
                    let child = format!("{pointer}/{}", escape_pointer(&key));
                    let value = self.lower(v, child, Some(key_span))?;
                    map.insert(key, value);
                }
                Value::Object(map)
            }
        })
    }
}

/// Escapes one JSON Pointer segment (RFC 6901).
pub fn escape_pointer(segment: &str) -> String {
    if !needs_escape(segment) {
        return segment.to_owned();
    }
    segment.replace('~', "~0").replace('/', "~1")
}

fn needs_escape(segment: &str) -> bool {
    segment.bytes().any(|b| b == b'~' || b == b'/')
}

/// Appends `/` and `segment`, escaped as [`escape_pointer`] does, to the JSON Pointer `pointer`.
pub fn push_pointer_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    // Nearly every key needs no escape: copy it whole.
    if !needs_escape(segment) {
        pointer.push_str(segment);
        return;
    }
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// A JSON Pointer kept as the segments a walk has entered, and written out only for a
/// finding: most nodes a walk passes have none.
#[derive(Debug, Default)]
pub struct PointerPath<'a> {
    segments: Vec<PathSegment<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathSegment<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> PointerPath<'a> {
    pub fn push_key(&mut self, key: &'a str) {
        self.segments.push(PathSegment::Key(key));
    }

    pub fn push_index(&mut self, index: usize) {
        self.segments.push(PathSegment::Index(index));
    }

    pub fn pop(&mut self) {
        self.segments.pop();
    }

    /// Whether the path is exactly these keys, from the root.
    pub fn is_keys(&self, keys: &[&str]) -> bool {
        self.segments.len() == keys.len()
            && (self.segments.iter().zip(keys)).all(|(s, k)| *s == PathSegment::Key(k))
    }

    /// The key of the innermost segment, when it is a key.
    pub fn last_key(&self) -> Option<&'a str> {
        match self.segments.last() {
            Some(PathSegment::Key(key)) => Some(key),
            _ => None,
        }
    }

    /// The path as a JSON Pointer, escaped as [`escape_pointer`] does.
    pub fn pointer(&self) -> String {
        let mut pointer = String::new();
        for segment in &self.segments {
            match segment {
                PathSegment::Key(key) => push_pointer_segment(&mut pointer, key),
                PathSegment::Index(i) => {
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                }
            }
        }
        pointer
    }
}

/// Unescapes one JSON Pointer segment (RFC 6901): the inverse of [`escape_pointer`].
pub fn unescape_pointer(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

pub(super) fn is_yaml11_boolean(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// Whether the scalar at `start` carries YAML's `!!binary` tag (in any spelling), which the
/// parser decodes: at `start` itself, or before it (and before a block scalar's `|` or `>`).
fn has_binary_tag(text: &str, start: usize) -> bool {
    const SPELLINGS: [&str; 4] = [
        "!!binary",
        "!binary",
        "tag:yaml.org,2002:binary",
        "!<tag:yaml.org,2002:binary>",
    ];
    let start = start.min(text.len());
    let Some(at) = text.get(start..) else {
        return false;
    };
    let before = text[..start].trim_end();
    let before = before
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
        .strip_suffix(['|', '>'])
        .map_or(before, str::trim_end);
    SPELLINGS
        .iter()
        .any(|tag| at.starts_with(tag) || before.ends_with(tag))
}

fn is_quoted(text: &str, start: usize) -> bool {
    matches!(text.as_bytes().get(start), Some(b'"' | b'\''))
}

/// The end of the token starting at `start`: the rest of the line, trimmed, at most.
fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start.min(text.len())..];
    let line = rest.split(['\n', '\r']).next().unwrap_or_default();
    start + line.trim_end().len().max(usize::from(!line.is_empty()))
}

/// The untyped YAML tree, each node with its span.
enum Node {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<Node>, Spanned<Node>)>),
}

impl Node {
    fn kind_name(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::I64(_) | Node::U64(_) | Node::F64(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a sequence",
            Node::Map(_) => "a mapping",
        }
    }

    fn key_text(&self) -> String {
        match self {
            Node::Null => "null".to_owned(),
            Node::Bool(b) => b.to_string(),
            Node::I64(i) => i.to_string(),
            Node::U64(u) => u.to_string(),
            Node::F64(f) => f.to_string(),
            Node::Str(s) => s.clone(),
            Node::Seq(_) => "[...]".to_owned(),
            Node::Map(_) => "{...}".to_owned(),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML node")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::I64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::U64(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        Ok(Node::F64(v as f64))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        Ok(Node::F64(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::F64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<Spanned<Node>, Spanned<Node>>()? {
            entries.push(entry);
        }
        Ok(Node::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (Document, Vec<YamlProblem>) {
        parse(text).expect("valid YAML")
    }

    #[test]
    fn a_pushed_segment_is_escaped_as_escape_pointer_does() {
        let mut pointer = "/flags".to_owned();
        push_pointer_segment(&mut pointer, "a/b~c");
        assert_eq!(pointer, format!("/flags/{}", escape_pointer("a/b~c")));
        assert_eq!(pointer, "/flags/a~1b~0c");
    }

    #[test]
    fn a_pointer_path_is_written_out_as_the_walk_left_it() {
        let mut path = PointerPath::default();
        assert_eq!(path.pointer(), "");
        path.push_key("flags");
        assert!(path.is_keys(&["flags"]));
        path.push_key("a/b~c");
        path.push_index(12);
        assert_eq!(path.pointer(), "/flags/a~1b~0c/12");
        assert_eq!(path.last_key(), None);
        path.pop();
        assert_eq!(path.last_key(), Some("a/b~c"));
        assert!(!path.is_keys(&["flags"]));
        path.pop();
        path.pop();
        assert!(path.is_keys(&[]));
    }

    #[test]
    fn every_node_has_its_line_and_column() {
        let (doc, _) = parsed("flags:\n  foo:\n    enabled: true\n    tags: [a, \"b\"]\n");
        let enabled = doc.spans_at("/flags/foo/enabled");
        assert_eq!((enabled.value.line, enabled.value.column), (3, 14));
        let key = enabled.key.expect("map entries have key spans");
        assert_eq!((key.line, key.column), (3, 5));
        let tag = doc.spans_at("/flags/foo/tags/1");
        assert_eq!((tag.value.line, tag.value.column), (4, 15));
    }

    #[test]
    fn missing_pointer_falls_back_to_the_nearest_ancestor() {
        let (doc, _) = parsed("a:\n  b: 1\n");
        assert_eq!(doc.spans_at("/a/b/c/d").value.line, 2);
    }

    #[test]
    fn yaml11_booleans_stay_strings_and_are_reported_unless_quoted() {
        let (doc, problems) = parsed("a: yes\nb: 'on'\nc: NO\nd: true\n");
        assert_eq!(doc.value["a"], Value::String("yes".into()));
        assert_eq!(doc.value["d"], Value::Bool(true));
        let lines: Vec<usize> = problems
            .iter()
            .filter(|p| p.kind == YamlProblemKind::Yaml11Boolean)
            .map(|p| p.span.map_or(0, |s| s.line))
            .collect();
        assert_eq!(lines, vec![1, 3]);
    }

    #[test]
    fn octal_looking_and_underscored_numbers_stay_strings() {
        let (doc, _) = parsed("a: 0755\nb: 1_000\nc: 42\n");
        assert_eq!(doc.value["a"], Value::String("0755".into()));
        assert_eq!(doc.value["b"], Value::String("1_000".into()));
        assert_eq!(doc.value["c"], Value::from(42));
    }

    #[test]
    fn binary_tags_are_a_problem_at_their_scalar() {
        for text in [
            "a: !!binary aGVsbG8=\n",
            "a: !<tag:yaml.org,2002:binary> aGVsbG8=\n",
            "a:\n  - !!binary |\n    aGVsbG8=\n",
        ] {
            let (_, problems) = parse(text).expect("parses");
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
            assert!(problems[0].message.contains("!!binary"), "{text}");
        }
        let (_, problems) = parse("a: \"!!binary is a tag\"\nb: !!str text\n").expect("parses");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn duplicate_keys_are_an_error_with_a_location() {
        let err = parse("a: 1\nb: 2\na: 3\n").expect_err("duplicate key");
        assert_eq!(err.kind, YamlProblemKind::DuplicateKey);
        assert_eq!(err.span.map(|s| s.line), Some(3));
    }

    #[test]
    fn problems_are_classified_by_kind_not_by_words_in_the_input() {
        for text in ["a: !limit x\n", "a: !budget-depth x\n", "a: !duplicate x\n"] {
            let err = parse(text).expect_err("unsupported tag");
            assert_eq!(err.kind, YamlProblemKind::Syntax, "{text}");
        }
        let err = parse("limit: 1\nlimit: 2\n").expect_err("duplicate key");
        assert_eq!(err.kind, YamlProblemKind::DuplicateKey);
        assert_eq!(
            err.message,
            "duplicate mapping key `limit` is not allowed here"
        );
    }

    #[test]
    fn alias_bombs_are_a_limit_with_a_plain_message() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h"])
        {
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let err = parse(&text).expect_err("alias bomb");
        assert_eq!(err.kind, YamlProblemKind::Limit);
        assert!(err.message.contains("nodes"), "{}", err.message);
        assert!(!err.message.contains("line"), "{}", err.message);
        assert!(err.span.is_some_and(|s| s.line > 1));
    }

    #[test]
    fn ten_thousand_levels_of_block_nesting_stop_at_the_depth_limit() {
        // Larger than any file flagops reads, so only reachable from here.
        let mut maps = String::new();
        let mut seqs = String::new();
        for depth in 0..10_000 {
            maps.push_str(&format!("{:depth$}k:\n", ""));
            seqs.push_str(&format!("{:depth$}-\n", ""));
        }
        for text in [maps, seqs] {
            let err = parse(&text).expect_err("too deep");
            assert_eq!(err.kind, YamlProblemKind::Limit);
            assert_eq!(err.span.map(|s| s.line), Some(MAX_DEPTH + 1));
        }
    }

    #[test]
    fn long_keys_over_many_nodes_hit_the_pointer_budget() {
        let key = "k".repeat(1 << 20);
        let text = format!("? {key}\n: [{}]\n", vec!["0"; 1000].join(","));
        let err = parse(&text).expect_err("pointer budget");
        assert_eq!(err.kind, YamlProblemKind::Limit);
        assert_eq!(err.span.map(|s| s.line), Some(2));
    }

    #[test]
    fn problems_past_the_cap_are_counted_in_one_more() {
        let text = format!("a: [{}]\n", vec!["yes"; MAX_PROBLEMS + 50].join(", "));
        let (_, problems) = parsed(&text);
        assert_eq!(problems.len(), MAX_PROBLEMS + 1);
        let last = problems.last().expect("summary");
        assert_eq!(last.kind, YamlProblemKind::Yaml11Boolean);
        assert!(
            last.message.starts_with("50 more YAML problems"),
            "{}",
            last.message
        );
    }

    #[test]
    fn control_characters_in_messages_are_escaped() {
        let err = parse("\"a\\u001b[2J\": 1\n\"a\\u001b[2J\": 2\n").expect_err("duplicate key");
        assert!(!err.message.contains('\u{1b}'), "{}", err.message);
        assert!(err.message.contains("\\u{1b}"), "{}", err.message);
    }

    #[test]
    fn pointer_segments_are_escaped() {
        let (doc, _) = parsed("\"a/b\":\n  \"c~d\": 1\n");
        assert!(doc.has_node("/a~1b/c~0d"));
    }
}
