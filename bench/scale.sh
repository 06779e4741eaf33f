#!/usr/bin/env bash
# Time and memory of `sesame analyze` (bumps of every channel, SES and the default
# measures on every pair, with the default chance surrogates) as recordings grow longer
# and denser. Each case is a recording simulated at 256 Hz by `sesame simulate` with
# CHANNELS channels (the 21 of the 10-20 montage, then E22, E23…) lasting MINUTES;
# every channel is analysed (`--channels` lists them all, so N channels give
# N(N-1)/2 pairs). Prints one line per case: channels, minutes, pairs, wall time (s),
# CPU user+system (s), CPU/wall and peak resident memory (MB), from /usr/bin/time.
# Run it on an otherwise idle machine.
#
# Usage: bench/scale.sh [CHANNELSxMINUTES ...]
#   default cases: 21x20 64x60 256x10 21x1440 (the last is 24 h)
#   SESAME_BIN     the binary to time (default: builds and uses the release binary)
#   SCALE_TIMEOUT  stop a case's analysis after this many seconds (default: no limit);
#                  a stopped case is printed with its wall time and "stopped"
#   SCALE_KEEP     a folder in which to keep the simulated recordings (default: a
#                  temporary folder, removed at the end)
set -euo pipefail
NAME=scale.sh
source "$(dirname "$0")/common.sh"
FS=256
MONTAGE="Fp1,Fp2,F7,F3,Fz,F4,F8,T3,C3,Cz,C4,T4,T5,P3,Pz,P4,T6,O1,O2,A1,A2"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DATA="${SCALE_KEEP:-$WORK}"
mkdir -p "$DATA"

printf "%8s %8s %7s %9s %9s %9s %10s\n" \
  "channels" "minutes" "pairs" "wall (s)" "cpu (s)" "cpu/wall" "peak (MB)"
for case in "${@:-21x20 64x60 256x10 21x1440}"; do
  for c in $case; do
    if [[ ! "$c" =~ ^([0-9]+)x([0-9]+)$ ]]; then
      echo "scale.sh: '$c' is not CHANNELSxMINUTES (e.g. 64x60)" >&2
      exit 2
    fi
    n="${BASH_REMATCH[1]}" minutes="${BASH_REMATCH[2]}"
    rec="$DATA/sim-${n}ch-${minutes}min.edf"
    if [[ ! -s "$rec" ]]; then
      "$SESAME_BIN" simulate "$rec" --channels "$n" --fs "$FS" \
        --duration "$((minutes * 60))" >/dev/null 2>"$WORK/log" || {
        cat "$WORK/log" >&2; exit 1; }
    fi
    channels="$MONTAGE"
    for ((k = 22; k <= n; k++)); do channels+=",E$k"; done
    limit=()
    [[ -n "${SCALE_TIMEOUT:-}" ]] && limit=(timeout "$SCALE_TIMEOUT")
    status=0
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "${limit[@]}" \
      "$SESAME_BIN" analyze "$rec" --channels "$channels" --out "$WORK/out.csv" \
      >/dev/null 2>"$WORK/log" || status=$?
    # GNU time writes "Command exited with non-zero status N" before its figures.
    read -r wall user sys peak_kb < <(tail -n 1 "$WORK/time")
    note=""
    if [[ "$status" == 124 ]]; then
      note="  stopped after ${SCALE_TIMEOUT} s"
    elif [[ "$status" != 0 ]]; then
      cat "$WORK/log" >&2
      note="  failed (exit $status)"
    fi
    awk -v n="$n" -v m="$minutes" -v w="$wall" -v u="$user" -v s="$sys" -v k="$peak_kb" \
      -v note="$note" 'BEGIN { printf "%8d %8d %7d %9.1f %9.1f %9.2f %10.0f%s\n",
        n, m, n * (n - 1) / 2, w, u + s, (u + s) / w, k / 1024, note }'
  done
done
