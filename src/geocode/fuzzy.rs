//! Typo-tolerant lookup without scanning every name: a symmetric-deletion index
//! (the SymSpell idea). Every key is stored under each string obtained by deleting up to
//! `max_distance` of its characters; a query looks up its own deletions, and the few keys
//! found are verified with the optimal-string-alignment edit distance.

/// Keys indexed by their deletion neighbourhood.
#[derive(Debug, Clone)]
pub struct DeletionIndex {
    /// (hash of a deletion variant, key id), sorted.
    entries: Vec<(u64, u32)>,
    keys: Vec<Vec<char>>,
    max_distance: usize,
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
    /// Indexes `keys` (their position is their id) for edit distances up to `max_distance`.
    ///
    /// ```
    /// use borderwatch::geocode::fuzzy::DeletionIndex;
    /// let index = DeletionIndex::new(&["KalaJal".to_string(), "Vanj".to_string()], 2);
    /// let hits = index.search("KalJal", 1);
    /// assert_eq!(hits, vec![(0, 1)]);
    /// ```
    pub fn new(keys: &[String], max_distance: usize) -> DeletionIndex {
        let keys: Vec<Vec<char>> = keys.iter().map(|k| k.chars().collect()).collect();
        let mut entries = Vec::new();
        for (id, key) in keys.iter().enumerate() {
            let depth = allowed_distance(key.len()).min(max_distance);
            for_each_deletion(key, depth, &mut |hash| entries.push((hash, id as u32)));
        }
        entries.sort_unstable();
        entries.dedup();
        DeletionIndex {
            entries,
            keys,
            max_distance,
        }
    }

    /// Keys within `max_distance` edits of `query`, as (key id, distance), sorted by distance.
    pub fn search(&self, query: &str, max_distance: usize) -> Vec<(u32, usize)> {
        let query: Vec<char> = query.chars().collect();
        let depth = max_distance.min(self.max_distance);
        let mut found = Vec::new();
        for_each_deletion(&query, depth, &mut |hash| {
            let start = self.entries.partition_point(|e| e.0 < hash);
            found.extend(
                self.entries[start..]
                    .iter()
                    .take_while(|e| e.0 == hash)
                    .map(|e| e.1),
            );
        });
        found.sort_unstable();
        found.dedup();
        let mut hits: Vec<(u32, usize)> = found
            .into_iter()
            .filter_map(|id| {
                let key = &self.keys[id as usize];
                let d = osa_distance(&query, key);
                (d <= depth.min(allowed_distance(key.len()))).then_some((id, d))
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
pub fn osa_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut previous2 = vec![0usize; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current = vec![0usize; width];
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
        let keys: Vec<String> = [
            "DarVaS", "DarVas", "Vanj", "KalaSal", "KalaJal", "Jarm", "SaHratas",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let index = DeletionIndex::new(&keys, 2);
        for query in ["DarVaz", "KalJal", "Jrm", "SaHrtas", "Xyz", "VanJ", "KlaJl"] {
            let q = chars(query);
            let depth = allowed_distance(q.len());
            let mut expected: Vec<(u32, usize)> = keys
                .iter()
                .enumerate()
                .filter_map(|(i, k)| {
                    let k = chars(k);
                    let d = osa_distance(&q, &k);
                    (d <= depth.min(allowed_distance(k.len()))).then_some((i as u32, d))
                })
                .collect();
            expected.sort_unstable_by_key(|&(id, d)| (d, id));
            assert_eq!(index.search(query, depth), expected, "{query}");
        }
    }
}
