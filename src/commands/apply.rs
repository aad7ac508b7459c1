//! `flagops apply`: reconcile the desired state at HEAD into AppConfig.

use std::time::Duration;

use crate::apply::{self, ApplyReport, Options};
use crate::check::scope::Purpose;
use crate::cli::ApplyArgs;
use crate::compile::TargetId;
use crate::exit::Exit;
use crate::plan::saved::SavedPlan;
use crate::{drift, freeze, ledger, output};

pub fn run(args: &ApplyArgs) -> anyhow::Result<Exit> {
    let purpose = Purpose::Deploy;
    // A saved plan brings its own selection, and is applied only if nothing moved.
    let saved = match &args.plan {
        Some(path) => Some(read_saved(path)?),
        None => None,
    };
    let (filter, retry) = match &saved {
        Some(saved) => super::live::filter_of(&saved.selection),
        None => (args.filter.clone(), args.retry.clone()),
    };
    let Some(checked) = super::live::checked(&args.repo.repo, args.today.date(), purpose, &filter)?
    else {
        return Ok(Exit::refused());
    };
    let config = checked.config();
    let model = &checked.report.model;
    let preflight = apply::preflight::check(&checked.root, config, args.allow_any_branch)?;
    if let Some(warning) = &preflight.warning {
        output::print_warning(warning);
    }
    let scoped = filter.application.is_some() || filter.environment.is_some();
    let break_glass = freeze::break_glass(args.break_glass, args.reason.as_deref(), scoped)?;
    let commit = preflight.commit;
    checked.check_flags(&retry).map_err(anyhow::Error::msg)?;
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
        let (inventory, live) = crate::live::read(&backend, &targets).await?;
        let account =
            crate::live::setup(&backend, &inventory, &super::live::described(config)).await?;
        let mut plan = crate::plan::plan(config, model, &targets, &live, &retry);
        plan.blocked = checked.blocked.clone();
        plan.setup = crate::plan::setup::diff(config, &account, &checked.root, &ids);
        if let (Some(saved), Some(path)) = (&saved, &args.plan) {
            let now = SavedPlan::of(&plan, &commit, &backend.name(), saved.selection.clone());
            let moved = saved.moved(&now);
            if !moved.is_empty() {
                anyhow::bail!(
                    "refusing to apply the saved plan {}: it no longer matches what apply would do; plan again and have it reviewed\n  - {}",
                    path.display(),
                    moved.join("\n  - ")
                );
            }
        }
        // Changes to frozen environments are held back, or go out through the glass, which
        // is recorded before anything is deployed.
        let (plan, freezes) = freeze::hold(config, plan, freeze::now(args.now), break_glass);
        let freezes = freeze::record_break_glass(&checked.root, config, &commit, freezes)?;
        // What was drifted before (and is restored now) is recorded, then what apply saw after.
        if args.record {
            record(&drift::read(&backend, model, &targets).await?.0)?;
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
            record(&drift::read(&backend, model, &targets).await?.0)?;
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

fn read_saved(path: &std::path::Path) -> anyhow::Result<SavedPlan> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the saved plan {}: {e}", path.display()))?;
    SavedPlan::parse(&text).map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))
}
