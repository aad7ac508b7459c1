//! `flagops schema` and `flagops rules`: the file formats and the rule catalog, from the code.

use anyhow::Context as _;

use crate::check::schema::{config_schema, flags_schema};
use crate::cli::{RulesArgs, SchemaArgs};
use crate::exit::Exit;
use crate::finding::catalog;
use crate::output;

pub fn run(args: &SchemaArgs) -> anyhow::Result<Exit> {
    let files = [
        ("flagops.schema.json", config_schema()),
        ("flags.schema.json", flags_schema()),
    ];
    if args.check {
        let dir = args.repo.repo.join("schemas");
        let mut stale = Vec::new();
        for (name, schema) in &files {
            let want = serde_json::to_string_pretty(schema)? + "\n";
            if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(want.as_str()) {
                stale.push(format!("schemas/{name}"));
            }
        }
        if stale.is_empty() {
            output::print("schemas are current\n")?;
            return Ok(Exit::Clean);
        }
        output::print(&format!(
            "stale: {} (regenerate with `flagops schema --write`)\n",
            stale.join(", ")
        ))?;
        return Ok(Exit::Findings);
    }
    if args.write {
        let dir = args.repo.repo.join("schemas");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        for (name, schema) in &files {
            let path = dir.join(name);
            std::fs::write(&path, serde_json::to_string_pretty(schema)? + "\n")
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    } else {
        let mut text = String::new();
        for (name, schema) in &files {
            text.push_str(&format!(
                "# {name}\n{}\n",
                serde_json::to_string_pretty(schema)?
            ));
        }
        output::print(&text)?;
    }
    Ok(Exit::Clean)
}

pub fn rules(args: &RulesArgs) -> anyhow::Result<Exit> {
    output::rules::emit(catalog::ALL, args.format)?;
    Ok(Exit::Clean)
}
