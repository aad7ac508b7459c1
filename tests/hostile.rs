//! Hostile input for the loader. Every case runs the real `flagops check` on a scratch
//! repository (a valid flagops.yaml, and the hostile file at flags/<name>.yaml or as
//! flagops.yaml itself) under a 2 GB address-space cap and a generous timeout, so a panic, a
//! hang or unbounded memory growth fails the test. Each case asserts the exit code, and that
//! the findings name the file, with the line where the problem has one.
//!
//! Small inputs live in tests/fixtures/hostile/; large and binary ones are made here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const CONFIG: &str = "\
version: 1
applications:
  app:
    environments:
      prod: { strategy: AppConfig.AllAtOnce }
    profiles:
      flags: { type: feature-flags }
";

/// Address space for one run, in KiB: `ulimit -v` makes allocations beyond it fail.
const MEMORY_KIB: u64 = 2_000_000;
/// Far above any case's run time; only a hang reaches it.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The largest file flagops reads (`flagops::load::MAX_FILE_BYTES`).
const MAX_FILE_BYTES: usize = 2 << 20;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn valid_flags() -> Vec<u8> {
    fixture("valid.yaml")
}

/// A scratch repository with a valid flagops.yaml and an empty flags/ directory.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("flagops.yaml"), CONFIG).expect("flagops.yaml written");
        std::fs::create_dir(dir.path().join("flags")).expect("flags/ created");
        Repo { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent directory created");
        }
        std::fs::write(&path, content).expect("file written");
    }

    fn symlink(&self, rel: &str, target: impl AsRef<Path>) {
        std::os::unix::fs::symlink(target, self.path(rel)).expect("symlink created");
    }

    fn check(&self) -> Outcome {
        check(self.root())
    }
}

/// What `flagops check` did: its exit code, its JSON findings and its human output.
struct Outcome {
    code: i32,
    findings: Vec<Value>,
    json: String,
    human: String,
}

/// Runs `flagops check` on `root` twice, in JSON and in the default human format, each under
/// the memory cap and the timeout.
fn check(root: &Path) -> Outcome {
    let started = Instant::now();
    let (code, json) = run(root, &["--format", "json"]);
    let json_time = started.elapsed();
    let (human_code, human) = run(root, &[]);
    let thread = std::thread::current();
    eprintln!(
        "timing {}: json {json_time:?}, human {:?}",
        thread.name().unwrap_or("?"),
        started.elapsed() - json_time
    );
    assert_eq!(code, human_code, "both formats end the same way\n{json}");
    let doc: Value = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("--format json prints JSON ({e}):\n{json}"));
    let findings = doc["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("a findings array:\n{json}"))
        .clone();
    Outcome {
        code,
        findings,
        json,
        human,
    }
}

fn run(root: &Path, format: &[&str]) -> (i32, String) {
    let flagops = Command::cargo_bin("flagops").expect("the flagops binary is built");
    let script = format!("ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\"");
    let output = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(flagops.get_program())
        .args(["check", "-C"])
        .arg(root)
        .args(["--today", "2027-01-01"])
        .args(format)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("CLICOLOR_FORCE")
        .timeout(TIMEOUT)
        .output()
        .expect("sh runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let Some(code) = output.status.code() else {
        panic!("flagops was killed (a hang past {TIMEOUT:?}, or a signal): {stderr}");
    };
    assert_ne!(code, 101, "flagops panicked:\n{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("memory allocation"),
        "{stderr}"
    );
    (code, stdout)
}

impl Outcome {
    /// The run found problems (exit 2), and the human output names every file they are in.
    fn failed(&self) -> &Self {
        assert_eq!(self.code, 2, "expected findings:\n{}", self.json);
        for f in &self.findings {
            let file = f["file"].as_str().expect("every finding names a file");
            assert!(
                predicate::str::contains(file).eval(&self.human),
                "the human output names {file}:\n{}",
                self.human
            );
        }
        self
    }

    /// The run passed cleanly: exit 0, nothing to report.
    fn passed(&self) {
        assert_eq!(self.code, 0, "expected a clean check:\n{}", self.json);
        assert!(self.findings.is_empty(), "{}", self.json);
        assert!(
            predicate::str::starts_with("check passed").eval(&self.human),
            "{}",
            self.human
        );
    }

