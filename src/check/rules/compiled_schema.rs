//! FO300 compiled-schema: every compiled FeatureFlags document satisfies AWS's published
//! schema (vendored in `schemas/vendor/`), so AppConfig will accept what apply uploads.

use serde_json::Value;

use super::attribute_count::MAX_ATTRIBUTES;
use super::key_pattern::is_valid_key;
use crate::check::Context;
use crate::compile::ProfileTargets;
use crate::compile::aws_schema;
use crate::finding::{Finding, Location, catalog::COMPILED_SCHEMA};
use crate::model::config::ProfileKind;

pub fn check(cx: &Context<'_>, profile: &ProfileTargets<'_>, out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    // Environments share the `flags` section: once one whole document is valid, the others
    // need only their `values` checked.
    let mut flags_valid = false;
    for target in &profile.targets {
        if target.kind != ProfileKind::FeatureFlags {
            continue;
        }
        // Most documents are valid: copy and trim one only when AWS's schema has a word.
        let valid = match flags_valid && profile.flags_shared {
            true => (target.document.get("values")).is_none_or(aws_schema::values_are_valid),
            false => aws_schema::is_valid(&profile.whole_document(target)),
        };
        flags_valid |= valid;
        if valid {
            continue;
        }
        let mut document = profile.whole_document(target).into_owned();
        without_invalid_keys(&mut document);
        for violation in aws_schema::validate(&document) {
            // "/flags/<key>/..." or "/values/<key>/...": report at the flag's definition.
            let parts: Vec<&str> = violation.pointer.split('/').skip(1).collect();
            let section = parts.first().copied().unwrap_or_default();
            let key =
                crate::load::yaml::unescape_pointer(parts.get(1).copied().unwrap_or_default());
            let field = match parts.get(2..) {
                Some([field]) if section == "flags" => Some(*field),
                _ => None,
            };
            // Too many attributes is attribute-count's finding, at `attributes:` itself; AWS's
            // `maxProperties` would say it again, with the whole attribute map as the message.
            if field == Some("attributes") && attribute_count(&document, &key) > MAX_ATTRIBUTES {
                continue;
            }
            let location = match target.origins.get(&key) {
                // A display name or description written in the file is copied as it is:
                // underline it rather than the flag's key.
                Some((file, pointer)) if field.is_some_and(|f| written(cx, file, &key, f)) => {
                    Location::node(file, format!("{pointer}/{}", field.unwrap_or_default()))
                }
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
                out.push(
                    Finding::new(&COMPILED_SCHEMA, location, message).help(
                        "`flagops compile` prints the document as AppConfig would receive it",
                    ),
                );
            }
        }
    }
}

/// Properties of a flag value that AppConfig defines itself; every other key is an attribute.
const VALUE_PROPERTIES: &[&str] = &["enabled", "_variants", "_createdAt", "_updatedAt"];

/// Removes the keys key-pattern (and attribute-value, for undeclared attributes) already
/// report at the key itself: flag keys, attribute definitions, and attribute values per
/// environment and per variant. AWS's schema would reject each of them again, once per
/// place in the compiled document and without pointing at the key.
fn without_invalid_keys(document: &mut Value) {
    for section in ["flags", "values"] {
        if let Some(map) = document.get_mut(section).and_then(Value::as_object_mut) {
            map.retain(|key, _| is_valid_key(key));
        }
    }
    let defs = document.get_mut("flags").and_then(Value::as_object_mut);
    for def in defs.into_iter().flat_map(|m| m.values_mut()) {
        if let Some(attributes) = def.get_mut("attributes").and_then(Value::as_object_mut) {
            attributes.retain(|key, _| is_valid_key(key));
        }
    }
    let values = document.get_mut("values").and_then(Value::as_object_mut);
    for value in values.into_iter().flat_map(|m| m.values_mut()) {
        let Some(value) = value.as_object_mut() else {
            continue;
        };
        value.retain(|key, _| is_valid_key(key) || VALUE_PROPERTIES.contains(&key.as_str()));
        let variants = value.get_mut("_variants").and_then(Value::as_array_mut);
        for variant in variants.into_iter().flatten() {
            if let Some(values) = variant
                .get_mut("attributeValues")
                .and_then(Value::as_object_mut)
            {
                values.retain(|key, _| is_valid_key(key));
            }
        }
    }
}

/// How many attributes the compiled definition of flag `key` has.
fn attribute_count(document: &Value, key: &str) -> usize {
    document
        .get("flags")
        .and_then(|f| f.get(key))
        .and_then(|d| d.get("attributes"))
        .and_then(Value::as_object)
        .map_or(0, |a| a.len())
}

/// Whether flag `key` of `file` sets `field` (`name` or `description`) itself.
fn written(cx: &Context<'_>, file: &str, key: &str, field: &str) -> bool {
    cx.model
        .flags()
        .find(|f| f.file == file && f.key == key)
        .is_some_and(|f| match field {
            "name" => f.flag.name.is_some(),
            "description" => f.flag.description.is_some(),
            _ => false,
        })
}
