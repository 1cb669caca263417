//! Geodesy on the WGS84 ellipsoid (Karney's algorithm via `geo::Geodesic`) and the
//! distance from a point to a polyline such as the Afghanistan–Tajikistan border.
//!
//! Coordinates are `geo::Point`s with x = longitude and y = latitude, in degrees.

use geo::{Bearing, Destination, Distance, Geodesic, Point};

use crate::error::Reason;

/// The region borderwatch maps, for the swapped-coordinates checks: northern Afghanistan,
/// Tajikistan and their neighbours' border areas.
pub const REGION: LonLatBox = LonLatBox {
    west: 60.0,
    south: 34.0,
    east: 76.0,
    north: 41.5,
};

/// A box of longitudes and latitudes in degrees, edges included.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLatBox {
    /// Western edge (longitude).
    pub west: f64,
    /// Southern edge (latitude).
    pub south: f64,
    /// Eastern edge (longitude).
    pub east: f64,
    /// Northern edge (latitude).
    pub north: f64,
}

impl LonLatBox {
    /// Whether the point (`lat`, `lon`) lies in the box.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.west..=self.east).contains(&lon) && (self.south..=self.north).contains(&lat)
    }

    /// Whether the two boxes share a point.
    pub fn intersects(&self, other: &LonLatBox) -> bool {
        self.west <= other.east
            && other.west <= self.east
            && self.south <= other.north
            && other.south <= self.north
    }
}

/// Whether (`lat`, `lon`) lies outside [`REGION`] while (`lon`, `lat`) lies in it: far
/// likelier two numbers given in the wrong order than a question about the Arctic.
///
/// ```
/// use borderwatch::spatial::swapped_into_region;
/// assert!(swapped_into_region(70.9, 38.4));
/// assert!(!swapped_into_region(38.4, 70.9));
/// ```
pub fn swapped_into_region(lat: f64, lon: f64) -> bool {
    !REGION.contains(lat, lon) && REGION.contains(lon, lat)
}

/// Distances below this (km, half a metre) have no direction: a bearing from a point to
/// itself is noise.
pub const NO_BEARING_KM: f64 = 0.0005;

/// The bearing (degrees) of something `km` away, or `None` when it is at the point itself.
///
/// ```
/// use borderwatch::spatial::bearing_if_apart;
/// assert_eq!(bearing_if_apart(0.0, 233.0), None);
/// assert_eq!(bearing_if_apart(2.9, 233.0), Some(233.0));
/// ```
pub fn bearing_if_apart(km: f64, bearing: f64) -> Option<f64> {
    (km >= NO_BEARING_KM).then_some(bearing)
}

/// Parses `LAT,LON` in degrees, checking the ranges and that the two are not given in the
/// wrong order (see [`swapped_into_region`]).
///
/// ```
/// use borderwatch::spatial::parse_lat_lon;
/// assert_eq!(parse_lat_lon("37.5, 69.1").unwrap(), geo::Point::new(69.1, 37.5));
/// assert_eq!(parse_lat_lon("91,0").unwrap_err().as_str(), "latitude 91 is outside -90..90");
/// assert!(parse_lat_lon("69.1,37.5").unwrap_err().as_str().contains("did you mean 37.5,69.1?"));
/// ```
///
/// # Errors
///
/// Text that is not two numbers, a value out of range, or a swapped pair.
pub fn parse_lat_lon(text: &str) -> Result<Point, Reason> {
    let usage = || {
        Reason(format!(
            "expected LAT,LON in degrees (e.g. 37.5,69.1), got {text:?}"
        ))
    };
    let (lat, lon) = text.split_once(',').ok_or_else(usage)?;
    let lat: f64 = lat.trim().parse().map_err(|_| usage())?;
    let lon: f64 = lon.trim().parse().map_err(|_| usage())?;
    if !lat.is_finite() || lat.abs() > 90.0 {
        return Err(Reason(format!("latitude {lat} is outside -90..90")));
    }
    if !lon.is_finite() || lon.abs() > 180.0 {
        return Err(Reason(format!("longitude {lon} is outside -180..180")));
    }
    if swapped_into_region(lat, lon) {
        return Err(Reason(format!(
            "({lat}, {lon}) lies outside the region but ({lon}, {lat}) is in it: latitude comes \
             first; did you mean {lon},{lat}?"
        )));
    }
    Ok(Point::new(lon, lat))
}

