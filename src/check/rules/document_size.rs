//! FO214 document-size: a compiled document must fit AppConfig's hosted configuration limit
//! (1 MB by default; accounts can raise it, up to 2 MB, through account settings).

use crate::check::Context;
use crate::compile::ProfileTargets;
use crate::finding::{Finding, Location, Severity, catalog::DOCUMENT_SIZE};

pub const DEFAULT_LIMIT_BYTES: usize = 1024 * 1024;
pub const MAX_LIMIT_BYTES: usize = 2 * 1024 * 1024;

pub fn check(_: &Context<'_>, profile: &ProfileTargets<'_>, out: &mut Vec<Finding>) {
    use crate::compile::canonical::compact_len;
    let values_len = |document: &serde_json::Value| document.get("values").map_or(0, compact_len);
    // Environments share the `flags` section: a document's size is another's, with its own
    // `values` in place of the other's.
    let mut measured: Option<(usize, usize)> = None;
    for target in &profile.targets {
        let size = match measured {
            Some((size, values)) if profile.flags_shared => {
                size - values + values_len(&target.document)
            }
            _ => {
                let size = compact_len(&target.document);
                if profile.flags_shared {
                    measured = Some((size, values_len(&target.document)));
                }
                size
            }
        };
        if size <= DEFAULT_LIMIT_BYTES {
            continue;
        }
        let Some((file, pointer)) = target.origins.values().next() else {
            continue;
        };
        // The whole document is too large, not one flag: point at the section of the first
        // file that contributes to it (`flags:` or `content:`), not at its first flag or at
        // the file's first line.
        let section = pointer.split('/').nth(1).unwrap_or_default();
        let severity = if size > MAX_LIMIT_BYTES {
            Severity::Error
        } else {
            Severity::Warning
        };
        out.push(
            Finding::new(&DOCUMENT_SIZE, Location::key(file, format!("/{section}")), format!("{} compiles to {size} bytes; AppConfig hosts at most {DEFAULT_LIMIT_BYTES} bytes by default", target.id))
                .severity(severity)
                .help("split the profile, or raise the account's hosted configuration limit (at most 2 MB)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::compile::{Target, TargetId, canonical::compact_len};
    use crate::model::{Model, config::ProfileKind};

    /// Environments that share their `flags` are measured from one another; each size is
    /// still the whole document's, to the byte.
    #[test]
    fn each_environment_is_measured_with_its_own_values() {
        let flags = json!({"a": {"name": "a", "description": "d".repeat(600_000)}});
        let target = |environment: &str, padding: usize| {
            let mut origins = indexmap::IndexMap::new();
            origins.insert(
                "a".to_owned(),
                ("flags/a.yaml".to_owned(), "/flags/a".to_owned()),
            );
            Target {
                id: TargetId {
                    application: "shop".into(),
                    environment: environment.into(),
                    profile: "flags".into(),
                },
                kind: ProfileKind::FeatureFlags,
                document: json!({"version": "1", "flags": flags, "values": {"a": {"enabled": true, "note": "v".repeat(padding)}}}),
                origins: origins.into(),
            }
        };
        let profile = ProfileTargets {
            application: "shop",
            profile: "flags",
            targets: vec![
                target("dev", 10),
                target("staging", 500_000),
                target("production", 1_600_000),
                target("sandbox", 20),
            ],
            flags_shared: true,
        };
        let model = Model {
            config: None,
            files: Vec::new(),
        };
        let cx = Context {
            model: &model,
            root: None,
            today: jiff::civil::date(2027, 1, 1),
            history: std::sync::OnceLock::new(),
        };
        let mut out = Vec::new();
        check(&cx, &profile, &mut out);
        let expected: Vec<(String, Severity)> = profile.targets[1..3]
            .iter()
            .map(|t| {
                let size = compact_len(&t.document);
                let severity = match size > MAX_LIMIT_BYTES {
                    true => Severity::Error,
                    false => Severity::Warning,
                };
                (format!("{} compiles to {size} bytes", t.id), severity)
            })
            .collect();
        let found: Vec<(String, Severity)> = out
            .iter()
            .map(|f| {
                let said = f.message.split(';').next().unwrap_or_default().to_owned();
                (said, f.severity)
            })
            .collect();
        assert_eq!(found, expected);
    }
}
