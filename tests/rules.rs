//! Every lint rule, as a spec. `tests/fixtures/rules/<rule>/fail/` is a small repository
//! that breaks the rule; `pass/` is the nearest repository that keeps it, usually right at the
//! rule's edge (expires today rather than yesterday, 25 attributes rather than 26).
//!
//! For each rule, the real binary checks both (`check -C <fixture> --today 2026-11-22`):
//! the pass fixture passes and has no finding of the rule's code; the fail fixture has
//! findings of that code exactly where the test says, and no finding of any other code; and
//! the fail fixture's report is snapshotted in every output format
//! (`tests/snapshots/rules__<rule>__<format>.snap`). Fixtures are checked as copies outside
//! this repository's git work tree, so rules that read git history see none.
//!
//! A new rule gets a fixture pair in the same layout and a test of a few lines here.
//! Regenerate snapshots with `INSTA_UPDATE=always cargo test --test rules`, then read them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use flagops::finding::catalog;
use support::check::{
    FORMATS, Reported, check, check_json, findings, fixture, rule_fixtures, sorted_dirs,
};

/// Rules whose fixtures are not (or not only) in this layout: deleted-key-reuse needs git
/// history (tests/history.rs builds its repositories), freeform-schema has its fixtures added
/// with its implementation, removed-flag-still-referenced needs git history and code
/// (tests/refs.rs).
const ELSEWHERE: &[&str] = &[
    "deleted-key-reuse",
    "freeform-schema",
    "removed-flag-still-referenced",
];

/// Checks the fixture pair of rule `name`. `fail_at` lists every finding of the rule in the
/// fail fixture as `file:line:column`, in report order.
fn spec(name: &str, fail_at: &[&str]) {
    let rule = catalog::find(name).unwrap_or_else(|| panic!("no rule named {name}"));
    assert_eq!(rule.name, name, "use the rule's name, not its code");
    let dir = fixture(&format!("rules/{name}"));

    // The nearest correct repository: check passes, and says nothing about this rule.
    let (doc, code) = check_json(&dir.join("pass"));
    let reported = findings(&doc);
    assert!(
        reported.iter().all(|f| f.code != rule.code),
        "{name}/pass must have no {} finding: {reported:#?}",
        rule.code
    );
    assert_eq!(code, 0, "{name}/pass must pass check: {reported:#?}");

    // The broken repository: this rule's findings, exactly where expected, and nothing else.
    let (doc, code) = check_json(&dir.join("fail"));
    let reported = findings(&doc);
    let (of_rule, others): (Vec<Reported>, Vec<Reported>) =
        reported.into_iter().partition(|f| f.code == rule.code);
    let at: Vec<&str> = of_rule.iter().map(|f| f.at.as_str()).collect();
    assert_eq!(at, fail_at, "{name}/fail: where {} is reported", rule.code);
    assert!(
        others.is_empty(),
        "{name}/fail must break no other rule: {others:#?}"
    );
    let errors = of_rule.iter().any(|f| f.severity == "error");
    assert_eq!(
        code,
        if errors { 2 } else { 0 },
        "{name}/fail: exit 2 exactly when a finding is an error"
    );

    // What a person (or GitHub, or a code scanner) sees, in every format.
    support::check::snapshot_settings().bind(|| {
        for format in FORMATS {
            let run = check(&dir.join("fail"), format);
            assert_eq!(run.code, code, "{name}/fail --format {format}: exit code");
            assert_eq!(run.stderr, "", "{name}/fail --format {format}: stderr");
            insta::assert_snapshot!(format!("{name}__{format}"), run.stdout);
        }
    });
}

#[test]
fn every_rule_from_fo100_to_fo300_has_a_fixture_pair() {
    let rules_dir = fixture("rules");
    for rule in catalog::ALL
        .iter()
        .filter(|r| ("FO100"..="FO300").contains(&r.code))
        .filter(|r| !ELSEWHERE.contains(&r.name))
    {
        for variant in ["pass", "fail"] {
            let config = rules_dir.join(rule.name).join(variant).join("flagops.yaml");
            assert!(config.is_file(), "{} needs {}", rule.code, config.display());
        }
    }
    for dir in sorted_dirs(&rules_dir) {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(
            catalog::ALL.iter().any(|r| r.name == name),
            "tests/fixtures/rules/{name} is not named after a rule of the catalog"
        );
        for variant in ["pass", "fail"] {
            let flags = dir.join(variant).join("flags");
            assert!(flags.is_dir(), "{} is missing", flags.display());
        }
    }
}

