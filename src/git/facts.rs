//! What the history rules need of the first-parent history from HEAD, and how a commit's
//! answer follows from its parent's: the newest commit that deleted each flag ever deleted,
//! and (for flag ages) the flags HEAD has, with the date each was added (the oldest commit
//! of the unbroken run that has it).
//!
//! Both follow from the parent's by the flag files the commit changed, so the cache keeps
//! them per commit and a new commit costs the files it touched, not the whole history.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use git2::{ObjectType, Oid, Repository};
use serde::{Deserialize, Serialize};

use super::{CommitInfo, FlagId, GitError, KeyHistory, MAX_COMMITS};
use crate::cache::{Key, Store};

const HISTORY: &str = "history";
const AGES: &str = "history-ages";

/// Something per flag: by application, profile and key.
type ByFlag<T> = BTreeMap<String, BTreeMap<String, BTreeMap<String, T>>>;

fn lookup<'a, T>(map: &'a ByFlag<T>, (app, profile, key): (&str, &str, &str)) -> Option<&'a T> {
    map.get(app)?.get(profile)?.get(key)
}

fn entry<T>(
    map: &mut ByFlag<T>,
    (app, profile, key): FlagId,
) -> std::collections::btree_map::Entry<'_, String, T> {
    map.entry(app)
        .or_default()
        .entry(profile)
        .or_default()
        .entry(key)
}

/// The history rules' view of the repository.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct KeyFacts {
    /// The clone is shallow: older commits are missing and deletions before them unknown.
    pub shallow: bool,
    /// The history is longer than [`MAX_COMMITS`]: older commits were not read.
    pub truncated: bool,
    /// Commits read, HEAD included.
    depth: usize,
    /// Each flag ever deleted, with the newest commit that deleted it.
    deleted: ByFlag<CommitInfo>,
    /// When asked for: each flag of HEAD, with the number of its files that define it and the
    /// date it was added. Kept apart in the cache: most runs need only the deletions.
    #[serde(skip)]
    ages: Option<ByFlag<(u32, String)>>,
    /// How this run got them.
    #[serde(skip)]
    pub source: Source,
}

impl PartialEq for KeyFacts {
    /// The same facts, however they were got.
    fn eq(&self, other: &Self) -> bool {
        (
            self.shallow,
            self.truncated,
            self.depth,
            &self.deleted,
            &self.ages,
        ) == (
            other.shallow,
            other.truncated,
            other.depth,
            &other.deleted,
            &other.ages,
        )
    }
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

impl KeyFacts {
    /// The date (YYYY-MM-DD) of the commit that added the flag, when HEAD has it and ages
    /// were asked for.
    pub fn added(&self, app: &str, profile: &str, key: &str) -> Option<&str> {
        let ages = self.ages.as_ref()?;
        lookup(ages, (app, profile, key)).map(|(_, date)| date.as_str())
    }

    /// The newest commit that deleted the flag, when one did.
    pub fn deleted_in(&self, app: &str, profile: &str, key: &str) -> Option<&CommitInfo> {
        lookup(&self.deleted, (app, profile, key))
    }

    /// From a walk of the whole history, with the number of files defining each flag at
    /// HEAD.
    fn from_walk(
        history: &KeyHistory,
        head_counts: std::collections::HashMap<FlagId, u32>,
    ) -> Self {
        let mut ages = ByFlag::new();
        if let Some((head, head_keys)) = history.commits.first() {
            // Walking back from HEAD: the oldest commit of the unbroken run that has each flag.
            let mut since: std::collections::HashMap<u32, &str> = head_keys
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
                entry(&mut ages, flag).or_insert((count, since[&id].to_owned()));
            }
        }
        // A flag the parent had and the child lacks was deleted by the child; newest first.
        let mut deleted = ByFlag::new();
        for pair in history.commits.windows(2) {
            let ((child, child_keys), (_, parent_keys)) = (&pair[0], &pair[1]);
            if std::sync::Arc::ptr_eq(child_keys, parent_keys) {
                continue;
            }
            for id in parent_keys.iter().filter(|&id| !child_keys.contains(id)) {
                entry(&mut deleted, history.ids[id as usize].clone())
                    .or_insert_with(|| child.clone());
            }
        }
        KeyFacts {
            shallow: history.shallow,
            truncated: history.truncated,
            depth: history.commits.len(),
            deleted,
            ages: Some(ages),
            source: Source::Walked,
        }
    }

