//! Which targets a command works on: the checked repository, the targets a selector names
//! (each name must exist), and of those the ones no check error holds back
//! ([`scope::blocking`]). What it shows of check's findings is decided here too: the errors
//! that hold back a selected target, and the demoted ones of the selected files.

use std::path::PathBuf;

use super::scope::{self, Blocked, Purpose};
use super::{Documents, Report};
use crate::compile::{Target, TargetId};
use crate::finding::Finding;
use crate::load::Loaded;
use crate::model::RepoConfig;

/// The targets named on the command line: every one by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Selector<'a> {
    pub application: Option<&'a str>,
    pub environment: Option<&'a str>,
    pub profile: Option<&'a str>,
}

impl Selector<'_> {
    pub fn matches(&self, id: &TargetId) -> bool {
        self.application.is_none_or(|a| a == id.application)
            && self.environment.is_none_or(|e| e == id.environment)
            && self.profile.is_none_or(|p| p == id.profile)
    }

    /// Whether a file of this application and profile feeds a selected target.
    fn feeds(&self, application: &str, profile: &str) -> bool {
        self.application.is_none_or(|a| a == application)
            && self.profile.is_none_or(|p| p == profile)
    }
}

/// A checked repository, its targets selected, with what check errors hold back.
pub struct Checked {
    pub root: PathBuf,
    pub loaded: Loaded,
    pub report: Report,
    /// The selected targets, by index into the compiled targets.
    chosen: Vec<usize>,
    /// Those no error blocks.
    selected: Vec<usize>,
    /// The selected targets that errors hold back.
    pub blocked: Vec<Blocked>,
    /// The findings to show beside the command's report.
    pub shown: Vec<Finding>,
}

/// What selecting found.
pub enum Selection {
    /// Errors block everything (or flagops.yaml is unreadable): nothing that fails check is
    /// planned, applied or compared. The findings say why; `loaded` holds their files.
    Refused {
        loaded: Box<Loaded>,
        findings: Vec<Finding>,
    },
    Checked(Box<Checked>),
}

/// Loads and checks the repository at `root` and selects the targets `selector` names. A
/// name that matches nothing is an error, with the closest existing name.
pub fn select(
    root: PathBuf,
    today: jiff::civil::Date,
    purpose: Purpose,
    selector: Selector<'_>,
) -> Result<Selection, String> {
    let (loaded, report) = super::repository(&root, today, Documents::Keep);
    let ids = report.compiled.targets.iter().map(|t| &t.id);
    let blocking = scope::blocking(&report, ids, purpose);
    // Without a valid flagops.yaml there are no targets: every error is in `everything`.
    let config = report.model.config.as_ref();
    let Some(config) =
        config.filter(|_| blocking.everything.is_empty() || purpose == Purpose::Stop)
    else {
        let findings = blocking.findings();
        return Ok(Selection::Refused {
            loaded: Box::new(loaded),
            findings,
        });
    };
    config.check_selection(selector.application, selector.environment, selector.profile)?;
    let targets = &report.compiled.targets;
    let chosen: Vec<usize> = (0..targets.len())
        .filter(|&i| selector.matches(&targets[i].id))
        .collect();
    let blocked = blocking.among(chosen.iter().map(|&i| &targets[i].id));
    let selected = (chosen.iter().copied())
        .filter(|&i| !blocking.blocked(&targets[i].id))
        .collect();
    let holds_back = |f: &Finding| {
        (blocked.iter()).any(|b| b.files.iter().any(|file| file == f.location.file()))
    };
    let mut shown: Vec<Finding> = blocking.findings().into_iter().filter(holds_back).collect();
    shown.extend(
        (blocking.demoted.iter())
            .filter(|f| {
                (report.scopes.get(f.location.file()))
                    .is_some_and(|(app, profile)| selector.feeds(app, profile))
            })
            .cloned(),
    );
    Ok(Selection::Checked(Box::new(Checked {
        root,
        loaded,
        report,
        chosen,
        selected,
        blocked,
        shown,
    })))
}

impl Checked {
    pub fn config(&self) -> &RepoConfig {
        self.report
            .model
            .config
            .as_ref()
            .unwrap_or_else(|| unreachable!("checked without a config"))
    }

    /// Checks that every flag named (`--retry`, `--flag`) is defined for a selected target.
    pub fn check_flags(&self, names: &[String]) -> Result<(), String> {
        let targets = self.targets();
        let known: Vec<&str> = self
            .report
            .model
            .flags()
            .filter(|f| {
                targets
                    .iter()
                    .any(|t| t.id.application == f.application && t.id.profile == f.profile)
            })
            .map(|f| f.key)
            // A held whole document (a Freeform profile) is retried by its profile's name.
            .chain(targets.iter().map(|t| t.id.profile.as_str()))
            .collect();
        for name in names {
            if !known.contains(&name.as_str()) {
                let why = crate::model::config::unknown("flag", name, known.iter().copied());
                return Err(format!("{why} in the selected targets"));
            }
        }
        Ok(())
    }

    /// Every selected target, blocked or not: for what needs only where a target is (stopping
    /// its rollout), never what git says it should serve.
    pub fn chosen_targets(&self) -> Vec<&Target> {
        self.chosen
            .iter()
            .map(|&i| &self.report.compiled.targets[i])
            .collect()
    }

    /// The selected targets that no check error holds back.
    pub fn targets(&self) -> Vec<&Target> {
        self.selected
            .iter()
            .map(|&i| &self.report.compiled.targets[i])
            .collect()
    }
}