    fn in_file<'a>(&'a self, file: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.findings.iter().filter(move |f| f["file"] == file)
    }

    /// A finding with `code` on `file`, at `line` (`None`: on the whole file). Returns it.
    fn has(&self, file: &str, code: &str, line: Option<u64>) -> &Value {
        let found = self
            .findings
            .iter()
            .find(|f| f["file"] == file && f["code"] == code && f["line"].as_u64() == line);
        found
            .unwrap_or_else(|| panic!("expected {code} on {file} at line {line:?}:\n{}", self.json))
    }

    /// A finding with `code` on `file`, wherever in it; its line must be known.
    fn has_located(&self, file: &str, code: &str) -> &Value {
        let found = self
            .findings
            .iter()
            .find(|f| f["file"] == file && f["code"] == code);
        let found = found.unwrap_or_else(|| panic!("expected {code} on {file}:\n{}", self.json));
        assert!(
            found["line"].as_u64().is_some_and(|l| l >= 1),
            "{code} on {file} has a line:\n{}",
            self.json
        );
        found
    }

    fn count(&self, file: &str, code: &str) -> usize {
        self.in_file(file).filter(|f| f["code"] == code).count()
    }
}

fn message(finding: &Value) -> &str {
    finding["message"].as_str().expect("a message")
}

/// Checks a repository whose only flag file is `flags/<name>.yaml` with `content`.
fn flag_file(name: &str, content: impl AsRef<[u8]>) -> (Repo, Outcome, String) {
    let repo = Repo::new();
    let rel = format!("flags/{name}.yaml");
    repo.write(&rel, content);
    let outcome = repo.check();
    (repo, outcome, rel)
}

/// Checks a repository whose flagops.yaml is `content`, with one valid flag file.
fn config_file(content: impl AsRef<[u8]>) -> Outcome {
    let repo = Repo::new();
    repo.write("flagops.yaml", content);
    repo.write("flags/valid.yaml", valid_flags());
    repo.check()
}

fn crlf(text: &[u8]) -> Vec<u8> {
    String::from_utf8(text.to_vec())
        .expect("a UTF-8 fixture")
        .replace('\n', "\r\n")
        .into_bytes()
}

// ---------------------------------------------------------------------------------------
// The baseline: the helper's repository is valid
// ---------------------------------------------------------------------------------------

#[test]
fn the_valid_flag_file_passes() {
    let (_repo, out, _) = flag_file("valid", valid_flags());
    out.passed();
}

// ---------------------------------------------------------------------------------------
// Aliases
// ---------------------------------------------------------------------------------------

#[test]
fn billion_laughs_is_a_limit() {
    let (_repo, out, file) = flag_file("laughs", fixture("billion_laughs.yaml"));
    let f = out.failed().has_located(&file, "FO013");
    assert!(message(f).contains("nodes"), "{}", out.json);
}

#[test]
fn nested_aliases_of_mappings_are_a_limit() {
    let (_repo, out, file) = flag_file("nested", fixture("nested_aliases.yaml"));
    out.failed().has_located(&file, "FO013");
}

#[test]
fn a_thousand_and_one_aliases_are_a_limit() {
    let text = format!("a: &a x\nb: [{}]\n", vec!["*a"; 1001].join(", "));
    let (_repo, out, file) = flag_file("aliases", text);
    out.failed().has(&file, "FO013", Some(2));
}

#[test]
fn aliases_of_a_large_string_are_a_limit() {
    // 1.5 MB once, 1.5 GB if every alias were copied.
    let text = format!(
        "a: &a {}\nb: [{}]\n",
        "x".repeat(1_500_000),
        vec!["*a"; 999].join(",")
    );
    let (_repo, out, file) = flag_file("big_alias", text);
    out.failed().has(&file, "FO013", Some(2));
}

#[test]
fn an_undefined_alias_is_a_syntax_error() {
    let (_repo, out, file) = flag_file("undefined", fixture("undefined_alias.yaml"));
    out.failed().has(&file, "FO010", Some(3));
}

#[test]
fn a_recursive_alias_is_a_syntax_error() {
    let (_repo, out, file) = flag_file("recursive", fixture("recursive_alias.yaml"));
    out.failed().has(&file, "FO010", Some(3));
}

// ---------------------------------------------------------------------------------------
// Nesting
// ---------------------------------------------------------------------------------------

#[test]
fn ten_thousand_nested_block_sequences_are_a_limit() {
    let text = format!("{}x\n", "- ".repeat(10_000));
    let (_repo, out, file) = flag_file("deep_seq", text);
    let f = out.failed().has(&file, "FO013", Some(1));
    assert!(message(f).contains("deeper than"), "{}", out.json);
}

