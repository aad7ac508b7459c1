//! `check`'s cache never changes a result: after random edits to a real repository (the
//! example one, in git, with a deleted key in its history, code references and flag ages),
//! a check through the cache renders exactly what a check without it renders. A corrupt
//! cache, an unwritable one and runs at once change nothing either; an unchanged repository
//! is answered from the cache, and a one-file change recomputes that file and its profile only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use flagops::cache::Store;
use flagops::check::{Documents, incremental};
use flagops::cli::Format;
use flagops::output::check::{CheckOutput, render};
use proptest::prelude::*;

const FLAG_FILES: [&str; 5] = [
    "flags/ops/switches.yaml",
    "flags/storefront/search.yaml",
    "flags/storefront/workspace-lists.yaml",
    "flags/storefront/checkout.yaml",
    "flags/storefront/permissions.yaml",
];

const LEVEL_ON: &str = "allow-list-duplicate: error";
const LEVEL_OFF: &str = "allow-list-duplicate: off";

/// The example repository in a git repository whose history deleted `retired_flag`, with
/// application code that reads some flags.
fn example_repo() -> tempfile::TempDir {
    example_repo_with(true)
}

/// The same, with or without `refs` (without, what the history rules find is cached too).
fn example_repo_with(refs: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["flags", "schemas"] {
        support::copy_dir(&src.join(sub), &dir.path().join(sub));
    }
    let config = std::fs::read_to_string(src.join("flagops.yaml")).unwrap();
    let refs = if refs { "refs:\n  paths: [app]\n" } else { "" };
    let config = config.replace(
        "rules:\n",
        &format!("{refs}rules:\n  lifetime: {{ ops: 30 }}\n"),
    );
    assert!(config.contains(LEVEL_ON) && config.contains("lifetime"));
    std::fs::write(dir.path().join("flagops.yaml"), config).unwrap();
    std::fs::create_dir_all(dir.path().join("app")).unwrap();
    std::fs::write(
        dir.path().join("app/main.ts"),
        "if (flags.maintenance_mode) {}\nif (flags.retired_flag) {}\n",
    )
    .unwrap();
    let git = |args: &[&str]| support::git(dir.path(), args);
    git(&["init", "-q", "-b", "main"]);
    let commit = |message: &str| {
        git(&["add", "-A"]);
        git(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-qm",
            message,
        ]);
    };
    let switches = dir.path().join(FLAG_FILES[0]);
    let original = std::fs::read_to_string(&switches).unwrap();
    std::fs::write(&switches, format!("{original}{}", retired_flag())).unwrap();
    commit("flags with retired_flag");
    std::fs::write(&switches, original).unwrap();
    commit("retired_flag deleted");
    dir
}

fn retired_flag() -> String {
    "\n  retired_flag:\n    owner: sre-oncall\n    class: ops\n".to_owned()
}

/// Checks with and without the cache and renders both as JSON and as the human report.
fn both(root: &Path, today: jiff::civil::Date, store: &Store) -> (String, String) {
    let render_all = |(loaded, report): (flagops::load::Loaded, flagops::check::Report)| {
        let out = CheckOutput::of(&loaded, &report);
        format!(
            "{}\n{}",
            render(Format::Json, &out, false),
            render(Format::Human, &out, false)
        )
    };
    let cached = render_all(incremental::repository(root, today, store));
    let uncached = render_all(flagops::check::repository(
        root,
        today,
        Documents::CheckOnly,
    ));
    (cached, uncached)
}

