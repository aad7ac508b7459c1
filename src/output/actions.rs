//! The GitHub Actions environment: step outputs (`$GITHUB_OUTPUT`) and log groups.

use std::io::Write;

/// Whether flagops runs inside a GitHub Actions job.
pub fn in_actions() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// Sets a step output, when `GITHUB_OUTPUT` is set. Values are single-line here.
pub fn set_output(name: &str, value: &str) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(file, "{name}={}", value.replace(['\r', '\n'], " "))
}
