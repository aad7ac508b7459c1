//! What the history rules need of the first-parent history from HEAD, and how a commit's
//! answer follows from its parent's: the flags HEAD has, with the date each was added (the
//! oldest commit of the unbroken run that has it), and the newest commit that deleted each
//! flag ever deleted.
//!
//! Both follow from the parent's by the flag files the commit changed, so the cache keeps
//! them per commit and a new commit costs the files it touched, not the whole history.

use std::collections::HashMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository};
use serde::{Deserialize, Serialize};

use super::{CommitInfo, FlagId, GitError, KeyHistory, MAX_COMMITS};
use crate::cache::{Key, Store};

const HISTORY: &str = "history";

/// The history rules' view of the repository.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyFacts {
    /// The clone is shallow: older commits are missing and deletions before them unknown.
    pub shallow: bool,
    /// The history is longer than [`MAX_COMMITS`]: older commits were not read.
    pub truncated: bool,
    /// Commits read, HEAD included.
    depth: usize,
    /// Each flag of HEAD, with the number of its files that define it and the date it was
    /// added.
    present: Vec<(FlagId, u32, String)>,
    /// Each flag ever deleted, with the newest commit that deleted it.
    deleted: Vec<(FlagId, CommitInfo)>,
    #[serde(skip)]
    index: Index,
    /// How this run got them.
    #[serde(skip)]
    pub source: Source,
}

/// Where a run's history facts came from.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A walk of the whole history.
    #[default]
    Walked,
    /// The cache, for this HEAD.
    Cached,
    /// The cache's entry for HEAD's first parent, and the files HEAD changed.
    FromParent,
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Index {
    present: HashMap<FlagId, usize>,
    deleted: HashMap<FlagId, usize>,
}

impl KeyFacts {
    /// The date (YYYY-MM-DD) of the commit that added the flag, when HEAD has it.
    pub fn added(&self, flag: &FlagId) -> Option<&str> {
        let &i = self.index.present.get(flag)?;
        Some(self.present[i].2.as_str())
    }

    /// The newest commit that deleted the flag, when one did.
    pub fn deleted_in(&self, flag: &FlagId) -> Option<&CommitInfo> {
        let &i = self.index.deleted.get(flag)?;
        Some(&self.deleted[i].1)
    }

    fn indexed(mut self) -> Self {
        self.index = Index {
            present: (self.present.iter().enumerate())
                .map(|(i, (id, _, _))| (id.clone(), i))
                .collect(),
            deleted: (self.deleted.iter().enumerate())
                .map(|(i, (id, _))| (id.clone(), i))
                .collect(),
        };
        self
    }

    /// From a walk of the whole history, with the number of files defining each flag at
    /// HEAD.
    fn from_walk(history: &KeyHistory, head_counts: HashMap<FlagId, u32>) -> Self {
        let mut present = Vec::new();
        let mut deleted: HashMap<u32, &CommitInfo> = HashMap::new();
        if let Some((head, head_keys)) = history.commits.first() {
            // Walking back from HEAD: the oldest commit of the unbroken run that has each flag.
            let mut since: HashMap<u32, &str> = head_keys
                .iter()
                .map(|id| (id, head.date.as_str()))
                .collect();
            let mut open: Vec<u32> = head_keys.iter().collect();
            for (commit, keys) in &history.commits[1..] {
                open.retain(|&id| keys.contains(id));
                if open.is_empty() {
                    break;
                }
                for &id in &open {
                    since.insert(id, commit.date.as_str());
                }
            }
            for id in head_keys.iter() {
                let flag = history.ids[id as usize].clone();
                let count = head_counts.get(&flag).copied().unwrap_or(1);
                present.push((flag, count, since[&id].to_owned()));
            }
        }
        // A flag the parent had and the child lacks was deleted by the child; newest first.
        for pair in history.commits.windows(2) {
            let ((child, child_keys), (_, parent_keys)) = (&pair[0], &pair[1]);
            if std::sync::Arc::ptr_eq(child_keys, parent_keys) {
                continue;
            }
            for id in parent_keys.iter().filter(|&id| !child_keys.contains(id)) {
                deleted.entry(id).or_insert(child);
            }
        }
        let mut deleted: Vec<_> = deleted
            .into_iter()
            .map(|(id, commit)| (history.ids[id as usize].clone(), commit.clone()))
            .collect();
        deleted.sort_by(|a, b| a.0.cmp(&b.0));
        present.sort_by(|a, b| a.0.cmp(&b.0));
        KeyFacts {
            shallow: history.shallow,
            truncated: history.truncated,
            depth: history.commits.len(),
            present,
            deleted,
            index: Index::default(),
            source: Source::Walked,
        }
        .indexed()
    }