#[derive(Debug, Clone)]
enum Edit {
    FlipEnabled(usize, usize),
    Copy(usize, u8),
    Delete(usize),
    BreakYaml(usize),
    BadFlag(usize, u8),
    ReuseDeletedKey(usize),
    Restore(usize),
    ToggleRuleLevel,
    InvalidUtf8(usize),
    Expire(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let file = 0..FLAG_FILES.len();
    prop_oneof![
        (file.clone(), 0..4usize).prop_map(|(f, n)| Edit::FlipEnabled(f, n)),
        (file.clone(), 0..3u8).prop_map(|(f, n)| Edit::Copy(f, n)),
        file.clone().prop_map(Edit::Delete),
        file.clone().prop_map(Edit::BreakYaml),
        (file.clone(), 0..3u8).prop_map(|(f, n)| Edit::BadFlag(f, n)),
        file.clone().prop_map(Edit::ReuseDeletedKey),
        file.clone().prop_map(Edit::Restore),
        Just(Edit::ToggleRuleLevel),
        file.clone().prop_map(Edit::InvalidUtf8),
        file.prop_map(Edit::Expire),
    ]
}

fn apply(root: &Path, edit: &Edit) {
    let original = |i: usize| {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(FLAG_FILES[i])).unwrap()
    };
    let path = |i: usize| root.join(FLAG_FILES[i]);
    let text = |i: usize| std::fs::read(path(i)).unwrap_or_else(|_| original(i));
    let append = |i: usize, more: &[u8]| {
        let mut bytes = text(i);
        bytes.extend_from_slice(more);
        std::fs::write(path(i), bytes).unwrap();
    };
    match *edit {
        Edit::FlipEnabled(i, n) => {
            let t = String::from_utf8_lossy(&text(i)).into_owned();
            let flipped = match t.match_indices("enabled: ").nth(n) {
                Some((at, _)) => {
                    let rest = &t[at + 9..];
                    let (old, new) = if rest.starts_with("true") {
                        ("true", "false")
                    } else {
                        ("false", "true")
                    };
                    format!(
                        "{}enabled: {new}{}",
                        &t[..at],
                        &rest[old.len().min(rest.len())..]
                    )
                }
                None => t,
            };
            std::fs::write(path(i), flipped).unwrap();
        }
        Edit::Copy(i, n) => {
            let to = path(i).with_file_name(format!("copy-{n}.yaml"));
            std::fs::write(to, text(i)).unwrap();
        }
        Edit::Delete(i) => {
            let _ = std::fs::remove_file(path(i));
        }
        Edit::BreakYaml(i) => append(i, b"\nflags: [oops\n"),
        Edit::BadFlag(i, n) => append(
            i,
            format!("\n  Bad Key {n}:\n    class: release\n    owner: x\n").as_bytes(),
        ),
        Edit::ReuseDeletedKey(i) => append(i, retired_flag().as_bytes()),
        Edit::Restore(i) => std::fs::write(path(i), original(i)).unwrap(),
        Edit::ToggleRuleLevel => {
            let config = root.join("flagops.yaml");
            let t = std::fs::read_to_string(&config).unwrap();
            let t = if t.contains(LEVEL_ON) {
                t.replace(LEVEL_ON, LEVEL_OFF)
            } else {
                t.replace(LEVEL_OFF, LEVEL_ON)
            };
            std::fs::write(config, t).unwrap();
        }
        Edit::InvalidUtf8(i) => append(i, b"\n# \xff\xfe\n"),
        Edit::Expire(i) => {
            let t = String::from_utf8_lossy(&text(i)).replace("expires: \"20", "expires: \"19");
            std::fs::write(path(i), t.replace("expires: 20", "expires: 19")).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn cached_and_uncached_checks_render_the_same(
        edits in prop::collection::vec((edit(), any::<bool>()), 1..7),
        refs in any::<bool>(),
    ) {
        let repo = example_repo_with(refs);
        let store = Store::at(repo.path().join(".flagops/cache"));
        for (edit, later) in &edits {
            apply(repo.path(), edit);
            let today = if *later { jiff::civil::date(2031, 6, 1) } else { jiff::civil::date(2027, 1, 1) };
            let (cached, uncached) = both(repo.path(), today, &store);
            prop_assert_eq!(&cached, &uncached, "after {:?}", edit);
            // And again, now from a warm cache.
            let (warm, _) = both(repo.path(), today, &store);
            prop_assert_eq!(&warm, &uncached, "warm, after {:?}", edit);
        }
    }
}

#[test]
fn an_unchanged_repository_is_answered_from_the_cache() {
    let repo = example_repo();
    let today = jiff::civil::date(2027, 1, 1);
    let cold = Store::at(repo.path().join("cache"));
    let (first, uncached) = both(repo.path(), today, &cold);
    assert_eq!(first, uncached);
    let (_, written) = cold.counts();
    // The files' index, every declared profile, the history.
    assert!(written >= 3, "wrote {written}");

    let warm = Store::at(repo.path().join("cache"));
    let (second, _) = both(repo.path(), today, &warm);
    assert_eq!(second, uncached);
    assert_eq!(warm.counts().1, 0, "a warm run writes nothing");
    assert!(warm.counts().0 >= written, "read {:?}", warm.counts());

    // One file changed: that file and its profile are checked again, nothing else.
    apply(repo.path(), &Edit::FlipEnabled(3, 0));
    let after_edit = Store::at(repo.path().join("cache"));
    let (third, uncached) = both(repo.path(), today, &after_edit);
    assert_eq!(third, uncached);
    assert_eq!(
        after_edit.counts().1,
        4,
        "the file's entry, its profile's, and the profile's two other files, typed"
    );
}

/// A file is grouped by the profile its unindented lines name when its first events do not
/// say: here a line of a quoted description, in a file written as one flow mapping. The
/// check finds out when the file parses, and answers as if the file had been grouped right.
#[test]
fn a_file_whose_lines_name_another_profile_is_checked_with_its_own() {
    let repo = example_repo();
    let today = jiff::civil::date(2027, 1, 1);
    let flags: String = (0..60)
        .map(|i| format!("  switch_{i}: {{class: ops, owner: sre-oncall}},\n"))
        .collect();
    let text = format!(
        "{{\napplication: storefront\n, flags: {{\n{flags}  search_ranking_20270115: {{class: release, owner: sre-oncall, description: \"one\nprofile: workspace-lists\n\"}}}}\n, profile: release-flags\n}}\n"
    );
    let lines = Some(("storefront".to_owned(), "workspace-lists".to_owned()));
    assert_eq!(flagops::load::scope_hint(&text), lines);
    let named = flagops::load::parse_value(&text).unwrap();
    assert_eq!(named["profile"], "release-flags");
    std::fs::write(repo.path().join("flags/storefront/flow.yaml"), &text).unwrap();

    let store = Store::at(repo.path().join("cache"));
    let (cached, uncached) = both(repo.path(), today, &store);
    assert_eq!(cached, uncached);
    // The flag that search.yaml defines too is found twice in its profile.
    let duplicate = flagops::finding::catalog::DUPLICATE_FLAG.code;
    assert!(
        uncached.contains("flow.yaml") && uncached.contains(duplicate),
        "{uncached}"
    );
    let (again, _) = both(repo.path(), today, &Store::at(repo.path().join("cache")));
    assert_eq!(again, uncached);
}

#[test]
fn a_corrupt_cache_is_ignored_and_rebuilt() {
    let repo = example_repo();
    let today = jiff::civil::date(2027, 1, 1);
    let dir = repo.path().join("cache");
    let (first, uncached) = both(repo.path(), today, &Store::at(dir.clone()));
    assert_eq!(first, uncached);
    // Truncated entries, garbage, and entries swapped between keys.
    let mut entries: Vec<_> = ["files", "profiles", "history"]
        .iter()
        .flat_map(|kind| std::fs::read_dir(dir.join(kind)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert!(entries.len() >= 4, "{entries:?}");
    for (i, entry) in entries.iter().enumerate() {
        match i % 3 {
            0 => std::fs::write(entry, b"{\"format\":1,\"ver").unwrap(),
            1 => std::fs::write(entry, [0xff, 0x00, 0x13]).unwrap(),
            _ => {
                let other = &entries[(i + 1) % entries.len()];
                let _ = std::fs::copy(other, entry);
            }
        }
    }
    let store = Store::at(dir.clone());
    let (second, _) = both(repo.path(), today, &store);
    assert_eq!(second, uncached);
    assert!(
        store.counts().1 > 0,
        "the corrupt entries are written again"
    );
    let store = Store::at(dir);
    let (third, _) = both(repo.path(), today, &store);
    assert_eq!(third, uncached);
    assert_eq!(store.counts().1, 0, "and then read back");
}

/// Without its file index, a run parses every file again, but only for the file's own
/// findings where its profile's entry still holds: the profiles are not checked again.
#[test]
fn a_lost_file_index_keeps_the_profiles_known() {
    let repo = example_repo();
    let today = jiff::civil::date(2027, 1, 1);
    let dir = repo.path().join("cache");
    let (first, uncached) = both(repo.path(), today, &Store::at(dir.clone()));
    assert_eq!(first, uncached);
    let profiles = std::fs::read_dir(dir.join("profiles")).unwrap().count();
    std::fs::remove_dir_all(dir.join("files")).unwrap();
    let store = Store::at(dir.clone());
    let (second, _) = both(repo.path(), today, &store);
    assert_eq!(second, uncached);
    let (read, written) = store.counts();
    assert!(
        read >= profiles as u64,
        "{read} entries read, {profiles} profiles"
    );
    assert_eq!(written, 1, "only the index is written again");
}

/// After one file of a profile changes, the profile's other files are kept typed, and the
/// next change in the profile reads them back rather than parsing them: shown here by an
/// entry altered behind the cache's back, which the next check then reports from.
#[test]
fn a_profile_checked_again_keeps_its_other_files_typed() {
    let repo = example_repo();
    let today = jiff::civil::date(2027, 1, 1);
    let dir = repo.path().join("cache");
    let search = FLAG_FILES
        .iter()
        .position(|f| f.ends_with("search.yaml"))
        .unwrap();
    let (first, uncached) = both(repo.path(), today, &Store::at(dir.clone()));
    assert_eq!(first, uncached);
    assert!(
        !dir.join("typed").exists(),
        "a first check keeps no typed file"
    );

    apply(repo.path(), &Edit::FlipEnabled(search, 0));
    let (second, uncached) = both(repo.path(), today, &Store::at(dir.clone()));
    assert_eq!(second, uncached);
    // checkout.yaml and permissions.yaml share search.yaml's profile.
    let typed: Vec<_> = std::fs::read_dir(dir.join("typed"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(typed.len(), 2, "{typed:?}");

    for path in &typed {
        let mut entry: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let flags = entry["value"]["flags"].as_object_mut().unwrap();
        let (_, flag) = flags.iter_mut().next().unwrap();
        flag["description"] = "x".repeat(2000).into();
        std::fs::write(path, serde_json::to_vec(&entry).unwrap()).unwrap();
    }
    apply(repo.path(), &Edit::FlipEnabled(search, 1));
    let (third, uncached) = both(repo.path(), today, &Store::at(dir.clone()));
    assert!(!uncached.contains(&"x".repeat(100)));
    assert_ne!(third, uncached, "the typed files were read back");
    assert!(third.contains("AppConfig would reject"), "{third}");
}

#[test]
fn an_unwritable_cache_only_costs_time() {
    let repo = example_repo();
    let today = jiff::civil::date(2027, 1, 1);
    // A file where the cache directory would be: nothing can be created under it.
    let blocked = repo.path().join("blocked");
    std::fs::write(&blocked, "not a directory").unwrap();
    let store = Store::at(blocked.join("cache"));
    let (cached, uncached) = both(repo.path(), today, &store);
    assert_eq!(cached, uncached);
    assert_eq!(store.counts(), (0, 0));
}

#[test]
fn runs_at_once_share_a_cache_safely() {
    let repo = example_repo();
    let today = jiff::civil::date(2027, 1, 1);
    let dir = repo.path().join("cache");
    let (_, uncached) = both(repo.path(), today, &Store::none());
    for round in 0..3 {
        // Each round changes a file, so that every run writes while others read.
        apply(
            repo.path(),
            &Edit::BadFlag(round % FLAG_FILES.len(), round as u8),
        );
        let (_, expected) = both(repo.path(), today, &Store::none());
        assert_ne!(expected, uncached);
        let results: Vec<String> = std::thread::scope(|s| {
            let runs: Vec<_> = (0..4)
                .map(|_| s.spawn(|| both(repo.path(), today, &Store::at(dir.clone())).0))
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for result in results {
            assert_eq!(result, expected, "round {round}");
        }
    }
}

/// Commits `edit` with the given date, as CI sees a push.
fn commit_dated(root: &Path, date: &str, message: &str) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .current_dir(root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["add", "-A"]);
    run(&["commit", "-qm", message, "--allow-empty"]);
}

#[test]
fn each_new_commit_reads_only_what_it_changed_of_the_history() {
    for refs in [true, false] {
        new_commits(refs);
    }
}

fn new_commits(refs: bool) {
    let repo = example_repo_with(refs);
    let today = jiff::civil::date(2027, 1, 1);
    let dir = repo.path().join("cache");
    let edits = [
        Edit::ReuseDeletedKey(1),
        Edit::Delete(0),
        Edit::Restore(0),
        Edit::Copy(2, 0),
        Edit::BadFlag(3, 1),
        Edit::Restore(1),
        Edit::Delete(4),
    ];
    let (first, uncached) = both(repo.path(), today, &Store::at(dir.clone()));
    assert_eq!(first, uncached);
    for (i, edit) in edits.iter().enumerate() {
        apply(repo.path(), edit);
        commit_dated(
            repo.path(),
            &format!("2026-0{}-01T12:00:00Z", i + 2),
            &format!("{edit:?}"),
        );
        // The new commit's facts follow from its parent's, kept by the run before.
        let store = Store::at(dir.clone());
        let facts = flagops::git::key_facts(repo.path(), "flags", &store, true).unwrap();
        assert_eq!(facts.source, flagops::git::FactsSource::FromParent);
        let walked = flagops::git::key_facts(repo.path(), "flags", &Store::none(), true).unwrap();
        assert_eq!(walked.source, flagops::git::FactsSource::Walked);
        assert_eq!(facts, walked, "after committing {edit:?}");
        let (cached, uncached) = both(repo.path(), today, &Store::at(dir.clone()));
        assert_eq!(cached, uncached, "after committing {edit:?}");
        let (warm, _) = both(repo.path(), today, &Store::at(dir.clone()));
        assert_eq!(warm, uncached, "warm, after committing {edit:?}");
        let again = flagops::git::key_facts(repo.path(), "flags", &store, true).unwrap();
        assert_eq!(again.source, flagops::git::FactsSource::Cached);
    }
    // The history findings the test is about did show up.
    let (_, uncached) = both(repo.path(), today, &Store::none());
    assert!(uncached.contains("FO216"), "{uncached}");
    assert!(uncached.contains("days ago"), "{uncached}");
}

fn check_command(repo: &Path, args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flagops"));
    command
        .arg("check")
        .args(["--today", "2027-01-01", "--format", "json"])
        .args(args)
        .arg("-C")
        .arg(repo);
    support::isolated(&mut command).output().unwrap()
}

#[test]
fn check_keeps_its_cache_in_the_repository_out_of_git() {
    let repo = example_repo();
    let first = check_command(repo.path(), &[]);
    let cache = repo.path().join(".flagops/cache");
    for part in [".gitignore", "CACHEDIR.TAG", "files", "profiles", "history"] {
        assert!(cache.join(part).exists(), "{part} missing");
    }
    // git sees nothing new, though the repository's own .gitignore does not name it.
    assert_eq!(support::git(repo.path(), &["status", "--porcelain"]), "");
    let second = check_command(repo.path(), &[]);
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(first.status.code(), second.status.code());
}

#[test]
fn no_cache_writes_nothing_and_the_cache_can_live_elsewhere() {
    let repo = example_repo();
    let uncached = check_command(repo.path(), &["--no-cache"]);
    assert!(!repo.path().join(".flagops").exists());

    let elsewhere = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flagops"));
    command
        .args(["check", "--today", "2027-01-01", "--format", "json", "-C"])
        .arg(repo.path());
    let by_env = support::isolated(&mut command)
        .env("FLAGOPS_CACHE_DIR", elsewhere.path())
        .output()
        .unwrap();
    assert!(!repo.path().join(".flagops").exists());
    assert!(elsewhere.path().join("files").is_dir());
    assert_eq!(by_env.stdout, uncached.stdout);

    let by_flag = check_command(
        repo.path(),
        &["--cache-dir", &elsewhere.path().join("x").to_string_lossy()],
    );
    assert!(elsewhere.path().join("x/profiles").is_dir());
    assert_eq!(by_flag.stdout, uncached.stdout);
}

#[test]
#[cfg(unix)]
fn a_file_is_read_again_when_its_stat_says_it_may_have_changed() {
    let repo = example_repo();
    let verbose = |repo: &Path| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flagops"));
        command
            .args([
                "-v",
                "check",
                "--today",
                "2027-01-01",
                "--format",
                "json",
                "-C",
            ])
            .arg(repo);
        let out = support::isolated(&mut command).output().unwrap();
        let log = String::from_utf8_lossy(&out.stderr).into_owned();
        (String::from_utf8_lossy(&out.stdout).into_owned(), log)
    };
    // Stats vouch for bytes read at least two seconds after the file last changed.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (first, _) = verbose(repo.path());
    let (second, log) = verbose(repo.path());
    assert_eq!(first, second);
    assert!(
        log.contains("5 of them known to the cache, 5 by their stat alone"),
        "{log}"
    );

    // The same size, the old modification time put back: the change time still moves.
    let file = repo.path().join(FLAG_FILES[3]);
    let text = std::fs::read_to_string(&file).unwrap();
    let flipped = text.replacen("enabled: true", "enabled: fals", 1);
    let flipped = if flipped == text {
        text.replacen("enabled: false", "enabled: truee", 1)
    } else {
        flipped
    };
    assert_eq!(flipped.len(), text.len());
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::fs::write(&file, &flipped).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let (third, log) = verbose(repo.path());
    assert!(log.contains("4 of them known to the cache"), "{log}");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flagops"));
    command
        .args([
            "check",
            "--today",
            "2027-01-01",
            "--format",
            "json",
            "--no-cache",
            "-C",
        ])
        .arg(repo.path());
    let uncached = support::isolated(&mut command).output().unwrap();
    assert_eq!(third, String::from_utf8_lossy(&uncached.stdout));
    assert_ne!(third, first);
}

#[test]
fn a_profile_is_checked_again_when_the_date_could_change_what_it_finds() {
    let repo = example_repo();
    let dir = repo.path().join("cache");
    let check_on = |y, m, d| {
        let store = Store::at(dir.clone());
        let (cached, uncached) = both(repo.path(), jiff::civil::date(y, m, d), &store);
        assert_eq!(cached, uncached, "on {y}-{m}-{d}");
        store.counts().1
    };
    assert!(check_on(2027, 1, 1) > 0);
    // Months later, the day before the first expiry warning opens (an experiment in search,
    // 14 days before 2027-11-30): all hold.
    assert_eq!(check_on(2027, 6, 1), 0);
    assert_eq!(check_on(2027, 11, 15), 0);
    // Within its window: that profile, and only it, is checked again, every day (the first
    // time, its three files are kept typed as well).
    assert_eq!(check_on(2027, 11, 16), 4);
    assert_eq!(check_on(2027, 11, 17), 1);
    // A date before the one an entry was found on is not taken on trust either: every
    // profile is checked again.
    assert!(check_on(2026, 12, 1) > 1);
}
