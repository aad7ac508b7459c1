//! From drift findings to ledger records: what is new is recorded once while it stays open,
//! and an open finding no longer seen on a target looked at is resolved.

use std::path::Path;

use super::{FindingRecord, Ledger, LedgerError, Record, Resolution, ResolutionRecord};
use crate::compile::TargetId;
use crate::drift::{self, Class, FlagDrift};

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::ReApplied => "re-applied",
            Resolution::Adopted => "adopted",
            Resolution::Acknowledged => "acknowledged",
            Resolution::Superseded => "superseded",
        }
    }
}

/// What a ledger write added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub findings: usize,
    pub resolutions: usize,
    /// The ledger commit, or `None` when the ledger already had everything.
    pub commit: Option<String>,
}

/// The flags with values that look like secrets replaced, for the ledger (kept in git).
pub fn redacted(flags: &[FlagDrift]) -> Vec<FlagDrift> {
    let hide = |name: &str, v: &Option<serde_json::Value>| -> Option<serde_json::Value> {
        let text = match v {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => return None,
        };
        if crate::secrets::looks_secret(name, &text).is_some() {
            Some(serde_json::Value::String("<redacted>".into()))
        } else {
            v.clone()
        }
    };
    flags
        .iter()
        .map(|f| FlagDrift {
            fields: f
                .fields
                .iter()
                .map(|x| drift::FieldDrift {
                    field: x.field.clone(),
                    variant: x.variant.clone(),
                    desired: hide(&x.field, &x.desired),
                    live: hide(&x.field, &x.live),
                })
                .collect(),
            ..f.clone()
        })
        .collect()
}

/// The fingerprint of a drift finding, as the ledger keys it.
pub fn fingerprint_of(f: &drift::Finding) -> String {
    super::fingerprint(
        &f.target,
        f.class,
        f.deployment,
        f.version,
        &redacted(&f.flags),
    )
}

/// What the ledger already has of each finding, in order.
pub fn known(book: &Ledger, findings: &[drift::Finding]) -> Vec<Option<drift::LedgerEntry>> {
    findings
        .iter()
        .map(|f| {
            let fp = fingerprint_of(f);
            book.records.values().find_map(|r| match r {
                Record::Finding(rec) if rec.fingerprint == fp => Some(drift::LedgerEntry {
                    id: rec.id.clone(),
                    resolution: book.resolution_of(&rec.id).map(Resolution::as_str),
                }),
                _ => None,
            })
        })
        .collect()
}

/// The records that bring `book` up to date with `findings` seen on `targets`: new findings,
/// and resolutions of open ones those targets no longer show. Pure: nothing is written.
pub fn reconcile(
    book: &Ledger,
    targets: &[&TargetId],
    findings: &[drift::Finding],
    commit: &str,
    now: &str,
) -> Vec<Record> {
    let fingerprints: Vec<String> = findings.iter().map(fingerprint_of).collect();
    let open = book.open();
    let mut records = Vec::new();
    for (f, fp) in findings.iter().zip(&fingerprints) {
        // Recorded once while open; a resolved one that comes back is a new finding. Pending
        // and in-flight are passing states, not events worth a record.
        if matches!(f.class, Class::Pending | Class::InFlight)
            || open.iter().any(|o| &o.fingerprint == fp)
        {
            continue;
        }
        records.push(Record::Finding(Box::new(FindingRecord {
            id: super::new_id(fp),
            fingerprint: fp.clone(),
            target: f.target.clone(),
            account: f.site.as_ref().and_then(|s| s.account.clone()),
            region: f.site.as_ref().and_then(|s| s.region.clone()),
            class: f.class,
            message: f.message.clone(),
            flags: redacted(&f.flags),
            desired_commit: commit.to_owned(),
            desired_digest: f.desired_digest.clone(),
            live_version: f.live_version,
            live_deployment: f.live_deployment,
            deployment: f.deployment,
            version: f.version,
            trigger: f.trigger.clone(),
            occurred_at: f.at.clone(),
            detected_at: now.to_owned(),
        })));
    }
    // Open findings of the targets looked at that are no longer seen: git is live again.
    for open in open {
        if !targets.contains(&&open.target) || fingerprints.contains(&open.fingerprint) {
            continue;
        }
        let superseded = findings
            .iter()
            .any(|f| f.target == open.target && f.class == open.class);
        let resolution = if superseded {
            Resolution::Superseded
        } else {
            Resolution::ReApplied
        };
        records.push(Record::Resolution(ResolutionRecord::of(
            &open.id, resolution, commit, now,
        )));
    }
    records
}

/// Reconciles and commits on the ledger branch: what `command` saw at `commit`.
pub fn record(
    root: &Path,
    ledger_dir: &str,
    targets: &[&TargetId],
    findings: &[drift::Finding],
    commit: &str,
    command: &str,
) -> Result<Written, LedgerError> {
    let book = super::read(root, ledger_dir)?;
    let now = jiff::Timestamp::now().to_string();
    // Notes and fresh pending work are not drift: a record of them would only open and close.
    let findings: Vec<drift::Finding> = findings.iter().filter(|f| f.is_drift()).cloned().collect();
    let records = reconcile(&book, targets, &findings, commit, &now);
    let new_findings = records
        .iter()
        .filter(|r| matches!(r, Record::Finding(_)))
        .count();
    let resolutions = records.len() - new_findings;
    let message = format!(
        "drift ledger: {new_findings} finding(s), {resolutions} resolution(s)\n\nRecorded by {command} at {commit}."
    );
    let oid = super::commit(root, ledger_dir, super::BRANCH, &records, &message)?;
    Ok(Written {
        findings: new_findings,
        resolutions,
        commit: oid.map(|o| o.to_string()),
    })
}
