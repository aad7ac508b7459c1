//! check: schema-validate the loaded files, build the typed model, run the lint rules,
//! compile, and check the compiled documents. What passes here is what apply would upload.

pub mod rule_syntax;
pub mod rules;
pub mod schema;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::compile::{self, Compiled};
use crate::finding::{self, Finding, Location, Severity, catalog};
use crate::load::Loaded;
use crate::model::config::RuleLevel;
use crate::model::{FlagFile, Model, RepoConfig};

/// What a rule sees.
pub struct Context<'a> {
    pub model: &'a Model,
    /// The repository root, for rules that read beyond the loaded files (git history,
    /// freeform schemas). `None` when checking files detached from a repository.
    pub root: Option<&'a std::path::Path>,
    pub compiled: &'a Compiled,
    /// "Today" for expiry rules; injectable so tests are deterministic.
    pub today: Date,
}

/// The outcome of `check`: the typed model, the compiled documents and every finding.
#[derive(Debug)]
pub struct Report {
    pub model: Model,
    pub compiled: Compiled,
    pub findings: Vec<Finding>,
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

/// Checks a loaded repository.
pub fn run(loaded: &mut Loaded, today: Date) -> Report {
    let mut findings = std::mem::take(&mut loaded.findings);
    let mut model = Model::default();

    // The parsed values move into the typed model; findings keep pointing at them by path,
    // and their spans come from the text.
    let mut take = |path: &str| {
        let doc = loaded.sources.get_mut(path)?.doc.as_mut()?;
        Some(std::mem::take(&mut doc.value))
    };
    if let Some(path) = &loaded.config
        && let Some(value) = take(path)
    {
        model.config = typed::<RepoConfig>(value, path, schema::Kind::Config, &mut findings);
    }
    let values: Vec<_> = loaded
        .flag_files
        .iter()
        .filter_map(|path| Some((path, take(path)?)))
        .collect();
    let typed_files: Vec<_> = values
        .into_par_iter()
        .map(|(path, value)| {
            let mut found = Vec::new();
            let file = typed::<FlagFile>(value, path, schema::Kind::Flags, &mut found);
            (path, file, found)
        })
        .collect();
    for (path, file, found) in typed_files {
        findings.extend(found);
        if let Some(file) = file {
            model.files.push((path.clone(), file));
        }
    }

    let compiled = compile::compile(&model);
    let cx = Context {
        model: &model,
        root: Some(&loaded.root),
        compiled: &compiled,
        today,
    };
    let found: Vec<Vec<Finding>> = rules::ALL
        .par_iter()
        .map(|rule| {
            let mut found = Vec::new();
            rule(&cx, &mut found);
            found
        })
        .collect();
    findings.extend(found.into_iter().flatten());

    apply_levels(model.config.as_ref(), &mut findings);
    drop_shadowed(&mut findings, loaded);
    finding::sort(&mut findings, &loaded.sources);
    Report {
        model,
        compiled,
        findings,
    }
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
            findings.push(Finding::new(
                &catalog::SCHEMA,
                Location::node(path, ""),
                format!("{path} does not match its schema: {e}"),
            ));
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
                bad_flags.insert(key.replace("~1", "/").replace("~0", "~"));
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
