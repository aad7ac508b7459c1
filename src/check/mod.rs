//! check: schema-validate the loaded files, build the typed model, run the lint rules,
//! compile, and check the compiled documents. What passes here is what apply would upload.

pub mod incremental;
pub mod rule_syntax;
pub mod rules;
pub mod schema;
pub mod scope;
pub mod select;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::compile::{self, Compiled};
use crate::finding::{Finding, Location, Severity, catalog};
use crate::git;
use crate::load::Loaded;
use crate::load::yaml::unescape_pointer;
use crate::model::config::RuleLevel;
use crate::model::{FlagFile, Model, RepoConfig};

/// What a rule sees.
pub struct Context<'a> {
    pub model: &'a Model,
    /// The repository root, for rules that read beyond the loaded files (git history,
    /// freeform schemas). `None` when checking files detached from a repository.
    pub root: Option<&'a std::path::Path>,
    /// "Today" for expiry rules; injectable so tests are deterministic.
    pub today: Date,
    /// What the history says of the flags, read once for the rules that need it.
    history: std::sync::OnceLock<Result<git::KeyFacts, git::GitError>>,
}

impl Context<'_> {
    /// What the history of the repository's flags directory says of its flags (see
    /// [`git::key_facts`]), read on first use and shared by every rule that asks. `None`
    /// without a root or a valid flagops.yaml.
    pub fn key_facts(&self) -> Option<&Result<git::KeyFacts, git::GitError>> {
        let (root, config) = (self.root?, self.model.config.as_ref()?);
        Some(self.history.get_or_init(|| {
            git::key_facts(root, &config.flags_dir, &crate::cache::Store::none(), true)
        }))
    }
}

/// Whether `check` keeps the compiled documents for a later step (plan, apply, compile) or
/// only checks them, one profile at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Documents {
    Keep,
    CheckOnly,
}

/// The outcome of `check`: the typed model, the compiled documents (when kept) and every
/// finding.
#[derive(Debug)]
pub struct Report {
    pub model: Model,
    pub compiled: Compiled,
    /// How many targets were compiled and checked.
    pub targets: usize,
    pub findings: Vec<Finding>,
    /// The application and profile each flag file says it belongs to, valid or not: what
    /// [`scope::blocking`] pins a file's findings on.
    pub scopes: std::collections::HashMap<String, (String, String)>,
    /// Rules that did not run, and why (no git history to read): check passes without
    /// them, and says so.
    pub skipped: Vec<Skipped>,
}

/// A rule that did not run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub rule: &'static catalog::RuleInfo,
    pub why: &'static str,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.rule.name, self.why)
    }
}

