//! Exit codes: decided here, from each command's report.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | nothing to report |
//! | 1 | flagops could not do its job: bad usage, no repository, I/O not tied to a file, AWS or network failure (in any one account or region: the others' results are still reported) |
//! | 2 | it ran and found something a human must look at: check findings at error level; plan changes, holds or targets check errors hold back; drift (not pending work or notes by default) or targets it could not compare; a status with a flag not in sync; a watch that timed out; targets apply held back; a stop with nothing to stop |
//! | 3 | apply ran (or watch followed it), but AppConfig rolled back or reverted a deployment |

use std::process::ExitCode;

use crate::cli::FailOn;
use crate::finding::{Finding, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Clean = 0,
    Failure = 1,
    Findings = 2,
    RolledBack = 3,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

impl Exit {
    /// 2 when `found` says so, else 0.
    fn findings_if(found: bool) -> Exit {
        if found { Exit::Findings } else { Exit::Clean }
    }

    /// A command that refused to work: check errors block every target it was asked about
    /// (they were printed), or flagops.yaml is unreadable.
    pub fn refused() -> Exit {
        Exit::Findings
    }

    /// codegen --check: a generated file that is missing or out of date needs a commit.
    pub fn for_codegen_check(current: bool) -> Exit {
        Exit::findings_if(!current)
    }

    /// check (and every command that refuses to run on a repository that fails it): error
    /// findings need a human.
    pub fn for_check(findings: &[Finding]) -> Exit {
        Exit::findings_if(findings.iter().any(|f| f.severity == Severity::Error))
    }

    /// plan: changes, or values held after a rollback, need a reviewer.
    pub fn for_plan(plan: &crate::plan::Plan) -> Exit {
        // An account or region no call reached: flagops could not do its job there.
        if !plan.unreachable.is_empty() {
            return Exit::Failure;
        }
        Exit::findings_if(plan.has_changes() || plan.has_holds() || plan.has_blocked())
    }

    /// compile: targets that check errors hold back are not written.
    pub fn for_compile(blocked: &[crate::check::scope::Blocked]) -> Exit {
        Exit::findings_if(!blocked.is_empty())
    }

    /// apply: a failed target is a failure; a rollback is its own code; values held after a
    /// rollback (a fix, adopt or `--retry` is due) or by a freeze (its end, or break-glass)
    /// need a human.
    pub fn for_apply(report: &crate::apply::ApplyReport) -> Exit {
        if report.outcome.failed() {
            Exit::Failure
        } else if report.outcome.rolled_back() {
            Exit::RolledBack
        } else {
            Exit::findings_if(
                report.plan.has_holds()
                    || report.plan.has_blocked()
                    || !report.freezes.held.is_empty(),
            )
        }
    }

    /// adopt: what it wrote is itself the change to review (a branch, or edited files), so
    /// writing it is success.
    pub fn for_adopt(_report: &crate::adopt::write::AdoptReport) -> Exit {
        Exit::Clean
    }

    /// import: what it wrote must compile back to exactly what is live and pass check;
    /// anything else needs a person.
    pub fn for_import(report: &crate::import::write::ImportReport) -> Exit {
        Exit::findings_if(!report.exact())
    }

    /// schema --check: committed schemas that differ from the generated ones need a commit.
    pub fn for_schema_check(stale: &[String]) -> Exit {
        Exit::findings_if(!stale.is_empty())
    }

    /// refs: flags no code reads, or names read as flags that no file defines.
    pub fn for_refs(report: &crate::output::refs::RefsReport<'_>) -> Exit {
        Exit::findings_if(report.has_findings())
    }

    /// stop: what was asked was done; a target with nothing to stop needs a look.
    pub fn for_stop(report: &crate::apply::stop::StopReport) -> Exit {
        Exit::findings_if(!report.untouched.is_empty())
    }

    /// drift: any drift (not notes, not fresh pending work), or only what the ledger does not
    /// have yet, or pending work too; and targets it could not compare.
    pub fn for_drift(report: &crate::drift::Report, fail_on: FailOn) -> Exit {
        if !report.unreachable.is_empty() {
            return Exit::Failure;
        }
        Exit::findings_if(
            !report.not_compared.is_empty()
                || match fail_on {
                    FailOn::Any => report.any_drift(),
                    // The ledger does not hold setup drift: it is new until fixed.
                    FailOn::New => report.new_findings() > 0 || report.setup_drift() > 0,
                    FailOn::Pending => {
                        report.any_drift()
                            || (report.findings.iter())
                                .any(|r| r.finding.class == crate::drift::Class::Pending)
                    }
                },
        )
    }

    /// status: every flag in sync everywhere is 0; anything else (a change not applied, a
    /// held value, an out-of-band edit, a rollout under way, a missing resource, a target
    /// not compared) needs a look.
    pub fn for_status(report: &crate::status::StatusReport) -> Exit {
        // An account or region no call reached: flagops could not do its job there.
        if !report.unreachable.is_empty() {
            return Exit::Failure;
        }
        Exit::findings_if(!report.all_in_sync())
    }

    /// watch: apply's codes for the deployments it followed: a rollback is 3; one still
    /// running at the timeout needs a look.
    pub fn for_watch(report: &crate::watch::WatchReport) -> Exit {
        if report.rolled_back() {
            Exit::RolledBack
        } else {
            Exit::findings_if(report.still_running())
        }
    }
}
