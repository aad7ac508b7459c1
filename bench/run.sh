#!/usr/bin/env bash
# Benchmarks flagops where users wait, and prints every ratio of the performance targets in one
# run, with the machine's load before and after each section, then a summary table (also in
# bench/corpus/results-summary.md). Run on demand, never in CI. See bench/README.md.
#
#   bench/run.sh            all sections: many findings; plan and drift at 100 and 1,000
#                           targets; apply of the example repository; `check` against
#                           check-jsonschema and ajv-cli on the 1,000-file corpus, against
#                           ajv-cli on the same flags as a YAML dumper writes them and one
#                           flag per file (20,000 files), in a git
#                           repository, and with its cache (incremental)
#   bench/run.sh --large    the same, plus the 10x corpus (10,000 files; takes an hour or more)
#
# Environment: RUNS (minimum runs of flagops and ajv, default 5), SLOW_RUNS (runs of
# check-jsonschema, default 3 on the 1,000-file corpus, 2 on the 10x one), FILES (files in
# the corpus, default 1000), TODAY (`flagops check --today`, default 2027-01-01), FINDINGS
# (bad flags in the many-findings file, default 90000; also timed at a tenth of it), PD_RUNS
# (runs of plan and drift, default 3), PD_TARGETS (100,1000; none), SKIP_APPLY=1 (no apply of the
# example), FLAGOPS_BIN (a flagops binary to time instead of building one), ONLY=live-and-findings
# (many findings, plan and drift, apply; no peers, no check corpora).
set -euo pipefail

