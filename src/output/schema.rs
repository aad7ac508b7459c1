//! `flagops schema`: the schemas as documents, and whether the committed ones are current.

/// Every schema on stdout, one JSON document after the other (a stream `jq` reads), each
/// named by a `# name` line on stderr.
pub fn emit_documents(files: &[(&str, String)]) -> std::io::Result<()> {
    for (name, text) in files {
        super::print_stderr(&format!("# {name}\n"));
        super::print(text)?;
    }
    Ok(())
}

/// What `flagops schema --check` says about the stale files.
pub fn stale(stale: &[String]) -> String {
    if stale.is_empty() {
        "schemas are current\n".to_owned()
    } else {
        format!(
            "stale: {} (regenerate with `flagops schema --write`)\n",
            stale.join(", ")
        )
    }
}
