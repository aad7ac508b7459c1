//! `flagops watch`: follows running deployments to their end, with apply's exit codes.

use std::time::Duration;

use crate::check::scope::Purpose;
use crate::cli::WatchArgs;
use crate::exit::Exit;
use crate::output;
use crate::watch::WatchReport;

pub fn run(args: &WatchArgs) -> anyhow::Result<Exit> {
    let today = jiff::Zoned::now().date();
    let Some(checked) =
        super::live::checked(&args.repo.repo, today, Purpose::Monitor, &args.filter)?
    else {
        return Ok(Exit::refused());
    };
    let targets = checked.targets();
    let router = super::live::router(
        &args.backend,
        checked.config(),
        &checked.root,
        crate::live::location::Access::Read,
    )?;
    let bars = output::progress::Bars::on_terminal();
    let progress: &dyn crate::apply::Progress = match &bars {
        Some(bars) => bars,
        None => &output::progress::Timestamped,
    };
    let report = super::live::runtime()?.block_on(async {
        let located = router.locate(&targets).await;
        let follow = located.iter().map(|here| async move {
            let backend = here.backend.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
            let (_, live) = crate::live::read(backend, &here.targets).await?;
            anyhow::Ok(
                crate::watch::follow(
                    backend,
                    &live,
                    Duration::from_secs(args.poll_seconds),
                    Duration::from_secs(args.timeout_minutes * 60),
                    progress,
                )
                .await?,
            )
        });
        let mut watched = Vec::new();
        for result in futures_util::future::join_all(follow).await {
            watched.extend(result?);
        }
        anyhow::Ok(WatchReport {
            watched,
            targets: targets.len(),
            backend: router.name(),
        })
    })?;
    drop(bars);
    output::print(&output::watch::render(&report))?;
    Ok(Exit::for_watch(&report))
}
