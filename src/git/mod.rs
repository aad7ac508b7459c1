//! Reading the repository's git history with libgit2: which flag keys each commit had.
//! Only local reads; pushing is left to the workflow, which holds the credentials.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use git2::{ObjectType, Oid, Repository, Tree};

mod facts;

pub use facts::{KeyFacts, Source as FactsSource, key_facts};

/// A flag's identity: application, profile and key. The same key in another profile is
/// another flag.
pub type FlagId = (String, String, String);

/// A commit, as shown in findings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommitInfo {
    pub short_sha: String,
    pub date: String,
    pub summary: String,
}

/// The flag keys of each commit on the first-parent chain from HEAD, newest first.
#[derive(Debug, Default)]
pub struct KeyHistory {
    /// Each commit with the flags its tree declares, as indexes into `ids`. Commits that
    /// did not touch the flags share one set.
    pub commits: Vec<(CommitInfo, Arc<KeySet>)>,
    /// Every flag seen in the history, each stored once.
    pub ids: Vec<FlagId>,
    index: HashMap<FlagId, u32>,
    /// The clone is shallow: older commits are missing and deletions before them unknown.
    pub shallow: bool,
    /// The walk stopped at `MAX_COMMITS`.
    pub truncated: bool,
}

impl KeyHistory {
    /// The index of a flag in `ids`, when it appears in the history.
    pub fn id(&self, flag: &FlagId) -> Option<u32> {
        self.index.get(flag).copied()
    }
}

/// A sorted set of flag indexes: a few bytes per flag per distinct tree, so a long history
/// of a large repository stays small.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct KeySet(Vec<u32>);

impl KeySet {
    pub fn contains(&self, id: u32) -> bool {
        self.0.binary_search(&id).is_ok()
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().copied()
    }
}

/// Commits walked at most; older history is not consulted.
pub const MAX_COMMITS: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{0} is not inside a git repository")]
    NotARepository(String),
    #[error(
        "git refuses to read {0}: it is owned by another user (add it to safe.directory: git config --global --add safe.directory {0})"
    )]
    Ownership(String),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// The flagops root relative to the work tree's root (flagops.yaml may live in a subfolder).
pub fn root_prefix(repo: &Repository, root: &Path) -> std::path::PathBuf {
    let workdir = repo
        .workdir()
        .and_then(|w| std::fs::canonicalize(w).ok())
        .unwrap_or_default();
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    root.strip_prefix(&workdir)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The merge-base of `head` with `default_branch` (local, or `origin/`), when both exist.
fn merge_base_with(repo: &Repository, head: Oid, default_branch: &str) -> Option<Oid> {
    let branch = [
        format!("refs/heads/{default_branch}"),
        format!("refs/remotes/origin/{default_branch}"),
    ]
    .iter()
    .find_map(|name| repo.refname_to_id(name).ok())?;
    repo.merge_base(head, branch).ok()
}

/// Opens the repository containing `root`.
pub fn open(root: &Path) -> Result<Repository, GitError> {
    Repository::discover(root).map_err(|e| match e.code() {
        git2::ErrorCode::NotFound => GitError::NotARepository(root.display().to_string()),
        git2::ErrorCode::Owner => GitError::Ownership(root.display().to_string()),
        _ => GitError::Git(e),
    })
}

/// What the history the flag rules read depends on: HEAD's commit, whether the clone is
/// shallow, and where `root` lies in the work tree. `None` outside a repository, or before
/// its first commit.
pub fn head_id(root: &Path) -> Option<String> {
    let repo = open(root).ok()?;
    // The reference alone: reading the commit would open the object database.
    let head = repo.head().ok()?.resolve().ok()?.target()?;
    Some(format!(
        "{} {} {}",
        head,
        if repo.is_shallow() { "shallow" } else { "full" },
        root_prefix(&repo, root).display()
    ))
}

/// Walks first-parent history from HEAD and collects the flag keys under `flags_dir` (relative
/// to `root`) in every commit. Trees and blobs are parsed once each, whatever the number of
/// commits sharing them.
pub fn key_history(root: &Path, flags_dir: &str) -> Result<KeyHistory, GitError> {
    let repo = open(root)?;
    // flags_dir relative to the repository's work tree (flagops.yaml may live in a subfolder).
    let flags_path = root_prefix(&repo, root).join(flags_dir);
    Ok(walk(&repo, &flags_path)?.0)
}

/// The walk behind [`key_history`], with the trees and blobs it parsed.
fn walk(repo: &Repository, flags_path: &Path) -> Result<(KeyHistory, Cache), GitError> {
    let mut history = KeyHistory {
        shallow: repo.is_shallow(),
        ..KeyHistory::default()
    };
    let mut cache = Cache::default();
    if repo.head().is_err() {
        return Ok((history, cache)); // no commits yet
    }
    let mut walk = repo.revwalk()?;
    walk.push_head()?;
    walk.simplify_first_parent()?;
    for oid in walk {
        if history.commits.len() >= MAX_COMMITS {
            history.truncated = true;
            break;
        }
        let commit = repo.find_commit(oid?)?;
        let keys = match commit.tree()?.get_path(flags_path) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                cache.tree_keys(repo, entry.id())?
            }
            _ => Arc::default(),
        };
        history.commits.push((commit_info(&commit), keys));
    }
    history.ids = cache.ids.clone();
    history.index = cache.index.clone();
    Ok((history, cache))
}

