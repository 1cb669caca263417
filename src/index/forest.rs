//! An R-tree bulk-loaded in parts on every core. rstar's bulk load runs on one thread (0.4 s
//! of the 1 s that loading and indexing a million incidents take), and its nodes cannot be
//! joined into one tree from outside the crate. So the points are cut into a few slabs of
//! about equal counts along their widest axis, and each slab becomes a tree of its own,
//! built on its own thread (1M incidents: 0.39 s → 0.26 s on 2 cores). Queries start from
//! every part's root: the slabs do not overlap along the cut axis, so a small query meets
//! one or two, and the others are skipped by their root's box. A leaf: rstar's types only.

use std::iter::Peekable;

use rayon::prelude::*;
use rstar::{AABB, ParentNode, PointDistance, RTree, RTreeObject, RTreeParams};

/// Points a part holds at least: below it one tree is built about as fast as the cut, and
/// each part costs a query a root to look at.
pub(super) const PART_MIN: usize = 1 << 15;

/// The most parts (from 131,072 points): enough for every core of a small machine, and few
/// roots for a query.
pub(super) const MAX_PARTS: usize = 4;

/// Every this many points one is sampled to place the cuts between the slabs.
const SAMPLE_STEP: usize = 64;

/// R-trees over disjoint slabs of the points, together holding every point once.
pub(crate) struct Forest<T: RTreeObject, Params: RTreeParams> {
    trees: Vec<RTree<T, Params>>,
}

impl<T, P, Params> Forest<T, Params>
where
    T: RTreeObject<Envelope = AABB<P>> + Send,
    P: rstar::Point<Scalar = f64> + Send,
    Params: RTreeParams,
{
    /// The forest of `points`: the same points rstar's bulk load would hold, in up to
    /// [`MAX_PARTS`] trees built in parallel.
    pub(crate) fn bulk_load(points: Vec<T>) -> Forest<T, Params> {
        let trees = slabs(points)
            .into_par_iter()
            .map(RTree::bulk_load_with_params)
            .collect();
        Forest { trees }
    }

    /// How many points the trees hold.
    pub(crate) fn size(&self) -> usize {
        self.trees.iter().map(RTree::size).sum()
    }

    /// The root of every tree (an empty forest has one, without children).
    pub(crate) fn roots(&self) -> impl Iterator<Item = &ParentNode<T>> {
        self.trees.iter().map(RTree::root)
    }

    /// Every point, nearest to `q` first (by squared distance, as
    /// [`RTree::nearest_neighbor_iter_with_distance_2`] gives each tree's), with that
    /// squared distance. A tree is only walked once its root's box is nearer than every
    /// point already found, so a query far from a slab never descends into it.
    pub(crate) fn nearest_with_distance_2(&self, q: P) -> impl Iterator<Item = (&T, f64)>
    where
        T: PointDistance,
    {
        let mut parts: Vec<Part<'_, T, Params>> = self
            .trees
            .iter()
            .map(|tree| Part::Unopened {
                tree,
                near2: tree.root().envelope().distance_2(&q),
            })
            .collect();
        std::iter::from_fn(move || {
            loop {
                let (nearest, _) = parts
                    .iter_mut()
                    .enumerate()
                    .filter_map(|(i, part)| part.bound().map(|bound| (i, bound)))
                    .min_by(|a, b| a.1.total_cmp(&b.1))?;
                match &mut parts[nearest] {
                    &mut Part::Unopened { tree, .. } => {
                        parts[nearest] = Part::Open(Box::new(
                            tree.nearest_neighbor_iter_with_distance_2(q.clone())
                                .peekable(),
                        ));
                    }
                    Part::Open(points) => return points.next(),
                }
            }
        })
    }
}

/// One tree of a nearest-first walk of a [`Forest`]: not yet walked, with the squared
/// distance to its root's box, or being walked.
enum Part<'a, T: RTreeObject + PointDistance, Params: RTreeParams> {
    Unopened {
        tree: &'a RTree<T, Params>,
        near2: f64,
    },
    /// Boxed: the walk's state is some 260 bytes, the other variant 16.
    Open(Box<Peekable<rstar::iterators::NearestNeighborDistance2Iterator<'a, T>>>),
}

