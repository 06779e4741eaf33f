#!/usr/bin/env bash
# Per-pair surrogate tests side by side: SESAME's three workloads of the speed target and
# the same coherence/PLV/wPLI workload with mne-connectivity in a surrogate loop.
#
# The recording: 21 channels (the 10-20 montage with A1, A2: 210 pairs), 20 minutes,
# simulated at 256 Hz by `sesame simulate`. SESAME: `sesame analyze` end to end (reading,
# bumps, the observed values and 1000 circular-shift surrogates per pair) for
#   coh,plv,wpli                 (2-s epochs, 8-12 Hz, Fourier)
#   victor-purpura,van-rossum    (on the bump centre times)
#   ses-bumps
# each printed with its wall time (s), CPU user+system (s) and peak resident memory (MB)
# from /usr/bin/time. mne-connectivity: bench/surrogates_mne.py reads the same EDF, cuts
# the same 2-s epochs and times spectral_connectivity_epochs (coh, plv, wpli, 8-12 Hz,
# Fourier) on a few surrogates, each with every channel circularly shifted by its own
# random offset (so that all 210 pairs are surrogate pairs in one call); it prints the
# time per surrogate and that time × 1000.
#
# The Python side runs in a virtualenv made on first use (`python3 -m venv`, then
# `pip install mne mne-connectivity numpy` from PyPI).
#
# Usage: bench/surrogates.sh [SURROGATES]      (default 1000)
#   SESAME_BIN      the binary to time (default: builds and uses the release binary)
#   SURR_VENV       the virtualenv (default: ${XDG_CACHE_HOME:-~/.cache}/sesame-bench/venv-mne)
#   SURR_MNE_RUNS   surrogates mne-connectivity actually computes (default 5)
#   SURR_KEEP       a folder in which to keep the simulated recording and the tables
#                   (default: a temporary folder, removed at the end)
# Run it on an otherwise idle machine.
set -euo pipefail
NAME=surrogates.sh
source "$(dirname "$0")/common.sh"
K="${1:-1000}"
FS=256
MINUTES=20
CHANNELS="Fp1,Fp2,F7,F3,Fz,F4,F8,T3,C3,Cz,C4,T4,T5,P3,Pz,P4,T6,O1,O2,A1,A2"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DATA="${SURR_KEEP:-$WORK}"
mkdir -p "$DATA"
REC="$DATA/sim-21ch-${MINUTES}min.edf"
if [[ ! -s "$REC" ]]; then
  "$SESAME_BIN" simulate "$REC" --channels 21 --fs "$FS" --duration "$((MINUTES * 60))" \
    >/dev/null 2>"$WORK/log" || { cat "$WORK/log" >&2; exit 1; }
fi

echo "21 channels (210 pairs), $MINUTES min at $FS Hz, $K surrogates per pair, $(nproc) cores"
printf "%-40s %9s %9s %10s\n" "workload" "wall (s)" "cpu (s)" "peak (MB)"
for measures in coh,plv,wpli victor-purpura,van-rossum ses-bumps; do
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" \
    "$SESAME_BIN" analyze "$REC" --channels "$CHANNELS" --measure "$measures" \
    --surrogates "$K" --out "$DATA/sesame-$measures.csv" >/dev/null 2>"$WORK/log" || {
    cat "$WORK/log" >&2; exit 1; }
  read -r wall user sys peak_kb < <(tail -n 1 "$WORK/time")
  awk -v n="sesame $measures" -v w="$wall" -v u="$user" -v s="$sys" -v k="$peak_kb" \
    'BEGIN { printf "%-40s %9.1f %9.1f %10.0f\n", n, w, u + s, k / 1024 }'
done

VENV="${SURR_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/sesame-bench/venv-mne}"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "(creating the virtualenv $VENV: mne, mne-connectivity, numpy)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip >&2
  "$VENV/bin/pip" install -q mne mne-connectivity numpy >&2
fi
"$VENV/bin/python" "$HERE/surrogates_mne.py" --edf "$REC" --channels "$CHANNELS" \
  --runs "${SURR_MNE_RUNS:-5}" --surrogates "$K"
