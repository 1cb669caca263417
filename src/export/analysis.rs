//! Derived layers: the border buffer, border segments with incident counts, and a
//! hexagonal equal-area grid of incidents.

use std::collections::HashMap;

use chrono::NaiveDate;
use geo::algorithm::buffer::{Buffer, BufferStyle, LineCap, LineJoin};
use geo::{BooleanOps, Coord, GeodesicArea, LineString, MultiPolygon, Point, Polygon};
use proj4rs::proj::Proj;
use rayon::prelude::*;
use serde_json::{Map, Value};

use super::feature::Feature;
use crate::incidents::tally::Fatalities;
use crate::index::{Filter, IncidentIndex};
use crate::reference::Reference;
use crate::spatial::{bearing_deg, destination, geodesic_km};

/// A side of the border zone.
#[derive(Debug, Clone)]
pub struct BufferZone {
    /// `AF` or `TJ`.
    pub side: &'static str,
    /// The zone on that side.
    pub polygon: MultiPolygon,
    /// Its area in square kilometres.
    pub area_km2: f64,
}

/// An exact azimuthal equidistant frame around a centre, through Karney's geodesics:
/// x = s·sin(azimuth), y = s·cos(azimuth), in km. Distances from the centre are exact, and
/// others are distorted by under 0.2% within 600 km of it.
struct Equidistant {
    center: Point,
}

impl Equidistant {
    fn forward(&self, p: Point) -> Coord {
        let s = geodesic_km(self.center, p);
        let azimuth = bearing_deg(self.center, p).to_radians();
        Coord {
            x: s * azimuth.sin(),
            y: s * azimuth.cos(),
        }
    }

    fn inverse(&self, c: Coord) -> Point {
        let s = c.x.hypot(c.y);
        if s == 0.0 {
            return self.center;
        }
        destination(self.center, c.x.atan2(c.y).to_degrees(), s)
    }
}

fn map_polygon(polygon: &Polygon, f: &impl Fn(Coord) -> Coord) -> Polygon {
    let ring = |r: &LineString| LineString::new(r.coords().map(|c| f(*c)).collect());
    Polygon::new(
        ring(polygon.exterior()),
        polygon.interiors().iter().map(ring).collect(),
    )
}

/// The zone within `km` of the AF–TJ border before it is cut per side, in lon/lat. Built in
/// an azimuthal equidistant frame centred on the border's middle vertex, with round joins
/// and caps of 0.05 rad steps (chords within 0.03% of the radius).
pub(crate) fn unclipped_buffer(km: f64) -> MultiPolygon {
    let vertices = Reference::bundled().border().vertices();
    let frame = Equidistant {
        center: vertices[vertices.len() / 2],
    };
    let line = LineString::new(vertices.iter().map(|&v| frame.forward(v)).collect());
    let style = BufferStyle::new(km)
        .line_join(LineJoin::Round(0.05))
        .line_cap(LineCap::Round(0.05));
    let planar = line.buffer_with_style(style);
    MultiPolygon::new(
        planar
            .0
            .iter()
            .map(|p| map_polygon(p, &|c| frame.inverse(c).0))
            .collect(),
    )
}

/// The zone within `km` of the Afghanistan–Tajikistan border, cut by the two countries.
///
/// ```
/// let zones = borderwatch::export::border_buffer(10.0);
/// assert_eq!(zones.iter().map(|z| z.side).collect::<Vec<_>>(), ["AF", "TJ"]);
/// // About 10 km on each side of a 1170 km line.
/// assert!(zones.iter().all(|z| (9_000.0..13_000.0).contains(&z.area_km2)));
/// ```
pub fn border_buffer(km: f64) -> Vec<BufferZone> {
    let buffer = unclipped_buffer(km);
    Reference::bundled()
        .countries()
        .iter()
        .filter_map(|c| match c.country.as_str() {
            "AF" => Some(("AF", c)),
            "TJ" => Some(("TJ", c)),
            _ => None,
        })
        .map(|(side, country)| {
            let polygon = buffer.intersection(&country.polygon);
            let area_km2 = polygon.geodesic_area_unsigned() / 1e6;
            BufferZone {
                side,
                polygon,
                area_km2,
            }
        })
        .collect()
}

