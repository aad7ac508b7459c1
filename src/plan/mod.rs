//! plan: desired documents against live state, per target and per flag. Plan never writes.

pub mod across;
pub mod overlay;
pub mod saved;
pub mod setup;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::compile::normalize::normalize;
use crate::compile::{ALLOW_ATTRIBUTE, Target, TargetId, canonical};
use crate::live::{Missing, TargetLive};
use crate::model::Model;
use crate::model::config::{ProfileKind, RepoConfig};
use crate::model::flags::FlagClass;

/// What apply would do to a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Unchanged,
    /// Nothing is served yet (resources missing or never deployed).
    Create,
    Update,
}

/// One field of a flag that changes, down to the leaf that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// `enabled`, `values.<attr>`, `allow_list`, `definition.<path>` (e.g.
    /// `definition.attributes.max_items.constraints.maximum`), `value.<path>` (freeform);
    /// for variants `variants` (one variant added or removed, or the whole list),
    /// `variants.order`, `variants.rule`, `variants.enabled` or `variants.values.<attr>`.
    pub field: String,
    /// The variant a `variants…` change is about, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub from: Option<Value>,
    pub to: Option<Value>,
    /// For allow lists: entries added and removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

/// How one flag (or top-level freeform key) changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagChange {
    pub key: String,
    pub kind: ChangeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<FlagClass>,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// A change a reviewer should look at twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    pub code: &'static str,
    pub message: String,
}

/// The plan of one target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetPlan {
    #[serde(flatten)]
    pub id: TargetId,
    /// The account and region the target lives in, when more than one is in use.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub site: Option<crate::live::location::Site>,
    pub profile_type: &'static str,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<Missing>,
    pub changes: Vec<FlagChange>,
    pub risks: Vec<Risk>,
    /// The strategy apply would deploy with.
    pub strategy: String,
    /// Why that strategy (urgent classes, mixed change...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy_note: Option<String>,
    /// SHA-256 of the uploaded bytes.
    pub digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_deployment: Option<i32>,
    /// Fields kept at their live value (console-owned, or held after a rollback).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<overlay::Kept>,
    /// Unified diff of the normalized live and desired documents.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub diff: String,
    /// The document apply uploads: git's, with kept fields at their live values.
    #[serde(skip)]
    pub document: Value,
}

/// The plan of every selected target.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    pub targets: Vec<TargetPlan>,
    /// Selected targets that check errors hold back: neither planned nor applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocked: Vec<crate::check::scope::Blocked>,
    /// Strategies, applications, environments and profiles whose AppConfig settings differ
    /// from flagops.yaml, or that flagops.yaml does not declare.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<setup::SetupChange>,
    /// Locations no call reached: their targets are not planned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<crate::live::location::Unreachable>,
}

impl Plan {
    /// Whether check errors hold a selected target back.
    pub fn has_blocked(&self) -> bool {
        !self.blocked.is_empty()
    }

    /// Content to deploy, or setup to update.
    pub fn has_changes(&self) -> bool {
        self.targets.iter().any(|t| t.action != Action::Unchanged)
            || self.setup.iter().any(|s| s.update.is_some())
    }

    /// Whether git's values are held back anywhere after a rollback (not console-owned ones,
    /// which are by design), or an environment's setup waits for a freeze.
    pub fn has_holds(&self) -> bool {
        self.targets
            .iter()
            .any(|t| t.kept.iter().any(overlay::Kept::is_held))
            || self.setup.iter().any(|s| s.frozen)
    }
}