/// Geodesic distance in kilometres.
///
/// ```
/// use borderwatch::spatial::geodesic_km;
/// use geo::Point;
/// let dushanbe = Point::new(68.77905, 38.53575);
/// let kunduz = Point::new(68.857, 36.72895);
/// assert!((geodesic_km(dushanbe, kunduz) - 200.6).abs() < 0.5);
/// ```
pub fn geodesic_km(a: Point, b: Point) -> f64 {
    Geodesic.distance(a, b) / 1000.0
}

/// Initial bearing from `a` to `b`, degrees clockwise from north in 0..360.
///
/// ```
/// use borderwatch::spatial::bearing_deg;
/// use geo::Point;
/// let north = bearing_deg(Point::new(70.0, 37.0), Point::new(70.0, 38.0));
/// assert!(north.abs() < 1e-9);
/// ```
pub fn bearing_deg(a: Point, b: Point) -> f64 {
    Geodesic.bearing(a, b).rem_euclid(360.0)
}

/// Geodesic distance in kilometres and initial bearing in degrees (as [`geodesic_km`] and
/// [`bearing_deg`]) from one solution of the inverse problem instead of two.
///
/// ```
/// use borderwatch::spatial::{bearing_deg, geodesic_km, geodesic_km_and_bearing};
/// use geo::Point;
/// let (a, b) = (Point::new(68.77905, 38.53575), Point::new(68.857, 36.72895));
/// assert_eq!(geodesic_km_and_bearing(a, b), (geodesic_km(a, b), bearing_deg(a, b)));
/// ```
pub fn geodesic_km_and_bearing(a: Point, b: Point) -> (f64, f64) {
    use geographiclib_rs::InverseGeodesic;
    static WGS84: std::sync::LazyLock<geographiclib_rs::Geodesic> =
        std::sync::LazyLock::new(geographiclib_rs::Geodesic::wgs84);
    let (metres, azimuth, _, _): (f64, f64, f64, f64) = WGS84.inverse(a.y(), a.x(), b.y(), b.x());
    // As geo writes the bearing, then as `bearing_deg` does.
    (
        metres / 1000.0,
        ((azimuth + 360.0) % 360.0).rem_euclid(360.0),
    )
}

/// The point reached from `origin` after `km` kilometres on the initial bearing `bearing`.
///
/// ```
/// use borderwatch::spatial::{destination, geodesic_km};
/// use geo::Point;
/// let dushanbe = Point::new(68.77905, 38.53575);
/// let p = destination(dushanbe, 225.0, 80.4672);
/// assert!((geodesic_km(dushanbe, p) - 80.4672).abs() < 1e-6);
/// ```
pub fn destination(origin: Point, bearing: f64, km: f64) -> Point {
    Geodesic.destination(origin, bearing, km * 1000.0)
}

/// WGS84 semi-major axis, km.
pub const WGS84_A_KM: f64 = 6378.137;
/// WGS84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;
const E2: f64 = WGS84_F * (2.0 - WGS84_F);
/// The smallest radius of curvature of the WGS84 ellipsoid (meridional, at the equator), km:
/// no geodesic bends more tightly than a circle of this radius.
pub const MIN_RADIUS_OF_CURVATURE_KM: f64 = WGS84_A_KM * (1.0 - E2);

/// Earth-centred, Earth-fixed coordinates of a point on the ellipsoid, km.
///
/// The straight-line (chord) distance between two ECEF points bounds their geodesic
/// distance `s` from both sides: `chord <= s <= geodesic_upper_bound(chord)`. Points that
/// are certainly within (or beyond) a radius are told apart without any geodesic computation.
pub fn ecef(p: Point) -> [f64; 3] {
    let (lat, lon) = (p.y().to_radians(), p.x().to_radians());
    let (sin_lat, cos_lat) = lat.sin_cos();
    let n = WGS84_A_KM / (1.0 - E2 * sin_lat * sin_lat).sqrt();
    [
        n * cos_lat * lon.cos(),
        n * cos_lat * lon.sin(),
        n * (1.0 - E2) * sin_lat,
    ]
}

