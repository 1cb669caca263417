//! Reference layers compiled into the binary (see `data/SOURCES.md`): the
//! Afghanistan–Tajikistan border, country polygons and district polygons, and
//! [`Reference::locate`], which answers "where is this point?".

use std::sync::OnceLock;

use geo::{BoundingRect, Contains, Intersects, MultiPolygon, Point, Rect};
use serde::Serialize;

use crate::gazetteer::{Gazetteer, Kind};
use crate::spatial::{Nearest, Polyline, bearing_deg, bearing_if_apart, geodesic_km};

/// Metres in a kilometre, for rounding distances to the metre.
const METRES_PER_KM: f64 = 1000.0;

/// The raw GeoJSON of each bundled layer, by file name under `data/`.
pub const LAYERS: [(&str, &str); 6] = [
    (
        "border_af_tj.geojson",
        include_str!("../../data/border_af_tj.geojson"),
    ),
    (
        "borders.geojson",
        include_str!("../../data/borders.geojson"),
    ),
    (
        "countries.geojson",
        include_str!("../../data/countries.geojson"),
    ),
    ("rivers.geojson", include_str!("../../data/rivers.geojson")),
    (
        "districts_afg.geojson",
        include_str!("../../data/districts_afg.geojson"),
    ),
    (
        "districts_tjk.geojson",
        include_str!("../../data/districts_tjk.geojson"),
    ),
];

fn layer(name: &str) -> &'static str {
    LAYERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .expect("bundled layer exists")
}

/// A named polygon: a country or a district.
#[derive(Debug, Clone)]
pub struct Region {
    /// Country code (ISO alpha-2).
    pub country: String,
    /// Province (canonical gazetteer name) for districts; empty for countries.
    pub admin1: String,
    /// District (canonical gazetteer name) for districts; the country name for countries.
    pub name: String,
    /// Gazetteer id of the place this polygon belongs to, when there is one.
    pub place_id: Option<String>,
    /// The outline, WGS84.
    pub polygon: MultiPolygon,
    bbox: Rect,
}

impl Region {
    fn contains(&self, p: Point) -> bool {
        let c = p.0;
        let (min, max) = (self.bbox.min(), self.bbox.max());
        c.x >= min.x && c.x <= max.x && c.y >= min.y && c.y <= max.y && self.polygon.contains(&p)
    }
}

/// Which side of the Afghanistan–Tajikistan border a point lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Side {
    /// Afghanistan.
    AF,
    /// Tajikistan.
    TJ,
    /// Neither (another country, or off the map).
    #[serde(rename = "other")]
    Other,
}

impl Side {
    /// `AF`, `TJ` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::AF => "AF",
            Side::TJ => "TJ",
            Side::Other => "other",
        }
    }
}

/// The answer to "where is this point?".
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    /// The point's latitude, degrees.
    pub lat: f64,
    /// The point's longitude, degrees.
    pub lon: f64,
    /// ISO alpha-2 code of the country polygon containing the point.
    pub country: Option<String>,
    /// The country's name.
    pub country_name: Option<String>,
    /// The province containing the point.
    pub admin1: Option<String>,
    /// The district containing the point.
    pub admin2: Option<String>,
    /// Gazetteer id of the district containing the point.
    pub district_id: Option<String>,
    /// Geodesic distance to the Afghanistan–Tajikistan border, km.
    pub border_km: f64,
    /// The nearest border point, [lon, lat].
    pub border_point: [f64; 2],
    /// The side of the AF–TJ border the point lies on.
    pub side: Side,
    /// Set where the layers disagree: the country outline (Natural Earth) puts the point in
    /// one country and the district outlines in a district of another. The district fields
    /// then stay empty (they must agree with the country) and this names the other reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<String>,
}

/// The bundled reference layers, parsed once.
#[derive(Debug)]
pub struct Reference {
    border: Polyline,
    countries: Vec<Region>,
    /// Parsed when first needed: most commands only ask for the border and the sides.
    districts: OnceLock<Vec<Region>>,
    country_cells: CellCache,
}

