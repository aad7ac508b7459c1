//! The drift ledger: an append-only record, kept in the repository, of every drift finding
//! and its resolution.
//!
//! One JSON file per record (`<ledger_dir>/<YYYY-MM>/<id>.json`), named by a unique id that
//! sorts by time, so records written on different branches or by concurrent writers merge
//! without conflict, and a record, once written, is never rewritten. Records are committed
//! with libgit2 on a branch of their own (`flagops/drift-ledger`), never on the default
//! branch, for a workflow to push and open a pull request; the working tree is not touched.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use git2::{Oid, Repository, Signature};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

mod reconcile;

pub use reconcile::{Written, fingerprint_of, known, reconcile, record, redacted};

use crate::compile::TargetId;
use crate::drift::{Class, FlagDrift};
use crate::git::{self, GitError};

/// The branch ledger commits go to.
pub const BRANCH: &str = "flagops/drift-ledger";

/// What a finding became.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// git's values are live again.
    ReApplied,
    /// The live values were written back into git.
    Adopted,
    /// A person accepted it as is.
    Acknowledged,
    /// A newer finding on the same target replaces it.
    Superseded,
}

/// One ledger record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Record {
    Finding(Box<FindingRecord>),
    Resolution(ResolutionRecord),
    /// An apply that deployed through a freeze (`apply --break-glass`).
    BreakGlass(BreakGlassRecord),
    /// Deployments a person stopped or reverted (`flagops stop`).
    Stop(StopRecord),
}

impl Record {
    /// The record as its ledger file holds it.
    pub fn to_bytes(&self) -> Result<Vec<u8>, LedgerError> {
        serde_json::to_vec_pretty(self)
            .map_err(|e| LedgerError::Corrupt(self.id().to_owned(), e.to_string()))
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Finding(f) => &f.id,
            Record::Resolution(r) => &r.id,
            Record::BreakGlass(b) => &b.id,
            Record::Stop(s) => &s.id,
        }
    }
}

/// Who broke the glass, when, why, and what went out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakGlassRecord {
    pub id: String,
    /// The reason given with `--break-glass`.
    pub reason: String,
    /// Targets deployed through a freeze: `application/environment/profile`.
    pub targets: Vec<String>,
    /// The freezes broken (their reasons and periods).
    pub freezes: Vec<String>,
    /// The commit applied.
    pub commit: String,
    /// Who applied: `GITHUB_ACTOR` in Actions, else the git user.
    pub by: String,
    pub at: String,
}

/// A person's reason as the ledger (kept in git) records it. A reason is prose, but one pasted
/// with a token in it must not reach git.
pub fn recorded_reason(reason: &str) -> String {
    if crate::secrets::looks_secret("reason", reason).is_some() {
        "<redacted>".to_owned()
    } else {
        reason.to_owned()
    }
}

/// Who stopped or reverted which deployments, when and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopRecord {
    pub id: String,
    pub reason: String,
    /// `application/environment/profile #deployment`, each stopped.
    pub deployments: Vec<String>,
    /// Completed deployments reverted, rather than rollouts stopped.
    pub revert: bool,
    /// The commit checked out when stopping.
    pub commit: String,
    /// `GITHUB_ACTOR` in Actions, else the git user.
    pub by: String,
    pub at: String,
}

/// Records a stop of `deployments` (`application/environment/profile #number`) in the
/// ledger, after it happened. Returns the record's id.
pub fn record_stop(
    root: &Path,
    ledger_dir: &str,
    deployments: Vec<String>,
    revert: bool,
    reason: &str,
    commit: &str,
) -> Result<String, LedgerError> {
    let record = StopRecord {
        id: new_id(&format!("{reason}{}", deployments.join(","))),
        reason: recorded_reason(reason),
        deployments,
        revert,
        commit: commit.to_owned(),
        by: actor(root),
        at: jiff::Timestamp::now().to_string(),
    };
    let id = record.id.clone();
    let verb = if revert { "revert" } else { "stop" };
    self::commit(
        root,
        ledger_dir,
        BRANCH,
        &[Record::Stop(record)],
        &format!("drift ledger: {verb}\n\nRecorded by flagops stop at {commit}."),
    )?;
    Ok(id)
}

