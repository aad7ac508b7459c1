//! FO201 key-pattern: flag and attribute keys must match `^[a-z][a-zA-Z0-9_-]{0,63}$`.
//!
//! AppConfig's own pattern uses `\d`; ASCII digits are spelled out so that no other Unicode
//! digit slips through.

use std::sync::LazyLock;

use regex::Regex;

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::KEY_PATTERN, quote};
use crate::load::yaml::escape_pointer;

static KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z][a-zA-Z0-9_-]{0,63}$").unwrap_or_else(|_| unreachable!()));

pub fn is_valid_key(key: &str) -> bool {
    KEY.is_match(key)
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for flag in cx.model.flags() {
        if !is_valid_key(flag.key) {
            out.push(
                Finding::new(
                    &KEY_PATTERN,
                    Location::key(flag.file, flag.pointer()),
                    format!(
                        "flag key `{}` is not a valid AppConfig key",
                        quote(flag.key)
                    ),
                )
                .label(why(flag.key))
                .help(
                    "keys start with a lowercase letter, then up to 63 letters, digits, `_` or `-`",
                ),
            );
        }
        for name in flag.flag.attributes.keys() {
            if !is_valid_key(name) {
                out.push(
                    Finding::new(
                        &KEY_PATTERN,
                        Location::key(
                            flag.file,
                            format!("{}/attributes/{}", flag.pointer(), escape_pointer(name)),
                        ),
                        format!("attribute key `{}` is not a valid AppConfig key", quote(name)),
                    )
                    .label(why(name))
                    .help("keys start with a lowercase letter, then up to 63 letters, digits, `_` or `-`"),
                );
            }
        }
    }
}

/// The first reason a key fails the pattern.
fn why(key: &str) -> &'static str {
    match key.chars().next() {
        None => "empty",
        Some(c) if c.is_ascii_digit() => "starts with a digit",
        Some(c) if !c.is_ascii_lowercase() => "must start with a lowercase letter",
        _ if key.chars().count() > 64 => "longer than 64 characters",
        _ => "only letters, digits, `_` and `-` are allowed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appconfig_key_pattern() {
        for ok in ["a", "checkout_v2_20270301", "a-b_C9", &"a".repeat(64)] {
            assert!(is_valid_key(ok), "{ok}");
        }
        for bad in [
            "",
            "2021_05_27_foo",
            "Foo",
            "a.b",
            "a b",
            &"a".repeat(65),
            "a\u{0663}",
        ] {
            assert!(!is_valid_key(bad), "{bad}");
        }
    }
}
