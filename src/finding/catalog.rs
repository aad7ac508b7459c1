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
    /// A few sentences: what the rule finds and why it matters on AppConfig.
    pub description: &'static str,
    /// How to fix a finding of the rule, in general; a finding's own help is more specific.
    pub fix: &'static str,
    pub default_severity: Severity,
}

impl RuleInfo {
    /// The rule's section in docs/rules.md, e.g. `fo201`.
    pub fn anchor(&self) -> String {
        self.code.to_ascii_lowercase()
    }

    /// Where the rule is documented: its section of docs/rules.md in the repository.
    pub fn help_uri(&self) -> String {
        format!("{DOCS_URL}#{}", self.anchor())
    }
}

/// docs/rules.md on the default branch of the repository.
pub const DOCS_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules.md");

/// Each rule: `IDENT = code, name, default severity, summary { description; fix: text }`.
macro_rules! rules {
    ($(
        $ident:ident = $code:literal, $name:literal, $sev:ident, $summary:literal {
            $description:literal;
            fix: $fix:literal
        }
    )*) => {
        $( pub static $ident: RuleInfo = RuleInfo {
            code: $code,
            name: $name,
            summary: $summary,
            description: $description,
            fix: $fix,
            default_severity: Severity::$sev,
        }; )*
        /// All rules, in code order.
        pub static ALL: &[&RuleInfo] = &[$( &$ident ),*];
    };
}

