#!/usr/bin/env python3
"""The geopandas peer of `borderwatch export incidents --format flatgeobuf|geoparquet`:
read the incident CSV with pandas, make the points, write the file. Timed as a whole
process by ../shared/bench/time_cmd.py, like our binary.

    python3 bench/geopandas_export.py INCIDENTS.csv flatgeobuf|geoparquet OUT

FlatGeobuf through pyogrio (GDAL's driver, with its spatial index); GeoParquet 1.1 through
pyarrow with the bbox covering column, as ours writes.
"""

import sys

import geopandas
import pandas


def main() -> None:
    source, kind, out = sys.argv[1:4]
    frame = pandas.read_csv(source)
    layer = geopandas.GeoDataFrame(
        frame,
        geometry=geopandas.points_from_xy(frame["longitude"], frame["latitude"]),
        crs="EPSG:4326",
    )
    if kind == "flatgeobuf":
        layer.to_file(out, driver="FlatGeobuf", engine="pyogrio", layer="incidents")
    elif kind == "geoparquet":
        layer.to_parquet(out, schema_version="1.1.0", write_covering_bbox=True)
    else:
        sys.exit(f"unknown format {kind!r}")


if __name__ == "__main__":
    main()