/// FO100: an unknown key (`enabeld`) is reported at the key, with the closest known key as
/// help; the same file spelled right passes.
#[test]
fn schema() {
    spec("schema", &["flags/checkout.yaml:12:9"]);
}

/// FO201: `2021_05_27_checkout_v2` starts with a digit and is no AppConfig key, reported at
/// the key; `checkout_v2_20210527` (the date as a suffix) and attribute keys with capitals and
/// `-` after the first letter are fine.
#[test]
fn key_pattern() {
    spec("key-pattern", &["flags/checkout.yaml:5:3"]);
}

/// FO202: 501 is above `maximum: 500`, reported at the value; 500 is allowed (bounds are
/// inclusive).
#[test]
fn attribute_value() {
    spec("attribute-value", &["flags/checkout.yaml:17:27"]);
}

/// FO203: 25 declared attributes plus the `allow_list` flagops generates for an allow list
/// make 26, reported at `attributes:`, and only by this rule (not again by compiled-schema);
/// 24 plus `allow_list` is exactly AppConfig's limit.
#[test]
fn attribute_count() {
    spec("attribute-count", &["flags/search.yaml:10:5"]);
}

/// FO204: when every variant has a rule there is no default; the last variant's rule is
/// reported. Adding a final variant without a rule fixes it.
#[test]
fn variants() {
    spec("variants", &["flags/search.yaml:20:19"]);
}

/// FO205: values for an environment the application does not have (`prod` for `production`)
/// are reported at the environment's key; a misspelt rule in `rules.levels` at its key, with
/// a did-you-mean.
#[test]
fn unknown_reference() {
    spec(
        "unknown-reference",
        &["flagops.yaml:12:5", "flags/checkout.yaml:11:7"],
    );
}

/// FO206: periods compare instants, not text. `from: 09:00+01:00` and `until: 08:00Z` are the
/// same instant, an empty period, reported at `until`; `until: 08:30Z` is half an hour later.
#[test]
fn period_order() {
    spec("period-order", &["flags/checkout.yaml:15:18"]);
}

/// FO207: the second `ws_acme_corp` of one allow list is reported at that entry, as a warning
/// (exit 0); the same workspace in two environments' lists is no duplicate.
#[test]
fn allow_list_duplicate() {
    spec("allow-list-duplicate", &["flags/checkout.yaml:13:42"]);
}

/// FO208: with `rules.naming` asking release flags for a date suffix, `checkout_v2` is
/// reported at its key; `checkout_v2_20261101` passes, and so does an undated permission flag
/// (a class the convention does not cover).
#[test]
fn naming_convention() {
    spec("naming-convention", &["flags/checkout.yaml:5:3"]);
}

/// FO209: a flag without `owner:` is reported at its key.
#[test]
fn owner_required() {
    spec("owner-required", &["flags/checkout.yaml:6:3"]);
}

/// FO218: each field `flagops import` filled with a placeholder is reported at its own value
/// (the flag's owner and class, the environment's strategy) while `placeholders` lists it.
#[test]
fn import_placeholder() {
    spec(
        "import-placeholder",
        &[
            "flagops.yaml:6:19",
            "flags/checkout.yaml:7:12",
            "flags/checkout.yaml:8:12",
        ],
    );
}

/// FO220: with `refs:` configured, a flag no scanned code reads (in any configured spelling)
/// is reported at its key; read as `oneClickBuy`, it is not. (Stale by age needs git history:
/// tests/refs.rs.)
#[test]
fn stale_flag() {
    spec("stale-flag", &["flags/checkout.yaml:10:3"]);
}

/// FO221: a `refs.patterns` entry that is no regular expression is reported at the entry.
#[test]
fn refs_settings() {
    spec("refs-settings", &["flagops.yaml:14:7"]);
}

