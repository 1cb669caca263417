//! What every layer is made of: features (a geometry and its properties) and the bounding
//! boxes of what was written. A leaf: the writers, the spill and the layers use it.

use geo::{Coord, Geometry};
use serde_json::{Map, Value};

/// One feature to write.
#[derive(Debug, Clone)]
pub struct Feature {
    /// The GeoJSON `id` member.
    pub id: Option<String>,
    /// The geometry, WGS84 longitude and latitude; None for a feature that has none (an
    /// incident without coordinates), written as GeoJSON's `"geometry": null` (RFC 7946
    /// §3.2) where the format allows it.
    pub geometry: Option<Geometry>,
    /// The GeoJSON `properties` member.
    pub properties: Map<String, Value>,
}

/// Bounding box of everything written: [west, south, east, north].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox(pub [f64; 4]);

impl Default for Bbox {
    fn default() -> Self {
        Bbox([
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ])
    }
}

impl Bbox {
    /// The box around `coords`.
    ///
    /// ```
    /// use borderwatch::export::Bbox;
    /// let b = Bbox::of([(68.0, 37.5), (71.0, 36.9)].map(geo::Coord::from));
    /// assert_eq!(b.0, [68.0, 36.9, 71.0, 37.5]);
    /// ```
    pub fn of(coords: impl IntoIterator<Item = Coord>) -> Bbox {
        let mut b = Bbox::default();
        for c in coords {
            b.add(c);
        }
        b
    }

    /// Grows the box to hold `c`.
    pub fn add(&mut self, c: Coord) {
        let b = &mut self.0;
        b[0] = b[0].min(c.x);
        b[1] = b[1].min(c.y);
        b[2] = b[2].max(c.x);
        b[3] = b[3].max(c.y);
    }

    /// Whether anything was added.
    pub fn is_empty(&self) -> bool {
        !self.0[0].is_finite()
    }
}
