//! `flagops init`: a new flags repository that `check` passes as it stands: flagops.yaml with
//! one application (staging and production, a canary and an instant strategy), an example flag
//! file with its schema modeline, the JSON Schemas, the three workflows, and `.flagops/` in
//! .gitignore. Nothing that exists is overwritten.

use std::path::{Path, PathBuf};

/// What init wrote, and what it found already there and left alone.
#[derive(Debug, Default, serde::Serialize)]
pub struct InitReport {
    pub dir: PathBuf,
    pub written: Vec<String>,
    pub kept: Vec<String>,
}

const WORKFLOWS: [(&str, &str); 3] = [
    (
        ".github/workflows/flagops-check.yml",
        include_str!("../../.github/workflows/flagops-check.yml"),
    ),
    (
        ".github/workflows/flagops-apply.yml",
        include_str!("../../.github/workflows/flagops-apply.yml"),
    ),
    (
        ".github/workflows/flagops-drift.yml",
        include_str!("../../.github/workflows/flagops-drift.yml"),
    ),
];

const GITIGNORE_ENTRY: &str = "/.flagops/";

/// Writes the repository into `dir` for application `application`. Fails, writing nothing,
/// when `dir` already holds a flagops.yaml.
pub fn scaffold(dir: &Path, application: &str) -> anyhow::Result<InitReport> {
    let config = dir.join(crate::load::CONFIG_FILE);
    if config.exists() {
        anyhow::bail!(
            "{} already exists: this is a flagops repository already (`flagops check` checks it)",
            config.display()
        );
    }
    if application.is_empty() || application.chars().count() > 64 {
        anyhow::bail!("an AppConfig application name has 1 to 64 characters");
    }
    let name = serde_json::to_string(application)?;
    let mut files: Vec<(String, String)> = vec![
        (crate::load::CONFIG_FILE.to_owned(), config_file(&name)),
        ("flags/example.yaml".to_owned(), flag_file(&name)),
    ];
    for (file, text) in crate::check::schema::files() {
        files.push((format!("schemas/{file}"), text));
    }
    for (path, text) in WORKFLOWS {
        files.push((path.to_owned(), text.to_owned()));
    }
    let mut report = InitReport {
        dir: dir.to_path_buf(),
        ..InitReport::default()
    };
    for (rel, text) in files {
        let path = dir.join(&rel);
        if path.exists() {
            report.kept.push(rel);
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
        }
        crate::fsutil::write_atomic(&path, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        report.written.push(rel);
    }
    if ensure_ignored(&dir.join(".gitignore"))? {
        report.written.push(".gitignore".to_owned());
    }
    Ok(report)
}

/// Adds `.flagops/` (the local backend's state) to .gitignore; whether it had to.
pub fn ensure_ignored(gitignore: &Path) -> anyhow::Result<bool> {
    let current = std::fs::read_to_string(gitignore).unwrap_or_default();
    if current.lines().any(|l| {
        matches!(
            l.trim(),
            "/.flagops/" | ".flagops/" | ".flagops" | "/.flagops"
        )
    }) {
        return Ok(false);
    }
    let mut text = current;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(GITIGNORE_ENTRY);
    text.push('\n');
    crate::fsutil::write_atomic(gitignore, text)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", gitignore.display()))?;
    Ok(true)
}

fn config_file(name: &str) -> String {
    format!(
        "# yaml-language-server: $schema=schemas/flagops.schema.json
# The AppConfig applications, environments and profiles this repository manages
# (README, \"flagops.yaml\"). `flagops check` checks it; `flagops plan` shows what apply would do.
version: 1
default_branch: main
strategies:
  canary:
    description: A tenth of the fleet, then all of it, with a five-minute bake
    duration_minutes: 10
    bake_minutes: 5
    growth_factor: 10
  instant:
    description: Everyone at once without a bake, for kill switches and ops toggles
    duration_minutes: 0
    bake_minutes: 0
    growth_factor: 100
applications:
  {name}:
    environments:
      staging: {{ strategy: instant }}
      production:
        strategy: canary
        urgent_strategy: instant
        production: true
        # monitors:
        #   - alarm_arn: arn:aws:cloudwatch:REGION:ACCOUNT:alarm:5xx-rate
        #     alarm_role_arn: arn:aws:iam::ACCOUNT:role/appconfig-alarm-reader
    profiles:
      flags: {{ type: feature-flags }}
"
    )
}

fn flag_file(name: &str) -> String {
    format!(
        "# yaml-language-server: $schema=../schemas/flags.schema.json
application: {name}
profile: flags
flags:
  checkout_kill_switch:
    name: Checkout kill switch
    description: Turns checkout off at once if it misbehaves
    owner: team-checkout
    class: kill-switch
    defaults:
      enabled: false
"
    )
}
