#!/usr/bin/env bash
# Fails when Rust code uses a platform-specific API outside a platform `cfg`.
#
# Flagged: `std::os::unix`, `std::os::linux`, `std::os::fd`, `std::os::windows` and
# `libc::`. A use is guarded when it sits in an item, block or statement that carries
# `#[cfg(...)]` naming `unix`, `windows`, `target_os` or `target_family`, or in a file
# whose first lines hold such an inner `#![cfg(...)]`. The portable path beside it is a
# matter for review; this check only keeps a new unguarded use from slipping in (the
# Windows build would catch it too, but much later).
#
# Also checked: `libc` is declared only in target-specific dependency tables
# (`[target.'cfg(unix)'.dependencies]`).
#
# `check-portable.sh --self-test` runs the check on small examples first.
set -euo pipefail
cd "$(dirname "$0")/.."

# scan FILE…: prints `file:line: text` for every unguarded use.
scan() {
  awk '
    FNR == 1 { depth = 0; guard = -1; pending = 0; whole = 0 }
    {
      code = $0
      sub(/\/\/.*/, "", code)
      platform = "(unix|windows|target_os|target_family)"
      if (FNR <= 40 && code ~ ("^[ \t]*#!\\[cfg\\(.*" platform)) whole = 1
      is_cfg = (code ~ ("#\\[cfg\\(.*" platform))
      is_attr = (code ~ /^[ \t]*#\[/)
      blank = (code ~ /^[ \t]*$/)
      # the first line of code after a platform cfg starts the guarded item
      if (pending && !is_attr && !blank && guard < 0) { guard = depth; pending = 0 }
      guarded = whole || guard >= 0
      if (!guarded && code ~ /std::os::(unix|linux|fd|windows)|libc::/) {
        printf "%s:%d: %s\n", FILENAME, FNR, $0
      }
      if (is_cfg && guard < 0) pending = 1
      tmp = code; opens = gsub(/\{/, "", tmp)
      tmp = code; closes = gsub(/\}/, "", tmp)
      depth += opens - closes
      if (guard >= 0 && depth <= guard && (closes > 0 || code ~ /;[ \t]*$/)) guard = -1
    }
  ' "$@"
}

# libc_outside_target_tables FILE…: prints manifests declaring libc outside a
# `[target.…]` dependency table.
libc_outside_target_tables() {
  awk '
    /^\[/ { table = $0 }
    /^[ \t]*libc[ \t]*=/ && table !~ /^\[target\./ { printf "%s: libc in %s\n", FILENAME, table }
  ' "$@"
}

self_test() {
  local dir
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  cat >"$dir/good.rs" <<'EOF'
fn read(f: &File) {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(f, buf, 0)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
    }
}
#[cfg(unix)]
// SAFETY: a comment between the attribute and the item
unsafe {
    libc::signal(libc::SIGPIPE, libc::SIG_DFL);
}
#[test]
#[cfg(target_os = "linux")]
fn pipe() {
    use std::os::fd::AsRawFd;
    let size = unsafe { libc::fcntl(0, libc::F_SETPIPE_SZ, 4096) };
}
EOF
  cat >"$dir/bad.rs" <<'EOF'
#[cfg(unix)]
use std::os::unix::fs::FileExt;
use std::os::unix::fs::PermissionsExt;
fn f() {
    #[cfg(test)]
    let _ = unsafe { libc::getpid() };
}
EOF
  cat >"$dir/Cargo.toml" <<'EOF'
[dependencies]
libc = "0.2"
[target.'cfg(unix)'.dependencies]
libc = "0.2"
EOF
  local good bad manifest
  good=$(scan "$dir/good.rs")
  bad=$(scan "$dir/bad.rs" | wc -l)
  manifest=$(libc_outside_target_tables "$dir/Cargo.toml" | wc -l)
  if [ -n "$good" ] || [ "$bad" != 2 ] || [ "$manifest" != 1 ]; then
    echo "check-portable: self-test failed (guarded flagged: '$good'; unguarded found: $bad of 2; manifest: $manifest of 1)" >&2
    return 1
  fi
  echo "check-portable: self-test passed"
}

if [ "${1:-}" = "--self-test" ]; then
  self_test
fi

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t sources < <(git ls-files -- '*.rs')
  mapfile -t manifests < <(git ls-files -- '*Cargo.toml')
else
  mapfile -t sources < <(find . -name '*.rs' -not -path '*/target/*' | sort)
  mapfile -t manifests < <(find . -name Cargo.toml -not -path '*/target/*' | sort)
fi
found=$(scan "${sources[@]}"; libc_outside_target_tables "${manifests[@]}")
if [ -n "$found" ]; then
  echo "check-portable: platform-specific API outside a platform cfg:" >&2
  echo "$found" >&2
  echo "check-portable: put it under #[cfg(unix)]/#[cfg(windows)] with a portable path beside it" >&2
  exit 1
fi
echo "check-portable: ${#sources[@]} Rust files, ${#manifests[@]} manifests: no unguarded platform API"
