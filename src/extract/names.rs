//! Whole-word lookup of many names in folded text: a table of names keyed by their words.
//!
//! An Aho-Corasick automaton of the ~40,000 gazetteer names is a DFA far larger than the
//! processor's caches, and it walks every byte of the text. Names are whole words, so this
//! table is looked up only where a word starts: once for most words (the word is no name and
//! begins none), a few times for the words that begin a name of several words. Its cost per
//! word stays flat as the gazetteer grows.

use rustc_hash::FxHashMap;

/// A set of folded names (words separated by single spaces), each with a value, found as
/// whole words in folded text: at each word, the longest name that starts there.
pub(crate) struct NameTable<V> {
    /// Every name and every prefix of a name that ends at a word's end.
    entries: FxHashMap<Box<str>, Entry<V>>,
}

/// What one key of the table is.
struct Entry<V> {
    /// The value of the name the key is, if it is one (not only a prefix of longer names).
    value: Option<V>,
    /// Whether longer names begin with the key and a space.
    longer: bool,
}

/// A name found in the text: its byte range there and its value.
pub(crate) struct Found<'a, V> {
    /// Byte range of the name in the folded text.
    pub range: std::ops::Range<usize>,
    /// The name's value.
    pub value: &'a V,
}

impl<V> NameTable<V> {
    /// A table of the names given; a name given twice keeps its first value.
    pub fn new(names: impl IntoIterator<Item = (String, V)>) -> NameTable<V> {
        let mut entries: FxHashMap<Box<str>, Entry<V>> = FxHashMap::default();
        for (name, value) in names {
            for (i, _) in name.match_indices(' ') {
                entries
                    .entry(name[..i].into())
                    .or_insert(Entry {
                        value: None,
                        longer: true,
                    })
                    .longer = true;
            }
            let entry = entries.entry(name.into_boxed_str()).or_insert(Entry {
                value: None,
                longer: false,
            });
            if entry.value.is_none() {
                entry.value = Some(value);
            }
        }
        NameTable { entries }
    }

    /// The longest name that starts at byte `start` of `text` (a word's start) and ends at a
    /// word's end.
    fn longest_at<'a>(&'a self, text: &str, start: usize) -> Option<Found<'a, V>> {
        let bytes = text.as_bytes();
        let mut end = start;
        let mut best = None;
        loop {
            end += bytes[end..]
                .iter()
                .position(|&b| b == b' ')
                .unwrap_or(bytes.len() - end);
            let Some(entry) = self.entries.get(&text[start..end]) else {
                break;
            };
            if let Some(value) = &entry.value {
                best = Some(Found {
                    range: start..end,
                    value,
                });
            }
            // Words of a name are separated by one space, and another word must follow.
            let next_word = bytes.get(end + 1).is_some_and(|&b| b != b' ');
            if !entry.longer || bytes.get(end) != Some(&b' ') || !next_word {
                break;
            }
            end += 1;
        }
        best
    }

    /// The names of the table in `text`, as whole words (bounded by spaces or the text's
    /// ends), in text order and not overlapping: at each word where `may_start` holds (given
    /// the word's byte offset), the longest name there.
    pub fn find_iter<'a>(
        &'a self,
        text: &'a str,
        mut may_start: impl FnMut(usize) -> bool + 'a,
    ) -> impl Iterator<Item = Found<'a, V>> + 'a {
        let bytes = text.as_bytes();
        let mut at = 0;
        std::iter::from_fn(move || {
            while at < bytes.len() {
                // The next word's start.
                while at < bytes.len() && bytes[at] == b' ' {
                    at += 1;
                }
                if at >= bytes.len() {
                    break;
                }
                let start = at;
                if may_start(start)
                    && let Some(found) = self.longest_at(text, start)
                {
                    at = found.range.end;
                    return Some(found);
                }
                at += bytes[start..]
                    .iter()
                    .position(|&b| b == b' ')
                    .unwrap_or(bytes.len() - start);
            }
            None
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(table: &NameTable<u8>, text: &str) -> Vec<(String, u8)> {
        table
            .find_iter(text, |_| true)
            .map(|f| (text[f.range].to_string(), *f.value))
            .collect()
    }

    #[test]
    fn the_longest_whole_name_at_each_word_wins() {
        let table = NameTable::new([
            ("amu darya".to_string(), 1),
            ("darya".to_string(), 2),
            ("qala i zal".to_string(), 3),
            ("qala".to_string(), 4),
        ]);
        assert_eq!(
            found(&table, "the amu darya at qala i zal and qala i"),
            [
                ("amu darya".into(), 1),
                ("qala i zal".into(), 3),
                ("qala".into(), 4)
            ]
        );
        // Two spaces part two names; a word that only begins with a name is no match.
        assert_eq!(found(&table, "amu  darya"), [("darya".into(), 2)]);
        assert_eq!(found(&table, "daryas qalab"), []);
        assert_eq!(found(&table, "  darya"), [("darya".into(), 2)]);
    }

    #[test]
    fn a_name_given_twice_keeps_its_first_value() {
        let table = NameTable::new([("kunduz".to_string(), 1), ("kunduz".to_string(), 2)]);
        assert_eq!(found(&table, "kunduz"), [("kunduz".into(), 1)]);
    }
}
