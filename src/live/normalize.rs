//! Live content as flagops compares it: parsed, remembered for redaction, normalized.

use serde_json::Value;

use crate::compile::normalize::normalize;
use crate::model::config::ProfileKind;

/// Parses content bytes as JSON and normalizes them; `None` when they are not JSON.
pub fn parse(content: &[u8], kind: ProfileKind) -> Option<Value> {
    let value = serde_json::from_slice::<Value>(content).ok()?;
    // What AppConfig serves may hold a credential git never had (typed into the console):
    // every output masks it like one found in git.
    crate::secrets::remember_in(&value);
    Some(normalize(&value, kind))
}
