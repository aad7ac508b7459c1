//! `flagops plan`: per target and flag, what would change live. Never writes.

use crate::check::scope::Purpose;
use crate::cli::PlanArgs;
use crate::exit::Exit;
use crate::live::location::Unreachable;
use crate::output;

pub fn run(args: &PlanArgs) -> anyhow::Result<Exit> {
    if let Some(previous) = &args.mark_stale {
        let text = read_comment(previous)?;
        output::print(&output::plan::markdown::mark_stale(&text))?;
        return Ok(Exit::Clean);
    }
    let purpose = Purpose::Deploy;
    let Some(checked) =
        super::live::checked(&args.repo.repo, args.today.date(), purpose, &args.filter)?
    else {
        return Ok(Exit::refused());
    };
    checked
        .check_flags(&args.retry)
        .map_err(anyhow::Error::msg)?;
    let targets = checked.targets();
    let router = super::live::router(
        &args.backend,
        checked.config(),
        &checked.root,
        crate::live::location::Access::Read,
    )?;
    let (plan, backend) = super::live::runtime()?.block_on(async {
        let located = router.locate(&targets).await;
        let details = crate::live::Details::Rejected;
        let across = crate::plan::across::plan(
            &located,
            checked.config(),
            &checked.report.model,
            &checked.root,
            &args.retry,
            details,
        )
        .await;
        Unreachable::alone(&across.plan.unreachable, &located)?;
        let mut plan = across.plan;
        plan.blocked = checked.blocked.clone();
        anyhow::Ok((plan, router.name()))
    })?;
    if let Some(path) = &args.out {
        let saved = crate::plan::saved::SavedPlan::of(
            &plan,
            &crate::git::head_sha(&checked.root),
            &backend,
            super::live::selection(&args.filter, &args.retry),
        );
        let text = serde_json::to_string_pretty(&saved)? + "\n";
        crate::fsutil::write_atomic(path, text)
            .map_err(|e| anyhow::anyhow!("cannot save the plan to {}: {e}", path.display()))?;
    }
    // What apply would hold back now, and what unlocks it.
    let now = crate::freeze::now(args.now);
    let frozen = crate::freeze::frozen(checked.config(), &plan, now);
    let mut plan = plan;
    crate::freeze::hold_setup(checked.config(), &mut plan, now);
    output::plan::emit(&plan, &frozen, &backend, args.format, !args.no_diff)?;
    Ok(Exit::for_plan(&plan))
}

/// An earlier plan comment, as saved by the workflow: text, at most a few times GitHub's limit.
fn read_comment(path: &std::path::Path) -> anyhow::Result<String> {
    use std::io::Read as _;
    let limit = 4 * output::plan::markdown::GITHUB_COMMENT_LIMIT as u64;
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_string(&mut text))
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    anyhow::ensure!(
        text.len() as u64 <= limit,
        "{} is larger than a plan comment can be",
        path.display()
    );
    Ok(text)
}
