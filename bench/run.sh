#!/usr/bin/env bash
# borderwatch's benchmarks against the peers of ../shared/bench, measured in one run.
#
#   bench/run.sh                 # borderwatch only; results in bench/borderwatch_results.jsonl
#   bench/run.sh --with-peers    # also re-measure the peers now (installs them: setup_peers.sh)
#   BENCH_ONLY="formats postgis" bench/run.sh   # some sections only (geocode incidents cli
#                                # formats postgis render extract); results in
#                                # bench/partial_results.jsonl, table on standard output
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
generate queries_10000.csv gen_queries.py 10000
for n in 100000 1000000; do generate "incidents_$n.csv" gen_incidents.py "$n"; done
(cd "$BENCH_DATA" && sha256sum gazetteer_20000.csv lookups_100000.csv queries_10000.csv incidents_100000.csv incidents_1000000.csv) | while read -r sum file; do
  grep -q "$sum" "$shared/README.md" || { echo "bench: $file does not match the peer data's SHA-256"; exit 1; }
done

# want SECTION: whether this run measures SECTION.
want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
[ -z "${BENCH_ONLY:-}" ] || out="$root/bench/partial_results.jsonl"
rm -f "$out"
# Peer figures: re-measured now with --with-peers, else the last ones measured here, else the
# figures shipped in ../shared/bench.
peers="$root/bench/peer_results.jsonl"
[ -f "$peers" ] || peers="$shared/peer_results.jsonl"
if [ "$with_peers" = 1 ]; then
  bash "$shared/setup_peers.sh"
  peers="$root/bench/peer_results.jsonl"
  rm -f "$peers"
  /tmp/bench/venv/bin/python "$shared/peers.py" --data-dir "$BENCH_DATA" --only fuzzy \
    --slow-lookups 2000 --out "$peers" >/dev/null
  /tmp/bench/venv/bin/python "$shared/peers.py" --data-dir "$BENCH_DATA" --sizes 100000 1000000 \
    --only load,tree,knn_env,radius_env,radius_geod,bbox_env,geojson --out "$peers" >/dev/null
fi
want geocode && BENCH_OUT="$out" cargo bench --quiet --bench geocode
want incidents && BENCH_OUT="$out" cargo bench --quiet --bench incidents
# Whole processes, timed like the peers' ogr2ogr: the streaming GeoJSON export, and a one-shot
# `near` query (start-up, CSV load, index build, query) against the pandas script an analyst
# would write for it.
cargo build --quiet --release
bin="$root/target/release/borderwatch"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
want cli && for n in 100000 1000000; do
  python3 "$shared/time_cmd.py" --metric geojson_export --n "$n" --items "$n" --unit rows/s \
    --tool "borderwatch export incidents (streaming, 2 threads; + border_km, side)" \
    --output-file "$scratch/out.geojson" --out "$out" \
    -- "$bin" export incidents --incidents "$BENCH_DATA/incidents_$n.csv" --out "$scratch/out.geojson" >/dev/null
  # ogr2ogr again in this run, as the peers ran it (../shared/bench/peers.py).
  python3 "$shared/time_cmd.py" --metric geojson_export --n "$n" --items "$n" --unit rows/s \
    --tool "ogr2ogr -f GeoJSON (CSV -oo X/Y_POSSIBLE_NAMES, KEEP_GEOM_COLUMNS=NO), this run" \
    --output-file "$scratch/ogr.geojson" --setup "rm -f $scratch/ogr.geojson" --out "$out" \
    -- ogr2ogr -f GeoJSON "$scratch/ogr.geojson" "$BENCH_DATA/incidents_$n.csv" \
       -oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude -oo KEEP_GEOM_COLUMNS=NO >/dev/null
  rm -f "$scratch/ogr.geojson"
  python3 "$shared/time_cmd.py" --metric near_oneshot --n "$n" --items 1 --unit queries/s \
    --tool "borderwatch near --at LAT,LON --km 25 --format json --no-index-file (fresh process: load + index + query)" --out "$out" \
    -- "$bin" near --incidents "$BENCH_DATA/incidents_$n.csv" --at 37.2,69.1 --km 25 --format json --no-index-file >/dev/null
  if [ -x /tmp/bench/venv/bin/python ]; then
    python3 "$shared/time_cmd.py" --metric near_oneshot --n "$n" --items 1 --unit queries/s \
      --tool "pandas read_csv + numpy envelope + pyproj Geod.inv (fresh process, bench/pandas_near.py)" --out "$out" \
      -- /tmp/bench/venv/bin/python bench/pandas_near.py "$BENCH_DATA/incidents_$n.csv" 37.2 69.1 25 >/dev/null
  fi
  # The same with the index file beside the CSV (written by a first, untimed query).
  "$bin" near --incidents "$BENCH_DATA/incidents_$n.csv" --at 37.2,69.1 --km 25 >/dev/null
  python3 "$shared/time_cmd.py" --metric near_oneshot --n "$n" --items 1 --unit queries/s \
    --tool "borderwatch near --at LAT,LON --km 25 --format json (fresh process, index file: reads only the rows in range)" --out "$out" \
    -- "$bin" near --incidents "$BENCH_DATA/incidents_$n.csv" --at 37.2,69.1 --km 25 --format json >/dev/null
