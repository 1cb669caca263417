//! Finding the bytes that end or quote a CSV field, a chunk of the input at a time.
//!
//! Splitting a record looks for the next delimiter or line break (the end of a plain field)
//! and, in a quoted field, the next quote or line break. Most fields are a few bytes long, so
//! one `memchr` call per field spends more on setting up than on scanning. [`Scan`] instead
//! compares each chunk of [`CHUNK`] bytes of the input with the four bytes once, up front
//! (SSE2 on x86_64), keeps the hits as two bit masks per chunk, and answers each search from
//! them with a shift and a count of trailing zeros.

/// The bytes compared at once: one bit of a mask each.
const CHUNK: usize = 64;

/// The bytes of an SSE2 register, compared in one instruction.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const LANES: usize = 16;

/// The bytes of each of the two 64-bit words an SSE2 register is set from.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const WORD: usize = LANES / 2;

/// The two masks of one chunk: bit i stands for byte i.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Masks {
    /// The delimiter, `\n` and `\r`: where a plain field ends.
    ends: u64,
    /// `"` and `\n`: what ends a quoted field, or is counted in it.
    quotes: u64,
}

/// Searches one input for field ends and quotes, through the masks of all its chunks.
#[derive(Debug, Clone)]
pub(super) struct Scan {
    /// The masks of each chunk of the input, in order; the last may be short.
    chunks: Vec<Masks>,
}

impl Scan {
    /// The masks of `bytes`, separated by `delimiter`: one pass over the input.
    pub(super) fn new(bytes: &[u8], delimiter: u8) -> Scan {
        Scan {
            chunks: bytes
                .chunks(CHUNK)
                .map(|chunk| chunk_masks(chunk, delimiter))
                .collect(),
        }
    }

    /// The first delimiter, `\n` or `\r` at or after `at`: what
    /// `memchr3(delimiter, b'\n', b'\r', &bytes[at..])` finds, as an index of the input.
    #[inline]
    pub(super) fn next_end(&self, at: usize) -> Option<usize> {
        self.next(at, |m| m.ends)
    }

    /// The first `"` or `\n` at or after `at`: what `memchr2(b'"', b'\n', &bytes[at..])`
    /// finds, as an index of the input.
    #[inline]
    pub(super) fn next_quote(&self, at: usize) -> Option<usize> {
        self.next(at, |m| m.quotes)
    }

    /// The first byte at or after `at` whose bit is set in the mask `pick` takes: a shift
    /// and a count of trailing zeros, for each chunk on the way.
    #[inline]
    fn next(&self, at: usize, pick: fn(&Masks) -> u64) -> Option<usize> {
        let mut chunk = at / CHUNK;
        let mut hits = pick(self.chunks.get(chunk)?) & (u64::MAX << (at % CHUNK));
        while hits == 0 {
            chunk += 1;
            hits = pick(self.chunks.get(chunk)?);
        }
        Some(chunk * CHUNK + hits.trailing_zeros() as usize)
    }
}

/// The masks of `chunk`, [`CHUNK`] bytes (fewer at the end of the input).
#[inline]
fn chunk_masks(chunk: &[u8], delimiter: u8) -> Masks {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if let Ok(whole) = chunk.try_into() {
        // SAFETY: SSE2 is enabled at compile time (the cfg above; every x86_64 CPU has it).
        return unsafe { sse2_masks(whole, delimiter) };
    }
    scalar_masks(chunk, delimiter)
}

/// The masks of `bytes` (at most [`CHUNK`]), a byte at a time.
fn scalar_masks(bytes: &[u8], delimiter: u8) -> Masks {
    let mut masks = Masks { ends: 0, quotes: 0 };
    for (i, &b) in bytes.iter().enumerate() {
        let newline = b == b'\n';
        masks.ends |= u64::from(b == delimiter || newline || b == b'\r') << i;
        masks.quotes |= u64::from(b == b'"' || newline) << i;
    }
    masks
}

/// The masks of a whole chunk, [`LANES`] bytes per comparison.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn sse2_masks(chunk: &[u8; CHUNK], delimiter: u8) -> Masks {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };
    let splat = |b: u8| _mm_set1_epi8(b as i8);
    let (delimiter, quote, newline, cr) =
        (splat(delimiter), splat(b'"'), splat(b'\n'), splat(b'\r'));
    let mut masks = Masks { ends: 0, quotes: 0 };
    for (i, lanes) in chunk.chunks_exact(LANES).enumerate() {
        // The register is set from two words (no pointer to load from, so no unsafe).
        let word = |from: usize| {
            let bytes: [u8; WORD] = lanes[from..from + WORD].try_into().unwrap_or_default();
            i64::from_le_bytes(bytes)
        };
        let v = _mm_set_epi64x(word(WORD), word(0));
        let nl = _mm_cmpeq_epi8(v, newline);
        let ends = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, delimiter), nl),
            _mm_cmpeq_epi8(v, cr),
        );
        let quotes = _mm_or_si128(_mm_cmpeq_epi8(v, quote), nl);
        // Each movemask gives one bit per lane, in the low 16 bits.
        let bits = |m| u64::from(_mm_movemask_epi8(m) as u16) << (LANES * i);
        masks.ends |= bits(ends);
        masks.quotes |= bits(quotes);
    }
    masks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every search from every position, against memchr.
    fn check_all(bytes: &[u8], delimiter: u8) {
        let scan = Scan::new(bytes, delimiter);
        for at in 0..=bytes.len() {
            let end = memchr::memchr3(delimiter, b'\n', b'\r', &bytes[at..]).map(|i| at + i);
            let quote = memchr::memchr2(b'"', b'\n', &bytes[at..]).map(|i| at + i);
            assert_eq!(scan.next_end(at), end, "{at} in {bytes:?}");
            assert_eq!(scan.next_quote(at), quote, "{at} in {bytes:?}");
        }
        // Past the end, nothing.
        assert_eq!(scan.next_end(bytes.len() + CHUNK), None);
    }

    #[test]
    fn searches_find_what_memchr_finds() {
        let mut long = vec![b'a'; 3 * CHUNK + 5];
        long[CHUNK - 1] = b',';
        long[CHUNK] = b'"';
        long[2 * CHUNK + 7] = b'\r';
        long[3 * CHUNK + 4] = b'\n';
        check_all(&long, b',');
        check_all(b"", b',');
        check_all(b"a;b\"c\nd\re,f", b';');
        check_all(&[b'x'; CHUNK], b'\t');
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_search_as_memchr_searches(
            bytes in proptest::collection::vec(
                proptest::sample::select(b"ab,;\t\"\n\r\xff\x00".to_vec()),
                0..300,
            ),
            delimiter in proptest::sample::select(b",;\t|".to_vec()),
        ) {
            check_all(&bytes, delimiter);
        }

        /// The compared masks of a whole chunk are those taken byte by byte.
        #[test]
        fn chunk_masks_are_the_bytewise_masks(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, CHUNK..=CHUNK),
            delimiter in proptest::num::u8::ANY,
        ) {
            proptest::prop_assert_eq!(chunk_masks(&bytes, delimiter), scalar_masks(&bytes, delimiter));
        }
    }
}