/// Which country each cell of a grid over the region lies in, worked out on first use: a
/// cell that no country boundary crosses answers for every point in it, so the polygon test
/// runs once per cell instead of once per point. A cell that a boundary crosses is split
/// into 16 × 16 finer cells tested against its own few edges, so only points within a few
/// hundred metres of a boundary need the exact test.
#[derive(Debug)]
struct CellCache {
    /// Per grid row, made on first use: each cell's state (CROSSED, 2 + the index of its
    /// country, or OUTSIDE).
    rows: Vec<std::sync::OnceLock<Vec<u8>>>,
    /// Per cell, the boundary edges of the country polygons whose bounding box meets it.
    edges: Vec<Vec<Edge>>,
    /// Per crossed cell, made on first use.
    fine: Vec<std::sync::OnceLock<FineCells>>,
}

/// A boundary edge.
type Edge = (geo::Coord, geo::Coord);

/// The finer cells of a crossed cell: the edges that cross it, each finer cell's state, and
/// points of the cell whose state the polygon test gave.
#[derive(Debug)]
struct FineCells {
    edges: Vec<Edge>,
    states: Vec<std::sync::atomic::AtomicU8>,
    known: std::sync::Mutex<Vec<(geo::Coord, u8)>>,
}

impl FineCells {
    /// The state of a point of this cell: that of a known point joined to it by a segment
    /// that crosses none of the cell's edges (the segment stays in the cell, so no other
    /// boundary can cross it), else the polygon test's, which becomes a known point. A cell
    /// needs the polygon test once or twice per side of its boundaries, not once per finer
    /// cell.
    fn country_of(&self, p: Point, polygon_test: impl FnOnce(Point) -> u8) -> u8 {
        let reached = |(from, state): &(geo::Coord, u8)| {
            let path = geo::Line::new(*from, p.0);
            let blocked = self
                .edges
                .iter()
                .any(|&(a, b)| geo::Intersects::intersects(&path, &geo::Line::new(a, b)));
            (!blocked).then_some(*state)
        };
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(state) = known.iter().find_map(reached) {
            return state;
        }
        drop(known);
        let state = polygon_test(p);
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((p.0, state));
        state
    }
}

const CELL_DEG: f64 = 0.05;
const GRID_WEST: f64 = 60.0;
const GRID_SOUTH: f64 = 34.0;
const GRID_COLUMNS: usize = 320;
const GRID_ROWS: usize = 150;
/// Finer cells per side of a crossed cell (0.05° / 16: about 300 m).
const FINE: usize = 16;

/// A cell's state, as stored: 0 not yet known, 1 crossed by a boundary, 2 + i inside
/// country i, 255 in none.
const UNKNOWN: u8 = 0;
const CROSSED: u8 = 1;
const OUTSIDE: u8 = 255;

impl CellCache {
    fn new(countries: &[Region]) -> CellCache {
        // Each edge is filed under the cells its bounding box meets, so that a cell is
        // tested against a few edges instead of every edge of the region.
        let mut edges = vec![Vec::new(); GRID_COLUMNS * GRID_ROWS];
        // The cells from `lo` to `hi` along one axis, clipped to the grid's `count`.
        let span = |lo: f64, hi: f64, origin: f64, count: usize| {
            let first = ((lo - origin) / CELL_DEG).floor().max(0.0) as usize;
            let last = ((hi - origin) / CELL_DEG).floor().min(count as f64 - 1.0);
            first..(last + 1.0).max(0.0) as usize
        };
        for edge in boundary_edges(countries) {
            let (a, b) = edge;
            let columns = span(a.x.min(b.x), a.x.max(b.x), GRID_WEST, GRID_COLUMNS);
            for r in span(a.y.min(b.y), a.y.max(b.y), GRID_SOUTH, GRID_ROWS) {
                for c in columns.clone() {
                    edges[r * GRID_COLUMNS + c].push(edge);
                }
            }
        }
        CellCache {
            rows: (0..GRID_ROWS).map(|_| std::sync::OnceLock::new()).collect(),
            edges,
            fine: (0..GRID_COLUMNS * GRID_ROWS)
                .map(|_| std::sync::OnceLock::new())
                .collect(),
        }
    }

