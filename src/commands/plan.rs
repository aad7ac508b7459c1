//! `flagops plan`: per target and flag, what would change live. Never writes.

use crate::cli::{PlanArgs, PlanFormat};
use crate::exit::Exit;
use crate::output;

pub fn run(args: &PlanArgs) -> anyhow::Result<Exit> {
    let Some(checked) = super::live::checked(&args.repo.repo, args.today)? else {
        return Ok(Exit::Findings);
    };
    let targets = checked.targets(&args.filter);
    let runtime = super::live::runtime()?;
    let (plan, backend_name) = runtime.block_on(async {
        let backend = super::live::backend(&args.backend, checked.config(), &checked.root).await?;
        let (_, live) = crate::live::read(&backend, &targets).await?;
        anyhow::Ok((
            crate::plan::plan(
                checked.config(),
                &checked.report.model,
                &targets,
                &live,
                &args.retry,
            ),
            backend.name(),
        ))
    })?;
    let text = match args.format {
        PlanFormat::Human => output::plan::human::render(&plan, &backend_name),
        PlanFormat::Markdown => output::plan::markdown::render(&plan, &backend_name),
        PlanFormat::Json => output::plan::json::render(&plan, &backend_name),
    };
    output::print(&text)?;
    if args.format != PlanFormat::Markdown {
        output::append_step_summary(&output::plan::markdown::render(&plan, &backend_name))?;
    }
    output::actions::set_output(
        "has_changes",
        if plan.has_changes() { "true" } else { "false" },
    )?;
    Ok(if plan.has_changes() || plan.has_holds() {
        Exit::Findings
    } else {
        Exit::Clean
    })
}
