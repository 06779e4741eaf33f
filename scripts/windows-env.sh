# Environment for cross-compiling sesame to x86_64-pc-windows-gnu with MinGW-w64:
#   source scripts/windows-env.sh
#   cargo build --release --target x86_64-pc-windows-gnu -p sesame
#
# HiGHS (C++, built by the highs-sys crate's cmake) uses std::thread, which Debian's
# and Ubuntu's MinGW-w64 offer only in their POSIX-threads flavour (`…-posix`); other
# distributions ship that flavour under the plain name. cmake is told the target by the
# cmake crate; the compilers come from these variables. `-static` links MinGW's own
# libraries statically; the C++ runtime HiGHS needs is linked from libstdc++.a by
# app/build.rs (see docs/install.md), so sesame.exe needs no MinGW DLL.
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