done
# FlatGeobuf and GeoParquet exports; the same files by geopandas (when the peers' venv is
# there) and the same FlatGeobuf by ogr2ogr from the CSV.
gpd=/tmp/bench/venv/bin/python
want formats && for n in 100000 1000000; do
  for format in flatgeobuf geoparquet; do
    python3 "$shared/time_cmd.py" --metric "${format}_export" --n "$n" --items "$n" --unit rows/s \
      --tool "borderwatch export incidents --format $format" --output-file "$scratch/out.$format" --out "$out" \
      -- "$bin" export incidents --incidents "$BENCH_DATA/incidents_$n.csv" --format "$format" --out "$scratch/out.$format" >/dev/null
    if [ -x "$gpd" ]; then
      # GDAL picks the FlatGeobuf layout from the name: a .fgb file, else a folder.
      peer_out="$scratch/gpd.$([ $format = flatgeobuf ] && echo fgb || echo parquet)"
      python3 "$shared/time_cmd.py" --metric "${format}_export" --n "$n" --items "$n" --unit rows/s \
        --tool "geopandas read_csv + points_from_xy + $([ $format = flatgeobuf ] && echo 'to_file (pyogrio)' || echo 'to_parquet (1.1, bbox covering)')" \
        --output-file "$peer_out" --setup "rm -f $peer_out" --out "$out" \
        -- "$gpd" bench/geopandas_export.py "$BENCH_DATA/incidents_$n.csv" "$format" "$peer_out"
      rm -f "$peer_out"
    fi
  done
  python3 "$shared/time_cmd.py" --metric flatgeobuf_export --n "$n" --items "$n" --unit rows/s \
    --tool "ogr2ogr -f FlatGeobuf (from the CSV)" --output-file "$scratch/ogr.fgb" --setup "rm -f $scratch/ogr.fgb" --out "$out" \
    -- ogr2ogr -f FlatGeobuf "$scratch/ogr.fgb" "$BENCH_DATA/incidents_$n.csv" \
       -oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude -a_srs EPSG:4326 >/dev/null
  rm -f "$scratch/ogr.fgb"
done
# PostGIS on a throwaway cluster: push (upsert) against ogr2ogr's plain load, and near --db.
pg="$scratch/pgcluster"
mkdir -p "$pg" && chmod 755 "$scratch" "$pg"
if want postgis && url=$(scripts/pg_cluster start "$pg/pg" 2>/dev/null); then
  export PGPASSFILE="$pg/pg/pgpass"
  port=${url##*:}; port=${port%%/*}
  for n in 100000 1000000; do
    # One run: a repeat would time the no-change path of the upsert instead.
    python3 "$shared/time_cmd.py" --metric postgis_push --n "$n" --items "$n" --unit rows/s --repeats 1 \
      --tool "borderwatch db push incidents (COPY + upsert + GiST)" --out "$out" \
      -- "$bin" db push incidents --db "$url" --schema "b$n" --incidents "$BENCH_DATA/incidents_$n.csv"
    python3 "$shared/time_cmd.py" --metric postgis_push --n "$n" --items "$n" --unit rows/s --repeats 1 \
      --tool "ogr2ogr -f PostgreSQL (plain load, geography)" --out "$out" \
      -- ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$port dbname=borderwatch user=borderwatch" \
         "$BENCH_DATA/incidents_$n.csv" -nln "ogr$n" -overwrite -oo X_POSSIBLE_NAMES=longitude \
         -oo Y_POSSIBLE_NAMES=latitude -a_srs EPSG:4326 -lco GEOM_TYPE=geography
    python3 "$shared/time_cmd.py" --metric near_db --n "$n" --items 1 --unit queries/s \
      --tool "borderwatch near --at LAT,LON --km 25 --db (server query)" --out "$out" \
      -- "$bin" near --db "$url" --schema "b$n" --at 37.2,69.1 --km 25 --format json >/dev/null
  done
  scripts/pg_cluster stop "$pg/pg"
fi
want render && BENCH_OUT="$out" cargo bench --quiet --bench render
want extract && BENCH_OUT="$out" cargo bench --quiet --bench extract
if [ -n "${BENCH_ONLY:-}" ]; then
  python3 "$shared/table.py" "$out"
  echo "bench: wrote $out"
else
  python3 "$shared/table.py" "$peers" "$out" > bench/RESULTS.md
  echo "bench: wrote $out and bench/RESULTS.md"
fi
