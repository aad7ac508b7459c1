//! `flagops compile`: the documents AppConfig will serve, printed or written per target.

use anyhow::Context as _;

use crate::cli::CompileArgs;
use crate::compile::canonical;
use crate::exit::Exit;
use crate::output;

pub fn run(args: &CompileArgs) -> anyhow::Result<Exit> {
    // What fails check would be rejected at apply: show why (on stderr) instead of half a result.
    let Some(checked) = super::live::checked(&args.repo.repo, args.today.date())? else {
        return Ok(Exit::Findings);
    };
    let report = &checked.report;
    let targets: Vec<_> = report
        .compiled
        .targets
        .iter()
        .filter(|t| args.filter.matches(&t.id))
        .collect();
    match &args.out {
        Some(dir) => {
            for target in &targets {
                let path = dir
                    .join(&target.id.application)
                    .join(&target.id.environment)
                    .join(format!("{}.json", target.id.profile));
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("cannot create {}", parent.display()))?;
                }
                crate::fsutil::write_atomic(&path, canonical::pretty(&target.document) + "\n")
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        None => {
            let mut text = String::new();
            for target in &targets {
                text.push_str(&format!(
                    "# {} ({})\n{}\n",
                    target.id,
                    target.kind.appconfig_type(),
                    canonical::pretty(&target.document)
                ));
            }
            output::print(&text)?;
        }
    }
    Ok(Exit::Clean)
}
