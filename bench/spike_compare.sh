#!/usr/bin/env bash
# Speed comparison, point-process side: Victor–Purpura and van Rossum on all 210 pairs of
# 21 trains of 1200 events over 20 min, SESAME (release build, all cores) against
# Elephant 1.2.1. Prints one line per workload: ours, theirs, ratio, and whether the two
# agree (sum over the pairs, 1e-6 relative).
#
# Both sides time the computation only (best of 3 for ours, one run for Elephant), after
# loading the same events file.
#
# Usage: bash bench/spike_compare.sh [VENV]
#   VENV: a virtualenv built by ../shared/oracles/measures/setup_venv.sh (built there when
#   missing; it takes several minutes). Default: $SESAME_BENCH_VENV or /tmp/venv-measures.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${1:-${SESAME_BENCH_VENV:-/tmp/venv-measures}}"
SHARED="${SESAME_SHARED_DIR:-$ROOT/../shared}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "building the Python virtualenv in $VENV ..." >&2
  bash "$SHARED/oracles/measures/setup_venv.sh" "$VENV" >&2
fi
PY="$VENV/bin/python"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
Q=10; TAU=0.1; T_END=1200
"$PY" "$ROOT/bench/spike_compare.py" make "$WORK/events.csv"
# SPIKE_COMPARE_BIN: an already built spike_compare example (any optimised profile)
BIN="${SPIKE_COMPARE_BIN:-}"
if [ -z "$BIN" ]; then
  (cd "$ROOT" && cargo build -q --release --workspace --example spike_compare)
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/spike_compare"
fi
"$BIN" "$WORK/events.csv" "$T_END" "$Q" "$TAU" > "$WORK/ours.txt"
"$PY" "$ROOT/bench/spike_compare.py" run "$WORK/events.csv" "$T_END" "$Q" "$TAU" > "$WORK/theirs.txt"
echo "workload (210 pairs, 21 x 1200 events, 20 min)   ours (s)   Elephant 1.2.1 (s)   ratio   agree"
join <(sort "$WORK/ours.txt") <(sort "$WORK/theirs.txt") | while read -r id ours sum_o theirs sum_t; do
  awk -v id="$id" -v o="$ours" -v t="$theirs" -v a="$sum_o" -v b="$sum_t" 'BEGIN {
    d = a - b; if (d < 0) d = -d; m = (b < 0 ? -b : b); ok = (d <= 1e-6 * m) ? "yes" : "NO";
    printf "%-48s %10.4f %20.4f %7.0fx   %s\n", id, o, t, t / o, ok }'
done
