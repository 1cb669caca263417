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
                let d = osa_distance(query, key);
                (d <= allowed).then_some((id, d))
            })
            .collect();
        hits.sort_unstable_by_key(|&(id, d)| (d, id));
        hits
    }
}

/// Calls `emit` with the hash of `chars` and of every string made by deleting up to `depth`
/// characters from it (duplicates included; callers deduplicate).
fn for_each_deletion(chars: &[char], depth: usize, emit: &mut impl FnMut(u64)) {
    emit(hash_without(chars, usize::MAX, usize::MAX));
    if depth >= 1 {
        for i in 0..chars.len() {
            emit(hash_without(chars, i, usize::MAX));
            if depth >= 2 {
                for j in i + 1..chars.len() {
                    emit(hash_without(chars, i, j));
                }
            }
        }
    }
}

/// FNV-1a over the characters except those at `skip_a` and `skip_b`.
fn hash_without(chars: &[char], skip_a: usize, skip_b: usize) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, &c) in chars.iter().enumerate() {
        if i != skip_a && i != skip_b {
            hash ^= c as u64;
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
///
/// ```
/// use borderwatch::geocode::fuzzy::osa_distance;
/// let c = |s: &str| s.chars().collect::<Vec<_>>();
/// assert_eq!(osa_distance(&c("Kevron"), &c("Kevorn")), 1);
/// ```
pub fn osa_distance(a: &[char], b: &[char]) -> usize {
    // Names are short: three rows on the stack, the heap only for very long strings.
    const STACK: usize = 64;
    if b.len() < STACK {
        let mut rows = [[0usize; STACK]; 3];
        osa_rows(a, b, &mut rows)
    } else {
        let mut rows = vec![vec![0usize; b.len() + 1]; 3];
        let [r0, r1, r2] = &mut rows[..] else {
            unreachable!()
        };
        osa_with(a, b, r0, r1, r2)
    }
}

fn osa_rows<const N: usize>(a: &[char], b: &[char], rows: &mut [[usize; N]; 3]) -> usize {
    let [r0, r1, r2] = rows;
    osa_with(a, b, &mut r0[..], &mut r1[..], &mut r2[..])
}

fn osa_with<'a>(
    a: &[char],
    b: &[char],
    mut previous2: &'a mut [usize],
    mut previous: &'a mut [usize],
    mut current: &'a mut [usize],
) -> usize {
    for (j, cell) in previous.iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(previous2[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut previous2, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
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
