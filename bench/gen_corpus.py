#!/usr/bin/env python3
"""Generates a flags repository for benchmarking `flagops check`.

The repository has a `flagops.yaml` shaped like the project's own example (applications with
the environments dev, staging and production, feature-flags profiles, custom strategies, naming
and expiry rules) and N flag files under `flags/<application>/<profile>/`, each with 20 flags
that give values for all three environments: attributes with constraints, defaults with
per-environment overrides, allow lists, active periods, variants (the last without a rule),
evaluation by the AppConfig Agent, owners, classes and expiry dates far in the future.

Every file is valid for flagops (`flagops check` exits 0) and for the flag file JSON Schema.
Dates and timestamps are quoted: YAML 1.1 parsers (js-yaml 3 in ajv-cli, for one) would
otherwise turn them into date objects, which a JSON Schema `type: string` rejects.

Each profile holds FILES_PER_PROFILE files (300 flags, a compiled document of about
0.3 MB, well under AppConfig's 1 MB), and a flag key is never used twice in the corpus.

With --git-history the corpus becomes a git repository of about 200 commits in which the files
arrive in batches and some flags (and whole files) are added and deleted again; the last
commit holds exactly the files generated without the option.

Standard library only. The output is deterministic for a given seed and size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ENVIRONMENTS = ("dev", "staging", "production")
FLAGS_PER_FILE = 20
FILES_PER_PROFILE = 15
PROFILES = ("release-flags", "experiments", "permissions", "ops-switches")
MARKER = ".flagops-bench-corpus"
KEY_PATTERN = re.compile(r"^[a-z][a-zA-Z0-9_-]{0,63}$")
HISTORY_COMMITS = 200

DOMAINS = (
    "storefront", "billing", "search", "catalog", "accounts", "shipping", "analytics",
    "messaging", "support", "inventory", "payments", "onboarding", "reporting", "identity",
)
TEAMS = (
    "team-payments", "team-billing", "team-search", "team-data", "team-growth", "team-platform",
    "team-mobile", "team-web", "team-identity", "team-logistics", "sre-oncall", "team-support",
)
AREAS = (
    "checkout", "cart", "invoice", "search", "ranking", "catalog", "pricing", "shipping",
    "profile", "login", "signup", "export", "import", "dashboard", "report", "notification",
    "email", "webhook", "audit", "billing", "refund", "coupon", "review", "recommendation",
    "inventory", "warehouse", "tracking", "support", "chat", "onboarding",
)
CHANGES = (
    "redesign", "v2", "v3", "fast_path", "batching", "new_layout", "streaming", "caching",
    "bulk_mode", "dark_mode", "inline_edit", "preview", "async", "pagination", "autosave",
    "smart_defaults", "multi_currency", "split_view", "retry", "prefetch",
)
PURPOSES = (
    "Rolls out the new {change} of {area} workspace by workspace",
    "Serves {area} through the {change} code path",
    "Compares the {change} of {area} with the current behaviour",
    "Lets selected workspaces use {area} {change} ahead of general availability",
    "Guards the {change} migration of {area} so it can be switched off without a deploy",
    "Tunes {area} limits while the {change} work is measured in production",
)
DETAILS = (
    "", " Owned by the team named below; remove the flag once the rollout is complete.",
    " The backend reads the attributes on every request.",
    " Mobile clients pick it up on their next configuration refresh.",
    " See the rollout plan in the team's runbook.",
)
WORKSPACES = tuple(
    f"ws_{a}_{b}"
    for a in ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka",
              "tyrell", "cyberdyne", "soylent", "aperture", "vandelay", "monarch")
    for b in ("corp", "labs", "eu", "us", "test")
)
RULES = (
    '(ends_with $email "@storefront.example")',
    '(split pct::{pct} by::$workspace seed::"{seed}")',
    '(in $tier ["gold","platinum"])',
    '(and (eq $plan "enterprise") (gte $seats {seats}))',
    '(or (eq $region "eu-west-1") (eq $region "eu-central-1"))',
    '(begins_with $workspace "ws_test")',
    '(matches in::$email pattern::".*@example\\\\.com")',
)


# --------------------------------------------------------------------------------------------
# A small YAML emitter: plain scalars where they are unambiguous, JSON strings otherwise.

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9 _./-]*[A-Za-z0-9_./-]$|^[A-Za-z_]$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Quoted):
        return json.dumps(str(value))
    if _PLAIN.match(value) and value.lower() not in _RESERVED:
        return value
    return json.dumps(value)


class Quoted(str):
    """A string always written quoted (dates and timestamps)."""


def flow(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def block(value, indent: int, out: list[str]) -> None:
    """Writes a mapping in block style; values marked Flow are written inline."""
    pad = " " * indent
    for k, v in value.items():
        if isinstance(v, Flow):
            out.append(f"{pad}{k}: {flow(v.value)}")
        elif isinstance(v, dict):
            out.append(f"{pad}{k}:")
            block(v, indent + 2, out)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            out.append(f"{pad}{k}:")
            for item in v:
                first = True
                lines: list[str] = []
                block(item, indent + 4, lines)
                for line in lines:
                    if first:
                        out.append(f"{pad}  - {line[indent + 4:]}")
                        first = False
                    else:
                        out.append(line)
        elif isinstance(v, list):
            out.append(f"{pad}{k}: {flow(v)}")
        else:
            out.append(f"{pad}{k}: {scalar(v)}")


class Flow:
    """Marks a mapping or list to be written in flow style (`{ a: 1 }`)."""

    def __init__(self, value):
        self.value = value


# --------------------------------------------------------------------------------------------
# Flags.


class KeyMaker:
    """Unique flag keys for the whole corpus (so never twice in one profile)."""

    def __init__(self) -> None:
        self.counter = 0

    def make(self, rng: random.Random, dated: bool, prefix: str = "") -> str:
        self.counter += 1
        key = f"{prefix}{rng.choice(AREAS)}_{rng.choice(CHANGES)}_{self.counter:06d}"
        if dated:
            day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(730))
            key += "_" + day.strftime("%Y%m%d")
        assert KEY_PATTERN.match(key), key
        return key


def display_name(key: str) -> str:
    """`checkout_new_layout_000123_20260301` -> `Checkout new layout 123`."""
    parts = re.match(r"^([a-z]+)_(.+?)_([0-9]{6})(_[0-9]{8})?$", key)
    assert parts, key
    words = f"{parts.group(1)} {parts.group(2).replace('_', ' ')} {int(parts.group(3))}"
    return words.capitalize()[:64]


def sentence(rng: random.Random, key: str = "") -> str:
    area, change = rng.choice(AREAS), rng.choice(CHANGES)
    parts = re.match(r"^([a-z]+)_(.+?)_[0-9]{6}(_[0-9]{8})?$", key)
    if parts:
        area, change = parts.group(1), parts.group(2)
    text = rng.choice(PURPOSES).format(area=area, change=change.replace("_", " "))
    return text + "." + rng.choice(DETAILS)


def expiry(rng: random.Random) -> Quoted:
    day = dt.date(2031, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
    return Quoted(day.isoformat())


def period(rng: random.Random) -> Flow:
    start = dt.datetime(2030, 1, 1, 8, 0) + dt.timedelta(days=rng.randrange(365))
    end = start + dt.timedelta(days=rng.randint(14, 400), hours=rng.randint(0, 10))
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return Flow({"from": Quoted(start.strftime(fmt)), "until": Quoted(end.strftime(fmt))})


def allow_list(rng: random.Random, lo: int = 2, hi: int = 8) -> list[str]:
    return rng.sample(WORKSPACES, rng.randint(lo, hi))


def variants(rng: random.Random, key: str, values) -> list[dict]:
    out = []
    for i, template in enumerate(rng.sample(RULES, rng.randint(1, 3))):
        rule = template.format(pct=rng.choice((5, 10, 25, 50)), seed=key[:20],
                               seats=rng.choice((10, 50, 200)))
        out.append({"name": f"cohort-{i + 1}", "rule": rule, "enabled": True,
                    "values": Flow(values(rng))})
    # The last variant is the default: no rule.
    out.append({"name": "control", "enabled": rng.random() < 0.3, "values": Flow(values(rng))})
    return out


def release_flag(rng: random.Random, keys: KeyMaker) -> tuple[str, dict]:
    key = keys.make(rng, dated=True)
    agent = rng.random() < 0.2
    lo = rng.choice((1, 5, 10))
    hi = lo + rng.choice((90, 490, 990))
    flag: dict = {
        "name": display_name(key),
        "description": sentence(rng, key),
        "owner": rng.choice(TEAMS),
        "class": "release",
        "expires": expiry(rng),
    }
    if agent:
        flag["evaluate"] = "agent"
        flag["context_key"] = "workspace_id"
    flag["attributes"] = {
        "max_items": {"type": "number", "description": "Largest batch the new path accepts",
                      "minimum": lo, "maximum": hi, "required": True},
        "layout": Flow({"type": "string", "enum": ["compact", "comfortable", "wide"]}),
        "channels": {"type": "array", "elements": Flow(
            {"type": "string", "enum": ["web", "ios", "android", "api"]})},
    }
    flag["defaults"] = {"enabled": False, "values": Flow(
        {"max_items": rng.randint(lo, hi), "layout": "compact", "channels": ["web"]})}
    flag["environments"] = {
        "dev": {"enabled": True, "values": Flow(
            {"max_items": hi, "layout": rng.choice(("comfortable", "wide"))})},
        "staging": {"enabled": True, "values": Flow({"channels": ["web", "ios", "android"]}),
                    "allow": allow_list(rng)},
        "production": {"enabled": rng.random() < 0.7, "allow": allow_list(rng),
                       "active": period(rng)},
    }
    return key, flag


def experiment_flag(rng: random.Random, keys: KeyMaker) -> tuple[str, dict]:
    key = keys.make(rng, dated=True)
    rankers = ["keyword", "semantic", "hybrid"]

    def values(r: random.Random) -> dict:
        return {"ranker": r.choice(rankers), "result_limit": r.randrange(10, 101, 5)}

    flag: dict = {
        "name": display_name(key),
        "description": sentence(rng, key),
        "owner": rng.choice(TEAMS),
        "class": "experiment",
        "expires": expiry(rng),
        "attributes": {
            "ranker": {"type": "string", "description": "Which implementation serves",
                       "enum": rankers},
            "result_limit": Flow({"type": "number", "minimum": 10, "maximum": 100}),
        },
        "environments": {
            "dev": Flow({"enabled": True, "values": values(rng)}),
            "staging": {"enabled": True, "values": Flow(values(rng))},
            "production": {"variants": variants(rng, key, values)},
        },
    }
    if rng.random() < 0.3:
        flag["environments"]["staging"] = {"variants": variants(rng, key, values)}
    return key, flag


def permission_flag(rng: random.Random, keys: KeyMaker) -> tuple[str, dict]:
    key = keys.make(rng, dated=False)
    flag: dict = {
        "name": display_name(key),
        "description": sentence(rng, key),
        "owner": rng.choice(TEAMS),
        "class": "permission",
    }
    if rng.random() < 0.15:
        flag["deprecated"] = expiry(rng)
    flag["attributes"] = {
        "max_rows": {"type": "number", "minimum": 1000, "maximum": 1000000},
        "export_format": {"type": "string", "description": "File format of exports",
                          "pattern": "^(csv|xlsx|json)$"},
        "regions": {"type": "array", "description": "Where the data may be exported to",
                    "elements": Flow({"type": "string", "pattern": "^[a-z]{2}-[a-z]+-[0-9]$"})},
    }
    flag["defaults"] = {"enabled": True, "values": {
        "max_rows": rng.randrange(1000, 100001, 1000), "export_format": "csv",
        "regions": ["eu-west-1"]}}
    flag["environments"] = {
        "dev": Flow({"enabled": True, "values": {"max_rows": 1000000}}),
        "staging": Flow({"enabled": True, "allow": allow_list(rng, 1, 4)}),
        "production": {"enabled": True, "allow": allow_list(rng, 3, 12), "values": Flow(
            {"export_format": rng.choice(("csv", "xlsx", "json")),
             "regions": ["eu-west-1", "us-east-1"]})},
    }
    return key, flag


def ops_flag(rng: random.Random, keys: KeyMaker) -> tuple[str, dict]:
    key = keys.make(rng, dated=False)
    flag: dict = {
        "name": display_name(key),
        "description": sentence(rng, key),
        "owner": rng.choice(("sre-oncall", "team-platform")),
        "class": "ops",
        "attributes": {
            "message": {"type": "string", "description": "Shown to users while it is on"},
            "rate_limit": Flow({"type": "number", "minimum": 0, "maximum": 10000}),
            "bypass": {"type": "array", "elements": Flow(
                {"type": "string", "pattern": "^ws_[a-z0-9_]+$"})},
            "read_only": Flow({"type": "boolean"}),
        },
        "defaults": {"enabled": False, "values": {
            "message": "We are doing maintenance and will be back shortly.", "rate_limit": rng.randrange(100, 5001, 100),
            "bypass": allow_list(rng, 1, 3), "read_only": False}},
        "environments": {
            "dev": Flow({"enabled": rng.random() < 0.5}),
            "staging": Flow({"enabled": rng.random() < 0.3, "values": {"read_only": True}}),
            "production": {"enabled": False, "values": Flow(
                {"rate_limit": rng.randrange(1000, 10001, 500)})},
        },
    }
    return key, flag


def kill_switch_flag(rng: random.Random, keys: KeyMaker) -> tuple[str, dict]:
    key = keys.make(rng, dated=False)
    return key, {
        "name": display_name(key),
        "description": sentence(rng, key),
        "owner": rng.choice(TEAMS),
        "class": "kill-switch",
        "environments": {env: Flow({"enabled": False}) for env in ENVIRONMENTS},
    }


KINDS = {
    "release-flags": ((release_flag, 6), (experiment_flag, 1), (permission_flag, 2),
                      (kill_switch_flag, 1)),
    "experiments": ((experiment_flag, 7), (release_flag, 3)),
    "permissions": ((permission_flag, 8), (release_flag, 2)),
    "ops-switches": ((ops_flag, 6), (kill_switch_flag, 4)),
}


def make_flags(rng: random.Random, keys: KeyMaker, profile: str, count: int) -> list:
    makers = [m for m, _ in KINDS[profile]]
    weights = [w for _, w in KINDS[profile]]
    return [rng.choices(makers, weights)[0](rng, keys) for _ in range(count)]


def render_file(app: str, profile: str, flags: list) -> str:
    depth = "../../../"
    out = [f"# yaml-language-server: $schema={depth}schemas/flags.schema.json",
           f"application: {app}", f"profile: {profile}", "", "flags:"]
    for i, (key, flag) in enumerate(flags):
        if i:
            out.append("")
        out.append(f"  {key}:")
        block(flag, 4, out)
    return "\n".join(out) + "\n"


def plain_value(value):
    """The value without its style marks: what a program would hand a YAML dumper."""
    if isinstance(value, Flow):
        return plain_value(value.value)
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    return value


class Anchors:
    """Anchors for the mappings a file holds more than once, as a dumper writes a shared
    object: `&idN` where it first appears, `*idN` after."""

    def __init__(self, values) -> None:
        self.counts: dict[str, int] = {}
        self.names: dict[str, str] = {}
        for value in values:
            self._count(value)

    @staticmethod
    def _key(value: dict) -> str:
        return json.dumps(value, sort_keys=True)

    def _count(self, value) -> None:
        if isinstance(value, dict):
            if value:
                key = self._key(value)
                self.counts[key] = self.counts.get(key, 0) + 1
            for v in value.values():
                self._count(v)
        elif isinstance(value, list):
            for v in value:
                self._count(v)

    def mark(self, value: dict) -> tuple[str, bool]:
        """The anchor (` &idN`) or alias (` *idN`) to write after a mapping's key, and whether
        it is an alias (the mapping itself is then not written)."""
        key = self._key(value)
        if self.counts.get(key, 0) < 2:
            return "", False
        if key in self.names:
            return f" *{self.names[key]}", True
        self.names[key] = f"id{len(self.names) + 1:03d}"
        return f" &{self.names[key]}", False


def dumped(value: dict, indent: int, out: list[str], anchors: Anchors) -> None:
    """Writes a mapping as YAML dumpers do: keys sorted, block style throughout, sequences
    not indented under their key, anchors for repeated mappings."""
    pad = " " * indent
    for k in sorted(value):
        v = value[k]
        if isinstance(v, dict) and v:
            mark, alias = anchors.mark(v)
            out.append(f"{pad}{k}:{mark}")
            if not alias:
                dumped(v, indent + 2, out, anchors)
        elif isinstance(v, list) and v:
            out.append(f"{pad}{k}:")
            for item in v:
                if isinstance(item, dict) and item:
                    lines: list[str] = []
                    dumped(item, indent + 2, lines, anchors)
                    out.append(f"{pad}- {lines[0][indent + 2:]}")
                    out.extend(lines[1:])
                else:
                    out.append(f"{pad}- {flow(item)}")
        else:
            out.append(f"{pad}{k}: {flow(v)}")


def render_file_dumped(app: str, profile: str, flags: list) -> str:
    """The same file as a program would write it through a YAML dumper: `profile` comes
    after every flag, and flags that share a mapping share it through an anchor."""
    document = {"application": app, "profile": profile,
                "flags": {key: plain_value(flag) for key, flag in flags}}
    out = ["---"]
    dumped(document, 0, out, Anchors([document]))
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# The repository.


def application_names(count: int) -> list[str]:
    names = []
    for i in range(count):
        base = DOMAINS[i % len(DOMAINS)]
        names.append(base if i < len(DOMAINS) else f"{base}-{i // len(DOMAINS) + 1}")
    return names


def render_config(apps: list[str]) -> str:
    out = [
        "# yaml-language-server: $schema=schemas/flagops.schema.json",
        "# Generated by bench/gen_corpus.py for benchmarking `flagops check`.",
        "version: 1",
        "default_branch: main",
        "",
        "strategies:",
        "  instant:",
        "    description: Ops toggles and kill switches, no rollout and no bake",
        "    duration_minutes: 0",
        "    bake_minutes: 0",
        "    growth_factor: 100",
        "  quick-canary:",
        "    description: Half the fleet, then all of it, with a one-minute bake",
        "    duration_minutes: 1",
        "    bake_minutes: 1",
        "    growth_type: linear",
        "    growth_factor: 50",
        "  slow-rollout:",
        "    description: Ten percent steps over twenty minutes, then a ten-minute bake",
        "    duration_minutes: 20",
        "    bake_minutes: 10",
        "    growth_type: linear",
        "    growth_factor: 10",
        "",
        "applications:",
    ]
    for app in apps:
        out += [
            f"  {app}:",
            f"    description: The {app} service",
            "    environments:",
            "      dev:",
            "        strategy: instant",
            "      staging:",
            "        strategy: AppConfig.Linear50PercentEvery30Seconds",
            "        urgent_strategy: instant",
            "      production:",
            "        strategy: slow-rollout",
            "        urgent_strategy: quick-canary",
            "        production: true",
            "        monitors:",
            f"          - alarm_arn: arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{app}-5xx-rate",
            "            alarm_role_arn: arn:aws:iam::123456789012:role/appconfig-alarm-reader",
            "    profiles:",
        ]
        for profile in PROFILES:
            out += [f"      {profile}:", "        type: feature-flags"]
    out += [
        "",
        "rules:",
        "  naming:",
        '    pattern: "_20[0-9]{6}$"',
        "    classes: [release, experiment]",
        '    help: "end the key with the date the flag was created, e.g. checkout_v2_20270301"',
        "  expiry:",
        "    release: { required: true, warn_days: 21 }",
        "    experiment: { required: true, warn_days: 14 }",
        "  levels:",
        "    allow-list-duplicate: error",
    ]
    return "\n".join(out) + "\n"


class Corpus:
    """The generated repository in memory: flagops.yaml and the flag files by path."""

    def __init__(self, files: int, seed: int, layout: str = "written") -> None:
        self.render = render_file_dumped if layout == "dumped" else render_file
        self.rng = random.Random(seed)
        self.keys = KeyMaker()
        slots = -(-files // FILES_PER_PROFILE)
        self.apps = application_names(-(-slots // len(PROFILES)))
        self.config = render_config(self.apps)
        # path -> (application, profile, [(key, flag)])
        self.files: dict[str, tuple[str, str, list]] = {}
        for i in range(files):
            slot = i // FILES_PER_PROFILE
            app = self.apps[slot // len(PROFILES)]
            profile = PROFILES[slot % len(PROFILES)]
            topic = self.rng.choice(AREAS)
            path = f"flags/{app}/{profile}/{topic}-{i:05d}.yaml"
            flags = make_flags(self.rng, self.keys, profile, FLAGS_PER_FILE)
            if layout == "split":
                # The same flags, each in a file of its own.
                for j, flag in enumerate(flags):
                    self.files[path.replace(".yaml", f"-{j:02d}.yaml")] = (app, profile, [flag])
            else:
                self.files[path] = (app, profile, flags)

    def text(self, path: str, extra: list | None = None) -> str:
        app, profile, flags = self.files[path]
        return self.render(app, profile, flags + (extra or []))


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def prepare_out(out: Path) -> None:
    """Empties `out` if it is a corpus generated before (or empty); refuses anything else."""
    if out.exists():
        if not out.is_dir():
            sys.exit(f"gen_corpus: {out} exists and is not a directory")
        if any(out.iterdir()) and not (out / MARKER).exists():
            sys.exit(f"gen_corpus: {out} is not empty and was not made by gen_corpus.py")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def write_tree(corpus: Corpus, out: Path) -> None:
    write(out, "flagops.yaml", corpus.config)
    for path in corpus.files:
        write(out, path, corpus.text(path))


def git_history(corpus: Corpus, out: Path, seed: int) -> int:
    """Builds the repository in about HISTORY_COMMITS commits; returns the commit count."""
    rng = random.Random(seed ^ 0x5EED)
    env = dict(os.environ)
    env.update({
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Flag Bench", "GIT_AUTHOR_EMAIL": "bench@flagops.invalid",
        "GIT_COMMITTER_NAME": "Flag Bench", "GIT_COMMITTER_EMAIL": "bench@flagops.invalid",
    })

    def git(*args: str, when: dt.datetime | None = None) -> None:
        if when is not None:
            stamp = when.strftime("%Y-%m-%dT%H:%M:%S+0000")
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = stamp
        subprocess.run(["git", *args], cwd=out, env=env, check=True,
                       stdout=subprocess.DEVNULL)

    git("init", "-q", "-b", "main")
    git("config", "commit.gpgsign", "false")
    paths = list(corpus.files)
    # Commits: 1 for flagops.yaml, the rest add files in batches, and along the way temporary
    # flags are added to files already present and deleted some commits later, and a few
    # whole temporary files come and go. Every key deleted is never used again.
    batches = HISTORY_COMMITS - 10
    per_batch = -(-len(paths) // batches)
    when = dt.datetime(2025, 1, 6, 9, 0)
    commits = 0

    def commit(message: str) -> None:
        nonlocal when, commits
        git("add", "-A")
        git("commit", "-q", "--allow-empty", "-m", message, when=when)
        when += dt.timedelta(hours=rng.randint(2, 40))
        commits += 1

    write(out, "flagops.yaml", corpus.config)
    write(out, ".gitignore", MARKER + "\n")
    commit("Add flagops.yaml")

    present: list[str] = []
    extras: dict[str, list] = {}          # path -> temporary flags currently in it
    pending: list[tuple[int, str]] = []    # (commit number at which to delete, path)
    temp_files: list[tuple[int, str]] = []
    deleted_keys = 0
    temp_counter = 0
    start = 0
    while start < len(paths) or extras or temp_files:
        batch = paths[start:start + per_batch]
        start += len(batch)
        parts = []
        for path in batch:
            write(out, path, corpus.text(path))
            present.append(path)
        if batch:
            parts.append(f"add {len(batch)} flag files")
        # Temporary flags in a file already present, deleted 5 to 30 commits later.
        if present and commits % 2 == 0 and start < len(paths):
            path = rng.choice(present)
            if path not in extras:
                app, profile, _ = corpus.files[path]
                extras[path] = make_flags(rng, corpus.keys, profile, rng.randint(1, 3))
                for i, (key, flag) in enumerate(extras[path]):
                    extras[path][i] = ("retired_" + key, flag)
                write(out, path, corpus.text(path, extras[path]))
                pending.append((commits + rng.randint(5, 30), path))
                n = len(extras[path])
                parts.append(f"try {n} flag{'s' if n > 1 else ''} in {path}")
        # A whole temporary file every 20 commits, deleted 10 to 40 commits later.
        if commits % 20 == 10 and start < len(paths):
            temp_counter += 1
            src = rng.choice(present)
            app, profile, _ = corpus.files[src]
            flags = [("retired_" + k, f)
                     for k, f in make_flags(rng, corpus.keys, profile, FLAGS_PER_FILE)]
            rel = f"flags/{app}/{profile}/spike-{temp_counter:03d}.yaml"
            write(out, rel, render_file(app, profile, flags))
            temp_files.append((commits + rng.randint(10, 40), rel))
            parts.append(f"add spike {rel}")
        done = start >= len(paths)
        for due, path in list(pending):
            if due <= commits or done:
                pending.remove((due, path))
                deleted_keys += len(extras.pop(path))
                write(out, path, corpus.text(path))
                parts.append(f"remove temporary flags from {path}")
        for due, rel in list(temp_files):
            if due <= commits or done:
                temp_files.remove((due, rel))
                deleted_keys += FLAGS_PER_FILE
                (out / rel).unlink()
                parts.append(f"remove {rel}")
        commit("; ".join(parts) or "touch")
    # Top up to about HISTORY_COMMITS with commits that edit descriptions back and forth.
    while commits < HISTORY_COMMITS:
        path = rng.choice(paths)
        text = corpus.text(path)
        write(out, path, text.replace("flags:\n", "flags:\n  # reviewed\n", 1))
        commit(f"review {path}")
        write(out, path, text)
        commit(f"revert review of {path}")
    print(f"gen_corpus: git history of {commits} commits, {deleted_keys} flag keys deleted",
          file=sys.stderr)
    return commits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000,
                        help="flag files to generate (20 flags each), default 1000")
    parser.add_argument("--scale", type=int, default=1,
                        help="multiplies --files (10 gives the 10x corpus)")
    parser.add_argument("--seed", type=int, default=20270301,
                        help="random seed; the same seed and size give the same corpus")
    parser.add_argument("--out", type=Path,
                        help="directory to generate into, replaced if it holds an earlier corpus "
                             "(default: bench/corpus/files-N, or history-N with --git-history)")
    parser.add_argument("--layout", choices=("written", "dumped", "split"), default="written",
                        help="written: as people write flag files (the application and "
                             "profile first, short mappings inline); dumped: the same flags as "
                             "a YAML dumper writes them (keys sorted, block style, anchors); "
                             "split: the same flags as written, one flag per file (20 times "
                             "the files)")
    parser.add_argument("--git-history", action="store_true",
                        help=f"make it a git repository of about {HISTORY_COMMITS} commits")
    args = parser.parse_args()
    if args.files < 1 or args.scale < 1:
        parser.error("--files and --scale must be at least 1")
    files = args.files * args.scale

    corpus = Corpus(files, args.seed, args.layout)
    out = args.out or Path(__file__).resolve().parent / "corpus" / (
        f"{'history' if args.git_history else 'files'}-{files}")
    prepare_out(out)
    # Build in a sibling directory and move it in place, so that an interrupted run never
    # leaves a half-written corpus that looks complete.
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        if args.git_history:
            git_history(corpus, work, args.seed)
        else:
            write_tree(corpus, work)
        (work / MARKER).write_text(f"files={files} seed={args.seed}\n", encoding="utf-8")
        out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    flags = files * FLAGS_PER_FILE
    print(f"gen_corpus: {len(corpus.files)} files, {flags} flags, {len(corpus.apps)} applications, "
          f"{len(corpus.apps) * len(PROFILES)} profiles ({-(-files // FILES_PER_PROFILE)} "
          f"with flags) in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
