//! `flagops drift`: what AppConfig serves that git does not say, classified, and recorded.

use std::collections::HashMap;

use crate::cli::{DriftArgs, FailOn, PlanFormat};
use crate::drift::{self, Class, FlagDrift};
use crate::exit::Exit;
use crate::ledger::{self, FindingRecord, Record, Resolution, ResolutionRecord};
use crate::output::drift::Reported;
use crate::output::{self};

pub fn run(args: &DriftArgs) -> anyhow::Result<Exit> {
    let Some(checked) = super::live::checked(&args.repo.repo, args.today)? else {
        return Ok(Exit::Findings);
    };
    let config = checked.config();
    let targets = checked.targets(&args.filter);
    let runtime = super::live::runtime()?;
    let (findings, backend_name) = runtime.block_on(async {
        let backend = super::live::backend(&args.backend, config, &checked.root).await?;
        anyhow::Ok((detect(&backend, &checked, &targets).await?, backend.name()))
    })?;

    let book = ledger::read(&checked.root, &config.ledger_dir)?;
    let fingerprints = fingerprints(&findings);
    let recorded: Vec<Option<(String, Option<&'static str>)>> = fingerprints
        .iter()
        .map(|fp| {
            book.records.values().find_map(|r| match r {
                Record::Finding(f) if &f.fingerprint == fp => {
                    Some((f.id.clone(), book.resolution_of(&f.id).map(resolution_name)))
                }
                _ => None,
            })
        })
        .collect();

    if args.record {
        record(&checked, &targets, &findings, &fingerprints, &book)?;
    }

    let reported: Vec<Reported<'_>> = findings
        .iter()
        .zip(recorded)
        .map(|(finding, recorded)| Reported { finding, recorded })
        .collect();
    let text = match args.format {
        PlanFormat::Human => output::drift::human::render(&reported, targets.len(), &backend_name),
        PlanFormat::Markdown => {
            output::drift::markdown::render(&reported, targets.len(), &backend_name)
        }
        PlanFormat::Json => output::drift::json::render(&reported, targets.len(), &backend_name),
    };
    output::print(&text)?;
    if args.format != PlanFormat::Markdown {
        output::append_step_summary(&output::drift::markdown::render(
            &reported,
            targets.len(),
            &backend_name,
        ))?;
    }
    output::actions::set_output("drift", if findings.is_empty() { "false" } else { "true" })?;
    let failing = match args.fail_on {
        FailOn::Any => !reported.is_empty(),
        FailOn::New => reported.iter().any(|r| r.recorded.is_none()),
    };
    Ok(if failing { Exit::Findings } else { Exit::Clean })
}

fn resolution_name(r: Resolution) -> &'static str {
    match r {
        Resolution::ReApplied => "re-applied",
        Resolution::Adopted => "adopted",
        Resolution::Acknowledged => "acknowledged",
        Resolution::Superseded => "superseded",
    }
}

/// The flags with values that look like secrets replaced, for the ledger (kept in git).
fn redacted(flags: &[FlagDrift]) -> Vec<FlagDrift> {
    let hide = |name: &str, v: &Option<serde_json::Value>| -> Option<serde_json::Value> {
        let text = match v {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => return None,
        };
        if crate::check::rules::looks_secret(name, &text).is_some() {
            Some(serde_json::Value::String("<redacted>".into()))
        } else {
            v.clone()
        }
    };
    flags
        .iter()
        .map(|f| FlagDrift {
            key: f.key.clone(),
            console_owned: f.console_owned,
            fields: f
                .fields
                .iter()
                .map(|x| drift::FieldDrift {
                    field: x.field.clone(),
                    desired: hide(&x.field, &x.desired),
                    live: hide(&x.field, &x.live),
                })
                .collect(),
        })
        .collect()
}

