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
    if args
        .break_glass
        .as_deref()
        .is_some_and(|r| r.trim().is_empty())
    {
        bail!("--break-glass needs a reason: it is recorded in the drift ledger");
    }
    let now = crate::freeze::now(args.now);
    let targets = checked.targets(&args.filter);
    let options = Options {
        wait: !args.no_wait,
        timeout: Duration::from_secs(args.timeout_minutes * 60),
        poll: Duration::from_secs(args.poll_seconds.max(1)),
        concurrency: args.concurrency,
        commit,
        root: checked.root.clone(),
        note: None,
    };
    let runtime = super::live::runtime()?;
    // Inside Actions, fold the per-deployment progress lines into one log group.
    let grouped = output::actions::in_actions();
    if grouped {
        output::print_stderr("::group::flagops apply: deployment progress\n");
    }
    let (plan, report, backend_name, before, after, freezes) = runtime.block_on(async {
        let backend = super::live::backend(&args.backend, config, &checked.root).await?;
        let (_, live) = crate::live::read(&backend, &targets).await?;
        let plan = crate::plan::plan(config, &checked.report.model, &targets, &live, &args.retry);
        // Changes to frozen environments are held back, or go out through the glass.
        let (plan, freezes) = frozen(config, plan, now, args.break_glass.as_deref());
        let freezes = match freezes {
            Some(f) if !f.broken.is_empty() => record_break_glass(&checked, &options.commit, f)?,
            Some(f) => f,
            None => crate::freeze::FreezeReport::default(),
        };
        // A break-glass deployment names its ledger record in its description.
        let options = Options {
            note: freezes
                .ledger_record
                .as_ref()
                .map(|id| format!("break-glass={id}")),
            ..options.clone()
        };
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
        anyhow::Ok((plan, report, backend.name(), before, after, freezes))
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
                + &output::freeze::human(&freezes, args.break_glass.as_deref())
        }
        PlanFormat::Json => output::apply::json_with_freezes(&report, &backend_name, &freezes),
    };
    output::print(&text)?;
    output::append_step_summary(
        &(output::apply::markdown(&plan, &report, &backend_name)
            + &output::freeze::markdown(&freezes)),
    )?;
    Ok(if report.failed() {
        Exit::Failure
    } else if report.rolled_back() {
        Exit::RolledBack
    } else if plan.has_holds() || !freezes.held.is_empty() {
        // Values held back after a rollback need a human: a fix, adopt, or --retry; changes
        // held by a freeze wait for its end (or --break-glass).
        Exit::Findings
    } else {
        Exit::Clean
    })
}

/// Splits off the changed targets of environments under a freeze at `now`: without a
/// break-glass reason they leave the plan (held); with one they stay (broken). `None` when
/// no changed target is frozen.
fn frozen(
    config: &crate::model::RepoConfig,
    mut plan: crate::plan::Plan,
    now: jiff::Timestamp,
    break_glass: Option<&str>,
) -> (crate::plan::Plan, Option<crate::freeze::FreezeReport>) {
    use crate::freeze::{FreezeRef, FreezeReport, Frozen};
    let mut report = FreezeReport {
        break_glass: break_glass.map(str::to_owned),
        ..FreezeReport::default()
    };
    plan.targets.retain(|t| {
        if t.action == crate::plan::Action::Unchanged {
            return true;
        }
        let Some((index, freeze)) =
            crate::freeze::active(config, &t.id.application, &t.id.environment, now)
        else {
            return true;
        };
        let frozen = Frozen {
            id: t.id.clone(),
            freeze: FreezeRef::new(index, freeze),
        };
        if break_glass.is_some() {
            report.broken.push(frozen);
            true
        } else {
            report.held.push(frozen);
            false
        }
    });
    let any = !report.is_empty();
    (plan, any.then_some(report))
}

/// Records the break-glass apply in the drift ledger before anything is deployed, so the
/// record exists whatever happens next; fails (deploying nothing) when it cannot be written.
fn record_break_glass(
    checked: &super::live::Checked,
    commit: &str,
    mut report: crate::freeze::FreezeReport,
) -> anyhow::Result<crate::freeze::FreezeReport> {
    use crate::ledger::{self, BreakGlassRecord, Record};
    let config = checked.config();
    let reason = report.break_glass.clone().unwrap_or_default();
    let targets: Vec<String> = report
        .broken
        .iter()
        .map(|f| format!("{}/{}/{}", f.id.application, f.id.environment, f.id.profile))
        .collect();
    let mut freezes: Vec<String> = report
        .broken
        .iter()
        .map(|f| {
            format!(
                "{} ({} to {})",
                f.freeze.reason, f.freeze.from, f.freeze.until
            )
        })
        .collect();
    freezes.dedup();
    let record = BreakGlassRecord {
        id: ledger::new_id(&format!("{reason}{}", targets.join(","))),
        // A reason is prose, but one pasted with a token in it must not reach git.
        reason: if crate::check::rules::looks_secret("reason", &reason).is_some() {
            "<redacted>".to_owned()
        } else {
            reason.clone()
        },
        targets,
        freezes,
        commit: commit.to_owned(),
        by: ledger::actor(&checked.root),
        at: jiff::Timestamp::now().to_string(),
    };
    let id = record.id.clone();
    ledger::commit(
        &checked.root,
        &config.ledger_dir,
        ledger::BRANCH,
        &[Record::BreakGlass(record)],
        &format!("drift ledger: break-glass apply\n\nRecorded by flagops apply --break-glass at {commit}."),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot record the break-glass apply in the drift ledger, so nothing was deployed: {e}"
        )
    })?;
    report.ledger_record = Some(id);
    Ok(report)
}