/// Counts, fatalities and dates of incidents in one piece or cell. Fatalities keep the
/// unknown apart: an incident that gives no toll is counted, never summed as 0.
#[derive(Debug, Clone, Default)]
struct Tally {
    incidents: u64,
    fatalities: Fatalities,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

impl Tally {
    fn add(&mut self, fatalities: Option<u32>, date: Option<NaiveDate>) {
        self.incidents += 1;
        self.fatalities.add(fatalities);
        if let Some(d) = date {
            self.first = Some(self.first.map_or(d, |f| f.min(d)));
            self.last = Some(self.last.map_or(d, |l| l.max(d)));
        }
    }

    fn merge(mut self, other: Tally) -> Tally {
        self.incidents += other.incidents;
        self.fatalities.merge(other.fatalities);
        for d in [other.first, other.last].into_iter().flatten() {
            self.first = Some(self.first.map_or(d, |f| f.min(d)));
            self.last = Some(self.last.map_or(d, |l| l.max(d)));
        }
        self
    }

    /// `incidents`; `fatalities`, the sum of the known tolls (at least that many died, when
    /// `fatalities_unknown` is not 0); `fatalities_unknown`, the incidents that give no toll;
    /// `first` and `last`, the dates.
    fn insert_into(&self, properties: &mut Map<String, Value>) {
        let date = |d: Option<NaiveDate>| d.map_or(Value::Null, |d| Value::from(d.to_string()));
        properties.insert("incidents".into(), self.incidents.into());
        properties.insert("fatalities".into(), self.fatalities.known.into());
        properties.insert(
            "fatalities_unknown".into(),
            self.fatalities.unknown_incidents.into(),
        );
        properties.insert("first".into(), date(self.first));
        properties.insert("last".into(), date(self.last));
    }
}

/// The border cut into consecutive pieces.
pub type Segments = Vec<Feature>;

/// The AF–TJ border cut into equal pieces of about `km` each; each piece counts the
/// incidents (passing `filter`) within `border_km` of the border whose nearest border point
/// falls on it.
///
/// # Panics
///
/// Only if the bundled border had no vertices (it is built in and tested).
pub fn border_segments(
    index: &IncidentIndex,
    filter: &Filter,
    km: f64,
    border_km: f64,
) -> Segments {
    let border = Reference::bundled().border();
    let vertices = border.vertices();
    let mut along = vec![0.0];
    for w in vertices.windows(2) {
        along.push(along.last().copied().unwrap_or(0.0) + geodesic_km(w[0], w[1]));
    }
    let total = *along.last().expect("vertices");
    let pieces = ((total / km.max(0.001)).round() as usize).max(1);
    let piece_km = total / pieces as f64;
    let table = index.table();
    let tallies = (0..table.rows().len())
        .into_par_iter()
        .fold(
            || vec![Tally::default(); pieces],
            |mut tallies, row| {
                let r = &table.rows()[row];
                if let Some(p) = r.point()
                    && filter.matches(index, row as u32)
                {
                    let nearest = border.nearest(p);
                    if nearest.km <= border_km {
                        let seg_km = along[nearest.segment + 1] - along[nearest.segment];
                        let at = along[nearest.segment] + nearest.t * seg_km;
                        let piece = ((at / piece_km) as usize).min(pieces - 1);
                        tallies[piece].add(r.fatalities, r.date);
                    }
                }
                tallies
            },
        )
        .reduce(
            || vec![Tally::default(); pieces],
            |a, b| a.into_iter().zip(b).map(|(x, y)| x.merge(y)).collect(),
        );
    tallies
        .into_iter()
        .enumerate()
        .map(|(i, tally)| {
            let (from, to) = (i as f64 * piece_km, (i + 1) as f64 * piece_km);
            let mut properties = Map::new();
            properties.insert("segment".into(), (i + 1).into());
            properties.insert("from_km".into(), round3(from).into());
            properties.insert("to_km".into(), round3(to).into());
            properties.insert("length_km".into(), round3(piece_km).into());
            tally.insert_into(&mut properties);
            properties.insert("border_km".into(), border_km.into());
            Feature {
                id: Some(format!("segment-{}", i + 1)),
                geometry: Some(sub_line(vertices, &along, from, to).into()),
                properties,
            }
        })
        .collect()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The part of a line between two distances along it.
fn sub_line(vertices: &[Point], along: &[f64], from: f64, to: f64) -> LineString {
    let at = |d: f64| -> Coord {
        let i = along.partition_point(|&a| a < d).clamp(1, along.len() - 1);
        let (a, b) = (vertices[i - 1], vertices[i]);
        let span = along[i] - along[i - 1];
        let t = if span > 0.0 {
            ((d - along[i - 1]) / span).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Coord {
            x: a.x() + (b.x() - a.x()) * t,
            y: a.y() + (b.y() - a.y()) * t,
        }
    };
    let mut coords = vec![at(from)];
    coords.extend(
        vertices
            .iter()
            .zip(along)
            .filter(|(_, a)| **a > from && **a < to)
            .map(|(v, _)| v.0),
    );
    coords.push(at(to));
    LineString::new(coords)
}

/// A hexagonal grid.
pub type Grid = Vec<Feature>;

/// A Lambert azimuthal equal-area frame (proj4rs) around a centre, in km.
struct EqualArea {
    lonlat: Proj,
    laea: Proj,
}

impl EqualArea {
    fn new(center: Point) -> EqualArea {
        let laea = format!(
            "+proj=laea +lat_0={} +lon_0={} +datum=WGS84 +units=m +no_defs",
            center.y(),
            center.x()
        );
        EqualArea {
            lonlat: Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").expect("valid"),
            laea: Proj::from_proj_string(&laea).expect("valid LAEA definition"),
        }
    }

    fn forward(&self, p: Point) -> Coord {
        let (x, y) = proj4rs::adaptors::transform_xy(
            &self.lonlat,
            &self.laea,
            p.x().to_radians(),
            p.y().to_radians(),
        )
        .expect("points of the region project");
        Coord {
            x: x / 1000.0,
            y: y / 1000.0,
        }
    }

    fn inverse(&self, c: Coord) -> Coord {
        let (x, y) =
            proj4rs::adaptors::transform_xy(&self.laea, &self.lonlat, c.x * 1000.0, c.y * 1000.0)
                .expect("grid corners unproject");
        Coord {
            x: x.to_degrees(),
            y: y.to_degrees(),
        }
    }
}

/// Hexagons `km` across (between opposite edges), in an equal-area projection centred on the
/// incidents, each with the count, fatalities and dates of the incidents (passing `filter`)
/// inside; empty cells are left out.
pub fn hex_grid(index: &IncidentIndex, filter: &Filter, km: f64) -> Grid {
    let located = located_passing(index, filter);
    let Some(center) = middle(&located) else {
        return Vec::new();
    };
    let hexagons = Hexagons {
        frame: EqualArea::new(center),
        // Pointy-top hexagons: circumradius `size`, width between flat sides sqrt(3)·size = km.
        size: km / 3f64.sqrt(),
    };
    let cells = hexagons.tally(index, &located);
    let mut keys: Vec<(i64, i64)> = cells.keys().copied().collect();
    keys.sort_unstable();
    keys.into_iter()
        .map(|key| hexagons.feature(key, &cells[&key]))
        .collect()
}

/// The located incidents of `index` that pass `filter`, by row, with their points.
fn located_passing(index: &IncidentIndex, filter: &Filter) -> Vec<(u32, Point)> {
    let table = index.table();
    (0..table.rows().len() as u32)
        .filter_map(|row| table.rows()[row as usize].point().map(|p| (row, p)))
        .filter(|(row, _)| filter.matches(index, *row))
        .collect()
}

/// The centre of the box around `located`; None when there are none.
fn middle(located: &[(u32, Point)]) -> Option<Point> {
    if located.is_empty() {
        return None;
    }
    let (mut lo, mut hi) = (
        Coord {
            x: f64::INFINITY,
            y: f64::INFINITY,
        },
        Coord {
            x: f64::NEG_INFINITY,
            y: f64::NEG_INFINITY,
        },
    );
    for (_, p) in located {
        lo = Coord {
            x: lo.x.min(p.x()),
            y: lo.y.min(p.y()),
        };
        hi = Coord {
            x: hi.x.max(p.x()),
            y: hi.y.max(p.y()),
        };
    }
    Some(Point::new((lo.x + hi.x) / 2.0, (lo.y + hi.y) / 2.0))
}

/// Pointy-top hexagons of circumradius `size` km in an equal-area frame.
struct Hexagons {
    frame: EqualArea,
    size: f64,
}

impl Hexagons {
    /// The tally of each hexagon that holds any of `located`, by axial coordinates.
    fn tally(&self, index: &IncidentIndex, located: &[(u32, Point)]) -> HashMap<(i64, i64), Tally> {
        let table = index.table();
        located
            .par_iter()
            .fold(
                HashMap::new,
                |mut cells: HashMap<(i64, i64), Tally>, (row, p)| {
                    let c = self.frame.forward(*p);
                    let r = &table.rows()[*row as usize];
                    cells
                        .entry(hex_of(c, self.size))
                        .or_default()
                        .add(r.fatalities, r.date);
                    cells
                },
            )
            .reduce(HashMap::new, |mut a, b| {
                for (k, v) in b {
                    let t = a.remove(&k).unwrap_or_default();
                    a.insert(k, t.merge(v));
                }
                a
            })
    }

    /// The hexagon at axial coordinates `(q, r)`, in lon/lat, its ring closed.
    fn ring(&self, (q, r): (i64, i64)) -> LineString {
        let size = self.size;
        let center = Coord {
            x: size * 3f64.sqrt() * (q as f64 + r as f64 / 2.0),
            y: size * 1.5 * r as f64,
        };
        let mut ring: Vec<Coord> = (0..6)
            .map(|i| {
                let angle = (60.0 * i as f64 + 30.0).to_radians();
                self.frame.inverse(Coord {
                    x: center.x + size * angle.cos(),
                    y: center.y + size * angle.sin(),
                })
            })
            .collect();
        ring.push(ring[0]);
        LineString::new(ring)
    }

    /// The cell at `(q, r)` as a feature holding `tally`.
    fn feature(&self, (q, r): (i64, i64), tally: &Tally) -> Feature {
        let area = 1.5 * 3f64.sqrt() * self.size * self.size;
        let mut properties = Map::new();
        properties.insert("q".into(), q.into());
        properties.insert("r".into(), r.into());
        tally.insert_into(&mut properties);
        properties.insert("area_km2".into(), ((area * 100.0).round() / 100.0).into());
        Feature {
            id: Some(format!("hex-{q}-{r}")),
            geometry: Some(Polygon::new(self.ring((q, r)), vec![]).into()),
            properties,
        }
    }
}

/// Axial coordinates of the pointy-top hexagon (circumradius `size`) containing `c`.
fn hex_of(c: Coord, size: f64) -> (i64, i64) {
    let q = (3f64.sqrt() / 3.0 * c.x - c.y / 3.0) / size;
    let r = (2.0 / 3.0 * c.y) / size;
    // Cube rounding.
    let (x, z) = (q, r);
    let y = -x - z;
    let (mut rx, ry, mut rz) = (x.round(), y.round(), z.round());
    let (dx, dy, dz) = ((rx - x).abs(), (ry - y).abs(), (rz - z).abs());
    if dx > dy && dx > dz {
        rx = -ry - rz;
    } else if dy <= dz {
        rz = -rx - ry;
    }
    (rx as i64, rz as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_edge_lies_within_one_percent_of_the_distance() {
        let border = Reference::bundled().border();
        for km in [1.0, 10.0, 50.0] {
            let buffer = unclipped_buffer(km);
            let mut checked = 0;
            for polygon in &buffer.0 {
                for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    for c in ring.coords() {
                        let d = border.nearest(Point::from(*c)).km;
                        assert!(
                            (d - km).abs() <= 0.01 * km,
                            "{km} km buffer: vertex {c:?} at {d} km"
                        );
                        checked += 1;
                    }
                }
            }
            assert!(checked > 100, "{checked} vertices");
        }
    }

    #[test]
    fn hexagons_tile_without_gaps() {
        // Every point lands in the hexagon whose centre is nearest.
        let size = 5.0;
        for i in 0..400 {
            let c = Coord {
                x: (i as f64 * 7.31) % 50.0 - 25.0,
                y: (i as f64 * 3.17) % 50.0 - 25.0,
            };
            let (q, r) = hex_of(c, size);
            let center = |q: i64, r: i64| Coord {
                x: size * 3f64.sqrt() * (q as f64 + r as f64 / 2.0),
                y: size * 1.5 * r as f64,
            };
            let d = |q: i64, r: i64| {
                let k = center(q, r);
                (k.x - c.x).hypot(k.y - c.y)
            };
            for (dq, dr) in [(1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1)] {
                assert!(d(q, r) <= d(q + dq, r + dr) + 1e-9);
            }
        }
    }
}