    /// The state of the square cell at (west, south) of side `size`, stored in `slot` on
    /// first use: crossed if one of `edges` enters it, else the country of its centre.
    fn state(
        slot: &std::sync::atomic::AtomicU8,
        (west, south, size): (f64, f64, f64),
        edges: &[Edge],
        country_of: impl FnOnce(Point) -> u8,
    ) -> u8 {
        use std::sync::atomic::Ordering;
        let state = slot.load(Ordering::Relaxed);
        if state != UNKNOWN {
            return state;
        }
        let rect = square(west, south, size);
        let state = if crossing(edges, &rect).next().is_some() {
            CROSSED
        } else {
            country_of(Point::new(west + size / 2.0, south + size / 2.0))
        };
        slot.store(state, Ordering::Relaxed);
        state
    }

    /// The states of the cells of grid row `row`, west to east. Two neighbouring cells that
    /// no boundary enters are in the same country, so the polygon test runs only at the
    /// start of the row and after each crossed cell.
    fn row_states(&self, row: usize, polygon_test: impl Fn(Point) -> u8) -> Vec<u8> {
        let south = GRID_SOUTH + row as f64 * CELL_DEG;
        let mut previous = CROSSED;
        (0..GRID_COLUMNS)
            .map(|column| {
                let west = GRID_WEST + column as f64 * CELL_DEG;
                let rect = square(west, south, CELL_DEG);
                let edges = &self.edges[row * GRID_COLUMNS + column];
                previous = if crossing(edges, &rect).next().is_some() {
                    CROSSED
                } else if previous != CROSSED {
                    previous
                } else {
                    polygon_test(rect.center().into())
                };
                previous
            })
            .collect()
    }

    /// The country index of `p` when its cell (or finer cell) is free of boundaries; None
    /// when a boundary crosses it (or it is outside the grid) and the exact test must decide.
    fn lookup(&self, p: Point, countries: &[Region]) -> Option<Option<usize>> {
        let column = ((p.x() - GRID_WEST) / CELL_DEG).floor();
        let row = ((p.y() - GRID_SOUTH) / CELL_DEG).floor();
        if !(0.0..GRID_COLUMNS as f64).contains(&column) || !(0.0..GRID_ROWS as f64).contains(&row)
        {
            return None;
        }
        let (column, row) = (column as usize, row as usize);
        let cell = row * GRID_COLUMNS + column;
        let (west, south) = (
            GRID_WEST + column as f64 * CELL_DEG,
            GRID_SOUTH + row as f64 * CELL_DEG,
        );
        let polygon_test = |p: Point| {
            countries
                .iter()
                .position(|c| c.contains(p))
                .map_or(OUTSIDE, |i| i as u8 + 2)
        };
        let mut state = self.rows[row].get_or_init(|| self.row_states(row, polygon_test))[column];
        if state == CROSSED {
            let fine = self.fine[cell].get_or_init(|| FineCells {
                edges: crossing(&self.edges[cell], &square(west, south, CELL_DEG)).collect(),
                states: (0..FINE * FINE)
                    .map(|_| std::sync::atomic::AtomicU8::new(UNKNOWN))
                    .collect(),
                known: Default::default(),
            });
            let size = CELL_DEG / FINE as f64;
            let fine_column = (((p.x() - west) / size) as usize).min(FINE - 1);
            let fine_row = (((p.y() - south) / size) as usize).min(FINE - 1);
            state = Self::state(
                &fine.states[fine_row * FINE + fine_column],
                (
                    west + fine_column as f64 * size,
                    south + fine_row as f64 * size,
                    size,
                ),
                &fine.edges,
                |centre| fine.country_of(centre, polygon_test),
            );
        }
        match state {
            CROSSED => None,
            OUTSIDE => Some(None),
            i => Some(Some(i as usize - 2)),
        }
    }
}

