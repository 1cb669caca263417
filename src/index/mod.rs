//! Proximity queries over incidents: `rstar` R-trees built by bulk load, answers exact on the
//! WGS84 ellipsoid.
//!
//! Distance queries use a 3-D tree of Earth-centred (ECEF) coordinates. The straight-line
//! chord `c` between two points bounds their geodesic distance `s`: `c <= s <=
//! geodesic_upper_bound(c)`, a band of under 2 cm at 25 km. So a radius query takes the cube
//! around the centre as its conservative envelope, keeps chords below `chord_within(R)`,
//! drops chords above `R`, and computes Karney's geodesic only for the rare points in between;
//! k-nearest walks the tree in chord order and stops once the next chord exceeds the k-th best
//! geodesic distance. Results equal brute force (tested). Bounding-box queries use a lon/lat
//! tree, built on first use.

mod filter;

use std::sync::OnceLock;

use geo::Point;
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

pub use filter::Filter;

use crate::incidents::IncidentTable;
use crate::reference::{Reference, Side};
use crate::spatial::{chord_within, chord2, ecef, geodesic_km};

type Ecef = GeomWithData<[f64; 3], u32>;
type LonLat = GeomWithData<[f64; 2], u32>;

/// A row of the table and its geodesic distance from the query point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub row: u32,
    pub km: f64,
}

/// The spatial index of one [`IncidentTable`].
pub struct IncidentIndex<'t> {
    table: &'t IncidentTable,
    tree: RTree<Ecef>,
    lonlat: OnceLock<RTree<LonLat>>,
    border: Vec<OnceLock<(f64, Side)>>,
}

impl<'t> IncidentIndex<'t> {
    /// Indexes the located rows of `table` (bulk load).
    ///
    /// ```
    /// use borderwatch::incidents::IncidentTable;
    /// use borderwatch::index::{Filter, IncidentIndex};
    /// let table = IncidentTable::bundled();
    /// let index = IncidentIndex::new(&table);
    /// let qala = geo::Point::new(68.37395, 36.88421);
    /// let hits = index.within(qala, 50.0, &Filter::default());
    /// assert_eq!(table.rows()[hits[0].row as usize].id.as_ref(), "BW-AFG-0001");
    /// ```
    pub fn new(table: &'t IncidentTable) -> IncidentIndex<'t> {
        let points: Vec<Ecef> = table
            .rows()
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.point().map(|p| Ecef::new(ecef(p), i as u32)))
            .collect();
        IncidentIndex {
            table,
            tree: RTree::bulk_load(points),
            lonlat: OnceLock::new(),
            border: (0..table.rows().len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The table this index serves.
    pub fn table(&self) -> &'t IncidentTable {
        self.table
    }

    /// How many rows are indexed (located).
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether no row is located.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Geodesic distance (km) to the Afghanistan–Tajikistan border and the side of a row,
    /// computed once per row.
    pub fn border(&self, row: u32) -> Option<(f64, Side)> {
        let point = self.table.rows()[row as usize].point()?;
        Some(*self.border[row as usize].get_or_init(|| {
            let reference = Reference::bundled();
            (reference.border_distance(point).km, reference.side(point))
        }))
    }

    /// Calls `visit` with every located row within `km` of `center` (geodesic, inclusive),
    /// in no particular order. The core of [`IncidentIndex::within`].
    pub fn for_each_within(&self, center: Point, km: f64, mut visit: impl FnMut(u32)) {
        let q = ecef(center);
        let inside2 = chord_within(km).powi(2);
        let outside2 = km * km;
        let envelope = AABB::from_corners(
            [q[0] - km, q[1] - km, q[2] - km],
            [q[0] + km, q[1] + km, q[2] + km],
        );
        for point in self.tree.locate_in_envelope(envelope) {
            let c2 = chord2(point.geom(), &q);
            if c2 <= inside2 || (c2 <= outside2 && self.geodesic(center, point.data) <= km) {
                visit(point.data);
            }
        }
    }

    fn geodesic(&self, from: Point, row: u32) -> f64 {
        let p = self.table.rows()[row as usize]
            .point()
            .expect("indexed rows are located");
        geodesic_km(from, p)
    }

    /// Rows within `km` of `center` that pass `filter`, nearest first (ties by row).
    pub fn within(&self, center: Point, km: f64, filter: &Filter) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.for_each_within(center, km, |row| {
            if filter.matches(self, row) {
                hits.push(Hit {
                    row,
                    km: self.geodesic(center, row),
                });
            }
        });
        sort_hits(&mut hits);
        hits
    }

    /// How many rows within `km` of `center` pass `filter`, and their summed fatalities
    /// (unknown counts as 0): the batch "what is within R km of each village" without
    /// computing any distance that the chord bounds already settle.
    pub fn count_within(&self, center: Point, km: f64, filter: &Filter) -> (usize, u64) {
        let (mut hits, mut fatalities) = (0, 0u64);
        self.for_each_within(center, km, |row| {
            if filter.matches(self, row) {
                hits += 1;
                fatalities += u64::from(self.table.rows()[row as usize].fatalities.unwrap_or(0));
            }
        });
        (hits, fatalities)
    }

    /// The `k` rows nearest to `center` (geodesic) that pass `filter`, nearest first.
    pub fn nearest(&self, center: Point, k: usize, filter: &Filter) -> Vec<Hit> {
        if k == 0 {
            return Vec::new();
        }
        let q = ecef(center);
        let mut best: Vec<Hit> = Vec::with_capacity(k + 1);
        for point in self.tree.nearest_neighbor_iter(q) {
            let chord = chord2(point.geom(), &q).sqrt();
            // Every later point has chord ≥ this one, and geodesic ≥ chord.
            if best.len() == k && chord > best[k - 1].km {
                break;
            }
            let row = point.data;
            if !filter.matches(self, row) {
                continue;
            }
            let hit = Hit {
                row,
                km: self.geodesic(center, row),
            };
            let at = best.partition_point(|h| (h.km, h.row) < (hit.km, hit.row));
            if at < k {
                best.insert(at, hit);
                best.truncate(k);
            }
        }
        best
    }

    /// Rows inside a lon/lat box (edges included) that pass `filter`, in row order.
    pub fn bbox(&self, west: f64, south: f64, east: f64, north: f64, filter: &Filter) -> Vec<u32> {
        let tree = self.lonlat.get_or_init(|| {
            let points = self
                .table
                .rows()
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.point().map(|p| LonLat::new([p.x(), p.y()], i as u32)))
                .collect();
            RTree::bulk_load(points)
        });
        let envelope = AABB::from_corners([west, south], [east, north]);
        let mut rows: Vec<u32> = tree
            .locate_in_envelope(envelope)
            .map(|p| p.data)
            .filter(|&row| filter.matches(self, row))
            .collect();
        rows.sort_unstable();
        rows
    }
}

