//! `flagops drift`: what AppConfig serves that git does not say, classified, and recorded.

use crate::check::scope::Purpose;
use crate::cli::DriftArgs;
use crate::compile::TargetId;
use crate::exit::Exit;
use crate::{drift, ledger, output};

pub fn run(args: &DriftArgs) -> anyhow::Result<Exit> {
    let purpose = Purpose::Monitor;
    let Some(checked) =
        super::live::checked(&args.repo.repo, args.today.date(), purpose, &args.filter)?
    else {
        return Ok(Exit::refused());
    };
    let config = checked.config();
    let targets = checked.targets();
    let (across, backend) = super::live::read_across(&args.backend, &checked, true)?;
    let drift::across::Across {
        mut findings,
        setup,
        unreachable,
        ..
    } = across;
    // Only what was read: an account not reached keeps its open findings open.
    let ids: Vec<&TargetId> = (targets.iter().map(|t| &t.id))
        .filter(|id| !unreachable.iter().any(|u| u.targets.contains(id)))
        .collect();
    let after = jiff::SignedDuration::from_mins(i64::from(config.drift.pending_after_minutes));
    let changed_at = crate::git::head_time(&checked.root);
    drift::age_pending(&mut findings, jiff::Timestamp::now(), changed_at, after);
    // What the ledger held before this run: a finding recorded now still shows as new.
    let book = ledger::read(&checked.root, &config.ledger_dir)?;
    let known = ledger::known(&book, &findings);
    if args.record {
        let commit = crate::git::head_sha(&checked.root);
        let written = ledger::record(
            &checked.root,
            &config.ledger_dir,
            &ids,
            &findings,
            &commit,
            "flagops drift --record",
        )?;
        output::print_stderr(&output::drift::recorded(&written));
    }
    let report = drift::Report {
        findings: findings
            .into_iter()
            .zip(known)
            .map(|(finding, ledger)| drift::Reported { finding, ledger })
            .collect(),
        setup,
        targets: ids.len(),
        not_compared: checked.blocked.clone(),
        backend,
        unreachable,
    };
    let prefix = super::repo_prefix(&checked.root);
    output::drift::emit(&report, args.format, &checked.loaded.sources, &prefix)?;
    Ok(Exit::for_drift(&report, args.fail_on))
}