/// SHA-256 of a document's uploaded bytes, hex.
pub fn digest(document: &Value) -> String {
    hex(&Sha256::digest(canonical::compact(document).as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Plans every target against its live state (same order as `targets`).
pub fn plan(
    config: &RepoConfig,
    model: &Model,
    targets: &[&Target],
    live: &[TargetLive],
    retry: &[String],
) -> Plan {
    let classes: HashMap<(&str, &str, &str), FlagClass> = model
        .flags()
        .map(|f| ((f.application, f.profile, f.key), f.flag.class))
        .collect();
    let mut plan = Plan::default();
    for target in targets {
        let Some(l) = live.iter().find(|l| l.id == target.id) else {
            continue;
        };
        let mut desired = normalize(&target.document, target.kind);
        let console: overlay::ConsoleFields<'_> = model
            .flags()
            .filter(|f| f.application == target.id.application && f.profile == target.id.profile)
            .filter_map(|f| f.flag.console_owned.as_ref().map(|c| (f.key, c)))
            .collect();
        let mut kept = if target.kind == ProfileKind::FeatureFlags {
            overlay::apply(&mut desired, l, &console, retry)
        } else {
            Vec::new()
        };
        let freeform = target.kind == ProfileKind::Freeform;
        let held_document =
            overlay::document_hold(&desired, l, freeform, &target.id.profile, retry);
        if let Some(hold) = held_document {
            // What is live stays, or nothing, when nothing is.
            if let Some(current) = &l.content {
                desired = current.clone();
            }
            kept.push(hold);
        }
        let document_held = kept.iter().any(|k| k.field == "document");
        let class_of = |key: &str| {
            classes
                .get(&(
                    target.id.application.as_str(),
                    target.id.profile.as_str(),
                    key,
                ))
                .copied()
        };
        let (action, changes) = match (&l.missing, &l.content) {
            (None, None) if document_held => (Action::Unchanged, Vec::new()),
            (Some(_), _) | (None, None) => (
                Action::Create,
                diff_documents(None, &desired, target.kind, &class_of),
            ),
            (None, Some(current)) if *current == desired => (Action::Unchanged, Vec::new()),
            (None, Some(current)) => (
                Action::Update,
                diff_documents(Some(current), &desired, target.kind, &class_of),
            ),
        };
        let diff = if action == Action::Unchanged {
            String::new()
        } else {
            let old = l
                .content
                .as_ref()
                .map(canonical::pretty)
                .unwrap_or_default();
            let new = canonical::pretty(&desired);
            let name = target.id.to_string();
            similar::TextDiff::from_lines(&old, &new)
                .unified_diff()
                .context_radius(3)
                .header(&format!("live/{name}"), &format!("git/{name}"))
                .to_string()
        };
        let env = config
            .applications
            .get(&target.id.application)
            .and_then(|a| a.environments.get(&target.id.environment));
        let (strategy, strategy_note) = choose_strategy(env, &changes, action);
        let risks = risks(
            env.is_some_and(|e| e.production),
            &changes,
            l,
            &strategy_note,
        );
        plan.targets.push(TargetPlan {
            id: target.id.clone(),
            site: None,
            profile_type: target.kind.appconfig_type(),
            action,
            missing: l.missing,
            changes,
            risks,
            strategy,
            strategy_note,
            digest: digest(&desired),
            live_version: l.version.as_ref().map(|v| v.number),
            live_deployment: l.state.live.as_ref().map(|d| d.number),
            diff,
            kept,
            document: desired,
        });
    }
    plan
}

/// Kill-switch and ops flags must not wait for a gradual rollout: a change touching only them
/// goes out with the environment's urgent strategy; a mixed change takes the (stricter)
/// ordinary one.
fn choose_strategy(
    env: Option<&crate::model::config::Environment>,
    changes: &[FlagChange],
    action: Action,
) -> (String, Option<String>) {
    let Some(env) = env else {
        return (String::new(), None);
    };
    let urgent = |c: &FlagChange| matches!(c.class, Some(FlagClass::KillSwitch | FlagClass::Ops));
    let Some(urgent_strategy) = &env.urgent_strategy else {
        return (env.strategy.clone(), None);
    };
    if action == Action::Update && !changes.is_empty() && changes.iter().all(urgent) {
        return (
            urgent_strategy.clone(),
            Some("only kill-switch/ops flags change: urgent strategy".into()),
        );
    }
    if changes.iter().any(urgent) && !changes.iter().all(urgent) {
        return (env.strategy.clone(), Some("kill-switch/ops changes mixed with others take the ordinary strategy: split the change to ship them instantly".into()));
    }
    (env.strategy.clone(), None)
}

fn risks(
    production: bool,
    changes: &[FlagChange],
    live: &TargetLive,
    strategy_note: &Option<String>,
) -> Vec<Risk> {
    let mut risks = Vec::new();
    for c in changes {
        match c.kind {
            ChangeKind::Removed => risks.push(Risk {
                code: "flag-deleted",
                message: format!(
                    "`{}` is deleted: code still reading it gets no value",
                    c.key
                ),
            }),
            ChangeKind::Added | ChangeKind::Changed => {
                let enabled = c.fields.iter().find(|f| f.field == "enabled");
                let turned_on = enabled.is_some_and(|f| f.to == Some(Value::Bool(true)));
                let restricted = c
                    .fields
                    .iter()
                    .any(|f| f.field == ALLOW_ATTRIBUTE && f.to.is_some());
                if production && turned_on && !restricted && c.class != Some(FlagClass::KillSwitch)
                {
                    risks.push(Risk {
                        code: "enabled-for-everyone",
                        message: format!(
                            "`{}` is switched on for everyone in a production environment",
                            c.key
                        ),
                    });
                }
                if c.class == Some(FlagClass::KillSwitch)
                    && enabled.is_some()
                    && c.kind == ChangeKind::Changed
                {
                    risks.push(Risk {
                        code: "kill-switch-flipped",
                        message: format!("kill switch `{}` is flipped", c.key),
                    });
                }
            }
        }
    }
    if let Some(busy) = &live.state.environment_busy
        && !changes.is_empty()
    {
        // AppConfig runs one deployment per environment at a time: this one starts when the
        // running one ends. Urgent flags are named, since waiting is what hurts them.
        let urgent: Vec<String> = changes
            .iter()
            .filter(|c| c.kind != ChangeKind::Removed)
            .filter(|c| matches!(c.class, Some(FlagClass::KillSwitch | FlagClass::Ops)))
            .map(|c| format!("`{}`", c.key))
            .collect();
        let what = if urgent.is_empty() {
            "this change".to_owned()
        } else {
            format!(
                "this change, with kill-switch/ops flag{} {},",
                if urgent.len() == 1 { "" } else { "s" },
                urgent.join(", ")
            )
        };
        risks.push(Risk {
            code: "queued-behind-rollout",
            message: format!(
                "{what} waits until deployment #{} ({}) running in this environment ends",
                busy.number,
                busy.state.as_str()
            ),
        });
    }
    if strategy_note
        .as_deref()
        .is_some_and(|n| n.contains("split"))
    {
        risks.push(Risk {
            code: "mixed-urgency",
            message: strategy_note.clone().unwrap_or_default(),
        });
    }
    risks
}

/// Per-flag changes between the live and desired (normalized) documents.
pub fn diff_documents(
    live: Option<&Value>,
    desired: &Value,
    kind: ProfileKind,
    class_of: &dyn Fn(&str) -> Option<FlagClass>,
) -> Vec<FlagChange> {
    match kind {
        ProfileKind::Freeform => {
            let empty = serde_json::Map::new();
            let old = live.and_then(Value::as_object).unwrap_or(&empty);
            let new = desired.as_object().unwrap_or(&empty);
            keyed_changes(
                old,
                new,
                |_, o, n| {
                    let mut fields = Vec::new();
                    leaf_changes("value", o, n, &mut fields);
                    fields
                },
                &|_| None,
            )
        }
        ProfileKind::FeatureFlags => {
            let section = |doc: Option<&Value>, name: &str| {
                doc.and_then(|d| d.get(name))
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default()
            };
            let (old_values, new_values) =
                (section(live, "values"), section(Some(desired), "values"));
            let (old_defs, new_defs) = (section(live, "flags"), section(Some(desired), "flags"));
            let mut keys: BTreeSet<&String> = new_defs.keys().chain(old_defs.keys()).collect();
            keys.extend(new_values.keys().chain(old_values.keys()));
            let mut changes = Vec::new();
            for key in keys {
                let in_old = old_defs.contains_key(key) || old_values.contains_key(key);
                let in_new = new_defs.contains_key(key) || new_values.contains_key(key);
                let mut fields = value_fields(old_values.get(key), new_values.get(key));
                fields.extend(definition_fields(old_defs.get(key), new_defs.get(key)));
                let kind = match (in_old, in_new) {
                    (false, true) => ChangeKind::Added,
                    (true, false) => ChangeKind::Removed,
                    _ if fields.is_empty() => continue,
                    _ => ChangeKind::Changed,
                };
                changes.push(FlagChange {
                    key: key.clone(),
                    kind,
                    class: class_of(key),
                    fields,
                });
            }
            changes
        }
    }
}

fn keyed_changes(
    old: &serde_json::Map<String, Value>,
    new: &serde_json::Map<String, Value>,
    fields: impl Fn(&str, Option<&Value>, Option<&Value>) -> Vec<FieldChange>,
    class_of: &dyn Fn(&str) -> Option<FlagClass>,
) -> Vec<FlagChange> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (o, n) = (old.get(k), new.get(k));
            let kind = match (o, n) {
                (None, Some(_)) => ChangeKind::Added,
                (Some(_), None) => ChangeKind::Removed,
                (Some(a), Some(b)) if a != b => ChangeKind::Changed,
                _ => return None,
            };
            Some(FlagChange {
                key: k.clone(),
                kind,
                class: class_of(k),
                fields: fields(k, o, n),
            })
        })
        .collect()
}

