#!/usr/bin/env bash
# Benchmarks `flagops check` against two JSON Schema validators (check-jsonschema, ajv-cli)
# validating the same generated YAML files against the same schema, in the same run, and
# prints wall time, peak RSS and ratios. Run on demand, never in CI. See bench/README.md.
#
#   bench/run.sh            the 1,000-file corpus, then `check` in a git repository
#   bench/run.sh --large    the same, plus the 10x corpus (10,000 files; takes an hour or more)
#
# Environment: RUNS (minimum runs of flagops and ajv, default 5), SLOW_RUNS (runs of
# check-jsonschema, default 3 on the 1,000-file corpus, 2 on the 10x one), FILES (files in
# the corpus, default 1000), TODAY (`flagops check --today`, default 2027-01-01), FINDINGS
# (bad flags in the many-findings file, default 90000), PD_RUNS (runs of plan and drift,
# default 3), ONLY=live-and-findings (only those two, no peers).
set -euo pipefail

usage() {
    sed -n '2,14s/^# \{0,1\}//p' "$0"
}

LARGE=0
for arg in "$@"; do
    case "$arg" in
        --large) LARGE=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument $arg" >&2; usage >&2; exit 1 ;;
    esac
done

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
SCHEMA="$ROOT/schemas/flags.schema.json"
CORPORA="$BENCH/corpus"
TODAY=${TODAY:-2027-01-01}
RUNS=${RUNS:-5}
SEED=20270301
FILES=${FILES:-1000}

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------------------------ prerequisites
ONLY=${ONLY:-}
TOOLS="cargo python3 git bc"
[[ -n $ONLY ]] || TOOLS+=" node npm hyperfine"
for tool in $TOOLS; do
    command -v "$tool" >/dev/null || die "$tool is missing (hyperfine: apt-get install hyperfine)"
done
GNU_TIME=/usr/bin/time
"$GNU_TIME" --version 2>&1 | grep -q GNU || die "GNU time is missing: apt-get install time"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flagops-bench.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------- build
say "building flagops (release)"
cargo build --release --locked --manifest-path "$ROOT/Cargo.toml" >&2
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# A copy, so that a rebuild of the shared target directory cannot swap the binary mid-run.
cp "$TARGET_DIR/release/flagops" "$WORK/flagops"
FLAGOPS="$WORK/flagops"
FLAGOPS_VERSION="$("$FLAGOPS" --version | sed 's/^flagops //') (working tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ', src modified'))"
if [[ -z $ONLY ]]; then
# The floor: flagops's YAML parser alone over the same files (see yaml-floor/).
cargo build --release --locked --manifest-path "$BENCH/yaml-floor/Cargo.toml" \
    --target-dir "$TARGET_DIR" >&2
cp "$TARGET_DIR/release/yaml-floor" "$WORK/yaml-floor"
YAML_FLOOR="$WORK/yaml-floor"
FLOOR_VERSION="granit-parser $(sed -n '/^name = "granit-parser"/{n;s/version = "\(.*\)"/\1/p}' "$BENCH/yaml-floor/Cargo.lock")"

# ------------------------------------------------------------------------------------- peers
pinned_cj=$(sed -n 's/^check-jsonschema==//p' "$BENCH/requirements.txt")
if [[ "$("$BENCH/.venv/bin/check-jsonschema" --version 2>/dev/null)" != *" $pinned_cj" ]]; then
    say "installing check-jsonschema $pinned_cj into bench/.venv"
    python3 -m venv "$BENCH/.venv"
    "$BENCH/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$BENCH/requirements.txt" >&2