usage() {
    sed -n '2,20s/^# \{0,1\}//p' "$0"
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
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [[ -n ${FLAGOPS_BIN:-} ]]; then
    [[ -x $FLAGOPS_BIN ]] || die "FLAGOPS_BIN=$FLAGOPS_BIN is not an executable"
    say "timing $FLAGOPS_BIN (FLAGOPS_BIN; not built by this run)"
    cp "$FLAGOPS_BIN" "$WORK/flagops"
else
    say "building flagops (release)"
    cargo build --release --locked --manifest-path "$ROOT/Cargo.toml" >&2
    # A copy, so that a rebuild of the shared target directory cannot swap the binary mid-run.
    cp "$TARGET_DIR/release/flagops" "$WORK/flagops"
fi
FLAGOPS="$WORK/flagops"
BUILT_FROM="working tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ', src modified')"
[[ -z ${FLAGOPS_BIN:-} ]] || BUILT_FROM="FLAGOPS_BIN=$FLAGOPS_BIN"
# Once check keeps a cache (--cache-dir, --no-cache), the cold measurements turn it off and
# the incremental section times it; before, that section says the build cannot.
# (FLAGOPS_CACHE_DIR would move every run's cache, and conflicts with --no-cache.)
unset FLAGOPS_CACHE_DIR
if "$FLAGOPS" check --help 2>/dev/null | grep -q -- --cache-dir; then
    CACHE=1 NO_CACHE=" --no-cache"
else
    CACHE=0 NO_CACHE=""
fi
FLAGOPS_VERSION="$("$FLAGOPS" --version | sed 's/^flagops //') ($BUILT_FROM)"
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
flagops_cmd() { printf '%q check -C . --today %s%s' "$FLAGOPS" "$TODAY" "$NO_CACHE"; }
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
    local label=$1 dir=$2 out=$3 warmup=$4 runs_option=$5 runs=$6 cmd=$7 prepare=${8:-}
    local extra=()
    [[ -z $prepare ]] || extra=(--prepare "$prepare")
    echo "   $label" >&2
    printf '%s' "$(cut -d' ' -f1 /proc/loadavg)" >"$out.load"
    : >"$out.rss"
    (cd "$dir" && hyperfine --style basic --warmup "$warmup" "$runs_option" "$runs" \
        "${extra[@]}" --command-name "$label" --export-json "$out.json" \
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

# The same flags in another layout (gen_corpus.py --layout LAYOUT, FILES_IN files), checked by
# flagops and ajv-cli: NAME is the corpus and results name, WHAT says what the layout is.
layout_against_ajv() {
    local layout=$1 name=$2 files_in=$3 what=$4
    local dir="$CORPORA/$name" res="$WORK/$name"
    corpus "$name" --files "$FILES" --layout "$layout"
    say "corpus $name: the flags of files-$FILES $what ($(du -sh "$dir/flags" | cut -f1))"
    sanity_valid "$dir" "$files_in"
    measure "flagops check" "$dir" "$res-flagops" 1 --min-runs "$RUNS" "$(flagops_cmd)"
    measure "ajv-cli" "$dir" "$res-ajv" 1 --min-runs "$RUNS" "$(ajv_cmd)"
    table "the flags of $FILES files $what, $(nproc) cores, $(date -u +%F)" \
        "flagops check|$FLAGOPS_VERSION|$res-flagops" \
        "ajv-cli|$AJV_VERSION|$res-ajv" |
        tee "$CORPORA/results-$name.md"
}

# The same flags as a YAML dumper writes them: keys sorted (`profile` after every flag), block
# style, anchors for repeated mappings. Another writer's layout must not cost more.
dumped() {
    layout_against_ajv dumped "dumped-$FILES" "$FILES" \
        "as a YAML dumper writes them (keys sorted, block style, anchors)"
}

# The same flags as written, one flag per file: twenty times the files, each small. What a
# file costs beyond its flags (its source, its cache entry, its place in each list) must not
# add up to more memory than the target.
one_per_file() {
    layout_against_ajv split "split-$FILES" "$((FILES * 20))" \
        "one per file ($((FILES * 20)) files)"
}

history() {
    local name=history-$FILES plain="$CORPORA/files-$FILES"
    corpus "$name" --files "$FILES" --git-history
    local dir="$CORPORA/$name" res="$WORK/$name"
    local commits
    commits=$(git -C "$dir" rev-list --count HEAD)
    say "check in a git repository with $commits commits (bench/corpus/$name)"
    # Same files as files-$FILES: only the history differs.
    diff -rq -x .git -x .gitignore -x .flagops -x .flagops-bench-corpus "$plain" "$dir" >/dev/null ||
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
    # One flag file whose every flag is a number instead of a mapping: one finding per flag,
    # all in the same file, at FINDINGS (about 1 MB) and at a tenth of it. Rendering must cost
    # the same per finding however large the file (it used to hand the whole file to every
    # human snippet): ten times the findings must take at most 15 times as long.
    local big=${FINDINGS:-90000}
    local small=$((big / 10))
    mkdir -p "$CORPORA"
    : >"$WORK/many.tsv"
    printf '\nmany findings in one file, %s cores, %s\n\n' "$(nproc)" "$(date -u +%F)"
    printf '| findings | file size | format | wall time (median of 3) | CPU time (user+sys) | peak RSS | findings printed | load (1 min) before -> after |\n|---|---|---|---|---|---|---|---|\n'
    local n
    for n in "$small" "$big"; do
        many_findings_at "$n"
    done
}

many_findings_at() {
    local n=$1 dir="$WORK/many-findings-$1"
    mkdir -p "$dir/flags/shop"
    printf '%s\n' 'version: 1' 'default_branch: main' 'applications:' '  shop:' \
        '    environments:' '      prod: { strategy: AppConfig.AllAtOnce }' \
        '    profiles:' '      flags: { type: feature-flags }' >"$dir/flagops.yaml"
    python3 - "$n" >"$dir/flags/shop/flags.yaml" <<'PY'
import sys
print("application: shop\nprofile: flags\nflags:")
for i in range(int(sys.argv[1])):
    print(f"  k{i:05d}: 1")
PY
    local size format
    size=$(du -h "$dir/flags/shop/flags.yaml" | cut -f1)
    echo "   $n findings, flags/shop/flags.yaml: $size" >&2
    for format in json human github sarif markdown; do
        local load stats count
        load=$(cut -d' ' -f1 /proc/loadavg)
        # A renderer that is not linear shows as a run that does not end: 10 minutes at most.
        stats=$(for _ in 1 2 3; do
            "$GNU_TIME" -f '%e %U %S %M' -o "$WORK/many.time" \
                timeout 600 "$FLAGOPS" check -C "$dir" --today "$TODAY" --format "$format" \
                ${NO_CACHE:+--no-cache} >"$WORK/many.out" 2>&1 || true
            tail -n1 "$WORK/many.time"
        done | sort -n | sed -n 2p)
        case $format in
            json) count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$WORK/many.out" 2>/dev/null || echo 0) ;;
            sarif) count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["results"]))' "$WORK/many.out" 2>/dev/null || echo 0) ;;
            human) count=$(grep -c 'error\[FO100\]' "$WORK/many.out" || true) ;;
            github) count=$(grep -c '^::error ' "$WORK/many.out" || true) ;;
            markdown) count=$(grep -c '^| error |' "$WORK/many.out" || true) ;;
        esac
        read -r wall user sys rss <<<"$stats"
        printf '%s\t%s\t%s\t%s\n' "$format" "$n" "$wall" "$count" >>"$WORK/many.tsv"
        printf '| %s | %s | %s | %s s | %.2f s | %d MB | %s | %s -> %s |\n' "$n" "$size" \
            "$format" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))" "$count" \
            "$load" "$(cut -d' ' -f1 /proc/loadavg)"
    done
}