fn field(name: &str, from: Option<&Value>, to: Option<&Value>) -> FieldChange {
    FieldChange {
        field: name.to_owned(),
        variant: None,
        from: from.cloned(),
        to: to.cloned(),
        added: Vec::new(),
        removed: Vec::new(),
    }
}

/// Changes of a flag's value: enabled, attribute values, allow list entries, variants.
fn value_fields(old: Option<&Value>, new: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let old = old.and_then(Value::as_object).unwrap_or(&empty);
    let new = new.and_then(Value::as_object).unwrap_or(&empty);
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for k in keys {
        let (o, n) = (old.get(k), new.get(k));
        if o == n {
            continue;
        }
        if k == "_variants" {
            out.extend(variant_fields(o, n));
            continue;
        }
        let name = match k.as_str() {
            "enabled" => "enabled".to_owned(),
            a if a == ALLOW_ATTRIBUTE => a.to_owned(),
            a => format!("values.{a}"),
        };
        let mut change = field(&name, o, n);
        if k == ALLOW_ATTRIBUTE {
            let set = |v: Option<&Value>| -> BTreeSet<String> {
                v.and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (before, after) = (set(o), set(n));
            change.added = after.difference(&before).cloned().collect();
            change.removed = before.difference(&after).cloned().collect();
        }
        out.push(change);
    }
    out
}

/// Changes of a flag's definition (name, description, attributes, deprecation), one per
/// leaf that differs: `definition.attributes.max_items.constraints.maximum`.
fn definition_fields(old: Option<&Value>, new: Option<&Value>) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if old.is_some() && new.is_some() {
        leaf_changes("definition", old, new, &mut out);
    }
    out
}

