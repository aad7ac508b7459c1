//! AppConfig over HTTPS, as on AWS: the SDK's TLS stack against a TLS front of ministack (the
//! fault proxy with a self-signed certificate for localhost). The trust roots come from
//! SSL_CERT_FILE, so apply and plan work when the certificate is trusted, and a certificate
//! nobody trusts is refused with one line that names the endpoint.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{FaultProxy, Ministack, Repo, TWO_ENVIRONMENTS, flagops_command, stderr, stdout};

/// A test CA, and a certificate it issued for localhost and 127.0.0.1 (with its key): the CA
/// to trust, and what the server presents. (A self-signed CA certificate presented as the
/// server's own is refused by webpki, rightly.)
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("the openssl command line tool is installed");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=flagops test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

#[test]
fn apply_and_plan_go_over_tls_to_a_trusted_endpoint_only() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(certs.path());
    let stack = Ministack::start();
    let proxy = FaultProxy::start_tls(&stack.endpoint(), &cert, &key);
    let endpoint = proxy.endpoint();
    assert!(endpoint.starts_with("https://localhost:"), "{endpoint}");
    let repo = Repo::new(TWO_ENVIRONMENTS);

    let trusting = |args: &[&str]| {
        flagops_command(repo.path(), &endpoint, args)
            .env("SSL_CERT_FILE", &ca)
            .env_remove("SSL_CERT_DIR")
            .output()
            .expect("flagops runs")
    };
    let apply = trusting(&["apply", "--poll-seconds", "1"]);
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&apply),
        stderr(&apply)
    );
    assert!(stdout(&apply).contains("2 deployed"), "{}", stdout(&apply));
    let plan = trusting(&["plan"]);
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));

    // The system's roots do not include a certificate made a moment ago. The refusal is
    // final: no retries up to the operation timeout, and the message says what was refused.
    let started = std::time::Instant::now();
    let untrusted = flagops_command(repo.path(), &endpoint, &["plan"])
        .env("SSL_CERT_FILE", certs.path().join("missing.pem"))
        .output()
        .expect("flagops runs");
    let took = started.elapsed();
    assert_eq!(untrusted.status.code(), Some(1), "{}", stdout(&untrusted));
    let why = stderr(&untrusted);
    assert!(why.contains(&endpoint), "names the endpoint: {why}");
    assert!(
        why.contains("TLS certificate") && why.contains("not trusted"),
        "says the certificate is not trusted: {why}"
    );
    assert!(
        took < std::time::Duration::from_secs(10),
        "a refused certificate is not retried until the 20 s timeout: {took:?}\n{why}"
    );
    assert!(!why.contains("panicked"), "{why}");
}
