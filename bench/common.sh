# Shared set-up of the benchmark scripts, sourced by them: sets SESAME_BIN (building
# the release binary unless it is given) and checks that /usr/bin/time is present.
# NAME is the calling script's name, for messages.
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
if [[ -z "${SESAME_BIN:-}" ]]; then
  (cd "$ROOT" && cargo build -q --release -p sesame --bin sesame)
  SESAME_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/sesame"
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "$NAME: /usr/bin/time is missing (Debian: apt-get install time)" >&2
  exit 2
fi
