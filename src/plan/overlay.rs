//! Fields of the desired document that keep their live value instead of git's:
//!
//! - **console-owned** fields (declared in the flag), which people flip in the AppConfig
//!   console and apply must never revert;
//! - **held** fields: values AppConfig rolled back or a person reverted. Apply never deploys
//!   them again silently: they stay at their live value until a commit changes them (a fix,
//!   or adopting what is live) or `--retry` names the flag. Other changes still go out.
//!
//! Holds are derived from the deployment history itself, so they survive later deployments of
//! other changes without any state outside AppConfig.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::live::{DeployState, Deployment, TargetLive};
use crate::model::flags::ConsoleOwned;

/// Why a field keeps its live value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Reason {
    ConsoleOwned,
    RolledBack {
        deployment: i32,
        state: String,
        trigger: String,
    },
}

/// One field kept at its live value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kept {
    pub key: String,
    /// A field of the flag's value (`enabled`, an attribute, `allow_list`, `_variants`), or
    /// `definition` for the flag's definition.
    pub field: String,
    #[serde(flatten)]
    pub reason: Reason,
    /// What git wants.
    pub desired: Option<Value>,
    /// What stays.
    pub live: Option<Value>,
}

impl Kept {
    /// Held at the live value after a rollback (not console-owned, which is by design).
    pub fn is_held(&self) -> bool {
        matches!(self.reason, Reason::RolledBack { .. })
    }
}

/// A field address inside a FeatureFlags document.
fn get<'a>(doc: &'a Value, key: &str, field: &str) -> Option<&'a Value> {
    if field == "definition" {
        doc.get("flags")?.get(key)
    } else {
        doc.get("values")?.get(key)?.get(field)
    }
}

fn set(doc: &mut Value, key: &str, field: &str, value: Option<Value>) {
    let (section, sub) = if field == "definition" {
        ("flags", None)
    } else {
        ("values", Some(field))
    };
    let Some(map) = doc.as_object_mut() else {
        return;
    };
    let section = map
        .entry(section)
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(section) = section.as_object_mut() else {
        return;
    };
    match sub {
        None => match value {
            Some(v) => {
                section.insert(key.to_owned(), v);
            }
            None => {
                section.shift_remove(key);
            }
        },
        Some(sub) => {
            let entry = section
                .entry(key.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(entry) = entry.as_object_mut() {
                match value {
                    Some(v) => {
                        entry.insert(sub.to_owned(), v);
                    }
                    None => {
                        entry.shift_remove(sub);
                    }
                }
            }
        }
    }
}

/// The value fields present in either document for `key`.
fn value_fields(a: &Value, b: &Value, key: &str) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for doc in [a, b] {
        if let Some(obj) = doc
            .get("values")
            .and_then(|v| v.get(key))
            .and_then(Value::as_object)
        {
            for f in obj.keys() {
                if !fields.contains(f) {
                    fields.push(f.clone());
                }
            }
        }
    }
    fields
}

