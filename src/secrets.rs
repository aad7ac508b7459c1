//! Secrets: what looks like a credential, and the one redaction every output goes through.
//!
//! `check` reports a credential anywhere in a flag file or flagops.yaml (FO213), and an apply
//! never uploads a document with such a finding. Whatever flagops prints, wherever it came
//! from (a source snippet, an AWS error, a live document), passes [`redact`] on its way out:
//! it masks every known credential shape, and every value found under a secret-sounding name
//! during this run ([`remember`]).

use std::borrow::Cow;
use std::ops::Range;
use std::sync::{LazyLock, Mutex};

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;
use serde_json::Value;

/// A credential found in a string: what it looks like and where, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: &'static str,
    pub span: Range<usize>,
}

/// A credential shape: its pattern, text that every match holds one of (ASCII case aside),
/// the capture group that holds the secret (0: the whole match), whether it must stand alone
/// (no letter or digit right before or after it) and what to call it.
struct Shape {
    pattern: &'static str,
    needs: &'static [&'static str],
    group: usize,
    alone: bool,
    kind: &'static str,
}

/// Shapes of well-known credentials. Each has a test below.
const SHAPES: &[Shape] = &[
    // Access key ids, and the other unique-id prefixes AWS documents for IAM and STS. Alone:
    // inside a longer id (a ULID in an allow list) the same letters are chance.
    Shape {
        pattern: r"(?:A3T[A-Z0-9]|ABIA|ACCA|AGPA|AIDA|AIPA|AKIA|ANPA|ANVA|APKA|AROA|ASCA|ASIA)[A-Z0-9]{16}",
        needs: &[
            "A3T", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "AKIA", "ANPA", "ANVA", "APKA", "AROA",
            "ASCA", "ASIA",
        ],
        group: 0,
        alone: true,
        kind: "an AWS access key id",
    },
    // A secret access key written next to its name, as in a credentials file or a shell line.
    Shape {
        pattern: r#"(?i)(?:secret[_-]?access[_-]?key|secret[_-]?key|aws[_-]?secret)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})"#,
        needs: &["secret"],
        group: 1,
        alone: false,
        kind: "an AWS secret access key",
    },
    Shape {
        // Up to its END line; a block cut short (a truncated quote) only over its base64 body
        // and escaped line breaks, so the text around it (a JSON document's quotes) survives.
        pattern: r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----(?:(?s:.*?)-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|(?:[A-Za-z0-9+/=\s]|\\[nr])*)",
        needs: &["-----BEGIN "],
        group: 0,
        alone: false,
        kind: "a private key",
    },
    Shape {
        pattern: r"gh[pousr]_[A-Za-z0-9]{36,}",
        needs: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        group: 0,
        alone: false,
        kind: "a GitHub token",
    },
    Shape {
        pattern: r"github_pat_[A-Za-z0-9_]{22,}",
        needs: &["github_pat_"],
        group: 0,
        alone: false,
        kind: "a GitHub token",
    },
    Shape {
        pattern: r"xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}",
        needs: &["xox", "xapp-"],
        group: 0,
        alone: false,
        kind: "a Slack token",
    },
    Shape {
        pattern: r"[sr]k_live_[A-Za-z0-9]{16,}",
        needs: &["k_live_"],
        group: 0,
        alone: false,
        kind: "a Stripe secret key",
    },
    Shape {
        pattern: r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        needs: &["eyJ"],
        group: 0,
        alone: false,
        kind: "a JSON Web Token",
    },
    // The password of `scheme://user:password@host`.
    Shape {
        pattern: r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:([^/\s:@]+)@",
        needs: &["://"],
        group: 1,
        alone: false,
        kind: "a URL with a password",
    },
];

static COMPILED: LazyLock<Vec<(Regex, &'static Shape)>> = LazyLock::new(|| {
    SHAPES
        .iter()
        .filter_map(|shape| Some((Regex::new(shape.pattern).ok()?, shape)))
        .collect()
});

/// Every shape's needed text at once, ASCII case aside: a string without any needs no
/// regex at all.
static ANY_NEEDED: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(SHAPES.iter().flat_map(|shape| shape.needs))
        .ok()
});

/// Every shape at once: one pass over a string says which shapes (if any) to look at in
/// detail. Most strings (every flag name, value and allow-list entry) match none.
static ANY_SHAPE: LazyLock<Option<regex::RegexSet>> =
    LazyLock::new(|| regex::RegexSet::new(SHAPES.iter().map(|shape| shape.pattern)).ok());

