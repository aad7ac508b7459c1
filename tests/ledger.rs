//! The drift ledger: one file per record, committed on its own branch, never rewritten; it
//! must survive concurrent writers, interrupted writers and merges without losing a record.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use support::git;

use std::path::Path;
use std::process::{Command, Stdio};

use flagops::drift::Class;
use flagops::ledger::{self, FindingRecord, Record};

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flagops.yaml"),
        "version: 1\napplications: {}\n",
    )
    .unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "init"]);
    dir
}

fn finding(n: usize) -> Record {
    Record::Finding(Box::new(FindingRecord {
        id: ledger::new_id(&n.to_string()),
        fingerprint: format!("fp{n}"),
        target: flagops::compile::TargetId {
            application: "shop".into(),
            environment: "prod".into(),
            profile: "features".into(),
        },
        account: None,
        region: None,
        class: Class::RolledBack,
        message: format!("finding {n}"),
        flags: Vec::new(),
        desired_commit: "abc".into(),
        desired_digest: "def".into(),
        live_version: Some(1),
        live_deployment: Some(1),
        deployment: Some(2),
        version: Some(2),
        trigger: Some("CloudWatch alarm: arn:aws:cloudwatch:us-east-1:1:alarm:x".into()),
        occurred_at: None,
        detected_at: "2026-11-22T00:00:00Z".into(),
    }))
}

fn ids_on(dir: &Path, branch: &str) -> Vec<String> {
    git(dir, &["ls-tree", "-r", "--name-only", branch, "ledger"])
        .lines()
        .map(|l| {
            l.rsplit('/')
                .next()
                .unwrap()
                .trim_end_matches(".json")
                .to_owned()
        })
        .collect()
}

#[test]
fn records_go_to_their_own_branch_and_leave_the_work_tree_alone() {
    let dir = repo();
    let record = finding(1);
    ledger::commit(
        dir.path(),
        "ledger",
        ledger::BRANCH,
        std::slice::from_ref(&record),
        "drift ledger: 1 finding",
    )
    .unwrap();
    assert_eq!(
        ids_on(dir.path(), ledger::BRANCH),
        vec![record.id().to_owned()]
    );
    assert_eq!(
        git(dir.path(), &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "main"
    );
    assert_eq!(
        git(dir.path(), &["status", "--porcelain"]),
        "",
        "the work tree is untouched"
    );
    let book = ledger::read(dir.path(), "ledger").unwrap();
    assert_eq!(book.open().len(), 1);
}

#[test]
fn concurrent_writers_lose_nothing() {
    let dir = repo();
    let path = dir.path().to_path_buf();
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut written = Vec::new();
                for i in 0..5 {
                    let record = finding(w * 100 + i);
                    ledger::commit(
                        &path,
                        "ledger",
                        ledger::BRANCH,
                        std::slice::from_ref(&record),
                        "concurrent",
                    )
                    .expect("commit");
                    written.push(record.id().to_owned());
                }
                written
            })
        })
        .collect();
    let mut expected: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    expected.sort();
    let mut found = ids_on(dir.path(), ledger::BRANCH);
    found.sort();
    assert_eq!(
        found, expected,
        "every record of every writer is on the branch"
    );
}

#[test]
fn two_branches_of_records_merge_without_conflict() {
    let dir = repo();
    let (a, b) = (finding(1), finding(2));
    ledger::commit(
        dir.path(),
        "ledger",
        "ledger-a",
        std::slice::from_ref(&a),
        "a",
    )
    .unwrap();
    ledger::commit(
        dir.path(),
        "ledger",
        "ledger-b",
        std::slice::from_ref(&b),
        "b",
    )
    .unwrap();
    git(dir.path(), &["merge", "-q", "--no-edit", "ledger-a"]);
    git(dir.path(), &["merge", "-q", "--no-edit", "ledger-b"]);
    let book = ledger::read(dir.path(), "ledger").unwrap();
    let ids: Vec<&str> = book.records.keys().map(String::as_str).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&a.id()) && ids.contains(&b.id()));
}

#[test]
fn writers_killed_mid_write_leave_no_torn_record() {
    let dir = repo();
    let findings: Vec<Record> = (0..12).map(finding).collect();
    ledger::commit(dir.path(), "ledger", ledger::BRANCH, &findings, "findings").unwrap();
    // Acknowledge each finding in its own process, killing most of them at varying moments.
    let mut uninterrupted = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flagops"))
            .args(["ledger", "ack", f.id(), "--note", "accepted", "-C"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if i % 3 != 0 {
            std::thread::sleep(std::time::Duration::from_millis((i as u64 * 7) % 40));
            let _ = child.kill();
            let _ = child.wait();
        } else {
            // A writer that follows a killed one must not be blocked by what it left behind.
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "ack {} failed: {}",
                f.id(),
                String::from_utf8_lossy(&out.stderr)
            );
            uninterrupted.push(f.id().to_owned());
        }
    }
    git(dir.path(), &["fsck", "--no-progress"]);
    // Every record on the branch parses; the findings are all there; acks are whole or absent.
    let book = ledger::read(dir.path(), "ledger").unwrap();
    for f in &findings {
        assert!(book.records.contains_key(f.id()), "finding {} lost", f.id());
    }
    let acks = book.records.len() - findings.len();
    let open: Vec<&str> = book.open().iter().map(|f| f.id.as_str()).collect();
    for id in &uninterrupted {
        assert!(
            !open.contains(&id.as_str()),
            "the acknowledgement of {id} landed"
        );
    }
    assert_eq!(book.open().len(), findings.len() - acks);
}
