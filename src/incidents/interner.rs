//! String storage for the categorical columns: each distinct text once, by symbol.
//!
//! The texts sit end to end in one buffer and are found through an open-addressing table
//! whose slots carry part of each text's 64-bit hash: a lookup hashes once and compares the
//! bytes of a text only when the hashes agree, which for a text seen before is one
//! comparison, against memory that neighbours the other texts.

use std::hash::BuildHasher;

use super::Sym;

/// The slots of a new table (a power of two).
const FIRST_SLOTS: usize = 64;

/// The table grows when more than 1 / `LOAD_DIVISOR` of its slots would be taken.
const LOAD_DIVISOR: usize = 2;

/// The symbol of the empty string, interned first.
const EMPTY: Sym = Sym(0);

/// String storage for [`Sym`]s; symbol 0 is the empty string.
#[derive(Debug, Clone)]
pub struct Interner {
    /// Every distinct text, end to end.
    text: String,
    /// Each symbol's text, in `text`, with its hash.
    entries: Vec<Entry>,
    /// The table: an empty slot is 0, a taken one holds [`slot_of`] of its symbol.
    slots: Vec<u64>,
}

/// Where one symbol's text is, and its hash.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The start of the text in [`Interner::text`].
    start: usize,
    /// Its end.
    end: usize,
    /// Its [`hash`].
    hash: u64,
}

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Interner {
            text: String::new(),
            entries: Vec::new(),
            slots: vec![0; FIRST_SLOTS],
        };
        // Through the table, so that a text of another interner's `hashed` finds it too.
        interner.intern_hashed("", hash(""));
        interner
    }
}

/// The hash that symbols are found by.
pub(crate) fn hash(text: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(text)
}

/// A taken slot: the high half of the hash, then the symbol plus one (never 0).
fn slot_of(hash: u64, sym: u32) -> u64 {
    (hash & !u64::from(u32::MAX)) | u64::from(sym + 1)
}

impl Interner {
    /// The symbol of `text`, added when new.
    #[inline]
    pub fn intern(&mut self, text: &str) -> Sym {
        // Empty fields are common (a second actor, a column the file lacks), and always 0.
        if text.is_empty() {
            return EMPTY;
        }
        self.intern_hashed(text, hash(text))
    }

    /// The symbol of `text`, whose [`hash`] is `hash`, added when new.
    pub(crate) fn intern_hashed(&mut self, text: &str, hash: u64) -> Sym {
        let mask = self.slots.len() - 1;
        let tag = hash & !u64::from(u32::MAX);
        let mut at = hash as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                break;
            }
            if slot & !u64::from(u32::MAX) == tag {
                let sym = (slot as u32) - 1;
                let entry = self.entries[sym as usize];
                // As bytes: the ends are those of a text pushed whole, no boundary to check.
                let bytes = &self.text.as_bytes()[entry.start..entry.end];
                if entry.hash == hash && bytes == text.as_bytes() {
                    return Sym(sym);
                }
            }
            at = (at + 1) & mask;
        }
        let sym = self.entries.len() as u32;
        let start = self.text.len();
        self.text.push_str(text);
        self.entries.push(Entry {
            start,
            end: self.text.len(),
            hash,
        });
        self.slots[at] = slot_of(hash, sym);
        if self.entries.len() * LOAD_DIVISOR > self.slots.len() {
            self.grow();
        }
        Sym(sym)
    }

    /// Doubles the table and places every symbol again.
    fn grow(&mut self) {
        let mut slots = vec![0; self.slots.len() * 2];
        let mask = slots.len() - 1;
        for (sym, entry) in self.entries.iter().enumerate() {
            let mut at = entry.hash as usize & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = slot_of(entry.hash, sym as u32);
        }
        self.slots = slots;
    }

    /// The text of a symbol.
    pub fn get(&self, sym: Sym) -> &str {
        let entry = self.entries[sym.0 as usize];
        &self.text[entry.start..entry.end]
    }

    /// Every text, by symbol, with its [`hash`]: to intern them elsewhere without hashing
    /// again.
    pub(crate) fn hashed(&self) -> impl Iterator<Item = HashedText<'_>> {
        self.entries.iter().map(|e| HashedText {
            text: &self.text[e.start..e.end],
            hash: e.hash,
        })
    }
}

/// A text with its [`hash`].
pub(crate) struct HashedText<'a> {
    /// The text.
    pub(crate) text: &'a str,
    /// Its hash.
    pub(crate) hash: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_a_symbol_and_the_empty_text_is_symbol_0() {
        let mut strings = Interner::default();
        assert_eq!(strings.intern(""), Sym(0));
        let a = strings.intern("Taliban");
        let b = strings.intern("Balkh");
        assert_eq!((a, b), (Sym(1), Sym(2)));
        assert_eq!(strings.intern("Taliban"), a);
        assert_eq!((strings.get(a), strings.get(b)), ("Taliban", "Balkh"));
        assert_eq!(strings.get(Sym(0)), "");
    }

    #[test]
    fn hashed_texts_intern_to_the_same_texts_elsewhere() {
        let mut part = Interner::default();
        for text in ["b", "a", "b", "c"] {
            part.intern(text);
        }
        let mut global = Interner::default();
        assert_eq!(global.intern_hashed("", hash("")), Sym(0));
        global.intern("c");
        let remap: Vec<Sym> = part
            .hashed()
            .map(|h| global.intern_hashed(h.text, h.hash))
            .collect();
        assert_eq!(remap, vec![Sym(0), Sym(2), Sym(3), Sym(1)]);
        assert_eq!(global.get(Sym(3)), "a");
    }

    proptest::proptest! {
        /// Symbols are handed out in order of first sight, through every growth of the table.
        #[test]
        fn symbols_number_the_distinct_texts_in_order_of_first_sight(
            texts in proptest::collection::vec("[a-e]{0,3}", 0..600),
        ) {
            let mut strings = Interner::default();
            let mut seen: Vec<String> = vec![String::new()];
            for text in &texts {
                let sym = strings.intern(text);
                let expected = match seen.iter().position(|s| s == text) {
                    Some(i) => i,
                    None => {
                        seen.push(text.clone());
                        seen.len() - 1
                    }
                };
                proptest::prop_assert_eq!(sym, Sym(expected as u32));
                proptest::prop_assert_eq!(strings.get(sym), text.as_str());
            }
        }
    }
}
