//! adopt: write what AppConfig serves back into the flag files, as the most specific value
//! (the environment's), editing only those nodes.

pub mod edit;
pub mod write;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::compile::normalize::normalize;
use crate::compile::{ACTIVE_FROM_ATTRIBUTE, ALLOW_ATTRIBUTE, Target};
use crate::live::TargetLive;
use crate::model::config::ProfileKind;
use crate::plan::{ChangeKind, diff_documents};

/// One value to write: file, YAML path, value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    pub file: String,
    pub path: Vec<String>,
    pub value: Value,
    /// "flag.field" for messages.
    pub what: String,
}

/// What adopt will write, and what it cannot.
#[derive(Debug, Default)]
pub struct Adoption {
    pub changes: Vec<Change>,
    /// Differences adopt leaves to a person, with why.
    pub skipped: Vec<String>,
}

/// The changes that make git say what is live for `target`. `flags` limits them to those keys.
pub fn adoption(target: &Target, live: &TargetLive, flags: &[String]) -> Adoption {
    let mut out = Adoption::default();
    let Some(current) = &live.content else {
        out.skipped.push(format!("{}: nothing is live", target.id));
        return out;
    };
    let env = target.id.environment.as_str();
    let desired = normalize(&target.document, target.kind);
    for change in diff_documents(Some(current), &desired, target.kind, &|_| None) {
        if !flags.is_empty() && !flags.contains(&change.key) {
            continue;
        }
        let origin = match target.kind {
            ProfileKind::FeatureFlags => target
                .origins
                .get(&change.key)
                .map(|(file, _)| file.clone()),
            ProfileKind::Freeform => target.origins.get("").map(|(file, _)| file.clone()),
        };
        let Some(file) = origin else {
            out.skipped.push(format!(
                "{}: `{}` is live but not in git; add it by hand",
                target.id, change.key
            ));
            continue;
        };
        if target.kind == ProfileKind::Freeform {
            match current.get(&change.key) {
                Some(v) => out.changes.push(Change {
                    file,
                    path: vec![
                        "content".into(),
                        "environments".into(),
                        env.into(),
                        change.key.clone(),
                    ],
                    value: v.clone(),
                    what: change.key.clone(),
                }),
                None => out.skipped.push(format!(
                    "{}: `{}` is not live; remove it from git by hand",
                    target.id, change.key
                )),
            }
            continue;
        }
        if change.kind == ChangeKind::Added {
            out.skipped.push(format!(
                "{}: flag `{}` is not live; remove it from git by hand",
                target.id, change.key
            ));
            continue;
        }
        let base = vec![
            "flags".to_owned(),
            change.key.clone(),
            "environments".to_owned(),
            env.to_owned(),
        ];
        let live_value = |field: &str| {
            current
                .get("values")
                .and_then(|v| v.get(&change.key))
                .and_then(|v| v.get(field))
                .cloned()
        };
        let mut variants_written = false;
        for field in &change.fields {
            // `field.from` is the live side of the diff (live → desired).
            let what = format!("{}.{}", change.key, field.field);
            let (path, value): (Vec<&str>, Option<Value>) = match field.field.as_str() {
                "enabled" => (vec!["enabled"], field.from.clone()),
                a if a == ALLOW_ATTRIBUTE => (
                    vec!["allow"],
                    Some(field.from.clone().unwrap_or(Value::Array(Vec::new()))),
                ),
                "values.active_from" | "values.active_until" => {
                    let name = if field.field.ends_with(ACTIVE_FROM_ATTRIBUTE) {
                        "from"
                    } else {
                        "until"
                    };
                    (vec!["active", name], field.from.clone())
                }
                // The variants are written back as one list, once for all their changes.
                v if v.starts_with("variants") => {
                    if variants_written {
                        continue;
                    }
                    variants_written = true;
                    (
                        vec!["variants"],
                        live_value("_variants").map(|v| variants_to_yaml(&v)),
                    )
                }
                f if f.starts_with("values.") => {
                    (vec!["values", &f["values.".len()..]], field.from.clone())
                }
                f if f.starts_with("definition.") => {
                    out.skipped.push(format!(
                        "{}: the definition of `{}` ({}) differs live; edit it by hand",
                        target.id,
                        change.key,
                        &f["definition.".len()..]
                    ));
                    continue;
                }
                other => {
                    out.skipped.push(format!(
                        "{}: `{}.{other}` cannot be adopted",
                        target.id, change.key
                    ));
                    continue;
                }
            };
            match value {
                Some(value) => {
                    let mut full = base.clone();
                    full.extend(path.iter().map(|s| (*s).to_owned()));
                    out.changes.push(Change {
                        file: file.clone(),
                        path: full,
                        value,
                        what,
                    });
                }
                None => out.skipped.push(format!(
                    "{}: `{what}` is not set live; remove it from git by hand",
                    target.id
                )),
            }
        }
    }
    out
}

/// AppConfig `_variants` back into flag-file variants.
fn variants_to_yaml(live: &Value) -> Value {
    let items = live.as_array().cloned().unwrap_or_default();
    Value::Array(
        items
            .into_iter()
            .map(|v| {
                let mut m = serde_json::Map::new();
                for key in ["name", "rule", "enabled"] {
                    if let Some(x) = v.get(key) {
                        m.insert(key.into(), x.clone());
                    }
                }
                if let Some(values) = v.get("attributeValues") {
                    m.insert("values".into(), values.clone());
                }
                Value::Object(m)
            })
            .collect(),
    )
}

/// Applies changes to file texts (path → text), one at a time so each sees the previous.
pub fn apply_changes(
    texts: &mut BTreeMap<String, String>,
    changes: &[Change],
) -> Result<(), String> {
    for change in changes {
        let text = texts
            .get(&change.file)
            .ok_or_else(|| format!("{} was not loaded", change.file))?;
        let path: Vec<&str> = change.path.iter().map(String::as_str).collect();
        let updated =
            edit::set(text, &path, &change.value).map_err(|e| format!("{}: {e}", change.file))?;
        texts.insert(change.file.clone(), updated);
    }
    Ok(())
}