#[test]
fn ten_thousand_nested_block_mappings_are_refused_by_size() {
    // Indentation grows with depth: 10,000 levels are 50 MB, refused unread. The parser's
    // depth limit on such nesting is covered in src/load/yaml.rs, and below on a file that
    // fits.
    let mut text = String::new();
    for depth in 0..10_000 {
        text.push_str(&format!("{:depth$}k:\n", ""));
    }
    let (_repo, out, file) = flag_file("deep_map_huge", text);
    out.failed().has(&file, "FO003", None);
}

#[test]
fn deeply_nested_block_mappings_are_a_limit() {
    let mut text = String::new();
    for depth in 0..1_500 {
        text.push_str(&format!("{:depth$}k:\n", ""));
    }
    assert!(text.len() < MAX_FILE_BYTES);
    let (_repo, out, file) = flag_file("deep_map", text);
    out.failed().has(&file, "FO013", Some(49));
}

#[test]
fn ten_thousand_nested_flow_sequences_are_a_limit() {
    let text = format!("{}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let (_repo, out, file) = flag_file("deep_flow_seq", text);
    out.failed().has(&file, "FO013", Some(1));
}

#[test]
fn ten_thousand_nested_flow_mappings_are_a_limit() {
    let text = format!("{}x{}\n", "{a: ".repeat(10_000), "}".repeat(10_000));
    let (_repo, out, file) = flag_file("deep_flow_map", text);
    out.failed().has(&file, "FO013", Some(1));
}

#[test]
fn a_hundred_thousand_unclosed_brackets_are_a_limit() {
    let text = format!("{}\n", "[{".repeat(50_000));
    let (_repo, out, file) = flag_file("unclosed", text);
    out.failed().has(&file, "FO013", Some(1));
}

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

#[test]
fn a_duplicate_top_level_key_is_reported_at_the_second() {
    let (_repo, out, file) = flag_file("dup_top", fixture("duplicate_top.yaml"));
    let f = out.failed().has(&file, "FO011", Some(9));
    assert!(message(f).contains("application"), "{}", out.json);
}

#[test]
fn a_duplicate_nested_key_is_reported_at_the_second() {
    let (_repo, out, file) = flag_file("dup_nested", fixture("duplicate_nested.yaml"));
    let f = out.failed().has(&file, "FO011", Some(8));
    assert!(
        !message(f).contains("Options"),
        "no API advice: {}",
        out.json
    );
}

#[test]
fn a_duplicate_key_in_a_flow_mapping_is_reported() {
    let (_repo, out, file) = flag_file("dup_flow", fixture("duplicate_flow.yaml"));
    out.failed().has(&file, "FO011", Some(8));
}

#[test]
fn a_megabyte_implicit_key_is_a_syntax_error() {
    // YAML limits implicit keys to 1024 characters.
    let text = format!("{}: v\n", "k".repeat(1_000_000));
    let (_repo, out, file) = flag_file("long_key", text);
    out.failed().has(&file, "FO010", Some(1));
}

#[test]
fn a_megabyte_explicit_key_over_many_values_is_a_limit() {
    // Every value's path repeats the key: 900,000 paths of 1 MB without a budget.
    let text = format!(
        "? {}\n: [{}]\n",
        "k".repeat(1_000_000),
        vec!["0"; 90_000].join(",")
    );
    assert!(text.len() < MAX_FILE_BYTES);
    let (_repo, out, file) = flag_file("long_explicit_key", text);
    out.failed().has(&file, "FO013", Some(2));
}

#[test]
fn non_string_keys_are_reported_where_they_are() {
    let (_repo, out, file) = flag_file("keys", fixture("non_string_keys.yaml"));
    out.failed();
    out.has(&file, "FO014", Some(3));
    out.has(&file, "FO014", Some(5));
}

#[test]
fn three_hundred_thousand_keys_are_a_limit() {
    let mut text = String::with_capacity(MAX_FILE_BYTES);
    for i in 0..300_000u32 {
        // Four base-32 digits: distinct keys, six bytes a line.
        for shift in [15, 10, 5, 0] {
            let digit = (i >> shift) & 31;
            text.push(char::from(
                b"abcdefghijklmnopqrstuvwxyz234567"[digit as usize],
            ));
        }
        text.push_str(":\n");
    }
    assert!(text.len() < MAX_FILE_BYTES);
    let (_repo, out, file) = flag_file("many_keys", text);
    out.failed().has_located(&file, "FO013");
}

#[test]
fn merge_keys_merge() {
    let (_repo, out, _) = flag_file("merge", fixture("merge_keys.yaml"));
    out.passed();
}

#[test]
fn a_merge_of_a_scalar_is_a_syntax_error() {
    let (_repo, out, file) = flag_file("merge_scalar", fixture("merge_non_mapping.yaml"));
    out.failed().has(&file, "FO010", Some(5));
}

// ---------------------------------------------------------------------------------------
// Encoding and bytes
// ---------------------------------------------------------------------------------------

#[test]
fn invalid_utf8_at_the_start_is_reported() {
    let mut bytes = b"\xff\xfe".to_vec();
    bytes.extend(valid_flags());
    let (_repo, out, file) = flag_file("utf8_start", bytes);
    let f = out.failed().has(&file, "FO002", Some(1));
    assert!(message(f).contains("offset 0"), "{}", out.json);
}

/// The valid flag file with the first `find` replaced by `bytes`, which need not be UTF-8.
fn valid_flags_with(find: &str, bytes: &[u8]) -> Vec<u8> {
    let text = valid_flags();
    let at = text
        .windows(find.len())
        .position(|w| w == find.as_bytes())
        .expect("the fixture holds the text to replace");
    [&text[..at], bytes, &text[at + find.len()..]].concat()
}

#[test]
fn invalid_utf8_in_the_middle_is_reported_at_its_line() {
    let bytes = valid_flags_with("Ops toggle", b"Ops \xC3( toggle");
    let (_repo, out, file) = flag_file("utf8_middle", bytes);
    out.failed().has(&file, "FO002", Some(5));
}

#[test]
fn invalid_utf8_in_a_key_is_reported_at_its_line() {
    let bytes = valid_flags_with("owner:", b"own\xE9r:");
    let (_repo, out, file) = flag_file("utf8_key", bytes);
    out.failed().has(&file, "FO002", Some(6));
}

#[test]
fn invalid_utf8_after_a_bom_counts_columns_after_it() {
    let mut bytes = b"\xEF\xBB\xBFab\xff\n".to_vec();
    bytes.extend(valid_flags());
    let (_repo, out, file) = flag_file("utf8_bom", bytes);
    let f = out.failed().has(&file, "FO002", Some(1));
    assert_eq!(f["column"], 3, "{}", out.json);
    assert!(message(f).contains("offset 5"), "{}", out.json);
}

#[test]
fn binary_garbage_is_not_utf8() {
    let bytes: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(7919) % 251) as u8)
        .collect();
    let (_repo, out, file) = flag_file("garbage", bytes);
    out.failed().has_located(&file, "FO002");
}

