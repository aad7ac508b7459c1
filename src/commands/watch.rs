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
    let report = super::live::runtime()?.block_on(async {
        let backend = super::live::backend(&args.backend, checked.config(), &checked.root).await?;
        let (_, live) = crate::live::read(&backend, &targets).await?;
        let watched = crate::watch::follow(
            &backend,
            &live,
            Duration::from_secs(args.poll_seconds),
            Duration::from_secs(args.timeout_minutes * 60),
            &output::progress::Timestamped,
        )
        .await?;
        anyhow::Ok(WatchReport {
            watched,
            targets: targets.len(),
            backend: backend.name(),
        })
    })?;
    output::print(&output::watch::render(&report))?;
    Ok(Exit::for_watch(&report))
}