impl Report {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// A flag file schema-checked and decoded, with the findings on it.
#[derive(Debug)]
pub struct TypedFile {
    pub file: Option<FlagFile>,
    pub findings: Vec<Finding>,
    /// `application` and `profile`, when the file names them (even if it is invalid).
    pub scope: Option<(String, String)>,
}

/// Schema-checks the parsed value of the flag file `path` and decodes it: the step `load`
/// hands each file to as soon as it is parsed.
pub fn type_flag_file(path: &str, value: serde_json::Value) -> TypedFile {
    let mut findings = Vec::new();
    for rule in rules::PER_DOCUMENT {
        rule(path, &value, &mut findings);
    }
    let named = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let scope = named("application").zip(named("profile"));
    let file = typed::<FlagFile>(value, path, schema::Kind::Flags, &mut findings);
    TypedFile {
        file,
        findings,
        scope,
    }
}

/// Checks a repository held in memory: flagops.yaml's text and each flag file's path and text,
/// as if read from a root that does not exist (rules that read git or other files find
/// nothing). For fuzzing and property tests: the same stages as a check on disk.
pub fn run_in_memory(config: &str, files: &[(&str, &str)], today: Date) -> (Loaded, Report) {
    let mut loaded = Loaded {
        root: std::path::PathBuf::from("/nonexistent/flagops-in-memory"),
        sources: crate::load::Sources::default(),
        config: None,
        findings: Vec::new(),
    };
    let config_file = crate::load::CONFIG_FILE;
    if crate::load::parse_source(config_file.to_owned(), config.to_owned(), &mut loaded).is_some() {
        loaded.config = Some(config_file.to_owned());
    }
    scan_unparsed(&mut loaded, config_file);
    let mut typed = Vec::new();
    for &(path, text) in files {
        if crate::load::parse_source(path.to_owned(), text.to_owned(), &mut loaded).is_none() {
            scan_unparsed(&mut loaded, path);
        } else if let Some(doc) = loaded
            .sources
            .get_mut(path)
            .and_then(|f| f.doc.as_deref_mut())
        {
            let value = std::mem::take(&mut doc.value);
            typed.push((path.to_owned(), type_flag_file(path, value)));
        }
    }
    let report = run(&mut loaded, typed, today, Documents::Keep);
    (loaded, report)
}

/// Checks a loaded repository whose flag files `load` has typed with [`type_flag_file`].
pub fn run(
    loaded: &mut Loaded,
    files: Vec<(String, TypedFile)>,
    today: Date,
    documents: Documents,
) -> Report {
    let mut findings = std::mem::take(&mut loaded.findings);
    let mut model = Model {
        config: type_config(loaded, &mut findings),
        files: Vec::new(),
    };
    let mut scopes = std::collections::HashMap::new();
    for (path, typed) in files {
        findings.extend(typed.findings);
        if let Some(scope) = typed.scope {
            scopes.insert(path.clone(), scope);
        }
        if let Some(file) = typed.file {
            model.files.push((path, file));
        }
    }

    let cx = Context {
        model: &model,
        root: Some(&loaded.root),
        today,
        history: std::sync::OnceLock::new(),
    };
    // Rules whose every finding `rules.levels` turns off do not run.
    let profile_rules = rules::enabled(rules::PER_PROFILE, model.config.as_ref());
    // The git history walk is sequential: it runs beside the compiled-document rules, and
    // the rules that read history start once it is done.
    let ((), profiles) = rayon::join(
        || {
            cx.key_facts();
        },
        || {
            compile::profiles(&model)
                .into_par_iter()
                .map(|(application, profile)| {
                    let section = match documents {
                        Documents::Keep => compile::FlagsSection::InEveryDocument,
                        Documents::CheckOnly => compile::FlagsSection::InFirstDocument,
                    };
                    let compiled =
                        compile::compile_profile_with(&model, application, profile, section);
                    let mut found = Vec::new();
                    for rule in &profile_rules {
                        rule(&cx, &compiled, &mut found);
                    }
                    let count = compiled.targets.len();
                    let kept = match documents {
                        Documents::Keep => compiled.targets,
                        Documents::CheckOnly => Vec::new(),
                    };
                    (kept, count, found)
                })
                .collect::<Vec<_>>()
        },
    );
    let enabled = |table| rules::enabled(table, model.config.as_ref());
    let model_findings: Vec<_> = (enabled(rules::PER_PROFILE_FILES).into_iter())
        .chain(enabled(rules::REPOSITORY))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|rule| {
            let mut found = Vec::new();
            rule(&cx, &mut found);
            found
        })
        .collect();
    findings.extend(model_findings.into_iter().flatten());
    let mut compiled = Compiled::default();
    let mut targets = 0;
    for (kept, count, found) in profiles {
        compiled.targets.extend(kept);
        targets += count;
        findings.extend(found);
    }

    let skipped = skipped(&cx);
    finish(&mut findings, loaded, model.config.as_ref());
    Report {
        model,
        compiled,
        targets,
        findings,
        scopes,
        skipped,
    }
}

/// Schema-checks and decodes flagops.yaml, when it parsed.
fn type_config(loaded: &mut Loaded, findings: &mut Vec<Finding>) -> Option<RepoConfig> {
    let path = loaded.config.as_ref()?;
    let doc = loaded.sources.get_mut(path)?.doc.as_deref_mut()?;
    // The parsed value moves into the typed model; findings keep pointing at it by path,
    // and its spans come from the text.
    let mut value = std::mem::take(&mut doc.value);
    off_in_any_case(&mut value);
    for rule in rules::PER_DOCUMENT {
        rule(path, &value, findings);
    }
    typed::<RepoConfig>(value, path, schema::Kind::Config, findings)
}

/// flagops.yaml typed without its schema pass and rules, for a text (by its digest) whose
/// pass found nothing before: compiling the schema is most of a warm check. `None` if it does
/// not type, with the value left for [`type_config`].
pub(crate) fn type_config_again(loaded: &mut Loaded) -> Option<RepoConfig> {
    let path = loaded.config.as_ref()?;
    let doc = loaded.sources.get_mut(path)?.doc.as_deref_mut()?;
    let mut value = doc.value.clone();
    off_in_any_case(&mut value);
    let config = serde_json::from_value(value).ok()?;
    doc.value = serde_json::Value::Null;
    Some(config)
}

