//! The lint rules, one file each. A rule reads the [`Context`] and appends findings; it never
//! prints and never fails. Its codes live in [`crate::finding::catalog`].

mod allow_list_duplicates;
mod attribute_count;
mod attribute_values;
mod aws_location;
mod code_references;
mod compiled_schema;
mod control_characters;
mod deleted_key_reuse;
mod document_size;
mod duplicate_flag;
mod expiry;
mod freeform_schema;
mod freeze_window;
mod import_placeholder;
mod key_pattern;
mod monitor_role;
mod naming_convention;
mod owner_required;
mod period_order;
mod references;
mod secret_values;
mod variants;

pub use expiry::unchanged_until as expiry_unchanged_until;
pub use secret_values::drop_allowed as drop_allowed_secrets;

use super::Context;
use crate::compile::ProfileTargets;
use crate::finding::{Finding, catalog, catalog::RuleInfo};
use crate::model::RepoConfig;
use crate::model::config::RuleLevel;

/// A rule: reads the context, appends findings.
pub type Rule = fn(&Context<'_>, &mut Vec<Finding>);

/// A rule on compiled documents: reads one profile's targets (every environment), appends
/// findings. `check` compiles one profile at a time and drops it after these rules, so
/// compiled documents never all sit in memory together.
pub type ProfileRule = fn(&Context<'_>, &ProfileTargets<'_>, &mut Vec<Finding>);

/// A rule on one parsed file, before typing: sees every key and string, valid or not.
pub type DocumentRule = fn(&str, &serde_json::Value, &mut Vec<Finding>);

/// Every rule on parsed files, flagops.yaml and flag files alike.
pub static PER_DOCUMENT: &[DocumentRule] = &[
    secret_values::scan_document,
    control_characters::scan_document,
];

/// A rule on the text of a file that did not parse.
pub type TextRule = fn(&str, &str, &mut Vec<Finding>);

/// Every rule on files that did not parse, flagops.yaml and flag files alike: what can be
/// found without a document.
pub static PER_UNPARSED_TEXT: &[TextRule] = &[secret_values::scan_text];

/// A rule and the codes of every finding it can produce: a rule all of whose codes
/// `rules.levels` turns off does not run, as nobody would see what it finds.
pub struct Entry<R: 'static> {
    pub rule: R,
    pub codes: &'static [&'static RuleInfo],
}

/// The rules on the typed model whose findings on a flag file depend on flagops.yaml and the
/// files of that file's profile only, in code order: `check` may run them one profile at a
/// time, and keep the findings of a profile whose files have not changed.
pub static PER_PROFILE_FILES: &[Entry<Rule>] = &[
    Entry {
        rule: key_pattern::check,
        codes: &[&catalog::KEY_PATTERN],
    },
    Entry {
        rule: attribute_values::check,
        codes: &[&catalog::ATTRIBUTE_VALUE],
    },
    Entry {
        rule: variants::check,
        codes: &[&catalog::VARIANTS],
    },
    Entry {
        rule: references::check,
        codes: &[&catalog::UNKNOWN_REFERENCE],
    },
    Entry {
        rule: period_order::check,
        codes: &[&catalog::PERIOD_ORDER],
    },
    Entry {
        rule: allow_list_duplicates::check,
        codes: &[&catalog::ALLOW_LIST_DUPLICATE],
    },
    Entry {
        rule: naming_convention::check,
        codes: &[&catalog::NAMING_CONVENTION],
    },
    Entry {
        rule: owner_required::check,
        codes: &[&catalog::OWNER_REQUIRED],
    },
    Entry {
        rule: expiry::check,
        codes: &[
            &catalog::EXPIRY_NEAR,
            &catalog::EXPIRY_PASSED,
            &catalog::EXPIRY_REQUIRED,
        ],
    },
    Entry {
        rule: duplicate_flag::check,
        codes: &[&catalog::DUPLICATE_FLAG],
    },
    Entry {
        rule: import_placeholder::check,
        codes: &[&catalog::IMPORT_PLACEHOLDER],
    },
    Entry {
        rule: freeze_window::check,
        codes: &[&catalog::FREEZE_WINDOW],
    },
    Entry {
        rule: monitor_role::check,
        codes: &[&catalog::MONITOR_ROLE],
    },
    Entry {
        rule: aws_location::check,
        codes: &[&catalog::AWS_LOCATION],
    },
];

