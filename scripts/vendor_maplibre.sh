#!/usr/bin/env bash
# Refreshes web/vendor/ from the npm package of MapLibre GL JS: the UMD build (worker inlined,
# so it loads from file://), its stylesheet and its BSD-3-Clause licence. The binary embeds
# these files; building and running borderwatch needs neither npm nor the network.
# npm checks the package against the registry's integrity hash; web/vendor/SHA256SUMS pins the
# files we keep, and the tests check it.
set -euo pipefail
version="${1:-5.24.1}"
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "maplibre-gl@$version" >/dev/null && tar xzf "maplibre-gl-$version.tgz")
out=web/vendor
rm -f "$out"/maplibre-gl.js "$out"/maplibre-gl.css "$out"/LICENSE.maplibre.txt
cp "$tmp/package/dist/maplibre-gl.js" "$out/maplibre-gl.js"
cp "$tmp/package/dist/maplibre-gl.css" "$out/maplibre-gl.css"
cp "$tmp/package/LICENSE.txt" "$out/LICENSE.maplibre.txt"
echo "$version" > "$out/MAPLIBRE_VERSION"
(cd "$out" && sha256sum maplibre-gl.js maplibre-gl.css LICENSE.maplibre.txt MAPLIBRE_VERSION > SHA256SUMS)
echo "web/vendor: maplibre-gl $version"
