"""GeoParquet written by borderwatch, read back by DuckDB and by Apache Arrow (pyarrow), with
GEOS (shapely) decoding every WKB geometry. Compares each layer with the GeoJSON export of the
same data: feature count, features without geometry (null WKB and null bbox, as GeoJSON's null
geometry), bbox, geometry types, column types. Prints "formats: N passed,
N failed" and exits non-zero on a failure. Run by scripts/formats_test."""

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import shapely

BIN = sys.argv[1]
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"not ok - {name} {detail}")


def export(args, out):
    subprocess.run([BIN, "export", *args, "--out", str(out)], check=True, capture_output=True)


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    layers = ["incidents", "places", "border", "countries", "rivers", "districts", "buffer", "segments", "grid"]
    export([*layers, "--format", "geojson"], tmp / "gj")
    export([*layers, "--format", "geoparquet"], tmp / "gp")
    con = duckdb.connect()
    for layer in layers:
        geojson = json.loads((tmp / "gj" / f"{layer}.geojson").read_text())
        path = tmp / "gp" / f"{layer}.parquet"
        table = pq.read_table(path)
        meta = json.loads(pq.read_metadata(path).metadata[b"geo"])
        column = meta["columns"]["geometry"]
        check(f"{layer}: geo metadata 1.1.0, WKB", meta["version"] == "1.1.0" and column["encoding"] == "WKB")
        check(f"{layer}: covering declared", column["covering"]["bbox"]["xmin"] == ["bbox", "xmin"])
        check(f"{layer}: count (Arrow)", table.num_rows == len(geojson["features"]), f"{table.num_rows}")
        (count,) = con.sql(f"select count(*) from '{path}'").fetchone()
        check(f"{layer}: count (DuckDB)", count == len(geojson["features"]), f"{count}")
        geometries = shapely.from_wkb(table.column("geometry").to_pylist())
        missing = shapely.is_missing(geometries)
        nulls = sum(1 for f in geojson["features"] if f["geometry"] is None)
        if layer == "incidents":
            check("incidents: the one without coordinates is kept (BW-AFG-0002)", nulls == 1, f"{nulls}")
        check(f"{layer}: {nulls} without geometry (Arrow)", int(missing.sum()) == nulls, f"{missing.sum()}")
        (count,) = con.sql(f"select count(*) from '{path}' where geometry is null and bbox is null").fetchone()
        check(f"{layer}: {nulls} with null geometry and bbox (DuckDB)", count == nulls, f"{count}")
        geometries = geometries[~missing]
        bounds = shapely.total_bounds(geometries)
        want = geojson.get("bbox")
        check(f"{layer}: bbox of the WKB = GeoJSON bbox",
              want is not None and all(abs(a - b) < 1e-9 for a, b in zip(bounds, want)), f"{bounds} {want}")
        check(f"{layer}: bbox in the metadata", all(abs(a - b) < 1e-9 for a, b in zip(column["bbox"], want)))
        types = sorted({g.geom_type for g in geometries})
        check(f"{layer}: geometry types", types == column["geometry_types"], f"{types} {column['geometry_types']}")
        xmin = con.sql(f"select min(bbox.xmin), max(bbox.xmax) from '{path}'").fetchone()
        check(f"{layer}: covering columns agree (DuckDB)", abs(xmin[0] - want[0]) < 1e-9 and abs(xmin[1] - want[2]) < 1e-9)
        valid = shapely.is_valid(geometries).all() if layer not in ("border", "rivers", "segments") else True
        check(f"{layer}: every geometry decodes{' and is valid' if layer not in ('border', 'rivers', 'segments') else ''}", bool(valid))
    schema = {f.name: str(f.type) for f in pq.read_schema(tmp / "gp" / "incidents.parquet")}
    for name, kind in [("event_id_cnty", "string"), ("fatalities", "int64"), ("latitude", "double"),
                       ("border_km", "double"), ("event_date", "string")]:
        check(f"incidents: {name} is {kind}", schema.get(name) == kind, str(schema.get(name)))
    duck = dict(con.sql(f"select column_name, column_type from (describe select * from '{tmp}/gp/incidents.parquet')").fetchall())
    check("incidents: DuckDB types", duck["fatalities"] == "BIGINT" and duck["latitude"] == "DOUBLE", str(duck))

    # 131,072 incidents: two full row groups in Hilbert order, each covering about half.
    rng = random.Random(7)
    rows = ["event_id_cnty,event_date,event_type,latitude,longitude,fatalities"]
    for i in range(131_072):
        rows.append(f"G-{i},2021-01-01,Battles,{rng.uniform(36.5, 38.5):.5f},{rng.uniform(67.5, 74.5):.5f},{i % 5}")
    (tmp / "many.csv").write_text("\n".join(rows) + "\n")
    export(["incidents", "--incidents", str(tmp / "many.csv"), "--format", "geoparquet"], tmp / "many.parquet")
    meta = pq.read_metadata(tmp / "many.parquet")
    check("131k incidents: two row groups", meta.num_row_groups == 2, str(meta.num_row_groups))
    # Row-group statistics of the covering columns, as DuckDB reads them to skip row groups.
    stats = con.sql(f"""select row_group_id, path_in_schema, stats_min_value::double, stats_max_value::double
                       from parquet_metadata('{tmp}/many.parquet') where path_in_schema like 'bbox,%'""").fetchall()
    areas = []
    for g in range(meta.num_row_groups):
        s_ = {p.split(', ')[1]: (lo, hi) for rg, p, lo, hi in stats if rg == g}
        areas.append((s_["xmax"][1] - s_["xmin"][0]) * (s_["ymax"][1] - s_["ymin"][0]))
    check("131k incidents: each row group covers part of the area", all(a < 0.8 * 7 * 2 for a in areas), str(areas))
    (n,) = con.sql(f"select count(*) from '{tmp}/many.parquet' where bbox.xmin > 72 and bbox.ymin > 37.5").fetchone()
    check("131k incidents: a bbox query through the covering", 21_000 < n < 26_000, str(n))

print(f"\nformats: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