plan_drift() {
    # Control-plane calls and wall time of plan and drift against ministack behind the test
    # proxy, at 100 and 1,000 targets (bench/plan_drift.py; needs ministack and boto3).
    if ! python3 -c 'import ministack, boto3' 2>/dev/null; then
        say "plan and drift: skipped (python3 -m pip install -r .ci/requirements.txt)"
        echo "plan and drift: skipped, ministack or boto3 is missing"
        return
    fi
    local targets
    if [[ $PD_TARGETS == none ]]; then
        echo "plan and drift: skipped (PD_TARGETS=none)"
        return
    fi
    for targets in ${PD_TARGETS//,/ }; do
        say "plan and drift, $targets targets"
        case $targets in
            100) python3 "$BENCH/plan_drift.py" run --flagops "$FLAGOPS" --runs "${PD_RUNS:-3}" \
                --rounds 1,3 --json "$WORK/pd-100.json" ;;
            1000) python3 "$BENCH/plan_drift.py" run --flagops "$FLAGOPS" --runs "${PD_RUNS:-3}" \
                --rounds 1 --applications 50 --profiles 10 --json "$WORK/pd-1000.json" ;;
            *) die "PD_TARGETS: 100, 1000, both (100,1000) or none" ;;
        esac
    done
}

apply_example() {
    # `flagops apply` of this repository's own flagops.yaml and flags/ into an empty ministack,
    # strategies in real time (bench/apply_example.py).
    if ! python3 -c 'import ministack, boto3, yaml' 2>/dev/null; then
        say "apply of the example: skipped (python3 -m pip install -r .ci/requirements.txt)"
        echo "apply of the example: skipped, ministack, boto3 or PyYAML is missing"
        return
    fi
    say "apply of the example repository (a few minutes: its strategies run in real time)"
    python3 "$BENCH/apply_example.py" --flagops "$FLAGOPS" --json "$WORK/apply.json"
}