/// Every edge of the rings of the country polygons.
fn boundary_edges(countries: &[Region]) -> impl Iterator<Item = Edge> + '_ {
    countries
        .iter()
        .flat_map(|c| &c.polygon.0)
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.lines().map(|l| (l.start, l.end)))
}

/// The square of side `size` degrees whose south-west corner is (west, south).
fn square(west: f64, south: f64, size: f64) -> Rect {
    Rect::new(
        geo::coord! { x: west, y: south },
        geo::coord! { x: west + size, y: south + size },
    )
}

/// The edges that enter `rect`.
fn crossing<'e>(edges: &'e [Edge], rect: &'e Rect) -> impl Iterator<Item = Edge> + 'e {
    edges.iter().copied().filter(move |&(a, b)| {
        let line = geo::Line::new(a, b);
        line.bounding_rect().intersects(rect) && geo::Intersects::intersects(&line, rect)
    })
}

impl Reference {
    /// The layers compiled into the binary, matched to the bundled gazetteer.
    ///
    /// ```
    /// use borderwatch::reference::{Reference, Side};
    /// let here = Reference::bundled().locate(geo::Point::new(68.37, 36.88));
    /// assert_eq!(here.side, Side::AF);
    /// assert_eq!(here.admin2.as_deref(), Some("Qala-i-Zal"));
    /// ```
    pub fn bundled() -> &'static Reference {
        static REFERENCE: OnceLock<Reference> = OnceLock::new();
        REFERENCE.get_or_init(Reference::load)
    }

    fn load() -> Reference {
        let border = features(layer("border_af_tj.geojson"))
            .into_iter()
            .find_map(|(_, geometry)| match geometry {
                geo::Geometry::LineString(line) => Some(Polyline::new(line.points().collect())),
                _ => None,
            })
            .expect("the border layer holds a LineString");
        let countries: Vec<Region> = features(layer("countries.geojson"))
            .into_iter()
            .filter_map(|(props, geometry)| {
                region(
                    prop(&props, "iso_a2"),
                    String::new(),
                    prop(&props, "name"),
                    None,
                    geometry,
                )
            })
            .collect();
        let country_cells = CellCache::new(&countries);
        Reference {
            border,
            countries,
            districts: OnceLock::new(),
            country_cells,
        }
    }

    /// The district polygons, named as the gazetteer names them.
    fn load_districts(gazetteer: &Gazetteer) -> Vec<Region> {
        // District polygons carry the geoBoundaries shape id that the gazetteer keeps as
        // `source_id`; through it each polygon gets the gazetteer's canonical names.
        let by_shape: std::collections::HashMap<&str, _> = gazetteer
            .places()
            .iter()
            .filter(|p| p.kind == Kind::District)
            .map(|p| (p.source_id.as_str(), p))
            .collect();
        let mut districts = Vec::new();
        for file in ["districts_afg.geojson", "districts_tjk.geojson"] {
            for (props, geometry) in features(layer(file)) {
                let shape = prop(&props, "geoboundaries_shapeID");
                let (admin1, name, id) = match by_shape.get(shape.as_str()) {
                    Some(place) => (
                        place.admin1.clone(),
                        place.name.clone(),
                        Some(place.id.clone()),
                    ),
                    None => (prop(&props, "adm1_name"), prop(&props, "adm2_name"), None),
                };
                districts.extend(region(prop(&props, "country"), admin1, name, id, geometry));
            }
        }
        districts
    }

    /// The Afghanistan–Tajikistan border line.
    pub fn border(&self) -> &Polyline {
        &self.border
    }

    /// Country polygons.
    pub fn countries(&self) -> &[Region] {
        &self.countries
    }

    /// District polygons of Afghanistan (AIMS 2014) and Tajikistan (OpenStreetMap).
    pub fn districts(&self) -> &[Region] {
        self.districts
            .get_or_init(|| Reference::load_districts(&Gazetteer::bundled()))
    }

    /// Distance to the Afghanistan–Tajikistan border and the nearest border point.
    pub fn border_distance(&self, p: Point) -> Nearest {
        self.border.nearest(p)
    }

    /// Which side of the border the point is on, from the country polygons.
    pub fn side(&self, p: Point) -> Side {
        match self.country_at(p).map(|c| c.country.as_str()) {
            Some("AF") => Side::AF,
            Some("TJ") => Side::TJ,
            _ => Side::Other,
        }
    }

    fn country_at(&self, p: Point) -> Option<&Region> {
        match self.country_cells.lookup(p, &self.countries) {
            Some(known) => known.map(|i| &self.countries[i]),
            None => self.countries.iter().find(|c| c.contains(p)),
        }
    }

    /// Country, province and district containing the point, and its border distance.
    ///
    /// The district always lies in the country given: near the border the coarser country
    /// outline and the district outlines can disagree, and the answer then says so in
    /// [`Location::conflict`] instead of pairing a country with another country's district.
    ///
    /// ```
    /// use borderwatch::reference::Reference;
    /// // Panji Poyon, on the Tajik bank of the Panj, where Natural Earth's outline is south of the river.
    /// let here = Reference::bundled().locate(geo::Point::new(68.57721, 37.19443));
    /// if let Some(conflict) = &here.conflict {
    ///     assert!(here.admin2.is_none());
    ///     assert!(conflict.contains("Dusti"), "{conflict}");
    /// }
    /// ```
    pub fn locate(&self, p: Point) -> Location {
        let country = self.country_at(p);
        let code = country.map(|c| c.country.as_str());
        let containing: Vec<&Region> = self.districts().iter().filter(|d| d.contains(p)).collect();
        let district = containing
            .iter()
            .copied()
            .find(|d| code.is_none_or(|code| d.country == code));
        let nearest = self.border_distance(p);
        let conflict = match (country, district, containing.first()) {
            (Some(c), None, Some(other)) => Some(format!(
                "the layers disagree here: Natural Earth's outline puts the point in {}, the \
                 district outlines in {}, {} ({}); {:.1} km from the border line",
                c.name, other.name, other.admin1, other.country, nearest.km
            )),
            _ => None,
        };
        Location {
            lat: p.y(),
            lon: p.x(),
            country: country.map(|c| c.country.clone()),
            country_name: country.map(|c| c.name.clone()),
            admin1: district.map(|d| d.admin1.clone()),
            admin2: district.map(|d| d.name.clone()),
            district_id: district.and_then(|d| d.place_id.clone()),
            border_km: nearest.km,
            border_point: [nearest.point.x(), nearest.point.y()],
            side: match code {
                Some("AF") => Side::AF,
                Some("TJ") => Side::TJ,
                _ => Side::Other,
            },
            conflict,
        }
    }
}

