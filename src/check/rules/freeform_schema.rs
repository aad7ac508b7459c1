//! FO217 freeform-schema: the compiled content of each freeform profile satisfies the JSON
//! Schema the profile names (`schema:` in flagops.yaml, a file the user keeps in schemas/).
//! Errors point at the YAML node the offending value came from. Schemas are evaluated as
//! draft-04, as AppConfig's JSON_SCHEMA validators are; one that declares another draft gets a
//! warning.

use serde_json::Value;

use crate::check::Context;
use crate::compile::ProfileTargets;
use crate::finding::{Finding, Location, Severity, catalog::FREEFORM_SCHEMA};
use crate::load::CONFIG_FILE;
use crate::load::yaml::escape_pointer;
use crate::model::config::ProfileKind;

use crate::compile::VALIDATOR_MAX_CHARS as MAX_VALIDATOR_CHARS;

pub fn check(cx: &Context<'_>, profile: &ProfileTargets<'_>, out: &mut Vec<Finding>) {
    let (Some(root), Some(config)) = (cx.root, &cx.model.config) else {
        return;
    };
    let (app_name, profile_name) = (profile.application, profile.profile);
    let Some(schema_path) = config
        .applications
        .get(app_name)
        .and_then(|app| app.profiles.get(profile_name))
        .filter(|p| p.kind == ProfileKind::Freeform)
        .and_then(|p| p.schema.as_ref())
    else {
        return;
    };
    let at = Location::node(
        CONFIG_FILE,
        format!(
            "/applications/{}/profiles/{}/schema",
            escape_pointer(app_name),
            escape_pointer(profile_name)
        ),
    );
    // Confined like flag files: a regular file inside the repository, size-capped.
    let text = match crate::load::read_repo_file(root, schema_path)
        .and_then(|b| String::from_utf8(b).map_err(|_| format!("{schema_path} is not UTF-8")))
    {
        Ok(t) => t,
        Err(e) => {
            out.push(
                Finding::new(
                    &FREEFORM_SCHEMA,
                    at,
                    format!("cannot read the schema: {e}"),
                )
                .help("name a JSON Schema file inside the repository, relative to its root, e.g. `schema: schemas/maintenance.json`"),
            );
            return;
        }
    };
    if text.chars().count() > MAX_VALIDATOR_CHARS {
        out.push(
            Finding::new(&FREEFORM_SCHEMA, at.clone(), format!("{schema_path} has {} characters; an AppConfig validator holds at most {MAX_VALIDATOR_CHARS}", text.chars().count()))
                .severity(Severity::Warning)
                .help("flagops still checks content against it, but apply cannot attach it to the profile: shorten it"),
        );
    }
    let validator = match serde_json::from_str::<Value>(&text)
        .map_err(|e| e.to_string())
        .and_then(|s| {
            let declared = s.get("$schema").and_then(Value::as_str).map(str::to_owned);
            match declared {
                // AppConfig evaluates JSON_SCHEMA validators as draft-04: so does check,
                // unless the schema declares another draft.
                None => jsonschema::draft4::new(&s),
                Some(d) if is_draft_04(&d) => jsonschema::draft4::new(&s),
                Some(d) => {
                    out.push(
                        Finding::new(
                            &FREEFORM_SCHEMA,
                            at.clone(),
                            format!(
                                "{schema_path} declares `$schema: {}`, but AppConfig's JSON_SCHEMA validators are draft-04: AppConfig may read its keywords differently from check",
                                crate::finding::quote(&d)
                            ),
                        )
                        .severity(Severity::Warning)
                        .label("not draft-04")
                        .help("write the schema in draft-04 (`\"$schema\": \"http://json-schema.org/draft-04/schema#\"`), which check and AppConfig both evaluate the same way"),
                    );
                    jsonschema::validator_for(&s)
                }
            }
            .map_err(|e| e.to_string())
        })
    {
        Ok(v) => v,
        Err(e) => {
            out.push(
                Finding::new(
                    &FREEFORM_SCHEMA,
                    at,
                    format!("{schema_path} is not a usable JSON Schema: {e}"),
                )
                .help("make it one JSON object, a draft-04 JSON Schema, e.g. `{ \"type\": \"object\" }`"),
            );
            return;
        }
    };
    let mut seen = std::collections::HashSet::new();
    for target in &profile.targets {
        for error in validator.iter_errors(&target.document) {
            let pointer = error.instance_path().as_str().to_owned();
            let location = source_of(
                cx,
                &target.id.application,
                &target.id.profile,
                &target.id.environment,
                &pointer,
            );
            let message = format!("{}: {error}", target.id);
            if seen.insert((location.clone(), error.to_string())) {
                out.push(
                    Finding::new(&FREEFORM_SCHEMA, location, message)
                        .help(format!("the profile's schema is {schema_path}")),
                );
            }
        }
    }
}

/// Where the value at `pointer` of an environment's compiled content was written.
fn source_of(cx: &Context<'_>, app: &str, profile: &str, env: &str, pointer: &str) -> Location {
    let top = crate::load::yaml::unescape_pointer(pointer.split('/').nth(1).unwrap_or_default());
    let mut found = None;
    for (path, file) in &cx.model.files {
        if file.application != app || file.profile != profile {
            continue;
        }
        let Some(content) = &file.content else {
            continue;
        };
        if content
            .environments
            .get(env)
            .is_some_and(|o| o.contains_key(&top))
        {
            found = Some(Location::node(
                path,
                format!("/content/environments/{}{pointer}", escape_pointer(env)),
            ));
        } else if content.defaults.contains_key(&top) {
            found = Some(Location::node(path, format!("/content/defaults{pointer}")));
        } else if found.is_none() {
            found = Some(Location::key(path, "/content/defaults"));
        }
    }
    found.unwrap_or_else(|| Location::node(CONFIG_FILE, ""))
}

/// `http://json-schema.org/draft-04/schema#`, with or without `https`, the `#` or the
/// trailing slash variants editors write.
fn is_draft_04(uri: &str) -> bool {
    let rest = uri
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('#');
    rest == "json-schema.org/draft-04/schema"
}