fi
pinned_ajv=$(node -p "require('$BENCH/package.json').dependencies['ajv-cli']")
installed_ajv=$(node -p "try { require('$BENCH/node_modules/ajv-cli/package.json').version } catch { '' }")
if [[ "$installed_ajv" != "$pinned_ajv" || ! -d "$BENCH/node_modules/ajv-formats" ]]; then
    say "installing ajv-cli $pinned_ajv and ajv-formats into bench/node_modules"
    (cd "$BENCH" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
CHECK_JSONSCHEMA="$BENCH/.venv/bin/check-jsonschema"
AJV="$BENCH/node_modules/.bin/ajv"

npm_version() { node -p "require('$BENCH/node_modules/$1/package.json').version"; }
CJ_VERSION=$("$CHECK_JSONSCHEMA" --version | sed 's/.*version //')
AJV_VERSION="$(npm_version ajv-cli) (ajv $(npm_version ajv), ajv-formats $(npm_version ajv-formats))"
fi

# The three commands, run from inside a corpus. ajv-cli 5 needs --spec=draft2020 for the
# 2020-12 schema (its default is draft-07), -c ajv-formats for `format` (date, date-time,
# int64), and a quoted glob that it expands itself; it parses .yaml data files with js-yaml.
flagops_cmd() { printf '%q check -C . --today %s' "$FLAGOPS" "$TODAY"; }
floor_cmd() { printf '%q flags' "$YAML_FLOOR"; }
cj_cmd() { printf '%q --schemafile %q flags/*/*/*.yaml' "$CHECK_JSONSCHEMA" "$SCHEMA"; }
ajv_cmd() {
    printf "%q validate --spec=draft2020 --all-errors -c ajv-formats -s %q -d 'flags/*/*/*.yaml'" \
        "$AJV" "$SCHEMA"
}

# ------------------------------------------------------------------------------------ corpora
# Generated into bench/corpus/NAME, and again only when the generator or its arguments change.
corpus() {
    local name=$1
    shift
    local dir="$CORPORA/$name"
    local stamp
    stamp="$(sha256sum "$BENCH/gen_corpus.py" | cut -d' ' -f1) $*"
    if [[ -f "$dir/.flagops-bench-corpus" && "$(cat "$CORPORA/$name.stamp" 2>/dev/null)" == "$stamp" ]]; then
        return
    fi
    say "generating bench/corpus/$name ($*)"
    mkdir -p "$CORPORA"
    rm -f "$CORPORA/$name.stamp"
    python3 "$BENCH/gen_corpus.py" --out "$dir" --seed "$SEED" "$@" >&2
    printf '%s\n' "$stamp" >"$CORPORA/$name.stamp"
}

# ------------------------------------------------------------------------------------ sanity
# Each tool must report an error in the first and in the last file of a small corpus (so it
# validates every file, not the first one only), and accept the benchmark corpus as it is.
expect_both() {
    local tool=$1 status=$2 output=$3 first=$4 last=$5
    [[ $status -ne 0 ]] || die "$tool accepted a corpus with two errors"
    grep -qF "$first" <<<"$output" || die "$tool did not report the error in $first"
    grep -qF "$last" <<<"$output" || die "$tool did not report the error in $last"
    echo "   $tool: exit $status, reported both $first and $last" >&2
}

sanity_errors() {
    say "checking that every tool reports errors in the first and the last file"
    local dir="$WORK/broken"
    python3 "$BENCH/gen_corpus.py" --files 40 --seed "$SEED" --out "$dir" 2>/dev/null
    local files first last
    files=$(cd "$dir" && printf '%s\n' flags/*/*/*.yaml)
    first=$(head -n1 <<<"$files")
    last=$(tail -n1 <<<"$files")
    # A misspelt class (an enum) in the first file, an impossible date (a format) in the last.
    sed -i '0,/^    class: [a-z-]*$/s//    class: relase/' "$dir/$first"
    sed -i '0,/^    expires: "[0-9-]*"$/s//    expires: "2031-02-30"/' "$dir/$last"
    if ! grep -q 'class: relase' "$dir/$first" || ! grep -q '2031-02-30' "$dir/$last"; then
        die "could not introduce the errors"
    fi
    local out status
    status=0; out=$(cd "$dir" && eval "$(flagops_cmd)" 2>&1) || status=$?
    expect_both flagops "$status" "$out" "$first" "$last"
    status=0; out=$(cd "$dir" && eval "$(cj_cmd)" 2>&1) || status=$?
    expect_both check-jsonschema "$status" "$out" "$first" "$last"
    status=0; out=$(cd "$dir" && eval "$(ajv_cmd)" 2>&1) || status=$?
    expect_both ajv-cli "$status" "$out" "$first" "$last"
}

sanity_valid() {
    local dir=$1 files=$2 out
    out=$(cd "$dir" && eval "$(flagops_cmd)" 2>&1) || die "flagops check failed on $dir: $out"
    grep -q "check passed: 0 errors, 0 warnings in $((files + 1)) files" <<<"$out" ||
        die "unexpected flagops output on $dir: $out"
    out=$(cd "$dir" && eval "$(ajv_cmd)" 2>&1) || die "ajv-cli rejected $dir"
    [[ $(grep -c ' valid$' <<<"$out") -eq $files ]] || die "ajv-cli did not validate $files files"
    echo "   flagops and ajv-cli accept all $files files (check-jsonschema: in its timed runs)" >&2
}

# ---------------------------------------------------------------------------------- measures
# hyperfine for time (mean of several runs after a warm-up), and GNU time around the same runs
# for peak RSS (the largest of the runs; GNU time adds about a millisecond and no memory).
measure() {
    local label=$1 dir=$2 out=$3 warmup=$4 runs_option=$5 runs=$6 cmd=$7
    echo "   $label" >&2
    printf '%s' "$(cut -d' ' -f1 /proc/loadavg)" >"$out.load"
    : >"$out.rss"
    (cd "$dir" && hyperfine --style basic --warmup "$warmup" "$runs_option" "$runs" \
        --command-name "$label" --export-json "$out.json" \
        "$(printf '%q -a -o %q -f %%M ' "$GNU_TIME" "$out.rss")$cmd") >&2
    printf ' -> %s\n' "$(cut -d' ' -f1 /proc/loadavg)" >>"$out.load"
}

table() {
    python3 - "$@" <<'EOF'
import json, sys
title, rows = sys.argv[1], sys.argv[2:]
print(f"\n{title}\n")
print("| tool | version | wall time, mean ± σ | CPU time (user+sys), mean | runs | peak RSS "
      "| wall ÷ flagops | CPU ÷ flagops |")
print("|---|---|---|---|---|---|---|---|")
base = None
for row in rows:
    name, version, path = row.split("|")
    r = json.load(open(path + ".json"))["results"][0]
    rss_mb = max(int(x) for x in open(path + ".rss").read().split()) / 1024
    cpu = r["user"] + r["system"]
    base = base or (r["mean"], cpu)
    fmt = lambda x: f"{x:.1f}" if x >= 1 else f"{x:.2g}"
    sd = r["stddev"] or 0.0
    print(f"| {name} | {version} | {r['mean']:.3f} s ± {sd:.3f} | {cpu:.3f} s "
          f"| {len(r['times'])} | {rss_mb:.0f} MB | {fmt(r['mean'] / base[0])} "
          f"| {fmt(cpu / base[1])} |")
print("\nLoad average (1 min) before and after each tool's runs: " + "; ".join(
    f"{row.split('|')[0]} {open(row.split('|')[2] + '.load').read().strip()}" for row in rows))
EOF
}

compare() {
    local name=$1 files=$2 slow_runs=$3
    local dir="$CORPORA/$name" res="$WORK/$name"
    corpus "$name" --files "$files"
    say "corpus $name: $files files, $((files * 20)) flags ($(du -sh "$dir/flags" | cut -f1))"
    sanity_valid "$dir" "$files"
    measure "flagops check" "$dir" "$res-flagops" 1 --min-runs "$RUNS" "$(flagops_cmd)"
    measure "ajv-cli" "$dir" "$res-ajv" 1 --min-runs "$RUNS" "$(ajv_cmd)"
    measure "check-jsonschema" "$dir" "$res-cj" 0 --runs "$slow_runs" "$(cj_cmd)"
    measure "YAML parsing alone" "$dir" "$res-floor" 1 --min-runs "$RUNS" "$(floor_cmd)"
    table "$files flag files ($((files * 20)) flags), $(nproc) cores, $(date -u +%F)" \
        "flagops check|$FLAGOPS_VERSION|$res-flagops" \
        "ajv-cli|$AJV_VERSION|$res-ajv" \
        "check-jsonschema|$CJ_VERSION|$res-cj" \
        "YAML parsing alone, the floor (bench/yaml-floor)|$FLOOR_VERSION|$res-floor" |
        tee "$CORPORA/results-$name.md"
}

history() {
    local name=history-$FILES plain="$CORPORA/files-$FILES"
    corpus "$name" --files "$FILES" --git-history
    local dir="$CORPORA/$name" res="$WORK/$name"
    local commits
    commits=$(git -C "$dir" rev-list --count HEAD)
    say "check in a git repository with $commits commits (bench/corpus/$name)"
    # Same files as files-$FILES: only the history differs.
    diff -rq -x .git -x .gitignore -x .flagops-bench-corpus "$plain" "$dir" >/dev/null ||
        die "$name does not hold the same files as files-$FILES"
    sanity_valid "$dir" "$FILES"
    measure "flagops check, git repository with $commits commits" "$dir" "$res" 1 \
        --min-runs "$RUNS" "$(flagops_cmd)"
    table "flagops check on the same $FILES files: plain directory vs git repository with $commits commits" \
        "flagops check (files-$FILES)|$FLAGOPS_VERSION|$WORK/files-$FILES-flagops" \
        "flagops check in a git repository with $commits commits|$FLAGOPS_VERSION|$res" |
        tee "$CORPORA/results-$name.md"
}

many_findings() {
    # One flag file of about 1 MB whose every flag is a number instead of a mapping: one
    # finding per flag, all in the same file. Rendering must cost the same per finding
    # however large the file (it used to hand the whole file to every human snippet).
    local n=${FINDINGS:-90000} dir="$WORK/many-findings"
    say "check on one flag file with $n bad flags: $n findings, every format"
    mkdir -p "$dir/flags/shop" "$CORPORA"
    printf '%s\n' 'version: 1' 'default_branch: main' 'applications:' '  shop:' \
        '    environments:' '      prod: { strategy: AppConfig.AllAtOnce }' \
        '    profiles:' '      flags: { type: feature-flags }' >"$dir/flagops.yaml"
    python3 - "$n" >"$dir/flags/shop/flags.yaml" <<'PY'
import sys
print("application: shop\nprofile: flags\nflags:")
for i in range(int(sys.argv[1])):
    print(f"  k{i:05d}: 1")
PY
    echo "   flags/shop/flags.yaml: $(du -h "$dir/flags/shop/flags.yaml" | cut -f1)" >&2
    printf '\n%s findings in one %s file, %s cores, %s\n\n' "$n" \
        "$(du -h "$dir/flags/shop/flags.yaml" | cut -f1)" "$(nproc)" "$(date -u +%F)"
    printf '| format | wall time (median of 3) | CPU time (user+sys) | peak RSS | findings printed | load (1 min) before -> after |\n|---|---|---|---|---|---|\n'
    local format
    for format in json human github sarif markdown; do
        local load stats out count
        load=$(cut -d' ' -f1 /proc/loadavg)
        stats=$(for _ in 1 2 3; do
            "$GNU_TIME" -f '%e %U %S %M' -o "$WORK/many.time" \
                "$FLAGOPS" check -C "$dir" --today "$TODAY" --format "$format" \
                >"$WORK/many.out" 2>&1 || true
            tail -n1 "$WORK/many.time"
        done | sort -n | sed -n 2p)
        case $format in
            json) count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$WORK/many.out") ;;
            sarif) count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["results"]))' "$WORK/many.out") ;;
            human) count=$(grep -c 'error\[FO100\]' "$WORK/many.out" || true) ;;
            github) count=$(grep -c '^::error ' "$WORK/many.out" || true) ;;
            markdown) count=$(grep -c '^| error |' "$WORK/many.out" || true) ;;
        esac
        read -r wall user sys rss <<<"$stats"
        printf '| %s | %s s | %.2f s | %d MB | %s | %s -> %s |\n' "$format" "$wall" \
            "$(echo "$user + $sys" | bc)" "$((rss / 1024))" "$count" "$load" \
            "$(cut -d' ' -f1 /proc/loadavg)"
    done
}

