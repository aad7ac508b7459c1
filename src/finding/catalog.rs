//! Every finding code flagops can report. Codes are stable: a code is never reused for
//! another meaning, so CI configurations and suppressions keep working across releases.
//!
//! FO0xx: reading files and YAML. FO1xx: schema. FO2xx: semantic rules. FO3xx: compiled documents.
//! FO4xx: drift, what AppConfig serves against what git says (reported by `flagops drift`).

use super::Severity;

/// What a finding code means.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable code, e.g. `FO201`.
    pub code: &'static str,
    /// Stable kebab-case name, usable instead of the code in `rules.levels`.
    pub name: &'static str,
    /// One line: what the rule checks.
    pub summary: &'static str,
    pub default_severity: Severity,
}

macro_rules! rules {
    ($( $ident:ident = $code:literal, $name:literal, $sev:ident, $summary:literal; )*) => {
        $( pub static $ident: RuleInfo = RuleInfo {
            code: $code, name: $name, summary: $summary, default_severity: Severity::$sev,
        }; )*
        /// All rules, in code order.
        pub static ALL: &[&RuleInfo] = &[$( &$ident ),*];
    };
}

rules! {
    UNREADABLE = "FO001", "unreadable-file", Error, "a file could not be read";
    INVALID_UTF8 = "FO002", "invalid-utf8", Error, "a file is not valid UTF-8";
    FILE_TOO_LARGE = "FO003", "file-too-large", Error, "a file is larger than flagops reads";
    SPECIAL_FILE = "FO004", "special-file", Error, "a FIFO, device, socket or directory where a YAML file was expected";
    SYMLINK_OUTSIDE = "FO005", "symlink-outside-repo", Error, "a symlink leads outside the repository and is not followed";
    EMPTY_FILE = "FO006", "empty-file", Error, "a YAML file has no content";
    UNREACHABLE_ENTRY = "FO007", "unreachable-entry", Error, "an entry under the flags directory cannot be examined: a path too long for the system, a name that is not UTF-8, an I/O error";
    YAML_SYNTAX = "FO010", "yaml-syntax", Error, "the file is not valid YAML";
    DUPLICATE_KEY = "FO011", "duplicate-key", Error, "a mapping has the same key twice";
    YAML11_BOOLEAN = "FO012", "yaml11-boolean", Error, "an unquoted yes/no/on/off, which YAML 1.2 reads as a string";
    YAML_LIMIT = "FO013", "yaml-limit", Error, "the YAML exceeds a nesting, size or alias limit";
    NON_STRING_KEY = "FO014", "non-string-key", Error, "a mapping key is not a string";
    NO_CONFIG = "FO020", "missing-config", Error, "the repository has no flagops.yaml";
    SCHEMA = "FO100", "schema", Error, "a file does not match its JSON Schema";
    KEY_PATTERN = "FO201", "key-pattern", Error, "flag and attribute keys must match AppConfig's key pattern";
    ATTRIBUTE_VALUE = "FO202", "attribute-value", Error, "attribute definitions and values must satisfy AppConfig's constraints";
    ATTRIBUTE_COUNT = "FO203", "attribute-count", Error, "a flag has at most 25 attributes";
    VARIANTS = "FO204", "variants", Error, "variants: rule syntax, default last without a rule, at most 32, unique names";
    UNKNOWN_REFERENCE = "FO205", "unknown-reference", Error, "references to applications, environments, profiles and strategies must exist";
    PERIOD_ORDER = "FO206", "period-order", Error, "an active period's timestamps are valid and `from` comes before `until`";
    ALLOW_LIST_DUPLICATE = "FO207", "allow-list-duplicate", Warning, "an allow list names the same entry twice";
    NAMING_CONVENTION = "FO208", "naming-convention", Error, "flag keys follow the repository's naming convention";
    OWNER_REQUIRED = "FO209", "owner-required", Error, "every flag names an owner";
    EXPIRY_PASSED = "FO210", "expiry-passed", Error, "a flag is past its expiry date";
    EXPIRY_NEAR = "FO211", "expiry-near", Warning, "a flag expires soon";
    EXPIRY_REQUIRED = "FO212", "expiry-required", Error, "the flag's class requires an expiry date";
    SECRET_VALUE = "FO213", "secret-value", Error, "a value looks like a secret (key, token, password)";
    DOCUMENT_SIZE = "FO214", "document-size", Error, "a compiled document exceeds AppConfig's hosted configuration limit";
    DUPLICATE_FLAG = "FO215", "duplicate-flag", Error, "two files define the same flag key in one profile";
    DELETED_KEY_REUSE = "FO216", "deleted-key-reuse", Error, "a flag key that was deleted is introduced again";
    FREEFORM_SCHEMA = "FO217", "freeform-schema", Error, "freeform content satisfies its profile's JSON Schema";
    IMPORT_PLACEHOLDER = "FO218", "import-placeholder", Warning, "a field still holds a placeholder written by `flagops import`";
    REMOVED_FLAG_STILL_REFERENCED = "FO219", "removed-flag-still-referenced", Error, "a change deletes a flag that application code still reads";
    STALE_FLAG = "FO220", "stale-flag", Warning, "no application code reads the flag, or it has outlived its class's expected lifetime";
    REFS_SETTINGS = "FO221", "refs-settings", Error, "the `refs` settings hold an invalid pattern or glob, or a path that cannot be scanned";
    FREEZE_WINDOW = "FO222", "freeze-window", Error, "a freeze has valid timestamps, `from` before `until`, and names existing applications and environments";
    CONTROL_CHARACTER = "FO223", "control-character", Error, "a key, name, description or owner holds a control character or a text-direction override";
    MONITOR_ROLE = "FO224", "monitor-role", Error, "every alarm monitor names `alarm_role_arn`, the IAM role AppConfig assumes to read the alarm (AWS refuses a monitor without it)";
    COMPILED_SCHEMA = "FO300", "compiled-schema", Error, "a compiled document is rejected by AWS's FeatureFlags schema";
    DRIFT_ROLLED_BACK = "FO401", "rolled-back", Error, "AppConfig rolled back a flagops deployment (an alarm or a stop); its values are held at what is live";
    DRIFT_REVERTED = "FO402", "reverted", Error, "a person reverted a completed flagops deployment; its values are held at what is live";
    DRIFT_OUT_OF_BAND = "FO403", "out-of-band", Error, "AppConfig serves a version or deployment flagops did not make, or console-owned values differ";
    DRIFT_STAGED = "FO404", "staged", Warning, "a hosted version newer than the live one was never deployed";
    DRIFT_IN_FLIGHT = "FO405", "in-flight", Note, "a deployment is still rolling out or baking";
    DRIFT_MISSING = "FO406", "missing", Error, "a declared application, environment or profile does not exist in AppConfig";
    DRIFT_PENDING = "FO407", "pending", Warning, "flagops's own work under way: its deployment rolling out, or a change apply has not reached yet (drift once older than `drift.pending_after_minutes`)";
    DRIFT_PROVENANCE = "FO408", "provenance", Note, "AppConfig serves git's content from a version or deployment flagops did not make: in sync, noted";
    DRIFT_UNTRUSTED_HISTORY = "FO409", "untrusted-history", Note, "AppConfig listed an environment's deployments out of order or cut short: flagops read the whole history and ordered it by number";
    DRIFT_SETUP = "FO410", "setup-drift", Error, "AppConfig's strategy, application, environment or profile settings differ from flagops.yaml";
}

/// Looks a rule up by code or name.
pub fn find(code_or_name: &str) -> Option<&'static RuleInfo> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes: Vec<_> = ALL.iter().map(|r| r.code).collect();
        let mut names: Vec<_> = ALL.iter().map(|r| r.name).collect();
        codes.sort_unstable();
        names.sort_unstable();
        let n = ALL.len();
        codes.dedup();
        names.dedup();
        assert_eq!((codes.len(), names.len()), (n, n));
    }

    #[test]
    fn rules_are_found_by_code_or_name() {
        assert_eq!(find("fo201").map(|r| r.name), Some("key-pattern"));
        assert_eq!(find("expiry-near").map(|r| r.code), Some("FO211"));
        assert!(find("nope").is_none());
    }
}