    /// The facts of `commit` from those of its first parent, given the flags each file the
    /// commit changed defined before and after.
    fn advance(mut self, commit: CommitInfo, removed: Vec<FlagId>, added: Vec<FlagId>) -> Self {
        let mut present: HashMap<FlagId, (u32, String)> = self
            .present
            .drain(..)
            .map(|(id, count, since)| (id, (count, since)))
            .collect();
        let before: std::collections::HashSet<FlagId> = present.keys().cloned().collect();
        for id in removed {
            if let Some((count, _)) = present.get_mut(&id) {
                *count = count.saturating_sub(1);
            }
        }
        for id in added {
            present
                .entry(id)
                .or_insert_with(|| (0, commit.date.clone()))
                .0 += 1;
        }
        present.retain(|_, (count, _)| *count > 0);
        let mut deleted: HashMap<FlagId, CommitInfo> = self.deleted.drain(..).collect();
        for id in before.iter().filter(|id| !present.contains_key(*id)) {
            deleted.insert(id.clone(), commit.clone());
        }
        let mut present: Vec<_> = present
            .into_iter()
            .map(|(id, (count, since))| (id, count, since))
            .collect();
        let mut deleted: Vec<_> = deleted.into_iter().collect();
        present.sort_by(|a, b| a.0.cmp(&b.0));
        deleted.sort_by(|a, b| a.0.cmp(&b.0));
        KeyFacts {
            shallow: self.shallow,
            truncated: self.truncated,
            depth: self.depth + 1,
            present,
            deleted,
            index: Index::default(),
            source: Source::Walked,
        }
        .indexed()
    }
}

/// The history facts of the repository at `root` for the flags under `flags_dir`: from the
/// cache when HEAD's are there, from its first parent's and the files HEAD changed when
/// those are, else from a walk of the whole history (and kept).
pub fn key_facts(root: &Path, flags_dir: &str, store: &Store) -> Result<KeyFacts, GitError> {
    let repo = super::open(root)?;
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(KeyFacts {
            shallow: repo.is_shallow(),
            ..KeyFacts::default()
        }); // no commits yet
    };
    let flags_path = super::root_prefix(&repo, root).join(flags_dir);
    let key = |oid: Oid| {
        Key::new(HISTORY)
            .part(flags_path.to_string_lossy().as_bytes())
            .part(oid.as_bytes())
            .finish()
    };
    // A shallow clone's history ends where the fetch cut it, which moves: walked each time.
    let cacheable = store.is_enabled() && !repo.is_shallow();
    if cacheable {
        if let Some(facts) = store.get::<KeyFacts>(HISTORY, &key(head.id())) {
            return Ok(KeyFacts {
                source: Source::Cached,
                ..facts.indexed()
            });
        }
        let parent = head.parent(0).ok();
        let from_parent = parent
            .as_ref()
            .and_then(|p| store.get::<KeyFacts>(HISTORY, &key(p.id())))
            .filter(|f| f.depth < MAX_COMMITS && !f.truncated);
        if let (Some(parent), Some(before)) = (parent, from_parent) {
            let (removed, added) = changed_flags(&repo, &flags_path, &parent, &head)?;
            let facts = KeyFacts {
                source: Source::FromParent,
                ..before.advance(super::commit_info(&head), removed, added)
            };
            store.put(HISTORY, &key(head.id()), &facts);
            store.prune(HISTORY, &[key(head.id())].into_iter().collect(), 8);
            return Ok(facts);
        }
    }
    let (history, mut cache) = super::walk(&repo, &flags_path)?;
    let mut counts = HashMap::new();
    if let Ok(entry) = head.tree()?.get_path(&flags_path)
        && entry.kind() == Some(ObjectType::Tree)
    {
        for id in cache.blob_ids(&repo, entry.id())? {
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    let facts = KeyFacts::from_walk(&history, counts);
    if cacheable {
        store.put(HISTORY, &key(head.id()), &facts);
        store.prune(HISTORY, &[key(head.id())].into_iter().collect(), 8);
    }
    Ok(facts)
}

/// The flags the flag files `commit` changed (against `parent`) defined before, and after,
/// once per file.
fn changed_flags(
    repo: &Repository,
    flags_path: &Path,
    parent: &git2::Commit<'_>,
    commit: &git2::Commit<'_>,
) -> Result<(Vec<FlagId>, Vec<FlagId>), GitError> {
    let subtree = |c: &git2::Commit<'_>| -> Result<Option<git2::Tree<'_>>, GitError> {
        Ok(match c.tree()?.get_path(flags_path) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                Some(repo.find_tree(entry.id())?)
            }
            _ => None,
        })
    };
    let (old, new) = (subtree(parent)?, subtree(commit)?);
    let diff = repo.diff_tree_to_tree(old.as_ref(), new.as_ref(), None)?;
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    let flags_of = |oid: Oid| -> Vec<FlagId> {
        repo.find_blob(oid)
            .map(|b| super::flag_ids(b.content()).into_iter().collect())
            .unwrap_or_default()
    };
    let is_yaml = |path: Option<&Path>| {
        path.and_then(|p| p.extension())
            .is_some_and(|e| e == "yaml" || e == "yml")
    };
    for delta in diff.deltas() {
        let (old_file, new_file) = (delta.old_file(), delta.new_file());
        if !old_file.id().is_zero() && is_yaml(old_file.path()) {
            removed.extend(flags_of(old_file.id()));
        }
        if !new_file.id().is_zero() && is_yaml(new_file.path()) {
            added.extend(flags_of(new_file.id()));
        }
    }
    Ok((removed, added))
}