/// Squared chord length between ECEF points, km².
pub fn chord2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

/// The longest geodesic a chord of `chord_km` can span (Schur's comparison theorem: a curve
/// whose curvature never exceeds 1/ρ has a chord at least that of a circle arc of radius ρ).
///
/// ```
/// use borderwatch::spatial::geodesic_upper_bound;
/// // For 25 km the bound is within 2 cm of the chord.
/// assert!(geodesic_upper_bound(25.0) - 25.0 < 2e-5);
/// ```
pub fn geodesic_upper_bound(chord_km: f64) -> f64 {
    let rho = MIN_RADIUS_OF_CURVATURE_KM;
    2.0 * rho * (chord_km / (2.0 * rho)).min(1.0).asin()
}

/// The longest chord that certainly spans a geodesic of at most `km` (inverse of
/// [`geodesic_upper_bound`]).
pub fn chord_within(km: f64) -> f64 {
    let rho = MIN_RADIUS_OF_CURVATURE_KM;
    2.0 * rho * (km.min(std::f64::consts::PI * rho) / (2.0 * rho)).sin()
}

/// A line of lon/lat vertices, with exact geodesic distance from a point.
#[derive(Debug, Clone)]
pub struct Polyline {
    vertices: Vec<Point>,
    /// The segments cut into pieces short enough that the straight 3D chord between their
    /// ends stays within [`MAX_BOW_KM`] of the lon/lat-straight line.
    pieces: Vec<Piece>,
    /// ECEF of the pieces' ends (one more than pieces), for screening by chord distance.
    ecef: Vec<[f64; 3]>,
    /// The bow of each piece (see [`bow`]), and the largest.
    bows: Vec<f64>,
    max_bow: f64,
    /// The pieces that can hold the nearest point of any point of a grid cell, in cells of
    /// 0.1° (from the list of the 1° cell that holds them) and of 1° (from all pieces).
    coarse: PieceCells,
    fine: PieceCells,
}

/// Part of a segment: from position `t0` to `t1` along segment `segment`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    segment: u32,
    t0: f64,
    t1: f64,
}

/// The longest a piece may bow away from its chord, km: within it the chord's closest
/// point is the line's closest point to within centimetres, and the distance is stationary
/// there, so no search along the line is needed.
const MAX_BOW_KM: f64 = 0.005;

/// A lon/lat grid around a polyline whose cells list, once first asked, the few pieces
/// that can be nearest to any point inside them: a query then measures those instead of
/// the whole line.
#[derive(Debug, Clone)]
struct PieceCells {
    west: f64,
    south: f64,
    cell_deg: f64,
    columns: usize,
    rows: usize,
    cells: Vec<std::sync::OnceLock<Box<[u32]>>>,
}

impl PieceCells {
    /// How far beyond the line's extent the grid reaches, degrees.
    const MARGIN_DEG: f64 = 5.0;
    const MAX_CELLS: f64 = 250_000.0;

    /// A grid over `vertices` and a margin, with cells of `cell_deg` (larger when the line
    /// is long).
    fn around(vertices: &[Point], cell_deg: f64) -> PieceCells {
        let (mut west, mut south, mut east, mut north) = (180f64, 90f64, -180f64, -90f64);
        for v in vertices {
            west = west.min(v.x());
            east = east.max(v.x());
            south = south.min(v.y());
            north = north.max(v.y());
        }
        let west = (west - Self::MARGIN_DEG).max(-180.0);
        let east = (east + Self::MARGIN_DEG).min(180.0);
        let south = (south - Self::MARGIN_DEG).max(-90.0);
        let north = (north + Self::MARGIN_DEG).min(90.0);
        let area = (east - west) * (north - south);
        let cell_deg = cell_deg.max((area / Self::MAX_CELLS).sqrt());
        let columns = ((east - west) / cell_deg).ceil() as usize;
        let rows = ((north - south) / cell_deg).ceil() as usize;
        PieceCells::empty(west, south, cell_deg, columns, rows)
    }

