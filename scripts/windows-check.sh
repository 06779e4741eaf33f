#!/usr/bin/env bash
# The Windows build, checked on Linux: cross-compiles `sesame.exe`
# (x86_64-pc-windows-gnu, MinGW-w64), runs the command-line end-to-end checks against
# it under Wine and compares every output with the Linux build's.
#
#   scripts/windows-check.sh [--install] [--gui] [--linux-profile P]
#
# --install  installs what a Debian/Ubuntu machine lacks (MinGW-w64, Wine, the rustup
#            target); otherwise a missing tool ends the script with what to install.
# --gui      also starts the GUI under Wine and Xvfb and saves a screenshot of its
#            welcome screen to docs/img/windows-gui.png (needs xvfb and imagemagick).
# --linux-profile P
#            the cargo profile of the Linux build compared against (default: release,
#            as sesame.exe). `test` reuses the binary the test suite built; Rust's
#            floating point does not depend on the optimisation level.
#
# Checked: `info` (text and --json), `bumps --out`, `analyze` (printed table and
# --out CSV/JSON), `simulate` (the EDF+ writer) and `batch` on a small folder of two
# simulated recordings (every file of the output folder). Each output is compared
# byte for byte; an output that differs only in the last digits of its numbers (the
# C maths libraries of the two platforms may round `exp`, `sin`… differently) passes
# as "same numbers" with a relative tolerance of 1e-9 and is reported as such. Any
# other difference fails the check.
#
# First checked: sesame.exe imports only DLLs that every Windows has (no MinGW
# runtime DLL such as libstdc++-6.dll, libgcc_s_seh-1.dll or libwinpthread-1.dll).
#
# Wine before 9.0 (Debian 12 ships 8.0) lacks bcryptprimitives.dll, whose ProcessPrng
# Rust's standard library imports, so no Rust executable starts there. For such a Wine
# the script builds a stand-in from scripts/wine/bcryptprimitives.c and puts it beside
# the copy of sesame.exe it runs, in a temporary folder; it is never part of a release
# (Windows 10 and 11 have the real one), and the report names it when it is used.
#
# Build artefacts go to $CARGO_TARGET_DIR (default: target/), the Wine prefix to
# $SESAME_WINEPREFIX (default: ~/.cache/sesame-wine).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

install=0
gui=0
linux_profile=release
while [ $# -gt 0 ]; do
  case "$1" in
    --install) install=1 ;;
    --gui) gui=1 ;;
    --linux-profile) linux_profile=${2:?}; shift ;;
    *) echo "usage: scripts/windows-check.sh [--install] [--gui] [--linux-profile P]" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "windows-check: $*"; }
t0=$(date +%s)

# --- tools and the cross toolchain ---------------------------------------------------
# shellcheck source=scripts/lib/mingw-env.sh
source scripts/lib/mingw-env.sh
need_native_build
need_mingw
# Debian's `wine64` holds the 64-bit loader; the `wine` command comes with `wine`.
need wine wine wine64
if [ "$gui" = 1 ]; then
  need Xvfb xvfb
  need import imagemagick
fi
need_rust_target
provide_tools windows-check "$install"
WINE=$(command -v wine)

export CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

say "building sesame for Linux and for Windows ($MINGW_TARGET)"
tb=$(date +%s)
cargo build --profile "$linux_profile" -p sesame
cargo build --release --target "$MINGW_TARGET" -p sesame
say "builds took $(( $(date +%s) - tb )) s"
LINUX_BIN="$CARGO_TARGET_DIR/$(profile_dir "$linux_profile")/sesame"
WIN_EXE="$CARGO_TARGET_DIR/$MINGW_TARGET/release/sesame.exe"
test -x "$LINUX_BIN" && test -f "$WIN_EXE"

# --- the DLLs sesame.exe imports ------------------------------------------------------
# MinGW's runtime DLLs are named lib*.dll; no Windows system DLL is.
mapfile -t dlls < <(x86_64-w64-mingw32-objdump -p "$WIN_EXE" | sed -n 's/^[[:space:]]*DLL Name: //p' |
  tr 'A-Z' 'a-z' | LC_ALL=C sort -u)
