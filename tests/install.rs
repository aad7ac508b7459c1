//! install.sh, which the Action runs to install a release binary, against a local HTTP server
//! serving a release-shaped directory: a good checksum installs; a bad one, a missing release
//! or asset, a release of another commit and an unknown platform each fail, with the exit
//! code that tells the Action whether to build from source instead.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use sha2::Digest as _;

const VERSION: &str = "0.1.0";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

struct Server {
    child: Child,
    port: u16,
    root: tempfile::TempDir,
}

impl Server {
    /// `python3 -m http.server` over a fresh directory.
    fn start() -> Self {
        let root = tempfile::tempdir().unwrap();
        let port = support::free_port();
        let mut child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .current_dir(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        support::wait_listening(&mut child, port, "python3 -m http.server");
        Server { child, port, root }
    }

    fn releases(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A release of `version` holding a `flagops` that reports `reports`, for these targets,
    /// with SHA256SUMS (`corrupt` gives a wrong sum for the first) and COMMIT.
    fn release(&self, version: &str, targets: &[&str], reports: &str, corrupt: bool) {
        let dir = self.root.path().join(format!("v{version}"));
        std::fs::create_dir_all(&dir).unwrap();
        let stage = tempfile::tempdir().unwrap();
        let binary = stage.path().join("flagops");
        std::fs::write(&binary, format!("#!/bin/sh\necho '{reports}'\n")).unwrap();
        let mut sums = String::new();
        for (i, target) in targets.iter().enumerate() {
            let asset = format!("flagops-{version}-{target}.tar.gz");
            let ok = Command::new("tar")
                .args(["-czf"])
                .arg(dir.join(&asset))
                .arg("-C")
                .arg(stage.path())
                .arg("flagops")
                .status()
                .unwrap()
                .success();
            assert!(ok, "tar");
            let bytes = std::fs::read(dir.join(&asset)).unwrap();
            let mut sum: String = sha2::Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if corrupt && i == 0 {
                sum = sum.replacen(&sum[..1], if &sum[..1] == "0" { "1" } else { "0" }, 1);
            }
            sums.push_str(&format!("{sum}  {asset}\n"));
        }
        std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
        std::fs::write(dir.join("COMMIT"), format!("{COMMIT}\n")).unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn install(
    server: &Server,
    version: &str,
    platform: (&str, &str),
    commit: Option<&str>,
) -> (Output, PathBuf, tempfile::TempDir) {
    let dest = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let mut command = Command::new("bash");
    command
        .arg(script)
        .arg(version)
        .arg(dest.path())
        .env("FLAGOPS_RELEASES", server.releases())
        .env("FLAGOPS_OS", platform.0)
        .env("FLAGOPS_ARCH", platform.1);
    if let Some(commit) = commit {
        command.arg(commit);
    }
    let out = command.output().expect("bash runs");
    let binary = dest.path().join("bin/flagops");
    (out, binary, dest)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const LINUX: (&str, &str) = ("Linux", "x86_64");

#[test]
fn a_release_with_a_good_checksum_installs() {
    let server = Server::start();
    server.release(
        VERSION,
        &["x86_64-unknown-linux-musl"],
        "flagops 0.1.0",
        false,
    );
    let (out, binary, _dest) = install(&server, VERSION, LINUX, Some(COMMIT));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ran = Command::new(&binary).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout).trim(), "flagops 0.1.0");
}

#[test]
fn a_bad_checksum_installs_nothing_and_fails() {
    let server = Server::start();
    server.release(
        VERSION,
        &["x86_64-unknown-linux-musl"],
        "flagops 0.1.0",
        true,
    );
    let (out, binary, _dest) = install(&server, VERSION, LINUX, None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checksum mismatch"),
        "{}",
        stderr(&out)
    );
    assert!(!binary.exists());
}

#[test]
fn a_missing_release_or_asset_says_build_instead() {
    let server = Server::start();
    server.release(VERSION, &["aarch64-apple-darwin"], "flagops 0.1.0", false);
    let (out, binary, _dest) = install(&server, "9.9.9", LINUX, None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no SHA256SUMS in release v9.9.9"),
        "{}",
        stderr(&out)
    );
    assert!(!binary.exists());
    let (out, _, _dest) = install(&server, VERSION, LINUX, None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("has no flagops-0.1.0-x86_64-unknown-linux-musl.tar.gz"),
        "{}",
        stderr(&out)
    );
    // A release built from another commit than the action's is not this code.
    let other = "f".repeat(40);
    let (out, _, _dest) = install(&server, VERSION, ("Darwin", "arm64"), Some(&other));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("was built from"), "{}", stderr(&out));
}

#[test]
fn an_unknown_platform_or_a_wrong_binary_fails_clearly() {
    let server = Server::start();
    server.release(
        VERSION,
        &["x86_64-unknown-linux-musl"],
        "flagops 0.0.9",
        false,
    );
    let (out, _, _dest) = install(&server, VERSION, ("Plan9", "mips"), None);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("no release binary is built for Plan9/mips"));
    let (out, binary, _dest) = install(&server, VERSION, LINUX, None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not flagops 0.1.0"),
        "{}",
        stderr(&out)
    );
    assert!(!binary.exists());
}
