//! `flagops compile`: the documents AppConfig will serve, printed or written per target, byte
//! for byte what apply uploads (indented with `--pretty`).

use anyhow::Context as _;

use crate::check::scope::Purpose;
use crate::cli::CompileArgs;
use crate::compile::canonical;
use crate::exit::Exit;
use crate::output;

pub fn run(args: &CompileArgs) -> anyhow::Result<Exit> {
    // What fails check would be rejected at apply: show why (on stderr) instead of half a result.
    let purpose = Purpose::Deploy;
    let Some(checked) =
        super::live::checked(&args.repo.repo, args.today.date(), purpose, &args.filter)?
    else {
        return Ok(Exit::refused());
    };
    let targets = checked.targets();
    let render = |target: &crate::compile::Target| {
        if args.pretty {
            canonical::pretty(&target.document) + "\n"
        } else {
            target.content()
        }
    };
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
                crate::fsutil::write_atomic(&path, render(target))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        None => {
            // Documents on stdout, a stream `jq` reads; which target each is, on stderr.
            for target in &targets {
                let header = format!("# {} ({})\n", target.id, target.kind.appconfig_type());
                output::print_stderr(&header);
                output::print(&format!("{}\n", render(target).trim_end_matches('\n')))?;
            }
        }
    }
    // The targets check errors hold back were printed with their findings, on stderr.
    Ok(Exit::for_compile(&checked.blocked))
}
