//! moto (PyPI `moto[server]`) as a second reference for hosted configuration versions: the
//! AppConfig backend and the real SDK against `python3 -m moto.server` on a free loopback port.
//!
//! moto's AppConfig covers applications, configuration profiles and hosted versions (create,
//! get, delete) and nothing the rest of flagops needs: no ListApplications (so no inventory),
//! no environments, deployment strategies or deployments, no ListHostedConfigurationVersions,
//! and it ignores `LatestVersionNumber` and does not keep labels unique. Those are covered
//! against ministack (`e2e_appconfig.rs`, `e2e_faults.rs`); this file checks only what moto
//! implements.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::process::{Child, Command, Stdio};

use aws_sdk_appconfig::Client;
use aws_sdk_appconfig::config::{BehaviorVersion, Credentials, Region};
use flagops::live::ErrorKind;
use flagops::live::api::NewVersion;
use flagops::live::appconfig::AppConfigBackend;

/// A running moto server, killed when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    fn start() -> Self {
        support::require_python_module("moto");
        let port = support::free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run python3 ({e}); {}", support::INSTALL_EMULATORS));
        let mut moto = Moto { child, port };
        support::wait_listening(&mut moto.child, port, "moto");
        moto
    }

    /// The AppConfig backend on a client bound to this server, with static test credentials.
    fn backend(&self) -> AppConfigBackend {
        let config = aws_sdk_appconfig::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(format!("http://127.0.0.1:{}", self.port))
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
            .build();
        AppConfigBackend::with_client(Client::from_conf(config))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn version<'a>(
    app: &'a str,
    profile: &'a str,
    content: &'a [u8],
    label: &'a str,
    description: &'a str,
    latest: Option<i32>,
) -> NewVersion<'a> {
    NewVersion {
        application_id: app,
        profile_id: profile,
        content,
        content_type: "application/json",
        label,
        description,
        latest_version_number: latest,
    }
}

#[tokio::test]
async fn hosted_versions_round_trip_content_label_and_description() {
    let moto = Moto::start();
    let backend = moto.backend();
    let app = backend
        .create_application("shop", Some("the shop's flags"))
        .await
        .expect("CreateApplication");
    let profile = backend
        .create_profile(&app, "features", "AWS.AppConfig.FeatureFlags", None, None)
        .await
        .expect("CreateConfigurationProfile");
    assert!(
        !app.is_empty() && !profile.is_empty(),
        "ids: {app} {profile}"
    );

    // Bytes exactly as flagops uploads them (canonical JSON, a non-ASCII value included:
    // content is a blob, only the description header must be ASCII).
    let first = br#"{"flags":{"dark_mode":{"name":"Dark mode"}},"values":{"dark_mode":{"enabled":true}},"version":"1"}"#;
    let second = "{\"flags\":{\"greeting\":{\"name\":\"Gr\u{fc}\u{df}e\"}},\"values\":{\"greeting\":{\"enabled\":false}},\"version\":\"1\"}";
    let (label_1, label_2) = ("fo.0123456789abcdef.dev", "fo.fedcba9876543210.prod");
    let (description_1, description_2) = (
        "flagops commit=1111111 env=dev digest=0123456789abcdef",
        "flagops commit=2222222 env=prod digest=fedcba9876543210",
    );
    let n1 = backend
        .create_version(&version(
            &app,
            &profile,
            first,
            label_1,
            description_1,
            None,
        ))
        .await
        .expect("CreateHostedConfigurationVersion");
    let n2 = backend
        .create_version(&version(
            &app,
            &profile,
            second.as_bytes(),
            label_2,
            description_2,
            Some(n1),
        ))
        .await
        .expect("CreateHostedConfigurationVersion");
    assert_eq!((n1, n2), (1, 2), "numbers count from 1 per profile");

    // A fresh backend, so nothing comes from the version cache.
    let reader = moto.backend();
    for (number, content, label, description) in [
        (n1, &first[..], label_1, description_1),
        (n2, second.as_bytes(), label_2, description_2),
    ] {
        let (info, bytes) = reader
            .version(&app, &profile, &number.to_string())
            .await
            .expect("GetHostedConfigurationVersion");
        assert_eq!(info.number, number);
        assert_eq!(info.label.as_deref(), Some(label));
        assert_eq!(info.description.as_deref(), Some(description));
        assert_eq!(
            bytes,
            content,
            "content round trip: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[tokio::test]
async fn a_missing_version_or_profile_is_not_found() {
    let moto = Moto::start();
    let backend = moto.backend();
    let app = backend
        .create_application("shop", None)
        .await
        .expect("CreateApplication");
    let profile = backend
        .create_profile(&app, "features", "AWS.AppConfig.FeatureFlags", None, None)
        .await
        .expect("CreateConfigurationProfile");

    // moto answers ResourceNotFoundException with HTTP 400: the kind comes from the error
    // code, not the status.
    let missing = backend
        .version(&app, &profile, "7")
        .await
        .expect_err("no version 7");
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
    let missing = backend
        .create_version(&version(
            &app,
            "nopenope",
            b"{}",
            "fo.0000000000000000.dev",
            "flagops commit=0 env=dev digest=0",
            None,
        ))
        .await
        .expect_err("no such profile");
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
    let bad = backend
        .version(&app, &profile, "v7")
        .await
        .expect_err("not a number");
    assert_eq!(bad.kind, ErrorKind::BadRequest, "{bad}");
}