type Properties = serde_json::Map<String, serde_json::Value>;

fn features(text: &str) -> Vec<(Properties, geo::Geometry)> {
    let collection: geojson::FeatureCollection = text.parse().expect("bundled layer is GeoJSON");
    collection
        .features
        .into_iter()
        .filter_map(|feature| {
            let geometry = geo::Geometry::try_from(feature.geometry.as_ref()?).ok()?;
            Some((feature.properties.unwrap_or_default(), geometry))
        })
        .collect()
}

fn prop(props: &Properties, key: &str) -> String {
    props
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}

fn region(
    country: String,
    admin1: String,
    name: String,
    place_id: Option<String>,
    geometry: geo::Geometry,
) -> Option<Region> {
    let polygon = match geometry {
        geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
        geo::Geometry::MultiPolygon(m) => m,
        _ => return None,
    };
    let bbox = polygon.bounding_rect()?;
    Some(Region {
        country,
        admin1,
        name,
        place_id,
        polygon,
        bbox,
    })
}

/// A gazetteer place near a point, as `where` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Nearby {
    /// The gazetteer id.
    pub id: String,
    /// The place's name.
    pub name: String,
    /// Its kind (`village`, `town`, `border post`, ...).
    pub kind: String,
    /// ISO country code.
    pub country: String,
    /// Geodesic distance from the point, km, to the metre.
    pub distance_km: f64,
    /// Initial bearing from the point, degrees, to a tenth; `None` for a place at the point
    /// itself.
    pub bearing: Option<f64>,
}

