//! `flagops apply`: reconcile the desired state at HEAD into AppConfig.

use std::time::Duration;

use crate::apply::{self, ApplyReport, Options};
use crate::check::scope::Purpose;
use crate::cli::ApplyArgs;
use crate::compile::TargetId;
use crate::exit::Exit;
use crate::{drift, freeze, ledger, output};

pub fn run(args: &ApplyArgs) -> anyhow::Result<Exit> {
    let purpose = Purpose::Deploy;
    let Some(checked) =
        super::live::checked(&args.repo.repo, args.today.date(), purpose, &args.filter)?
    else {
        return Ok(Exit::refused());
    };
    let config = checked.config();
    let model = &checked.report.model;
    let preflight = apply::preflight::check(&checked.root, config, args.allow_any_branch)?;
    if let Some(warning) = &preflight.warning {
        output::print_warning(warning);
    }
    let scoped = args.filter.application.is_some() || args.filter.environment.is_some();
    let break_glass = freeze::break_glass(args.break_glass, args.reason.as_deref(), scoped)?;
    let commit = preflight.commit;
    checked
        .check_flags(&args.retry)
        .map_err(anyhow::Error::msg)?;
    let targets = checked.targets();
    let ids: Vec<&TargetId> = targets.iter().map(|t| &t.id).collect();
    let record = |findings: &[drift::Finding]| {
        let written = ledger::record(
            &checked.root,
            &config.ledger_dir,
            &ids,
            findings,
            &commit,
            "flagops apply --record",
        )?;
        output::print_stderr(&output::drift::recorded(&written));
        anyhow::Ok(())
    };
    let grouped = output::apply::progress_group_start();
    let report = super::live::runtime()?.block_on(async {
        let backend = super::live::backend(&args.backend, config, &checked.root).await?;
        let (_, live) = crate::live::read(&backend, &targets).await?;
        let mut plan = crate::plan::plan(config, model, &targets, &live, &args.retry);
        plan.blocked = checked.blocked.clone();
        // Changes to frozen environments are held back, or go out through the glass, which
        // is recorded before anything is deployed.
        let (plan, freezes) = freeze::hold(config, plan, freeze::now(args.now), break_glass);
        let freezes = freeze::record_break_glass(&checked.root, config, &commit, freezes)?;
        // What was drifted before (and is restored now) is recorded, then what apply saw after.
        if args.record {
            record(&drift::read(&backend, model, &targets).await?)?;
        }
        let options = Options {
            wait: !args.no_wait,
            timeout: Duration::from_secs(args.timeout_minutes * 60),
            poll: Duration::from_secs(args.poll_seconds.max(1)),
            concurrency: args.concurrency,
            commit: commit.clone(),
            root: checked.root.clone(),
            // A break-glass deployment names its ledger record in its description.
            note: freezes
                .ledger_record
                .as_ref()
                .map(|id| format!("break-glass={id}")),
        };
        let outcome = apply::apply(
            &backend,
            config,
            &targets,
            &plan,
            &options,
            &output::progress::Lines,
        )
        .await;
        if args.record {
            record(&drift::read(&backend, model, &targets).await?)?;
        }
        anyhow::Ok(ApplyReport {
            plan,
            outcome,
            freezes,
            break_glass: break_glass.map(str::to_owned),
            backend: backend.name(),
        })
    });
    output::apply::progress_group_end(grouped);
    let report = report?;
    output::apply::emit(&report, args.format)?;
    Ok(Exit::for_apply(&report))
}
