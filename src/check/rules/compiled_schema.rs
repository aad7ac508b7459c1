//! FO300 compiled-schema: every compiled FeatureFlags document satisfies AWS's published
//! schema (vendored in `schemas/vendor/`), so AppConfig will accept what apply uploads.

use crate::check::Context;
use crate::compile::aws_schema;
use crate::finding::{Finding, Location, catalog::COMPILED_SCHEMA};
use crate::model::config::ProfileKind;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    for target in &cx.compiled.targets {
        if target.kind != ProfileKind::FeatureFlags {
            continue;
        }
        // Keys that break AppConfig's pattern are reported by key-pattern, at the key itself.
        let mut document = target.document.clone();
        for section in ["flags", "values"] {
            if let Some(map) = document.get_mut(section).and_then(|m| m.as_object_mut()) {
                map.retain(|key, _| super::key_pattern::is_valid_key(key));
            }
        }
        for violation in aws_schema::validate(&document) {
            // "/flags/<key>/..." or "/values/<key>/...": report at the flag's definition.
            let mut parts = violation.pointer.split('/').skip(1);
            let key = parts
                .nth(1)
                .unwrap_or_default()
                .replace("~1", "/")
                .replace("~0", "~");
            let location = match target.origins.get(&key) {
                Some((file, pointer)) => Location::key(file, pointer.clone()),
                None => Location::node(crate::load::CONFIG_FILE, ""),
            };
            let message = format!(
                "AppConfig would reject {} at {}: {}",
                target.id, violation.pointer, violation.message
            );
            // Environments of one profile usually share the defect; say it once per place.
            if seen.insert((
                location.clone(),
                violation.pointer.clone(),
                violation.message.clone(),
            )) {
                out.push(Finding::new(&COMPILED_SCHEMA, location, message));
            }
        }
    }
}
