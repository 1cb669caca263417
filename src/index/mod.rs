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
//!
//! Each tree is a [`forest::Forest`] of slabs bulk-loaded in parallel, and is walked by
//! hand from every slab's root: a node that lies wholly inside the query is taken whole,
//! without testing its points, and each entry carries its day and fatalities so that date
//! filters and counts never touch the table.

mod explain;
mod file;
mod filter;
mod forest;
pub mod queries;
pub mod summary;

use std::sync::OnceLock;

use geo::Point;
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{
    AABB, Envelope, ParentNode, RStarInsertionStrategy, RTreeNode, RTreeObject, RTreeParams,
};

pub use explain::{Nothing, why_nothing};
pub use file::{AreaLoad, IndexFile, load_around};
pub use filter::Filter;
pub use summary::{Group, Grouping, summarise};

use crate::incidents::IncidentTable;
use crate::incidents::tally::Fatalities;
use crate::reference::{Reference, Side};
use crate::spatial::{chord_within, chord2, ecef, geodesic_km, geodesic_km_and_bearing};
use forest::Forest;

/// Where a query looks.
#[derive(Debug, Clone)]
pub enum Area {
    /// Within a distance in km (geodesic) of any of the points.
    Within(Vec<(Point, f64)>),
    /// A lon/lat box [west, south, east, north], edges included.
    Box([f64; 4]),
}

/// How many incidents a query found, and their fatalities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    /// Incidents found.
    pub hits: usize,
    /// Their fatalities, the unknown ones apart.
    pub fatalities: Fatalities,
}

/// What the trees keep of each row besides its position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub(crate) row: u32,
    /// Days since 1970-01-01; `i32::MIN` when unknown.
    pub(crate) day: i32,
    /// `None` when the row does not say.
    pub(crate) fatalities: Option<u32>,
}

type Ecef = GeomWithData<[f64; 3], Entry>;
type LonLat = GeomWithData<[f64; 2], Entry>;

/// Wider nodes than rstar's default (6): a shallower tree that bulk-loads faster and whose
/// leaves, scanned whole, suit queries that return thousands of points.
pub struct WideNodes;

impl RTreeParams for WideNodes {
    const MIN_SIZE: usize = 8;
    const MAX_SIZE: usize = 24;
    const REINSERTION_COUNT: usize = 6;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

type Tree<T> = Forest<T, WideNodes>;

fn entry(table: &IncidentTable, row: usize) -> Entry {
    let r = &table.rows()[row];
    Entry {
        row: row as u32,
        day: r.date.map_or(i32::MIN, filter::day_number),
        fatalities: r.fatalities,
    }
}

/// Calls `f` with every leaf under `node`.
fn each_leaf<T: RTreeObject>(node: &ParentNode<T>, f: &mut impl FnMut(&T)) {
    for child in node.children() {
        match child {
            RTreeNode::Leaf(leaf) => f(leaf),
            RTreeNode::Parent(parent) => each_leaf(parent, f),
        }
    }
}

/// Squared distance from `q` to the farthest and the nearest point of a box.
fn far_near2(envelope: &AABB<[f64; 3]>, q: &[f64; 3]) -> (f64, f64) {
    let (lo, hi) = (envelope.lower(), envelope.upper());
    let (mut far, mut near) = (0.0, 0.0);
    for axis in 0..3 {
        let (a, b) = (q[axis] - lo[axis], hi[axis] - q[axis]);
        far += a.abs().max(b.abs()).powi(2);
        if a < 0.0 {
            near += a * a;
        } else if b < 0.0 {
            near += b * b;
        }
    }
    (far, near)
}

/// A row of the table, its geodesic distance (km) from the query point and the initial
/// bearing (degrees) from the query point to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The row in the table.
    pub row: u32,
    /// Geodesic distance from the query point, km.
    pub km: f64,
    /// Initial bearing from the query point, degrees.
    pub bearing: f64,
}