/// The rules that read beyond the flag files (git history, application code) and see every
/// flag of the repository at once. They read only each flag's place, key, class and
/// `reintroduces` (see [`crate::model::Flag::outline`]).
pub static REPOSITORY: &[Entry<Rule>] = &[
    Entry {
        rule: deleted_key_reuse::check,
        codes: &[&catalog::DELETED_KEY_REUSE],
    },
    Entry {
        rule: code_references::check,
        codes: &[
            &catalog::REFS_SETTINGS,
            &catalog::REMOVED_FLAG_STILL_REFERENCED,
            &catalog::STALE_FLAG,
        ],
    },
];

/// Every rule on compiled documents, in code order.
pub static PER_PROFILE: &[Entry<ProfileRule>] = &[
    Entry {
        rule: attribute_count::check,
        codes: &[&catalog::ATTRIBUTE_COUNT],
    },
    Entry {
        rule: document_size::check,
        codes: &[&catalog::DOCUMENT_SIZE],
    },
    Entry {
        rule: freeform_schema::check,
        codes: &[&catalog::FREEFORM_SCHEMA],
    },
    Entry {
        rule: compiled_schema::check,
        codes: &[&catalog::COMPILED_SCHEMA],
    },
];

/// The rules of `table` that `config` leaves at least one finding of: a rule whose every
/// code is `off` in `rules.levels` (by the same first matching entry that drops its
/// findings) is left out.
pub fn enabled<R: Copy>(table: &[Entry<R>], config: Option<&RepoConfig>) -> Vec<R> {
    let off = |code: &str| {
        config.is_some_and(|c| {
            c.rules
                .levels
                .iter()
                .find(|(name, _)| catalog::find(name).is_some_and(|r| r.code == code))
                .is_some_and(|(_, level)| *level == RuleLevel::Off)
        })
    };
    table
        .iter()
        .filter(|entry| !entry.codes.iter().all(|info| off(info.code)))
        .map(|entry| entry.rule)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(levels: &str) -> RepoConfig {
        let value = serde_json::json!({
            "version": 1,
            "applications": {},
            "rules": {"levels": serde_json::from_str::<serde_json::Value>(levels).unwrap_or_default()},
        });
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_rule_runs_unless_every_code_it_reports_is_off() {
        assert_eq!(
            enabled(PER_PROFILE_FILES, None).len(),
            PER_PROFILE_FILES.len()
        );
        let none_off = config(r#"{"attribute-value": "warning"}"#);
        assert_eq!(
            enabled(PER_PROFILE_FILES, Some(&none_off)).len(),
            PER_PROFILE_FILES.len()
        );
        let one_off = config(r#"{"attribute-value": "off", "FO300": "off"}"#);
        assert_eq!(
            enabled(PER_PROFILE_FILES, Some(&one_off)).len(),
            PER_PROFILE_FILES.len() - 1
        );
        assert_eq!(
            enabled(PER_PROFILE, Some(&one_off)).len(),
            PER_PROFILE.len() - 1
        );
        // expiry reports three codes: it runs while one of them is on.
        let some_off = config(r#"{"expiry-passed": "off", "expiry-near": "off"}"#);
        assert_eq!(
            enabled(PER_PROFILE_FILES, Some(&some_off)).len(),
            PER_PROFILE_FILES.len()
        );
        // The first entry for a code decides, as for the findings themselves.
        let first = config(r#"{"FO202": "error", "attribute-value": "off"}"#);
        assert_eq!(
            enabled(PER_PROFILE_FILES, Some(&first)).len(),
            PER_PROFILE_FILES.len()
        );
    }

    #[test]
    fn every_code_belongs_to_one_rule_at_most() {
        let mut codes: Vec<&str> = (PER_PROFILE_FILES.iter())
            .chain(REPOSITORY)
            .flat_map(|e| e.codes)
            .chain(PER_PROFILE.iter().flat_map(|e| e.codes))
            .map(|info| info.code)
            .collect();
        let all = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all);
    }
}
