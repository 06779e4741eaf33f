# What scripts/dist.sh and scripts/windows-check.sh share: the environment for
# cross-compiling sesame to x86_64-pc-windows-gnu with MinGW-w64, and the check for the
# tools a script needs (installed with apt-get and rustup when it was asked to).
#
# Sourcing it sets the cross toolchain, so it also serves to build by hand:
#   source scripts/lib/mingw-env.sh
#   cargo build --release --target x86_64-pc-windows-gnu -p sesame
#
# HiGHS (C++, built by the highs-sys crate's cmake) uses std::thread, which Debian's
# and Ubuntu's MinGW-w64 offer only in their POSIX-threads flavour (`…-posix`); other
# distributions ship that flavour under the plain name. cmake is told the target by the
# cmake crate; the compilers come from these variables. `-static` links MinGW's own
# libraries statically; the C++ runtime HiGHS needs is linked from libstdc++.a by
# app/build.rs (see docs/install.md), so sesame.exe needs no MinGW DLL.

MINGW_TARGET=x86_64-pc-windows-gnu

_mingw_flavour() {
  if command -v "x86_64-w64-mingw32-$1-posix" >/dev/null 2>&1; then
    echo "x86_64-w64-mingw32-$1-posix"
  else
    echo "x86_64-w64-mingw32-$1"
  fi
}
export CC_x86_64_pc_windows_gnu="${CC_x86_64_pc_windows_gnu:-$(_mingw_flavour gcc)}"
export CXX_x86_64_pc_windows_gnu="${CXX_x86_64_pc_windows_gnu:-$(_mingw_flavour g++)}"
export AR_x86_64_pc_windows_gnu="${AR_x86_64_pc_windows_gnu:-x86_64-w64-mingw32-ar}"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER="${CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER:-$CC_x86_64_pc_windows_gnu}"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="${CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS:--C link-args=-static}"
unset -f _mingw_flavour

# --- the tools a script needs -------------------------------------------------------
# need COMMAND PACKAGE…: the Debian packages to install when COMMAND is not on PATH.
# need_native_build, need_mingw, need_rust_target: the usual groups.
# provide_tools PREFIX INSTALL: installs what is missing when INSTALL is 1, otherwise
# ends the script with what to install (messages start with `PREFIX: `).
_missing_pkgs=()
_missing_target=""
need() {
  command -v "$1" >/dev/null 2>&1 || _missing_pkgs+=("${@:2}")
}
# cmake and a C++ compiler build HiGHS; libclang runs its bindings generator.
need_native_build() {
  need cmake cmake
  need g++ g++
  [ -n "$(ls /usr/lib/llvm-*/lib/libclang*.so* 2>/dev/null | head -1)" ] || _missing_pkgs+=(libclang-dev)
}
# The MinGW-w64 compilers, and the binutils that list a DLL's imports and strip it.
need_mingw() {
  need x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
  need x86_64-w64-mingw32-g++ g++-mingw-w64-x86-64
  need x86_64-w64-mingw32-objdump binutils-mingw-w64-x86-64
  need x86_64-w64-mingw32-strip binutils-mingw-w64-x86-64
}
need_rust_target() {
  rustup target list --installed 2>/dev/null | grep -qx "$MINGW_TARGET" || _missing_target=$MINGW_TARGET
}
provide_tools() {
  local prefix=$1 install=$2 sudo=""
  local pkgs
  mapfile -t pkgs < <(printf '%s\n' "${_missing_pkgs[@]}" | awk 'NF && !seen[$0]++')
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi
  if [ ${#pkgs[@]} -gt 0 ]; then
    if [ "$install" = 1 ]; then
      echo "$prefix: installing ${pkgs[*]}"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
    else
      echo "$prefix: missing: ${pkgs[*]} (apt-get install them, or rerun with --install)" >&2
      exit 1
    fi
  fi
  if [ -n "$_missing_target" ]; then
    if [ "$install" = 1 ]; then
      rustup target add "$_missing_target"
    else
      echo "$prefix: missing the Rust target: rustup target add $_missing_target (or rerun with --install)" >&2
      exit 1
    fi
  fi
  _missing_pkgs=()
  _missing_target=""
}

# profile_dir PROFILE: the folder of $CARGO_TARGET_DIR that holds a cargo profile's
# build (`dev` and `test` share `debug`, `bench` builds into `release`).
profile_dir() {
  case "$1" in
    dev | test) echo debug ;;
    bench) echo release ;;
    *) echo "$1" ;;
  esac
}
