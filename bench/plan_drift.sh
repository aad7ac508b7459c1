#!/usr/bin/env bash
# Counts the AppConfig control-plane calls of `flagops plan` and `flagops drift` over 100
# targets, and times them, against ministack behind tests/support/fault_proxy.py: once with
# an added per-request latency and profile ids in ListDeployments summaries (shaped like AWS),
# once as ministack answers. Run on demand, never in CI. See bench/README.md.
#
#   bench/plan_drift.sh [--runs N] [--latency-ms MS] [--rounds 1,3] [--json FILE] [--keep]
#
#   --runs N          timed runs of each command in each mode; the median is reported (5)
#   --latency-ms MS   the added latency of every request in the AWS-shaped mode (40)
#   --rounds LIST     measure after these numbers of apply rounds, each one changing every
#                     target (1,3: one deployment per profile in each environment, then three)
#   --json FILE       also write every figure as JSON
#   --keep            keep the work directory (repository, ministack and proxy logs)
#   --applications N  applications, 2 environments each (10; at most 50, ministack's listing)
#   --profiles N      feature-flags profiles per application (5; 50 and 10: 1,000 targets)
#
# Needs cargo, git, python3 with ministack and boto3 (python3 -m pip install -r
# .ci/requirements.txt). Everything listens on 127.0.0.1 only.
set -euo pipefail

usage() {
    sed -n '2,19s/^# \{0,1\}//p' "$0"
}

for arg in "$@"; do
    case "$arg" in
        -h | --help) usage; exit 0 ;;
    esac
done

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")

die() { printf 'plan_drift.sh: %s\n' "$*" >&2; exit 1; }

for tool in cargo git python3; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
python3 -c 'import ministack, boto3' 2>/dev/null \
    || die "ministack and boto3 are needed: python3 -m pip install -r .ci/requirements.txt"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flagops-plan-drift-bin.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

printf '== building flagops (release)\n' >&2
cargo build --release --locked --manifest-path "$ROOT/Cargo.toml" >&2
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# A copy, so that a rebuild of the shared target directory cannot swap the binary mid-run.
cp "$TARGET_DIR/release/flagops" "$WORK/flagops"

printf '== flagops %s (%s), %s CPUs\n' "$("$WORK/flagops" --version 2>/dev/null | awk '{print $2}')" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no git')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ', src modified')" \
    "$(nproc 2>/dev/null || echo '?')" >&2

python3 "$BENCH/plan_drift.py" run --flagops "$WORK/flagops" "$@"
