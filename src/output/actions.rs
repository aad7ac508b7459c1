//! The GitHub Actions environment: step outputs (`$GITHUB_OUTPUT`) and log groups.

use std::io::Write;

/// Whether flagops runs inside a GitHub Actions job.
pub fn in_actions() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// "of `abc1234def0` ([run](…/actions/runs/N))" for the workflow run, when in one: what a plan
/// comment names so that a reader can tell a current one from a stale one.
pub fn run_reference() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let sha = var("GITHUB_SHA")?;
    let link = match (
        var("GITHUB_SERVER_URL"),
        var("GITHUB_REPOSITORY"),
        var("GITHUB_RUN_ID"),
    ) {
        (Some(server), Some(repo), Some(run)) => {
            format!(" ([run]({server}/{repo}/actions/runs/{run}))")
        }
        _ => String::new(),
    };
    Some(format!("of `{}`{link}", sha.get(..12).unwrap_or(&sha)))
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