plan_drift() {
    # Control-plane calls and wall time of plan and drift against ministack behind the test
    # proxy, at 100 and 1,000 targets (bench/plan_drift.py; needs ministack and boto3).
    if ! python3 -c 'import ministack, boto3' 2>/dev/null; then
        say "plan and drift: skipped (python3 -m pip install -r .ci/requirements.txt)"
        return
    fi
    say "plan and drift, 100 targets"
    python3 "$BENCH/plan_drift.py" run --flagops "$FLAGOPS" --runs "${PD_RUNS:-3}" --rounds 1,3
    say "plan and drift, 1,000 targets"
    python3 "$BENCH/plan_drift.py" run --flagops "$FLAGOPS" --runs "${PD_RUNS:-3}" --rounds 1 \
        --applications 50 --profiles 10
}

# --------------------------------------------------------------------------------------- run
echo "machine: $(nproc) cores; load at start: $(uptime | sed 's/.*load average/load average/')" >&2
echo "flagops $FLAGOPS_VERSION" >&2
mkdir -p "$CORPORA"
many_findings | tee "$CORPORA/results-many-findings.md"
plan_drift | tee "$CORPORA/results-plan-drift.txt"
[[ $ONLY == "live-and-findings" ]] && exit 0
echo "check-jsonschema $CJ_VERSION; ajv-cli $AJV_VERSION" >&2
echo "hyperfine: $(hyperfine --version); $("$GNU_TIME" --version 2>&1 | head -n1); node $(node --version); $(python3 --version)" >&2
sanity_errors
compare "files-$FILES" "$FILES" "${SLOW_RUNS:-3}"
history
if [[ $LARGE -eq 1 ]]; then
    compare "files-$((FILES * 10))" "$((FILES * 10))" "${SLOW_RUNS:-2}"
fi
say "results also in bench/corpus/results-*.md"
