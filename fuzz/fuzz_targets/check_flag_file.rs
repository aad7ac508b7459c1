//! Fuzzes `flagops check` on one flag file held in memory, next to this repository's own
//! flagops.yaml: loading, schema validation, the rules, compilation and every output format
//! must cope with any UTF-8 text.
//!
//! The files never touch the disk (`flagops::check::run_in_memory`). The check still asks git
//! for the history of a repository root that does not exist, which fails fast and is skipped.

#![no_main]

use flagops::cli::Format;
use flagops::output::check::{self, CheckOutput};
use libfuzzer_sys::fuzz_target;

const CONFIG: &str = include_str!("../../flagops.yaml");

fuzz_target!(|text: &str| {
    let today = jiff::civil::date(2027, 1, 1);
    let (loaded, report) =
        flagops::check::run_in_memory(CONFIG, &[("flags/fuzz.yaml", text)], today);
    let out = CheckOutput::of(&loaded, &report);
    for format in [
        Format::Human,
        Format::Github,
        Format::Json,
        Format::Sarif,
        Format::Markdown,
    ] {
        let rendered = check::render(format, &out, false);
        assert!(!rendered.is_empty());
    }
});
