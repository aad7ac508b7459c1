//! Shared by the end-to-end tests: a ministack (AppConfig emulator) per test on a free
//! loopback port, a scratch flags repository under git, and the real flagops binary.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A running ministack, killed when dropped.
pub struct Ministack {
    child: Child,
    pub port: u16,
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Ministack {
    /// Starts `ministack` (installed by .ci/run from PyPI) and waits until it answers.
    pub fn start() -> Self {
        let port = free_port();
        let child = Command::new("python3")
            .args(["-m", "ministack"])
            .env("BIND_HOST", "127.0.0.1")
            .env("GATEWAY_PORT", port.to_string())
            .env("SERVICES", "appconfig,cloudwatch")
            .env("IOT_MTLS_ENABLED", "0")
            .env("SFTP_ENABLED", "0")
            .env("LOG_LEVEL", "WARNING")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ministack is installed (python3 -m pip install -r .ci/requirements.txt)");
        let stack = Ministack { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "ministack did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        stack
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs a Python snippet with a boto3 `appconfig` and `cloudwatch` client bound to this
    /// emulator: how tests act as a person in the console would. Returns stdout.
    pub fn boto(&self, script: &str) -> String {
        boto(&self.endpoint(), script)
    }
}

impl Drop for Ministack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn boto(endpoint: &str, script: &str) -> String {
    let prelude = format!(
        "import boto3, json, time\nkw = dict(endpoint_url='{endpoint}', region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')\nac = boto3.client('appconfig', **kw)\ncw = boto3.client('cloudwatch', **kw)\n"
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "boto3 script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A scratch repository: the e2e fixture copied to a temp dir, committed on `main`.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    pub fn new(config: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/e2e");
        copy_dir(&fixture, dir.path());
        std::fs::write(dir.path().join("flagops.yaml"), config).expect("write flagops.yaml");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit("initial flags");
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=flagops-test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(self.path())
            .stdout(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?} failed");
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-qm", message, "--allow-empty"]);
    }

    /// Replaces `from` with `to` in a file of the repository and commits.
    pub fn edit(&self, file: &str, from: &str, to: &str, message: &str) {
        let path = self.path().join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{file} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
        self.commit(message);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("fixture dir") {
        let entry = entry.expect("entry");
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// flagops against `endpoint` with test credentials, never probing instance metadata.
pub fn flagops(repo: &Path, endpoint: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flagops"))
        .args(args)
        .arg("-C")
        .arg(repo)
        .env("AWS_ENDPOINT_URL_APPCONFIG", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("FLAGOPS_BACKEND")
        .output()
        .expect("flagops runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `flagops <command> --format json` parsed.
pub fn json(repo: &Path, endpoint: &str, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = flagops(repo, endpoint, &all);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "JSON output; stdout: {} stderr: {}",
            stdout(&out),
            stderr(&out)
        )
    });
    (out.status.code().unwrap_or(-1), doc)
}
