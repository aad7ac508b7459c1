//! `flagops compile`: the documents AppConfig will serve, printed or written per target.

use anyhow::Context as _;

use crate::cli::CompileArgs;
use crate::compile::canonical;
use crate::exit::Exit;
use crate::finding::Severity;
use crate::output::{self, CheckOutput, Format};

pub fn run(args: &CompileArgs) -> anyhow::Result<Exit> {
    let root = super::repo_root(&args.repo.repo)?;
    let (loaded, report) = super::load_and_check(&root, super::today(args.today));
    if report.errors() > 0 {
        // What fails check would be rejected at apply: show why instead of half a result.
        let errors: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .cloned()
            .collect();
        let out = CheckOutput {
            findings: &errors,
            sources: &loaded.sources,
            files: loaded.sources.iter().count(),
            targets: 0,
        };
        output::print(&output::render_check(
            Format::Human,
            &out,
            output::stdout_has_color(),
        ))?;
        return Ok(Exit::Findings);
    }
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
                // Write to a temporary file and rename, so a reader never sees half a document.
                let tmp = path.with_extension("json.tmp");
                std::fs::write(&tmp, canonical::pretty(&target.document) + "\n")
                    .with_context(|| format!("cannot write {}", tmp.display()))?;
                std::fs::rename(&tmp, &path)
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