    /// A grid whose cells are all still to fill.
    fn empty(west: f64, south: f64, cell_deg: f64, columns: usize, rows: usize) -> PieceCells {
        PieceCells {
            west,
            south,
            cell_deg,
            columns,
            rows,
            cells: (0..columns * rows)
                .map(|_| std::sync::OnceLock::new())
                .collect(),
        }
    }

    /// How many cells of a side make one cell of [`PieceCells::coarser`].
    const FACTOR: usize = 10;

    /// The grid of cells FACTOR times larger, aligned with this one.
    fn coarser(&self) -> PieceCells {
        PieceCells::empty(
            self.west,
            self.south,
            self.cell_deg * Self::FACTOR as f64,
            self.columns.div_ceil(Self::FACTOR),
            self.rows.div_ceil(Self::FACTOR),
        )
    }

    /// The cell of `coarser` (made by [`PieceCells::coarser`]) that holds `cell`.
    fn parent(&self, cell: usize, coarser: &PieceCells) -> usize {
        let (column, row) = (cell % self.columns, cell / self.columns);
        row / Self::FACTOR * coarser.columns + column / Self::FACTOR
    }

    fn cell_of(&self, p: Point) -> Option<usize> {
        let column = ((p.x() - self.west) / self.cell_deg).floor();
        let row = ((p.y() - self.south) / self.cell_deg).floor();
        let inside =
            (0.0..self.columns as f64).contains(&column) && (0.0..self.rows as f64).contains(&row);
        inside.then(|| row as usize * self.columns + column as usize)
    }

    /// The cell's centre in ECEF and a chord radius that holds every point of the cell.
    fn centre_and_radius(&self, cell: usize) -> ([f64; 3], f64) {
        let west = self.west + (cell % self.columns) as f64 * self.cell_deg;
        let south = self.south + (cell / self.columns) as f64 * self.cell_deg;
        let half = self.cell_deg / 2.0;
        let centre = ecef(Point::new(west + half, south + half));
        // The farthest point of a small lon/lat cell from its centre is a corner; the
        // margin covers the cell's edges bulging between them.
        let corners = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)];
        let radius = corners
            .iter()
            .map(|(x, y)| {
                let corner = ecef(Point::new(
                    west + x * self.cell_deg,
                    south + y * self.cell_deg,
                ));
                chord2(&centre, &corner).sqrt()
            })
            .fold(0.0, f64::max);
        (centre, radius * 1.01 + 0.01)
    }
}

/// The nearest point of a polyline to a query point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// Geodesic distance in kilometres.
    pub km: f64,
    /// The nearest point on the line.
    pub point: Point,
    /// Index of the segment (vertices `segment` and `segment + 1`) it lies on.
    pub segment: usize,
    /// Position along that segment, 0..=1.
    pub t: f64,
}

/// How far a lon/lat-straight segment between ECEF points `a` and `b` can bow away from the
/// straight 3D chord between them (L²/8ρ), plus a millimetre.
fn bow(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    chord2(a, b) / (8.0 * MIN_RADIUS_OF_CURVATURE_KM) + 1e-6
}

