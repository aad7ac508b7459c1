//! refs: where application code reads flags. Walks the configured source trees with the
//! `ignore` crate (ripgrep's walker: `.gitignore`, `.ignore`, hidden files, in parallel) and
//! matches each text file against one regular expression per pattern, built from every
//! spelling of every flag key (`exact`, `camel`, `pascal`, `screaming-snake`, aliases).
//!
//! Without `patterns`, any whole-word occurrence of a spelling is a reference. With them (e.g.
//! `useFlag\("{key}"\)`), only those are, and a name in `{key}` position that spells no flag
//! is a reference to an undefined flag.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use regex::Regex;

use crate::load::yaml::Span;
use crate::model::config::{KeyForm, RefsConfig};

/// Larger files are not source code worth scanning.
const MAX_FILE_BYTES: u64 = 4 << 20;

/// Files marked with this in their first lines (generated code) are not scanned: they name
/// every flag and would make each one look used.
pub const GENERATED_MARKER: &str = "@generated";

/// One occurrence of a flag name in code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    /// Path relative to the repository root, `/`-separated (`../app/x.ts` outside it).
    pub file: String,
    pub span: Span,
    /// The name as written.
    pub name: String,
    /// The flag keys it spells; empty when it spells none (an undefined flag).
    pub keys: Vec<String>,
    /// The line it is on, trimmed.
    pub line_text: String,
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct Scan {
    pub references: Vec<Reference>,
    /// Files read.
    pub files: usize,
    /// Paths that could not be read (missing directories, permission errors).
    pub problems: Vec<String>,
    /// Key → indexes into `references`.
    by_key: std::collections::HashMap<String, Vec<usize>>,
}

impl Scan {
    /// References of `key`, in file and line order.
    pub fn of<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a Reference> + 'a {
        self.by_key
            .get(key)
            .into_iter()
            .flatten()
            .map(|&i| &self.references[i])
    }
}

/// A problem with the `refs` settings, by the JSON Pointer of the offending entry in
/// flagops.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    pub pointer: String,
    pub message: String,
}