/// The length of an AWS secret access key.
const BARE_SECRET_KEY_LEN: usize = 40;

/// A run of 40 base64 characters standing alone: an AWS secret access key without its name,
/// when it is random enough (see [`high_entropy`]).
static BARE_40: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)").ok()
});

static SECRET_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(secret|passw(or)?d|passphrase|api[_-]?key|access[_-]?key|private[_-]?key|token|credential|auth[_-]?key|signing[_-]?key)",
    )
    .ok()
});

/// The first credential in `value`, a string found under the key `name` (empty for a key
/// itself, or a string with no name).
pub fn find(name: &str, value: &str) -> Option<Hit> {
    find_under(Name::of(name), value)
}

/// Whether the key a string is found under sounds like it holds a secret: judged once per
/// key, however many strings sit under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    SecretSounding,
    Other,
}

impl Name {
    pub fn of(name: &str) -> Self {
        match SECRET_NAME.as_ref().is_some_and(|re| re.is_match(name)) {
            true => Name::SecretSounding,
            false => Name::Other,
        }
    }
}

/// The shortest string any check here can report: a URL's `a://b:c@`, or 8 characters under
/// a secret-sounding name.
const SHORTEST_SECRET: usize = 8;

/// [`find`], for a string under a name already judged.
pub fn find_under(name: Name, value: &str) -> Option<Hit> {
    if value.len() < SHORTEST_SECRET {
        return None;
    }
    // Most strings match no shape and hold no run long enough for a bare secret key: a plain
    // yes/no from every shape at once, which stops early and records nothing, settles them.
    let no_shape = || {
        ANY_NEEDED
            .as_ref()
            .is_some_and(|needed| !needed.is_match(value))
            || ANY_SHAPE.as_ref().is_some_and(|set| !set.is_match(value))
    };
    if !has_bare_key_run(value) && no_shape() {
        return by_name(name, value);
    }
    shape_hits(value).next().or_else(|| by_name(name, value))
}

/// Whether `text` has [`BARE_SECRET_KEY_LEN`] characters of [`BARE_40`]'s alphabet in a row:
/// what a bare secret key needs before its regex is worth running.
fn has_bare_key_run(text: &str) -> bool {
    // Each window of 40 bytes is read from its end: the last byte outside the alphabet moves
    // the window past it, so most text is passed many bytes at a time.
    let in_alphabet = |b: &u8| b.is_ascii_alphanumeric() || *b == b'/' || *b == b'+';
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(window) = bytes.get(start..start + BARE_SECRET_KEY_LEN) {
        match window.iter().rposition(|b| !in_alphabet(b)) {
            None => return true,
            Some(outside) => start += outside + 1,
        }
    }
    false
}

/// What kind of credential `value` (under the name `name`) looks like, if any.
pub fn looks_secret(name: &str, value: &str) -> Option<&'static str> {
    find(name, value).map(|hit| hit.kind)
}

/// Every credential shape in `text`, in no particular order; they may overlap.
fn shape_hits(text: &str) -> impl Iterator<Item = Hit> + '_ {
    let matched = ANY_SHAPE.as_ref().map(|set| set.matches(text));
    let candidates = COMPILED
        .iter()
        .enumerate()
        .filter(move |(i, _)| matched.as_ref().is_none_or(|m| m.matched(*i)));
    let shapes = candidates.flat_map(move |(_, (regex, shape))| {
        regex.captures_iter(text).filter_map(move |caps| {
            let m = caps.get(shape.group)?;
            let touches = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
            let bytes = text.as_bytes();
            if shape.alone
                && (touches(m.start().checked_sub(1).and_then(|i| bytes.get(i)))
                    || touches(bytes.get(m.end())))
            {
                return None;
            }
            Some(Hit {
                kind: shape.kind,
                span: m.range(),
            })
        })
    });
    let long_enough = text.len() >= BARE_SECRET_KEY_LEN;
    let bare = BARE_40
        .iter()
        .filter(move |_| long_enough)
        .flat_map(move |regex| {
            regex.captures_iter(text).filter_map(|caps| {
                let m = caps.get(1)?;
                high_entropy(m.as_str()).then_some(Hit {
                    kind: "an AWS secret access key",
                    span: m.range(),
                })
            })
        });
    shapes.chain(bare)
}

