//! Status for a job summary or a pull-request comment: one table, and a list of what is not
//! in sync.

use super::{expiry_note, explain, mark, not_in_sync, short_deployment, short_value, summary};
use crate::output::markdown::{cell as md, code};
use crate::status::{Cell, StatusReport, SyncState};

pub fn render(report: &StatusReport) -> String {
    let mut out = format!(
        "### flagops status\n\n{} · git {} · {}\n\n{}\n\n",
        md(&report.backend),
        commit(report, &report.commit),
        report.today,
        md(&summary(report))
    );
    if report.rows.is_empty() {
        out.push_str("No flags selected.\n");
    } else {
        out.push_str("| flag | class | owner |");
        for env in &report.environments {
            out.push_str(&format!(" {} |", md(env)));
        }
        out.push_str("\n|---|---|---|");
        out.push_str(&"---|".repeat(report.environments.len()));
        out.push('\n');
        for row in &report.rows {
            let mut flag = code(&format!("{}/{}/{}", row.application, row.profile, row.key));
            if let Some(note) = expiry_note(row) {
                if row.expiry == Some(crate::status::Expiry::Later) {
                    flag.push_str(&format!(" — {}", md(&note)));
                } else {
                    flag.push_str(&format!(" — **{}**", md(&note)));
                }
            }
            if let Some(date) = &row.deprecated {
                flag.push_str(&format!(" — deprecated {}", md(date)));
            }
            if let Some(refs) = &row.references {
                flag.push_str(&match refs.count {
                    0 => " — **no code reads it**".to_owned(),
                    n => format!(" — {n} code reference{}", if n == 1 { "" } else { "s" }),
                });
            }
            out.push_str(&format!(
                "| {flag} | {} | {} |",
                row.class.as_str(),
                md(row.owner.as_deref().unwrap_or(""))
            ));
            for c in &row.cells {
                out.push_str(&format!(" {} |", cell(report, c.as_ref())));
            }
            out.push('\n');
        }
    }
    let mut first = true;
    for (row, c) in not_in_sync(report) {
        if first {
            out.push_str("\n**Not in sync**\n\n");
            first = false;
        }
        out.push_str(&format!(
            "- {} in {}: {}\n",
            code(&format!("{}/{}/{}", row.application, row.profile, row.key)),
            md(&c.environment),
            md(&explain(c))
        ));
    }
    for b in &report.not_compared {
        out.push_str(&format!(
            "\nnot compared: {}\n",
            md(&crate::output::describe_blocked(b))
        ));
    }
    for u in &report.unreachable {
        out.push_str(&format!(
            "\nnot reached: {}\n",
            md(&crate::output::describe_unreachable(u))
        ));
    }
    out
}

fn cell(report: &StatusReport, c: Option<&Cell>) -> String {
    let Some(c) = c else {
        return "·".to_owned();
    };
    let state = if c.sync == SyncState::InSync {
        format!("{} {}", mark(c.sync), c.sync.as_str())
    } else {
        format!("**{} {}**", mark(c.sync), c.sync.as_str())
    };
    let mut parts = vec![state];
    if c.sync != SyncState::Missing {
        parts.push(md(&short_value(c.live.as_ref())));
    }
    if let Some(d) = &c.deployment {
        let text = short_deployment(d);
        parts.push(
            match d.commit.as_deref().and_then(|s| report.commit_url(s)) {
                Some(url) => format!("[{}]({url})", md(&text)),
                None => md(&text),
            },
        );
    }
    parts.join("<br>")
}

/// A commit, linked when the repository is known.
fn commit(report: &StatusReport, sha: &str) -> String {
    let short = super::short_sha(sha);
    match report.commit_url(sha) {
        Some(url) => format!("[`{short}`]({url})"),
        None => code(short),
    }
}