#[test]
fn a_nul_byte_in_the_middle_is_a_syntax_error_at_its_line() {
    let (_repo, out, file) = flag_file("nul", valid_flags_with("Ops toggle", b"Ops\0toggle"));
    out.failed().has(&file, "FO010", Some(5));
}

#[test]
fn control_characters_are_a_syntax_error_and_are_never_printed_raw() {
    let bytes = valid_flags_with("Ops toggle", b"Ops \x07\x1b[2J\x08toggle");
    let (_repo, out, file) = flag_file("control", bytes);
    out.failed().has(&file, "FO010", Some(5));
    assert!(!out.human.contains('\u{1b}'), "{}", out.human);
    assert!(!out.json.contains('\u{1b}'), "{}", out.json);
}

#[test]
fn a_bom_before_valid_content_stays_valid() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(valid_flags());
    let (_repo, out, _) = flag_file("bom", bytes);
    out.passed();
}

#[test]
fn crlf_line_endings_stay_valid() {
    let (_repo, out, _) = flag_file("crlf", crlf(&valid_flags()));
    out.passed();
}

#[test]
fn crlf_line_endings_keep_lines_right() {
    let (_repo, out, file) = flag_file("crlf_dup", crlf(&fixture("duplicate_nested.yaml")));
    let f = out.failed().has(&file, "FO011", Some(8));
    assert_eq!(f["column"], 5, "{}", out.json);
}

#[test]
fn a_lone_surrogate_escape_is_a_syntax_error() {
    let (_repo, out, file) = flag_file("surrogate", fixture("lone_surrogate.yaml"));
    out.failed().has(&file, "FO010", Some(2));
}

// ---------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------

#[test]
fn a_ten_megabyte_scalar_is_refused_unread() {
    let text = format!("application: app\nprofile: {}\n", "x".repeat(10 << 20));
    let (_repo, out, file) = flag_file("huge_scalar", text);
    let f = out.failed().has(&file, "FO003", None);
    assert!(message(f).contains("bytes"), "{}", out.json);
}

