//! One module per command: each wires the pipeline stages together and hands the result to
//! the output layer. Commands return the exit status; errors become exit 1 in `run`.

pub mod adopt;
pub mod apply;
pub mod check;
pub mod codegen;
pub mod compile;
pub mod drift;
pub mod import;
pub mod ledger;
pub mod live;
pub mod plan;
pub mod refs;
pub mod schema;
pub mod stop;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::cli::{Cli, Command};
use crate::exit::Exit;
use crate::load;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Drift(args) => drift::run(&args),
        Command::Adopt(args) => adopt::run(&args),
        Command::Stop(args) => stop::run(&args),
        Command::Ledger(command) => ledger::run(&command),
        Command::Import(args) => import::run(&args),
        Command::Refs(args) => refs::run(&args),
        Command::Codegen(args) => codegen::run(&args),
        Command::Rules => schema::rules(),
        Command::Schema(args) => schema::run(&args),
    }
}

/// The repository root at or above `start`.
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

/// Loads and checks the repository at `root`.
pub fn load_and_check(
    root: &Path,
    today: jiff::civil::Date,
    documents: crate::check::Documents,
) -> (load::Loaded, crate::check::Report) {
    let flags_dir = |doc: &load::yaml::Document| {
        doc.value
            .get("flags_dir")
            .and_then(|v| v.as_str())
            .unwrap_or("flags")
            .trim_end_matches('/')
            .to_owned()
    };
    let (mut loaded, files) = load::load(root, flags_dir, crate::check::type_flag_file);
    let report = crate::check::run(&mut loaded, files, today, documents);
    attach_code_sources(&mut loaded, &report.findings);
    (loaded, report)
}

/// Adds the text of files findings point into that are not flagops files (application code
/// that reads a flag), so every output format can show the line.
fn attach_code_sources(loaded: &mut load::Loaded, findings: &[crate::finding::Finding]) {
    for finding in findings {
        let crate::finding::Location::Text { file, .. } = &finding.location else {
            continue;
        };
        if loaded.sources.get(file).is_some() {
            continue;
        }
        let path = loaded.root.join(file);
        let text = std::fs::metadata(&path)
            .ok()
            .filter(|m| m.is_file() && m.len() <= load::MAX_FILE_BYTES)
            .and_then(|_| std::fs::read_to_string(&path).ok());
        if let Some(text) = text {
            loaded
                .sources
                .add(load::SourceFile::new(file.clone(), text, None));
        }
    }
}