/// A commit as findings show it.
fn commit_info(commit: &git2::Commit<'_>) -> CommitInfo {
    let date = jiff::Timestamp::from_second(commit.time().seconds())
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default();
    CommitInfo {
        short_sha: oid_short(commit.id()),
        date,
        summary: commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// The flags of the revisions a change is compared against: HEAD, and the merge-base of
/// HEAD with the default branch (local, or `origin/`) when it exists and differs. In a pull
/// request's merge commit or on a feature branch, that is where the change started.
#[derive(Debug, Default)]
pub struct Baseline {
    /// (what the revision is, its short SHA, its flags), HEAD first.
    pub revisions: Vec<(String, String, HashSet<FlagId>)>,
}

/// What a change is measured against: the merge-base of HEAD with `default_branch` when it
/// differs from HEAD (a branch, a pull request's merge commit), else HEAD itself (edits not
/// committed yet). `files` are paths relative to `root`; each maps to its text there, `None`
/// when it did not exist. `Err` without a repository or a commit.
pub fn text_at_base(
    root: &Path,
    default_branch: &str,
    files: &[&str],
) -> Result<HashMap<String, Option<String>>, GitError> {
    let repo = open(root)?;
    let head = repo.head()?.peel_to_commit()?;
    let base = merge_base_with(&repo, head.id(), default_branch).unwrap_or(head.id());
    let tree = repo.find_commit(base)?.tree()?;
    let prefix = root_prefix(&repo, root);
    let mut out = HashMap::new();
    for &file in files {
        let text = tree
            .get_path(&prefix.join(file))
            .ok()
            .and_then(|entry| repo.find_blob(entry.id()).ok())
            .map(|blob| String::from_utf8_lossy(blob.content()).into_owned());
        out.insert(file.to_owned(), text);
    }
    Ok(out)
}

/// The flags at HEAD and at its merge-base with `default_branch`, under `flags_dir`.
pub fn baseline(root: &Path, flags_dir: &str, default_branch: &str) -> Result<Baseline, GitError> {
    let repo = open(root)?;
    let mut out = Baseline::default();
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(out); // no commits yet
    };
    let prefix = root_prefix(&repo, root);
    let flags_path = prefix.join(flags_dir);
    let mut commits = vec![("HEAD".to_owned(), head.id())];
    if let Some(base) = merge_base_with(&repo, head.id(), default_branch)
        && base != head.id()
    {
        commits.push((format!("the merge-base with {default_branch}"), base));
    }
    let mut cache = Cache::default();
    for (label, oid) in commits {
        let commit = repo.find_commit(oid)?;
        let keys = match commit.tree()?.get_path(&flags_path) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => cache
                .tree_keys(&repo, entry.id())?
                .iter()
                .map(|i| cache.ids[i as usize].clone())
                .collect(),
            _ => HashSet::new(),
        };
        out.revisions.push((label, oid_short(oid), keys));
    }
    Ok(out)
}

