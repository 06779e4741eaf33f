#!/usr/bin/env bash
# Release artefacts, all from one script:
#
#   scripts/dist.sh [--install] [--no-windows] [--out DIR] [--profile P]
#
#   DIR/sesame-VERSION-windows-x86_64.zip   sesame.exe, README.txt, the sample, SHA256SUMS
#   DIR/sesame-VERSION-linux-x86_64.tar.gz  sesame, README.md, the sample, SHA256SUMS
#   DIR/sesame_VERSION-1_amd64.deb          /usr/bin/sesame, the sample in
#                                           /usr/share/sesame/sample-data/, SHA256SUMS
#   DIR/SHA256SUMS                          the checksums of the three files above
#
# DIR defaults to dist/. --install installs what a Debian/Ubuntu machine lacks (the
# Windows cross toolchain, dpkg-dev, zip); --no-windows skips the Windows zip;
# --profile P packs the Linux build of cargo profile P instead of release, a quick check
# of the packaging itself (`--profile test` reuses the test suite's build).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

install=0
windows=1
out="$repo/dist"
profile=release
while [ $# -gt 0 ]; do
  case "$1" in
    --install) install=1 ;;
    --no-windows) windows=0 ;;
    --out) out=$(realpath -m "${2:?}"); shift ;;
    --profile) profile=${2:?}; shift ;;
    *) echo "usage: scripts/dist.sh [--install] [--no-windows] [--out DIR] [--profile P]" >&2; exit 2 ;;
  esac
  shift
done
say() { echo "dist: $*"; }

# shellcheck source=scripts/lib/mingw-env.sh
source scripts/lib/mingw-env.sh
need_native_build
need dpkg-shlibdeps dpkg-dev
need zip zip
if [ "$windows" = 1 ]; then
  need_mingw
  need_rust_target
fi
provide_tools dist "$install"

version=$(sed -n '/^\[workspace.package\]/,/^\[/ s/^version = "\(.*\)"/\1/p' Cargo.toml)
[ -n "$version" ] || { say "no version in Cargo.toml" >&2; exit 1; }
export CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
# Archives hold their files in a fixed order, dated with the date of the commit built
# (read before the builds, which record that commit).
stamp=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH="$stamp"

say "building sesame $version for Linux"
cargo build --profile "$profile" --locked -p sesame
linux_bin="$CARGO_TARGET_DIR/$(profile_dir "$profile")/sesame"
if [ "$windows" = 1 ]; then
  say "building sesame $version for Windows"
  cargo build --release --locked --target "$MINGW_TARGET" -p sesame
  win_exe="$CARGO_TARGET_DIR/$MINGW_TARGET/release/sesame.exe"
fi
built=$("$linux_bin" --version)
say "built: $built"
built=${built#sesame }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"

# sample DIR: the sample recording, its ground truth and its README into DIR.
sample() {
  mkdir -p "$1"
  cp sample-data/sesame-sample.edf sample-data/sesame-sample.truth.json sample-data/README.md "$1/"
}

# sums DIR: SHA256SUMS in DIR listing every other file below it, sorted by path.
sums() {
  (cd "$1" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort |
    xargs -d '\n' sha256sum >SHA256SUMS)
}

artefacts=()

# --- Windows zip ---------------------------------------------------------------------
if [ "$windows" = 1 ]; then
  name="sesame-$version-windows-x86_64"
  d="$stage/$name"
  mkdir -p "$d"
  cp "$win_exe" "$d/sesame.exe"
  x86_64-w64-mingw32-strip "$d/sesame.exe"
  sample "$d/sample-data"
  sed "s|@VERSION@|$built|" scripts/dist/README-windows.txt | sed 's/$/\r/' >"$d/README.txt"
  sums "$d"
  find "$d" -exec touch -h -d "@$stamp" {} +
  rm -f "$out/$name.zip"
  (cd "$stage" && find "$name" -type f | LC_ALL=C sort | zip -q -X -@ "$out/$name.zip")
  artefacts+=("$name.zip")
fi

# --- Linux tarball -------------------------------------------------------------------
name="sesame-$version-linux-x86_64"
d="$stage/$name"
mkdir -p "$d"
install -m 755 "$linux_bin" "$d/sesame"
strip "$d/sesame"
sample "$d/sample-data"
sed "s|@VERSION@|$built|" scripts/dist/README-linux.md >"$d/README.md"
sums "$d"
tar --sort=name --mtime="@$stamp" --owner=0 --group=0 --numeric-owner \
  -C "$stage" -czf "$out/$name.tar.gz" "$name"
artefacts+=("$name.tar.gz")

# --- Debian package ------------------------------------------------------------------
deb="$stage/deb"
mkdir -p "$deb/DEBIAN" "$deb/usr/bin" "$deb/usr/share/doc/sesame" "$deb/usr/share/applications"
install -m 755 "$linux_bin" "$deb/usr/bin/sesame"
strip "$deb/usr/bin/sesame"
sample "$deb/usr/share/sesame/sample-data"
sed "s|@VERSION@|$built|" scripts/dist/README-linux.md >"$deb/usr/share/doc/sesame/README.md"
cp scripts/dist/copyright "$deb/usr/share/doc/sesame/copyright"
cp scripts/dist/sesame.desktop "$deb/usr/share/applications/sesame.desktop"
# The libraries the executable links (libc6, libgcc-s1, libstdc++6, as dpkg-shlibdeps
# finds them), plus what the GUI loads when it starts: X11 or Wayland, OpenGL/EGL,
# xkbcommon, and a file-dialog backend (the desktop portal, or zenity as fallback).
mkdir -p "$stage/shlibs/debian"
touch "$stage/shlibs/debian/control"
linked=$(cd "$stage/shlibs" && dpkg-shlibdeps -O "$deb/usr/bin/sesame" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')
gui_deps="libx11-6, libxcursor1, libxrandr2, libxi6, libx11-xcb1, libxkbcommon-x11-0, libxkbcommon0, libgl1 | libegl1, zenity | xdg-desktop-portal-gtk | xdg-desktop-portal-kde | xdg-desktop-portal-gnome"
installed_kb=$(du -sk "$deb/usr" | cut -f1)
deb_version="$version-1"
sed -e "s/@VERSION@/$deb_version/" -e "s/@DEPENDS@/${linked:+$linked, }$gui_deps/" \
  -e "s/@SIZE@/$installed_kb/" scripts/dist/control >"$deb/DEBIAN/control"
(cd "$deb" && find usr -type f | LC_ALL=C sort | xargs -d '\n' md5sum >DEBIAN/md5sums)
(cd "$deb" && find usr -type f | LC_ALL=C sort | xargs -d '\n' sha256sum |
  sed 's|  usr/|  /usr/|' >"$stage/SHA256SUMS.deb")
mv "$stage/SHA256SUMS.deb" "$deb/usr/share/doc/sesame/SHA256SUMS"
find "$deb" -exec touch -h -d "@$stamp" {} +
chmod -R u+rwX,go+rX,go-w "$deb"
name="sesame_${deb_version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$deb" "$out/$name" >/dev/null
artefacts+=("$name")

(cd "$out" && sha256sum "${artefacts[@]}" >SHA256SUMS)
say "wrote to $out:"
(cd "$out" && ls -l "${artefacts[@]}" SHA256SUMS | awk '{printf "  %10d  %s\n", $5, $9}')