impl Polyline {
    /// A polyline through `vertices`; segments are straight in lon/lat, as GIS draws them.
    ///
    /// # Panics
    ///
    /// When `vertices` has fewer than two points.
    pub fn new(vertices: Vec<Point>) -> Polyline {
        assert!(vertices.len() >= 2, "a polyline needs two vertices");
        let mut pieces = Vec::new();
        let mut ecef_ends = vec![ecef(vertices[0])];
        for (segment, pair) in vertices.windows(2).enumerate() {
            let (a, b) = (ecef(pair[0]), ecef(pair[1]));
            // The bow grows with the square of the length.
            let parts = (bow(&a, &b) / MAX_BOW_KM * 2.0).sqrt().ceil().max(1.0) as usize;
            for part in 0..parts {
                let t0 = part as f64 / parts as f64;
                let t1 = (part + 1) as f64 / parts as f64;
                let end = pair[0] + (pair[1] - pair[0]) * t1;
                ecef_ends.push(if part + 1 == parts { b } else { ecef(end) });
                pieces.push(Piece {
                    segment: segment as u32,
                    t0,
                    t1,
                });
            }
        }
        let bows: Vec<f64> = ecef_ends.windows(2).map(|w| bow(&w[0], &w[1])).collect();
        let max_bow = bows.iter().copied().fold(0.0, f64::max);
        let fine = PieceCells::around(&vertices, 0.1);
        Polyline {
            coarse: fine.coarser(),
            fine,
            vertices,
            pieces,
            ecef: ecef_ends,
            bows,
            max_bow,
        }
    }

    /// The vertices.
    pub fn vertices(&self) -> &[Point] {
        &self.vertices
    }

    /// Total geodesic length in kilometres.
    pub fn length_km(&self) -> f64 {
        self.vertices
            .windows(2)
            .map(|w| geodesic_km(w[0], w[1]))
            .sum()
    }

    /// The nearest point of the line and its geodesic distance (error under 10 m; a few
    /// centimetres within 300 km).
    ///
    /// The line is screened piece by piece (short parts of its segments) by straight-line
    /// (chord) distance in ECEF space: only the pieces that the grid cell of `p` lists (all
    /// of them outside the grid). The nearest chord point is mapped back onto the lon/lat
    /// segment, and its geodesic distance is computed from the chord with the radius of
    /// curvature of the ellipsoid in that direction (exactly, with Karney's algorithm,
    /// beyond 300 km).
    ///
    /// ```
    /// use borderwatch::spatial::Polyline;
    /// use geo::Point;
    /// let line = Polyline::new(vec![Point::new(70.0, 37.0), Point::new(71.0, 37.0)]);
    /// let near = line.nearest(Point::new(70.5, 37.1));
    /// assert!((near.km - 11.09).abs() < 0.05);
    /// ```
    pub fn nearest(&self, p: Point) -> Nearest {
        match self.fine.cell_of(p) {
            Some(cell) => {
                let pieces = self.fine.cells[cell].get_or_init(|| {
                    // The fine cell lies in one coarse cell, whose list holds every piece
                    // that any of its points can need.
                    let coarse = self.fine.parent(cell, &self.coarse);
                    let among = self.coarse.cells[coarse].get_or_init(|| {
                        self.candidates(&self.coarse, coarse, 0..self.pieces.len() as u32)
                    });
                    self.candidates(&self.fine, cell, among.iter().copied())
                });
                self.nearest_among(p, pieces.iter().map(|&s| s as usize))
            }
            None => self.nearest_among(p, 0..self.pieces.len()),
        }
    }

    /// The pieces (of `among`, which holds all that the cell can need) that can hold the
    /// nearest point of some point of `cell` of `grid`: those whose chord distance from the
    /// cell, less their bow, is within the longest geodesic the best piece can span from
    /// anywhere in the cell. The piece nearest to any point of the cell is always among
    /// them, so [`Polyline::nearest_among`] finds the same point as over the whole line.
    fn candidates(
        &self,
        grid: &PieceCells,
        cell: usize,
        among: impl Iterator<Item = u32>,
    ) -> Box<[u32]> {
        let (centre, radius) = grid.centre_and_radius(cell);
        let chords: Vec<(u32, f64)> = among
            .map(|i| {
                let (a, b) = (&self.ecef[i as usize], &self.ecef[i as usize + 1]);
                (i, chord_to_segment(&centre, a, b).0)
            })
            .collect();
        let bow = |i: u32| self.bows[i as usize];
        let reach = geodesic_upper_bound(
            chords
                .iter()
                .map(|&(i, chord)| chord + radius + bow(i))
                .fold(f64::INFINITY, f64::min),
        );
        chords
            .iter()
            .filter(|&&(i, chord)| chord - radius - bow(i) <= reach)
            .map(|&(i, _)| i)
            .collect()
    }