say "sesame.exe imports: ${dlls[*]}"
foreign=$(printf '%s\n' "${dlls[@]}" | grep -E '^lib.*\.dll$' || true)
if [ -n "$foreign" ]; then
  say "FAILED: sesame.exe needs MinGW runtime DLLs that Windows does not have: $(echo $foreign)" >&2
  exit 1
fi

# --- Wine ----------------------------------------------------------------------------
export WINEPREFIX="${SESAME_WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/sesame-wine}"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="   # no Mono/Gecko installers
mkdir -p "$WINEPREFIX"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  say "creating the Wine prefix"
  "$WINE" wineboot -i >/dev/null 2>&1 || true
fi

work=$(mktemp -d)
# The executable runs from its own folder, with the ProcessPrng stand-in beside it when
# this Wine needs one (a DLL in the executable's folder is found first).
mkdir -p "$work/bin"
cp "$WIN_EXE" "$work/bin/sesame.exe"
WIN_EXE="$work/bin/sesame.exe"
shim=none
if [ ! -e "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
  x86_64-w64-mingw32-gcc -O2 -Wall -shared -s -o "$work/bin/bcryptprimitives.dll" \
    scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32
  shim="bcryptprimitives.dll stand-in (scripts/wine/bcryptprimitives.c)"
  say "$("$WINE" --version) has no bcryptprimitives.dll: using the test-only $shim"
fi
cleanup() {
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
  wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# run SIDE NAME ARGS…: runs one command in $work/SIDE with the Linux binary (SIDE =
# linux) or sesame.exe under Wine (SIDE = windows); stdout to NAME.out, the exit code
# to NAME.rc. Inputs are given by the same relative paths on both sides, so that the
# outputs that name them match.
run() {
  local side=$1 name=$2
  shift 2
  local rc=0
  (
    cd "$work/$side"
    if [ "$side" = linux ]; then
      "$LINUX_BIN" "$@"
    else
      "$WINE" "$WIN_EXE" "$@"
    fi
  ) >"$work/$side/$name.out" 2>"$work/$side/$name.err" || rc=$?
  echo "$rc" >"$work/$side/$name.rc"
  if [ "$rc" != 0 ]; then
    say "$side: sesame $* exited with $rc:" >&2
    sed 's/^/  /' "$work/$side/$name.err" >&2
    return 1
  fi
}

for side in linux windows; do
  mkdir -p "$work/$side/in"
  cp sample-data/sesame-sample.edf "$work/$side/in/"
done

checks=(
  "info|info in/sesame-sample.edf"
  "info-json|info in/sesame-sample.edf --json"
  "bumps|bumps in/sesame-sample.edf --out bumps.csv"
  "analyze|analyze in/sesame-sample.edf --out results.csv"
  "analyze-json|analyze in/sesame-sample.edf --channels Fp1,O1,O2 --out results.json"
  "simulate-a|simulate cohort/sub-01.edf --duration 30 --seed 11"
  "simulate-b|simulate cohort/sub-02.edf --duration 30 --seed 12"
  "batch|batch cohort out --channels O1,O2,P3,P4 --threads 2 --progress plain"
)
for side in linux windows; do
  mkdir -p "$work/$side/cohort"
  tr=$(date +%s)
  for c in "${checks[@]}"; do
    name=${c%%|*}
    # shellcheck disable=SC2086  # the arguments are split on purpose
    run "$side" "$name" ${c#*|}
  done
  say "$side: ${#checks[@]} commands in $(( $(date +%s) - tr )) s"
done

# --- comparison ----------------------------------------------------------------------
# same_numbers A B: the files have the same tokens, numbers equal within 1e-9
# (relative); prints the largest relative difference.
same_numbers() {
  awk -v tol=1e-9 '
    function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
    FNR == NR { a[FNR] = $0; n = FNR; next }
    {
      m = FNR
      if (!(FNR in a)) { bad = 1; exit }
      na = split(a[FNR], x, /[\t,;: \[\]{}"=()]+/)
      nb = split($0, y, /[\t,;: \[\]{}"=()]+/)
      if (na != nb) { bad = 1; exit }
      for (i = 1; i <= na; i++) {
        if (x[i] == y[i]) continue
        if (!isnum(x[i]) || !isnum(y[i])) { bad = 1; exit }
        d = x[i] - y[i]; if (d < 0) d = -d
        s = x[i] < 0 ? -x[i] : x[i]; t = y[i] < 0 ? -y[i] : y[i]; if (t > s) s = t
        r = s > 0 ? d / s : d
        if (r > worst) worst = r
        if (r > tol) { bad = 1; exit }
      }
    }
    END {
      if (!bad && m != n) bad = 1
      printf "%.3g\n", worst
      exit bad
    }
  ' "$1" "$2"
}

bytes=0
numbers=0
failed=0

# One output names an absolute path: the URL of the source dataset in
# out/dataset_description.json. Wine shows the Linux file system as drive Z:, so
# sesame.exe must write file:///Z:/tmp/…/windows/cohort where the Linux build writes
# file:///tmp/…/linux/cohort. The exact expected URL is replaced by the Linux one
# before the comparison; any other URL stays and fails it.
desc="$work/windows/out/dataset_description.json"
win_url="file:///Z:$work/windows/cohort"
linux_url="file://$work/linux/cohort"
if [ -f "$desc" ] && grep -qF "\"URL\": \"$win_url\"" "$desc"; then
  awk -v from="\"$win_url\"" -v to="\"$linux_url\"" '
    { i = index($0, from); if (i) $0 = substr($0, 1, i - 1) to substr($0, i + length(from)); print }
  ' "$desc" >"$desc.mapped"
  mv "$desc.mapped" "$desc"
  say "out/dataset_description.json: the source URL is $win_url, as expected; compared as $linux_url"
fi
(cd "$work/linux" && find . -type f ! -name '*.err' | sort) >"$work/linux.files"
(cd "$work/windows" && find . -type f ! -name '*.err' | sort) >"$work/windows.files"
if ! cmp -s "$work/linux.files" "$work/windows.files"; then
  say "the two runs wrote different files:" >&2
  diff "$work/linux.files" "$work/windows.files" >&2 || true
  failed=1
fi
while read -r f; do
  [ -f "$work/windows/$f" ] || continue
  case "$f" in ./in/*) continue ;; esac
  if cmp -s "$work/linux/$f" "$work/windows/$f"; then
    bytes=$((bytes + 1))
  elif worst=$(same_numbers "$work/linux/$f" "$work/windows/$f"); then
    numbers=$((numbers + 1))
    say "same numbers, not the same bytes (largest relative difference $worst): ${f#./}"
  else
    failed=1
    say "DIFFERENT: ${f#./}" >&2
    diff "$work/linux/$f" "$work/windows/$f" | head -20 >&2 || true
  fi
done <"$work/linux.files"

if [ "$failed" != 0 ]; then
  say "FAILED: sesame.exe under Wine does not give the Linux build's outputs" >&2
  exit 1
fi
say "sesame.exe under Wine gives the Linux build's outputs: $bytes files the same bytes, $numbers the same numbers (Wine: $("$WINE" --version); ProcessPrng: $shim)"

# --- the GUI -------------------------------------------------------------------------
# The desktop application draws with OpenGL; Wine passes that to the X server's GLX,
# which Xvfb provides with Mesa's software rasterizer. The settings the application
# keeps in the prefix are removed first, so that it opens on its welcome screen.
if [ "$gui" = 1 ]; then
  rm -rf "$WINEPREFIX"/drive_c/users/*/AppData/Roaming/sesame
  display=:$(( 90 + RANDOM % 100 ))
  Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  sleep 2
  say "starting the GUI under Wine on Xvfb $display"
  (cd "$work/windows" && DISPLAY=$display "$WINE" "$WIN_EXE" >"$work/gui.out" 2>&1) &
  gui_pid=$!
  sleep "${SESAME_GUI_WAIT:-40}"
  mkdir -p docs/img
  if kill -0 "$gui_pid" 2>/dev/null; then
    import -display "$display" -window root docs/img/windows-gui.png
    say "screenshot: docs/img/windows-gui.png"
  else
    say "the GUI ended before the screenshot:" >&2
    sed 's/^/  /' "$work/gui.out" >&2
    exit 1
  fi
fi
say "done in $(( $(date +%s) - t0 )) s"
