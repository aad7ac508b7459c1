//! One module per command: each wires the pipeline stages together and hands the result to
//! the output layer. Commands return the exit status; errors become exit 1 in `run`.

pub mod adopt;
pub mod apply;
pub mod check;
pub mod codegen;
pub mod compile;
pub mod completions;
pub mod drift;
pub mod import;
pub mod init;
pub mod ledger;
pub mod live;
pub mod plan;
pub mod refs;
pub mod schema;
pub mod status;
pub mod stop;
pub mod watch;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::cli::{Cli, Command};
use crate::exit::Exit;
use crate::load;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    crate::output::log::init(&cli.global);
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Drift(args) => drift::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Watch(args) => watch::run(&args),
        Command::Adopt(args) => adopt::run(&args),
        Command::Stop(args) => stop::run(&args),
        Command::Ledger(command) => ledger::run(&command),
        Command::Import(args) => import::run(&args),
        Command::Refs(args) => refs::run(&args),
        Command::Codegen(args) => codegen::run(&args),
        Command::Rules(args) => schema::rules(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Completions(args) => completions::completions(&args),
        Command::Man => completions::man(),
    }
}

/// The repository root at or above `start`.
/// Where the flagops root `root` is inside its git work tree, with `/` separators
/// (`deploy/flags`), or empty when it is the work tree's root or not in a git repository:
/// what SARIF and annotation paths start with.
pub fn repo_prefix(root: &Path) -> String {
    let Ok(repo) = crate::git::open(root) else {
        return String::new();
    };
    if repo.workdir().is_none() {
        return String::new();
    }
    let prefix = crate::git::root_prefix(&repo, root);
    prefix
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(name) => Some(name.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

pub fn repo_root(start: &Path) -> anyhow::Result<PathBuf> {
    let start =
        std::fs::canonicalize(start).with_context(|| format!("cannot open {}", start.display()))?;
    match load::find_root(&start) {
        Some(root) => Ok(root),
        None => bail!(
            "no {} found in {} or any parent directory; is this a flagops repository?",
            load::CONFIG_FILE,
            start.display()
        ),
    }
}