#[test]
fn one_byte_over_the_size_limit_is_refused() {
    let mut bytes = valid_flags();
    bytes.extend(b"# ");
    bytes.resize(MAX_FILE_BYTES + 1, b'x');
    let (_repo, out, file) = flag_file("over_limit", bytes);
    out.failed().has(&file, "FO003", None);
}

#[test]
fn a_file_just_under_the_size_limit_stays_valid() {
    let mut text = String::from_utf8(valid_flags()).expect("UTF-8");
    text.push_str("# ");
    while text.len() < MAX_FILE_BYTES - 1 {
        text.push('x');
    }
    text.push('\n');
    let (_repo, out, _) = flag_file("at_limit", text);
    out.passed();
}

#[test]
fn twenty_thousand_yaml11_booleans_are_reported_up_to_a_cap() {
    let text = format!("flags:\n{}", "- yes\n".repeat(20_000));
    let (_repo, out, file) = flag_file("many_booleans", text);
    out.failed();
    let reported = out.count(&file, "FO012");
    assert!((2..=101).contains(&reported), "{reported} FO012 findings");
    out.has(&file, "FO012", Some(2));
}

// ---------------------------------------------------------------------------------------
// YAML forms
// ---------------------------------------------------------------------------------------

#[test]
fn tabs_for_indentation_are_a_syntax_error() {
    let (_repo, out, file) = flag_file("tabs", fixture("tabs.yaml"));
    out.failed().has(&file, "FO010", Some(5));
}

#[test]
fn yaml11_booleans_are_each_reported() {
    let (_repo, out, file) = flag_file("yaml11", fixture("yaml11_booleans.yaml"));
    out.failed();
    for line in [5, 6, 8] {
        out.has(&file, "FO012", Some(line));
    }
}

#[test]
fn an_empty_file_is_empty() {
    let (_repo, out, file) = flag_file("empty", "");
    out.failed().has(&file, "FO006", None);
}

#[test]
fn whitespace_and_comments_only_is_empty() {
    let (_repo, out, file) = flag_file("comments", fixture("comments_only.yaml"));
    out.failed().has(&file, "FO006", None);
}

#[test]
fn a_lone_tilde_or_null_is_empty() {
    for (name, text) in [
        ("tilde", "~\n"),
        ("null", "null\n"),
        ("bom_only", "\u{feff}"),
    ] {
        let (_repo, out, file) = flag_file(name, text);
        out.failed().has(&file, "FO006", None);
    }
}

#[test]
fn a_second_document_is_a_syntax_error_where_it_starts() {
    let (_repo, out, file) = flag_file("multi", fixture("multiple_documents.yaml"));
    let f = out.failed().has(&file, "FO010", Some(10));
    assert!(
        !message(f).contains("from_str"),
        "no API advice: {}",
        out.json
    );
}

#[test]
fn valid_json_syntax_stays_valid() {
    let (_repo, out, _) = flag_file("json", fixture("valid.json.yaml"));
    out.passed();
}

#[test]
fn invalid_json_syntax_is_a_syntax_error() {
    let (_repo, out, file) = flag_file("bad_json", fixture("invalid.json.yaml"));
    out.failed().has_located(&file, "FO010");
}

#[test]
fn unknown_tags_are_refused() {
    let (_repo, out, file) = flag_file("tags", fixture("unknown_tags.yaml"));
    let f = out.failed().has(&file, "FO010", Some(2));
    assert!(message(f).contains("python/object"), "{}", out.json);
}

#[test]
fn a_tag_quoting_a_limit_word_stays_a_syntax_error() {
    let (_repo, out, file) = flag_file("limit_tag", "application: !limit app\n");
    out.failed().has(&file, "FO010", Some(1));
    assert_eq!(out.count(&file, "FO013"), 0, "{}", out.json);
}

#[test]
fn a_huge_integer_is_a_number_at_its_line() {
    let (_repo, out, file) = flag_file("huge_int", fixture("huge_numbers.yaml"));
    out.failed().has(&file, "FO202", Some(13));
}

#[test]
fn a_float_beyond_f64_is_reported_at_its_line() {
    let (_repo, out, file) = flag_file("overflow", fixture("float_overflow.yaml"));
    out.failed().has(&file, "FO010", Some(9));
}

#[test]
fn nan_and_infinity_are_reported_at_their_line() {
    let (_repo, out, file) = flag_file("nan", fixture("nan_inf.yaml"));
    out.failed().has(&file, "FO010", Some(9));
}

