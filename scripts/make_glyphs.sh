#!/usr/bin/env bash
# Makes the label glyphs of the web map (signed-distance-field PBFs, the format MapLibre reads)
# from the fonts shipped in fonts/, with versatiles_glyphs (pure Rust, installed from crates.io
# into target/tools). Keeps the Unicode ranges our place names use: Latin with its extensions
# and transliteration marks, punctuation, and Cyrillic with the Tajik letters. Arabic script is
# left to the briefing images: MapLibre draws it unshaped without its RTL plugin.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=target/tools
[ -x "$tools/bin/versatiles_glyphs" ] ||
  cargo install --quiet --locked versatiles_glyphs --version 0.10.1 --root "$tools"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make() { # font file, font stack name, ranges...
  local font=$1 stack=$2
  shift 2
  "$tools/bin/versatiles_glyphs" merge -o "$tmp/$stack" "fonts/$font" >/dev/null 2>&1
  rm -rf "web/glyphs/$stack"
  mkdir -p "web/glyphs/$stack"
  for range in "$@"; do cp "$tmp/$stack/$range.pbf" "web/glyphs/$stack/"; done
}
make NotoSans-Regular.ttf "Noto Sans Regular" 0-255 256-511 512-767 768-1023 1024-1279 1280-1535 7680-7935 8192-8447
make NotoSans-Bold.ttf "Noto Sans Bold" 0-255 256-511 1024-1279 8192-8447
du -sh web/glyphs
