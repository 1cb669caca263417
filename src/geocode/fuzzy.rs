//! Typo-tolerant lookup without scanning every name: a symmetric-deletion index
//! (the SymSpell idea). Every key is stored under each string obtained by deleting up to
//! `max_distance` of its characters; a query looks up its own deletions, and the few keys
//! found are verified with the optimal-string-alignment edit distance.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The keys of `DeletionIndex::groups` are already hashes: use them as they are.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys are hashed")
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Keys indexed by their deletion neighbourhood.
#[derive(Debug, Clone)]
pub struct DeletionIndex {
    /// Key ids grouped by the hash of a deletion variant (see `groups`).
    ids: Vec<u32>,
    /// Hash of a deletion variant → (start, end) in `ids`.
    groups: HashMap<u64, (u32, u32), BuildHasherDefault<PassThrough>>,
    keys: Vec<Vec<char>>,
    max_distance: usize,
    depth: fn(usize) -> usize,
}

/// The shortest key, in characters, that is searched with each edit distance:
/// shorter keys would match too much.
pub fn allowed_distance(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

impl DeletionIndex {
    /// Indexes `keys` (their position is their id) for edit distances up to `max_distance`;
    /// `depth(len)` says how many edits a key of `len` characters may be away.
    ///
    /// ```
    /// use borderwatch::geocode::fuzzy::{DeletionIndex, allowed_distance};
    /// let keys: Vec<Vec<char>> = ["KalaJal", "Vanj"].iter().map(|k| k.chars().collect()).collect();
    /// let index = DeletionIndex::new(&keys, 2, allowed_distance);
    /// let query: Vec<char> = "KalJal".chars().collect();
    /// assert_eq!(index.search(&query, 1), vec![(0, 1)]);
    /// ```
    pub fn new(
        keys: &[Vec<char>],
        max_distance: usize,
        depth: fn(usize) -> usize,
    ) -> DeletionIndex {
        let mut entries = Vec::new();
        for (id, key) in keys.iter().enumerate() {
            let d = depth(key.len()).min(max_distance);
            for_each_deletion(key, d, &mut |hash| entries.push((hash, id as u32)));
        }
        entries.sort_unstable();
        entries.dedup();
        let mut groups = HashMap::with_capacity_and_hasher(entries.len() / 2, Default::default());
        let mut start = 0;
        while start < entries.len() {
            let hash = entries[start].0;
            let end = start + entries[start..].iter().take_while(|e| e.0 == hash).count();
            groups.insert(hash, (start as u32, end as u32));
            start = end;
        }
        DeletionIndex {
            ids: entries.into_iter().map(|e| e.1).collect(),
            groups,
            keys: keys.to_vec(),
            max_distance,
            depth,
        }
    }

    /// Keys within `max_distance` edits of `query` (and within their own allowed depth), as
    /// (key id, distance), sorted by distance.
    pub fn search(&self, query: &[char], max_distance: usize) -> Vec<(u32, usize)> {
        let limit = max_distance.min(self.max_distance);
        let mut found = Vec::new();
        for_each_deletion(query, limit, &mut |hash| {
            if let Some(&(start, end)) = self.groups.get(&hash) {
                found.extend_from_slice(&self.ids[start as usize..end as usize]);
            }
        });
        found.sort_unstable();
        found.dedup();
        let mut hits: Vec<(u32, usize)> = found
            .into_iter()
            .filter_map(|id| {
                let key = &self.keys[id as usize];
                let allowed = limit.min((self.depth)(key.len()));
                if key.len().abs_diff(query.len()) > allowed {
                    return None;
                }
                osa_within(query, key, allowed).map(|d| (id, d))
            })
            .collect();
        hits.sort_unstable_by_key(|&(id, d)| (d, id));
        hits
    }
}

/// Calls `emit` with the hash of `chars` and of every string made by deleting up to `depth`
/// characters from it (duplicates included; callers deduplicate).
///
/// The hashes are polynomial, so that the hash of a string with one or two characters left
/// out comes from prefix hashes in constant time, not by hashing it again: a query of ten
/// letters has 56 such strings at depth 2.
fn for_each_deletion(chars: &[char], depth: usize, emit: &mut impl FnMut(u64)) {
    let n = chars.len();
    let mut prefix = Vec::with_capacity(n + 1);
    let mut power = Vec::with_capacity(n + 1);
    let (mut hash, mut p) = (0u64, 1u64);
    prefix.push(hash);
    power.push(p);
    for &c in chars {
        hash = hash.wrapping_mul(HASH_BASE).wrapping_add(u64::from(c) + 1);
        p = p.wrapping_mul(HASH_BASE);
        prefix.push(hash);
        power.push(p);
    }
    // The hash of chars[a..b].
    let range = |a: usize, b: usize| prefix[b].wrapping_sub(prefix[a].wrapping_mul(power[b - a]));
    // The hash of `head` followed by `len` characters whose hash is `tail`.
    let join = |head: u64, tail: u64, len: usize| head.wrapping_mul(power[len]).wrapping_add(tail);
    emit(finish(prefix[n], n));
    if depth >= 1 {
        for (i, &before) in prefix[..n].iter().enumerate() {
            let without_i = join(before, range(i + 1, n), n - i - 1);
            emit(finish(without_i, n - 1));
            if depth >= 2 {
                for j in i + 1..n {
                    let head = join(before, range(i + 1, j), j - i - 1);
                    emit(finish(join(head, range(j + 1, n), n - j - 1), n - 2));
                }
            }
        }
    }
}

/// The base of the polynomial hash (odd, so that powers of it never vanish modulo 2⁶⁴).
const HASH_BASE: u64 = 0x0000_0100_0000_01b3;

/// A polynomial hash of a string of `len` characters, mixed so that every bit depends on
/// every other (the index's map uses the hash as it is): MurmurHash3's finaliser.
fn finish(hash: u64, len: usize) -> u64 {
    let mut x = hash ^ (len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
///
/// ```
/// use borderwatch::geocode::fuzzy::osa_distance;
/// let c = |s: &str| s.chars().collect::<Vec<_>>();
/// assert_eq!(osa_distance(&c("Kevron"), &c("Kevorn")), 1);
/// ```
pub fn osa_distance(a: &[char], b: &[char]) -> usize {
    osa_within(a, b, usize::MAX).expect("no distance exceeds usize::MAX")
}

/// [`osa_distance`] when it is at most `limit`, else `None`, found without filling the whole
/// table once a row exceeds the limit and the row before it reaches it (no later row can
/// then fall back under it).
fn osa_within(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    // Names are short: three rows on the stack, the heap only for very long strings.
    const STACK: usize = 64;
    if b.len() < STACK {
        let mut rows = [[0usize; STACK]; 3];
        let [r0, r1, r2] = &mut rows;
        osa_with(a, b, [&mut r0[..], &mut r1[..], &mut r2[..]], limit)
    } else {
        let mut rows = vec![vec![0usize; b.len() + 1]; 3];
        let [r0, r1, r2] = &mut rows[..] else {
            unreachable!("three rows")
        };
        osa_with(a, b, [r0, r1, r2], limit)
    }
}

/// The distance table's rows, two back, one back and current, each of `b.len() + 1` cells at
/// least; `None` once the distance must exceed `limit`.
fn osa_with(a: &[char], b: &[char], rows: [&mut [usize]; 3], limit: usize) -> Option<usize> {
    let [mut previous2, mut previous, mut current] = rows;
    for (j, cell) in previous.iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    // The least cell of the previous row (row 0's is 0).
    let mut least_before = 0;
    for i in 1..=a.len() {
        current[0] = i;
        let mut least = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(previous2[j - 2] + 1);
            }
            current[j] = best;
            least = least.min(best);
        }
        // A cell is at least the least of the row above, or of the one above that plus one.
        if least > limit && least_before >= limit {
            return None;
        }
        least_before = least;
        std::mem::swap(&mut previous2, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|&d| d <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn osa_counts_edits() {
        assert_eq!(osa_distance(&chars("kunduz"), &chars("kunduz")), 0);
        assert_eq!(osa_distance(&chars("kunduz"), &chars("kundus")), 1);
        assert_eq!(osa_distance(&chars("kunduz"), &chars("knuduz")), 1);
        assert_eq!(osa_distance(&chars("kunduz"), &chars("kndz")), 2);
        assert_eq!(osa_distance(&chars(""), &chars("abc")), 3);
    }

    #[test]
    fn a_deletion_hashes_as_the_shorter_string_itself() {
        let hashes = |s: &str, depth: usize| {
            let mut out = Vec::new();
            for_each_deletion(&chars(s), depth, &mut |h| out.push(h));
            out
        };
        let variants = hashes("qalaizal", 2);
        for shorter in [
            "qalaizal", "qlaizal", "qalaiza", "alaizal", "qlizal", "qalaiz",
        ] {
            assert!(variants.contains(&hashes(shorter, 0)[0]), "{shorter}");
        }
        assert!(!variants.contains(&hashes("qalaizak", 0)[0]));
        assert_eq!(variants.len(), 1 + 8 + 8 * 7 / 2);
    }

    #[test]
    fn osa_within_a_limit_agrees_with_the_full_distance() {
        for (a, b) in [
            ("kunduz", "kndz"),
            ("darvaz", "darwoz"),
            ("vanj", "khorugh"),
            ("", "ab"),
        ] {
            let d = osa_distance(&chars(a), &chars(b));
            for limit in 0..4 {
                let within = osa_within(&chars(a), &chars(b), limit);
                assert_eq!(within, (d <= limit).then_some(d), "{a} {b} {limit}");
            }
        }
    }

    #[test]
    fn search_finds_everything_a_scan_finds() {
        let keys: Vec<Vec<char>> = [
            "DarVaS", "DarVas", "Vanj", "KalaSal", "KalaJal", "Jarm", "SaHratas",
        ]
        .iter()
        .map(|s| chars(s))
        .collect();
        let index = DeletionIndex::new(&keys, 2, allowed_distance);
        for query in ["DarVaz", "KalJal", "Jrm", "SaHrtas", "Xyz", "VanJ", "KlaJl"] {
            let q = chars(query);
            let depth = allowed_distance(q.len());
            let mut expected: Vec<(u32, usize)> = keys
                .iter()
                .enumerate()
                .filter_map(|(i, k)| {
                    let d = osa_distance(&q, k);
                    (d <= depth.min(allowed_distance(k.len()))).then_some((i as u32, d))
                })
                .collect();
            expected.sort_unstable_by_key(|&(id, d)| (d, id));
            assert_eq!(index.search(&q, depth), expected, "{query}");
        }
    }
}
