#!/usr/bin/env python3
"""Counts the AppConfig control-plane calls of `flagops plan` and `flagops drift` over 100
targets and times them, against ministack behind the end-to-end tests' proxy
(tests/support/fault_proxy.py). Run by bench/plan_drift.sh; see bench/README.md.

    plan_drift.py run --flagops BIN [--runs 5] [--latency-ms 40] [--rounds 1,3] [--json OUT]
    plan_drift.py proxy --upstream URL [--latency-ms N] [--no-profile-ids]

`run` generates a flags repository (10 applications x 2 environments x 5 feature-flags
profiles = 100 targets), starts ministack on a free loopback port, applies the repository
once through the proxy (not timed), then times plan and drift in two modes:

  aws-shaped  every request waits --latency-ms in the proxy, and ListDeployments summaries
              carry ConfigurationProfileId (as the live service's do; the proxy fills it);
  ministack   no added latency, and summaries without ConfigurationProfileId (as ministack
              answers), so flagops falls back to GetDeployment.

After the last apply round of --rounds it applies again (every target changed) and measures
again, so the effect of a longer deployment history shows.

`proxy` is the test proxy with a request timeline (start and end of every request, for the
concurrency figures), a cache for the profile ids it fills (a deployment's profile never
changes, and the live service answers in one request: only the first read pays for the fill),
and, with --no-profile-ids, no filling at all. Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.dont_write_bytecode = True  # no __pycache__ in tests/support
sys.path.insert(0, str(ROOT / "tests" / "support"))
import fault_proxy  # noqa: E402  (tests/support/fault_proxy.py)

NAMED_APPLICATIONS = (
    "storefront", "billing", "search", "catalog", "accounts",
    "shipping", "payments", "identity", "messaging", "reporting",
)
APPLICATIONS = NAMED_APPLICATIONS  # --applications N sets it (10 a step: 100 targets)
# The most requests flagops has in flight to AppConfig (src/live/in_flight.rs, MAX_IN_FLIGHT):
# the ideal wall time divides the requests by it.
MAX_IN_FLIGHT = 10
ENVIRONMENTS = ("staging", "production")
NAMED_PROFILES = ("release-flags", "experiments", "permissions", "ops-switches", "rollouts")
PROFILES = NAMED_PROFILES  # --profiles N sets it
FLAGS_PER_PROFILE = 4
CLASSES = ("release", "experiment", "permission", "ops")

# The minimum a read of live state needs (see bench/README.md): the inventory (applications,
# and each one's environments and profiles; plan and drift use no strategy ids), one
# ListDeployments per environment, one GetHostedConfigurationVersion per target, and for drift
# one ListHostedConfigurationVersions per (application, profile).
INVENTORY = ("ListApplications", "ListEnvironments", "ListConfigurationProfiles",
             "ListDeploymentStrategies")
OPERATION_ORDER = INVENTORY + (
    "ListDeployments", "GetDeployment", "GetHostedConfigurationVersion",
    "ListHostedConfigurationVersions",
)


# ----------------------------------------------------------------------------------- proxy

class BenchHandler(fault_proxy.Handler):
    """The test proxy, plus a timeline of requests and a switch for the profile-id filling."""

    # TCP_NODELAY on the answers: without it, Nagle's algorithm holds the body of every
    # answer back until the client acknowledges the headers, and the client's delayed ACK
    # makes that about 40 ms per request on Linux, on top of --latency-ms.
    disable_nagle_algorithm = True
    fill_profile_ids = True
    timeline: list = []
    timeline_lock = threading.Lock()
    profile_ids: dict = {}

    def handle_any(self):
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/__bench/"):
            self.read_body()
            return self.bench_control(path)
        start = time.monotonic()
        super().handle_any()
        end = time.monotonic()
        if not path.startswith("/__proxy/"):
            op = fault_proxy.operation(self.command, path)[0]
            with self.timeline_lock:
                self.timeline.append((op, start, end, path))

    def with_profile_ids(self, ids, body):
        if not self.fill_profile_ids:
            return body
        data = json.loads(body or b"{}")
        for item in data.get("Items", []):
            if item.get("ConfigurationProfileId"):
                continue
            key = (ids["app"], ids["env"], item["DeploymentNumber"])
            profile = self.profile_ids.get(key)
            if profile is None:
                full = self.state.upstream_json(
                    f"/applications/{ids['app']}/environments/{ids['env']}"
                    f"/deployments/{item['DeploymentNumber']}", self.auth())
                profile = (full or {}).get("ConfigurationProfileId")
                if profile:
                    self.profile_ids[key] = profile
            if profile:
                item["ConfigurationProfileId"] = profile
        return json.dumps(data).encode()

    def with_validator_types(self, body):
        return super().with_validator_types(body) if self.fill_profile_ids else body

    def bench_control(self, path):
        if path == "/__bench/reset" and self.command == "POST":
            with self.timeline_lock:
                self.timeline.clear()
            return self.send(200, [("Content-Type", "application/json")], b"{}")
        if path == "/__bench/timeline":
            with self.timeline_lock:
                data = json.dumps(self.timeline).encode()
            return self.send(200, [("Content-Type", "application/json")], data)
        self.send(404, [], b"")


def proxy_main(argv):
    parser = argparse.ArgumentParser(prog="plan_drift.py proxy")
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--no-profile-ids", action="store_true",
                        help="leave ListDeployments summaries as the emulator sends them")
    args = parser.parse_args(argv)
    state_args = argparse.Namespace(
        upstream=args.upstream, seed=0, rate=0.0, force=[], log=None, stats=None,
        latency_ms=args.latency_ms)
    BenchHandler.state = fault_proxy.State(state_args)
    BenchHandler.fill_profile_ids = not args.no_profile_ids
    server = fault_proxy.http.server.ThreadingHTTPServer(("127.0.0.1", 0), BenchHandler)
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


# ------------------------------------------------------------------------------ repository

def flagops_yaml() -> str:
    lines = [
        "version: 1",
        "default_branch: main",
        "strategies:",
        "  instant: { description: no rollout and no bake, duration_minutes: 0,"
        " bake_minutes: 0, growth_factor: 100 }",
        "applications:",
    ]
    for app in APPLICATIONS:
        lines += [
            f"  {app}:",
            "    environments:",
            "      staging: { strategy: instant }",
            "      production: { strategy: instant, production: true }",
            "    profiles:",
        ]
        lines += [f"      {p}: {{ type: feature-flags }}" for p in PROFILES]
    return "\n".join(lines) + "\n"


def flag_file(app: str, profile: str, round_: int) -> str:
    """A profile's flags; `round_` changes a value in every environment, so each apply round
    deploys every target."""
    lines = [f"application: {app}", f"profile: {profile}", "flags:"]
    for i in range(FLAGS_PER_PROFILE):
        cls = CLASSES[i % len(CLASSES)]
        key = f"{profile.replace('-', '_')}_{i}"
        lines += [
            f"  {key}:",
            f"    name: {app} {profile} {i}",
            f"    owner: team-{app}",
            f"    class: {cls}",
            "    attributes:",
            "      limit: { type: number, minimum: 1, maximum: 10000 }",
            "      mode: { type: string }",
            "    defaults:",
            "      enabled: false",
            f"      values: {{ limit: {10 + i}, mode: shadow }}",
            "    environments:",
            f"      staging: {{ enabled: true, values: {{ limit: {100 + round_ * 10 + i} }} }}",
        ]
        if cls == "permission":
            lines.append(
                f"      production: {{ enabled: true, allow: [ws_{round_}_a, ws_{round_}_b],"
                f" values: {{ limit: {200 + round_} }} }}")
        else:
            lines.append(
                f"      production: {{ enabled: {'true' if i % 2 else 'false'},"
                f" values: {{ limit: {200 + round_ * 10 + i}, mode: live }} }}")
    return "\n".join(lines) + "\n"


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=flagops-bench", "-c", "user.email=bench@example.com",
         "-c", "commit.gpgsign=false", *args],
        cwd=repo, check=True, stdout=subprocess.DEVNULL, timeout=120)


def write_repo(repo: Path, round_: int) -> None:
    (repo / "flagops.yaml").write_text(flagops_yaml())
    for app in APPLICATIONS:
        for profile in PROFILES:
            path = repo / "flags" / app / f"{profile}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(flag_file(app, profile, round_))
    if round_ == 1:
        git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", f"flags, round {round_}")


# ------------------------------------------------------------------------------- processes

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ministack(work: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(os.environ, BIND_HOST="127.0.0.1", GATEWAY_PORT=str(port),
               SERVICES="appconfig,cloudwatch", IOT_MTLS_ENABLED="0", SFTP_ENABLED="0",
               LOG_LEVEL="WARNING")
    log = open(work / "ministack.log", "w")
    child = subprocess.Popen([sys.executable, "-m", "ministack"], env=env, stdout=log,
                             stderr=subprocess.STDOUT, cwd=work)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return child, port
        except OSError:
            if child.poll() is not None or time.monotonic() > deadline:
                child.kill()
                sys.exit(f"ministack did not start on port {port}; see {work}/ministack.log")
            time.sleep(0.2)


def start_proxy(upstream: str, latency_ms: float, profile_ids: bool,
                work: Path, name: str) -> tuple[subprocess.Popen, int]:
    command = [sys.executable, str(Path(__file__).resolve()), "proxy", "--upstream", upstream,
               "--latency-ms", str(latency_ms)]
    if not profile_ids:
        command.append("--no-profile-ids")
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True,
                             stderr=open(work / f"proxy-{name}.stderr", "w"))
    line = child.stdout.readline()
    if not line.startswith("listening "):
        child.kill()
        sys.exit(f"the {name} proxy did not start: {line!r}; see {work}/proxy-{name}.stderr")
    return child, int(line.split()[1])


def proxy_call(port: int, method: str, path: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=b"" if method == "POST" else None)
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            sys.exit(f"proxy {method} {path}: {response.status}")
        return json.loads(data or b"{}")
    finally:
        conn.close()


def flagops_env(endpoint: str, work: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "GITHUB_", "FLAGOPS_"))}
    env.update(
        AWS_ENDPOINT_URL_APPCONFIG=endpoint, AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(work / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(work / "no-aws-credentials"), NO_COLOR="1")
    return env


# ------------------------------------------------------------------------------ measuring

def peak_in_flight(intervals) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals],
                    key=lambda x: (x[0], x[1]))
    peak = current = 0
    for _, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


def measure_once(flagops: str, command: str, repo: Path, port: int, work: Path) -> dict:
    before = proxy_call(port, "GET", "/__proxy/stats")
    proxy_call(port, "POST", "/__bench/reset")
    env = flagops_env(f"http://127.0.0.1:{port}", work)
    started = time.monotonic()
    out = subprocess.run([flagops, command, "-C", str(repo)], env=env, capture_output=True,
                         text=True, timeout=600)
    wall = time.monotonic() - started
    timeline = proxy_call(port, "GET", "/__bench/timeline")
    after = proxy_call(port, "GET", "/__proxy/stats")
    if out.returncode != 0:
        sys.exit(f"flagops {command} exited {out.returncode} (expected 0: live state equals "
                 f"git)\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    counts: dict[str, int] = {}
    for op, *_ in timeline:
        counts[op] = counts.get(op, 0) + 1
    # The same figures from the test proxy's own counters.
    ops_after, ops_before = after["operations"], before["operations"]
    proxy_counts = {op: v["requests"] - ops_before.get(op, {}).get("requests", 0)
                    for op, v in ops_after.items()}
    proxy_counts = {op: n for op, n in proxy_counts.items() if n}
    if proxy_counts != counts:
        sys.exit(f"timeline and proxy counters disagree: {counts} vs {proxy_counts}")
    phases = {}
    for op in counts:
        spans = [(s, e) for o, s, e, _ in timeline if o == op]
        phases[op] = {
            "first_start_ms": (min(s for s, _ in spans) - started) * 1000,
            "last_end_ms": (max(e for _, e in spans) - started) * 1000,
            "peak_in_flight": peak_in_flight(spans),
        }
    starts = [s for _, s, _, _ in timeline]
    ends = [e for _, _, e, _ in timeline]
    busy = sum(e - s for s, e in zip(starts, ends))
    window = (max(ends) - min(starts)) if timeline else 0
    return {
        "wall_s": wall,
        "calls": len(timeline),
        "counts": counts,
        "mean_call_ms": busy / len(timeline) * 1000 if timeline else 0.0,
        "network_window_s": window,
        "before_first_call_s": (min(starts) - started) if timeline else 0,
        "after_last_call_s": (started + wall - max(ends)) if timeline else 0,
        "mean_in_flight": busy / window if window else 0.0,
        "peak_in_flight": peak_in_flight(list(zip(starts, ends))),
        "phases": phases,
    }


def measure(flagops: str, command: str, repo: Path, port: int, work: Path, runs: int,
            targets: int, concurrency: int) -> dict:
    measure_once(flagops, command, repo, port, work)  # warm-up: page cache, fill cache
    samples = [measure_once(flagops, command, repo, port, work) for _ in range(runs)]
    counts = samples[0]["counts"]
    if any(s["counts"] != counts for s in samples):
        print(f"  note: call counts varied between runs of {command}: "
              f"{[s['counts'] for s in samples]}", file=sys.stderr)
    med = lambda key: statistics.median(s[key] for s in samples)  # noqa: E731
    calls = samples[0]["calls"]
    latency_ms = med("mean_call_ms")
    ideal_s = calls * latency_ms / 1000 / concurrency
    wall = med("wall_s")
    return {
        "command": command,
        "calls": calls,
        "calls_per_target": calls / targets,
        "counts": counts,
        "wall_s": wall,
        "wall_min_s": min(s["wall_s"] for s in samples),
        "wall_max_s": max(s["wall_s"] for s in samples),
        "per_call_ms": latency_ms,
        "concurrency": concurrency,
        "ideal_s": ideal_s,
        "ratio": wall / ideal_s if ideal_s else float("inf"),
        "network_window_s": med("network_window_s"),
        "before_first_call_s": med("before_first_call_s"),
        "after_last_call_s": med("after_last_call_s"),
        "mean_in_flight": med("mean_in_flight"),
        "peak_in_flight": max(s["peak_in_flight"] for s in samples),
        "phases": samples[len(samples) // 2]["phases"],
        "runs": runs,
    }


def time_check(flagops: str, repo: Path, work: Path, runs: int) -> float:
    env = flagops_env("http://127.0.0.1:9", work)  # never contacted: check is offline
    times = []
    for _ in range(runs + 1):
        started = time.monotonic()
        out = subprocess.run([flagops, "check", "-C", str(repo)], env=env,
                             capture_output=True, text=True, timeout=600)
        times.append(time.monotonic() - started)
        if out.returncode != 0:
            sys.exit(f"flagops check failed on the generated repository:\n{out.stdout}"
                     f"{out.stderr}")
    return statistics.median(times[1:])


def apply(flagops: str, repo: Path, port: int, work: Path) -> float:
    env = flagops_env(f"http://127.0.0.1:{port}", work)
    started = time.monotonic()
    out = subprocess.run([flagops, "apply", "-C", str(repo), "--poll-seconds", "1",
                          "--concurrency", str(min(len(APPLICATIONS) * len(ENVIRONMENTS), 64))],
                         env=env, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        sys.exit(f"flagops apply exited {out.returncode}\n{out.stdout[-3000:]}\n"
                 f"{out.stderr[-3000:]}")
    return time.monotonic() - started


def live_shape(upstream_port: int) -> dict:
    """Deployments per environment and their states, read from ministack directly."""
    import boto3  # only here: the proxy and the rest need the standard library alone

    client = boto3.client(
        "appconfig", endpoint_url=f"http://127.0.0.1:{upstream_port}", region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test")
    per_env, states = [], {}
    for app in client.list_applications(MaxResults=50)["Items"]:
        for env in client.list_environments(ApplicationId=app["Id"], MaxResults=50)["Items"]:
            items = client.list_deployments(ApplicationId=app["Id"], EnvironmentId=env["Id"],
                                            MaxResults=50)["Items"]
            per_env.append(len(items))
            for d in items:
                states[d["State"]] = states.get(d["State"], 0) + 1
    return {"environments": len(per_env), "deployments_per_environment": sorted(set(per_env)),
            "states": states}


# -------------------------------------------------------------------------------- report

def minimum(command: str, mode: str) -> int:
    """The fewest requests for this live state (no rejected deployments, no drift)."""
    apps, envs = len(APPLICATIONS), len(APPLICATIONS) * len(ENVIRONMENTS)
    targets = envs * len(PROFILES)
    calls = 1 + 2 * apps + envs + targets
    # The setup diff compares the declared custom strategy with AppConfig's parameters.
    calls += 1
    if command == "drift":
        calls += apps * len(PROFILES)
        # Who made each live deployment (its description): provenance, out-of-band.
        calls += targets
    if mode == "ministack":
        # Profile summaries that do not list validator types: each profile is read for the
        # setup diff. (Deployment summaries name the profile, so no GetDeployment finds it.)
        calls += apps * len(PROFILES)
    return calls


def issue_minimum(command: str, mode: str) -> int:
    """The minimum as first counted, before plan and drift diffed the setup and before
    drift's provenance was counted: 1.41 (plan) and 1.91 (drift) per target, AWS-shaped."""
    apps, envs = len(APPLICATIONS), len(APPLICATIONS) * len(ENVIRONMENTS)
    targets = envs * len(PROFILES)
    calls = 1 + 2 * apps + envs + targets
    if command == "drift":
        calls += apps * len(PROFILES)
    if mode == "ministack":
        calls += targets
    return calls


