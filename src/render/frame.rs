//! The map frame: a Lambert conformal conic projection (proj4rs) centred on the view, fitted
//! into a rectangle of pixels.

use geo::Point;
use proj4rs::proj::Proj;

use crate::export::Bbox;
use crate::spatial::{destination, geodesic_km};

/// A rectangle in pixels: left, top, right, bottom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x0: f64,
    /// Top.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Bottom.
    pub y1: f64,
}

impl Rect {
    /// A rectangle from its corner and size.
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect {
            x0: x,
            y0: y,
            x1: x + w,
            y1: y + h,
        }
    }

    /// Its width.
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    /// Its height.
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// Whether the two rectangles share any area.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Whether `other` lies wholly inside.
    pub fn contains(&self, other: &Rect) -> bool {
        other.x0 >= self.x0 && other.x1 <= self.x1 && other.y0 >= self.y0 && other.y1 <= self.y1
    }

    /// The rectangle grown by `d` on every side.
    pub fn inflate(&self, d: f64) -> Rect {
        Rect {
            x0: self.x0 - d,
            y0: self.y0 - d,
            x1: self.x1 + d,
            y1: self.y1 + d,
        }
    }

    /// Whether the point lies inside or on the edge.
    pub fn contains_point(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
}

/// Projects lon/lat to pixels of the map rectangle.
pub struct Frame {
    lonlat: Proj,
    conic: Proj,
    /// Projected x of the rectangle's left edge and y of its top edge, in metres.
    origin: (f64, f64),
    /// Projected metres per pixel.
    pub metres_per_px: f64,
    /// Where the map is drawn.
    pub rect: Rect,
    /// The view's centre.
    pub centre: Point,
    /// Projected metres per metre on the ground at the centre (the conic's scale factor).
    pub scale_at_centre: f64,
    /// The projection, as a PROJ string.
    pub definition: String,
}

impl Frame {
    /// A frame that draws in `rect` and shows `view` ([west, south, east, north] in degrees)
    /// as large as fits `margin` px inside it, centred; the standard parallels cut the view at
    /// 1/6 and 5/6 of its height. The margin keeps what is drawn at the view's edge (an
    /// incident symbol) inside the rectangle.
    ///
    /// # Panics
    ///
    /// Only if proj4rs rejected the built-in projection strings (tested).
    pub fn new(view: [f64; 4], rect: Rect, margin: f64) -> Frame {
        let [west, south, east, north] = view;
        let centre = Point::new((west + east) / 2.0, (south + north) / 2.0);
        let span = north - south;
        let definition = format!(
            "+proj=lcc +lat_1={:.6} +lat_2={:.6} +lat_0={:.6} +lon_0={:.6} +datum=WGS84 +units=m +no_defs",
            south + span / 6.0,
            north - span / 6.0,
            centre.y(),
            centre.x()
        );
        let lonlat = Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").expect("valid");
        let conic = Proj::from_proj_string(&definition).expect("valid LCC definition");
        let mut frame = Frame {
            lonlat,
            conic,
            origin: (0.0, 0.0),
            metres_per_px: 1.0,
            rect,
            centre,
            scale_at_centre: 1.0,
            definition,
        };
        // The projected extent of the view's outline, sampled along each edge.
        let outline = (0..=16).flat_map(|i| {
            let t = i as f64 / 16.0;
            [
                (west + t * (east - west), south),
                (west + t * (east - west), north),
                (west, south + t * span),
                (east, south + t * span),
            ]
        });
        let [xmin, ymin, xmax, ymax] =
            Bbox::of(outline.map(|(lon, lat)| frame.forward(lon, lat).into())).0;
        let inner = |side: f64| (side - 2.0 * margin).max(1.0);
        frame.metres_per_px =
            ((xmax - xmin) / inner(rect.width())).max((ymax - ymin) / inner(rect.height()));
        let (cx, cy) = ((xmin + xmax) / 2.0, (ymin + ymax) / 2.0);
        frame.origin = (
            cx - rect.width() / 2.0 * frame.metres_per_px,
            cy + rect.height() / 2.0 * frame.metres_per_px,
        );
        // Measured, not assumed: 1 km east of the centre on the ellipsoid, in projected metres.
        let east_point = destination(centre, 90.0, 1.0);
        let (x0, y0) = frame.forward(centre.x(), centre.y());
        let (x1, y1) = frame.forward(east_point.x(), east_point.y());
        frame.scale_at_centre =
            (x1 - x0).hypot(y1 - y0) / (geodesic_km(centre, east_point) * 1000.0);
        frame
    }

    /// Projected metres of a lon/lat point.
    fn forward(&self, lon: f64, lat: f64) -> (f64, f64) {
        proj4rs::adaptors::transform_xy(
            &self.lonlat,
            &self.conic,
            lon.to_radians(),
            lat.to_radians(),
        )
        .unwrap_or((f64::NAN, f64::NAN))
    }

    /// The pixel of a lon/lat point (outside the rectangle when the point is outside the view).
    pub fn px(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = self.forward(lon, lat);
        (
            self.rect.x0 + (x - self.origin.0) / self.metres_per_px,
            self.rect.y0 + (self.origin.1 - y) / self.metres_per_px,
        )
    }

    /// The lon/lat of a pixel.
    pub fn lonlat(&self, (px, py): (f64, f64)) -> (f64, f64) {
        let x = self.origin.0 + (px - self.rect.x0) * self.metres_per_px;
        let y = self.origin.1 - (py - self.rect.y0) * self.metres_per_px;
        let (lon, lat) = proj4rs::adaptors::transform_xy(&self.conic, &self.lonlat, x, y)
            .unwrap_or((f64::NAN, f64::NAN));
        (lon.to_degrees(), lat.to_degrees())
    }

    /// The lon/lat box the rectangle shows.
    pub fn bounds(&self) -> [f64; 4] {
        let r = self.rect;
        let edges = (0..=8).flat_map(|i| {
            let t = i as f64 / 8.0;
            [
                (r.x0 + t * r.width(), r.y0),
                (r.x0 + t * r.width(), r.y1),
                (r.x0, r.y0 + t * r.height()),
                (r.x1, r.y0 + t * r.height()),
            ]
        });
        Bbox::of(edges.map(|p| self.lonlat(p).into())).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_fits_and_round_trips() {
        let rect = Rect::new(10.0, 20.0, 800.0, 600.0);
        let frame = Frame::new([68.0, 36.5, 72.0, 38.5], rect, 0.0);
        let (x, y) = frame.px(70.0, 37.5);
        assert!(
            (x - 410.0).abs() < 40.0 && (y - 320.0).abs() < 40.0,
            "{x} {y}"
        );
        let (lon, lat) = frame.lonlat((x, y));
        assert!((lon - 70.0).abs() < 1e-9 && (lat - 37.5).abs() < 1e-9);
        for (lon, lat) in [(68.0, 36.5), (72.0, 38.5)] {
            assert!(rect.contains_point(frame.px(lon, lat)));
        }
        assert!(
            (frame.scale_at_centre - 1.0).abs() < 0.002,
            "{}",
            frame.scale_at_centre
        );
        let margin = 30.0;
        let inner = rect.inflate(-margin);
        let padded = Frame::new([68.0, 36.5, 72.0, 38.5], rect, margin);
        for (lon, lat) in [(68.0, 36.5), (72.0, 38.5), (68.0, 38.5), (72.0, 36.5)] {
            assert!(inner.inflate(0.01).contains_point(padded.px(lon, lat)));
        }
        assert!(padded.rect == rect && padded.metres_per_px > frame.metres_per_px);
    }
}