/// What every check does last: rule levels, time-driven findings on untouched flags, findings
/// that say less than another on the same node, allowed secrets; then the order.
fn finish(findings: &mut Vec<Finding>, loaded: &Loaded, config: Option<&RepoConfig>) {
    apply_levels(config, findings);
    demote_untouched(findings, loaded, config);
    drop_shadowed(findings, loaded);
    allow_bare_off(findings, loaded, config);
    rules::drop_allowed_secrets(findings, &loaded.sources);
    sort(findings, &loaded.sources);
}

/// The history rules that did not run because the repository is no git repository:
/// deleted-key-reuse always, removed-flag-still-referenced when `refs` is set, stale-flag's
/// age when `rules.lifetime` is. A rule turned off is not missed.
fn skipped(cx: &Context<'_>) -> Vec<Skipped> {
    let (Some(Err(git::GitError::NotARepository(_))), Some(config)) =
        (cx.key_facts(), cx.model.config.as_ref())
    else {
        return Vec::new();
    };
    let off = |rule: &catalog::RuleInfo| {
        config.rules.levels.iter().any(|(name, level)| {
            *level == RuleLevel::Off && catalog::find(name).is_some_and(|r| r.code == rule.code)
        })
    };
    let mut skipped = vec![Skipped {
        rule: &catalog::DELETED_KEY_REUSE,
        why: "not a git repository",
    }];
    if config.refs.is_some() {
        skipped.push(Skipped {
            rule: &catalog::REMOVED_FLAG_STILL_REFERENCED,
            why: "not a git repository",
        });
    }
    if !config.rules.lifetime.is_empty() {
        skipped.push(Skipped {
            rule: &catalog::STALE_FLAG,
            why: "not a git repository, so flag ages are unknown",
        });
    }
    skipped.retain(|s| !off(s.rule));
    skipped
}

/// Schema-validates one parsed file and decodes it into its typed form.
fn typed<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    path: &str,
    kind: schema::Kind,
    findings: &mut Vec<Finding>,
) -> Option<T> {
    let errors = schema::validate(kind, path, &value);
    let value = if errors.is_empty() {
        value
    } else {
        // Keep checking what is valid: drop the flags (or content) that hold schema errors,
        // so one typo does not hide the semantic findings of the file's other flags.
        let recovered = without_invalid_entries(value, &errors);
        findings.extend(errors);
        let recovered = recovered?;
        if !schema::validate(kind, path, &recovered).is_empty() {
            return None;
        }
        recovered
    };
    match serde_json::from_value::<T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            findings.push(
                Finding::new(
                    &catalog::SCHEMA,
                    Location::node(path, ""),
                    format!("{path} does not match its schema: {e}"),
                )
                .help("correct the value the message names; `flagops schema` prints the JSON Schema the file must match"),
            );
            None
        }
    }
}

/// The document without the `/flags/<key>` entries and `/content` that schema errors point
/// into; `None` when an error lies elsewhere (the file's frame itself is wrong).
fn without_invalid_entries(
    mut value: serde_json::Value,
    errors: &[Finding],
) -> Option<serde_json::Value> {
    let mut bad_flags = std::collections::HashSet::new();
    let mut bad_content = false;
    for error in errors {
        let pointer = error.location.pointer()?;
        let mut segments = pointer.split('/').skip(1);
        match (segments.next(), segments.next()) {
            (Some("flags"), Some(key)) => {
                bad_flags.insert(unescape_pointer(key));
            }
            (Some("content"), _) => bad_content = true,
            _ => return None,
        }
    }
    let object = value.as_object_mut()?;
    if !bad_flags.is_empty() {
        object
            .get_mut("flags")?
            .as_object_mut()?
            .retain(|key, _| !bad_flags.contains(key));
    }
    if bad_content {
        object.shift_remove("content");
    }
    Some(value)
}

/// Applies `rules.levels` from flagops.yaml: a rule may be raised, lowered or turned off.
fn apply_levels(config: Option<&RepoConfig>, findings: &mut Vec<Finding>) {
    let Some(config) = config else { return };
    if config.rules.levels.is_empty() {
        return;
    }
    findings.retain_mut(|f| {
        let level = config
            .rules
            .levels
            .iter()
            .find(|(name, _)| catalog::find(name).is_some_and(|r| r.code == f.rule.code))
            .map(|(_, level)| *level);
        match level {
            Some(RuleLevel::Off) => false,
            Some(RuleLevel::Error) => {
                f.severity = Severity::Error;
                true
            }
            Some(RuleLevel::Warning) => {
                f.severity = Severity::Warning;
                true
            }
            None => true,
        }
    });
}

