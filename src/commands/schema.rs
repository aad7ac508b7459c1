//! `flagops schema` and `flagops rules`: the file formats and the rule catalog, from the code.

use anyhow::Context as _;

use crate::check::schema;
use crate::cli::{RulesArgs, SchemaArgs};
use crate::exit::Exit;
use crate::finding::catalog;
use crate::output;

pub fn run(args: &SchemaArgs) -> anyhow::Result<Exit> {
    let dir = args.repo.repo.join("schemas");
    if args.check {
        let stale = schema::stale(&dir);
        output::print(&output::schema::stale(&stale))?;
        return Ok(Exit::for_schema_check(&stale));
    }
    if !args.write {
        output::schema::emit_documents(&schema::files())?;
        return Ok(Exit::Clean);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, text) in schema::files() {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(Exit::Clean)
}

pub fn rules(args: &RulesArgs) -> anyhow::Result<Exit> {
    output::rules::emit(catalog::ALL, args.format)?;
    Ok(Exit::Clean)
}
