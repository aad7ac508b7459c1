//! A saved plan: what `flagops plan --out FILE` showed reviewers, for `flagops apply FILE` to
//! carry out exactly that. It records the flagops version, the commit, the selection, the
//! backend, each target's action, desired digest and the live version and deployment it was
//! planned against, and the setup changes. apply plans again and refuses when any of it has
//! moved: a saved plan is never applied against a state nobody reviewed.

use serde::{Deserialize, Serialize};

use super::{Action, Plan};
use crate::compile::TargetId;

/// The format of saved plan files.
pub const SAVED_PLAN_FORMAT: u32 = 1;

/// What the plan selected: the same selection is planned again at apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retry: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedTarget {
    #[serde(flatten)]
    pub id: TargetId,
    pub action: Action,
    /// SHA-256 of the document apply uploads.
    pub digest: String,
    pub live_version: Option<i32>,
    pub live_deployment: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub saved_plan: u32,
    /// The flagops version that made it: another version may plan differently.
    pub flagops: String,
    pub commit: String,
    pub backend: String,
    pub selection: Selection,
    pub targets: Vec<SavedTarget>,
    /// The setup changes, as the plan's JSON shows them.
    #[serde(default)]
    pub setup: serde_json::Value,
}

impl SavedPlan {
    pub fn of(plan: &Plan, commit: &str, backend: &str, selection: Selection) -> Self {
        SavedPlan {
            saved_plan: SAVED_PLAN_FORMAT,
            flagops: env!("CARGO_PKG_VERSION").to_owned(),
            commit: commit.to_owned(),
            backend: backend.to_owned(),
            selection,
            targets: (plan.targets.iter())
                .map(|t| SavedTarget {
                    id: t.id.clone(),
                    action: t.action,
                    digest: t.digest.clone(),
                    live_version: t.live_version,
                    live_deployment: t.live_deployment,
                })
                .collect(),
            setup: serde_json::to_value(&plan.setup).unwrap_or_default(),
        }
    }

    /// Reads a saved plan; `Err` says why the file is not one this flagops can apply.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        match value.get("saved_plan").and_then(serde_json::Value::as_u64) {
            Some(n) if n == u64::from(SAVED_PLAN_FORMAT) => {}
            Some(n) => {
                return Err(format!(
                    "saved plan format {n}; this flagops reads format {SAVED_PLAN_FORMAT}"
                ));
            }
            None => {
                return Err("not a saved plan (written by `flagops plan --out FILE`)".into());
            }
        }
        serde_json::from_value(value).map_err(|e| format!("not a saved plan: {e}"))
    }

    /// Everything that moved between this plan and `now`, the same selection planned again;
    /// empty when `now` is exactly this plan.
    pub fn moved(&self, now: &SavedPlan) -> Vec<String> {
        let mut out = Vec::new();
        if self.flagops != now.flagops {
            out.push(format!(
                "the plan was made by flagops {}; this is flagops {}",
                self.flagops, now.flagops
            ));
        }
        if self.commit != now.commit {
            out.push(format!(
                "the plan is of commit {}; HEAD is {}",
                short(&self.commit),
                short(&now.commit)
            ));
        }
        if self.backend != now.backend {
            out.push(format!(
                "the plan was made against {}; this apply runs against {}",
                self.backend, now.backend
            ));
        }
        for saved in &self.targets {
            let Some(current) = now.targets.iter().find(|t| t.id == saved.id) else {
                out.push(format!("{}: no longer selected", saved.id));
                continue;
            };
            if saved.digest != current.digest {
                out.push(format!(
                    "{}: the desired state moved (digest {} → {})",
                    saved.id,
                    short(&saved.digest),
                    short(&current.digest)
                ));
            }
            let live_moved = (saved.live_version, saved.live_deployment)
                != (current.live_version, current.live_deployment);
            if !live_moved && saved.action != current.action {
                out.push(format!(
                    "{}: the plan would {} it, apply now would {} it",
                    saved.id,
                    action_word(saved.action),
                    action_word(current.action)
                ));
            }
            if live_moved {
                out.push(format!(
                    "{}: the live state moved (deployment {} of version {} → deployment {} of version {})",
                    saved.id,
                    number(saved.live_deployment),
                    number(saved.live_version),
                    number(current.live_deployment),
                    number(current.live_version)
                ));
            }
        }
        for current in &now.targets {
            if !self.targets.iter().any(|t| t.id == current.id) {
                out.push(format!("{}: not in the plan", current.id));
            }
        }
        if self.setup != now.setup {
            out.push("the AppConfig setup changes moved".to_owned());
        }
        out
    }
}

fn action_word(action: Action) -> &'static str {
    match action {
        Action::Unchanged => "leave",
        Action::Create => "create",
        Action::Update => "update",
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn number(n: Option<i32>) -> String {
    n.map_or_else(|| "none".to_owned(), |n| format!("#{n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved() -> SavedPlan {
        SavedPlan {
            saved_plan: SAVED_PLAN_FORMAT,
            flagops: "1.0.0".into(),
            commit: "a".repeat(40),
            backend: "AppConfig".into(),
            selection: Selection::default(),
            targets: vec![SavedTarget {
                id: TargetId {
                    application: "shop".into(),
                    environment: "prod".into(),
                    profile: "flags".into(),
                },
                action: Action::Update,
                digest: "d1".into(),
                live_version: Some(3),
                live_deployment: Some(7),
            }],
            setup: serde_json::json!([]),
        }
    }

    #[test]
    fn the_same_plan_has_nothing_moved_and_survives_its_file() {
        let plan = saved();
        let text = serde_json::to_string(&plan).unwrap();
        let read = SavedPlan::parse(&text).unwrap();
        assert_eq!(read, plan);
        assert_eq!(plan.moved(&read), Vec::<String>::new());
    }

    #[test]
    fn every_kind_of_move_is_named() {
        let plan = saved();
        let mut now = saved();
        now.targets[0].live_deployment = Some(8);
        assert_eq!(
            plan.moved(&now),
            vec![
                "shop/prod/flags: the live state moved (deployment #7 of version #3 → deployment #8 of version #3)"
            ]
        );
        // The live state caught up with the plan (another apply): one move, not two.
        let mut now = saved();
        now.targets[0].live_deployment = Some(8);
        now.targets[0].action = Action::Unchanged;
        assert_eq!(plan.moved(&now).len(), 1, "{:?}", plan.moved(&now));
        assert!(plan.moved(&now)[0].contains("the live state moved"));
        let mut now = saved();
        now.commit = "b".repeat(40);
        now.targets[0].digest = "d2".into();
        let moved = plan.moved(&now);
        assert!(moved[0].starts_with("the plan is of commit aaaaaaaaaaaa; HEAD is bbbbbbbbbbbb"));
        assert!(moved[1].contains("the desired state moved"));
        let mut now = saved();
        now.setup = serde_json::json!([{"resource": "strategy"}]);
        assert_eq!(plan.moved(&now), vec!["the AppConfig setup changes moved"]);
    }

    #[test]
    fn a_file_that_is_no_saved_plan_is_refused_clearly() {
        assert!(
            SavedPlan::parse("{}")
                .unwrap_err()
                .contains("not a saved plan")
        );
        assert!(
            SavedPlan::parse(r#"{"saved_plan": 9}"#)
                .unwrap_err()
                .contains("format 9")
        );
        assert!(
            SavedPlan::parse("plan")
                .unwrap_err()
                .starts_with("not JSON")
        );
    }
}
