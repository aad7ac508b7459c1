//! `flagops check`: load → check → compile, then report every finding.

use std::path::PathBuf;

use crate::cache::Store;
use crate::cli::CheckArgs;
use crate::cli::Format;
use crate::exit::Exit;
use crate::output::{self, check::CheckOutput};

pub fn run(args: &CheckArgs) -> anyhow::Result<Exit> {
    let root = super::repo_root(&args.repo.repo)?;
    let store = match (&args.cache_dir, args.no_cache) {
        (_, true) => Store::none(),
        (Some(dir), false) => Store::at(dir.clone()),
        (None, false) => Store::at(root.join(crate::cache::DEFAULT_DIR)),
    };
    let (loaded, mut report) =
        crate::check::incremental::repository(&root, args.today.date(), &store);

    if !args.paths.is_empty() {
        let wanted = relative_paths(&root, &args.paths);
        // A path that names no file read (a typo) would report nothing, and pass.
        let covers = |w: &String, file: &str| {
            w.is_empty() || file == w || file.starts_with(&format!("{w}/"))
        };
        for (given, w) in args.paths.iter().zip(&wanted) {
            if !loaded.sources.iter().any(|s| covers(w, &s.path)) {
                let known = loaded.sources.iter().map(|s| s.path.as_str());
                anyhow::bail!(
                    "{} names no file flagops reads: {}",
                    given.display(),
                    crate::model::config::unknown("file", w, known)
                );
            }
        }
        report.findings.retain(|f| {
            let file = f.location.file();
            wanted
                .iter()
                .any(|w| file == w || file.starts_with(&format!("{w}/")) || w.is_empty())
        });
    }

    let prefix = super::repo_prefix(&root);
    let out = CheckOutput {
        repo_prefix: &prefix,
        ..CheckOutput::of(&loaded, &report)
    };
    output::print(&output::check::render(
        args.format,
        &out,
        output::stdout_has_color(),
    ))?;
    if args.format != Format::Markdown {
        output::append_step_summary(&output::check::render(Format::Markdown, &out, false))?;
    }
    Ok(Exit::for_check(out.findings))
}

/// Repository-relative forms of the paths given on the command line.
fn relative_paths(root: &std::path::Path, paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| {
            let abs = std::fs::canonicalize(p).unwrap_or_else(|_| root.join(p));
            let rel = abs
                .strip_prefix(root)
                .map(|r| r.to_path_buf())
                .unwrap_or_else(|_| p.clone());
            rel.to_string_lossy()
                .replace('\\', "/")
                .trim_end_matches('/')
                .to_owned()
        })
        .collect()
}
