//! Fuzzes `flagops check` on one flag file held in memory, next to this repository's own
//! flagops.yaml: loading, schema validation, the rules, compilation and every output format
//! must cope with any UTF-8 text.
//!
//! The files never touch the disk. The check still asks git for the history of a repository
//! root that does not exist, which fails fast and is skipped.

#![no_main]

use std::path::PathBuf;

use flagops::load::{Loaded, Sources, parse_source};
use flagops::output::{self, CheckOutput, Format};
use libfuzzer_sys::fuzz_target;

const CONFIG: &str = include_str!("../../flagops.yaml");

fuzz_target!(|text: &str| {
    let mut loaded = Loaded {
        root: PathBuf::from("/nonexistent/flagops-fuzz"),
        sources: Sources::default(),
        config: None,
        flag_files: Vec::new(),
        findings: Vec::new(),
    };
    parse_source("flagops.yaml".to_owned(), CONFIG.to_owned(), &mut loaded)
        .expect("the repository's flagops.yaml parses");
    loaded.config = Some("flagops.yaml".to_owned());
    let path = "flags/fuzz.yaml".to_owned();
    if parse_source(path.clone(), text.to_owned(), &mut loaded).is_some() {
        loaded.flag_files.push(path);
    }

    let today = jiff::civil::date(2027, 1, 1);
    let report = flagops::check::run(&mut loaded, today);
    let out = CheckOutput {
        findings: &report.findings,
        sources: &loaded.sources,
        files: loaded.sources.iter().count(),
        targets: report.compiled.targets.len(),
    };
    for format in [
        Format::Human,
        Format::Github,
        Format::Json,
        Format::Sarif,
        Format::Markdown,
    ] {
        let rendered = output::render_check(format, &out, false);
        assert!(!rendered.is_empty());
    }
});
