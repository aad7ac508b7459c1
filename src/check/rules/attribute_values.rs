//! FO202 attribute-value: attribute definitions are coherent and every value (per environment
//! and per variant) satisfies its definition: type, enum, pattern, minimum/maximum, array
//! elements, required. AppConfig enforces these at upload; flagops says so on the PR.

use regex::Regex;
use serde_json::Value;

use crate::check::Context;
use crate::compile::{ACTIVE_FROM_ATTRIBUTE, ACTIVE_UNTIL_ATTRIBUTE, ALLOW_ATTRIBUTE, Effective};
use crate::finding::{Finding, Location, catalog::ATTRIBUTE_VALUE};
use crate::load::yaml::escape_pointer;
use crate::model::flags::{AttributeDef, AttributeType, ElementDef, ElementType, Evaluation};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for flag in cx.model.flags() {
        let base = flag.pointer();
        for (name, def) in &flag.flag.attributes {
            let at = AttributeAt {
                flag: &base,
                name,
                elements: false,
            };
            definition_problems(
                def.kind == AttributeType::String,
                def.kind == AttributeType::Number,
                def.pattern.as_deref(),
                def.allowed.is_some(),
                def.minimum,
                def.maximum,
                &at,
                flag.file,
                out,
            );
            if def.kind != AttributeType::Array && def.elements.is_some() {
                out.push(
                    Finding::new(
                        &ATTRIBUTE_VALUE,
                        Location::key(flag.file, format!("{at}/elements")),
                        "`elements` applies to array attributes only",
                    )
                    .help("remove `elements`, or make the attribute `type: array`"),
                );
            }
            if let Some(el) = &def.elements {
                definition_problems(
                    el.kind == ElementType::String,
                    el.kind == ElementType::Number,
                    el.pattern.as_deref(),
                    el.allowed.is_some(),
                    el.minimum,
                    el.maximum,
                    &AttributeAt {
                        elements: true,
                        ..at
                    },
                    flag.file,
                    out,
                );
            }
            let generated = [
                ALLOW_ATTRIBUTE,
                ACTIVE_FROM_ATTRIBUTE,
                ACTIVE_UNTIL_ATTRIBUTE,
            ];
            if flag.flag.evaluate == Evaluation::App && generated.contains(&name.as_str()) {
                out.push(
                    Finding::new(
                        &ATTRIBUTE_VALUE,
                        Location::key(flag.file, at.to_string()),
                        format!(
                            "`{name}` is reserved: flagops generates it from `allow` and `active`"
                        ),
                    )
                    .help("rename the attribute"),
                );
            }
        }

        for (pointer, _, block) in flag.value_blocks() {
            for (name, value) in &block.values {
                check_value(
                    flag.flag.attributes.get(name),
                    name,
                    value,
                    &|| format!("{pointer}/values/{}", escape_pointer(name)),
                    flag.file,
                    out,
                );
            }
            for (i, variant) in block.variants.iter().flatten().enumerate() {
                for (name, value) in &variant.values {
                    check_value(
                        flag.flag.attributes.get(name),
                        name,
                        value,
                        &|| format!("{pointer}/variants/{i}/values/{}", escape_pointer(name)),
                        flag.file,
                        out,
                    );
                }
            }
        }

        // Required attributes must have a value in every environment of the application.
        let Some(app) = cx
            .model
            .config
            .as_ref()
            .and_then(|c| c.applications.get(flag.application))
        else {
            continue;
        };
        for name in flag
            .flag
            .attributes
            .iter()
            .filter(|(_, d)| d.required)
            .map(|(n, _)| n)
        {
            for env in app.environments.keys() {
                let value = Effective::of(flag.flag, env);
                if !value.has_variants() && !value.has_value(name) {
                    out.push(
                        Finding::new(
                            &ATTRIBUTE_VALUE,
                            Location::key(
                                flag.file,
                                format!("{base}/attributes/{}", escape_pointer(name)),
                            ),
                            format!(
                                "required attribute `{name}` has no value in environment `{env}`"
                            ),
                        )
                        .help(format!(
                            "set it under `defaults.values` or `environments.{env}.values`"
                        )),
                    );
                }
            }
        }
    }
}

