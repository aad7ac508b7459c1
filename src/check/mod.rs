//! check: schema-validate the loaded files, build the typed model, run the lint rules,
//! compile, and check the compiled documents. What passes here is what apply would upload.

pub mod rule_syntax;
pub mod rules;
pub mod schema;

use jiff::civil::Date;

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

    if let Some(path) = &loaded.config {
        model.config = typed::<RepoConfig>(loaded, path, schema::Kind::Config, &mut findings);
    }
    for path in &loaded.flag_files {
        if let Some(file) = typed::<FlagFile>(loaded, path, schema::Kind::Flags, &mut findings) {
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
    for rule in rules::ALL {
        rule(&cx, &mut findings);
    }

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
    loaded: &Loaded,
    path: &str,
    kind: schema::Kind,
    findings: &mut Vec<Finding>,
) -> Option<T> {
    let doc = loaded.sources.get(path)?.doc.as_ref()?;
    let errors = schema::validate(kind, path, &doc.value);
    let value = if errors.is_empty() {
        doc.value.clone()
    } else {
        // Keep checking what is valid: drop the flags (or content) that hold schema errors,
        // so one typo does not hide the semantic findings of the file's other flags.
        let recovered = without_invalid_entries(&doc.value, &errors);
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
    value: &serde_json::Value,
    errors: &[Finding],
) -> Option<serde_json::Value> {
    let mut value = value.clone();
    for error in errors {
        let pointer = error.location.pointer()?;
        let mut segments = pointer.split('/').skip(1);
        match (segments.next(), segments.next()) {
            (Some("flags"), Some(key)) => {
                let key = key.replace("~1", "/").replace("~0", "~");
                value.get_mut("flags")?.as_object_mut()?.shift_remove(&key);
            }
            (Some("content"), _) => {
                value.as_object_mut()?.shift_remove("content");
            }
            _ => return None,
        }
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