    /// The nearest point of the line to `p` on the given pieces, which must include every
    /// piece that can hold it.
    fn nearest_among(&self, p: Point, pieces: impl Iterator<Item = usize>) -> Nearest {
        let q = ecef(p);
        // Candidates: (squared chord to the piece's 3-D segment, position on it, piece). A
        // piece can hold the nearest point only if its chord, less its bow, is within the
        // longest geodesic that the best chord plus the largest bow can span.
        let mut candidates: Vec<(f64, f64, usize)> = Vec::with_capacity(32);
        let mut nearest2 = f64::INFINITY;
        for i in pieces {
            let (c2, u) = chord2_to_segment(&q, &self.ecef[i], &self.ecef[i + 1]);
            nearest2 = nearest2.min(c2);
            candidates.push((c2, u, i));
        }
        let reach = geodesic_upper_bound(nearest2.sqrt() + self.max_bow);
        let mut best: Option<Nearest> = None;
        for (c2, u, i) in candidates {
            // chord − bow > reach, without a square root for every piece.
            if c2 > (reach + self.bows[i]).powi(2) {
                continue;
            }
            let chord = c2.sqrt();
            let piece = self.pieces[i];
            let segment = piece.segment as usize;
            let t = piece.t0 + u * (piece.t1 - piece.t0);
            let point = self.point_at(segment, t);
            let km = if chord < 300.0 {
                geodesic_from_chord(p, point, chord2(&q, &ecef(point)).sqrt())
            } else {
                geodesic_km(p, point)
            };
            if best.is_none_or(|b| km < b.km) {
                best = Some(Nearest {
                    km,
                    point,
                    segment,
                    t,
                });
            }
        }
        best.expect("a polyline has at least one segment")
    }

    fn point_at(&self, segment: usize, t: f64) -> Point {
        let (a, b) = (self.vertices[segment], self.vertices[segment + 1]);
        Point::new(a.x() + (b.x() - a.x()) * t, a.y() + (b.y() - a.y()) * t)
    }
}

/// The geodesic distance between two nearby points from their chord: the arc of a circle
/// whose radius is the ellipsoid's radius of curvature in the direction of travel (Euler's
/// formula) at the midpoint. Within 300 km the error is a few centimetres.
pub fn geodesic_from_chord(a: Point, b: Point, chord: f64) -> f64 {
    if chord == 0.0 {
        return 0.0;
    }
    let lat = ((a.y() + b.y()) / 2.0).to_radians();
    let sin2 = lat.sin().powi(2);
    let w = (1.0 - E2 * sin2).sqrt();
    let n = WGS84_A_KM / w;
    let m = WGS84_A_KM * (1.0 - E2) / (w * w * w);
    let east = n * lat.cos() * (b.x() - a.x()).to_radians();
    let north = m * (b.y() - a.y()).to_radians();
    let h2 = east * east + north * north;
    let radius = if h2 == 0.0 {
        m
    } else {
        1.0 / (north * north / h2 / m + east * east / h2 / n)
    };
    2.0 * radius * (chord / (2.0 * radius)).min(1.0).asin()
}

/// Distance from `q` to the 3D segment `a`–`b` and the position of the closest point (0..=1).
fn chord_to_segment(q: &[f64; 3], a: &[f64; 3], b: &[f64; 3]) -> (f64, f64) {
    let (c2, u) = chord2_to_segment(q, a, b);
    (c2.sqrt(), u)
}