/// The spellings of `key` in the given forms.
pub fn spellings(key: &str, forms: &[KeyForm]) -> Vec<String> {
    let words = words(key);
    let mut out = Vec::new();
    for form in forms {
        let s = match form {
            KeyForm::Exact => key.to_owned(),
            KeyForm::Camel => words
                .iter()
                .enumerate()
                .map(|(i, w)| if i == 0 { w.clone() } else { capitalized(w) })
                .collect(),
            KeyForm::Pascal => words.iter().map(|w| capitalized(w)).collect(),
            KeyForm::ScreamingSnake => words
                .iter()
                .map(|w| w.to_ascii_uppercase())
                .collect::<Vec<_>>()
                .join("_"),
        };
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// `checkout_v2-beta` and `checkoutV2Beta` → `checkout`, `v2`, `beta`: split at `_`, `-` and
/// where a lower-case letter or digit meets an upper-case one; lower-cased.
fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev: Option<char> = None;
    for c in key.chars() {
        if c == '_' || c == '-' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        } else {
            if c.is_ascii_uppercase()
                && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                && !current.is_empty()
            {
                words.push(std::mem::take(&mut current));
            }
            current.push(c.to_ascii_lowercase());
        }
        prev = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn capitalized(w: &str) -> String {
    let mut chars = w.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// What to look for: every spelling of every key, and the patterns that frame them.
pub struct Matcher {
    /// Spelling → the keys it spells.
    names: BTreeMap<String, Vec<String>>,
    /// Bare mode: one alternation of all spellings, longest first.
    bare: Option<Regex>,
    /// Pattern mode: each pattern with a `key` group.
    patterns: Vec<Regex>,
}

/// A character that continues an identifier (or a key) on either side of a bare match.
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == '$'
}

impl Matcher {
    /// A matcher for `keys` with the `refs` settings.
    pub fn new(settings: &RefsConfig, keys: &BTreeSet<String>) -> Result<Self, Vec<SettingsError>> {
        let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for key in keys {
            let mut all = spellings(key, &settings.forms);
            all.extend(settings.aliases.get(key).into_iter().flatten().cloned());
            for name in all {
                let entry = names.entry(name).or_default();
                if !entry.contains(key) {
                    entry.push(key.clone());
                }
            }
        }
        let mut errors = Vec::new();
        let mut patterns = Vec::new();
        for (i, template) in settings.patterns.iter().enumerate() {
            let pointer = format!("/refs/patterns/{i}");
            if template.matches("{key}").count() != 1 {
                errors.push(SettingsError {
                    pointer,
                    message: format!("the pattern `{template}` must hold `{{key}}` exactly once"),
                });
                continue;
            }
            let source = template.replace("{key}", "(?P<key>[A-Za-z_$][A-Za-z0-9_$-]*)");
            match Regex::new(&source) {
                Ok(re) => patterns.push(re),
                Err(e) => errors.push(SettingsError {
                    pointer,
                    message: format!(
                        "the pattern `{template}` is not a valid regular expression: {}",
                        regex_problem(&e)
                    ),
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let bare = if settings.patterns.is_empty() && !names.is_empty() {
            let mut list: Vec<&String> = names.keys().collect();
            list.sort_by_key(|n| std::cmp::Reverse(n.len()));
            let alternation = list
                .iter()
                .map(|n| regex::escape(n))
                .collect::<Vec<_>>()
                .join("|");
            match Regex::new(&alternation) {
                Ok(re) => Some(re),
                Err(e) => {
                    return Err(vec![SettingsError {
                        pointer: "/refs".to_owned(),
                        message: format!("too many flag names to search for at once: {e}"),
                    }]);
                }
            }
        } else {
            None
        };
        Ok(Matcher {
            names,
            bare,
            patterns,
        })
    }

    /// Whether there is anything to look for.
    fn is_empty(&self) -> bool {
        self.bare.is_none() && self.patterns.is_empty()
    }

    /// The references in `text` (the contents of `file`).
    pub fn find(&self, file: &str, text: &str) -> Vec<Reference> {
        let mut out = Vec::new();
        let quick = |re: &Regex| re.is_match(text);
        if !self.bare.as_ref().is_some_and(quick) && !self.patterns.iter().any(quick) {
            return out;
        }
        let mut offset = 0;
        for (index, raw) in text.split_inclusive('\n').enumerate() {
            let line = raw.trim_end_matches(['\n', '\r']);
            let mut hits: Vec<(usize, usize)> = Vec::new();
            if let Some(re) = &self.bare {
                let mut at = 0;
                while let Some(m) = re.find_at(line, at) {
                    let before = line[..m.start()].chars().next_back();
                    let after = line[m.end()..].chars().next();
                    if before.is_some_and(word_char) || after.is_some_and(word_char) {
                        // A longer word contains it; a match may still start inside.
                        at = m.start() + line[m.start()..].chars().next().map_or(1, char::len_utf8);
                        continue;
                    }
                    hits.push((m.start(), m.end()));
                    at = m.end();
                }
            }
            for re in &self.patterns {
                for caps in re.captures_iter(line) {
                    if let Some(k) = caps.name("key") {
                        hits.push((k.start(), k.end()));
                    }
                }
            }
            hits.sort_unstable();
            hits.dedup();
            for (start, end) in hits {
                let name = &line[start..end];
                out.push(Reference {
                    file: file.to_owned(),
                    span: Span {
                        start: offset + start,
                        end: offset + end,
                        line: index + 1,
                        column: line[..start].chars().count() + 1,
                    },
                    name: name.to_owned(),
                    keys: self.names.get(name).cloned().unwrap_or_default(),
                    line_text: line.trim().to_owned(),
                });
            }
            offset += raw.len();
        }
        out
    }
}

/// The last line of a regex error ("unclosed group"), without the echo of the expression.
fn regex_problem(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .last()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_owned()
}

/// Source-tree walks this process has made: a run of `refs` or `check` walks the trees once.
static SCANS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many times this process has walked source trees for references (what [`scan`] does
/// unless no key has a spelling).
pub fn scans() -> usize {
    SCANS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Scans the source trees `paths` (relative to `root`; the settings' `paths` when empty) for
/// references to `keys`. `skip` lists paths under `root` never scanned (the flags directory,
/// flagops.yaml, the ledger).
pub fn scan(
    root: &Path,
    settings: &RefsConfig,
    paths: &[PathBuf],
    keys: &BTreeSet<String>,
    skip: &[&str],
) -> Result<Scan, Vec<SettingsError>> {
    let matcher = Matcher::new(settings, keys)?;
    let mut scan = Scan::default();
    if matcher.is_empty() {
        return Ok(scan);
    }
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let skip: Vec<PathBuf> = skip
        .iter()
        .map(|s| normalize(&root.join(s)))
        .chain([
            normalize(&root.join(".flagops")),
            normalize(&root.join(".git")),
        ])
        .collect();
    let roots: Vec<PathBuf> = if paths.is_empty() {
        settings.paths.iter().map(|p| root.join(p)).collect()
    } else {
        paths.iter().map(|p| root.join(p)).collect()
    };
    SCANS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let found = Mutex::new(Vec::new());
    let files = Mutex::new(0usize);
    let problems = Mutex::new(Vec::new());
    for start in roots {
        let start = normalize(&start);
        if !start.exists() {
            if let Ok(mut p) = problems.lock() {
                p.push(format!("{} does not exist", display(&root, &start)));
            }
            continue;
        }
        let mut overrides = ignore::overrides::OverrideBuilder::new(&start);
        let mut bad_glob = Vec::new();
        for (i, glob) in settings.include.iter().enumerate() {
            if let Err(e) = overrides.add(glob) {
                bad_glob.push(SettingsError {
                    pointer: format!("/refs/include/{i}"),
                    message: format!("`{glob}` is not a valid glob: {e}"),
                });
            }
        }
        for (i, glob) in settings.exclude.iter().enumerate() {
            if let Err(e) = overrides.add(&format!("!{glob}")) {
                bad_glob.push(SettingsError {
                    pointer: format!("/refs/exclude/{i}"),
                    message: format!("`{glob}` is not a valid glob: {e}"),
                });
            }
        }
        if !bad_glob.is_empty() {
            return Err(bad_glob);
        }
        let overrides = overrides.build().map_err(|e| {
            vec![SettingsError {
                pointer: "/refs".to_owned(),
                message: e.to_string(),
            }]
        })?;
        let skip = std::sync::Arc::new(skip.clone());
        let walker = ignore::WalkBuilder::new(&start)
            .require_git(false)
            .overrides(overrides)
            .filter_entry(move |entry| {
                let path = normalize(entry.path());
                !skip.contains(&path)
            })
            .build_parallel();
        walker.run(|| {
            let (found, files, problems, matcher, root) =
                (&found, &files, &problems, &matcher, &root);
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        if let Ok(mut p) = problems.lock() {
                            p.push(e.to_string());
                        }
                        return ignore::WalkState::Continue;
                    }
                };
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return ignore::WalkState::Continue;
                }
                let path = entry.path();
                let Some(text) = read_text(path) else {
                    return ignore::WalkState::Continue;
                };
                if let Ok(mut n) = files.lock() {
                    *n += 1;
                }
                let refs = matcher.find(&display(root, path), &text);
                if !refs.is_empty()
                    && let Ok(mut f) = found.lock()
                {
                    f.extend(refs);
                }
                ignore::WalkState::Continue
            })
        });
    }
    scan.references = found.into_inner().unwrap_or_default();
    scan.references.sort();
    scan.references.dedup();
    for (i, r) in scan.references.iter().enumerate() {
        for key in &r.keys {
            scan.by_key.entry(key.clone()).or_default().push(i);
        }
    }
    scan.files = files.into_inner().unwrap_or_default();
    scan.problems = problems.into_inner().unwrap_or_default();
    scan.problems.sort();
    Ok(scan)
}

/// A source file's text: `None` for large, binary, non-UTF-8 or generated files.
fn read_text(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return None;
    }
    let text = String::from_utf8(bytes).ok()?;
    let head: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    (!head.contains(GENERATED_MARKER)).then_some(text)
}

/// `path` without `.` and `..` components (not following symlinks).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `root`, `/`-separated, with `..` where it lies outside.
pub fn display(root: &Path, path: &Path) -> String {
    let path = normalize(path);
    let root = normalize(root);
    let common = root
        .components()
        .zip(path.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = root.components().count() - common;
    let rest: Vec<String> = path
        .components()
        .skip(common)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), ups).collect();
    parts.extend(rest);
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(forms: &[KeyForm], patterns: &[&str]) -> RefsConfig {
        RefsConfig {
            paths: vec![".".into()],
            include: Vec::new(),
            exclude: Vec::new(),
            forms: forms.to_vec(),
            patterns: patterns.iter().map(|p| (*p).to_owned()).collect(),
            aliases: Default::default(),
        }
    }

    #[test]
    fn keys_are_spelled_in_every_form() {
        let all = [
            KeyForm::Exact,
            KeyForm::Camel,
            KeyForm::Pascal,
            KeyForm::ScreamingSnake,
        ];
        assert_eq!(
            spellings("checkout_v2_20270301", &all),
            [
                "checkout_v2_20270301",
                "checkoutV220270301",
                "CheckoutV220270301",
                "CHECKOUT_V2_20270301"
            ]
        );
        assert_eq!(
            spellings("darkMode-beta", &all),
            [
                "darkMode-beta",
                "darkModeBeta",
                "DarkModeBeta",
                "DARK_MODE_BETA"
            ]
        );
    }

    #[test]
    fn bare_names_match_whole_words_only() {
        let keys: BTreeSet<String> = ["beta".to_owned(), "beta_users".to_owned()].into();
        let m = Matcher::new(&settings(&[KeyForm::Exact], &[]), &keys).unwrap();
        let text =
            "if flags.beta && isOn(\"beta_users\") {}\nalphabeta beta-x beta2 $beta\n// beta\n";
        let found: Vec<(usize, usize, String)> = m
            .find("a.ts", text)
            .into_iter()
            .map(|r| (r.span.line, r.span.column, r.name))
            .collect();
        assert_eq!(
            found,
            [
                (1, 10, "beta".to_owned()),
                (1, 24, "beta_users".to_owned()),
                (3, 4, "beta".to_owned())
            ]
        );
    }

    #[test]
    fn patterns_find_undefined_names_too() {
        let keys: BTreeSet<String> = ["dark_mode".to_owned()].into();
        let m = Matcher::new(
            &settings(
                &[KeyForm::Exact, KeyForm::Camel],
                &[r#"useFlag\("{key}"\)"#],
            ),
            &keys,
        )
        .unwrap();
        let refs = m.find(
            "x.tsx",
            "const a = useFlag(\"darkMode\");\nconst b = useFlag(\"ghost_flag\"); dark_mode;\n",
        );
        let got: Vec<(&str, Vec<String>, usize)> = refs
            .iter()
            .map(|r| (r.name.as_str(), r.keys.clone(), r.span.start))
            .collect();
        assert_eq!(
            got,
            [
                ("darkMode", vec!["dark_mode".to_owned()], 19),
                ("ghost_flag", vec![], 50)
            ]
        );
    }

    #[test]
    fn bad_patterns_are_reported_by_position() {
        let keys = BTreeSet::new();
        let errors = Matcher::new(&settings(&[], &["no key", "x({key}"]), &keys)
            .err()
            .unwrap();
        assert_eq!(errors[0].pointer, "/refs/patterns/0");
        assert_eq!(errors[1].pointer, "/refs/patterns/1");
    }

    #[test]
    fn paths_display_relative_to_the_root() {
        assert_eq!(
            display(Path::new("/r/flags"), Path::new("/r/flags/src/a.ts")),
            "src/a.ts"
        );
        assert_eq!(
            display(Path::new("/r/flags"), Path::new("/r/app/a.ts")),
            "../app/a.ts"
        );
    }
}