/// Detects drift on `targets`: live state, plus each profile's hosted versions for staged.
pub async fn detect(
    backend: &crate::live::Backend,
    checked: &super::live::Checked,
    targets: &[&crate::compile::Target],
) -> anyhow::Result<Vec<drift::Finding>> {
    let (inventory, live) = crate::live::read(backend, targets).await?;
    let mut versions = HashMap::new();
    for t in targets {
        let key = (t.id.application.clone(), t.id.profile.clone());
        if versions.contains_key(&key) {
            continue;
        }
        if let Some(app) = inventory.applications.get(&t.id.application)
            && let Some((profile_id, _)) = app.profiles.get(&t.id.profile)
        {
            versions.insert(key, backend.versions(&app.id, profile_id).await?);
        }
    }
    Ok(drift::detect(
        &checked.report.model,
        targets,
        &live,
        &versions,
    ))
}

/// The fingerprints of `findings`, as the ledger keys them.
pub fn fingerprints(findings: &[drift::Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            ledger::fingerprint(
                &f.target,
                f.class,
                f.deployment,
                f.version,
                &redacted(&f.flags),
            )
        })
        .collect()
}

/// Appends new findings to the ledger and resolves open ones on `targets` no longer seen,
/// committed on the ledger branch.
pub fn record(
    checked: &super::live::Checked,
    targets: &[&crate::compile::Target],
    findings: &[drift::Finding],
    fingerprints: &[String],
    book: &ledger::Ledger,
) -> anyhow::Result<()> {
    let config = checked.config();
    let commit = crate::git::head(&checked.root, &[])
        .map(|h| h.sha)
        .unwrap_or_else(|_| "unknown".into());
    let now = jiff::Timestamp::now().to_string();
    let mut records = Vec::new();
    for (f, fp) in findings.iter().zip(fingerprints) {
        // Recorded once while open; a resolved one that comes back is a new finding. Pending
        // and in-flight are passing states, not events worth a record.
        if matches!(f.class, Class::Pending | Class::InFlight)
            || book.open().iter().any(|o| &o.fingerprint == fp)
        {
            continue;
        }
        let flags = redacted(&f.flags);
        records.push(Record::Finding(FindingRecord {
            id: ledger::new_id(fp),
            fingerprint: fp.clone(),
            application: f.target.application.clone(),
            environment: f.target.environment.clone(),
            profile: f.target.profile.clone(),
            class: f.class,
            message: f.message.clone(),
            flags,
            desired_commit: commit.clone(),
            desired_digest: f.desired_digest.clone(),
            live_version: f.live_version,
            live_deployment: f.live_deployment,
            deployment: f.deployment,
            version: f.version,
            trigger: f.trigger.clone(),
            occurred_at: f.at.clone(),
            detected_at: now.clone(),
        }));
    }
    // Open findings of the targets looked at that are no longer seen: git is live again.
    for open in book.open() {
        let looked_at = targets.iter().any(|t| {
            t.id.application == open.application
                && t.id.environment == open.environment
                && t.id.profile == open.profile
        });
        if looked_at && !fingerprints.contains(&open.fingerprint) {
            let superseded = findings.iter().any(|f| {
                f.target.application == open.application
                    && f.target.environment == open.environment
                    && f.target.profile == open.profile
                    && f.class == open.class
            });
            records.push(Record::Resolution(ResolutionRecord {
                id: ledger::new_id(&open.id),
                resolves: open.id.clone(),
                resolution: if superseded {
                    Resolution::Superseded
                } else {
                    Resolution::ReApplied
                },
                commit: commit.clone(),
                at: now.clone(),
                note: None,
            }));
        }
    }
    let (new_findings, resolutions) = records.iter().fold((0, 0), |(f, r), rec| {
        if matches!(rec, Record::Finding(_)) {
            (f + 1, r)
        } else {
            (f, r + 1)
        }
    });
    let message = format!(
        "drift ledger: {new_findings} finding(s), {resolutions} resolution(s)\n\nRecorded by flagops drift --record at {commit}."
    );
    match ledger::commit(
        &checked.root,
        &config.ledger_dir,
        ledger::BRANCH,
        &records,
        &message,
    )? {
        Some(oid) => output::print_stderr(&format!(
            "recorded {new_findings} finding(s) and {resolutions} resolution(s) on branch {} ({})\n",
            ledger::BRANCH,
            &oid.to_string()[..12]
        )),
        None => output::print_stderr("the ledger already has every finding\n"),
    }

    Ok(())
}
