//! `flagops apply`: reconcile the desired state at HEAD into AppConfig.

use std::time::Duration;

use anyhow::bail;

use crate::apply::{self, Options};
use crate::cli::{ApplyArgs, PlanFormat};
use crate::exit::Exit;
use crate::output;

pub fn run(args: &ApplyArgs) -> anyhow::Result<Exit> {
    let Some(checked) = super::live::checked(&args.repo.repo, args.today)? else {
        return Ok(Exit::Findings);
    };
    let config = checked.config();
    let head = crate::git::head(
        &checked.root,
        &[crate::load::CONFIG_FILE, &config.flags_dir],
    );
    let commit = match (&head, args.allow_any_branch) {
        (Ok(h), _)
            if h.branch.as_deref() == Some(config.default_branch.as_str())
                || args.allow_any_branch =>
        {
            if h.dirty {
                bail!(
                    "flagops.yaml or {}/ has uncommitted changes: apply deploys committed state only (commit or stash them)",
                    config.flags_dir
                );
            }
            h.sha.clone()
        }
        (Ok(h), _) => bail!(
            "apply runs from the default branch `{}`, but HEAD is {}; pass --allow-any-branch to override",
            config.default_branch,
            h.branch
                .as_deref()
                .map_or("detached".to_owned(), |b| format!("on `{b}`"))
        ),
        (Err(e), true) => {
            output::print_error(&format!(
                "warning: {e}; versions will record commit `unknown`"
            ));
            "unknown".to_owned()
        }
        (Err(e), false) => {
            bail!("{e}: apply needs the git commit it deploys (or --allow-any-branch)")
        }
    };
    let targets = checked.targets(&args.filter);
    let options = Options {
        wait: !args.no_wait,
        timeout: Duration::from_secs(args.timeout_minutes * 60),
        poll: Duration::from_secs(args.poll_seconds.max(1)),
        concurrency: args.concurrency,
        commit,
        root: checked.root.clone(),
    };
    let runtime = super::live::runtime()?;
    // Inside Actions, fold the per-deployment progress lines into one log group.
    let grouped = output::actions::in_actions();
    if grouped {
        output::print_stderr("::group::flagops apply: deployment progress\n");
    }
    let (plan, report, backend_name, before, after) = runtime.block_on(async {
        let backend = super::live::backend(&args.backend, config, &checked.root).await?;
        let (_, live) = crate::live::read(&backend, &targets).await?;
        let plan = crate::plan::plan(config, &checked.report.model, &targets, &live, &args.retry);
        let before = if args.record {
            Some(super::drift::detect(&backend, &checked, &targets).await?)
        } else {
            None
        };
        let report = apply::apply(
            &backend,
            config,
            &targets,
            &plan,
            &options,
            &output::progress::Lines,
        )
        .await;
        let after = if args.record {
            Some(super::drift::detect(&backend, &checked, &targets).await?)
        } else {
            None
        };
        anyhow::Ok((plan, report, backend.name(), before, after))
    })?;
    if grouped {
        output::print_stderr("::endgroup::\n");
    }
    // What was drifted before (and is restored now) is recorded, then what apply saw after.
    for findings in [before, after].into_iter().flatten() {
        let book = crate::ledger::read(&checked.root, &config.ledger_dir)?;
        super::drift::record(
            &checked,
            &targets,
            &findings,
            &super::drift::fingerprints(&findings),
            &book,
        )?;
    }
    let text = match args.format {
        PlanFormat::Human | PlanFormat::Markdown => {
            output::apply::human(&plan, &report, &backend_name)
        }
        PlanFormat::Json => output::apply::json(&report, &backend_name),
    };
    output::print(&text)?;
    output::append_step_summary(&output::apply::markdown(&plan, &report, &backend_name))?;
    Ok(if report.failed() {
        Exit::Failure
    } else if report.rolled_back() {
        Exit::RolledBack
    } else if plan.has_holds() {
        // Values held back after a rollback need a human: a fix, adopt, or --retry.
        Exit::Findings
    } else {
        Exit::Clean
    })
}