fn flag_keys(docs: &[&Value]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for doc in docs {
        for section in ["flags", "values"] {
            if let Some(obj) = doc.get(section).and_then(Value::as_object) {
                for k in obj.keys() {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
        }
    }
    keys
}

/// Console-owned fields: `(flag key, which fields)`.
pub type ConsoleFields<'a> = Vec<(&'a str, &'a ConsoleOwned)>;

/// Computes what to keep at live values and applies it to `desired` (normalized). Returns the
/// kept fields. `retry` names flags whose holds are lifted.
pub fn apply(
    desired: &mut Value,
    live: &TargetLive,
    console: &ConsoleFields<'_>,
    retry: &[String],
) -> Vec<Kept> {
    let Some(current) = &live.content else {
        return Vec::new();
    };
    let mut kept = Vec::new();

    for (key, owned) in console {
        let fields = owned
            .compiled_fields()
            .unwrap_or_else(|| value_fields(desired, current, key));
        for field in fields {
            let (want, have) = (
                get(desired, key, &field).cloned(),
                get(current, key, &field).cloned(),
            );
            if want != have {
                set(desired, key, &field, have.clone());
                kept.push(Kept {
                    key: (*key).to_owned(),
                    field,
                    reason: Reason::ConsoleOwned,
                    desired: want,
                    live: have,
                });
            }
        }
    }

    for hold in holds(desired, current, &live.history) {
        if retry.iter().any(|r| r == &hold.key)
            || kept
                .iter()
                .any(|k| k.key == hold.key && k.field == hold.field)
        {
            continue;
        }
        set(desired, &hold.key, &hold.field, hold.live.clone());
        kept.push(hold);
    }
    kept
}

/// The whole document held back, where fields cannot be: a Freeform profile, or a profile
/// whose first deployment was rejected, so nothing is live to keep fields of. It holds when
/// the newest rejected flagops deployment tried exactly what git wants now and no deployment
/// since delivered it. `--retry <profile>` releases it. `profile` names the hold.
pub fn document_hold(
    desired: &Value,
    live: &TargetLive,
    freeform: bool,
    profile: &str,
    retry: &[String],
) -> Option<Kept> {
    if !(freeform || live.content.is_none()) || retry.iter().any(|r| r == profile) {
        return None;
    }
    let (i, (rejected, _)) = live
        .history
        .iter()
        .enumerate()
        .find(|(_, (d, attempted))| {
            d.state.is_rejected()
                && d.flagops_commit().is_some()
                && attempted.as_ref() == Some(desired)
        })?;
    let delivered = live.history[..i]
        .iter()
        .any(|(d, content)| d.state == DeployState::Complete && content.as_ref() == Some(desired));
    (!delivered && live.content.as_ref() != Some(desired)).then(|| Kept {
        key: profile.to_owned(),
        field: "document".to_owned(),
        reason: Reason::RolledBack {
            deployment: rejected.number,
            state: rejected.state.as_str().to_owned(),
            trigger: rejected.rollback_reason().unwrap_or_default(),
        },
        desired: None,
        live: live.content.clone(),
    })
}

/// Fields a rejected flagops deployment tried to change, that git still wants that way, and
/// that no later deployment delivered successfully.
fn holds(desired: &Value, current: &Value, history: &[(Deployment, Option<Value>)]) -> Vec<Kept> {
    let mut out: Vec<Kept> = Vec::new();
    for (i, (rejected, attempted)) in history.iter().enumerate() {
        let Some(attempted) = attempted
            .as_ref()
            .filter(|_| rejected.state.is_rejected() && rejected.flagops_commit().is_some())
        else {
            continue;
        };
        // What was live before the attempt: the next older deployment that went live.
        let before = history[i + 1..]
            .iter()
            .find(|(d, _)| matches!(d.state, DeployState::Complete | DeployState::Baking))
            .and_then(|(_, c)| c.as_ref());
        let empty = Value::Object(Map::new());
        let before = before.unwrap_or(&empty);
        let newer_successes: Vec<&Value> = history[..i]
            .iter()
            .filter(|(d, _)| d.state == DeployState::Complete)
            .filter_map(|(_, c)| c.as_ref())
            .collect();
        for key in flag_keys(&[attempted, before]) {
            let mut fields = value_fields(attempted, before, &key);
            fields.push("definition".to_owned());
            for field in fields {
                let tried = get(attempted, &key, &field);
                if tried == get(before, &key, &field) || get(desired, &key, &field) != tried {
                    continue;
                }
                if newer_successes
                    .iter()
                    .any(|c| get(c, &key, &field) == tried)
                    || out.iter().any(|k| k.key == key && k.field == field)
                {
                    continue;
                }
                let live = get(current, &key, &field).cloned();
                if live.as_ref() == tried {
                    continue;
                }
                out.push(Kept {
                    key: key.clone(),
                    field,
                    reason: Reason::RolledBack {
                        deployment: rejected.number,
                        state: rejected.state.as_str().to_owned(),
                        trigger: rejected.rollback_reason().unwrap_or_default(),
                    },
                    desired: tried.cloned(),
                    live,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::DeployEvent;
    use serde_json::json;

    fn deployment(number: i32, state: &str, by_flagops: bool) -> Deployment {
        Deployment {
            number,
            profile_id: Some("p".into()),
            version: number.to_string(),
            version_label: None,
            state: DeployState::parse(state),
            percentage: 100.0,
            strategy_id: None,
            profile_name: None,
            bake_minutes: None,
            description: by_flagops.then(|| "flagops commit=abc digest=x".to_owned()),
            started_at: None,
            completed_at: None,
            events: vec![DeployEvent {
                event_type: "ROLLBACK_STARTED".into(),
                triggered_by: "CLOUDWATCH_ALARM".into(),
                description: "arn:alarm".into(),
                occurred_at: String::new(),
            }],
        }
    }

    fn doc(a: bool, b: i64) -> Value {
        json!({"version": "1", "flags": {"a": {"name": "a"}, "b": {"name": "b"}}, "values": {"a": {"enabled": a}, "b": {"enabled": true, "n": b}}})
    }

    fn target(history: Vec<(Deployment, Option<Value>)>, live: Value) -> TargetLive {
        TargetLive {
            id: crate::compile::TargetId {
                application: "x".into(),
                environment: "e".into(),
                profile: "p".into(),
            },
            kind: crate::model::config::ProfileKind::FeatureFlags,
            ids: None,
            missing: None,
            state: Default::default(),
            version: None,
            content: Some(live),
            history,
            untrusted_history: None,
        }
    }

    #[test]
    fn rolled_back_values_are_held_while_other_changes_go_out() {
        // #2 tried a=true and was rolled back; git still says a=true, and now also b.n=2.
        let live = doc(false, 1);
        let t = target(
            vec![
                (deployment(2, "ROLLED_BACK", true), Some(doc(true, 1))),
                (deployment(1, "COMPLETE", true), Some(doc(false, 1))),
            ],
            live,
        );
        let mut desired = doc(true, 2);
        let kept = apply(&mut desired, &t, &Vec::new(), &[]);
        assert_eq!(kept.len(), 1);
        assert_eq!(
            (kept[0].key.as_str(), kept[0].field.as_str()),
            ("a", "enabled")
        );
        assert_eq!(
            desired,
            doc(false, 2),
            "a held at its live value, b still changes"
        );
    }

    #[test]
    fn the_hold_survives_a_later_deployment_of_other_changes() {
        let t = target(
            vec![
                (deployment(3, "COMPLETE", true), Some(doc(false, 2))),
                (deployment(2, "ROLLED_BACK", true), Some(doc(true, 1))),
                (deployment(1, "COMPLETE", true), Some(doc(false, 1))),
            ],
            doc(false, 2),
        );
        let mut desired = doc(true, 2);
        assert_eq!(apply(&mut desired, &t, &Vec::new(), &[]).len(), 1);
        assert_eq!(desired, doc(false, 2));
    }

    #[test]
    fn a_commit_that_changes_the_value_or_a_retry_ends_the_hold() {
        let history = vec![
            (deployment(2, "REVERTED", true), Some(doc(true, 1))),
            (deployment(1, "COMPLETE", true), Some(doc(false, 1))),
        ];
        let t = target(history, doc(false, 1));
        // A fix: git no longer wants what was rolled back.
        let mut fixed = json!({"version": "1", "flags": {"a": {"name": "a"}, "b": {"name": "b"}}, "values": {"a": {"enabled": true, "pct": 5}, "b": {"enabled": true, "n": 1}}});
        let kept = apply(&mut fixed, &t, &Vec::new(), &[]);
        assert!(kept.iter().all(|k| k.field != "pct"));
        // A retry names the flag.
        let mut desired = doc(true, 1);
        assert!(apply(&mut desired, &t, &Vec::new(), &["a".to_owned()]).is_empty());
        assert_eq!(desired, doc(true, 1));
    }

    #[test]
    fn rollbacks_of_deployments_flagops_did_not_make_hold_nothing() {
        let t = target(
            vec![
                (deployment(2, "ROLLED_BACK", false), Some(doc(true, 1))),
                (deployment(1, "COMPLETE", true), Some(doc(false, 1))),
            ],
            doc(false, 1),
        );
        let mut desired = doc(true, 1);
        assert!(apply(&mut desired, &t, &Vec::new(), &[]).is_empty());
    }

    #[test]
    fn console_owned_fields_keep_their_live_value() {
        let t = target(Vec::new(), doc(true, 1));
        let mut desired = doc(false, 1);
        let owned = ConsoleOwned::Fields(vec!["enabled".into()]);
        let kept = apply(&mut desired, &t, &vec![("a", &owned)], &[]);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].reason, Reason::ConsoleOwned);
        assert_eq!(desired, doc(true, 1));
    }
}