/// The spatial index of one [`IncidentTable`].
pub struct IncidentIndex<'t> {
    table: &'t IncidentTable,
    /// None: radius queries scan the rows (see [`IncidentIndex::unindexed`]).
    tree: Option<Tree<Ecef>>,
    lonlat: OnceLock<Tree<LonLat>>,
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
    /// assert_eq!(table.str(table.rows()[hits[0].row as usize].id), "BW-AFG-0001");
    /// ```
    pub fn new(table: &'t IncidentTable) -> IncidentIndex<'t> {
        let points: Vec<Ecef> = table
            .rows()
            .par_iter()
            .enumerate()
            .filter_map(|(i, r)| r.point().map(|p| Ecef::new(ecef(p), entry(table, i))))
            .collect();
        IncidentIndex {
            table,
            tree: Some(Tree::bulk_load(points)),
            lonlat: OnceLock::new(),
            border: (0..table.rows().len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// An index without the R-tree: filters, border distances and radius queries that
    /// scan every row, which for a single query costs less than building the tree (a
    /// streaming export's blocks, one `near` question). k-nearest queries need
    /// [`IncidentIndex::new`].
    ///
    /// ```
    /// use borderwatch::incidents::IncidentTable;
    /// use borderwatch::index::{Filter, IncidentIndex};
    /// let table = IncidentTable::bundled();
    /// let qala = geo::Point::new(68.37395, 36.88421);
    /// let scanned = IncidentIndex::unindexed(&table).within(qala, 50.0, &Filter::default());
    /// assert_eq!(scanned, IncidentIndex::new(&table).within(qala, 50.0, &Filter::default()));
    /// ```
    pub fn unindexed(table: &'t IncidentTable) -> IncidentIndex<'t> {
        IncidentIndex {
            table,
            tree: None,
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
        match &self.tree {
            Some(tree) => tree.size(),
            None => self
                .table
                .rows()
                .iter()
                .filter(|r| r.point().is_some())
                .count(),
        }
    }

    /// Whether no row is located.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

    /// Calls `visit` with the entry of every located row within `km` of `center` (geodesic,
    /// inclusive), in no particular order. The core of [`IncidentIndex::within`].
    fn for_each_within(&self, center: Point, km: f64, mut visit: impl FnMut(&Entry)) {
        let q = ecef(center);
        let inside2 = chord_within(km).powi(2);
        let outside2 = km * km;
        let inside = |at: &[f64; 3], row: u32| {
            let c2 = chord2(at, &q);
            c2 <= inside2 || (c2 <= outside2 && self.geodesic(center, row) <= km)
        };
        let Some(tree) = &self.tree else {
            for (row, r) in self.table.rows().iter().enumerate() {
                if let Some(p) = r.point()
                    && inside(&ecef(p), row as u32)
                {
                    visit(&entry(self.table, row));
                }
            }
            return;
        };
        let mut stack: Vec<&ParentNode<Ecef>> = tree
            .roots()
            .filter(|root| far_near2(&root.envelope(), &q).1 <= outside2)
            .collect();
        while let Some(node) = stack.pop() {
            for child in node.children() {
                match child {
                    RTreeNode::Leaf(point) => {
                        if inside(point.geom(), point.data.row) {
                            visit(&point.data);
                        }
                    }
                    RTreeNode::Parent(parent) => {
                        let (far2, near2) = far_near2(&parent.envelope(), &q);
                        if near2 > outside2 {
                            continue;
                        }
                        if far2 <= inside2 {
                            each_leaf(parent, &mut |point: &Ecef| visit(&point.data));
                        } else {
                            stack.push(parent);
                        }
                    }
                }
            }
        }
    }

    fn point(&self, row: u32) -> Point {
        self.table.rows()[row as usize]
            .point()
            .expect("indexed rows are located")
    }

    fn geodesic(&self, from: Point, row: u32) -> f64 {
        geodesic_km(from, self.point(row))
    }

    fn hit(&self, from: Point, row: u32) -> Hit {
        let (km, bearing) = geodesic_km_and_bearing(from, self.point(row));
        Hit { row, km, bearing }
    }

    /// Rows within `km` of `center` that pass `filter`, nearest first (ties by row).
    pub fn within(&self, center: Point, km: f64, filter: &Filter) -> Vec<Hit> {
        let mut rows = Vec::new();
        self.for_each_within(center, km, |e| {
            if filter.matches_entry(self, e) {
                rows.push(e.row);
            }
        });
        // Exact distances of many hits: worth both cores.
        let mut hits: Vec<Hit> = rows
            .par_iter()
            .with_min_len(256)
            .map(|&row| self.hit(center, row))
            .collect();
        sort_hits(&mut hits);
        hits
    }

    /// How many rows within `km` of `center` pass `filter`, and their fatalities (unknown
    /// counts kept apart): the batch "what is within R km of each village" without
    /// computing any distance that the chord bounds already settle.
    pub fn count_within(&self, center: Point, km: f64, filter: &Filter) -> Count {
        let mut count = Count::default();
        self.for_each_within(center, km, |e| {
            if filter.matches_entry(self, e) {
                count.hits += 1;
                count.fatalities.add(e.fatalities);
            }
        });
        count
    }

    /// The `k` rows nearest to `center` (geodesic) that pass `filter`, nearest first.
    ///
    /// # Panics
    ///
    /// When the index was made by [`IncidentIndex::unindexed`]: k-nearest queries need the R-tree of [`IncidentIndex::new`].
    pub fn nearest(&self, center: Point, k: usize, filter: &Filter) -> Vec<Hit> {
        if k == 0 {
            return Vec::new();
        }
        let q = ecef(center);
        let mut best: Vec<Hit> = Vec::with_capacity(k + 1);
        let tree = self
            .tree
            .as_ref()
            .expect("k-nearest queries need the R-tree of IncidentIndex::new");
        for (point, _) in tree.nearest_with_distance_2(q) {
            let chord = chord2(point.geom(), &q).sqrt();
            // Every later point has chord ≥ this one, and geodesic ≥ chord.
            if best.len() == k && chord > best[k - 1].km {
                break;
            }
            let row = point.data.row;
            if !filter.matches_entry(self, &point.data) {
                continue;
            }
            let hit = self.hit(center, row);
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
                .filter_map(|(i, r)| {
                    r.point()
                        .map(|p| LonLat::new([p.x(), p.y()], entry(self.table, i)))
                })
                .collect();
            Tree::bulk_load(points)
        });
        let query = AABB::from_corners([west, south], [east, north]);
        let mut rows = Vec::new();
        let mut take = |e: &Entry| {
            if filter.matches_entry(self, e) {
                rows.push(e.row);
            }
        };
        let mut stack: Vec<&ParentNode<LonLat>> = tree
            .roots()
            .filter(|root| query.intersects(&root.envelope()))
            .collect();
        while let Some(node) = stack.pop() {
            for child in node.children() {
                match child {
                    RTreeNode::Leaf(point) => {
                        if query.contains_point(point.geom()) {
                            take(&point.data);
                        }
                    }
                    RTreeNode::Parent(parent) => {
                        let envelope = parent.envelope();
                        if query.contains_envelope(&envelope) {
                            each_leaf(parent, &mut |point: &LonLat| take(&point.data));
                        } else if query.intersects(&envelope) {
                            stack.push(parent);
                        }
                    }
                }
            }
        }
        rows.sort_unstable();
        rows
    }
}

/// Nearest first; rows are unique, so an unstable sort gives the one order.
fn sort_hits(hits: &mut [Hit]) {
    hits.par_sort_unstable_by(|a, b| a.km.total_cmp(&b.km).then(a.row.cmp(&b.row)));
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
            .map(|(i, r)| {
                let (km, bearing) = geodesic_km_and_bearing(center, r.point().unwrap());
                Hit {
                    row: i as u32,
                    km,
                    bearing,
                }
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
            prop_assert_eq!(&got, &brute_within(&table, c, km));
            // Without the tree, by a pass over the rows: the same hits.
            let scanned = IncidentIndex::unindexed(&table);
            let scanned: Vec<u32> = scanned.within(c, km, &Filter::default()).iter().map(|h| h.row).collect();
            prop_assert_eq!(scanned, got);
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

    /// Enough points for a forest of several slabs: radius, k-nearest and box queries, at
    /// cuts and inside slabs, give what a pass over the rows gives.
    #[test]
    fn queries_across_slabs_equal_a_scan() {
        let n = forest::MAX_PARTS * forest::PART_MIN + 1;
        // A scrambled spread over the region, the same every run.
        let mut numbers = crate::testing::Uniform::new(12345);
        let mut next = || numbers.next();
        let points: Vec<(f64, f64)> = (0..n)
            .map(|_| (34.0 + 7.5 * next(), 60.0 + 16.0 * next()))
            .collect();
        let table = table_of(&points);
        let index = IncidentIndex::new(&table);
        assert_eq!(
            index.tree.as_ref().unwrap().roots().count(),
            forest::MAX_PARTS
        );
        assert_eq!(index.len(), n);
        let scan = IncidentIndex::unindexed(&table);
        let all = Filter::default();
        let rows = |hits: Vec<Hit>| hits.iter().map(|h| h.row).collect::<Vec<_>>();
        // Centres along the widest (east-west) axis, so some sit at or near a cut.
        for step in 0..=16 {
            let c = Point::new(60.0 + f64::from(step), 37.75);
            let within = rows(scan.within(c, 30.0, &all));
            assert!(within.len() > 10, "dense enough around {c:?}");
            assert_eq!(
                rows(index.within(c, 30.0, &all)),
                within,
                "within 30 km of {c:?}"
            );
            assert_eq!(
                rows(index.nearest(c, 10, &all)),
                within[..10],
                "10 nearest to {c:?}"
            );
            let (x, y) = (c.x(), c.y());
            let inside: Vec<u32> = (0..n as u32)
                .filter(|&i| {
                    let (lat, lon) = points[i as usize];
                    (x - 0.3..=x + 0.3).contains(&lon) && (y - 0.2..=y + 0.2).contains(&lat)
                })
                .collect();
            assert_eq!(index.bbox(x - 0.3, y - 0.2, x + 0.3, y + 0.2, &all), inside);
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
