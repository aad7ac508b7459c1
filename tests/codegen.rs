//! `flagops codegen`: the generated Rust compiles (rustc), TypeScript and Go are snapshotted,
//! and `--check` catches a file the flags have moved on from.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::copy_dir as copy;

/// This repository's example (flagops.yaml, flags/, schemas/) in a temporary directory.
fn example() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root.join("flagops.yaml"), dir.path().join("flagops.yaml")).unwrap();
    copy(&root.join("flags"), &dir.path().join("flags"));
    copy(&root.join("schemas"), &dir.path().join("schemas"));
    dir
}

fn flagops(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(args)
        .arg("-C")
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("FLAGOPS_TODAY", "2026-11-22")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Compiles `source` as a library crate with rustc; panics with rustc's errors.
fn rustc(source: &str) {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.rs");
    std::fs::write(&lib, source).unwrap();
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned()))
        .args(["--crate-type", "lib", "--edition", "2021", "-D", "warnings"])
        .arg("--out-dir")
        .arg(dir.path())
        .arg(&lib)
        .output()
        .expect("rustc runs");
    assert!(
        out.status.success(),
        "{}\n{source}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn generated_rust_compiles_and_holds_the_defaults() {
    let dir = example();
    let out = flagops(dir.path(), &["codegen", "--lang", "rust"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let source = stdout(&out);
    // The values are checked by the compiler: a wrong one fails the build.
    rustc(&format!(
        "{source}
const _: () = assert!(storefront::release_flags::bulk_export::ENABLED);
const _: () = assert!(!storefront::release_flags::checkout_v2_20270301::ENABLED);
const _: () = assert!(storefront::release_flags::checkout_v2_20270301::values::MAX_CART_ITEMS == 100.0);
const _: () = assert!(storefront::release_flags::KEYS.len() == 4);
const _: &[&str] = storefront::release_flags::checkout_v2_20270301::values::PAYMENT_METHODS;
const _: &str = ops_switches::switches::maintenance_mode::values::MESSAGE;
"
    ));
    insta::assert_snapshot!("example_rust", source);

    // One environment's compiled values instead: production enables checkout v2, and the
    // experiment there is multi-variant (its default variant, `control`, is enabled).
    let production = stdout(&flagops(
        dir.path(),
        &[
            "codegen",
            "--lang",
            "rust",
            "--env",
            "production",
            "--app",
            "storefront",
        ],
    ));
    rustc(&format!(
        "{production}
const _: () = assert!(storefront::release_flags::checkout_v2_20270301::ENABLED);
const _: () = assert!(storefront::release_flags::search_ranking_20270115::ENABLED);
"
    ));
    assert!(!production.contains("ops_switches"), "{production}");
}

/// Keys and names that are Rust keywords or not identifiers at all still compile.
#[test]
fn keywords_and_odd_names_compile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("flags")).unwrap();
    std::fs::write(
        dir.path().join("flagops.yaml"),
        "version: 1
applications:
  \"web app\":
    environments: { dev: { strategy: AppConfig.AllAtOnce } }
    profiles: { type: { type: feature-flags }, self: { type: feature-flags } }
",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("flags/a.yaml"),
        "application: web app
profile: type
flags:
  match:
    description: \"Multi-line\\n\\n*/ and \\\"quotes\\\"\"
    owner: x
    class: release
    attributes:
      some_key: { type: string }
      someKey: { type: string }
      list: { type: array }
      nums: { type: array, elements: { type: number } }
    defaults:
      enabled: true
      values: { some_key: \"a\\\"b\", someKey: \"\\\\\", list: [], nums: [1, 2.5] }
  self-test:
    owner: x
    class: release
",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("flags/b.yaml"),
        "application: web app\nprofile: self\nflags: {}\n",
    )
    .unwrap();
    let out = flagops(dir.path(), &["codegen", "--lang", "rust"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let source = stdout(&out);
    rustc(&format!(
        "{source}
const _: () = assert!(web_app::r#type::r#match::ENABLED);
const _: &str = web_app::r#type::r#match::values::SOME_KEY;
const _: &str = web_app::r#type::r#match::values::SOME_KEY_2;
const _: &[f64] = web_app::r#type::r#match::values::NUMS;
const _: &str = web_app::r#type::self_test::KEY;
const _: () = assert!(web_app::self_::KEYS.is_empty());
"
    ));
    for lang in ["typescript", "go"] {
        let out = flagops(dir.path(), &["codegen", "--lang", lang]);
        assert_eq!(out.status.code(), Some(0));
        insta::assert_snapshot!(format!("odd_names_{lang}"), stdout(&out));
    }
}

#[test]
fn typescript_and_go_output() {
    let dir = example();
    for lang in ["typescript", "go"] {
        let out = flagops(dir.path(), &["codegen", "--lang", lang]);
        assert_eq!(out.status.code(), Some(0));
        insta::assert_snapshot!(format!("example_{lang}"), stdout(&out));
    }
    // Without its two type-level constructs (`as const`, the key union), the TypeScript is
    // JavaScript: node evaluates it where node is installed.
    let ts = stdout(&flagops(dir.path(), &["codegen", "--lang", "typescript"]));
    let js = ts.replace("} as const;", "};");
    let js = &js[..js.find("/** Every flag key. */").unwrap()];
    let file = dir.path().join("flags.mjs");
    std::fs::write(
        &file,
        format!("{js}\nif (flags[\"storefront\"][\"release-flags\"][\"bulk_export\"].values.max_rows !== 100000) throw new Error(\"value\");\n"),
    )
    .unwrap();
    match Command::new("node").arg(&file).output() {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("node is not installed: the TypeScript was not evaluated"),
    }
}

#[test]
fn check_fails_when_the_file_is_out_of_date() {
    let dir = example();
    let file = dir.path().join("app/src/flags.rs");
    let file_arg = file.to_str().unwrap();
    let args = ["codegen", "--lang", "rust", "--out", file_arg];

    let missing = flagops(dir.path(), &[&args[..], &["--check"]].concat());
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));

    assert_eq!(flagops(dir.path(), &args).status.code(), Some(0));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with("// @generated"));
    let fresh = flagops(dir.path(), &[&args[..], &["--check"]].concat());
    assert_eq!(
        fresh.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fresh.stderr)
    );

    // A flag's default changes: the file is stale until regenerated.
    let flags = dir.path().join("flags/storefront/permissions.yaml");
    let text = std::fs::read_to_string(&flags).unwrap();
    std::fs::write(&flags, text.replace("max_rows: 100000", "max_rows: 50000")).unwrap();
    let stale = flagops(dir.path(), &[&args[..], &["--check"]].concat());
    assert_eq!(stale.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&stale.stderr).contains("is out of date"),
        "{}",
        String::from_utf8_lossy(&stale.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        written,
        "--check never writes"
    );
    assert_eq!(flagops(dir.path(), &args).status.code(), Some(0));
    assert!(std::fs::read_to_string(&file).unwrap().contains("50000.0"));
    assert_eq!(
        flagops(dir.path(), &[&args[..], &["--check"]].concat())
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn check_needs_a_file_and_an_unknown_environment_is_an_error() {
    let dir = example();
    let out = flagops(dir.path(), &["codegen", "--lang", "go", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let out = flagops(dir.path(), &["codegen", "--lang", "go", "--env", "qa"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has no environment `qa`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
