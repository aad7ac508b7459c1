//! `flagops schema`: the schemas as documents, and whether the committed ones are current.

/// Every schema, each under a `# name` line.
pub fn documents(files: &[(&str, String)]) -> String {
    (files.iter())
        .map(|(name, text)| format!("# {name}\n{text}"))
        .collect()
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
