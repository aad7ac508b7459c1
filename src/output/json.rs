//! What every JSON report shares: the version and the tool that wrote it.

use serde::Serialize;

/// Bumped only on incompatible changes; fields may be added within a version.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub fn this() -> Self {
        Tool {
            name: "flagops",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// A JSON report, pretty-printed, ending in a newline.
pub fn document(doc: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}