/// Who is acting: `GITHUB_ACTOR` inside GitHub Actions, else git's `user.name`.
pub fn actor(root: &Path) -> String {
    if let Some(actor) = std::env::var("GITHUB_ACTOR").ok().filter(|a| !a.is_empty()) {
        return actor;
    }
    git::open(root)
        .ok()
        .and_then(|repo| {
            repo.signature()
                .ok()
                .and_then(|s| s.name().ok().map(str::to_owned))
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRecord {
    pub id: String,
    /// Same drift, same fingerprint: a finding is recorded once while it stays open.
    pub fingerprint: String,
    #[serde(flatten)]
    pub target: TargetId,
    /// The AWS account the target lives in, when flagops.yaml puts targets in several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The AWS region the target lives in, when flagops.yaml puts targets in several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub class: Class,
    pub message: String,
    /// The differing flags and fields, desired and live values (secrets redacted).
    pub flags: Vec<FlagDrift>,
    pub desired_commit: String,
    pub desired_digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_version: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_deployment: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// The alarm ARN or who stopped the deployment, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
    pub detected_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolutionRecord {
    pub id: String,
    /// The finding resolved.
    pub resolves: String,
    pub resolution: Resolution,
    /// The commit that resolved it (git's HEAD when detected).
    pub commit: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ResolutionRecord {
    /// The resolution of the open finding `finding_id`, at `commit`, now.
    pub fn of(finding_id: &str, resolution: Resolution, commit: &str, at: &str) -> Self {
        ResolutionRecord {
            id: new_id(finding_id),
            resolves: finding_id.to_owned(),
            resolution,
            commit: commit.to_owned(),
            at: at.to_owned(),
            note: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("git: {0}")]
    Git2(#[from] git2::Error),
    #[error("ledger record {0}: {1}")]
    Corrupt(String, String),
    #[error("cannot lock the ledger: {0}")]
    Lock(String),
    #[error("no open finding `{0}` in the ledger (see `flagops ledger list`)")]
    NotOpen(String),
}

/// The ledger as read: every record by id, from the working tree and the ledger branch.
#[derive(Debug, Default)]
pub struct Ledger {
    pub records: BTreeMap<String, Record>,
}

impl Ledger {
    /// Findings without a resolution.
    pub fn open(&self) -> Vec<&FindingRecord> {
        let resolved: HashSet<&str> = self
            .records
            .values()
            .filter_map(|r| {
                if let Record::Resolution(r) = r {
                    Some(r.resolves.as_str())
                } else {
                    None
                }
            })
            .collect();
        self.records
            .values()
            .filter_map(|r| {
                if let Record::Finding(f) = r {
                    Some(&**f)
                } else {
                    None
                }
            })
            .filter(|f| !resolved.contains(f.id.as_str()))
            .collect()
    }

    /// What `flagops ledger list` shows: open findings, break-glass and stop records, and
    /// with `all` resolved findings and resolutions too.
    pub fn listing(&self, all: bool) -> Listing<'_> {
        let open: HashSet<&str> = self.open().iter().map(|f| f.id.as_str()).collect();
        let records = (self.records.values())
            .filter_map(|record| {
                let is_open = matches!(record, Record::Finding(f) if open.contains(f.id.as_str()));
                let shown = match record {
                    Record::Finding(_) => all || is_open,
                    Record::Resolution(_) => all,
                    Record::BreakGlass(_) | Record::Stop(_) => true,
                };
                shown.then_some(Listed {
                    record,
                    open: is_open,
                })
            })
            .collect();
        Listing {
            records,
            open: open.len(),
        }
    }

    /// Fingerprints recorded, resolved or not, with their resolution if any.
    pub fn resolution_of(&self, finding_id: &str) -> Option<Resolution> {
        self.records.values().find_map(|r| match r {
            Record::Resolution(r) if r.resolves == finding_id => Some(r.resolution),
            _ => None,
        })
    }
}

/// The records `flagops ledger list` shows, oldest first, and how many findings are open.
#[derive(Debug, Serialize)]
pub struct Listing<'a> {
    pub records: Vec<Listed<'a>>,
    pub open: usize,
}

#[derive(Debug, Serialize)]
pub struct Listed<'a> {
    #[serde(flatten)]
    pub record: &'a Record,
    /// A finding without a resolution.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub open: bool,
}

/// Acknowledges the open finding `id` on the ledger branch: a person accepted it as is.
pub fn acknowledge(
    root: &Path,
    ledger_dir: &str,
    id: &str,
    note: Option<&str>,
) -> Result<(), LedgerError> {
    let book = read(root, ledger_dir)?;
    if !book.open().iter().any(|f| f.id == id) {
        return Err(LedgerError::NotOpen(id.to_owned()));
    }
    let commit = git::head_sha(root);
    let now = jiff::Timestamp::now().to_string();
    let record = Record::Resolution(ResolutionRecord {
        note: note.map(recorded_reason),
        ..ResolutionRecord::of(id, Resolution::Acknowledged, &commit, &now)
    });
    let message = format!("drift ledger: acknowledge {id}");
    self::commit(root, ledger_dir, BRANCH, &[record], &message)?;
    Ok(())
}

/// The ledger directory from flagops.yaml, read leniently: listing must work even when the
/// flags do not pass check.
pub fn dir_of(root: &Path) -> String {
    std::fs::read_to_string(root.join(crate::load::CONFIG_FILE))
        .ok()
        .and_then(|text| crate::load::yaml::parse(&text).ok())
        .and_then(|(doc, _)| {
            doc.value
                .get("ledger_dir")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "ledger".to_owned())
}

/// A ref update holds its lock for microseconds; a lock file seconds old was left by a
/// writer that was killed mid-update, and would block every later writer.
fn remove_stale_lock(repo: &Repository, refname: &str) {
    const STALE: std::time::Duration = std::time::Duration::from_secs(2);
    let lock = repo.path().join(format!("{refname}.lock"));
    let age = std::fs::metadata(&lock)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    if age.is_some_and(|a| a > STALE) {
        let _ = std::fs::remove_file(&lock);
    }
}

fn jitter_nanos() -> u64 {
    u64::from(jiff::Timestamp::now().subsec_nanosecond().unsigned_abs())
}

/// A fresh record id: UTC time (sorts by time) and a hash of the content (unique).
pub fn new_id(content: &str) -> String {
    let now = jiff::Timestamp::now();
    let digest = Sha256::digest(
        format!("{}{content}{}", now.as_nanosecond(), std::process::id()).as_bytes(),
    );
    format!("{}-{}", now.strftime("%Y%m%dT%H%M%SZ"), hex(&digest[..5]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint of a drift finding: what drifted, not when it was seen.
pub fn fingerprint(
    target: &TargetId,
    class: Class,
    deployment: Option<i32>,
    version: Option<i32>,
    flags: &[FlagDrift],
) -> String {
    let flags = serde_json::to_string(flags).unwrap_or_default();
    let text = format!(
        "{}/{}/{}|{}|{deployment:?}|{version:?}|{flags}",
        target.application,
        target.environment,
        target.profile,
        class.as_str()
    );
    hex(&Sha256::digest(text.as_bytes())[..8])
}

/// The path of a record inside the ledger directory.
pub fn record_path(ledger_dir: &str, id: &str) -> String {
    let month = format!(
        "{}-{}",
        &id.get(..4).unwrap_or("0000"),
        &id.get(4..6).unwrap_or("00")
    );
    format!("{}/{month}/{id}.json", ledger_dir.trim_end_matches('/'))
}

/// Reads the ledger: files under `ledger_dir` in the working tree and on the ledger branch.
pub fn read(root: &Path, ledger_dir: &str) -> Result<Ledger, LedgerError> {
    let mut ledger = Ledger::default();
    let dir = root.join(ledger_dir);
    if dir.is_dir() {
        for month in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(month.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let path = file.path();
                if path.extension().is_some_and(|e| e == "json") {
                    let bytes = std::fs::read(&path).map_err(|e| {
                        LedgerError::Corrupt(path.display().to_string(), e.to_string())
                    })?;
                    insert(&mut ledger, &path.display().to_string(), &bytes)?;
                }
            }
        }
    }
    if let Ok(repo) = git::open(root)
        && let Ok(branch) = repo.find_branch(BRANCH, git2::BranchType::Local)
        && let Ok(tree) = branch.get().peel_to_tree()
        && let Ok(entry) = tree.get_path(&git::root_prefix(&repo, root).join(ledger_dir))
        && let Ok(ledger_tree) = repo.find_tree(entry.id())
    {
        for month in ledger_tree.iter() {
            let Ok(month_tree) = repo.find_tree(month.id()) else {
                continue;
            };
            for file in month_tree.iter() {
                if let Ok(blob) = repo.find_blob(file.id()) {
                    insert(&mut ledger, file.name().unwrap_or_default(), blob.content())?;
                }
            }
        }
    }
    Ok(ledger)
}

fn insert(ledger: &mut Ledger, name: &str, bytes: &[u8]) -> Result<(), LedgerError> {
    let record: Record = serde_json::from_slice(bytes)
        .map_err(|e| LedgerError::Corrupt(name.to_owned(), e.to_string()))?;
    ledger.records.insert(record.id().to_owned(), record);
    Ok(())
}

/// Commits `records` (new files only) on `branch`, starting it from HEAD when it does not
/// exist or was already merged. Concurrent writers retry on top of each other. Returns the
/// commit id, or `None` when there was nothing to write.
pub fn commit(
    root: &Path,
    ledger_dir: &str,
    branch: &str,
    records: &[Record],
    message: &str,
) -> Result<Option<Oid>, LedgerError> {
    if records.is_empty() {
        return Ok(None);
    }
    let repo = git::open(root)?;
    let prefix = git::root_prefix(&repo, root);
    let signature = repo
        .signature()
        .or_else(|_| Signature::now("flagops", "flagops@localhost"))?;
    let refname = format!("refs/heads/{branch}");
    let mut last = None;
    // Writers (threads or processes) take turns: an OS file lock, released even when a writer
    // is killed. The compare-and-swap on the ref below still guards against anything else.
    let lock_file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(repo.path().join("flagops-ledger.lock"))
        .map_err(|e| LedgerError::Lock(e.to_string()))?;
    lock_file
        .lock()
        .map_err(|e| LedgerError::Lock(e.to_string()))?;
    for attempt in 0..120u64 {
        if attempt > 0 {
            // Another writer holds or moved the ref: back off a little, differently per writer.
            let jitter = u64::from(std::process::id() % 7) + jitter_nanos() % 11;
            std::thread::sleep(std::time::Duration::from_millis(
                attempt.min(10) * 5 + jitter,
            ));
            remove_stale_lock(&repo, &refname);
        }
        let head = repo.head()?.peel_to_commit()?;
        // The branch as it is now: the parent, and the value the ref must still have when
        // it is moved (compare-and-swap), read together.
        let current = repo.find_reference(&refname).ok().and_then(|r| r.target());
        let parent = match current.map(|oid| repo.find_commit(oid)) {
            // A branch already merged into HEAD starts over from HEAD.
            Some(Ok(tip))
                if repo
                    .graph_descendant_of(head.id(), tip.id())
                    .unwrap_or(false)
                    || tip.id() == head.id() =>
            {
                head
            }
            Some(Ok(tip)) => tip,
            _ => head,
        };
        let mut index = git2::Index::new()?;
        index.read_tree(&parent.tree()?)?;
        for record in records {
            let path = prefix.join(record_path(ledger_dir, record.id()));
            let path = path.to_string_lossy().replace('\\', "/");
            if index.get_path(Path::new(&path), 0).is_some() {
                continue; // never rewrite a record
            }
            let bytes = record.to_bytes()?;
            git::add_blob(&repo, &mut index, &path, &bytes)?;
        }
        let tree = repo.find_tree(index.write_tree_to(&repo)?)?;
        if tree.id() == parent.tree_id() {
            return Ok(None);
        }
        let oid = repo.commit(None, &signature, &signature, message, &tree, &[&parent])?;
        // Move the branch only if nobody else did meanwhile (compare-and-swap on the ref).
        let moved = match current {
            Some(old) => repo
                .reference_matching(&refname, oid, true, old, message)
                .map(|_| ()),
            None => repo.reference(&refname, oid, false, message).map(|_| ()),
        };
        match moved {
            Ok(()) => return Ok(Some(oid)),
            Err(e) => last = Some(e),
        }
    }
    Err(LedgerError::Git2(last.unwrap_or_else(|| {
        git2::Error::from_str("the ledger branch kept moving")
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_paths_group_by_month() {
        let id = new_id("x");
        assert_eq!(id.len(), "20261122T004750Z-0123456789".len());
        assert!(
            record_path("ledger", "20261122T004750Z-0123456789")
                .ends_with("ledger/2026-11/20261122T004750Z-0123456789.json")
        );
        assert_ne!(new_id("x"), new_id("x"));
    }
}