/// The `k` gazetteer places (not admin units or rivers) nearest to `p` by geodesic
/// distance, nearest first (ties by id).
///
/// ```
/// use borderwatch::gazetteer::Gazetteer;
/// use borderwatch::reference::nearest_places;
/// let near = nearest_places(&Gazetteer::bundled(), geo::Point::new(71.55, 37.49), 2);
/// assert_eq!(near.len(), 2);
/// assert!(near[0].distance_km <= near[1].distance_km);
/// ```
pub fn nearest_places(gazetteer: &Gazetteer, p: Point, k: usize) -> Vec<Nearby> {
    let mut all: Vec<Nearby> = gazetteer
        .places()
        .iter()
        .filter(|place| !place.kind.is_admin_unit() && place.kind != Kind::River)
        .map(|place| {
            let q = Point::new(place.lon, place.lat);
            let km = geodesic_km(p, q);
            Nearby {
                id: place.id.clone(),
                name: place.name.clone(),
                kind: place.kind.to_string(),
                country: place.country.clone(),
                distance_km: (km * METRES_PER_KM).round() / METRES_PER_KM,
                bearing: bearing_if_apart(km, (bearing_deg(p, q) * 10.0).round() / 10.0),
            }
        })
        .collect();
    all.sort_by(|a, b| {
        a.distance_km
            .total_cmp(&b.distance_km)
            .then(a.id.cmp(&b.id))
    });
    all.truncate(k);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn border_is_the_natural_earth_line() {
        let length = Reference::bundled().border().length_km();
        assert!((length - 1170.2).abs() < 1.0, "{length}");
    }

    #[test]
    fn cell_cache_agrees_with_the_polygon_test() {
        let r = Reference::bundled();
        let spread = (0..4000).map(|i| {
            Point::new(
                60.0 + (i as f64 * 0.6173) % 16.0,
                34.0 + (i as f64 * 0.3719) % 7.5,
            )
        });
        // Points a few metres to a kilometre from boundaries fall in crossed and finer cells.
        let edges: Vec<Edge> = boundary_edges(&r.countries).collect();
        let near = edges
            .iter()
            .step_by(23)
            .enumerate()
            .flat_map(|(i, (a, b))| {
                let offset = [0.00005, 0.0007, 0.003, 0.012][i % 4];
                let (x, y) = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
                [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)]
                    .map(|(dx, dy)| Point::new(x + dx * offset, y + dy * offset))
            });
        for p in spread.chain(near) {
            let exact = r
                .countries
                .iter()
                .find(|c| c.contains(p))
                .map(|c| c.country.clone());
            assert_eq!(r.country_at(p).map(|c| c.country.clone()), exact, "{p:?}");
        }
    }

    #[test]
    fn points_on_either_side() {
        let r = Reference::bundled();
        let qalaikhumb = r.locate(Point::new(70.78902, 38.45373));
        assert_eq!(qalaikhumb.side, Side::TJ);
        assert_eq!(qalaikhumb.admin1.as_deref(), Some("Gorno-Badakhshan"));
        assert_eq!(qalaikhumb.admin2.as_deref(), Some("Darvoz"));
        assert!(qalaikhumb.border_km < 3.0);
        let taloqan = r.locate(Point::new(69.53451, 36.73605));
        assert_eq!(taloqan.side, Side::AF);
        assert_eq!(taloqan.admin1.as_deref(), Some("Takhar"));
        let termez = r.locate(Point::new(67.27, 37.22));
        assert_eq!(termez.side, Side::Other);
        assert_eq!(termez.country.as_deref(), Some("UZ"));
    }
}
