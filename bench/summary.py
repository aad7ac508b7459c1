#!/usr/bin/env python3
"""The tables bench/run.sh prints from the figures its sections left in its work directory.

    summary.py incremental --work DIR --files N
    summary.py summary --work DIR --files N --findings N --flagops-version TEXT

`incremental` prints check with its cache against check without it and against ajv-cli;
`summary` prints one row per performance target: what was measured and whether it was met.
A figure a section did not produce (skipped, or not supported by the build) shows as not
measured, never as met. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

# The targets (see bench/README.md).
CPU_VS_AJV = 0.5          # check cold CPU at most this × ajv-cli's
RSS_MB = 100              # check cold peak RSS below this
INCREMENTAL_S = 0.1       # one-file change, wall at most
INCREMENTAL_VS_AJV = 10   # one-file change at least this many times faster than ajv-cli
HISTORY_SHARE = 0.05      # the history walk with a warm cache adds at most this
WALL_VS_IDEAL = 1.3       # plan and drift wall at most this × the ideal
LINEAR_GROWTH = 15        # 10× the findings take at most this many times as long


def layout_row(work: Path, name: str, layout: str) -> tuple:
    """The row of the same flags in another layout (run.sh's layout_against_ajv): flagops's
    CPU against ajv-cli's and its peak RSS, both held to the cold check's targets."""
    flagops, ajv = hyperfine(work, f"{name}-flagops"), hyperfine(work, f"{name}-ajv")
    target = (f"check, cold, the same flags {layout}: CPU ≤ {CPU_VS_AJV} × ajv-cli's, "
              f"peak RSS < {RSS_MB} MB")
    if not (flagops and ajv and flagops["rss_mb"] is not None):
        return (target, "not run", None)
    ratio = flagops["cpu"] / ajv["cpu"]
    return (target, f"{flagops['cpu']:.3f} s against {ajv['cpu']:.3f} s: {ratio:.2f} ×; "
                    f"{flagops['rss_mb']:.0f} MB",
            ratio <= CPU_VS_AJV and flagops["rss_mb"] < RSS_MB)


def hyperfine(work: Path, name: str) -> dict | None:
    """Mean wall, mean CPU, runs and the largest peak RSS of a measure() in run.sh."""
    path = work / f"{name}.json"
    if not path.exists():
        return None
    r = json.loads(path.read_text())["results"][0]
    rss = [int(x) for x in (work / f"{name}.rss").read_text().split()] if (
        work / f"{name}.rss").exists() else []
    return {"wall": r["mean"], "sd": r["stddev"] or 0.0, "cpu": r["user"] + r["system"],
            "runs": len(r["times"]), "rss_mb": max(rss) / 1024 if rss else None}


def seconds(x: float) -> str:
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("yes" if ok else "**no**")


def incremental_main(args) -> None:
    work = Path(args.work)
    one, many = "one commit", "200 commits (history corpus)"
    rows = [
        ("none of its own (bench/corpus)",
         "cold, no cache (`--no-cache`), from the cold section", f"files-{args.files}-flagops"),
        (one, "cold, empty cache", "incr-files-cold"),
        (one, "warm, nothing changed", "incr-files-warm"),
        (one, "warm, one file changed", "incr-files-change"),
        (one, "warm, one file changed and committed", "incr-files-commit"),
        (many, "cold, no cache (`--no-cache`), from the cold section", f"history-{args.files}"),
        (many, "cold, empty cache", "incr-git-cold"),
        (many, "warm, nothing changed", "incr-git-warm"),
        (many, "warm, one file changed", "incr-git-change"),
        (many, "warm, one file changed and committed", "incr-git-commit"),
    ]
    ajv = hyperfine(work, f"files-{args.files}-ajv")
    print(f"\ncheck with its cache, {args.files} files ({args.files * 20} flags); "
          f"ajv-cli on the same files: {seconds(ajv['wall']) if ajv else 'not measured'}\n")
    print("| the same files, in a git repository of | run | wall time, mean ± σ | CPU time (user+sys) | runs | peak RSS "
          "| ajv-cli wall ÷ this |")
    print("|---|---|---|---|---|---|---|")
    for where, label, name in rows:
        m = hyperfine(work, name)
        if m is None:
            continue
        rss = f"{m['rss_mb']:.0f} MB" if m["rss_mb"] is not None else "?"
        ratio = f"{ajv['wall'] / m['wall']:.1f}" if ajv else "–"
        print(f"| {where} | {label} | {m['wall']:.3f} s ± {m['sd']:.3f} | {m['cpu']:.3f} s "
              f"| {m['runs']} | {rss} | {ratio} |")
    share = history_share(work)
    if share:
        print("\nThe history walk with a warm cache, (200 commits − one commit) ÷ one commit: "
              + "; ".join(f"{label} {value * 100:+.1f} %" for label, value in share))
    loads = [(label, (work / f"{name}.load").read_text().strip())
             for _, label, name in rows if (work / f"{name}.load").exists()]
    print("\nLoad average (1 min) before and after each row's runs: "
          + "; ".join(f"{label} {load}" for label, load in loads))


def history_share(work: Path) -> list[tuple[str, float]]:
    out = []
    for label, git_name, plain_name in (
            ("nothing changed", "incr-git-warm", "incr-files-warm"),
            ("one file changed", "incr-git-change", "incr-files-change"),
            ("one file changed and committed", "incr-git-commit", "incr-files-commit")):
        git, plain = hyperfine(work, git_name), hyperfine(work, plain_name)
        if git and plain:
            out.append((label, (git["wall"] - plain["wall"]) / plain["wall"]))
    return out


def plan_drift_rows(work: Path) -> list[tuple[str, str, bool | None]]:
    rows, other = [], []
    for targets in (100, 1000):
        path = work / f"pd-{targets}.json"
        if not path.exists():
            rows.append((f"plan and drift at {targets:,} targets: calls per target ≤ the "
                         f"ideal, wall ≤ {WALL_VS_IDEAL} × ideal", "not run", None))
            continue
        data = json.loads(path.read_text())
        for scenario in data["scenarios"]:
            for r in scenario["results"]:
                calls_ok = r["calls"] <= r["minimum_calls"]
                wall_ok = r["ratio"] <= WALL_VS_IDEAL
                if r["mode"] != "aws-shaped":
                    other.append((calls_ok, wall_ok, r["ratio"]))
                    continue
                rows.append((
                    f"{r['command']} at {data['targets']:,} targets (after {scenario['rounds']} "
                    f"apply round{'s' if scenario['rounds'] > 1 else ''}, "
                    f"{data['latency_ms']:g} ms a call): calls per target ≤ the ideal, wall ≤ "
                    f"{WALL_VS_IDEAL} × ideal",
                    f"{r['calls_per_target']:.2f} calls per target (ideal "
                    f"{r['minimum_calls'] / data['targets']:.2f}); wall "
                    f"{r['wall_s'] * 1000:,.0f} ms = {r['ratio']:.2f} × ideal "
                    f"{r['ideal_s'] * 1000:,.0f} ms",
                    calls_ok and wall_ok))
    if other:
        rows.append((
            "plan and drift, ministack mode (no added latency, summaries as the emulator sends "
            "them): the same",
            f"calls ≤ ideal in {sum(c for c, _, _ in other)} of {len(other)}, wall ≤ "
            f"{WALL_VS_IDEAL} × ideal in {sum(w for _, w, _ in other)} of {len(other)} "
            f"(worst {max(x for _, _, x in other):.2f} ×)",
            all(c and w for c, w, _ in other)))
    return rows


def many_findings_row(work: Path, findings: int) -> tuple[str, str, bool | None]:
    target = (f"many findings: 10 × the findings ({findings // 10:,} → {findings:,} in one "
              f"file) take ≤ {LINEAR_GROWTH} × as long, every finding printed")
    path = work / "many.tsv"
    if not path.exists() or not path.read_text().strip():
        return target, "not run", None
    rows = [line.split("\t") for line in path.read_text().splitlines() if line]
    by = {(fmt, int(n)): (float(wall), int(count)) for fmt, n, wall, count in rows}
    parts, ok = [], True
    for fmt in dict.fromkeys(fmt for fmt, _, _, _ in rows):
        small, big = by.get((fmt, findings // 10)), by.get((fmt, findings))
        if not small or not big:
            ok = False
            continue
        growth = big[0] / small[0] if small[0] else float("inf")
        printed = small[1] == findings // 10 and big[1] == findings
        ok = ok and growth <= LINEAR_GROWTH and printed
        parts.append(f"{fmt} {big[0]:.2f} s ({growth:.1f} ×{'' if printed else ', NOT all printed'})")
    return target, "; ".join(parts), ok


def apply_row(work: Path) -> tuple[str, str, bool | None]:
    target = ("apply of the example repository: every environment at once (wall ≈ the longest "
              "environment, not the sum)")
    path = work / "apply.json"
    if not path.exists():
        skipped = (work / "apply.skipped").exists()
        return target, "skipped (SKIP_APPLY=1)" if skipped else "not run", None
    parts, ok = [], True
    for r in json.loads(path.read_text()):
        s = r["longest_strategy"]
        if r["variant"] == "as-declared":
            changed = " (strategies over 1 minute replaced in the copy)" if r["notes"] else ""
            parts.append(
                f"as declared{changed}: {r['wall_s']:.0f} s for {r['environments']} "
                f"environments ({r['deployments']} deployments), longest strategy {s['name']} "
                f"({s['duration_minutes']:g} + {s['bake_minutes']:g} min), longest environment "
                f"{r['longest_environment_s']:.0f} s, sum {r['sum_environments_s']:.0f} s")
        else:
            parts.append(
                f"every environment on {s['name']}: {r['wall_s']:.0f} s, longest environment "
                f"{r['longest_environment_s']:.0f} s, sum {r['sum_environments_s']:.0f} s")
        ok = ok and r["at_once"]
    return target, "; ".join(parts), ok


def summary_main(args) -> None:
    work = Path(args.work)
    files = args.files
    rows: list[tuple[str, str, bool | None]] = []

    flagops = hyperfine(work, f"files-{files}-flagops")
    ajv = hyperfine(work, f"files-{files}-ajv")
    git = hyperfine(work, f"history-{files}")
    if flagops and ajv:
        ratio = flagops["cpu"] / ajv["cpu"]
        rows.append((f"check, cold ({files:,} files): CPU ≤ {CPU_VS_AJV} × ajv-cli's",
                     f"{flagops['cpu']:.3f} s against {ajv['cpu']:.3f} s: {ratio:.2f} ×",
                     ratio <= CPU_VS_AJV))
    else:
        rows.append((f"check, cold ({files:,} files): CPU ≤ {CPU_VS_AJV} × ajv-cli's",
                     "not run", None))
    if flagops:
        peak = max(m["rss_mb"] for m in (flagops, git) if m and m["rss_mb"] is not None)
        rows.append((f"check, cold: peak RSS < {RSS_MB} MB",
                     f"{flagops['rss_mb']:.0f} MB"
                     + (f" ({git['rss_mb']:.0f} MB in the git repository)" if git else ""),
                     peak < RSS_MB))
    else:
        rows.append((f"check, cold: peak RSS < {RSS_MB} MB", "not run", None))

    for name, layout in ((f"dumped-{files}", "as a YAML dumper writes them (keys sorted, anchors)"),
                         (f"split-{files}", f"one per file ({files * 20:,} files)")):
        rows.append(layout_row(work, name, layout))
    change = hyperfine(work, "incr-files-change")
    unsupported = (work / "incremental.unsupported").exists()
    missing = "not supported by this build" if unsupported else "not run"
    rows.append((f"check, incremental: one-file change ≤ {INCREMENTAL_S} s wall",
                 seconds(change["wall"]) if change else missing,
                 change["wall"] <= INCREMENTAL_S if change else None))
    if change and ajv:
        speedup = ajv["wall"] / change["wall"]
        rows.append((f"check, incremental: one-file change ≥ {INCREMENTAL_VS_AJV} × faster "
                     "than ajv-cli", f"{speedup:.1f} × (ajv-cli {seconds(ajv['wall'])}, "
                     f"check {seconds(change['wall'])})", speedup >= INCREMENTAL_VS_AJV))
    else:
        rows.append((f"check, incremental: one-file change ≥ {INCREMENTAL_VS_AJV} × faster "
                     "than ajv-cli", missing, None))
    share = history_share(work)
    cold = (f"; cold, without a cache: {(git['wall'] - flagops['wall']) / flagops['wall'] * 100:+.1f} %"
            if flagops and git else "")
    target = (f"check, incremental: the history rule adds ≤ {HISTORY_SHARE * 100:g} % with a "
              "warm cache (the same files in 200 commits against one)")
    if share:
        rows.append((target, "warm: " + "; ".join(f"{label} {value * 100:+.1f} %"
                                                  for label, value in share) + cold,
                     share[0][1] <= HISTORY_SHARE))
    else:
        rows.append((target, "warm: " + missing + cold, None))

    rows += plan_drift_rows(work)
    rows.append(many_findings_row(work, args.findings))
    rows.append(apply_row(work))

    print(f"\nSummary: flagops {args.flagops_version}, {len(os.sched_getaffinity(0))} cores, "
          f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC\n")
    print("| target | measured | met? |")
    print("|---|---|---|")
    for target, measured, ok in rows:
        print(f"| {target} | {measured} | {verdict(ok)} |")
    loads = work / "loads.tsv"
    if loads.exists():
        print(f"\nLoad average (1 min) before → after each section ({len(os.sched_getaffinity(0))} cores): "
              + "; ".join(f"{name} {before} → {after}" for name, before, after in
                          (line.split("\t") for line in loads.read_text().splitlines() if line)))


def main():
    parser = argparse.ArgumentParser(prog="summary.py")
    sub = parser.add_subparsers(dest="what", required=True)
    inc = sub.add_parser("incremental")
    inc.add_argument("--work", required=True)
    inc.add_argument("--files", type=int, required=True)
    summ = sub.add_parser("summary")
    summ.add_argument("--work", required=True)
    summ.add_argument("--files", type=int, required=True)
    summ.add_argument("--findings", type=int, required=True)
    summ.add_argument("--flagops-version", required=True)
    args = parser.parse_args()
    (incremental_main if args.what == "incremental" else summary_main)(args)


if __name__ == "__main__":
    sys.exit(main())