    /// The facts of `commit` from those of its first parent (with ages), given the flags each
    /// file the commit changed defined before and after.
    fn advance(self, commit: CommitInfo, removed: Vec<FlagId>, added: Vec<FlagId>) -> Self {
        let mut ages = self.ages.unwrap_or_default();
        let before: HashSet<FlagId> = removed.iter().cloned().collect();
        let mut deleted = self.deleted;
        for id in removed {
            if let std::collections::btree_map::Entry::Occupied(mut e) = entry(&mut ages, id) {
                e.get_mut().0 = e.get().0.saturating_sub(1);
            }
        }
        for id in added {
            entry(&mut ages, id)
                .or_insert_with(|| (0, commit.date.clone()))
                .0 += 1;
        }
        // A flag a changed file defined before, that no file defines now, is deleted here.
        for id in before {
            let gone = lookup(&ages, (&id.0, &id.1, &id.2)).is_some_and(|(count, _)| *count == 0);
            if gone {
                entry(&mut deleted, id).insert_entry(commit.clone());
            }
        }
        for profiles in ages.values_mut() {
            for keys in profiles.values_mut() {
                keys.retain(|_, (count, _)| *count > 0);
            }
            profiles.retain(|_, keys| !keys.is_empty());
        }
        ages.retain(|_, profiles| !profiles.is_empty());
        KeyFacts {
            shallow: self.shallow,
            truncated: self.truncated,
            depth: self.depth + 1,
            deleted,
            ages: Some(ages),
            source: Source::FromParent,
        }
    }

    fn put(&self, store: &Store, key: &crate::cache::Digest32) {
        store.put(HISTORY, key, self);
        if let Some(ages) = &self.ages {
            store.put(AGES, key, ages);
        }
        let used = [*key].into_iter().collect();
        store.prune(HISTORY, &used, 8);
        store.prune(AGES, &used, 8);
    }
}

/// The history facts of the repository at `root` for the flags under `flags_dir`, with the
/// flags' ages when `with_ages`: from the cache when HEAD's are there, from its first
/// parent's and the files HEAD changed when those are, else from a walk of the whole history
/// (and kept).
pub fn key_facts(
    root: &Path,
    flags_dir: &str,
    store: &Store,
    with_ages: bool,
) -> Result<KeyFacts, GitError> {
    let repo = super::open(root)?;
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(KeyFacts {
            shallow: repo.is_shallow(),
            ages: Some(ByFlag::new()),
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
    let cached = |oid: Oid, with_ages: bool| {
        let mut facts = store.get::<KeyFacts>(HISTORY, &key(oid))?;
        if with_ages {
            facts.ages = Some(store.get(AGES, &key(oid))?);
        }
        Some(facts)
    };
    // A shallow clone's history ends where the fetch cut it, which moves: walked each time.
    let cacheable = store.is_enabled() && !repo.is_shallow();
    if cacheable {
        if let Some(facts) = cached(head.id(), with_ages) {
            return Ok(KeyFacts {
                source: Source::Cached,
                ..facts
            });
        }
        let parent = head.parent(0).ok();
        let from_parent = parent
            .as_ref()
            .and_then(|p| cached(p.id(), true))
            .filter(|f| f.depth < MAX_COMMITS && !f.truncated);
        if let (Some(parent), Some(before)) = (parent, from_parent) {
            let (removed, added) = changed_flags(&repo, &flags_path, &parent, &head)?;
            let facts = before.advance(super::commit_info(&head), removed, added);
            facts.put(store, &key(head.id()));
            return Ok(facts);
        }
    }
    let (history, mut cache) = super::walk(&repo, &flags_path)?;
    let mut counts = std::collections::HashMap::new();
    if let Ok(entry) = head.tree()?.get_path(&flags_path)
        && entry.kind() == Some(ObjectType::Tree)
    {
        for id in cache.blob_ids(&repo, entry.id())? {
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    let facts = KeyFacts::from_walk(&history, counts);
    if cacheable {
        facts.put(store, &key(head.id()));
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
