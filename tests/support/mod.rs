//! Shared by the end-to-end tests: a ministack (AppConfig emulator) per test on a free
//! loopback port, optionally behind the fault-injecting proxy (`fault_proxy.py`), a scratch
//! flags repository under git, and the real flagops binary.

// Each test crate uses its own part of this module.
#![allow(dead_code)]

pub mod check;
pub mod rollback;
pub mod sarif;

use std::io::{BufRead, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A running ministack, killed when dropped.
pub struct Ministack {
    child: Child,
    pub port: u16,
}

/// One application with a dev and a prod environment on an instant strategy, and one
/// feature-flags profile: the smallest setup apply has real work in.
#[allow(dead_code)]
pub const TWO_ENVIRONMENTS: &str = "version: 1
strategies:
  instant: { duration_minutes: 0, bake_minutes: 0, growth_factor: 100 }
applications:
  shop:
    environments:
      dev: { strategy: instant }
      prod: { strategy: instant, production: true }
    profiles:
      features: { type: feature-flags }
";

pub fn free_port() -> u16 {
    // The OS may offer a port again as soon as its probe socket closes, before the server it
    // was meant for binds it: two tests of one binary would then share a server, or one
    // would talk to the other's. A port is handed out once per test binary.
    static GIVEN: std::sync::Mutex<std::collections::BTreeSet<u16>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        if GIVEN.lock().unwrap_or_else(|e| e.into_inner()).insert(port) {
            return port;
        }
    }
}

/// How to install the emulators the end-to-end tests start.
pub const INSTALL_EMULATORS: &str = "python3 -m venv .venv && . .venv/bin/activate && python3 -m pip install -r .ci/requirements.txt (or run `bash .ci/run`, which does it)";

/// Fails at once, with the install command, when `module` is not importable by python3: an
/// emulator that is not installed must not cost each test a minute of waiting.
pub fn require_python_module(module: &str) {
    let found = Command::new("python3")
        .args([
            "-c",
            &format!(
                "import importlib.util, sys; sys.exit(importlib.util.find_spec({module:?}) is None)"
            ),
        ])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "the Python module `{module}` is not installed; install the test emulators with: {INSTALL_EMULATORS}"
    );
}

/// Waits until `port` accepts connections; fails at once if `child` exits first.
pub fn wait_listening(child: &mut Child, port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited ({status}) before listening on port {port}; install the test emulators with: {INSTALL_EMULATORS}"
            );
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Something answers; make sure it is this server, not another process that had the port.
    std::thread::sleep(Duration::from_millis(100));
    if let Ok(Some(status)) = child.try_wait() {
        panic!("{what} exited ({status}): port {port} was taken by another process");
    }
}