/// An attribute's definition, or its `elements`: displayed as its JSON Pointer, which is
/// written out only for a finding (most definitions have none).
#[derive(Clone, Copy)]
struct AttributeAt<'a> {
    flag: &'a str,
    name: &'a str,
    elements: bool,
}

impl std::fmt::Display for AttributeAt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = escape_pointer(self.name);
        let elements = if self.elements { "/elements" } else { "" };
        write!(f, "{}/attributes/{name}{elements}", self.flag)
    }
}

#[allow(clippy::too_many_arguments)]
fn definition_problems(
    is_string: bool,
    is_number: bool,
    pattern: Option<&str>,
    has_enum: bool,
    minimum: Option<i64>,
    maximum: Option<i64>,
    at: &AttributeAt<'_>,
    file: &str,
    out: &mut Vec<Finding>,
) {
    let mut misplaced = |key: &str, applies_to: &str| {
        out.push(
            Finding::new(
                &ATTRIBUTE_VALUE,
                Location::key(file, format!("{at}/{key}")),
                format!("`{key}` applies to {applies_to} only"),
            )
            .help(format!("remove `{key}`, or change the attribute's `type`")),
        );
    };
    if !is_string && pattern.is_some() {
        misplaced("pattern", "strings");
    }
    if !is_string && has_enum {
        misplaced("enum", "strings");
    }
    if !is_number && minimum.is_some() {
        misplaced("minimum", "numbers");
    }
    if !is_number && maximum.is_some() {
        misplaced("maximum", "numbers");
    }
    if pattern.is_some() && has_enum {
        out.push(
            Finding::new(
                &ATTRIBUTE_VALUE,
                Location::key(file, format!("{at}/enum")),
                "AppConfig does not allow `pattern` and `enum` together",
            )
            .help("keep one: `enum` to list the allowed values, or `pattern` to match them"),
        );
    }
    // Through the cache: the same pattern usually recurs across flags, and values use it.
    if let Some(p) = pattern
        && !compiles(p)
        && let Err(e) = Regex::new(p)
    {
        out.push(
            Finding::new(
                &ATTRIBUTE_VALUE,
                Location::node(file, format!("{at}/pattern")),
                format!(
                    "invalid regular expression: {}",
                    e.to_string().lines().last().unwrap_or_default()
                ),
            )
            .help(
                r"write a regular expression, quoted in YAML, e.g. `pattern: '^[a-z][a-z0-9-]*$'`",
            ),
        );
    }
    if let (Some(min), Some(max)) = (minimum, maximum)
        && min > max
    {
        out.push(
            Finding::new(
                &ATTRIBUTE_VALUE,
                Location::node(file, format!("{at}/maximum")),
                format!("maximum {max} is below minimum {min}"),
            )
            .help(format!("swap them: `minimum: {max}`, `maximum: {min}`")),
        );
    }
}

