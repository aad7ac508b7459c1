//! `flagops adopt`: bring live values back into git as a reviewable change.

use crate::adopt::write::{self, WriteOptions};
use crate::check::scope::Purpose;
use crate::cli::AdoptArgs;
use crate::exit::Exit;
use crate::output;

pub fn run(args: &AdoptArgs) -> anyhow::Result<Exit> {
    let Some(checked) = super::live::checked(
        &args.repo.repo,
        args.today.date(),
        Purpose::Monitor,
        &args.filter,
    )?
    else {
        return Ok(Exit::refused());
    };
    let config = checked.config();
    if !args.no_commit {
        write::preflight(&checked.root, config)?;
    }
    checked
        .check_flags(&args.flags)
        .map_err(anyhow::Error::msg)?;
    let targets = checked.targets();
    let router = super::live::router(
        &args.backend,
        config,
        &checked.root,
        crate::live::location::Access::Read,
    )?;
    let live = super::live::runtime()?.block_on(crate::live::location::read(&router, &targets))?;
    let mut report = write::collect(&targets, &live, &args.flags);
    let options = WriteOptions {
        commit: !args.no_commit,
        checkout: args.checkout,
        today: args.today.date(),
    };
    write::write(&mut report, &checked.root, config, options)?;
    output::adopt::emit(&report, &router.name(), args.format)?;
    Ok(Exit::for_adopt(&report))
}