/// The squared distance from `q` to the 3D segment `a`–`b` and the position of the closest
/// point (0..=1).
fn chord2_to_segment(q: &[f64; 3], a: &[f64; 3], b: &[f64; 3]) -> (f64, f64) {
    let ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let aq = [q[0] - a[0], q[1] - a[1], q[2] - a[2]];
    let len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
    let u = if len2 == 0.0 {
        0.0
    } else {
        ((aq[0] * ab[0] + aq[1] * ab[1] + aq[2] * ab[2]) / len2).clamp(0.0, 1.0)
    };
    let closest = [a[0] + u * ab[0], a[1] + u * ab[1], a[2] + u * ab[2]];
    (chord2(q, &closest), u)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: the minimum over many evenly spaced points of every segment.
    fn brute_force_km(line: &Polyline, p: Point) -> f64 {
        let mut best = f64::INFINITY;
        for segment in 0..line.vertices().len() - 1 {
            for i in 0..=2000 {
                let q = line.point_at(segment, i as f64 / 2000.0);
                best = best.min(geodesic_km(p, q));
            }
        }
        best
    }

    #[test]
    fn nearest_agrees_with_dense_sampling() {
        let line = Polyline::new(vec![
            Point::new(67.8, 37.2),
            Point::new(68.6, 37.1),
            Point::new(69.4, 37.2),
            Point::new(70.2, 37.6),
            Point::new(70.8, 38.4),
        ]);
        for p in [
            Point::new(68.0, 37.5),
            Point::new(69.0, 36.0),
            Point::new(70.5, 38.0),
            Point::new(75.0, 40.0),
            Point::new(68.6, 37.1),
        ] {
            let exact = line.nearest(p).km;
            let sampled = brute_force_km(&line, p);
            assert!(
                (exact - sampled).abs() < 0.005,
                "{p:?}: {exact} vs {sampled}"
            );
        }
    }

    #[test]
    fn chord_bounds_the_geodesic_from_both_sides() {
        let pairs = [
            (Point::new(68.0, 37.0), Point::new(68.2, 37.1)),
            (Point::new(60.0, 0.0), Point::new(60.0, 4.0)),
            (Point::new(70.0, 89.0), Point::new(-110.0, 89.5)),
            (Point::new(0.0, 0.0), Point::new(5.0, 0.0)),
            (Point::new(68.0, 37.0), Point::new(75.0, 41.0)),
        ];
        for (a, b) in pairs {
            let chord = chord2(&ecef(a), &ecef(b)).sqrt();
            let s = geodesic_km(a, b);
            assert!(chord <= s + 1e-9, "{a:?} {b:?}");
            assert!(s <= geodesic_upper_bound(chord) + 1e-9, "{a:?} {b:?}");
            assert!((chord_within(geodesic_upper_bound(chord)) - chord).abs() < 1e-9);
        }
    }

    #[test]
    fn geodesic_from_chord_agrees_with_karney() {
        for (lon, lat) in [(68.0, 37.0), (70.0, 38.5), (0.0, 0.0), (20.0, 70.0)] {
            let a = Point::new(lon, lat);
            for bearing in [0.0, 33.0, 90.0, 145.0, 270.0] {
                for km in [0.001, 1.0, 25.0, 100.0, 300.0] {
                    let b = destination(a, bearing, km);
                    let chord = chord2(&ecef(a), &ecef(b)).sqrt();
                    let err = (geodesic_from_chord(a, b, chord) - km).abs();
                    assert!(err < 0.001, "{a:?} {bearing} {km}: {err} km");
                }
            }
        }
    }

    #[test]
    fn one_inverse_gives_the_same_distance_and_bearing_as_two() {
        let mut numbers = crate::testing::Uniform::new(7);
        let mut next = || numbers.next();
        for _ in 0..2000 {
            let a = Point::new(60.0 + 20.0 * next(), 30.0 + 15.0 * next());
            let b = Point::new(a.x() + next() - 0.5, a.y() + next() - 0.5);
            assert_eq!(
                geodesic_km_and_bearing(a, b),
                (geodesic_km(a, b), bearing_deg(a, b)),
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn bearing_and_destination_round_trip() {
        let a = Point::new(68.77905, 38.53575);
        for bearing in [0.0, 45.0, 135.0, 225.0, 300.0] {
            let b = destination(a, bearing, 80.0);
            assert!((geodesic_km(a, b) - 80.0).abs() < 1e-6);
            assert!((bearing_deg(a, b) - bearing).abs() < 1e-6);
        }
    }
}
