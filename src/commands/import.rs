//! `flagops import`: reads an existing AppConfig setup and writes flagops.yaml, flag files and
//! schemas that compile back to exactly what is live; then checks and plans the result in
//! process, so the report says whether `check` passes and `plan` is empty.

use anyhow::Context as _;

use crate::cli::ImportArgs;
use crate::exit::Exit;
use crate::import::{self, write};
use crate::live::BackendSpec;
use crate::output;

pub fn run(args: &ImportArgs) -> anyhow::Result<Exit> {
    std::fs::create_dir_all(&args.repo)
        .with_context(|| format!("cannot create {}", args.repo.display()))?;
    let root = std::fs::canonicalize(&args.repo)
        .with_context(|| format!("cannot open {}", args.repo.display()))?;
    let spec = (args.backend.backend.clone()).unwrap_or(BackendSpec::AppConfig);
    let (account, live, backend_name, notes) = super::live::runtime()?.block_on(async {
        let backend = super::live::backend_at(&spec, &root).await;
        let account = backend.describe(&args.applications).await?;
        let mut notes = Vec::new();
        let targets = import::targets(&account, &mut notes);
        let refs: Vec<&crate::compile::Target> = targets.iter().collect();
        let (_, live) = crate::live::read(&backend, &refs).await?;
        anyhow::Ok((account, live, backend.name(), notes))
    })?;
    let imported = import::build(&account, &live, notes);
    write::write(&root, &imported.files, args.force)?;
    // The local backend's state is no part of the repository.
    crate::init::ensure_ignored(&root.join(".gitignore"))?;
    let report = write::verify(&root, args.today.date(), imported, &live, backend_name);
    output::import::emit(&report, args.format)?;
    Ok(Exit::for_import(&report))
}