/// A whole value under a secret-sounding name: anything but a plain word, a short string or a
/// reference to where the secret is kept.
fn by_name(name: Name, value: &str) -> Option<Hit> {
    if name != Name::SecretSounding {
        return None;
    }
    let plain_word = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-');
    // An ARN names a secret (in Secrets Manager, Parameter Store, KMS) without holding it:
    // exactly what FO213's help recommends, so it must not be reported under a name like
    // `credentials_secret` either.
    let reference = value.starts_with("arn:aws");
    (value.len() >= SHORTEST_SECRET && !plain_word && !reference).then_some(Hit {
        kind: "a value under a secret-sounding name",
        span: 0..value.len(),
    })
}

/// Whether 40 base64 characters look random: upper case, lower case and a digit or symbol,
/// not hex (a SHA-1 is not a secret), not words run together (`CheckoutV2Payments…`, a
/// generated identifier), and close to the entropy of random base64 (4.5 bits a character
/// keeps 98% of random keys and AWS's documented example, and none of the identifiers
/// flagops itself generates).
fn high_entropy(s: &str) -> bool {
    let upper = s.bytes().any(|b| b.is_ascii_uppercase());
    let lower = s.bytes().any(|b| b.is_ascii_lowercase());
    let other = s
        .bytes()
        .any(|b| b.is_ascii_digit() || b == b'/' || b == b'+');
    if !(upper && lower && other) || s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let words = s
        .split(|c: char| !c.is_ascii_lowercase())
        .filter(|run| run.len() >= 5)
        .count();
    if words >= 2 {
        return false;
    }
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
    }
    let len = s.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum();
    entropy >= 4.5
}

/// Values found under secret-sounding names during this run, masked wherever they appear.
static REMEMBERED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Masks `secret` in every later output of this run, in its plain and its JSON-escaped form.
pub fn remember(secret: &str) {
    if secret.trim().is_empty() {
        return;
    }
    let Ok(mut remembered) = REMEMBERED.lock() else {
        return;
    };
    let escaped = serde_json::to_string(secret).unwrap_or_default();
    let escaped = escaped
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or_default();
    for form in [secret, escaped] {
        if !form.is_empty() && !remembered.iter().any(|known| known == form) {
            remembered.push(form.to_owned());
        }
    }
}

/// Remembers every credential in a JSON document (each string under its key), so that a value
/// AppConfig serves but git never had is masked like one from git.
pub fn remember_in(value: &Value) {
    fn walk(name: &str, value: &Value) {
        match value {
            Value::String(s) => {
                if let Some(hit) = find(name, s) {
                    remember(&s[hit.span]);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(name, item)),
            Value::Object(map) => map.iter().for_each(|(k, v)| walk(k, v)),
            _ => {}
        }
    }
    walk("", value);
}

/// `text` with every credential masked ([`mask`]). Lengths in bytes are kept, so spans into
/// the text still point at the same places.
pub fn redact(text: &str) -> Cow<'_, str> {
    redact_with(text, std::iter::empty())
}

