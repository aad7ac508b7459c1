//! Hand-formatted YAML for imported files: block mappings for structure, YAML flow (which
//! JSON values are) for leaf values, keys and strings quoted only where YAML would read them
//! otherwise. No serializer: the layout is the one people write by hand.

use serde_json::{Map, Value, json};

use crate::adopt::edit::flow;
use crate::model::flags::{AttributeDef, ElementDef, EnvValue, Evaluation, Flag, Period, Variant};

/// A YAML document being written, line by line, two spaces per level.
#[derive(Debug, Default)]
pub struct Yaml {
    out: String,
}

impl Yaml {
    pub fn new() -> Self {
        Yaml::default()
    }

    pub fn finish(self) -> String {
        self.out
    }

    pub fn line(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    pub fn blank(&mut self) {
        self.out.push('\n');
    }

    pub fn comment(&mut self, level: usize, text: &str) {
        for line in text.lines() {
            self.line(level, format!("# {line}").trim_end_matches(' '));
        }
    }

    /// `key:` opening a nested block.
    pub fn open(&mut self, level: usize, key: &str) {
        self.line(level, &format!("{}:", scalar(key)));
    }

    /// `key: value`, the value in flow style.
    pub fn field(&mut self, level: usize, key: &str, value: &Value) {
        self.line(level, &format!("{}: {}", scalar(key), flow(value)));
    }

    /// `key: value` with a trailing comment.
    pub fn field_commented(&mut self, level: usize, key: &str, value: &Value, comment: &str) {
        self.line(
            level,
            &format!("{}: {}   # {comment}", scalar(key), flow(value)),
        );
    }

    /// `key: value` for a string, plain where YAML allows.
    pub fn string(&mut self, level: usize, key: &str, value: &str) {
        self.line(level, &format!("{}: {}", scalar(key), scalar(value)));
    }

    /// A JSON value under `key`: non-empty objects as block mappings (recursively), the rest in
    /// flow style.
    pub fn value(&mut self, level: usize, key: &str, value: &Value) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                self.open(level, key);
                for (k, v) in map {
                    self.value(level + 1, k, v);
                }
            }
            _ => self.field(level, key, value),
        }
    }
}

/// A string as a YAML scalar in block context: plain when YAML reads it back as the same
/// string (prose, rule expressions, ARNs), double-quoted JSON otherwise.
pub fn scalar(s: &str) -> String {
    if plain_in_block(s) {
        s.to_owned()
    } else {
        flow(&Value::String(s.to_owned()))
    }
}

/// Whether `s` may be written as a plain scalar in block context. Conservative: anything
/// that could start another token, hold a comment or a mapping separator, or read as a
/// number, boolean or null (in YAML 1.2 or 1.1) is quoted.
fn plain_in_block(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let lower = s.to_ascii_lowercase();
    !first.is_ascii_digit()
        && !"-?:,[]{}#&*!|>'\"%@`.+~=<\\".contains(first)
        && s.trim() == s
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(|c| c.is_control() || c == '\u{feff}')
        && !matches!(
            lower.as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        )
}

/// One flag under `flags:`.
pub fn flag(y: &mut Yaml, level: usize, key: &str, flag: &Flag) {
    y.open(level, key);
    let l = level + 1;
    if let Some(name) = &flag.name {
        y.string(l, "name", name);
    }
    if let Some(d) = &flag.description {
        y.string(l, "description", d);
    }
    if let Some(owner) = &flag.owner {
        y.string(l, "owner", owner);
    }
    y.string(l, "class", flag.class.as_str());
    if !flag.placeholders.is_empty() {
        let names: Vec<Value> = flag
            .placeholders
            .iter()
            .map(|p| Value::String(p.as_str().to_owned()))
            .collect();
        y.field_commented(
            l,
            "placeholders",
            &Value::Array(names),
            "set these, then remove them from this list",
        );
    }
    if let Some(date) = &flag.deprecated {
        y.string(l, "deprecated", date);
    }
    if flag.evaluate == Evaluation::Agent {
        y.field_commented(
            l,
            "evaluate",
            &json!("agent"),
            "keeps allow_list / active_from / active_until plain attributes",
        );
    }
    if !flag.attributes.is_empty() {
        y.open(l, "attributes");
        for (name, def) in &flag.attributes {
            attribute(y, l + 1, name, def);
        }
    }
    if !crate::import::flags::is_empty(&flag.defaults) {
        y.open(l, "defaults");
        block(y, l + 1, &flag.defaults);
    }
    if !flag.environments.is_empty() {
        y.open(l, "environments");
        for (env, value) in &flag.environments {
            if value.enabled.is_some()
                && value.values.is_empty()
                && value.allow.is_none()
                && value.active.is_none()
                && value.variants.is_none()
            {
                y.field(l + 1, env, &json!({"enabled": value.enabled}));
            } else {
                y.open(l + 1, env);
                block(y, l + 2, value);
            }
        }
    }
}