// ---------------------------------------------------------------------------------------
// The file system
// ---------------------------------------------------------------------------------------

#[test]
fn a_fifo_is_not_read() {
    let repo = Repo::new();
    let status = std::process::Command::new("mkfifo")
        .arg(repo.path("flags/x.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let out = repo.check();
    let f = out.failed().has("flags/x.yaml", "FO004", None);
    assert!(message(f).contains("FIFO"), "{}", out.json);
}

#[test]
fn a_socket_is_not_read() {
    let repo = Repo::new();
    let _socket =
        std::os::unix::net::UnixListener::bind(repo.path("flags/x.yaml")).expect("a socket");
    let out = repo.check();
    out.failed().has("flags/x.yaml", "FO004", None);
}

#[test]
fn a_directory_named_like_a_yaml_file_is_not_read() {
    let repo = Repo::new();
    repo.write("flags/x.yaml/inner.yaml", valid_flags());
    let out = repo.check();
    out.failed().has("flags/x.yaml", "FO004", None);
    assert_eq!(out.in_file("flags/x.yaml/inner.yaml").count(), 0);
}

#[test]
fn a_symlink_out_of_the_repository_is_not_followed() {
    let outside = tempfile::tempdir().expect("a temporary directory");
    let target = outside.path().join("valid.yaml");
    std::fs::write(&target, valid_flags()).expect("written");
    let repo = Repo::new();
    repo.symlink("flags/x.yaml", &target);
    let out = repo.check();
    let f = out.failed().has("flags/x.yaml", "FO005", None);
    assert!(message(f).contains("not followed"), "{}", out.json);
}

#[test]
fn a_symlink_inside_the_repository_is_followed() {
    let repo = Repo::new();
    repo.write("shared/valid.yaml", valid_flags());
    repo.symlink("flags/x.yaml", repo.path("shared/valid.yaml"));
    repo.check().passed();
}

#[test]
fn a_dangling_symlink_is_reported() {
    let repo = Repo::new();
    repo.symlink("flags/x.yaml", "nowhere.yaml");
    let out = repo.check();
    out.failed().has("flags/x.yaml", "FO001", None);
}

#[test]
fn a_symlink_loop_is_reported() {
    let repo = Repo::new();
    repo.symlink("flags/a.yaml", "b.yaml");
    repo.symlink("flags/b.yaml", "a.yaml");
    repo.symlink("flags/self.yaml", "self.yaml");
    let out = repo.check();
    out.failed();
    for file in ["flags/a.yaml", "flags/b.yaml", "flags/self.yaml"] {
        out.has(file, "FO001", None);
    }
}

#[test]
fn a_symlinked_directory_is_not_followed() {
    let outside = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(outside.path().join("x.yaml"), valid_flags()).expect("written");
    let repo = Repo::new();
    std::fs::create_dir(repo.path("flags/team")).expect("created");
    repo.symlink("flags/team/linked", outside.path());
    repo.symlink("flags/team/loop", repo.path("flags"));
    let out = repo.check();
    out.failed().has("flags/team/linked", "FO005", None);
    out.has("flags/team/loop", "FO004", None);
}

#[test]
fn a_flags_directory_symlinked_out_of_the_repository_is_not_followed() {
    let outside = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(outside.path().join("x.yaml"), valid_flags()).expect("written");
    let repo = Repo::new();
    std::fs::remove_dir(repo.path("flags")).expect("removed");
    repo.symlink("flags", outside.path());
    let out = repo.check();
    out.failed().has("flags", "FO005", None);
    assert_eq!(out.in_file("flags/x.yaml").count(), 0, "{}", out.json);
}

#[test]
fn a_flags_dir_out_of_the_repository_is_not_read() {
    let outside = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(outside.path().join("x.yaml"), fixture("duplicate_top.yaml")).expect("written");
    for flags_dir in [
        outside.path().display().to_string(),
        format!(
            "../{}",
            outside
                .path()
                .file_name()
                .expect("a name")
                .to_string_lossy()
        ),
    ] {
        let repo = Repo::new();
        // The scratch repositories and `outside` are siblings in the temporary directory.
        repo.write(
            "flagops.yaml",
            format!("{CONFIG}flags_dir: \"{flags_dir}\"\n"),
        );
        let out = repo.check();
        out.failed().has("flagops.yaml", "FO005", Some(8));
        let read = out.findings.iter().any(|f| f["code"] == "FO011");
        assert!(!read, "nothing outside was read: {}", out.json);
    }
}

#[test]
fn directories_nested_too_deep_are_reported() {
    let repo = Repo::new();
    let deep = format!("flags/{}", vec!["d"; 40].join("/"));
    repo.write(&format!("{deep}/x.yaml"), valid_flags());
    let out = repo.check();
    out.failed();
    let f = out
        .findings
        .iter()
        .find(|f| f["code"] == "FO001")
        .unwrap_or_else(|| panic!("a finding on the deep directory:\n{}", out.json));
    let file = f["file"].as_str().expect("a file");
    assert!(
        deep.starts_with(file) && file.len() > "flags/d".len(),
        "{}",
        out.json
    );
}

/// A flag file whose path is longer than PATH_MAX (its directory is not) cannot even be
/// stat'ed: it is reported with its path, next to a valid file that is still checked.
#[cfg(target_os = "linux")]
#[test]
fn a_flag_file_whose_path_exceeds_path_max_is_reported_not_dropped() {
    let repo = Repo::new();
    repo.write("flags/valid.yaml", valid_flags());
    // As many levels of 190-byte names as keep the directory under 4096 bytes: the file's
    // 245-byte name takes its path beyond.
    let segment = "d".repeat(190);
    let levels = (4095 - repo.path("flags").as_os_str().len()) / (segment.len() + 1);
    let deep = format!("flags/{}", vec![segment.as_str(); levels].join("/"));
    std::fs::create_dir_all(repo.path(&deep)).expect("the deep directory");
    let name = format!("{}.yaml", "f".repeat(240));
    // The kernel refuses the whole path, so the file is written from inside its directory.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("cat > {name}"))
        .current_dir(repo.path(&deep))
        .stdin(std::fs::File::open(repo.path("flags/valid.yaml")).expect("valid.yaml"))
        .status()
        .expect("sh runs");
    assert!(status.success());
    assert!(repo.path(&deep).join(&name).as_os_str().len() > 4096);

    let out = repo.check();
    out.failed();
    let rel = format!("{deep}/{name}");
    let found = out.has(&rel, "FO007", None);
    assert!(
        message(found).contains("longer than the system allows"),
        "{}",
        out.json
    );
    assert_eq!(
        out.findings.len(),
        1,
        "the valid file is read: {}",
        out.json
    );
    assert!(out.human.contains("check failed: 1 error"), "{}", out.human);
}

/// A flag file named in bytes that are not UTF-8 cannot be named in a finding, a git path or
/// a deployment record the same way twice: reported, not read.
#[cfg(target_os = "linux")]
#[test]
fn a_flag_file_whose_name_is_not_utf8_is_reported() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::new();
    repo.write("flags/valid.yaml", valid_flags());
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.yaml");
    std::fs::write(repo.path("flags").join(name), valid_flags()).expect("written");
    let out = repo.check();
    out.failed();
    let found = out
        .findings
        .iter()
        .find(|f| f["code"] == "FO007")
        .unwrap_or_else(|| panic!("an FO007 finding:\n{}", out.json));
    assert!(message(found).contains("not UTF-8"), "{}", out.json);
    assert_eq!(out.findings.len(), 1, "{}", out.json);
}

// ---------------------------------------------------------------------------------------
// Hostile flagops.yaml
// ---------------------------------------------------------------------------------------

/// A huge naming pattern and help are quoted cut, not echoed in every finding: one too big to
/// compile is reported at the pattern, one that compiles at each flag it does not match.
#[test]
fn a_huge_naming_pattern_is_quoted_cut() {
    for (pattern, at) in [
        (format!("^x{}", "y".repeat(500_000)), "flagops.yaml"),
        (format!("^x(y|{})", "z".repeat(50_000)), "flags/valid.yaml"),
    ] {
        let help = "h".repeat(300_000);
        let out = config_file(format!(
            "{CONFIG}rules:\n  naming:\n    pattern: \"{pattern}\"\n    help: \"{help}\"\n"
        ));
        out.failed();
        let found = out.has_located(at, "FO208");
        let cut = format!("(cut: {} bytes in all)", pattern.len());
        assert!(message(found).contains(&cut), "{}", message(found));
        assert!(
            out.json.len() < 10_000 && out.human.len() < 10_000,
            "json {} bytes, human {} bytes",
            out.json.len(),
            out.human.len()
        );
    }
}

#[test]
fn an_alias_bomb_as_flagops_yaml_is_a_limit() {
    let out = config_file(fixture("billion_laughs.yaml"));
    out.failed().has_located("flagops.yaml", "FO013");
}

#[test]
fn deep_nesting_as_flagops_yaml_is_a_limit() {
    let out = config_file(format!("{}{}\n", "[".repeat(10_000), "]".repeat(10_000)));
    out.failed().has("flagops.yaml", "FO013", Some(1));
}

#[test]
fn invalid_utf8_in_flagops_yaml_is_reported() {
    let mut bytes = CONFIG.as_bytes().to_vec();
    bytes.extend(b"# \xc0\xaf\n");
    let out = config_file(bytes);
    out.failed().has("flagops.yaml", "FO002", Some(8));
}

#[test]
fn a_duplicate_key_in_flagops_yaml_is_reported() {
    let out = config_file(format!("{CONFIG}version: 1\n"));
    out.failed().has("flagops.yaml", "FO011", Some(8));
}

#[test]
fn an_empty_flagops_yaml_is_empty() {
    let out = config_file("# nothing\n");
    out.failed().has("flagops.yaml", "FO006", None);
}

#[test]
fn a_fifo_as_flagops_yaml_is_not_read() {
    let repo = Repo::new();
    std::fs::remove_file(repo.path("flagops.yaml")).expect("removed");
    let status = std::process::Command::new("mkfifo")
        .arg(repo.path("flagops.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let out = repo.check();
    out.failed().has("flagops.yaml", "FO004", None);
}

#[test]
fn a_dangling_flagops_yaml_symlink_is_reported() {
    let repo = Repo::new();
    std::fs::remove_file(repo.path("flagops.yaml")).expect("removed");
    repo.symlink("flagops.yaml", "nowhere.yaml");
    let out = repo.check();
    out.failed().has("flagops.yaml", "FO001", None);
    assert_eq!(out.findings.len(), 1, "{}", out.json);
}

#[test]
fn a_flagops_yaml_symlinked_out_of_the_repository_is_not_followed() {
    let outside = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(outside.path().join("flagops.yaml"), CONFIG).expect("written");
    let repo = Repo::new();
    std::fs::remove_file(repo.path("flagops.yaml")).expect("removed");
    repo.symlink("flagops.yaml", outside.path().join("flagops.yaml"));
    let out = repo.check();
    let f = out.failed().has("flagops.yaml", "FO005", None);
    assert!(message(f).contains("not followed"), "{}", out.json);
}

// ---------------------------------------------------------------------------------------
// What a reader would not see: each is refused, so that what is uploaded is what is written
// ---------------------------------------------------------------------------------------

#[test]
fn a_leap_second_in_an_active_period_is_refused() {
    let text = "\
application: app
profile: flags
flags:
  ops_toggle:
    name: Ops toggle
    owner: team-ops
    class: ops
    defaults: { enabled: false }
    environments:
      prod:
        enabled: true
        active: { from: \"2026-12-31T23:59:60Z\", until: \"2027-01-01T00:00:00Z\" }
";
    let (_repo, out, file) = flag_file("leap", text);
    let f = out.failed().has_located(&file, "FO206");
    assert!(message(f).contains("leap second"), "{}", out.json);
}

#[test]
fn a_binary_tag_is_refused_not_decoded() {
    let text = valid_flags_with("name: Ops toggle", b"name: !!binary T3BzIHRvZ2dsZQ==");
    let (_repo, out, file) = flag_file("binary", text);
    let f = out.failed().has(&file, "FO010", Some(5));
    assert!(message(f).contains("!!binary"), "{}", out.json);
}

#[test]
fn an_escaped_nul_in_a_description_is_refused() {
    let text = valid_flags_with(
        "name: Ops toggle",
        b"name: Ops toggle\n    description: \"before\\0after\"",
    );
    let (_repo, out, file) = flag_file("nul", text);
    let f = out.failed().has(&file, "FO223", Some(6));
    assert!(message(f).contains("U+0000"), "{}", out.json);
}

/// The fuzz seeds of fuzz/seeds/ are hostile cases of their own (leap seconds, tags, control
/// characters, secrets in every field, lone CRs): each is refused with exit 2, naming its file.
#[test]
fn every_fuzz_seed_is_refused_naming_its_file() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let mut names: Vec<_> = std::fs::read_dir(&seeds)
        .expect("fuzz/seeds")
        .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        let stem = name.trim_end_matches(".yaml");
        let (_repo, out, file) = flag_file(stem, std::fs::read(seeds.join(&name)).unwrap());
        out.failed();
        assert!(out.in_file(&file).next().is_some(), "{name}: {}", out.json);
    }
}
