//! adopt's edits are surgical: only the adopted scalars change; comments, order and layout
//! elsewhere survive.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use flagops::adopt::edit::set;
use serde_json::json;

const FLAGS: &str = r#"# yaml-language-server: $schema=../schemas/flags.schema.json
# Storefront release flags. Owners review every change.
application: storefront
profile: release-flags

flags:
  checkout_v2_20270301:
    name: Checkout v2        # shown in the AppConfig console
    owner: team-payments
    class: release
    expires: 2027-12-31
    attributes:
      max_cart_items: { type: number, minimum: 1, maximum: 500 }
    defaults:
      enabled: false
      values:
        max_cart_items: 100   # the backend's default too
    environments:
      staging: { enabled: true }
      production:
        enabled: true        # pilot customers only
        allow: [ws_acme_corp, ws_globex]

  # The sorry page: flipped by hand in emergencies.
  maintenance_mode:
    owner: sre-oncall
    class: ops
"#;

fn diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(1)
        .to_string()
}

#[test]
fn adopting_live_values_changes_only_those_nodes() {
    let mut text = FLAGS.to_owned();
    // What AppConfig serves in production after an emergency: checkout off, one workspace
    // fewer, a smaller cart; and maintenance mode on in production.
    for (path, value) in [
        (
            vec![
                "flags",
                "checkout_v2_20270301",
                "environments",
                "production",
                "enabled",
            ],
            json!(false),
        ),
        (
            vec![
                "flags",
                "checkout_v2_20270301",
                "environments",
                "production",
                "allow",
            ],
            json!(["ws_acme_corp"]),
        ),
        (
            vec![
                "flags",
                "checkout_v2_20270301",
                "environments",
                "production",
                "values",
                "max_cart_items",
            ],
            json!(50),
        ),
        (
            vec![
                "flags",
                "maintenance_mode",
                "environments",
                "production",
                "enabled",
            ],
            json!(true),
        ),
    ] {
        text = set(&text, &path, &value).expect("edit");
    }
    insta::assert_snapshot!(diff(FLAGS, &text));
    // The result is still the same document but for the adopted values.
    let (doc, _) = flagops::load::yaml::parse(&text).expect("valid YAML");
    let production = &doc.value["flags"]["checkout_v2_20270301"]["environments"]["production"];
    assert_eq!(production["enabled"], json!(false));
    assert_eq!(production["values"]["max_cart_items"], json!(50));
    assert_eq!(
        doc.value["flags"]["checkout_v2_20270301"]["defaults"]["values"]["max_cart_items"],
        json!(100)
    );
}

#[test]
fn crlf_files_keep_their_line_endings() {
    let crlf = FLAGS.replace('\n', "\r\n");
    let out = set(
        &crlf,
        &[
            "flags",
            "maintenance_mode",
            "environments",
            "staging",
            "enabled",
        ],
        &json!(true),
    )
    .expect("edit");
    assert!(
        !out.replace("\r\n", "").contains('\n'),
        "no bare LF introduced"
    );
    let (doc, _) = flagops::load::yaml::parse(&out).expect("valid YAML");
    assert_eq!(
        doc.value["flags"]["maintenance_mode"]["environments"]["staging"]["enabled"],
        json!(true)
    );
}
