//! The pull-request comment as a reviewer sees it: `plan --format markdown` rendered to HTML
//! by a CommonMark renderer with GitHub's table, strikethrough and task-list extensions, and
//! snapshotted as HTML. The markdown text alone can look right and still render wrong (a
//! leading `+` starts a nested list and vanishes), so the assertions read the HTML.
//!
//! Each test starts from this repository's example, applied to the local backend, then
//! commits an edit a pull request would make and renders its plan.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::process::Command;

use support::{copy_dir, git};

/// flagops in `dir` as a GitHub Actions plan job would run it, on the local backend.
fn flagops(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flagops"));
    support::isolated(&mut command)
        .args(args)
        .args(["-C".as_ref(), dir.as_os_str()])
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_REPOSITORY", "acme/flags")
        .env("GITHUB_RUN_ID", "42");
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("error"),
        "flagops {args:?} failed: {stderr}"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The example repository, applied to the local backend.
fn applied_example() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root.join("flagops.yaml"), dir.path().join("flagops.yaml")).unwrap();
    std::fs::copy(root.join(".gitignore"), dir.path().join(".gitignore")).unwrap();
    copy_dir(&root.join("flags"), &dir.path().join("flags"));
    copy_dir(&root.join("schemas"), &dir.path().join("schemas"));
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "example flags"]);
    let (code, out) = flagops(
        dir.path(),
        &["apply", "--backend", "local", "--today", TODAY],
    );
    assert_eq!(code, 0, "apply: {out}");
    dir
}

const TODAY: &str = "2026-12-01";

/// Replaces `from` with `to` in `file` (which must contain it) and commits.
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} does not contain {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    git(dir, &["commit", "-qam", "edit"]);
}

