//! `flagops stop`: stop (or revert) the newest flagops deployment of the named targets.

use anyhow::bail;

use crate::apply::stop::{self, StopReport};
use crate::check::scope::Purpose;
use crate::cli::StopArgs;
use crate::exit::Exit;
use crate::{ledger, output};

pub fn run(args: &StopArgs) -> anyhow::Result<Exit> {
    if args.filter.application.is_none() || args.filter.environment.is_none() {
        bail!("flagops stop needs --app and --env: name the rollout to stop");
    }
    if args.reason.trim().is_empty() {
        bail!("flagops stop needs a --reason: it is recorded in the drift ledger");
    }
    // An incident is no time to be refused over a lint: stopping needs only the targets.
    let purpose = Purpose::Stop;
    let Some(checked) =
        super::live::checked(&args.repo.repo, args.today.date(), purpose, &args.filter)?
    else {
        return Ok(Exit::refused());
    };
    let config = checked.config();
    // A broken flag file must not keep anyone from stopping its rollout.
    let targets = checked.chosen_targets();
    let router = super::live::router(
        &args.backend,
        config,
        &checked.root,
        crate::live::location::Access::Write,
    )?;
    let report = super::live::runtime()?.block_on(async {
        // --app and --env name one environment: one location.
        let located = router.locate(&targets).await;
        let mut report = StopReport {
            stopped: Vec::new(),
            untouched: Vec::new(),
            revert: args.revert,
            reason: args.reason.clone(),
            ledger_record: None,
            backend: router.name(),
        };
        for here in &located {
            let where_ = || here.location.describe();
            let backend =
                (here.backend.as_ref()).map_err(|e| anyhow::anyhow!("{}: {e}", where_()))?;
            let (_, live) = (crate::live::read(backend, &here.targets).await)
                .map_err(|e| anyhow::anyhow!("{}: {e}", where_()))?;
            let (stopped, untouched) = (stop::stop(backend, &live, args.revert).await)
                .map_err(|e| anyhow::anyhow!("{}: {e}", where_()))?;
            report.stopped.extend(stopped);
            report.untouched.extend(untouched);
        }
        anyhow::Ok(report)
    })?;
    let mut report = report;
    if !report.stopped.is_empty() {
        let commit = crate::git::head_sha(&checked.root);
        let recorded = ledger::record_stop(
            &checked.root,
            &config.ledger_dir,
            report
                .stopped
                .iter()
                .map(|s| format!("{} #{}", s.id, s.deployment))
                .collect(),
            args.revert,
            &args.reason,
            &commit,
        );
        match recorded {
            Ok(id) => report.ledger_record = Some(id),
            // The stop happened; failing to record it must not hide that.
            Err(e) => output::print_warning(&format!(
                "the stop is done but could not be recorded in the drift ledger: {e}"
            )),
        }
    }
    output::stop::emit(&report, args.format)?;
    Ok(Exit::for_stop(&report))
}