def report(scenario: dict, targets: int) -> str:
    rows = scenario["results"]
    out = [f"\n== after {scenario['rounds']} apply round(s): {targets} targets, "
           f"{scenario['live']['environments']} environments, "
           f"{scenario['live']['deployments_per_environment']} deployments per environment "
           f"({scenario['live']['states']})"]
    out.append(f"(1-minute load average at the end: {scenario['load_average']})")
    out.append(f"{'mode':11} {'command':7} {'calls':>5} {'/target':>7} {'min/t':>6} "
               f"{'issue/t':>7} {'wall ms':>8} {'(min-max)':>12} {'call ms':>7} {'ideal ms':>8} "
               f"{'ratio':>6} {'net ms':>7} {'pre ms':>6} {'post ms':>7} {'in-flight':>9}")
    for r in rows:
        out.append(
            f"{r['mode']:11} {r['command']:7} {r['calls']:5d} {r['calls_per_target']:7.2f} "
            f"{minimum(r['command'], r['mode']) / targets:6.2f} "
            f"{issue_minimum(r['command'], r['mode']) / targets:7.2f} {r['wall_s'] * 1000:8.0f} "
            f"{r['wall_min_s'] * 1000:5.0f}-{r['wall_max_s'] * 1000:<6.0f} "
            f"{r['per_call_ms']:7.1f} {r['ideal_s'] * 1000:8.0f} {r['ratio']:6.1f} "
            f"{r['network_window_s'] * 1000:7.0f} {r['before_first_call_s'] * 1000:6.0f} "
            f"{r['after_last_call_s'] * 1000:7.0f} "
            f"{r['mean_in_flight']:4.1f}/{r['peak_in_flight']:<4d}")
    out.append(
        "(calls: control-plane requests; /target: per target; min/t: the fewest possible per "
        "target; issue/t: the\n fewest as first counted, without the setup diff's strategies "
        "and drift's live deployments; wall: median;\n call ms: mean time of a request at the "
        f"proxy; ideal = calls x call ms / {scenario['concurrency']} (the requests flagops "
        "keeps in flight at most);\n ratio = wall / ideal; net: first request start to last "
        "request end; pre/post: before the first and after the last request;\n in-flight: "
        "mean/peak requests in flight during net)")
    out.append("\ncalls per target by operation (total in parentheses)")
    header = "".join(f" {r['mode'] + ' ' + r['command']:>17}" for r in rows)
    out.append(f"{'operation':34}{header}")
    ops = [op for op in OPERATION_ORDER if any(op in r["counts"] for r in rows)]
    ops += sorted({op for r in rows for op in r["counts"]} - set(ops))
    for op in ops:
        cells = "".join(
            f" {r['counts'].get(op, 0) / targets:9.2f} ({r['counts'].get(op, 0):4d})"
            for r in rows)
        out.append(f"{op:34}{cells}")
    out.append("\ntargets (calls per target at most min/t and issue/t; wall at most 1.3 x ideal)")
    for r in rows:
        calls_ok = r["calls"] <= minimum(r["command"], r["mode"])
        issue_ok = r["calls"] <= issue_minimum(r["command"], r["mode"])
        out.append(f"  {r['mode']:11} {r['command']:6} calls {'met' if calls_ok else 'MISSED'}"
                   f" (issue's count: {'met' if issue_ok else 'missed'}), wall "
                   f"{'met' if r['ratio'] <= 1.3 else 'MISSED'} ({r['ratio']:.2f} x ideal)")
    for r in rows:
        out.append(f"\nwhen each operation ran, {r['mode']} {r['command']} (ms after the "
                   "process started; peak = most requests of it in flight at once)")
        for op in sorted(r["phases"], key=lambda o: r["phases"][o]["first_start_ms"]):
            p = r["phases"][op]
            out.append(f"  {op:34} {r['counts'][op]:4d} calls  {p['first_start_ms']:7.0f} - "
                       f"{p['last_end_ms']:7.0f}  peak {p['peak_in_flight']}")
    return "\n".join(out)


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def run_main(argv):
    parser = argparse.ArgumentParser(prog="plan_drift.py run")
    parser.add_argument("--flagops", required=True, help="the flagops binary")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (median)")
    parser.add_argument("--latency-ms", type=float, default=40.0,
                        help="per-request latency of the aws-shaped mode")
    parser.add_argument("--rounds", default="1,3",
                        help="measure after these numbers of apply rounds (ascending)")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--applications", type=int, default=10,
                        help="applications (at most 50: ministack lists no more)")
    parser.add_argument("--profiles", type=int, default=5,
                        help="feature-flags profiles per application (10 with 50 applications: "
                             "1,000 targets)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    if not (1 <= args.applications <= 50 and 1 <= args.profiles <= 25):
        sys.exit("--applications: 1 to 50 (ministack lists no more); --profiles: 1 to 25")
    global APPLICATIONS, PROFILES
    PROFILES = tuple(NAMED_PROFILES[:args.profiles]) + tuple(
        f"profile-{i:02d}" for i in range(len(NAMED_PROFILES) + 1, args.profiles + 1))
    APPLICATIONS = tuple(NAMED_APPLICATIONS[:args.applications]) + tuple(
        f"app-{i:03d}" for i in range(len(NAMED_APPLICATIONS) + 1, args.applications + 1))
    rounds = sorted({int(r) for r in args.rounds.split(",") if r.strip()})
    if not rounds or rounds[0] < 1 or rounds[-1] > 10 or not 1 <= args.runs <= 50:
        sys.exit("--rounds: numbers from 1 to 10; --runs: 1 to 50")

    targets = len(APPLICATIONS) * len(ENVIRONMENTS) * len(PROFILES)
    concurrency = min(MAX_IN_FLIGHT, len(APPLICATIONS) * len(ENVIRONMENTS))
    work = Path(tempfile.mkdtemp(prefix="flagops-plan-drift."))
    repo = work / "repo"
    repo.mkdir()
    children = []
    try:
        stack, stack_port = start_ministack(work)
        children.append(stack)
        upstream = f"http://127.0.0.1:{stack_port}"
        setup, setup_port = start_proxy(upstream, 0, True, work, "setup")
        aws, aws_port = start_proxy(upstream, args.latency_ms, True, work, "aws-shaped")
        mini, mini_port = start_proxy(upstream, 0, False, work, "ministack")
        children += [setup, aws, mini]
        modes = [("aws-shaped", aws_port), ("ministack", mini_port)]

        results = {"targets": targets, "concurrency": concurrency,
                   "latency_ms": args.latency_ms, "runs": args.runs, "scenarios": []}
        write_repo(repo, 1)
        print(f"1-minute load average: {load_average()}", file=sys.stderr)
        results["check_s"] = time_check(args.flagops, repo, work, args.runs)
        print(f"flagops check on the repository (offline): "
              f"{results['check_s'] * 1000:.0f} ms median", file=sys.stderr)
        done = 0
        for wanted in rounds:
            while done < wanted:
                if done:
                    write_repo(repo, done + 1)
                seconds = apply(args.flagops, repo, setup_port, work)
                done += 1
                print(f"apply round {done}: {seconds:.1f} s (not timed)", file=sys.stderr)
            scenario = {"rounds": done, "live": live_shape(stack_port), "results": [],
                        "concurrency": concurrency}
            for mode, port in modes:
                for command in ("plan", "drift"):
                    print(f"measuring {mode} {command} ({args.runs} runs)", file=sys.stderr)
                    r = measure(args.flagops, command, repo, port, work, args.runs, targets,
                                concurrency)
                    r["mode"] = mode
                    r["minimum_calls"] = minimum(command, mode)
                    scenario["results"].append(r)
            scenario["load_average"] = load_average()
            results["scenarios"].append(scenario)
            print(report(scenario, targets), flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    finally:
        for child in reversed(children):
            child.kill()
            child.wait(timeout=30)
        if args.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "proxy"):
        sys.exit(__doc__.split("\n\n")[1])
    (run_main if sys.argv[1] == "run" else proxy_main)(sys.argv[2:])


if __name__ == "__main__":
    main()
