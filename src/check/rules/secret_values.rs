//! FO213 secret-value: flag values and freeform content are served to every client that can
//! read the profile; a credential there is leaked. Flags values that look like keys or tokens,
//! and any non-empty string under a secret-sounding name. The value is never echoed.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};
use serde_json::Value;

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::SECRET_VALUE};
use crate::load::yaml::escape_pointer;

/// Shapes of well-known credentials.
static SHAPES: LazyLock<(RegexSet, Vec<&'static str>)> = LazyLock::new(|| {
    let shapes = [
        (r"\b(AKIA|ASIA)[0-9A-Z]{16}\b", "an AWS access key id"),
        (r"-----BEGIN [A-Z ]*PRIVATE KEY-----", "a private key"),
        (r"\bgh[pousr]_[A-Za-z0-9]{36,}\b", "a GitHub token"),
        (r"\bgithub_pat_[A-Za-z0-9_]{22,}\b", "a GitHub token"),
        (r"\bxox[baprs]-[A-Za-z0-9-]{10,}", "a Slack token"),
        (r"\bsk_live_[A-Za-z0-9]{16,}", "a Stripe secret key"),
        (
            r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
            "a JSON Web Token",
        ),
        (r"://[^/\s:@]+:[^/\s:@]+@", "a URL with a password"),
    ];
    let set = RegexSet::new(shapes.iter().map(|s| s.0)).unwrap_or_else(|_| RegexSet::empty());
    (set, shapes.iter().map(|s| s.1).collect())
});

static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(secret|passw(or)?d|api[_-]?key|access[_-]?key|private[_-]?key|token|credential)",
    )
    .unwrap_or_else(|_| unreachable!())
});

/// What kind of secret `value` (under the name `name`) looks like, if any.
pub fn looks_secret(name: &str, value: &str) -> Option<&'static str> {
    let (set, labels) = &*SHAPES;
    if let Some(i) = set.matches(value).iter().next() {
        return Some(labels[i]);
    }
    let plain_word = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-');
    // An ARN names a secret (in Secrets Manager, Parameter Store, KMS) without holding it:
    // exactly what the help below recommends, so it must not be reported under a name like
    // `credentials_secret` either.
    let reference = value.starts_with("arn:aws");
    (SECRET_NAME.is_match(name) && value.len() >= 8 && !plain_word && !reference)
        .then_some("a value under a secret-sounding name")
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for flag in cx.model.flags() {
        for (pointer, _, block) in flag.value_blocks() {
            for (name, value) in &block.values {
                scan(
                    flag.file,
                    &format!("{pointer}/values/{}", escape_pointer(name)),
                    name,
                    value,
                    out,
                );
            }
            for (i, variant) in block.variants.iter().flatten().enumerate() {
                for (name, value) in &variant.values {
                    scan(
                        flag.file,
                        &format!("{pointer}/variants/{i}/values/{}", escape_pointer(name)),
                        name,
                        value,
                        out,
                    );
                }
            }
        }
    }
    for (path, file) in &cx.model.files {
        if let Some(content) = &file.content {
            for (name, value) in &content.defaults {
                scan(
                    path,
                    &format!("/content/defaults/{}", escape_pointer(name)),
                    name,
                    value,
                    out,
                );
            }
            for (env, map) in &content.environments {
                for (name, value) in map {
                    scan(
                        path,
                        &format!(
                            "/content/environments/{}/{}",
                            escape_pointer(env),
                            escape_pointer(name)
                        ),
                        name,
                        value,
                        out,
                    );
                }
            }
        }
    }
}

fn scan(file: &str, pointer: &str, name: &str, value: &Value, out: &mut Vec<Finding>) {
    match value {
        Value::String(s) => {
            if let Some(kind) = looks_secret(name, s) {
                out.push(
                    Finding::new(&SECRET_VALUE, Location::node(file, pointer), format!("`{name}` looks like {kind}"))
                        .label("possible secret")
                        .help("AppConfig profiles are readable by every client of the application: keep secrets in Secrets Manager and reference them by name or ARN"),
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                scan(file, &format!("{pointer}/{i}"), name, item, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                scan(file, &format!("{pointer}/{}", escape_pointer(k)), k, v, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::looks_secret;

    #[test]
    fn credentials_are_recognised_and_ordinary_values_are_not() {
        assert!(looks_secret("x", "AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(looks_secret("x", "ghp_0123456789abcdefghijABCDEFGHIJ012345").is_some());
        assert!(looks_secret("api_key", "9f8e7d6c5b4a").is_some());
        assert!(looks_secret("api_key", "").is_none());
        assert!(looks_secret("token_style", "rounded-corners").is_none());
        assert!(looks_secret("color", "blue").is_none());
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe-AbCdEf";
        assert!(looks_secret("stripe_secret", arn).is_none());
    }
}
