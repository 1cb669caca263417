#!/usr/bin/env bash
# borderwatch's benchmarks against the peers of ../shared/bench, measured in one run.
#
#   bench/run.sh                 # borderwatch only; results in bench/borderwatch_results.jsonl
#   bench/run.sh --with-peers    # also re-measure the peers now (installs them: setup_peers.sh)
#
# Generates any missing data into $BENCH_DATA (default /tmp/bench/data) with the peer
# generators, checks their SHA-256 against ../shared/bench/README.md, runs `cargo bench`, and
# renders bench/RESULTS.md with ../shared/bench/table.py. Not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared="${BORDERWATCH_SHARED_BENCH:-../shared/bench}"
export BENCH_DATA="${BENCH_DATA:-/tmp/bench/data}"
out="$root/bench/borderwatch_results.jsonl"
with_peers=0
[ "${1:-}" = "--with-peers" ] && with_peers=1

mkdir -p "$BENCH_DATA"
generate() { # file, generator arguments...
  local file=$1; shift
  [ -f "$BENCH_DATA/$file" ] || (cd "$shared" && python3 "$@" -o "$BENCH_DATA/$file")
}
generate gazetteer_20000.csv gen_gazetteer.py gazetteer 20000
generate lookups_100000.csv gen_gazetteer.py lookups 100000
(cd "$BENCH_DATA" && sha256sum gazetteer_20000.csv lookups_100000.csv) | while read -r sum file; do
  grep -q "$sum" "$shared/README.md" || { echo "bench: $file does not match the peer data's SHA-256"; exit 1; }
done

rm -f "$out"
peers="$shared/peer_results.jsonl"
if [ "$with_peers" = 1 ]; then
  bash "$shared/setup_peers.sh"
  peers="$root/bench/peer_results.jsonl"
  rm -f "$peers"
  /tmp/bench/venv/bin/python "$shared/peers.py" --data-dir "$BENCH_DATA" --only fuzzy \
    --slow-lookups 2000 --out "$peers" >/dev/null
fi
BENCH_OUT="$out" cargo bench --quiet --bench geocode
python3 "$shared/table.py" "$peers" "$out" > bench/RESULTS.md
echo "bench: wrote $out and bench/RESULTS.md"
