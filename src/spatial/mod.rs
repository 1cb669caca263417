//! Geodesy on the WGS84 ellipsoid (Karney's algorithm via `geo::Geodesic`) and the
//! distance from a point to a polyline such as the Afghanistan–Tajikistan border.
//!
//! Coordinates are `geo::Point`s with x = longitude and y = latitude, in degrees.

use geo::{Bearing, Destination, Distance, Geodesic, Point};

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

/// A line of lon/lat vertices, with exact geodesic distance from a point.
#[derive(Debug, Clone)]
pub struct Polyline {
    vertices: Vec<Point>,
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

impl Polyline {
    /// A polyline through `vertices`; segments are straight in lon/lat, as GIS draws them.
    pub fn new(vertices: Vec<Point>) -> Polyline {
        assert!(vertices.len() >= 2, "a polyline needs two vertices");
        Polyline { vertices }
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

    /// The nearest point of the line and its geodesic distance (error well under 1 m).
    ///
    /// Segments are screened in a local equirectangular frame around `p`; every segment whose
    /// planar distance is within a generous margin of the best is refined by a golden-section
    /// search on the exact geodesic distance.
    ///
    /// ```
    /// use borderwatch::spatial::Polyline;
    /// use geo::Point;
    /// let line = Polyline::new(vec![Point::new(70.0, 37.0), Point::new(71.0, 37.0)]);
    /// let near = line.nearest(Point::new(70.5, 37.1));
    /// assert!((near.km - 11.09).abs() < 0.05);
    /// ```
    pub fn nearest(&self, p: Point) -> Nearest {
        let kx = 111.32 * p.y().to_radians().cos();
        let ky = 110.57;
        let local = |q: Point| ((q.x() - p.x()) * kx, (q.y() - p.y()) * ky);
        let planar: Vec<f64> = self
            .vertices
            .windows(2)
            .map(|w| planar_segment_distance(local(w[0]), local(w[1])))
            .collect();
        let best_planar = planar.iter().copied().fold(f64::INFINITY, f64::min);
        let margin = best_planar * 0.1 + 2.0;
        let mut best: Option<Nearest> = None;
        for (segment, d) in planar.iter().enumerate() {
            if *d > best_planar + margin {
                continue;
            }
            let candidate = self.refine(p, segment);
            if best.is_none_or(|b| candidate.km < b.km) {
                best = Some(candidate);
            }
        }
        best.expect("a polyline has at least one segment")
    }

    fn point_at(&self, segment: usize, t: f64) -> Point {
        let (a, b) = (self.vertices[segment], self.vertices[segment + 1]);
        Point::new(a.x() + (b.x() - a.x()) * t, a.y() + (b.y() - a.y()) * t)
    }

    fn refine(&self, p: Point, segment: usize) -> Nearest {
        let distance = |t: f64| geodesic_km(p, self.point_at(segment, t));
        let ratio = (5f64.sqrt() - 1.0) / 2.0;
        let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
        let mut c = hi - ratio * (hi - lo);
        let mut d = lo + ratio * (hi - lo);
        let (mut fc, mut fd) = (distance(c), distance(d));
        while hi - lo > 1e-9 {
            if fc < fd {
                hi = d;
                d = c;
                fd = fc;
                c = hi - ratio * (hi - lo);
                fc = distance(c);
            } else {
                lo = c;
                c = d;
                fc = fd;
                d = lo + ratio * (hi - lo);
                fd = distance(d);
            }
        }
        let mut t = (lo + hi) / 2.0;
        let mut km = distance(t);
        for end in [0.0, 1.0] {
            let at_end = distance(end);
            if at_end < km {
                km = at_end;
                t = end;
            }
        }
        Nearest {
            km,
            point: self.point_at(segment, t),
            segment,
            t,
        }
    }
}

fn planar_segment_distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0)
    };
    (a.0 + t * dx).hypot(a.1 + t * dy)
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
            assert!(exact <= sampled + 1e-6, "{p:?}: {exact} > {sampled}");
            assert!(sampled - exact < 0.01, "{p:?}: {exact} vs {sampled}");
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