fn oid_short(oid: Oid) -> String {
    oid.to_string().chars().take(10).collect()
}

#[derive(Default)]
struct Cache {
    trees: HashMap<Oid, Arc<KeySet>>,
    blobs: HashMap<Oid, Arc<KeySet>>,
    ids: Vec<FlagId>,
    index: HashMap<FlagId, u32>,
}

impl Cache {
    fn tree_keys(&mut self, repo: &Repository, oid: Oid) -> Result<Arc<KeySet>, GitError> {
        if let Some(keys) = self.trees.get(&oid) {
            return Ok(keys.clone());
        }
        let tree: Tree<'_> = repo.find_tree(oid)?;
        let mut keys = Vec::new();
        for entry in tree.iter() {
            let name = entry.name().unwrap_or_default();
            match entry.kind() {
                Some(ObjectType::Tree) => keys.extend(self.tree_keys(repo, entry.id())?.iter()),
                Some(ObjectType::Blob) if name.ends_with(".yaml") || name.ends_with(".yml") => {
                    keys.extend(self.blob_keys(repo, entry.id())?.iter());
                }
                _ => {}
            }
        }
        keys.sort_unstable();
        keys.dedup();
        let keys = Arc::new(KeySet(keys));
        self.trees.insert(oid, keys.clone());
        Ok(keys)
    }

    /// The flags of every flag file under the tree, once per file that defines them.
    fn blob_ids(&mut self, repo: &Repository, oid: Oid) -> Result<Vec<FlagId>, GitError> {
        let tree: Tree<'_> = repo.find_tree(oid)?;
        let mut ids = Vec::new();
        for entry in tree.iter() {
            let name = entry.name().unwrap_or_default();
            match entry.kind() {
                Some(ObjectType::Tree) => ids.extend(self.blob_ids(repo, entry.id())?),
                Some(ObjectType::Blob) if name.ends_with(".yaml") || name.ends_with(".yml") => {
                    let keys = self.blob_keys(repo, entry.id())?;
                    ids.extend(keys.iter().map(|i| self.ids[i as usize].clone()));
                }
                _ => {}
            }
        }
        Ok(ids)
    }

    fn blob_keys(&mut self, repo: &Repository, oid: Oid) -> Result<Arc<KeySet>, GitError> {
        if let Some(keys) = self.blobs.get(&oid) {
            return Ok(keys.clone());
        }
        let blob = repo.find_blob(oid)?;
        let mut keys: Vec<u32> = flag_ids(blob.content())
            .into_iter()
            .map(|id| self.intern(id))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let keys = Arc::new(KeySet(keys));
        self.blobs.insert(oid, keys.clone());
        Ok(keys)
    }

    fn intern(&mut self, id: FlagId) -> u32 {
        if let Some(&i) = self.index.get(&id) {
            return i;
        }
        let i = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.ids.push(id.clone());
        self.index.insert(id, i);
        i
    }
}

