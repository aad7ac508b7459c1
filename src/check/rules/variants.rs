//! FO204 variants: multi-variant values follow AppConfig's rules. Variants are evaluated in
//! order, first match wins; the default variant comes last and has no rule; at most 32
//! variants with unique names; each rule parses.

use std::collections::HashSet;

use crate::check::{Context, rule_syntax};
use crate::finding::{Finding, Location, catalog::VARIANTS};
use crate::model::flags::Evaluation;

pub const MAX_VARIANTS: usize = 32;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for flag in cx.model.flags() {
        for (pointer, _, block) in flag.value_blocks() {
            let Some(variants) = &block.variants else {
                continue;
            };
            let at = || format!("{pointer}/variants");
            let mut push = |p: String, message: String, help: Option<&str>| {
                let mut f = Finding::new(&VARIANTS, Location::node(flag.file, p), message);
                if let Some(h) = help {
                    f = f.help(h.to_owned());
                }
                out.push(f);
            };
            if variants.is_empty() {
                push(
                    at(),
                    "`variants` is empty: give at least a default variant".into(),
                    Some(
                        "list the variants in order, the last without `rule`, e.g. `variants: [{ name: default, enabled: false }]`",
                    ),
                );
                continue;
            }
            if variants.len() > MAX_VARIANTS {
                push(
                    at(),
                    format!(
                        "{} variants; AppConfig allows at most {MAX_VARIANTS}",
                        variants.len()
                    ),
                    Some(
                        "merge variants whose values are the same into one rule with `(or …)`, or split the flag",
                    ),
                );
            }
            if flag.flag.evaluate == Evaluation::Agent
                && (block.allow.is_some() || block.active.is_some())
            {
                push(at(), "with `evaluate: agent`, `allow` and `active` become variants: give either them or `variants`, not both".into(), Some("remove `allow` and `active`, or remove `variants`"));
            }
            if block.enabled.is_some() || !block.values.is_empty() {
                push(at(), "a value with `variants` cannot also set `enabled` or `values`: AppConfig serves them from the variants".into(), Some("move them into the variants (the last one is the default)"));
            }
            let mut names = HashSet::new();
            let last = variants.len() - 1;
            for (i, v) in variants.iter().enumerate() {
                let vp = || format!("{pointer}/variants/{i}");
                if v.name.is_empty() || v.name.chars().count() > 64 || v.name.contains('\n') {
                    push(
                        format!("{}/name", vp()),
                        "variant names are 1 to 64 characters on one line".into(),
                        Some("give a short one-line name, e.g. `name: beta-users`"),
                    );
                }
                if !names.insert(v.name.as_str()) {
                    push(
                        format!("{}/name", vp()),
                        format!("variant name `{}` is used twice", v.name),
                        Some("give each variant of the value a name of its own"),
                    );
                }
                match (&v.rule, i == last) {
                    (Some(_), true) => push(
                        format!("{}/rule", vp()),
                        "the last variant is the default and must not have a rule".into(),
                        Some("add a final variant without `rule`, served when no rule matches"),
                    ),
                    (None, false) => push(
                        vp(),
                        format!(
                            "variant `{}` has no rule but is not last: the variants after it can never match",
                            v.name
                        ),
                        Some("only the last (default) variant may omit `rule`"),
                    ),
                    (Some(rule), false) => {
                        if rule.chars().count() > 16_384 {
                            push(
                                format!("{}/rule", vp()),
                                "rules are at most 16384 characters".into(),
                                Some(
                                    "shorten the rule: match a list with `(in $key [...])` rather than many `eq`s",
                                ),
                            );
                        } else if let Err(e) = rule_syntax::parse(rule) {
                            push(
                                format!("{}/rule", vp()),
                                format!("invalid rule: {e}"),
                                Some(&e.hint(rule)),
                            );
                        }
                    }
                    (None, true) => {}
                }
            }
        }
    }
}
