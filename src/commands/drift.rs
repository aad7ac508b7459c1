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
    let ids: Vec<&TargetId> = targets.iter().map(|t| &t.id).collect();
    let (mut findings, setup, backend) = super::live::runtime()?.block_on(async {
        let backend = super::live::backend(&args.backend, config, &checked.root).await?;
        let inventory = crate::live::inventory(&backend, &targets).await?;
        let described = super::live::described(config);
        let (findings, account) = tokio::try_join!(
            drift::read_in(&backend, &checked.report.model, &inventory, &targets),
            crate::live::setup(&backend, &inventory, &described),
        )?;
        let setup = crate::plan::setup::diff(config, &account, &checked.root, &ids);
        anyhow::Ok((findings, setup, backend.name()))
    })?;
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
        targets: targets.len(),
        not_compared: checked.blocked.clone(),
        backend,
    };
    let prefix = super::repo_prefix(&checked.root);
    output::drift::emit(&report, args.format, &checked.loaded.sources, &prefix)?;
    Ok(Exit::for_drift(&report, args.fail_on))
}