/// [`redact`], masking the byte ranges `also` as well (clamped to the text and to character
/// boundaries).
pub fn redact_with(text: &str, also: impl Iterator<Item = Range<usize>>) -> Cow<'_, str> {
    let mut spans: Vec<Range<usize>> = shape_hits(text).map(|hit| hit.span).collect();
    spans.extend(also.filter_map(|span| {
        let end = floor_char_boundary(text, span.end.min(text.len()));
        let start = floor_char_boundary(text, span.start.min(end));
        (start < end).then_some(start..end)
    }));
    if let Ok(remembered) = REMEMBERED.lock()
        && !remembered.is_empty()
        && let Ok(matcher) = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(remembered.iter())
    {
        spans.extend(matcher.find_iter(text).map(|m| m.range()));
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    spans.sort_by_key(|span| (span.start, std::cmp::Reverse(span.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        if span.end <= at {
            continue;
        }
        let start = span.start.max(at);
        out.push_str(&text[at..start]);
        // A span that starts inside an earlier one is masked from where that one ended, and
        // wholly: its visible ends would be the earlier secret's characters.
        if start == span.start {
            out.push_str(&mask(&text[span.clone()]));
        } else {
            out.push_str(&mask_all(&text[start..span.end]));
        }
        at = span.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A secret as it may be shown: a few characters at each end to recognize it by, the rest
/// `*`, byte for byte, with line breaks kept so a snippet keeps its lines.
/// `AKIAIOSFODNN7EXAMPLE` becomes `AKIA************MPLE`.
pub fn mask(secret: &str) -> String {
    let chars = secret.chars().count();
    let keep = match chars {
        0..12 => 0,
        12..20 => 2,
        _ => 4,
    };
    let mut out = String::with_capacity(secret.len());
    for (i, c) in secret.chars().enumerate() {
        if i < keep || i >= chars - keep {
            out.push(c);
        } else {
            push_masked(&mut out, c);
        }
    }
    out
}

fn mask_all(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_masked(&mut out, c);
    }
    out
}

fn push_masked(out: &mut String, c: char) {
    if c == '\n' || c == '\r' {
        out.push(c);
    } else {
        out.extend(std::iter::repeat_n('*', c.len_utf8()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(value: &str) -> Option<&'static str> {
        looks_secret("text", value)
    }

    #[test]
    fn aws_access_key_ids_of_every_documented_prefix() {
        for prefix in [
            "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ASCA", "ABIA", "ACCA",
            "APKA", "A3T4",
        ] {
            let id = format!("{prefix}IOSFODNN7EXAMPLE");
            let id = &id[..20];
            assert_eq!(
                kind(&format!("see {id} here")),
                Some("an AWS access key id"),
                "{id}"
            );
        }
        assert_eq!(kind("AKIAIOSFODNN7EXAM"), None, "too short");
        // The same letters inside a longer id (a ULID in an allow list) are chance.
        assert_eq!(kind("ws_01JANPAZ5AWSH8VHTPRE95B9EE0Z"), None);
        assert_eq!(
            kind("key=AKIAIOSFODNN7EXAMPLE;"),
            Some("an AWS access key id")
        );
    }

    #[test]
    fn aws_secret_keys_next_to_their_name_or_random_enough() {
        let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let named = format!("aws_secret_access_key = {key}");
        let hit = find("description", &named).expect("found");
        assert_eq!(hit.kind, "an AWS secret access key");
        assert_eq!(&named[hit.span], key);
        assert_eq!(
            kind(&format!("the key is {key}.")),
            Some("an AWS secret access key")
        );
        // A SHA-1 in hex, a path and a sentence are 40 characters without being secrets.
        assert_eq!(kind("da39a3ee5e6b4b0d3255bfef95601890afd80709"), None);
        assert_eq!(kind("aaaaaaaaaaaaaaaaaaaaBBBBBBBBBBBBBBBBBBB1"), None);
        // Identifiers generated from flag keys are words run together.
        assert_eq!(kind("StorefrontReleaseFlagsCheckoutV220270301"), None);
        assert_eq!(kind("OpsSwitchesSwitchesPaymentsKillSwitch2026"), None);
    }

    #[test]
    fn github_tokens() {
        for prefix in ["ghp_", "gho_", "ghs_", "ghu_", "ghr_"] {
            let token = format!("{prefix}0123456789abcdefghijABCDEFGHIJ012345");
            assert_eq!(kind(&token), Some("a GitHub token"), "{token}");
        }
        let pat = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz";
        assert_eq!(kind(pat), Some("a GitHub token"));
        assert_eq!(kind("ghp_short"), None);
    }

    #[test]
    fn slack_tokens() {
        assert_eq!(kind("xoxb-123456789012-abcdefghij"), Some("a Slack token"));
        assert_eq!(kind("xapp-1-A0123456789-abcdef"), Some("a Slack token"));
        assert_eq!(kind("xoxo-hugs"), None);
    }

    #[test]
    fn stripe_keys() {
        assert_eq!(
            kind("sk_live_0123456789abcdefXYZ"),
            Some("a Stripe secret key")
        );
        assert_eq!(kind("sk_test_0123456789abcdefXYZ"), None);
    }

    #[test]
    fn private_key_blocks_up_to_their_end() {
        let block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----";
        let text = format!("{block}\ntrailing");
        let hit = find("", &text).expect("found");
        assert_eq!((hit.kind, &text[hit.span]), ("a private key", block));
        assert_eq!(kind("-----BEGIN PUBLIC KEY-----"), None);
    }

    #[test]
    fn a_private_key_cut_short_is_masked_without_eating_what_follows() {
        let doc = r#"{"message": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg", "line": 3}"#;
        let masked = redact(doc);
        assert!(!masked.contains("MIIEvQ"), "{masked}");
        let parsed: Value = serde_json::from_str(&masked).expect("still JSON");
        assert_eq!(parsed["line"], 3);
    }

    #[test]
    fn json_web_tokens() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(kind(jwt), Some("a JSON Web Token"));
    }

    #[test]
    fn urls_with_a_password_and_only_the_password() {
        let url = "postgres://shop:hunter2hunter2@db.internal:5432/shop";
        let hit = find("", url).expect("found");
        assert_eq!(
            (hit.kind, &url[hit.span]),
            ("a URL with a password", "hunter2hunter2")
        );
        assert_eq!(kind("https://example.com/a:b@c"), None);
    }

    #[test]
    fn the_shortest_credential_is_still_found() {
        // Strings shorter than SHORTEST_SECRET are not scanned: the shortest shape must fit.
        let url = "a://b:c@";
        assert_eq!(url.len(), SHORTEST_SECRET);
        assert_eq!(kind(url), Some("a URL with a password"));
        assert_eq!(
            looks_secret("api_key", "x1y2z3w4"),
            Some("a value under a secret-sounding name")
        );
        assert_eq!(looks_secret("api_key", "x1y2z3w"), None);
    }

    #[test]
    fn values_under_secret_sounding_names_but_not_references_or_words() {
        assert!(looks_secret("api_key", "9f8e7d6c5b4a").is_some());
        assert!(looks_secret("db_passphrase", "correct horse").is_some());
        assert!(looks_secret("api_key", "").is_none());
        assert!(looks_secret("token_style", "rounded-corners").is_none());
        assert!(looks_secret("color", "blue").is_none());
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe-AbCdEf";
        assert!(looks_secret("stripe_secret", arn).is_none());
    }

    #[test]
    fn masking_keeps_length_lines_and_a_recognizable_end() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "AKIA************MPLE");
        assert_eq!(mask("9f8e7d6c5b4a"), "9f********4a");
        assert_eq!(mask("hunter2"), "*******");
        assert_eq!(mask("ab\ncdéf"), "**\n*****");
        let text = "id AKIAIOSFODNN7EXAMPLE, pass postgres://u:hunter2hunter2@h";
        let redacted = redact(text);
        assert_eq!(redacted.len(), text.len());
        assert!(!redacted.contains("IOSFODNN7EXA"), "{redacted}");
        assert!(!redacted.contains("hunter2"), "{redacted}");
        assert!(redacted.starts_with("id AKIA"), "{redacted}");
    }

    #[test]
    fn remembered_values_are_masked_in_any_later_text_and_json() {
        remember("s3cr3t-under-a-name\"q");
        let text = r#"{"api_key": "s3cr3t-under-a-name\"q"} and s3cr3t-under-a-name"q"#;
        let redacted = redact(text);
        assert!(!redacted.contains("cr3t-under-a-na"), "{redacted}");
        assert_eq!(redact("nothing to hide"), "nothing to hide");
    }

    #[test]
    fn a_bare_key_run_is_forty_characters_of_its_alphabet_in_a_row() {
        let run = |n: usize| "aZ9/+".repeat(8)[..n].to_owned();
        assert!(has_bare_key_run(&run(40)));
        assert!(!has_bare_key_run(&run(39)));
        assert!(has_bare_key_run(&format!("a sentence, then {}", run(40))));
        assert!(has_bare_key_run(&format!("{} then words", run(40))));
        assert!(!has_bare_key_run(&format!("{} {}", run(20), run(20))));
        assert!(!has_bare_key_run(&format!("{}={}", run(39), run(39))));
        assert!(has_bare_key_run(&format!("{}-{}.", run(39), run(40))));
        assert!(!has_bare_key_run(&"word ".repeat(100)));
    }

    /// Pieces of credentials and of ordinary text, joined at random below.
    const PIECES: &[&str] = &[
        "AKIA",
        "IOSFODNN7EXAMPLE",
        "ghp_",
        "0123456789abcdefghijABCDEFGHIJ012345",
        "https://",
        "user",
        ":",
        "pw",
        "@",
        "host",
        " ",
        "Secret_Key",
        "=",
        "\"",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----END RSA PRIVATE KEY-----",
        "xoxb-",
        "xapp-1-",
        "eyJ",
        "abcdefghij",
        ".",
        "sk_live_",
        "github_pat_",
        "_",
        "\n",
        "AbCdEf0123/+",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..Default::default()
        })]

        #[test]
        fn the_quick_refusals_agree_with_every_shape_tried(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..14),
            name in proptest::sample::select(&["text", "password"][..]),
        ) {
            let value = pieces.concat();
            let name = Name::of(name);
            let every_shape = shape_hits(&value).next().or_else(|| by_name(name, &value));
            proptest::prop_assert_eq!(
                find_under(name, &value).map(|hit| (hit.kind, hit.span)),
                every_shape.map(|hit| (hit.kind, hit.span))
            );
        }
    }
}
