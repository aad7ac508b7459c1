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

pub use secret_values::drop_allowed as drop_allowed_secrets;

use super::Context;
use crate::compile::ProfileTargets;
use crate::finding::Finding;

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

/// The rules on the typed model whose findings on a flag file depend on flagops.yaml and the
/// files of that file's profile only, in code order: `check` may run them one profile at a
/// time, and keep the findings of a profile whose files have not changed.
pub static PER_PROFILE_FILES: &[Rule] = &[
    key_pattern::check,
    attribute_values::check,
    variants::check,
    references::check,
    period_order::check,
    allow_list_duplicates::check,
    naming_convention::check,
    owner_required::check,
    expiry::check,
    duplicate_flag::check,
    import_placeholder::check,
    freeze_window::check,
    monitor_role::check,
    aws_location::check,
];

/// The rules that read beyond the flag files (git history, application code) and see every
/// flag of the repository at once. They read only each flag's place, key, class and
/// `reintroduces` (see [`crate::model::Flag::outline`]).
pub static REPOSITORY: &[Rule] = &[deleted_key_reuse::check, code_references::check];

/// Every rule on compiled documents, in code order.
pub static PER_PROFILE: &[ProfileRule] = &[
    attribute_count::check,
    document_size::check,
    freeform_schema::check,
    compiled_schema::check,
];
