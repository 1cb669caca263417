#!/usr/bin/env python3
"""The pandas peer of a one-shot `borderwatch near --at LAT,LON --km R --format json`: what an
analyst would script for one question in a fresh process. Read the CSV (pandas, C engine),
keep the rows in a degree envelope around the point (numpy), measure those exactly on WGS84
(pyproj.Geod.inv, Karney), print the hits nearest first as JSON lines with distance_km.
No tree: for a single query a vectorised scan is faster than building one.

    python3 bench/pandas_near.py INCIDENTS.csv LAT LON KM
"""

import math
import sys

import numpy
import pandas
import pyproj


def main() -> None:
    source, lat, lon, km = sys.argv[1], *map(float, sys.argv[2:5])
    frame = pandas.read_csv(source)
    lats = frame["latitude"].to_numpy()
    lons = frame["longitude"].to_numpy()
    # A conservative envelope: a degree of latitude is at least 110.5 km, a degree of
    # longitude at least that times the cosine of the envelope's most poleward latitude.
    dlat = km / 110.5 + 1e-6
    far = min(89.9, abs(lat) + dlat)
    dlon = km / (110.5 * math.cos(math.radians(far))) + 1e-6
    near = (numpy.abs(lats - lat) <= dlat) & (numpy.abs(lons - lon) <= dlon)
    candidates = frame[near].copy()
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(
        numpy.full(len(candidates), lon),
        numpy.full(len(candidates), lat),
        candidates["longitude"].to_numpy(),
        candidates["latitude"].to_numpy(),
    )
    candidates["distance_km"] = metres / 1000.0
    hits = candidates[candidates["distance_km"] <= km].sort_values("distance_km", kind="stable")
    hits["distance_km"] = hits["distance_km"].round(3)
    sys.stdout.write(hits.to_json(orient="records", lines=True))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
