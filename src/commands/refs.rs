//! `flagops refs`: where application code reads each flag; flags defined but never read, and
//! names read as flags that no flag file defines.

use std::collections::BTreeSet;

use anyhow::bail;

use crate::cli::RefsArgs;
use crate::exit::Exit;
use crate::finding::Location;
use crate::load::CONFIG_FILE;
use crate::model::config::RefsConfig;
use crate::output::{self, refs::FlagRefs, refs::RefsReport};

pub fn run(args: &RefsArgs) -> anyhow::Result<Exit> {
    let root = super::repo_root(&args.repo.repo)?;
    // The model only: the rules' findings are `check`'s to report, and the code-references
    // rule would scan the code once more.
    let (loaded, model) = crate::check::model(&root);
    let Some(config) = &model.config else {
        bail!("{CONFIG_FILE} is not valid: run `flagops check`");
    };
    let settings = match &config.refs {
        Some(s) => s.clone(),
        None => serde_json::from_value::<RefsConfig>(serde_json::json!({}))?,
    };
    let keys: BTreeSet<String> = model.flags().map(|f| f.key.to_owned()).collect();
    let skip = [
        config.flags_dir.as_str(),
        CONFIG_FILE,
        config.ledger_dir.as_str(),
    ];
    let scan = match crate::refs::scan(&root, &settings, &args.paths, &keys, &skip) {
        Ok(scan) => scan,
        Err(errors) => bail!(
            "{}",
            errors
                .iter()
                .map(|e| format!("{CONFIG_FILE} at {}: {}", e.pointer, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    let flags: Vec<FlagRefs<'_>> = model
        .flags()
        .map(|f| {
            let at = Location::key(f.file, f.pointer());
            FlagRefs {
                key: f.key,
                application: f.application,
                profile: f.profile,
                file: f.file,
                line: loaded.sources.resolve(&at).span.map_or(0, |s| s.line),
                references: scan.of(f.key).collect(),
            }
        })
        .collect();
    let out = RefsReport {
        flags,
        undefined: scan
            .references
            .iter()
            .filter(|r| r.keys.is_empty())
            .collect(),
        files: scan.files,
        problems: &scan.problems,
        patterns: !settings.patterns.is_empty(),
    };
    output::refs::emit(&out, args.format)?;
    Ok(Exit::for_refs(&out))
}