fn attribute(y: &mut Yaml, level: usize, name: &str, def: &AttributeDef) {
    y.open(level, name);
    let l = level + 1;
    let kind = crate::compile::attribute_definition(def);
    if let Some(t) = kind.pointer("/constraints/type") {
        y.field(l, "type", t);
    }
    if let Some(d) = &def.description {
        y.string(l, "description", d);
    }
    if def.required {
        y.field(l, "required", &Value::Bool(true));
    }
    if let Some(p) = &def.pattern {
        y.string(l, "pattern", p);
    }
    if let Some(e) = &def.allowed {
        y.field(l, "enum", &Value::Array(e.clone()));
    }
    if let Some(m) = def.minimum {
        y.field(l, "minimum", &Value::from(m));
    }
    if let Some(m) = def.maximum {
        y.field(l, "maximum", &Value::from(m));
    }
    if let Some(el) = &def.elements {
        y.field(l, "elements", &element(el));
    }
}

fn element(el: &ElementDef) -> Value {
    let mut m = Map::new();
    let kind = match el.kind {
        crate::model::flags::ElementType::String => "string",
        crate::model::flags::ElementType::Number => "number",
    };
    m.insert("type".into(), Value::String(kind.into()));
    if let Some(p) = &el.pattern {
        m.insert("pattern".into(), Value::String(p.clone()));
    }
    if let Some(e) = &el.allowed {
        m.insert("enum".into(), Value::Array(e.clone()));
    }
    if let Some(v) = el.minimum {
        m.insert("minimum".into(), Value::from(v));
    }
    if let Some(v) = el.maximum {
        m.insert("maximum".into(), Value::from(v));
    }
    Value::Object(m)
}

/// The fields of a value block (defaults or one environment).
fn block(y: &mut Yaml, level: usize, value: &EnvValue) {
    if let Some(enabled) = value.enabled {
        y.field(level, "enabled", &Value::Bool(enabled));
    }
    if !value.values.is_empty() {
        y.open(level, "values");
        for (k, v) in &value.values {
            y.field(level + 1, k, v);
        }
    }
    if let Some(allow) = &value.allow {
        y.field(level, "allow", &json!(allow));
    }
    if let Some(period) = &value.active {
        y.field(level, "active", &period_json(period));
    }
    if let Some(variants) = &value.variants {
        y.open(level, "variants");
        for v in variants {
            variant(y, level + 1, v);
        }
    }
}

fn period_json(p: &Period) -> Value {
    let mut m = Map::new();
    if let Some(from) = &p.from {
        m.insert("from".into(), Value::String(from.clone()));
    }
    if let Some(until) = &p.until {
        m.insert("until".into(), Value::String(until.clone()));
    }
    Value::Object(m)
}

fn variant(y: &mut Yaml, level: usize, v: &Variant) {
    y.line(level, &format!("- name: {}", scalar(&v.name)));
    let l = level + 1;
    if let Some(rule) = &v.rule {
        y.string(l, "rule", rule);
    }
    y.field(l, "enabled", &Value::Bool(v.enabled));
    if !v.values.is_empty() {
        y.field(l, "values", &json!(v.values));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_yaml_would_read_otherwise_are_quoted() {
        assert_eq!(scalar("staging"), "staging");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("2027-01-01"), "\"2027-01-01\"");
        assert_eq!(scalar("a: b # c"), "\"a: b # c\"");
        assert_eq!(scalar("two\nlines"), "\"two\\nlines\"");
        assert_eq!(scalar("Bulk export, v2"), "Bulk export, v2");
        assert_eq!(
            scalar("(ends_with $email \"@x.example\")"),
            "(ends_with $email \"@x.example\")"
        );
        assert_eq!(scalar("arn:aws:iam::1:role/r"), "arn:aws:iam::1:role/r");
        assert_eq!(scalar("Off"), "\"Off\"");
    }

    #[test]
    fn every_scalar_reads_back_as_the_same_string() {
        let tricky = [
            "plain words",
            "with: colon",
            "ends with:",
            "hash # comment",
            "a#b",
            "- dash",
            "-dash",
            "[not, a, list]",
            "x [y]",
            "{a}",
            "'single'",
            "\"double\"",
            "it's",
            "100",
            "1e3",
            "0x1F",
            ".5",
            "+1",
            "null",
            "Null",
            "~",
            "yes",
            "NO",
            "on",
            " leading",
            "trailing ",
            "tab\there",
            "line\nbreak",
            "é unicode ✓",
            "*alias",
            "&anchor",
            "!tag",
            "%directive",
            "@at",
            "`tick",
            "a: b",
            "key:value",
            "url http://x/y?z=1#frag",
            "2027-03-01T08:00:00Z",
            "(split pct::10 by::$workspace seed::\"search-2027\")",
            "",
        ];
        for s in tricky {
            let text = format!("k: {}\n", scalar(s));
            let (doc, problems) = crate::load::yaml::parse(&text).expect("parses");
            assert!(problems.is_empty(), "{s:?}: {problems:?}");
            assert_eq!(doc.value["k"], Value::String(s.to_owned()), "{text}");
            let key = format!("{}: 1\n", scalar(s));
            let (doc, _) = crate::load::yaml::parse(&key).expect("parses as a key");
            assert_eq!(doc.value.get(s), Some(&json!(1)), "{key}");
        }
    }

    #[test]
    fn objects_nest_as_blocks_and_leaves_stay_flow() {
        let mut y = Yaml::new();
        y.value(
            0,
            "limits",
            &json!({"a": {"b": [1, 2]}, "c": "on", "d": {}}),
        );
        assert_eq!(
            y.finish(),
            "limits:\n  a:\n    b: [1, 2]\n  c: \"on\"\n  d: {}\n"
        );
    }
}