/// A rule level of `Off` or `OFF` is `off`: YAML 1.1 wrote the boolean in all three cases, and
/// flagops.yaml takes each, quoted or not, as the level (only there: elsewhere they stay text).
fn off_in_any_case(config: &mut serde_json::Value) {
    let Some(levels) = config
        .pointer_mut("/rules/levels")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    for level in levels.values_mut() {
        if matches!(level.as_str(), Some("Off" | "OFF")) {
            *level = serde_json::Value::from("off");
        }
    }
}

/// `off` is a rule level, and YAML 1.2 reads it as the string it is: an unquoted `off` under
/// `rules.levels` in flagops.yaml is not the YAML 1.1 boolean FO012 warns about.
fn allow_bare_off(findings: &mut Vec<Finding>, loaded: &Loaded, repo: Option<&RepoConfig>) {
    let config = crate::load::CONFIG_FILE;
    let in_config =
        |f: &Finding| f.rule.code == catalog::YAML11_BOOLEAN.code && f.location.file() == config;
    // Spans come from a second, slower parse: only for a finding they could drop.
    if !findings.iter().any(in_config) {
        return;
    }
    let (Some(repo), Some(doc)) = (repo, loaded.sources.get(config).and_then(|s| s.spanned()))
    else {
        return;
    };
    let starts: Vec<usize> = repo
        .rules
        .levels
        .iter()
        .filter(|(_, level)| **level == RuleLevel::Off)
        .map(|(name, _)| {
            doc.spans_at(&format!(
                "/rules/levels/{}",
                crate::load::yaml::escape_pointer(name)
            ))
            .value
            .start
        })
        .collect();
    findings.retain(|f| {
        !in_config(f)
            || !loaded
                .sources
                .resolve(&f.location)
                .span
                .is_some_and(|s| starts.contains(&s.start))
    });
}

/// A schema "not of type" error on an unquoted `yes` says less than the YAML 1.1 finding on
/// the same node; keep only the latter.
fn drop_shadowed(findings: &mut Vec<Finding>, loaded: &Loaded) {
    let yaml11: Vec<_> = findings
        .iter()
        .filter(|f| f.rule.code == catalog::YAML11_BOOLEAN.code)
        .filter_map(|f| {
            loaded
                .sources
                .resolve(&f.location)
                .span
                .map(|s| (f.location.file().to_owned(), s.start))
        })
        .collect();
    if yaml11.is_empty() {
        return;
    }
    findings.retain(|f| {
        if f.rule.code != catalog::SCHEMA.code {
            return true;
        }
        let here = loaded
            .sources
            .resolve(&f.location)
            .span
            .map(|s| (f.location.file().to_owned(), s.start));
        !here.is_some_and(|h| yaml11.contains(&h))
    });
}

/// Findings that time raises on an unchanged repository (a flag past its expiry, a stale
/// flag) fail only a change that touches the flag: its definition differs from the one the
/// change started from (the merge-base with the default branch, or HEAD for edits not yet
/// committed). Elsewhere they are warnings, so that a date passing blocks no unrelated pull
/// request, kill switch included. Without git history to compare, they stay errors.
fn demote_untouched(findings: &mut [Finding], loaded: &Loaded, config: Option<&RepoConfig>) {
    let mut files: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error && scope::time_driven(f))
        .map(|f| f.location.file().to_owned())
        .collect();
    files.sort_unstable();
    files.dedup();
    let Some(config) = config.filter(|_| !files.is_empty()) else {
        return;
    };
    let paths: Vec<&str> = files.iter().map(String::as_str).collect();
    let Ok(base) = git::text_at_base(&loaded.root, &config.default_branch, &paths) else {
        return;
    };
    let flags_of = |text: Option<&str>| {
        text.and_then(crate::load::parse_value)
            .and_then(|v| v.get("flags").cloned())
    };
    let before: std::collections::HashMap<&str, Option<serde_json::Value>> = paths
        .iter()
        .map(|&f| (f, flags_of(base.get(f).and_then(Option::as_deref))))
        .collect();
    let now: std::collections::HashMap<&str, Option<serde_json::Value>> = paths
        .iter()
        .map(|&f| (f, flags_of(loaded.sources.get(f).and_then(|s| s.text()))))
        .collect();
    for finding in findings.iter_mut() {
        if finding.severity != Severity::Error || !scope::time_driven(finding) {
            continue;
        }
        let file = finding.location.file();
        let Some(key) = finding
            .location
            .pointer()
            .and_then(|p| p.strip_prefix("/flags/"))
            .map(|rest| unescape_pointer(rest.split('/').next().unwrap_or_default()))
        else {
            continue;
        };
        let flag = |flags: Option<&Option<serde_json::Value>>| {
            flags
                .and_then(Option::as_ref)
                .and_then(|f| f.get(&key))
                .cloned()
        };
        if flag(before.get(file)) == flag(now.get(file)) {
            finding.severity = Severity::Warning;
            finding.help.get_or_insert_with(String::new).push_str(
                "; a warning while no change touches the flag, an error in the change that does",
            );
        }
    }
}

