//! FO214 document-size: a compiled document must fit AppConfig's hosted configuration limit
//! (1 MB by default; accounts can raise it, up to 2 MB, through account settings).

use crate::check::Context;
use crate::compile::ProfileTargets;
use crate::finding::{Finding, Location, Severity, catalog::DOCUMENT_SIZE};

pub const DEFAULT_LIMIT_BYTES: usize = 1024 * 1024;
pub const MAX_LIMIT_BYTES: usize = 2 * 1024 * 1024;

pub fn check(_: &Context<'_>, profile: &ProfileTargets<'_>, out: &mut Vec<Finding>) {
    for target in &profile.targets {
        let size = crate::compile::canonical::compact_len(&target.document);
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