/// One change per leaf where `old` and `new` differ, under `path`: objects are compared key
/// by key, everything else (numbers, strings, lists) as a whole.
fn leaf_changes(path: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Some(Value::Object(o)), Some(Value::Object(n))) => {
            let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
            for k in keys {
                if o.get(k) != n.get(k) {
                    leaf_changes(&format!("{path}.{k}"), o.get(k), n.get(k), out);
                }
            }
        }
        (o, n) if o != n => out.push(field(path, o, n)),
        _ => {}
    }
}

/// Changes of a flag's variants, by name: one added or removed, a rule, `enabled` or a value
/// of one changed, or the order changed (the first variant whose rule matches wins).
fn variant_fields(old: Option<&Value>, new: Option<&Value>) -> Vec<FieldChange> {
    let (Some(old), Some(new)) = (old.and_then(Value::as_array), new.and_then(Value::as_array))
    else {
        return vec![field("variants", old, new)];
    };
    let name = |v: &Value| {
        v.get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let old_names: Vec<String> = old.iter().map(name).collect();
    let new_names: Vec<String> = new.iter().map(name).collect();
    let of = |mut change: FieldChange, variant: &str| {
        change.variant = Some(variant.to_owned());
        change
    };
    let mut out = Vec::new();
    for (variant, after) in new_names.iter().zip(new) {
        let Some(before) = old_names.iter().position(|n| n == variant).map(|i| &old[i]) else {
            out.push(of(field("variants", None, Some(after)), variant));
            continue;
        };
        for part in ["rule", "enabled"] {
            if before.get(part) != after.get(part) {
                let change = field(
                    &format!("variants.{part}"),
                    before.get(part),
                    after.get(part),
                );
                out.push(of(change, variant));
            }
        }
        let none = Value::Object(serde_json::Map::new());
        let mut values = Vec::new();
        leaf_changes(
            "variants.values",
            Some(before.get("attributeValues").unwrap_or(&none)),
            Some(after.get("attributeValues").unwrap_or(&none)),
            &mut values,
        );
        out.extend(values.into_iter().map(|c| of(c, variant)));
    }
    for (variant, before) in old_names.iter().zip(old) {
        if !new_names.contains(variant) {
            out.push(of(field("variants", Some(before), None), variant));
        }
    }
    let kept_order = |names: &[String], others: &[String]| -> Vec<String> {
        names
            .iter()
            .filter(|n| others.contains(n))
            .cloned()
            .collect()
    };
    if kept_order(&old_names, &new_names) != kept_order(&new_names, &old_names) {
        let list = |names: &[String]| Value::from(names.to_vec());
        out.push(field(
            "variants.order",
            Some(&list(&old_names)),
            Some(&list(&new_names)),
        ));
    }
    out
}