impl Ministack {
    /// Starts `ministack` (installed by .ci/run from PyPI) and waits until it answers.
    pub fn start() -> Self {
        require_python_module("ministack");
        let port = free_port();
        let child = Command::new("python3")
            .args(["-m", "ministack"])
            .env("BIND_HOST", "127.0.0.1")
            .env("GATEWAY_PORT", port.to_string())
            .env("SERVICES", "appconfig,cloudwatch,sts")
            .env("IOT_MTLS_ENABLED", "0")
            .env("SFTP_ENABLED", "0")
            .env("LOG_LEVEL", "WARNING")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run python3 ({e}); {INSTALL_EMULATORS}"));
        let mut stack = Ministack { child, port };
        wait_listening(&mut stack.child, port, "ministack");
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

/// Copies a directory tree (test fixtures into scratch repositories).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
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

/// The flagops command against `endpoint` with test credentials, never probing instance
/// metadata; for tests that spawn it themselves.
pub fn flagops_command(repo: &Path, endpoint: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flagops"));
    command
        .args(args)
        .arg("-C")
        .arg(repo)
        .env("AWS_ENDPOINT_URL_APPCONFIG", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    isolated(&mut command);
    command
}

/// Colour off and nothing from a CI runner (or a git hook) that would change what flagops
/// prints, where it writes, or which backend it reads.
pub fn isolated(command: &mut Command) -> &mut Command {
    command
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("CI")
        .env_remove("FLAGOPS_BACKEND")
        .env_remove("FLAGOPS_CACHE_DIR")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
}

/// flagops against `endpoint` with test credentials, never probing instance metadata.
pub fn flagops(repo: &Path, endpoint: &str, args: &[&str]) -> Output {
    flagops_command(repo, endpoint, args)
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

/// What the fault proxy does to the requests it forwards.
#[derive(Debug, Clone)]
pub struct Faults {
    /// Seeds the proxy's choice of which requests fail and how.
    pub seed: u64,
    /// Fraction of requests answered with a fault (0: AWS's rules only, no faults).
    pub rate: f64,
    /// `Operation=kind`: the next request of that operation gets that fault, before any drawn
    /// at random (kinds: throttle, throttle-429, error-500, error-503, reset-before,
    /// reset-after, error-500-after; hang: held unanswered until the client goes away;
    /// barrier: held until a second request of the operation arrives).
    pub force: Vec<String>,
}

impl Faults {
    /// No faults: the proxy only enforces what AWS does and the emulator does not.
    pub fn none() -> Self {
        Faults {
            seed: 0,
            rate: 0.0,
            force: Vec::new(),
        }
    }
}

/// `tests/support/fault_proxy.py` in front of an emulator, killed when dropped. It logs every
/// request and fault to `log_path()` and keeps per-operation counts in `stats()`.
pub struct FaultProxy {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
    /// Serves HTTPS (`set_rate` and `stats` speak plain HTTP: not for these).
    tls: bool,
}

impl FaultProxy {
    pub fn start(upstream: &str, faults: &Faults) -> Self {
        Self::start_with(upstream, faults, None)
    }

    /// The proxy serving HTTPS with this certificate and key (PEM): `endpoint` is then
    /// `https://localhost:<port>`.
    pub fn start_tls(upstream: &str, cert: &Path, key: &Path) -> Self {
        Self::start_with(upstream, &Faults::none(), Some((cert, key)))
    }

    fn start_with(upstream: &str, faults: &Faults, tls: Option<(&Path, &Path)>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fault_proxy.py");
        let mut command = Command::new("python3");
        command
            .arg(script)
            .args(["--upstream", upstream])
            .args(["--seed", &faults.seed.to_string()])
            .args(["--rate", &faults.rate.to_string()])
            .arg("--log")
            .arg(dir.path().join("proxy.log"))
            .arg("--stats")
            .arg(dir.path().join("stats.json"))
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.path().join("proxy.stderr")).expect("stderr file"));
        for rule in &faults.force {
            command.args(["--force", rule]);
        }
        if let Some((cert, key)) = tls {
            command
                .arg("--tls-cert")
                .arg(cert)
                .arg("--tls-key")
                .arg(key);
        }
        let mut child = command.spawn().expect("python3 runs");
        // The proxy prints `listening <port>` once it accepts connections (EOF if it failed).
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the proxy's port");
        let port = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let log = std::fs::read_to_string(dir.path().join("proxy.stderr"));
                panic!("fault proxy did not start: {line:?} {log:?}")
            });
        FaultProxy {
            child,
            port,
            dir,
            tls: tls.is_some(),
        }
    }

    pub fn endpoint(&self) -> String {
        if self.tls {
            format!("https://localhost:{}", self.port)
        } else {
            format!("http://127.0.0.1:{}", self.port)
        }
    }

    /// Changes the fraction of requests faulted from now on.
    pub fn set_rate(&self, rate: f64) {
        self.configure(&format!("{{\"rate\": {rate}}}"));
    }

    /// Milliseconds every API request waits before it is handled, from now on.
    pub fn set_latency_ms(&self, latency: u64) {
        self.configure(&format!("{{\"latency_ms\": {latency}}}"));
    }

    fn configure(&self, body: &str) {
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connect to the proxy");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "POST /__proxy/config HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write to the proxy");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("proxy answers");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    /// `{"requests": n, "faults": n, "by_fault": {kind: n}, "operations": {op: {outcome: n}}}`.
    pub fn stats(&self) -> serde_json::Value {
        std::fs::read_to_string(self.dir.path().join("stats.json"))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_else(|| serde_json::json!({"requests": 0, "faults": 0, "operations": {}}))
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("proxy.log")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs git in `dir` with a throwaway identity; panics on failure; returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=flagops-test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
