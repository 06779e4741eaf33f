#!/usr/bin/env bash
# Speed comparison of SESAME with the established Python packages.
# Prints one line per workload: workload, ours (s), theirs (s), ratio theirs/ours.
#
# Usage: bench/compare.sh [--setup] [VENV_DIR]
#   VENV_DIR   virtualenv with the peers (default: $SESAME_BENCH_VENV or bench/.venv)
#   --setup    build VENV_DIR first with the oracle folder's setup_venv.sh
# Workloads:
#   continuous: coh+imcoh+plv+wpli over 1-45 Hz, 21 ch x 600 epochs of 2 s at 200 Hz,
#               all 210 pairs, vs mne-connectivity mode='fourier' and 'multitaper'
#   point-process workloads: bench/spike_compare.sh, when present, prints its own lines
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SETUP=0
if [[ "${1:-}" == "--setup" ]]; then SETUP=1; shift; fi
VENV="${1:-${SESAME_BENCH_VENV:-$HERE/.venv}}"
SHARED="${SESAME_SHARED_DIR:-$ROOT/../shared}"
if [[ $SETUP == 1 ]]; then
  bash "$SHARED/oracles/measures/setup_venv.sh" "$VENV"
fi
PY="$VENV/bin/python"
if [[ ! -x "$PY" ]]; then
  echo "compare.sh: no virtualenv at $VENV (run: bench/compare.sh --setup $VENV)" >&2
  exit 2
fi

# ours: criterion's median time of the shared-FFT set computation
ours_log="$(mktemp)"
trap 'rm -f "$ours_log"' EXIT
(cd "$ROOT" && cargo bench -q --workspace --bench spectral -- --noplot continuous/) >"$ours_log" 2>&1 || {
  cat "$ours_log" >&2; exit 1; }
# "time:   [a unit b unit c unit]" -> the middle estimate in seconds
ours="$(awk '/time:/ { gsub(/\[|\]/, ""); for (i = 1; i <= NF; i++) if ($i == "time:") { v = $(i+3); u = $(i+4) }
  s = (u == "ns") ? 1e-9 : (u == "µs" || u == "us") ? 1e-6 : (u == "ms") ? 1e-3 : 1; printf "%.6f\n", v * s; exit }' "$ours_log")"
if [[ -z "$ours" ]]; then cat "$ours_log" >&2; echo "compare.sh: could not read the benchmark time" >&2; exit 1; fi

printf "%-58s %12s %12s %9s\n" "workload" "ours (s)" "theirs (s)" "ratio"
"$PY" "$HERE/continuous_peers.py" | while read -r name secs; do
  printf "%-58s %12.4f %12.4f %8.1fx\n" "coh+imcoh+plv+wpli 21ch 600x2s 210 pairs vs $name" "$ours" "$secs" \
    "$(awk -v a="$secs" -v b="$ours" 'BEGIN { print a / b }')"
done

if [[ -f "$HERE/spike_compare.sh" ]]; then
  bash "$HERE/spike_compare.sh" "$VENV"
fi
