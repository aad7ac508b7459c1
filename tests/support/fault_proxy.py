#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for the end-to-end tests, between flagops and an AppConfig
emulator (ministack). Standard library only.

What it does to each request, in order:

1. Faults before forwarding (the request never reaches the emulator), for a seeded fraction of
   requests: throttling (400 ThrottlingException or 429 TooManyRequestsException, both
   retried by the AWS SDKs), a 500/503, or a connection closed without an answer. Forced
   only: `hang` holds the request unanswered until the client goes away, and `barrier` holds
   it until a second request of the operation arrives, to race two clients exactly there.
2. What AWS enforces and the emulator does not:
   - CreateHostedConfigurationVersion: `Latest-Version-Number` must match the profile's
     latest version (409 ConflictException), and a `VersionLabel` is unique per profile
     (400 BadRequestException);
   - application names, and environment and profile names within an application, are unique
     (400 BadRequestException "... already exists ...");
   - ListDeployments summaries carry `ConfigurationProfileId` (filled with GetDeployment).
   Checks and the write they guard run under one lock, so concurrent clients see them atomic.
3. Faults after forwarding (the emulator applied the request, the client never learns it): the
   connection is closed without an answer, or a 500 replaces the answer. This is what makes a
   client that is not idempotent create things twice.

With --latency-ms N every API request waits N milliseconds before it is handled (faulted ones
too), like a round trip to a distant endpoint; 0, the default, adds nothing. With --tls-cert
and --tls-key it serves HTTPS, a TLS front for the emulator.

Every request and decision is logged to --log; per-operation counts go to --stats (JSON,
rewritten after every request). `GET /__proxy/stats` returns them; `POST /__proxy/config` with
a JSON body such as {"rate": 0} or {"latency_ms": 50} changes the fault rate or the latency
while running. The stats' peak_in_flight is the most API requests held at once.

    fault_proxy.py --upstream http://127.0.0.1:4566 --seed 7 --rate 0.35 \
        --force StartDeployment=reset-after --log proxy.log --stats proxy.json

It prints `listening <port>` once ready.
"""

import argparse
import http.client
import http.server
import json
import os
import random
import re
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

APP = r"/applications/(?P<app>[^/]+)"
ENV = APP + r"/environments/(?P<env>[^/]+)"
PROFILE = APP + r"/configurationprofiles/(?P<profile>[^/]+)"

# (method, path pattern, operation)
OPERATIONS = [
    ("POST", r"/applications", "CreateApplication"),
    ("GET", r"/applications", "ListApplications"),
    ("GET", APP, "GetApplication"),
    ("POST", APP + r"/environments", "CreateEnvironment"),
    ("GET", APP + r"/environments", "ListEnvironments"),
    ("GET", ENV, "GetEnvironment"),
    ("POST", APP + r"/configurationprofiles", "CreateConfigurationProfile"),
    ("GET", APP + r"/configurationprofiles", "ListConfigurationProfiles"),
    ("GET", PROFILE, "GetConfigurationProfile"),
    ("POST", PROFILE + r"/hostedconfigurationversions", "CreateHostedConfigurationVersion"),
    ("GET", PROFILE + r"/hostedconfigurationversions", "ListHostedConfigurationVersions"),
    ("GET", PROFILE + r"/hostedconfigurationversions/(?P<version>\d+)",
     "GetHostedConfigurationVersion"),
    ("POST", r"/deploymentstrategies", "CreateDeploymentStrategy"),
    ("GET", r"/deploymentstrategies", "ListDeploymentStrategies"),
    ("POST", ENV + r"/deployments", "StartDeployment"),
    ("GET", ENV + r"/deployments", "ListDeployments"),
    ("GET", ENV + r"/deployments/(?P<number>\d+)", "GetDeployment"),
    ("DELETE", ENV + r"/deployments/(?P<number>\d+)", "StopDeployment"),
]

BEFORE = ("throttle", "throttle-429", "error-500", "error-503", "reset-before")
AFTER = ("reset-after", "error-500-after")
# Only when forced: the request is held, never forwarded nor answered, until the client goes
# away. A test kills the client meanwhile, at that exact point of its run.
# `barrier` holds a request until a second one of the same operation arrives (at most 10 s),
# then forwards both: two clients racing exactly there, each decided on the same state.
HELD = ("hang", "barrier")
KINDS = BEFORE + AFTER + HELD
HANG_LIMIT_SECONDS = 120
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
    "upgrade", "content-length", "host",
}


def operation(method, path):
    for m, pattern, name in OPERATIONS:
        match = re.fullmatch(pattern, path)
        if m == method and match:
            return name, match.groupdict()
    return f"{method} {path}", {}


class State:
    def __init__(self, args):
        self.upstream = urllib.parse.urlsplit(args.upstream)
        self.rate = args.rate
        self.latency = max(0.0, args.latency_ms) / 1000.0
        self.rng = random.Random(args.seed)
        self.forced = {}
        for rule in args.force:
            op, _, kind = rule.partition("=")
            if kind not in KINDS:
                sys.exit(f"unknown fault kind {kind!r} in --force {rule!r}; one of {KINDS}")
            self.forced.setdefault(op, []).append(kind)
        self.lock = threading.Lock()  # counters, RNG, log and stats file
        self.barriers = {}
        self.write_lock = threading.Lock()  # enforcement checks and the write they guard
        self.log = open(args.log, "a", buffering=1) if args.log else None
        self.stats_path = args.stats
        # peak_in_flight: the most API requests the proxy held at once.
        self.stats = {"requests": 0, "faults": 0, "operations": {}, "peak_in_flight": 0}
        self.in_flight = 0
        self.started = time.monotonic()

    def barrier(self, op):
        with self.lock:
            return self.barriers.setdefault(op, threading.Barrier(2))

    def choose_fault(self, op, method):
        """The fault for this request, or None: a forced one first, then the seeded draw."""
        with self.lock:
            queue = self.forced.get(op)
            if queue:
                return queue.pop(0)
            if self.rng.random() >= self.rate:
                return None
            # Writes get the after-forwarding faults half the time: those are the ones that
            # test idempotency. Reads get only the faults that apply to them.
            if method != "GET" and self.rng.random() < 0.5:
                return self.rng.choice(AFTER)
            return self.rng.choice(BEFORE + ("reset-after",))

    def record(self, op, outcome, status, path):
        with self.lock:
            self.stats["requests"] += 1
            counts = self.stats["operations"].setdefault(op, {})
            counts["requests"] = counts.get("requests", 0) + 1
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome in KINDS:
                self.stats["faults"] += 1
                faults = self.stats.setdefault("by_fault", {})
                faults[outcome] = faults.get(outcome, 0) + 1
            if self.log:
                self.log.write(
                    f"{time.monotonic() - self.started:9.3f} {op:34} {outcome:30} "
                    f"{status if status is not None else '-':>4} {path}\n"
                )
            if self.stats_path:
                tmp = self.stats_path + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(self.stats, f, indent=1, sort_keys=True)
                os.replace(tmp, self.stats_path)

    def upstream_call(self, method, path, headers=None, body=None):
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def upstream_json(self, path, authorization):
        """A read of the proxy's own. The emulator routes by the SigV4 credential scope, so
        it carries the client's Authorization header (signatures are not checked)."""
        headers = {"Authorization": authorization} if authorization else {}
        status, _, body = self.upstream_call("GET", path, headers)
        if status != 200:
            return None
        return json.loads(body or b"{}")