fn sort_hits(hits: &mut [Hit]) {
    hits.sort_by(|a, b| a.km.total_cmp(&b.km).then(a.row.cmp(&b.row)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::{LoadOptions, load_reader};
    use proptest::prelude::*;

    /// A table of points (lat, lon) with ids p0, p1, ...
    fn table_of(points: &[(f64, f64)]) -> IncidentTable {
        let mut csv = String::from("id,lat,lon\n");
        for (i, (lat, lon)) in points.iter().enumerate() {
            csv.push_str(&format!("p{i},{lat},{lon}\n"));
        }
        load_reader(csv.as_bytes(), "t.csv", &LoadOptions::default()).unwrap()
    }

    fn brute_within(table: &IncidentTable, center: Point, km: f64) -> Vec<u32> {
        let mut hits: Vec<Hit> = table
            .rows()
            .iter()
            .enumerate()
            .map(|(i, r)| Hit {
                row: i as u32,
                km: geodesic_km(center, r.point().unwrap()),
            })
            .filter(|h| h.km <= km)
            .collect();
        sort_hits(&mut hits);
        hits.iter().map(|h| h.row).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn radius_and_knn_equal_brute_force(
            points in prop::collection::vec((34.0f64..41.5, 60.0f64..76.0), 1..400),
            center in (34.0f64..41.5, 60.0f64..76.0),
            km in 0.1f64..500.0,
            k in 1usize..20,
        ) {
            let table = table_of(&points);
            let index = IncidentIndex::new(&table);
            let c = Point::new(center.1, center.0);
            let got: Vec<u32> = index.within(c, km, &Filter::default()).iter().map(|h| h.row).collect();
            prop_assert_eq!(got, brute_within(&table, c, km));
            let all = brute_within(&table, c, f64::INFINITY);
            let nearest: Vec<u32> = index.nearest(c, k, &Filter::default()).iter().map(|h| h.row).collect();
            prop_assert_eq!(nearest, all.into_iter().take(k).collect::<Vec<_>>());
        }

        /// Points placed just inside and just outside the radius, where chords and
        /// geodesics disagree most.
        #[test]
        fn radius_edge_is_exact(
            center in (34.0f64..41.5, 60.0f64..76.0),
            km in 0.1f64..500.0,
            bearings in prop::collection::vec(0.0f64..360.0, 1..50),
            offset_m in -0.5f64..0.5,
        ) {
            let c = Point::new(center.1, center.0);
            let points: Vec<(f64, f64)> = bearings
                .iter()
                .map(|&b| {
                    let p = crate::spatial::destination(c, b, km + offset_m / 1000.0);
                    (p.y(), p.x())
                })
                .collect();
            let table = table_of(&points);
            let index = IncidentIndex::new(&table);
            let got: Vec<u32> = index.within(c, km, &Filter::default()).iter().map(|h| h.row).collect();
            prop_assert_eq!(got, brute_within(&table, c, km));
        }
    }

    #[test]
    fn bbox_includes_its_edges() {
        let table = table_of(&[(37.0, 69.0), (37.5, 69.5), (38.0, 70.0), (38.0001, 70.0)]);
        let index = IncidentIndex::new(&table);
        assert_eq!(
            index.bbox(69.0, 37.0, 70.0, 38.0, &Filter::default()),
            vec![0, 1, 2]
        );
    }

    #[test]
    fn border_distance_is_cached_per_row() {
        let table = table_of(&[(38.45373, 70.78902)]);
        let index = IncidentIndex::new(&table);
        let (km, side) = index.border(0).unwrap();
        assert!(km < 3.0);
        assert_eq!(side, Side::TJ);
    }
}