/// The flags a flag file declares; nothing for files that do not parse (old mistakes in
/// history are not this change's problem).
fn flag_ids(content: &[u8]) -> HashSet<FlagId> {
    let Some(text) = std::str::from_utf8(content)
        .ok()
        .filter(|t| t.len() as u64 <= crate::load::MAX_FILE_BYTES)
    else {
        return HashSet::new();
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(value) = crate::load::parse_value(text) else {
        return HashSet::new();
    };
    let field = |name: &str| {
        value
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (app, profile) = (field("application"), field("profile"));
    value
        .get("flags")
        .and_then(|f| f.as_object())
        .map(|flags| {
            flags
                .keys()
                .map(|k| (app.clone(), profile.clone(), k.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The checked-out commit and branch (`None` for a detached HEAD).
#[derive(Debug, Clone)]
pub struct Head {
    pub sha: String,
    pub branch: Option<String>,
    /// Files under these paths differ from HEAD.
    pub dirty: bool,
}

/// The commit HEAD points at, or `unknown` outside a repository (for records, never for
/// deciding what to deploy).
pub fn head_sha(root: &Path) -> String {
    // The commit alone: whether the work tree is dirty would cost a walk of all of it.
    let sha = || -> Result<String, GitError> {
        Ok(open(root)?.head()?.peel_to_commit()?.id().to_string())
    };
    sha().unwrap_or_else(|_| "unknown".into())
}

/// HEAD of the repository containing `root`; `dirty` considers only `paths` (relative to
/// the work tree root).
pub fn head(root: &Path, paths: &[&str]) -> Result<Head, GitError> {
    let repo = open(root)?;
    let head = repo.head()?;
    let sha = head.peel_to_commit()?.id().to_string();
    let branch = head
        .is_branch()
        .then(|| head.shorthand().ok().map(str::to_owned))
        .flatten();
    let mut options = git2::StatusOptions::new();
    options.include_untracked(true).include_ignored(false);
    for p in paths {
        options.pathspec(p);
    }
    let dirty = !repo.statuses(Some(&mut options))?.is_empty();
    Ok(Head { sha, branch, dirty })
}

/// When HEAD was committed: where a change apply has not reached yet started to wait.
pub fn head_time(root: &Path) -> Option<jiff::Timestamp> {
    let repo = open(root).ok()?;
    let seconds = repo.head().ok()?.peel_to_commit().ok()?.time().seconds();
    jiff::Timestamp::from_second(seconds).ok()
}

/// Commits `files` (path relative to the work tree → content) on top of HEAD as a new branch
/// `branch`; with `checkout`, switches HEAD and the index to it. The files must already hold that content in the
/// working tree, so nothing on disk changes; the index is reset to the new commit.
pub fn commit_on_new_branch(
    root: &Path,
    branch: &str,
    files: &[(String, Vec<u8>)],
    message: &str,
    checkout: bool,
) -> Result<String, GitError> {
    let repo = open(root)?;
    let head = repo.head()?.peel_to_commit()?;
    let prefix = root_prefix(&repo, root);
    let mut index = git2::Index::new()?;
    index.read_tree(&head.tree()?)?;
    for (path, bytes) in files {
        add_blob(
            &repo,
            &mut index,
            &prefix.join(path).to_string_lossy().replace('\\', "/"),
            bytes,
        )?;
    }
    let tree = repo.find_tree(index.write_tree_to(&repo)?)?;
    let signature = repo
        .signature()
        .or_else(|_| git2::Signature::now("flagops", "flagops@localhost"))?;
    let oid = repo.commit(None, &signature, &signature, message, &tree, &[&head])?;
    let commit = repo.find_commit(oid)?;
    repo.branch(branch, &commit, false)?;
    if checkout {
        repo.set_head(&format!("refs/heads/{branch}"))?;
        let mut work_index = repo.index()?;
        work_index.read_tree(&tree)?;
        work_index.write()?;
    }
    Ok(oid.to_string())
}

/// Stages `bytes` at `path` (relative to the work tree, `/`-separated) in an in-memory index.
pub fn add_blob(
    repo: &Repository,
    index: &mut git2::Index,
    path: &str,
    bytes: &[u8],
) -> Result<(), git2::Error> {
    let id = repo.blob(bytes)?;
    let entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: bytes.len() as u32,
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    };
    index.add(&entry)
}