def error_body(code, message):
    return json.dumps({"__type": code, "message": message, "Message": message}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-proxy"
    state: State = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def do_PATCH(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status, headers, body):
        self.answered()
        try:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            # The client went away (a test killed it): nothing to answer.
            self.close_connection = True

    def send_error_json(self, status, code, message):
        self.send(status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)],
                  error_body(code, message))

    def reset(self):
        """Closes the connection without an answer (RST, not a clean FIN)."""
        self.answered()
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def hold(self):
        """Keeps the connection open without answering until the client closes it."""
        deadline = time.monotonic() + HANG_LIMIT_SECONDS
        self.connection.settimeout(1.0)
        while time.monotonic() < deadline:
            try:
                if not self.connection.recv(1, socket.MSG_PEEK):
                    break  # the client closed it
            except socket.timeout:
                continue
            except OSError:
                break
            time.sleep(0.1)
        self.close_connection = True

    def fault_before(self, kind):
        """Answers with the fault; returns the status sent (None: no answer)."""
        answers = {
            "throttle": (400, "ThrottlingException", "Rate exceeded"),
            "throttle-429": (429, "TooManyRequestsException", "Too Many Requests"),
            "error-500": (500, "InternalServerException", "Internal failure"),
            "error-503": (503, "ServiceUnavailableException", "Service unavailable"),
        }
        if kind in answers:
            self.send_error_json(*answers[kind])
            return answers[kind][0]
        self.reset()
        return None

    def handle_any(self):
        state = self.state
        body = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/__proxy/"):
            return self.control(url.path, body)
        op, ids = operation(self.command, url.path)
        with state.lock:
            state.in_flight += 1
            state.stats["peak_in_flight"] = max(state.stats["peak_in_flight"], state.in_flight)
        self.in_flight = True
        try:
            return self.handle_api(state, body, op, ids)
        finally:
            self.answered()

    def answered(self):
        """The request is no longer in flight: its answer (or a reset) is on its way, and the
        client may send its next one. What the proxy does afterwards (its log) is not counted."""
        if getattr(self, "in_flight", False):
            self.in_flight = False
            with self.state.lock:
                self.state.in_flight -= 1

    def handle_api(self, state, body, op, ids):
        if state.latency:
            time.sleep(state.latency)
        fault = state.choose_fault(op, self.command)
        if fault == "hang":
            state.record(op, fault, None, self.path)
            return self.hold()
        if fault == "barrier":
            try:
                state.barrier(op).wait(timeout=10)
            except threading.BrokenBarrierError:
                pass  # no second request came: go on alone
            fault = None
        if fault in BEFORE:
            status = self.fault_before(fault)
            return state.record(op, fault, status, self.path)

        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if self.command == "GET":
            status, resp_headers, resp_body = state.upstream_call(
                self.command, self.path, headers, body)
            if op == "ListDeployments" and status == 200:
                resp_body = self.with_profile_ids(ids, resp_body)
            if op == "ListConfigurationProfiles" and status == 200:
                resp_body = self.with_validator_types(resp_body)
        else:
            with state.write_lock:
                refused = self.enforce(op, ids, body)
                if refused:
                    status, code, message = refused
                    self.send_error_json(status, code, message)
                    return state.record(op, "refused:" + code, status, self.path)
                status, resp_headers, resp_body = state.upstream_call(
                    self.command, self.path, headers, body)

        if fault == "reset-after":
            self.reset()
            return state.record(op, fault, None, self.path)
        if fault == "error-500-after":
            self.send_error_json(500, "InternalServerException", "Internal failure")
            return state.record(op, fault, 500, self.path)
        self.send(status, resp_headers, resp_body)
        state.record(op, "forwarded", status, self.path)

    def enforce(self, op, ids, body):
        """(status, code, message) when AWS would refuse this write, else None."""
        state = self.state
        if op == "CreateHostedConfigurationVersion":
            listing = state.upstream_json(
                f"/applications/{ids['app']}/configurationprofiles/{ids['profile']}"
                "/hostedconfigurationversions?max_results=50", self.auth())
            if listing is None:
                return None  # let the emulator answer (404...)
            items = listing.get("Items", [])
            latest = max((v["VersionNumber"] for v in items), default=0)
            expected = self.headers.get("Latest-Version-Number")
            if expected is not None and int(expected) != latest:
                return (409, "ConflictException",
                        f"Expected latest version {expected} does not match actual latest "
                        f"version {latest}.")
            label = self.headers.get("VersionLabel")
            taken = [v for v in items if label and v.get("VersionLabel") == label]
            if taken:
                return (400, "BadRequestException",
                        f"The version label '{label}' has already been assigned to hosted "
                        f"configuration version {taken[0]['VersionNumber']}. Please provide a "
                        "different version label.")
            return None
        named = {
            "CreateApplication": ("/applications?max_results=50", "Application"),
            "CreateEnvironment": (f"/applications/{ids.get('app')}/environments?max_results=50",
                                  "Environment"),
            "CreateConfigurationProfile": (
                f"/applications/{ids.get('app')}/configurationprofiles?max_results=50",
                "Configuration profile"),
        }
        if op in named:
            path, what = named[op]
            name = json.loads(body or b"{}").get("Name")
            listing = state.upstream_json(path, self.auth())
            for item in (listing or {}).get("Items", []):
                if name and item.get("Name") == name:
                    return (400, "BadRequestException",
                            f"{what} with name {name} already exists with id {item.get('Id')}")
        return None

    def auth(self):
        return self.headers.get("Authorization")

    def with_profile_ids(self, ids, body):
        data = json.loads(body or b"{}")
        for item in data.get("Items", []):
            if not item.get("ConfigurationProfileId"):
                full = self.state.upstream_json(
                    f"/applications/{ids['app']}/environments/{ids['env']}"
                    f"/deployments/{item['DeploymentNumber']}", self.auth())
                if full and full.get("ConfigurationProfileId"):
                    item["ConfigurationProfileId"] = full["ConfigurationProfileId"]
        return json.dumps(data).encode()

    def with_validator_types(self, body):
        """AWS's profile summaries name their validators' types (ValidatorTypes); ministack
        sends whole profiles instead. Filled from those, with no extra request."""
        data = json.loads(body or b"{}")
        for item in data.get("Items", []):
            if "ValidatorTypes" not in item and isinstance(item.get("Validators"), list):
                item["ValidatorTypes"] = [v.get("Type") for v in item["Validators"]]
        return json.dumps(data).encode()

    def control(self, path, body):
        state = self.state
        if path == "/__proxy/config" and self.command == "POST":
            config = json.loads(body or b"{}")
            with state.lock:
                if "rate" in config:
                    state.rate = float(config["rate"])
                if "latency_ms" in config:
                    state.latency = max(0.0, float(config["latency_ms"])) / 1000.0
            return self.send(200, [("Content-Type", "application/json")], b"{}")
        if path == "/__proxy/stats":
            with state.lock:
                data = json.dumps(state.stats).encode()
            return self.send(200, [("Content-Type", "application/json")], data)
        self.send(404, [], b"")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="http://host:port of the emulator")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.0, help="fraction of requests faulted")
    parser.add_argument("--force", action="append", default=[],
                        help="OPERATION=KIND: fault the next request of OPERATION (repeatable)")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="milliseconds every API request waits before it is handled")
    parser.add_argument("--log")
    parser.add_argument("--stats")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="and this private key (PEM)")
    args = parser.parse_args()

    Handler.state = State(args)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