/// Sorts findings by file, position and code, so every output is deterministic.
pub fn sort(findings: &mut Vec<Finding>, sources: &crate::load::Sources) {
    findings.sort_by_cached_key(|f| {
        let span = sources.resolve(&f.location).span;
        (
            f.location.file().to_owned(),
            span.map_or((0, 0), |s| (s.line, s.column)),
            f.rule.code,
            f.message.clone(),
        )
    });
    // Identical findings from two routes to the same node say nothing new.
    findings.dedup_by(|a, b| {
        a.rule.code == b.rule.code && a.location == b.location && a.message == b.message
    });
}

/// Runs the rules on unparsed text over the file `path` of `loaded`, just read, if it did not
/// parse: their findings join loading's. A file with a syntax error is not typed, and would
/// otherwise show nothing else until the error is fixed.
pub(crate) fn scan_unparsed(loaded: &mut Loaded, path: &str) {
    let Some(source) = loaded.sources.get(path) else {
        return;
    };
    if source.doc.is_some() {
        return;
    }
    if let Some(text) = source.text() {
        for rule in rules::PER_UNPARSED_TEXT {
            rule(path, text, &mut loaded.findings);
        }
    }
}

/// Loads and checks the repository at `root`, with the text of every file a finding points
/// into.
pub fn repository(
    root: &std::path::Path,
    today: jiff::civil::Date,
    documents: Documents,
) -> (crate::load::Loaded, Report) {
    let (mut loaded, files) = crate::load::load(root, flags_dir, type_flag_file);
    let unparsed: Vec<String> = (loaded.sources.iter())
        .filter(|s| s.doc.is_none())
        .map(|s| s.path.clone())
        .collect();
    for path in &unparsed {
        scan_unparsed(&mut loaded, path);
    }
    let report = run(&mut loaded, files, today, documents);
    attach_code_sources(&mut loaded, &report.findings);
    (loaded, report)
}

/// The flags directory flagops.yaml names, before it is typed.
fn flags_dir(doc: &crate::load::yaml::Document) -> String {
    doc.value
        .get("flags_dir")
        .and_then(|v| v.as_str())
        .unwrap_or("flags")
        .trim_end_matches('/')
        .to_owned()
}

/// Adds the text of files findings point into that are not flagops files (application code
/// that reads a flag), so every output format can show the line.
pub(crate) fn attach_code_sources(
    loaded: &mut crate::load::Loaded,
    findings: &[crate::finding::Finding],
) {
    for finding in findings {
        let crate::finding::Location::Text { file, .. } = &finding.location else {
            continue;
        };
        if loaded.sources.get(file).is_some() {
            continue;
        }
        let path = loaded.root.join(file);
        let text = std::fs::metadata(&path)
            .ok()
            .filter(|m| m.is_file() && m.len() <= crate::load::MAX_FILE_BYTES)
            .and_then(|_| std::fs::read_to_string(&path).ok());
        if let Some(text) = text {
            loaded
                .sources
                .add(crate::load::SourceFile::new(file.clone(), text, None));
        }
    }
}

/// Loads the repository at `root` and builds its typed model, without running a rule: for
/// commands that need the flags and where they are defined, not the findings (`refs`, whose
/// own scan of the code would otherwise come on top of the code-references rule's).
pub fn model(root: &std::path::Path) -> (crate::load::Loaded, Model) {
    let (mut loaded, files) = crate::load::load(root, flags_dir, type_flag_file);
    let mut findings = Vec::new();
    let config = type_config(&mut loaded, &mut findings);
    let files = files
        .into_iter()
        .filter_map(|(path, typed)| typed.file.map(|file| (path, file)))
        .collect();
    (loaded, Model { config, files })
}
