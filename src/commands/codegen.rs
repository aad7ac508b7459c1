//! `flagops codegen`: flag keys and fallback values as source code, printed, written, or
//! compared with a file (`--check`, for CI: exit 2 when the file is out of date).

use anyhow::{Context as _, bail};

use crate::check::scope::Purpose;
use crate::cli::CodegenArgs;
use crate::codegen::{self, Options};
use crate::exit::Exit;
use crate::output;

pub fn run(args: &CodegenArgs) -> anyhow::Result<Exit> {
    let (today, purpose) = (jiff::Zoned::now().date(), Purpose::Deploy);
    let every = crate::cli::TargetFilter::default();
    let checked = super::live::checked(&args.repo.repo, today, purpose, &every)?;
    // Fallback values from files that fail check would be wrong in code.
    let Some(checked) = checked.filter(|c| c.blocked.is_empty()) else {
        return Ok(Exit::refused());
    };
    let options = Options {
        lang: args.lang,
        environment: args.environment.as_deref(),
        application: args.application.as_deref(),
        profile: args.profile.as_deref(),
        package: &args.package,
    };
    let source = match codegen::generate(&checked.report.model, &options) {
        Ok(source) => source,
        Err(why) => bail!("{why}"),
    };
    let Some(path) = &args.out else {
        output::print(&source)?;
        return Ok(Exit::Clean);
    };
    let current = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let is_current = current.as_deref() == Some(source.as_str());
    if args.check {
        if !is_current {
            let path = path.display().to_string();
            output::print_stderr(&output::codegen::stale(&path, current.is_none()));
        }
        return Ok(Exit::for_codegen_check(is_current));
    }
    if !is_current {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        crate::fsutil::write_atomic(path, &source)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(Exit::Clean)
}
