//! Geometry encodings for the typed outputs: well-known binary, Simple Features type names
//! and the Hilbert curve that orders rows. A leaf: the spill and the writers use it.

use geo::Geometry;

use super::feature::Feature;

/// The Simple Features name of a geometry's type.
pub(crate) fn geometry_type_name(geometry: &Geometry) -> &'static str {
    match geometry {
        Geometry::Point(_) => "Point",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        _ => "Geometry",
    }
}

/// The one geometry type of a layer's features that have a geometry, as Simple Features
/// names it; None when mixed or none has one.
pub fn geometry_type(features: &[Feature]) -> Option<&'static str> {
    let mut names = features
        .iter()
        .filter_map(|f| f.geometry.as_ref().map(geometry_type_name));
    let first = names.next()?;
    names.all(|name| name == first).then_some(first)
}

/// Well-known binary (little-endian, 2D) of a geometry.
pub fn wkb(geometry: &Geometry) -> Vec<u8> {
    fn header(out: &mut Vec<u8>, kind: u32) {
        out.push(1);
        out.extend_from_slice(&kind.to_le_bytes());
    }
    fn count(out: &mut Vec<u8>, n: usize) {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    fn coords(out: &mut Vec<u8>, line: &geo::LineString) {
        count(out, line.0.len());
        for c in &line.0 {
            out.extend_from_slice(&c.x.to_le_bytes());
            out.extend_from_slice(&c.y.to_le_bytes());
        }
    }
    fn polygon(out: &mut Vec<u8>, p: &geo::Polygon) {
        header(out, 3);
        count(out, 1 + p.interiors().len());
        coords(out, p.exterior());
        for ring in p.interiors() {
            coords(out, ring);
        }
    }
    let mut out = Vec::new();
    match geometry {
        Geometry::Point(p) => push_point(&mut out, p.x(), p.y()),
        Geometry::LineString(l) => {
            header(&mut out, 2);
            coords(&mut out, l);
        }
        Geometry::Polygon(p) => polygon(&mut out, p),
        Geometry::MultiLineString(m) => {
            header(&mut out, 5);
            count(&mut out, m.0.len());
            for l in &m.0 {
                header(&mut out, 2);
                coords(&mut out, l);
            }
        }
        Geometry::MultiPolygon(m) => {
            header(&mut out, 6);
            count(&mut out, m.0.len());
            for p in &m.0 {
                polygon(&mut out, p);
            }
        }
        Geometry::MultiPoint(m) => {
            header(&mut out, 4);
            count(&mut out, m.0.len());
            for p in &m.0 {
                push_point(&mut out, p.x(), p.y());
            }
        }
        other => {
            // Our layers hold only the types above; anything else is written as its parts.
            let parts: Vec<Geometry> = match other {
                Geometry::GeometryCollection(c) => c.0.clone(),
                _ => Vec::new(),
            };
            header(&mut out, 7);
            count(&mut out, parts.len());
            for g in &parts {
                out.extend_from_slice(&wkb(g));
            }
        }
    }
    out
}

/// Appends the WKB of the point (`x`, `y`): little-endian, type 1, the two coordinates.
pub(crate) fn push_point(out: &mut Vec<u8>, x: f64, y: f64) {
    out.push(1);
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&x.to_le_bytes());
    out.extend_from_slice(&y.to_le_bytes());
}

/// Position along a Hilbert curve of order 16 over the layer's extent [west, south, east,
/// north], for sorting rows so that row groups cover compact areas (readers skip a row group
/// by its bbox statistics).
pub(crate) fn hilbert(lon: f64, lat: f64, extent: [f64; 4]) -> u64 {
    const N: u64 = 1 << 16;
    let scale = |v: f64, lo: f64, hi: f64| {
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
        (t.clamp(0.0, 1.0) * (N - 1) as f64) as u64
    };
    let (mut x, mut y) = (
        scale(lon, extent[0], extent[2]),
        scale(lat, extent[1], extent[3]),
    );
    let mut d = 0;
    let mut s = N / 2;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = N - 1 - x;
                y = N - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wkb_of_a_point_is_the_standard_21_bytes() {
        let bytes = wkb(&geo::Point::new(70.5, 37.25).into());
        assert_eq!(bytes.len(), 21);
        assert_eq!(&bytes[..5], &[1, 1, 0, 0, 0]);
        assert_eq!(f64::from_le_bytes(bytes[5..13].try_into().unwrap()), 70.5);
        assert_eq!(f64::from_le_bytes(bytes[13..21].try_into().unwrap()), 37.25);
    }

    #[test]
    fn hilbert_order_keeps_neighbours_close() {
        let extent = [0.0, 0.0, 1.0, 1.0];
        let corner = hilbert(0.0, 0.0, extent);
        assert!(
            hilbert(0.001, 0.001, extent).abs_diff(corner)
                < hilbert(0.9, 0.9, extent).abs_diff(corner)
        );
        assert_eq!(
            hilbert(5.0, 5.0, [5.0, 5.0, 5.0, 5.0]),
            hilbert(0.0, 0.0, extent),
            "a point extent"
        );
    }
}
