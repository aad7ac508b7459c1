//! `flagops apply`: reconcile the desired state at HEAD into AppConfig.

use std::time::Duration;

use crate::apply::{self, ApplyReport, Options};
use crate::check::scope::Purpose;
use crate::cli::ApplyArgs;
use crate::compile::TargetId;
use crate::exit::Exit;
use crate::live::location::Unreachable;
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
    let router = super::live::router(
        &args.backend,
        config,
        &checked.root,
        crate::live::location::Access::Write,
    )?;
    // Only what was read: an account not reached keeps its open findings open.
    let record = |read: &drift::across::Across| {
        let ids: Vec<&TargetId> = (targets.iter().map(|t| &t.id))
            .filter(|id| !read.unreachable.iter().any(|u| u.targets.contains(id)))
            .collect();
        let written = ledger::record(
            &checked.root,
            &config.ledger_dir,
            &ids,
            &read.findings,
            &commit,
            "flagops apply --record",
        )?;
        output::print_stderr(&output::drift::recorded(&written));
        anyhow::Ok(())
    };
    let grouped = output::apply::progress_group_start();
    let bars = output::progress::Bars::on_terminal();
    let progress: &dyn apply::Progress = match &bars {
        Some(bars) => bars,
        None => &output::progress::Lines,
    };
    let report = super::live::runtime()?.block_on(async {
        let located = router.locate(&targets).await;
        let backend = router.name();
        let details = crate::live::Details::All;
        let across =
            crate::plan::across::plan(&located, config, model, &checked.root, &retry, details)
                .await;
        Unreachable::alone(&across.plan.unreachable, &located)?;
        let mut plan = across.plan.clone();
        plan.blocked = checked.blocked.clone();
        if let (Some(saved), Some(path)) = (&saved, &args.plan) {
            let now = SavedPlan::of(&plan, &commit, &backend, saved.selection.clone());
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
        let root = &checked.root;
        if args.record {
            let read = drift::across::read(&located, config, model, root, false).await;
            Unreachable::alone(&read.unreachable, &located)?;
            record(&read)?;
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
        // Every location at once, each through its own backend.
        let parts = across.split(&plan, &located);
        let runs = (located.iter().zip(&parts).zip(&across.reached))
            .filter(|(_, reached)| **reached)
            .filter_map(|((here, part), _)| Some((here, here.backend.as_ref().ok()?, part)))
            .map(|(here, backend, part)| async {
                let report =
                    apply::apply(backend, config, &here.targets, part, &options, progress).await;
                (report, here.site.as_ref())
            });
        let mut outcome = apply::Report::default();
        for (report, site) in futures_util::future::join_all(runs).await {
            outcome.merge(report, site);
        }
        for unreachable in &plan.unreachable {
            outcome.unreachable(unreachable);
        }
        if args.record {
            let read = drift::across::read(&located, config, model, root, false).await;
            Unreachable::alone(&read.unreachable, &located)?;
            record(&read)?;
        }
        anyhow::Ok(ApplyReport {
            plan,
            outcome,
            freezes,
            break_glass: break_glass.map(str::to_owned),
            backend,
        })
    });
    output::apply::progress_group_end(grouped);
    // The bars stop at their last state before the report prints below them.
    drop(bars);
    let report = report?;
    output::apply::emit(&report, args.format)?;
    Ok(Exit::for_apply(&report))
}

fn read_saved(path: &std::path::Path) -> anyhow::Result<SavedPlan> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the saved plan {}: {e}", path.display()))?;
    SavedPlan::parse(&text).map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))
}
