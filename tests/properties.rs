//! Properties of the loader and check over generated input, in memory, in seconds: whatever
//! the text, check returns (no panic), every finding points inside the file it names, every
//! output format renders (JSON and SARIF as JSON), the same input gives the same report, and
//! a credential planted in any string field is reported and never rendered.
//!
//! The cargo-fuzz targets in fuzz/ explore further, for minutes; these run in `cargo test`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use flagops::check::run_in_memory;
use flagops::cli::Format;
use flagops::output::check::{CheckOutput, render};
use proptest::prelude::*;

const CONFIG: &str = "\
version: 1
applications:
  app:
    environments:
      prod: { strategy: AppConfig.AllAtOnce }
    profiles:
      flags: { type: feature-flags }
";

const FORMATS: [Format; 5] = [
    Format::Human,
    Format::Github,
    Format::Json,
    Format::Sarif,
    Format::Markdown,
];

/// Checks one flag file and renders it in every format; asserts what must hold for any input.
fn check_everything(text: &str) -> Vec<String> {
    let today = jiff::civil::date(2027, 1, 1);
    let (loaded, report) = run_in_memory(CONFIG, &[("flags/gen.yaml", text)], today);
    for finding in &report.findings {
        let resolved = loaded.sources.resolve(&finding.location);
        assert!(
            loaded.sources.get(resolved.file).is_some()
                || matches!(finding.location, flagops::finding::Location::File { .. }),
            "{finding:?} names a file that was not read"
        );
        if let (Some(source), Some(span)) = (resolved.text, resolved.span) {
            assert!(
                span.start <= span.end && span.end <= source.len(),
                "{finding:?}: span {span:?} outside {} bytes",
                source.len()
            );
            assert!(source.is_char_boundary(span.start), "{finding:?}: {span:?}");
            assert!(span.line >= 1 && span.column >= 1, "{finding:?}: {span:?}");
            // YAML breaks lines at \n, \r\n and a lone \r alike.
            let lines = source.replace("\r\n", "\n").matches(['\n', '\r']).count() + 1;
            assert!(
                span.line <= lines,
                "{finding:?}: line {} of {lines}",
                span.line
            );
        }
    }
    let out = CheckOutput::of(&loaded, &report);
    FORMATS
        .iter()
        .map(|&format| {
            let rendered = render(format, &out, false);
            assert!(!rendered.is_empty(), "{format:?} rendered nothing");
            if matches!(format, Format::Json | Format::Sarif) {
                serde_json::from_str::<serde_json::Value>(&rendered)
                    .unwrap_or_else(|e| panic!("{format:?} is not JSON ({e}):\n{rendered}"));
            }
            rendered
        })
        .collect()
}

/// Text made of what YAML gives meaning to, after a frame that reaches into `flags:`.
fn yaml_soup() -> impl Strategy<Value = String> {
    let frame = prop_oneof![
        Just(String::new()),
        Just("application: app\nprofile: flags\nflags:\n".to_owned()),
        Just("application: app\nprofile: flags\nflags:\n  a_flag:\n    ".to_owned()),
    ];
    (
        frame,
        "[a-z_0-9 :\\-\\n\\[\\]{},'\"#&*!|>%@`.~?\\\\\t\r]{0,300}",
    )
        .prop_map(|(frame, body)| frame + &body)
}

/// A well-formed flag file of a few flags, its strings drawn from all of Unicode.
fn flag_file() -> impl Strategy<Value = String> {
    let flag = (
        "[a-z][a-z0-9_]{0,20}",
        "\\PC{0,30}",
        "\\PC{0,40}",
        any::<bool>(),
        // Workspace ids, which start with a letter: `1e310` would be a float too large for
        // YAML to read, and the file would not be well formed.
        prop::collection::vec("[a-z][a-z0-9_]{0,11}", 0..4),
    );
    prop::collection::vec(flag, 1..5).prop_map(|flags| {
        let mut text = String::from("application: app\nprofile: flags\nflags:\n");
        // Keys drawn alike would make a duplicate key, and the file unparsable: numbered.
        for (i, (key, name, description, enabled, allow)) in flags.into_iter().enumerate() {
            let key = format!("{key}_{i}");
            let quote = |s: &str| serde_json::to_string(s).unwrap();
            text.push_str(&format!(
                "  {key}:\n    name: {}\n    description: {}\n    owner: team-a\n    class: ops\n    defaults:\n      enabled: {enabled}\n    environments:\n      prod:\n        enabled: true\n        allow: [{}]\n",
                quote(&name),
                quote(&description),
                allow.join(", ")
            ));
        }
        text
    })
}

proptest! {
    // A failure prints its minimal input; nothing is written beside the sources.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_yaml_like_text_is_checked_without_panic(text in yaml_soup()) {
        check_everything(&text);
    }

    #[test]
    fn any_text_is_checked_without_panic(text in "\\PC{0,200}") {
        check_everything(&text);
    }

    #[test]
    fn a_flag_file_with_one_byte_changed_is_still_checked(
        text in flag_file(),
        at in any::<prop::sample::Index>(),
        byte in prop_oneof![Just(b':'), Just(b'\n'), Just(b' '), Just(b'"'), Just(b'['), Just(b'-'), Just(b'&')],
    ) {
        let mut bytes = text.into_bytes();
        let i = at.index(bytes.len());
        bytes.insert(i, byte);
        // Inserting ASCII keeps UTF-8 valid only on a character boundary.
        if let Ok(text) = String::from_utf8(bytes) {
            check_everything(&text);
        }
    }

    #[test]
    fn the_same_input_gives_the_same_report(text in flag_file()) {
        prop_assert_eq!(check_everything(&text), check_everything(&text));
    }

    #[test]
    fn a_planted_access_key_is_reported_and_never_rendered(
        text in flag_file(),
        key in "[A-Z2-7]{16}",
        field in prop_oneof![Just("name"), Just("description"), Just("owner")],
    ) {
        let secret = format!("AKIA{key}");
        let planted = text.replacen(
            &format!("    {field}: "),
            &format!("    {field}: \"{secret}\"\n    x_{field}: "),
            1,
        );
        let rendered = check_everything(&planted);
        let json: serde_json::Value = serde_json::from_str(&rendered[2]).unwrap();
        let codes: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["code"].as_str())
            .collect();
        prop_assert!(codes.contains(&"FO213"), "{codes:?}\n{planted}");
        // What the output layer writes passes the redaction that every command uses.
        for out in &rendered {
            let shown = flagops::secrets::redact(out);
            prop_assert!(!shown.contains(&secret[4..16]), "{shown}");
        }
        prop_assert!(!rendered[0].contains(&secret[4..16]), "human snippet: {}", rendered[0]);
    }
}
