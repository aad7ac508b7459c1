#!/usr/bin/env python3
"""Times `flagops apply` of this repository's own example (flagops.yaml, flags/ and schemas/)
into an empty ministack on a loopback port, and shows whether the environments ran at once.
Run by bench/run.sh (SKIP_APPLY=1 skips it); see bench/README.md.

    apply_example.py --flagops BIN [--variants as-declared,all-longest] [--json OUT] [--keep]

Each variant copies the example into a new git repository and applies it, with flagops's
defaults (every environment at once, a poll every 5 s), into a ministack of its own:

  as-declared  the strategies flagops.yaml declares. A strategy with more than 1 minute of
               rollout or of bake is replaced by `bench-short` (1 + 1 minutes), and the output
               says so: AppConfig.AllAtOnce alone bakes 10 minutes.
  all-longest  every environment on the longest strategy of as-declared, so that running the
               environments one after another would take the sum of their times.

Afterwards every deployment is read back from ministack (StartedAt, CompletedAt, the
strategy's minutes). An environment's time is from its first deployment's start to its last
one's completion; its profiles deploy one after another, as AppConfig allows one deployment
at a time per environment. The apply's wall time is set against the longest environment and
against the sum of all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
import plan_drift  # noqa: E402  (bench/plan_drift.py: ministack, environment, git)

ROOT = Path(__file__).resolve().parent.parent
# Minutes of rollout and of bake of AppConfig's predefined strategies.
PREDEFINED = {
    "AppConfig.AllAtOnce": (0, 10),
    "AppConfig.Linear50PercentEvery30Seconds": (1, 1),
    "AppConfig.Canary10Percent20Minutes": (20, 10),
    "AppConfig.Linear20PercentEvery6Minutes": (30, 30),
}
SHORT = {
    "description": "1 minute of rollout and 1 of bake, in place of a longer strategy",
    "duration_minutes": 1,
    "bake_minutes": 1,
    "growth_type": "linear",
    "growth_factor": 50,
}
# Start-up, the last poll (5 s by default) and the final read: what an apply that runs
# every environment at once may take beyond its longest environment.
SLACK_S = 15.0


def strategy_minutes(config: dict, name: str) -> tuple[float, float] | None:
    custom = (config.get("strategies") or {}).get(name)
    if custom is not None:
        return float(custom.get("duration_minutes", 0)), float(custom.get("bake_minutes", 0))
    return PREDEFINED.get(name)


def environments(config: dict):
    for app, spec in (config.get("applications") or {}).items():
        for env, env_spec in ((spec or {}).get("environments") or {}).items():
            yield app, env, env_spec


def prepare(variant: str, repo: Path) -> tuple[str, list[str]]:
    """Writes the variant's copy of the example into `repo`; returns the flagops.yaml text
    and what was changed."""
    import yaml  # PyYAML, a dependency of ministack

    source = (ROOT / "flagops.yaml").read_text()
    config = yaml.safe_load(source)
    notes, replaced = [], False
    for app, env, spec in environments(config):
        name = spec.get("strategy")
        minutes = strategy_minutes(config, name) if name else None
        if minutes is None or max(minutes) > 1:
            spec["strategy"] = "bench-short"
            replaced = True
            notes.append(f"{app}/{env}: {name} ({'unknown' if minutes is None else '%g + %g' % minutes}"
                         " minutes) replaced by bench-short (1 + 1)")
    if replaced:
        config.setdefault("strategies", {})["bench-short"] = SHORT
    if variant == "all-longest":
        used = {spec["strategy"] for _, _, spec in environments(config)}
        longest = max(sorted(used), key=lambda n: sum(strategy_minutes(config, n)))
        for app, env, spec in environments(config):
            if spec["strategy"] != longest:
                notes.append(f"{app}/{env}: {spec['strategy']} replaced by {longest}")
                spec["strategy"] = longest
    text = source if not notes else yaml.safe_dump(config, sort_keys=False)
    (repo / "flagops.yaml").write_text(text)
    shutil.copytree(ROOT / "flags", repo / "flags")
    if (ROOT / "schemas").is_dir():
        shutil.copytree(ROOT / "schemas", repo / "schemas")
    plan_drift.git(repo, "init", "-q", "-b", "main")
    plan_drift.git(repo, "add", "-A")
    plan_drift.git(repo, "commit", "-qm", f"example flags, {variant}")
    return text, notes


def read_back(port: int) -> list[dict]:
    """Every environment's deployments, as ministack records them."""
    import boto3

    client = boto3.client(
        "appconfig", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test")
    strategies = {s["Id"]: s["Name"] for s in
                  client.list_deployment_strategies(MaxResults=50)["Items"]}
    found = []
    for app in client.list_applications(MaxResults=50)["Items"]:
        for env in client.list_environments(ApplicationId=app["Id"], MaxResults=50)["Items"]:
            items = client.list_deployments(ApplicationId=app["Id"], EnvironmentId=env["Id"],
                                            MaxResults=50)["Items"]
            deployments = []
            for item in sorted(items, key=lambda d: d["DeploymentNumber"]):
                d = client.get_deployment(ApplicationId=app["Id"], EnvironmentId=env["Id"],
                                          DeploymentNumber=item["DeploymentNumber"])
                deployments.append({
                    "state": d["State"],
                    "strategy": strategies.get(d["DeploymentStrategyId"],
                                               d["DeploymentStrategyId"]),
                    "minutes": (d["DeploymentDurationInMinutes"], d["FinalBakeTimeInMinutes"]),
                    "started": d["StartedAt"].timestamp(),
                    "completed": d["CompletedAt"].timestamp() if d.get("CompletedAt") else None,
                })
            if deployments:
                found.append({"environment": f"{app['Name']}/{env['Name']}",
                              "deployments": deployments})
    return found


def run_variant(flagops: str, variant: str, work: Path) -> dict:
    base = work / variant
    repo = base / "repo"
    repo.mkdir(parents=True)
    _, notes = prepare(variant, repo)
    stack, port = plan_drift.start_ministack(base)
    try:
        env = plan_drift.flagops_env(f"http://127.0.0.1:{port}", base)
        load_before = plan_drift.load_average()
        started = time.monotonic()
        out = subprocess.run([flagops, "apply", "-C", str(repo), "--format", "json"], env=env,
                             capture_output=True, text=True, timeout=3600)
        wall = time.monotonic() - started
        load_after = plan_drift.load_average()
        if out.returncode != 0:
            sys.exit(f"flagops apply ({variant}) exited {out.returncode}\n"
                     f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
        report = json.loads(out.stdout)
        envs = read_back(port)
    finally:
        stack.kill()
        stack.wait(timeout=30)
    rows = []
    for e in envs:
        ds = e["deployments"]
        if any(d["completed"] is None or d["state"] != "COMPLETE" for d in ds):
            sys.exit(f"{e['environment']}: a deployment did not complete: {ds}")
        rows.append({
            "environment": e["environment"],
            "deployments": len(ds),
            "strategies": [f"{d['strategy']} ({d['minutes'][0]:g} + {d['minutes'][1]:g})"
                           for d in ds],
            "nominal_s": sum((d["minutes"][0] + d["minutes"][1]) * 60 for d in ds),
            "seconds": max(d["completed"] for d in ds) - min(d["started"] for d in ds),
        })
    longest = max((d for e in envs for d in e["deployments"]),
                  key=lambda d: sum(d["minutes"]))
    deployed = sum(1 for t in report.get("outcome", report).get("targets", [])
                   if t.get("outcome") == "deployed")
    longest_env = max(r["seconds"] for r in rows)
    total = sum(r["seconds"] for r in rows)
    return {
        "variant": variant,
        "notes": notes,
        "wall_s": wall,
        "environments": len(rows),
        "deployments": sum(r["deployments"] for r in rows),
        "targets_deployed": deployed,
        "rows": rows,
        "longest_strategy": {"name": longest["strategy"], "duration_minutes": longest["minutes"][0],
                             "bake_minutes": longest["minutes"][1]},
        "longest_environment_s": longest_env,
        "sum_environments_s": total,
        "at_once": wall <= longest_env + SLACK_S,
        "load": [load_before, load_after],
    }


def render(r: dict) -> str:
    title = {"as-declared": "strategies as flagops.yaml declares them",
             "all-longest": "every environment on the longest strategy"}[r["variant"]]
    out = [f"\napply of the example repository (flagops.yaml, flags/), {title}"]
    for note in r["notes"]:
        out.append(f"  changed in the copy: {note}")
    out.append("")
    out.append("| environment | deployments | strategy of each (rollout + bake, minutes) "
               "| first start to last completion |")
    out.append("|---|---|---|---|")
    for row in r["rows"]:
        out.append(f"| {row['environment']} | {row['deployments']} | "
                   f"{', '.join(row['strategies'])} | {row['seconds']:.1f} s |")
    s = r["longest_strategy"]
    out.append("")
    out.append(
        f"apply wall time {r['wall_s']:.1f} s for {r['environments']} environments "
        f"({r['deployments']} deployments, {r['targets_deployed']} targets deployed); longest "
        f"single strategy {s['name']} ({s['duration_minutes']:g} + {s['bake_minutes']:g} "
        f"minutes); longest environment {r['longest_environment_s']:.1f} s, sum of the "
        f"environments {r['sum_environments_s']:.1f} s: wall / longest "
        f"{r['wall_s'] / r['longest_environment_s']:.2f}, wall / sum "
        f"{r['wall_s'] / r['sum_environments_s']:.2f}; environments at once: "
        f"{'yes' if r['at_once'] else 'NO'} (wall at most the longest environment + "
        f"{SLACK_S:g} s); load (1 min) {r['load'][0]} -> {r['load'][1]}")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(prog="apply_example.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--flagops", required=True, help="the flagops binary")
    parser.add_argument("--variants", default="as-declared,all-longest")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    if not variants or set(variants) - {"as-declared", "all-longest"}:
        sys.exit("--variants: as-declared, all-longest or both, comma-separated")
    work = Path(tempfile.mkdtemp(prefix="flagops-apply-example."))
    results = []
    try:
        for variant in variants:
            print(f"applying the example, {variant} (a few minutes: the strategies run in "
                  "real time)", file=sys.stderr, flush=True)
            result = run_variant(os.path.abspath(args.flagops), variant, work)
            results.append(result)
            print(render(result), flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    finally:
        if args.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