/// Checks one value against its attribute's definition. `at` makes the value's JSON Pointer,
/// only when there is something to report: most values are fine.
fn check_value(
    def: Option<&AttributeDef>,
    name: &str,
    value: &Value,
    at: &dyn Fn() -> String,
    file: &str,
    out: &mut Vec<Finding>,
) {
    let Some(def) = def else {
        out.push(
            Finding::new(
                &ATTRIBUTE_VALUE,
                Location::key(file, at()),
                format!("`{name}` is not a declared attribute of this flag"),
            )
            .help("declare it under `attributes:` with its type"),
        );
        return;
    };
    let mut problem = |at: String, message: String| {
        out.push(
            Finding::new(&ATTRIBUTE_VALUE, Location::node(file, at), message).help(
                format!(
                    "write a value that `attributes.{name}` of this flag allows, or change that definition"
                ),
            ),
        )
    };
    match def.kind {
        AttributeType::Boolean if !value.is_boolean() => problem(
            at(),
            format!(
                "`{name}` is a boolean attribute; {} is not true or false",
                show(value)
            ),
        ),
        AttributeType::String | AttributeType::Number => {
            let constraint = Constraint {
                kind: if def.kind == AttributeType::String {
                    ElementType::String
                } else {
                    ElementType::Number
                },
                pattern: def.pattern.as_deref(),
                allowed: def.allowed.as_deref(),
                minimum: def.minimum,
                maximum: def.maximum,
            };
            if let Some(m) = scalar_problem(&constraint, value) {
                problem(at(), format!("`{name}`: {m}"));
            }
        }
        AttributeType::Array => match value.as_array() {
            None => problem(
                at(),
                format!(
                    "`{name}` is an array attribute; {} is not an array",
                    show(value)
                ),
            ),
            Some(items) => {
                let kinds: std::collections::HashSet<bool> =
                    items.iter().map(Value::is_string).collect();
                if kinds.len() > 1 {
                    problem(
                        at(),
                        format!("`{name}`: array elements must all be strings or all numbers"),
                    );
                }
                if let Some(el) = &def.elements {
                    let constraint = Constraint::of(el);
                    for (i, item) in items.iter().enumerate() {
                        if let Some(m) = scalar_problem(&constraint, item) {
                            problem(
                                format!("{}/{i}", at()),
                                format!("`{name}` element {}: {m}", i + 1),
                            );
                        }
                    }
                } else if items.iter().any(|v| !v.is_string() && !v.is_number()) {
                    problem(
                        at(),
                        format!("`{name}`: array elements must be strings or numbers"),
                    );
                }
            }
        },
        AttributeType::Boolean => {}
    }
}

/// What a string or number value must satisfy: an attribute's or an array element's
/// definition, borrowed.
struct Constraint<'a> {
    kind: ElementType,
    pattern: Option<&'a str>,
    allowed: Option<&'a [Value]>,
    minimum: Option<i64>,
    maximum: Option<i64>,
}

impl<'a> Constraint<'a> {
    fn of(el: &'a ElementDef) -> Self {
        Constraint {
            kind: el.kind,
            pattern: el.pattern.as_deref(),
            allowed: el.allowed.as_deref(),
            minimum: el.minimum,
            maximum: el.maximum,
        }
    }
}

/// What is wrong with a string or number value under `def`, if anything.
fn scalar_problem(def: &Constraint<'_>, value: &Value) -> Option<String> {
    match def.kind {
        ElementType::String => {
            let Some(s) = value.as_str() else {
                return Some(format!("{} is not a string", show(value)));
            };
            if s.chars().count() > 1024 {
                return Some("strings are at most 1024 characters".into());
            }
            if let Some(allowed) = def.allowed
                && !allowed.iter().any(|a| {
                    a.as_str() == Some(s) || a.as_i64().is_some_and(|i| i.to_string() == s)
                })
            {
                let list: Vec<String> = allowed.iter().map(show).collect();
                return Some(format!("{} is not one of {}", show(value), list.join(", ")));
            }
            if let Some(p) = def.pattern
                && matches(p, s) == Some(false)
            {
                return Some(format!("{} does not match the pattern `{p}`", show(value)));
            }
            None
        }
        ElementType::Number => {
            let Some(n) = value.as_f64() else {
                return Some(format!("{} is not a number", show(value)));
            };
            if let Some(min) = def.minimum
                && n < min as f64
            {
                return Some(format!("{} is below the minimum {min}", show(value)));
            }
            if let Some(max) = def.maximum
                && n > max as f64
            {
                return Some(format!("{} is above the maximum {max}", show(value)));
            }
            None
        }
    }
}

fn show(value: &Value) -> String {
    let s = value.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// Whether `pattern` compiles, through the cache of [`matches`].
fn compiles(pattern: &str) -> bool {
    matches(pattern, "").is_some()
}

/// Whether `text` matches `pattern`, compiled once per run and thread: the same constraint
/// checks every environment's value. `None` when the pattern does not compile. The regex is
/// used in place: a clone of it would start without the match cache it has built.
fn matches(pattern: &str, text: &str) -> Option<bool> {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, Option<Regex>>> = Default::default();
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            cache.insert(pattern.to_owned(), Regex::new(pattern).ok());
        }
        cache
            .get(pattern)
            .and_then(Option::as_ref)
            .map(|re| re.is_match(text))
    })
}