/// The plan comment of `app`'s production environment.
fn comment(dir: &Path, app: &str) -> String {
    let (code, markdown) = flagops(
        dir,
        &[
            "plan",
            "--backend",
            "local",
            "--today",
            TODAY,
            "--app",
            app,
            "--env",
            "production",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(code, 2, "the plan has changes: {markdown}");
    markdown
}

/// Markdown rendered as GitHub renders comments (CommonMark and the GFM extensions).
fn html(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

/// The list items of the rendered comment's change lists, as text without tags.
fn items(html: &str) -> Vec<String> {
    let tags = regex::Regex::new(r"<[^>]+>").unwrap();
    html.split("<li>")
        .skip(1)
        .map(|item| {
            let item = item.split(['\n']).next().unwrap_or_default();
            tags.replace_all(item, "").trim().to_owned()
        })
        .collect()
}

fn assert_no_empty_items(html: &str) {
    assert!(
        !html.contains("<li></li>") && !html.contains("<li>\n<ul>"),
        "an empty or sign-only bullet: {html}"
    );
}

fn snapshot(name: &str, html: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"local backend [^;<\n]+", "local backend [dir]");
    settings.bind(|| insta::assert_snapshot!(name, html));
}

#[test]
fn created_deleted_and_changed_flags_keep_their_signs() {
    let dir = applied_example();
    let switches = "flags/ops/switches.yaml";
    // Deleted: the kill switch (the whole entry, to the end of the file).
    let text = std::fs::read_to_string(dir.path().join(switches)).unwrap();
    let cut = text.find("\n  payments_kill_switch:").unwrap();
    // Created: a new ops flag in its place; changed: maintenance mode's message.
    let text = format!(
        "{}\n  search_kill_switch:\n    name: Search kill switch\n    description: Serves cached results when search is down.\n    owner: team-search\n    class: kill-switch\n    environments:\n      staging: {{ enabled: false }}\n      production: {{ enabled: false }}\n",
        &text[..cut]
    );
    std::fs::write(dir.path().join(switches), text).unwrap();
    git(dir.path(), &["commit", "-qam", "swap the kill switches"]);
    edit(
        dir.path(),
        switches,
        "message: We are doing maintenance and will be back shortly.",
        "message: Back at 06:00 UTC <ops@example.com> | *status* page",
    );

    let rendered = html(&comment(dir.path(), "ops-switches"));
    assert_no_empty_items(&rendered);
    let items = items(&rendered);
    assert!(
        items.contains(&"- payments_kill_switch".to_owned()),
        "the deleted flag keeps its sign: {items:#?}"
    );
    assert!(
        items.contains(&"+ search_kill_switch (kill-switch): enabled: false".to_owned()),
        "the created flag keeps its sign: {items:#?}"
    );
    assert!(
        items.iter().any(|i| i.starts_with("~ maintenance_mode (ops): values.message: \"We are doing maintenance and will be back shortly.\" → \"Back at 06:00 UTC &lt;ops@example.com&gt; | *status* page\"")),
        "a changed string is quoted, and markdown in it stays text: {items:#?}"
    );
    assert!(
        rendered.contains("<sub>flagops plan of <code>0123456789ab</code> (<a href=\"https://github.example/acme/flags/actions/runs/42\">run</a>)</sub>"),
        "the comment names its commit and links its run: {rendered}"
    );
    assert!(rendered.contains("<pre><code class=\"language-diff\">"));
    snapshot("created_deleted_changed", &rendered);
}

#[test]
fn definition_and_variant_changes_are_field_by_field() {
    let dir = applied_example();
    edit(
        dir.path(),
        "flags/storefront/checkout.yaml",
        "maximum: 500",
        "maximum: 1000",
    );
    edit(
        dir.path(),
        "flags/storefront/search.yaml",
        "seed::\"search-2027\")",
        "seed::\"search-2028\")",
    );
    edit(
        dir.path(),
        "flags/storefront/search.yaml",
        "values: { ranker: semantic, result_limit: 20 }",
        "values: { ranker: semantic, result_limit: 25 }",
    );

    let rendered = html(&comment(dir.path(), "storefront"));
    assert_no_empty_items(&rendered);
    let items = items(&rendered);
    let expected = [
        "~ checkout_v2_20270301 (release): definition.attributes.max_cart_items.constraints.maximum: 500 → 1000",
        "variants: rule of \"semantic-10pct\" changed: \"(split pct::10 by::$workspace seed::\\\"search-2027\\\")\" → \"(split pct::10 by::$workspace seed::\\\"search-2028\\\")\"",
        "variants: values.result_limit of \"semantic-10pct\" changed: 20 → 25",
    ];
    for line in expected {
        assert!(
            items.iter().any(|i| i == line),
            "no item {line:?} in {items:#?}"
        );
    }
    snapshot("definition_and_variants", &rendered);
}

#[test]
fn a_failed_run_marks_the_last_comment_stale() {
    let dir = applied_example();
    edit(
        dir.path(),
        "flags/ops/switches.yaml",
        "production: { enabled: false }",
        "production: { enabled: true }",
    );
    let previous = comment(dir.path(), "ops-switches");
    let saved = dir.path().join("previous.md");
    std::fs::write(&saved, &previous).unwrap();

    let (code, stale) = flagops(
        dir.path(),
        &["plan", "--mark-stale", saved.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert!(
        stale.starts_with("<!-- flagops-plan -->\n"),
        "the workflow finds the comment again by its marker: {stale}"
    );
    assert!(
        stale.ends_with(previous.trim_start_matches("<!-- flagops-plan -->\n")),
        "the earlier plan follows, unchanged"
    );
    // Marking a stale comment again keeps one warning.
    std::fs::write(&saved, &stale).unwrap();
    let (_, again) = flagops(
        dir.path(),
        &["plan", "--mark-stale", saved.to_str().unwrap()],
    );
    assert_eq!(again, stale);

    let rendered = html(&stale);
    let warning = rendered.find("<strong>Stale plan.</strong>").unwrap();
    let table = rendered.find("<table>").unwrap();
    assert!(warning < table, "the warning comes before the old plan");
    assert!(rendered.contains("The plan run of <code>0123456789ab</code> (<a href=\"https://github.example/acme/flags/actions/runs/42\">run</a>) failed"));
    snapshot("stale", &rendered);
}