rules! {
    UNREADABLE = "FO001", "unreadable-file", Error, "a file could not be read" {
        "flagops could not open or read a file it needs: flagops.yaml, a flag file, or another file the configuration names. Nothing in that file is checked, so every rule that would have looked at it is silent, and a change to it could reach AppConfig unchecked.";
        fix: "Check that the file exists and that the user running flagops can read it (permissions, a broken mount, a file removed mid-run), then run `flagops check` again."
    }
    INVALID_UTF8 = "FO002", "invalid-utf8", Error, "a file is not valid UTF-8" {
        "The file's bytes are not valid UTF-8. YAML, JSON and AppConfig's hosted configurations are all UTF-8, so flagops cannot read the file and would not be able to deploy its content faithfully.";
        fix: "Re-save the file as UTF-8. The finding points at the first invalid byte."
    }
    FILE_TOO_LARGE = "FO003", "file-too-large", Error, "a file is larger than flagops reads" {
        "The file is larger than flagops reads (2 MiB). Flag files are hand-written YAML; a file that large is almost always a mistake (a generated dump, a binary committed by accident), and its compiled document would not fit AppConfig's hosted configuration limit anyway.";
        fix: "Split the flags over several files, or remove the file from the flags directory if it does not belong there."
    }
    SPECIAL_FILE = "FO004", "special-file", Error, "a FIFO, device, socket or directory where a YAML file was expected" {
        "A path under the flags directory that should be a YAML file is a FIFO, a device, a socket or a directory named like a YAML file. flagops does not read from such files: reading a FIFO or a device could block or never end.";
        fix: "Replace it with a regular file, or rename or remove it so that it no longer ends in `.yaml` or `.yml`."
    }
    SYMLINK_OUTSIDE = "FO005", "symlink-outside-repo", Error, "a symlink leads outside the repository and is not followed" {
        "A symlink in the repository points outside it. flagops does not follow it, so that what is checked, reviewed and deployed is exactly what the repository holds, and not a file somewhere else on the machine running CI.";
        fix: "Copy the file into the repository, or make the symlink point at a file inside the repository."
    }
    EMPTY_FILE = "FO006", "empty-file", Error, "a YAML file has no content" {
        "A YAML file holds no document: it is empty, or only comments and whitespace. An empty flag file declares nothing, which is usually a file created and never filled, or content lost in a merge.";
        fix: "Write the flags the file is meant to declare, or delete the file."
    }
    UNREACHABLE_ENTRY = "FO007", "unreachable-entry", Error, "an entry under the flags directory cannot be examined: a path too long for the system, a name that is not UTF-8, an I/O error" {
        "flagops could not examine an entry under the flags directory: its path is too long for the system, its name is not valid UTF-8, or listing it failed with an I/O error. Flags in it would be missed without this finding, and silently not deployed.";
        fix: "Rename the entry to a shorter UTF-8 name, or fix the I/O problem (permissions, the file system), then check again."
    }
    YAML_SYNTAX = "FO010", "yaml-syntax", Error, "the file is not valid YAML" {
        "The file is not valid YAML, so nothing in it can be checked or compiled. The finding points at the place the parser stopped.";
        fix: "Fix the syntax at the position shown: an indentation mistake, an unclosed quote or bracket, a tab used for indentation, a `:` missing after a key."
    }
    DUPLICATE_KEY = "FO011", "duplicate-key", Error, "a mapping has the same key twice" {
        "A mapping has the same key twice. YAML parsers disagree about duplicates (some keep the first, most the last, some refuse), so what AppConfig would serve depends on the tool that read the file; flagops refuses the ambiguity.";
        fix: "Remove one of the two entries, or merge them into one."
    }
    YAML11_BOOLEAN = "FO012", "yaml11-boolean", Error, "an unquoted yes/no/on/off, which YAML 1.2 reads as a string" {
        "An unquoted `yes`, `no`, `on`, `off`, `y` or `n` is a boolean in YAML 1.1 but a string in YAML 1.2, which flagops reads. A value meant as `true` would be deployed as the string \"yes\", and clients reading a boolean would get the wrong type.";
        fix: "Write `true` or `false` for a boolean, or quote the word (`\"yes\"`) if a string is meant."
    }
    YAML_LIMIT = "FO013", "yaml-limit", Error, "the YAML exceeds a nesting, size or alias limit" {
        "The YAML exceeds a limit flagops sets on nesting depth, number of nodes or aliases. These limits keep a hostile or broken file (an alias bomb, runaway nesting) from exhausting memory in CI; no real flag file comes near them.";
        fix: "Flatten the structure and expand or remove aliases; split very large content into several flags or profiles."
    }
    NON_STRING_KEY = "FO014", "non-string-key", Error, "a mapping key is not a string" {
        "A mapping key is not a string: a number, a boolean, null or a complex key. AppConfig's documents are JSON, whose keys are strings, and converting other keys silently (`1` to \"1\", `true` to \"true\") hides mistakes.";
        fix: "Quote the key so that it is a string (`\"1\":`), or rename it."
    }
    NO_CONFIG = "FO020", "missing-config", Error, "the repository has no flagops.yaml" {
        "The repository has no flagops.yaml, or it could not be read as one. flagops.yaml declares the applications, environments, profiles and strategies every flag file refers to; without it nothing can be checked or deployed.";
        fix: "Create flagops.yaml (`flagops init` writes a starting point), or run flagops from the repository that holds it (`-C path`)."
    }
    SCHEMA = "FO100", "schema", Error, "a file does not match its JSON Schema" {
        "A file does not match its JSON Schema: flagops.yaml against the configuration schema, a flag file against the flag file schema. The finding names the field and what the schema expected, e.g. an unknown key (often a typo) or a value of the wrong type.";
        fix: "Fix the field the finding points at; `flagops schema` prints the schemas, and editors that read them complete and check fields as you type."
    }
    KEY_PATTERN = "FO201", "key-pattern", Error, "flag and attribute keys must match AppConfig's key pattern" {
        "A flag key or attribute key does not match AppConfig's key pattern: a lowercase letter, then up to 63 letters, digits, `_` or `-`. AppConfig rejects the whole configuration version when one key does not match, so the deployment would fail at apply time instead of in review.";
        fix: "Rename the key to start with a lowercase letter and use only letters, digits, `_` and `-`, at most 64 characters. Renaming a live flag changes what clients read: update the code that reads it."
    }
    ATTRIBUTE_VALUE = "FO202", "attribute-value", Error, "attribute definitions and values must satisfy AppConfig's constraints" {
        "An attribute's definition or value breaks AppConfig's constraints: a value of the wrong type, outside its `minimum`/`maximum`, not matching its `pattern`, not in its `enum`, an undeclared attribute, or a string or array longer than allowed. AppConfig validates these when a version is created, so flagops reports them before a deployment fails.";
        fix: "Make the value satisfy its definition, or change the definition under `attributes:` in a reviewed change."
    }
    ATTRIBUTE_COUNT = "FO203", "attribute-count", Error, "a flag has at most 25 attributes" {
        "A flag has more than 25 attributes, AppConfig's limit for one flag. Allow lists and active periods each compile to an attribute of their own, so a flag can reach the limit with fewer attributes written out.";
        fix: "Split the flag into several flags, or drop attributes it no longer needs."
    }
    VARIANTS = "FO204", "variants", Error, "variants: rule syntax, default last without a rule, at most 32, unique names" {
        "A flag's variants break AppConfig's multi-variant rules: a rule that does not parse, a default variant that is not last or has a rule, more than 32 variants, or two variants with the same name. AppConfig would reject the configuration, or serve a different variant than the author expected.";
        fix: "Fix the rule syntax, keep exactly one default variant, without `rule`, as the last one, give each variant a unique name, and keep to 32 variants."
    }
    UNKNOWN_REFERENCE = "FO205", "unknown-reference", Error, "references to applications, environments, profiles and strategies must exist" {
        "A name refers to an application, environment, profile or deployment strategy that flagops.yaml does not declare. A typo here would send flags to the wrong place, or to nowhere, and apply would fail.";
        fix: "Correct the name (the finding suggests the closest one it knows), or declare the missing application, environment, profile or strategy in flagops.yaml."
    }
    PERIOD_ORDER = "FO206", "period-order", Error, "an active period's timestamps are valid and `from` comes before `until`" {
        "A flag's active period has a timestamp that does not parse, lacks a time or an offset, or a `from` that is not before its `until`. A period like that is never active (or always), which is rarely what its author meant.";
        fix: "Write both timestamps in RFC 3339 with a time and an offset, e.g. `2027-03-01T00:00:00Z`, with `from` before `until`."
    }
    ALLOW_LIST_DUPLICATE = "FO207", "allow-list-duplicate", Warning, "an allow list names the same entry twice" {
        "An allow list names the same entry twice. It is harmless to AppConfig, but usually a copy-paste mistake that hides a missing entry, and every entry counts towards the flag's size.";
        fix: "Remove the duplicate entry, and check whether another entry was meant."
    }
    NAMING_CONVENTION = "FO208", "naming-convention", Error, "flag keys follow the repository's naming convention" {
        "A flag key does not follow the naming convention flagops.yaml sets under `rules.naming`, e.g. a prefix per team or a case style. Consistent names make flags searchable in code and in the AppConfig console, and keep one team's flags from colliding with another's.";
        fix: "Rename the flag to match the convention (the finding shows the expected pattern), or change the convention in flagops.yaml."
    }
    OWNER_REQUIRED = "FO209", "owner-required", Error, "every flag names an owner" {
        "A flag does not name an `owner`. Flags without an owner are the ones nobody removes: when one expires or misbehaves in production, there is no one to ask.";
        fix: "Add `owner:` with the team or person responsible for the flag."
    }
    EXPIRY_PASSED = "FO210", "expiry-passed", Error, "a flag is past its expiry date" {
        "The flag's `expires` date has passed. Temporary flags (releases, experiments) that outlive their date turn into permanent branches in code and configuration; failing the check makes removing them part of the work.";
        fix: "Remove the flag (first the code that reads it, then its definition), or move `expires` later in a reviewed change."
    }
    EXPIRY_NEAR = "FO211", "expiry-near", Warning, "a flag expires soon" {
        "The flag expires within the warning window set in flagops.yaml. This is a heads-up before FO210 starts failing the check.";
        fix: "Plan the flag's removal (code first, then the definition), or extend `expires` in a reviewed change."
    }
    EXPIRY_REQUIRED = "FO212", "expiry-required", Error, "the flag's class requires an expiry date" {
        "The flag's class (e.g. release or experiment) requires an `expires` date, and the flag has none. Short-lived classes exist so that their flags are removed; without a date nothing reminds anyone.";
        fix: "Add `expires:` with the date by which the flag should be gone, or give the flag a class that does not require one."
    }
    SECRET_VALUE = "FO213", "secret-value", Error, "a value looks like a secret (key, token, password)" {
        "A value looks like a credential: a private key, an access key or token, a password. AppConfig configurations are readable by every client of the application and stay in AppConfig's version history, so a secret committed here leaks and cannot be recalled. A file that does not parse is scanned too, line by line, so that its credentials are reported beside its syntax error.";
        fix: "Keep the secret in AWS Secrets Manager or SSM Parameter Store and put its name or ARN in the flag. If the value was committed, rotate it. If it was reviewed and is not a secret, end its line with `# flagops:allow-secret <why>`."
    }
    DOCUMENT_SIZE = "FO214", "document-size", Error, "a compiled document exceeds AppConfig's hosted configuration limit" {
        "A compiled document exceeds AppConfig's hosted configuration size limit (1 MB by default, up to 2 MB when raised for the account). AppConfig refuses to create a version that large, so apply would fail.";
        fix: "Split the profile into several profiles, remove unused flags or large values, or raise the account's hosted configuration limit."
    }
    DUPLICATE_FLAG = "FO215", "duplicate-flag", Error, "two files define the same flag key in one profile" {
        "Two files define the same flag key in one profile. Only one definition can reach AppConfig, and which one would depend on file order; flagops refuses to guess.";
        fix: "Keep one definition and delete the other, or rename one of the flags."
    }
    DELETED_KEY_REUSE = "FO216", "deleted-key-reuse", Error, "a flag key that was deleted is introduced again" {
        "A flag key that was deleted in git history is being introduced again. Clients and caches may still hold values of the old flag, and code that read it may still be around: reusing its key gives old readers a new meaning.";
        fix: "Pick a new key (e.g. with a date in it), or declare `reintroduces: <why>` on the flag if no client can still hold the old flag's values."
    }
    FREEFORM_SCHEMA = "FO217", "freeform-schema", Error, "freeform content satisfies its profile's JSON Schema" {
        "A freeform profile's content does not satisfy the JSON Schema the profile declares. AppConfig runs the same validator when a version is created, so the deployment would be refused.";
        fix: "Fix the content where the finding points, or change the profile's schema in a reviewed change."
    }
    IMPORT_PLACEHOLDER = "FO218", "import-placeholder", Warning, "a field still holds a placeholder written by `flagops import`" {
        "A field still holds a placeholder that `flagops import` wrote where AppConfig did not say what the value should be (an owner, a strategy). Placeholders are meant to be filled in before the first apply.";
        fix: "Fill in the real value, then remove the field from `placeholders`."
    }
    REMOVED_FLAG_STILL_REFERENCED = "FO219", "removed-flag-still-referenced", Error, "a change deletes a flag that application code still reads" {
        "The change deletes a flag that application code still reads, according to `flagops refs`. Once AppConfig stops serving it, that code falls back to its default, or fails.";
        fix: "Remove the code that reads the flag first, and delete the definition in a later change."
    }
    STALE_FLAG = "FO220", "stale-flag", Warning, "no application code reads the flag, or it has outlived its class's expected lifetime" {
        "No application code reads the flag any more, or it is older than its class's expected lifetime. Stale flags are dead configuration: they cost review time and make the live state harder to reason about.";
        fix: "Remove the flag (code first, then the definition), or change `rules.lifetime` if flags of this class live longer. `flagops refs` lists where flags are read."
    }
    REFS_SETTINGS = "FO221", "refs-settings", Error, "the `refs` settings hold an invalid pattern or glob, or a path that cannot be scanned" {
        "The `refs` settings in flagops.yaml hold a pattern that is not a valid regular expression, a glob that does not parse, or a path that cannot be scanned. Code references would be missed, and FO219 and FO220 would report on incomplete information.";
        fix: "Fix the pattern, glob or path the finding points at."
    }
    FREEZE_WINDOW = "FO222", "freeze-window", Error, "a freeze has valid timestamps, `from` before `until`, and names existing applications and environments" {
        "A freeze window in flagops.yaml has a timestamp that does not parse, a `from` that is not before its `until`, or names an application or environment that does not exist. A misspelt name freezes nothing, and a broken window does not stop deployments when it should.";
        fix: "Write RFC 3339 timestamps with a time and an offset, `from` before `until`, and name applications and environments declared in flagops.yaml."
    }
    CONTROL_CHARACTER = "FO223", "control-character", Error, "a key, name, description or owner holds a control character or a text-direction override" {
        "A key, name, description or owner holds a control character or a Unicode text-direction override. These are invisible or reorder text in the AppConfig console, in logs and in review, so a name can look like another one.";
        fix: "Remove the character; the finding shows it escaped."
    }
    MONITOR_ROLE = "FO224", "monitor-role", Error, "every alarm monitor names `alarm_role_arn`, the IAM role AppConfig assumes to read the alarm (AWS refuses a monitor without it)" {
        "An environment's alarm monitor has no `alarm_role_arn`, the IAM role AppConfig assumes to read the CloudWatch alarm. AWS refuses a monitor without it, so apply would fail, and without a working monitor a bad deployment is not rolled back automatically.";
        fix: "Add `alarm_role_arn:` with the IAM role AppConfig assumes to read the alarm (docs/iam.md has its policy)."
    }
    AWS_LOCATION = "FO225", "aws-location", Error, "`aws` blocks name valid roles and regions, an `external_id` only with its role, and leave no environment without a region" {
        "An `aws` block in flagops.yaml (top level, application or environment) has a `role_arn` or `read_role_arn` that is not an IAM role ARN, a `region` that is not an AWS region name, an `external_id` without a `role_arn` beside it, or an `endpoint_url` that is not an http(s) URL; or, where `aws` blocks are used, an environment gets no region from any of them. plan, apply and drift would reach the wrong account or region, or none.";
        fix: "Write `role_arn` and `read_role_arn` as `arn:aws:iam::<12-digit account>:role/<name>`, `region` as e.g. `eu-west-1`, put `external_id` in the block of its `role_arn`, and give every environment a `region` (at the top level, its application or itself)."
    }
    COMPILED_SCHEMA = "FO300", "compiled-schema", Error, "a compiled document is rejected by AWS's FeatureFlags schema" {
        "A compiled document is rejected by AWS's schema for the `AWS.AppConfig.FeatureFlags` profile type. AppConfig would refuse to create the version; this is a last check on what flagops itself produces, after every other rule passed.";
        fix: "Fix the flag the finding points at. If the flag files look right, the document flagops compiled is wrong: `flagops compile` shows it."
    }
    DRIFT_ROLLED_BACK = "FO401", "rolled-back", Error, "AppConfig rolled back a flagops deployment (an alarm or a stop); its values are held at what is live" {
        "AppConfig rolled back a deployment flagops made, because an alarm fired or someone stopped it. What clients read is the previous version, not what git says, and flagops holds the affected values at what is live until the drift is resolved.";
        fix: "Fix the values in git, adopt what is live with `flagops adopt`, or deploy them again with `flagops apply --retry FLAG`."
    }
    DRIFT_REVERTED = "FO402", "reverted", Error, "a person reverted a completed flagops deployment; its values are held at what is live" {
        "Someone reverted a completed flagops deployment, e.g. by deploying an earlier version in the console. What clients read no longer matches git, and flagops holds the affected values at what is live until the drift is resolved.";
        fix: "Fix the values in git, adopt what is live with `flagops adopt`, or deploy them again with `flagops apply --retry FLAG`."
    }
    DRIFT_OUT_OF_BAND = "FO403", "out-of-band", Error, "AppConfig serves a version or deployment flagops did not make, or console-owned values differ" {
        "AppConfig serves a version or deployment flagops did not make, or values flagops leaves to the console differ from git. Someone changed configuration outside git, so review and history no longer describe what clients read.";
        fix: "Deploy git again with `flagops apply`, or bring the live values into git with `flagops adopt`."
    }
    DRIFT_STAGED = "FO404", "staged", Warning, "a hosted version newer than the live one was never deployed" {
        "A hosted configuration version newer than the live one exists but was never deployed. Someone created it outside flagops, or a deployment failed to start; the next deployment of that profile could pick it up unexpectedly.";
        fix: "Deploy it with `flagops apply`, or delete the hosted version."
    }
    DRIFT_IN_FLIGHT = "FO405", "in-flight", Note, "a deployment is still rolling out or baking" {
        "A deployment is still rolling out or baking, so what clients read is changing. flagops compares again once the deployment ends; the note says why the target was not compared now.";
        fix: "Wait for the deployment to end, then run `flagops drift` again."
    }
    DRIFT_MISSING = "FO406", "missing", Error, "a declared application, environment or profile does not exist in AppConfig" {
        "An application, environment or profile declared in flagops.yaml does not exist in AppConfig. Flags for it are not served to anyone.";
        fix: "Create it with `flagops apply`, or remove it from flagops.yaml."
    }
    DRIFT_PENDING = "FO407", "pending", Warning, "flagops's own work under way: its deployment rolling out, or a change apply has not reached yet (drift once older than `drift.pending_after_minutes`)" {
        "flagops's own work is under way: its deployment is rolling out, or a change merged to git has not been applied yet. That is expected for a while; once it is older than `drift.pending_after_minutes` it counts as drift, since an apply probably failed or never ran.";
        fix: "Let the deployment end, or run `flagops apply` to deploy what git says."
    }
    DRIFT_PROVENANCE = "FO408", "provenance", Note, "AppConfig serves git's content from a version or deployment flagops did not make: in sync, noted" {
        "AppConfig serves exactly what git says, but from a version or deployment flagops did not make (e.g. created by hand with the same content). The values are in sync; the note records that the history was not made by flagops.";
        fix: "Nothing to fix: what is served is what git says. The next `flagops apply` of the profile makes the history flagops's own again."
    }
    DRIFT_UNTRUSTED_HISTORY = "FO409", "untrusted-history", Note, "AppConfig listed an environment's deployments out of order or cut short: flagops read the whole history and ordered it by number" {
        "AppConfig listed an environment's deployments out of order or cut short. flagops read the whole history and ordered it by deployment number itself, so the comparison is sound, but the endpoint is not behaving like AppConfig.";
        fix: "Nothing to fix in the repository. If it persists, check the endpoint flagops talks to (a proxy, an emulator)."
    }
    DRIFT_SETUP = "FO410", "setup-drift", Error, "AppConfig's strategy, application, environment or profile settings differ from flagops.yaml" {
        "A deployment strategy, application, environment or profile in AppConfig has settings that differ from flagops.yaml: a name, a description, a monitor, a bake time. Someone changed them outside git.";
        fix: "Run `flagops apply` to bring AppConfig back to flagops.yaml, or declare in flagops.yaml what AppConfig has."
    }
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

    #[test]
    fn every_rule_is_documented() {
        for rule in ALL {
            let sentences = rule.description.matches(". ").count() + 1;
            assert!(
                (2..=4).contains(&sentences) && rule.description.ends_with('.'),
                "{}: the description is 2 to 4 sentences",
                rule.code
            );
            assert!(
                !rule.fix.is_empty() && rule.fix.ends_with('.'),
                "{}",
                rule.code
            );
        }
        assert_eq!(
            KEY_PATTERN.help_uri(),
            "https://github.com/flagops/flagops/blob/main/docs/rules.md#fo201"
        );
    }
}
