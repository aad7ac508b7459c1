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

/// A span in the source text: byte range plus 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
}

/// Where a node and, for map entries, its key sit in the source.
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeSpans {
    pub value: Span,
    pub key: Option<Span>,
}

/// A parsed YAML document: its JSON value and the span of every node, by JSON Pointer.
#[derive(Debug, Default)]
pub struct Document {
    pub value: Value,
    spans: HashMap<String, NodeSpans>,
}

impl Document {
    /// The spans of the node at `pointer`, or of its nearest ancestor that has one.
    pub fn spans_at(&self, pointer: &str) -> NodeSpans {
        let mut p = pointer;
        loop {
            if let Some(s) = self.spans.get(p) {
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
        self.spans.contains_key(pointer)
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
const MAX_DEPTH: usize = 48;
const MAX_NODES: usize = 200_000;
const MAX_ALIASES: usize = 1_000;
const MAX_SCALAR_BYTES: usize = 8 << 20;

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
        },
    }
}

/// Parses one YAML document. `text` has no BOM. Returns the document, or the first fatal
/// problem; non-fatal problems (YAML 1.1 booleans) come back alongside the document.
pub fn parse(text: &str) -> Result<(Document, Vec<YamlProblem>), YamlProblem> {
    let root: Spanned<Node> =
        serde_saphyr::from_str_with_options(text, options()).map_err(|e| problem_from(&e, text))?;
    let mut doc = Document::default();
    let mut problems = Vec::new();
    let mut lowering = Lowering {
        text,
        spans: &mut doc.spans,
        problems: &mut problems,
        line_starts: line_starts(text),
    };
    doc.value = lowering.lower(root, String::new(), None);
    Ok((doc, problems))
}

fn problem_from(err: &serde_saphyr::Error, text: &str) -> YamlProblem {
    let message = err.to_string();
    let first_line = message.lines().next().unwrap_or_default();
    // The parser appends "at line L, column C" to its messages; the span carries that already.
    let message = match first_line.rfind(" at line ") {
        Some(i) => first_line[..i].trim_end_matches(',').to_owned(),
        None => first_line.to_owned(),
    };
    let lower = message.to_ascii_lowercase();
    let kind = if lower.contains("duplicate") {
        YamlProblemKind::DuplicateKey
    } else if lower.contains("budget") || lower.contains("limit") || lower.contains("depth") {
        YamlProblemKind::Limit
    } else {
        YamlProblemKind::Syntax
    };
    let span = err
        .location()
        .map(|loc| span_from_location(&loc, &line_starts(text), text));
    YamlProblem {
        kind,
        message,
        span,
    }
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
}

impl Lowering<'_> {
    fn span(&self, loc: &Location) -> Span {
        let mut span = span_from_location(loc, &self.line_starts, self.text);
        if span.end <= span.start {
            span.end = token_end(self.text, span.start);
        }
        span
    }

    fn lower(&mut self, node: Spanned<Node>, pointer: String, key: Option<Span>) -> Value {
        let value_span = self.span(&node.referenced);
        self.spans.insert(
            pointer.clone(),
            NodeSpans {
                value: value_span,
                key,
            },
        );
        match node.value {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::I64(i) => Value::from(i),
            Node::U64(u) => Value::from(u),
            Node::F64(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Node::Str(s) => {
                if is_yaml11_boolean(&s) && !is_quoted(self.text, value_span.start) {
                    self.problems.push(YamlProblem {
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
                    .collect(),
            ),
            Node::Map(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for (k, v) in entries {
                    let key_span = self.span(&k.referenced);
                    let key = match k.value {
                        Node::Str(s) => s,
                        other => {
                            self.problems.push(YamlProblem {
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
                    let value = self.lower(v, child, Some(key_span));
                    map.insert(key, value);
                }
                Value::Object(map)
            }
        }
    }
}

/// Escapes one JSON Pointer segment (RFC 6901).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn is_yaml11_boolean(s: &str) -> bool {
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
    fn duplicate_keys_are_an_error_with_a_location() {
        let err = parse("a: 1\nb: 2\na: 3\n").expect_err("duplicate key");
        assert_eq!(err.kind, YamlProblemKind::DuplicateKey);
        assert_eq!(err.span.map(|s| s.line), Some(3));
    }

    #[test]
    fn pointer_segments_are_escaped() {
        let (doc, _) = parsed("\"a/b\":\n  \"c~d\": 1\n");
        assert!(doc.has_node("/a~1b/c~0d"));
    }
}