incremental() {
    # check with its cache, on copies of the corpora (edits must not reach bench/corpus):
    # cold (an empty cache before every run), warm with nothing changed, warm after a
    # one-file change (every run sees a new one, in one of two files in turn), and with that
    # change committed before each run (HEAD one commit further).
    if [[ $CACHE -eq 0 ]]; then
        echo
        echo "incremental: not supported by this build (flagops check has no --cache-dir)"
        : >"$WORK/incremental.unsupported"
        return
    fi
    local plain="$WORK/incr-files" git="$WORK/incr-git"
    rm -rf "$plain" "$git"
    cp -a "$CORPORA/files-$FILES" "$plain"
    cp -a "$CORPORA/history-$FILES" "$git"
    # The plain corpus as a git repository of one commit: beside the 200-commit one, only the
    # history differs, and both can take a new commit.
    (cd "$plain" && git init -q -b main && git add -A &&
        git -c user.name=flagops-bench -c user.email=bench@example.com -c commit.gpgsign=false \
            commit -qm "the corpus, in one commit")
    local edit="$WORK/edit.sh"
    cat >"$edit" <<'SH'
#!/usr/bin/env bash
# edit.sh REPO [commit]: renames the first flag of one of two flag files, a new name each time.
set -euo pipefail
cd "$1"
counter="$(dirname "$0")/edit-counter"
n=$(($(cat "$counter" 2>/dev/null || echo 0) + 1))
echo "$n" >"$counter"
files=(flags/*/*/*.yaml)
file=${files[$(((n % 2) * (${#files[@]} - 1)))]}
sed -i "0,/^    name: .*\$/s//    name: Bench edit $n/" "$file"
if [[ ${2:-} == commit ]]; then
    git -c user.name=flagops-bench -c user.email=bench@example.com -c commit.gpgsign=false \
        commit -qam "bench edit $n"
fi
SH
    chmod +x "$edit"
    # Each variant runs on both corpora back to back, so that the history's share compares
    # runs seconds apart, not minutes: this machine's speed drifts by more than 5 % in minutes.
    local kind dir cache
    cached_check() { printf '%q check -C . --today %s --cache-dir %q' "$FLAGOPS" "$TODAY" "$WORK/cache-$1"; }
    say "check with its cache, files and git corpora ($FILES files)"
    for kind in files git; do
        dir="$WORK/incr-$kind" cache="$WORK/cache-$kind"
        measure "cold (empty cache), $kind" "$dir" "$WORK/incr-$kind-cold" 0 --runs "$RUNS" \
            "$(cached_check "$kind")" "rm -rf $(printf '%q' "$cache")"
    done
    for kind in files git; do
        measure "warm, nothing changed, $kind" "$WORK/incr-$kind" "$WORK/incr-$kind-warm" 1 \
            --min-runs "$RUNS" "$(cached_check "$kind")"
    done
    for kind in files git; do
        dir="$WORK/incr-$kind"
        measure "warm, one file changed, $kind" "$dir" "$WORK/incr-$kind-change" 1 \
            --min-runs "$RUNS" "$(cached_check "$kind")" "$(printf '%q %q' "$edit" "$dir")"
    done
    for kind in files git; do
        dir="$WORK/incr-$kind"
        measure "warm, one file changed and committed, $kind" "$dir" "$WORK/incr-$kind-commit" 1 \
            --min-runs "$RUNS" "$(cached_check "$kind")" "$(printf '%q %q commit' "$edit" "$dir")"
    done
    python3 "$BENCH/summary.py" incremental --work "$WORK" --files "$FILES"
}

summary() {
    python3 "$BENCH/summary.py" summary --work "$WORK" --files "$FILES" \
        --findings "${FINDINGS:-90000}" --flagops-version "$FLAGOPS_VERSION"
}

# Runs a section, and records the 1-minute load average before and after it.
section() {
    local name=$1
    shift
    local before after
    before=$(cut -d' ' -f1 /proc/loadavg)
    printf '\n[%s: load (1 min) before %s, %s cores]\n' "$name" "$before" "$(nproc)"
    "$@"
    after=$(cut -d' ' -f1 /proc/loadavg)
    printf '[%s: load (1 min) after %s]\n' "$name" "$after"
    printf '%s\t%s\t%s\n' "$name" "$before" "$after" >>"$WORK/loads.tsv"
}

# --------------------------------------------------------------------------------------- run
PD_TARGETS=${PD_TARGETS:-100,1000}
echo "machine: $(nproc) cores; load at start: $(uptime | sed 's/.*load average/load average/')" >&2
echo "flagops $FLAGOPS_VERSION" >&2
mkdir -p "$CORPORA"
: >"$WORK/loads.tsv"
section "many findings" many_findings | tee "$CORPORA/results-many-findings.md"
section "plan and drift" plan_drift | tee "$CORPORA/results-plan-drift.txt"
if [[ ${SKIP_APPLY:-0} == 1 ]]; then
    echo "apply of the example: skipped (SKIP_APPLY=1)" >"$WORK/apply.skipped"
else
    section "apply of the example" apply_example | tee "$CORPORA/results-apply-example.md"
fi
if [[ $ONLY != "live-and-findings" ]]; then
    echo "check-jsonschema $CJ_VERSION; ajv-cli $AJV_VERSION" >&2
    echo "hyperfine: $(hyperfine --version); $("$GNU_TIME" --version 2>&1 | head -n1); node $(node --version); $(python3 --version)" >&2
    sanity_errors
    section "check, cold, $FILES files" compare "files-$FILES" "$FILES" "${SLOW_RUNS:-3}"
    section "check, cold, another layout" dumped
    section "check, cold, one flag per file" one_per_file
    section "check, cold, git repository" history
    section "check, incremental" incremental | tee "$CORPORA/results-incremental.md"
    if [[ $LARGE -eq 1 ]]; then
        section "check, cold, $((FILES * 10)) files" \
            compare "files-$((FILES * 10))" "$((FILES * 10))" "${SLOW_RUNS:-2}"
    fi
fi
summary | tee "$CORPORA/results-summary.md"
say "results also in bench/corpus/results-*.md and results-plan-drift.txt"
