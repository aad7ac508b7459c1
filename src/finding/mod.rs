//! The one finding model every command reports through and every output format renders.
//!
//! Locations stay symbolic (a file plus a JSON Pointer into its YAML) until an output format
//! resolves them against the loaded sources.

pub mod catalog;

use std::fmt;

pub use catalog::RuleInfo;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of a YAML map entry a location points at.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Part {
    Value,
    Key,
}

/// Where a finding is, before it is rendered.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Location {
    /// A node of a parsed YAML file, by JSON Pointer ("" is the document).
    Node {
        file: String,
        pointer: String,
        part: Part,
    },
    /// A place in a file that did not parse (a syntax error, invalid UTF-8).
    Text { file: String, span: Span },
    /// A whole file (or special file) with no position inside it.
    File { file: String },
}

/// A span in the source text: byte range plus 1-based line and column (in characters).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
}

impl PartialOrd for Span {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Span {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.line, self.column, self.start).cmp(&(other.line, other.column, other.start))
    }
}

impl Location {
    pub fn node(file: &str, pointer: impl Into<String>) -> Self {
        Location::Node {
            file: file.to_owned(),
            pointer: pointer.into(),
            part: Part::Value,
        }
    }

    pub fn key(file: &str, pointer: impl Into<String>) -> Self {
        Location::Node {
            file: file.to_owned(),
            pointer: pointer.into(),
            part: Part::Key,
        }
    }

    pub fn file(&self) -> &str {
        match self {
            Location::Node { file, .. } | Location::Text { file, .. } | Location::File { file } => {
                file
            }
        }
    }

    /// The YAML path of a node location, as a JSON Pointer.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            Location::Node { pointer, .. } => Some(pointer),
            _ => None,
        }
    }
}

/// One thing a human should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static RuleInfo,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// Short label under the underlined node.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
}

/// The candidate closest to `word`, when it is close enough to be a typo of it (a few edits)
/// or a shortening of it (`allow-list-dupe`, `prod`): a did-you-mean.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let typo = (candidates.iter())
        .map(|&c| (strsim::levenshtein(word, c), c))
        .filter(|&(distance, c)| distance <= 2.max(word.len().min(c.len()) / 4))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, c)| c);
    let prefix = || {
        (candidates.iter().copied())
            .filter(|c| word.chars().count() >= 3 && c.starts_with(word))
            .min_by_key(|c| c.len())
    };
    // Jaro-Winkler weighs a shared beginning, which is how names get shortened.
    typo.or_else(prefix).or_else(|| {
        (candidates.iter())
            .filter(|_| word.chars().count() >= 4)
            .map(|&c| (strsim::jaro_winkler(word, c), c))
            .filter(|&(similarity, _)| similarity >= 0.9)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c)
    })
}

/// How many characters of user input (a key, a pattern, a value) a message quotes.
pub const QUOTE_CHARS: usize = 120;

/// The longest message, label or help a finding carries, in characters: a safety net below
/// [`quote`], so that no input makes one finding's text grow with it.
pub const TEXT_CHARS: usize = 2000;

/// `text`, from the repository or a service, as a message may quote it: at most
/// [`QUOTE_CHARS`] characters, the rest cut and said to be.
pub fn quote(text: &str) -> std::borrow::Cow<'_, str> {
    cut(text, QUOTE_CHARS)
}

/// `text` cut to `max` characters, marked as cut with its full length.
fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(text),
        Some((at, _)) => std::borrow::Cow::Owned(format!(
            "{}… (cut: {} bytes in all)",
            &text[..at],
            text.len()
        )),
    }
}

fn bounded(text: String) -> String {
    match cut(&text, TEXT_CHARS) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(cut) => cut,
    }
}

impl Finding {
    pub fn new(rule: &'static RuleInfo, location: Location, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.default_severity,
            message: bounded(message.into()),
            location,
            label: None,
            help: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(bounded(label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(bounded(help.into()));
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn a_did_you_mean_takes_typos_and_shortenings_but_not_strangers() {
        let rules = ["allow-list-duplicate", "naming-convention", "expiry-near"];
        assert_eq!(
            closest("naming-convnetion", rules),
            Some("naming-convention")
        );
        assert_eq!(
            closest("allow-list-dupe", rules),
            Some("allow-list-duplicate")
        );
        assert_eq!(
            closest("prod", ["staging", "production"]),
            Some("production")
        );
        assert_eq!(closest("secrets", rules), None);
        assert_eq!(closest("dev", ["staging", "production"]), None);
    }
}
