//! Exit codes: decided here, for every command.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | nothing to report |
//! | 1 | flagops could not do its job: bad usage, no repository, I/O not tied to a file, AWS or network failure |
//! | 2 | it ran and found something a human must look at: check findings at error level, plan changes, drift, targets held back by apply |
//! | 3 | apply ran, but AppConfig rolled back or reverted a deployment |

use std::process::ExitCode;

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
