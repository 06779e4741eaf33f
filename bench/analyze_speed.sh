#!/usr/bin/env bash
# Time and memory of `sesame analyze` with its defaults (bumps of every channel, SES on
# every pair with 19 chance surrogates) on simulated 21-channel recordings at 200 Hz.
# Prints one line per recording: minutes, wall (s), CPU user+system (s), CPU/wall, peak
# memory (MB). Run it on an otherwise idle machine.
#
# Usage: bench/analyze_speed.sh [MINUTES ...]     (default: 20)
#   SESAME_BIN   the binary to time (default: builds and uses target/release/sesame)
set -euo pipefail
NAME=analyze_speed.sh
source "$(dirname "$0")/common.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
printf "%8s %9s %9s %9s %10s\n" "minutes" "wall (s)" "cpu (s)" "cpu/wall" "peak (MB)"
for minutes in "${@:-20}"; do
  rec="$WORK/sim-${minutes}min.edf"
  "$SESAME_BIN" simulate "$rec" --duration "$((minutes * 60))" >/dev/null 2>&1
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" \
    "$SESAME_BIN" analyze "$rec" --out "$WORK/out.csv" >/dev/null 2>"$WORK/log" || {
    cat "$WORK/log" >&2; exit 1; }
  read -r wall user sys peak_kb <"$WORK/time"
  awk -v m="$minutes" -v w="$wall" -v u="$user" -v s="$sys" -v k="$peak_kb" \
    'BEGIN { printf "%8d %9.2f %9.2f %9.2f %10.0f\n", m, w, u + s, (u + s) / w, k / 1024 }'
done
