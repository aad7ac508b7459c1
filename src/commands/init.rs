//! `flagops init`: start a flags repository.

use crate::cli::InitArgs;
use crate::exit::Exit;
use crate::output;

pub fn run(args: &InitArgs) -> anyhow::Result<Exit> {
    let report = crate::init::scaffold(&args.dir, &args.application)?;
    output::print(&output::init::render(&report))?;
    Ok(Exit::Clean)
}