/// FO222: a freeze that ends before it starts is reported at `until`, and an environment no
/// application has (so nothing is frozen) at the name.
#[test]
fn freeze_window() {
    spec(
        "freeze-window",
        &["flagops.yaml:11:20", "flagops.yaml:13:12"],
    );
}

/// FO224: a monitor without `alarm_role_arn`, reported at the monitor.
#[test]
fn monitor_role() {
    spec("monitor-role", &["flagops.yaml:11:13"]);
}

/// FO225: a malformed role ARN, region and endpoint, an external id without its role, and an
/// environment no block gives a region, each at its node.
#[test]
fn aws_location() {
    spec(
        "aws-location",
        &[
            "flagops.yaml:4:13",
            "flagops.yaml:8:16",
            "flagops.yaml:12:19",
            "flagops.yaml:13:24",
            "flagops.yaml:14:25",
        ],
    );
}

/// FO210: on 2026-11-22, `expires: 2026-11-21` (yesterday) has passed; `2026-11-22` (today)
/// has not (expiry-near warns about it instead).
#[test]
fn expiry_passed() {
    spec("expiry-passed", &["flags/checkout.yaml:10:14"]);
}

/// FO211: with `warn_days: 21`, a date 21 days ahead is a warning (exit 0) and 22 days ahead
/// is not; an ops flag 18 days ahead is not either, since classes without a policy warn 14 days
/// ahead.
#[test]
fn expiry_near() {
    spec("expiry-near", &["flags/checkout.yaml:11:14"]);
}

/// FO212: a release flag without `expires` when the release policy requires one, reported at
/// the flag's key; a permission flag (no policy) needs none.
#[test]
fn expiry_required() {
    spec("expiry-required", &["flags/checkout.yaml:5:3"]);
}

/// FO213: a credential in any string of flagops.yaml or a flag file (a description, a value,
/// an allow list, a rule) is reported at its node, never repeated and masked in the snippet; a
/// marker without a reason lets nothing through. An ARN that names a secret in Secrets Manager
/// is a reference, not a secret, and a value with a reviewed `flagops:allow-secret <why>` on
/// its line or the line above passes.
#[test]
fn secret_value() {
    spec(
        "secret-value",
        &[
            "flagops.yaml:5:18",
            "flags/invoices.yaml:10:18",
            "flags/invoices.yaml:19:24",
            "flags/invoices.yaml:24:31",
            "flags/invoices.yaml:28:19",
            "flags/invoices.yaml:37:18",
        ],
    );
}

/// FO223: a NUL in a name, a terminal escape in a description and a right-to-left override in
/// an owner are reported where they are; line breaks and tabs in a description, and any
/// character in a value, pass.
#[test]
fn control_character() {
    spec(
        "control-character",
        &[
            "flags/checkout.yaml:7:11",
            "flags/checkout.yaml:8:18",
            "flags/checkout.yaml:9:12",
        ],
    );
}

/// FO214: a freeform document of 1048577 bytes is one byte over AppConfig's default limit, a
/// warning reported at `content:`; exactly 1048576 bytes passes.
#[test]
fn document_size() {
    spec("document-size", &["flags/workspace-lists.yaml:8:1"]);
}

/// FO215: the same key defined in two files of one profile is reported at the second
/// definition (files are read in path order); the same key in two applications is fine.
#[test]
fn duplicate_flag() {
    spec("duplicate-flag", &["flags/payments.yaml:6:3"]);
}

/// FO300: a 65-character display name breaks AWS's FeatureFlags schema, which no lint rule
/// knows about; it is reported once (not once per environment), at the name. 64 characters
/// pass.
#[test]
fn compiled_schema() {
    spec("compiled-schema", &["flags/checkout.yaml:8:11"]);
}

/// Every finding says how to fix it: each one of every fixture has a non-empty `help`.
#[test]
fn every_finding_of_every_fixture_has_a_fix_hint() {
    for dir in rule_fixtures() {
        let (doc, _) = check_json(&dir);
        for f in doc["findings"].as_array().expect("findings") {
            let help = f["help"].as_str().unwrap_or_default();
            assert!(
                !help.trim().is_empty(),
                "{}: {} at {}:{} has no help",
                dir.display(),
                f["code"],
                f["file"],
                f["line"]
            );
        }
    }
}