impl<T, P, Params> Part<'_, T, Params>
where
    T: RTreeObject<Envelope = AABB<P>> + PointDistance,
    P: rstar::Point<Scalar = f64>,
    Params: RTreeParams,
{
    /// No point of the part is nearer than this (squared); None once it has no more.
    fn bound(&mut self) -> Option<f64> {
        match self {
            Part::Unopened { tree, near2 } => (tree.size() > 0).then_some(*near2),
            Part::Open(points) => points.peek().map(|&(_, d2)| d2),
        }
    }
}

/// `points` cut into slabs of about as many points each along the widest axis of a sample
/// of them, one slab a [`PART_MIN`] points and at most [`MAX_PARTS`]; none empty, unless
/// there are no points (then one). The cuts are placed by a sample, not by selecting
/// medians: a pass over the points that costs a few percent of the trees' build.
fn slabs<T, P>(points: Vec<T>) -> Vec<Vec<T>>
where
    T: RTreeObject<Envelope = AABB<P>> + Send,
    P: rstar::Point<Scalar = f64> + Send,
{
    let parts = (points.len() / PART_MIN).clamp(1, MAX_PARTS);
    if parts == 1 {
        return vec![points];
    }
    let key = |p: &T, axis: usize| p.envelope().lower().nth(axis);
    let sample: Vec<&T> = points.iter().step_by(SAMPLE_STEP).collect();
    let width = |axis: usize| {
        let (low, high) = sample
            .iter()
            .map(|p| key(p, axis))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), k| {
                (low.min(k), high.max(k))
            });
        high - low
    };
    let axis = (0..P::DIMENSIONS)
        .max_by(|&a, &b| width(a).total_cmp(&width(b)))
        .expect("points have at least one axis");
    let mut keys: Vec<f64> = sample.iter().map(|p| key(p, axis)).collect();
    keys.sort_unstable_by(f64::total_cmp);
    let cuts: Vec<f64> = (1..parts).map(|i| keys[i * keys.len() / parts]).collect();
    let mut slabs: Vec<Vec<T>> = (0..parts)
        .map(|_| Vec::with_capacity(points.len() / parts))
        .collect();
    for p in points {
        let k = key(&p, axis);
        slabs[cuts.partition_point(|&cut| cut <= k)].push(p);
    }
    slabs.retain(|slab| !slab.is_empty());
    slabs
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstar::DefaultParams;
    use rstar::primitives::GeomWithData;

    type Tagged = GeomWithData<[f64; 2], usize>;

    /// `n` points on a spiral, tagged with their number.
    fn points(n: usize) -> Vec<Tagged> {
        (0..n)
            .map(|i| {
                let a = i as f64 * 0.01;
                GeomWithData::new([a.cos() * a, a.sin() * a * 0.5], i)
            })
            .collect()
    }

    #[test]
    fn parts_hold_every_point_once_in_disjoint_slabs() {
        let n = MAX_PARTS * PART_MIN + 7;
        let forest: Forest<Tagged, DefaultParams> = Forest::bulk_load(points(n));
        assert_eq!(forest.trees.len(), MAX_PARTS);
        assert_eq!(forest.size(), n);
        let mut seen: Vec<usize> = forest
            .trees
            .iter()
            .flat_map(|t| t.iter().map(|p| p.data))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
        // Small inputs stay one tree, and an empty one has a root without children.
        let small: Forest<Tagged, DefaultParams> = Forest::bulk_load(points(2 * PART_MIN - 1));
        assert_eq!(small.trees.len(), 1);
        let empty: Forest<Tagged, DefaultParams> = Forest::bulk_load(Vec::new());
        assert_eq!(empty.roots().map(|r| r.children().len()).sum::<usize>(), 0);
        assert_eq!(empty.nearest_with_distance_2([0.0, 0.0]).count(), 0);
    }

    #[test]
    fn nearest_first_walks_every_point_in_distance_order() {
        let all = points(MAX_PARTS * PART_MIN);
        let forest: Forest<Tagged, DefaultParams> = Forest::bulk_load(all.clone());
        let one: RTree<Tagged> = RTree::bulk_load(all);
        for q in [[0.0, 0.0], [150.0, -40.0], [-3000.0, 5.0]] {
            let walked: Vec<f64> = forest
                .nearest_with_distance_2(q)
                .map(|(_, d2)| d2)
                .collect();
            let expected: Vec<f64> = one
                .nearest_neighbor_iter_with_distance_2(q)
                .map(|(_, d2)| d2)
                .collect();
            assert_eq!(walked, expected, "from {q:?}");
        }
    }
}
