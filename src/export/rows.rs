//! The row encoding of the typed outputs (FlatGeobuf, GeoParquet): a row is its geometry's
//! WKB (its length, u32, then the bytes; empty: no geometry) followed by its non-null cells,
//! each its column number (a varint), a tag and the value. Rows are encoded so, spilled to disk until
//! the layer is complete (see `spill`), and read back one at a time. A leaf.

use std::io;

use serde_json::Value;

/// One property value of a row (nulls are not stored), borrowed from the row. Text is kept
/// as the UTF-8 bytes of a `str` (only a `str` is ever encoded), which the writers copy as
/// they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Bool(bool),
    Long(i64),
    Double(f64),
    Text(&'a [u8]),
}

impl<'a> Cell<'a> {
    /// A text cell.
    pub(crate) fn text_of(text: &'a str) -> Cell<'a> {
        Cell::Text(text.as_bytes())
    }

    /// The value as UTF-8 text, as [`super::typing::text_value`] gives it for the JSON value
    /// it came from.
    pub(crate) fn text(self) -> std::borrow::Cow<'a, [u8]> {
        match self {
            Cell::Bool(b) => b.to_string().into_bytes().into(),
            Cell::Long(n) => n.to_string().into_bytes().into(),
            Cell::Double(x) => Value::from(x).to_string().into_bytes().into(),
            Cell::Text(s) => s.into(),
        }
    }

    /// The value as a double (whole numbers widened; NaN for the others, which a column
    /// typed Double never holds).
    pub(crate) fn to_double(self) -> f64 {
        match self {
            Cell::Long(n) => n as f64,
            Cell::Double(x) => x,
            _ => f64::NAN,
        }
    }
}

const BOOL: u8 = 0;
const LONG: u8 = 1;
const DOUBLE: u8 = 2;
const TEXT: u8 = 3;

/// Appends the cell of `column` to `out` in the row encoding: column number (a varint), tag,
/// value (text: its length (a varint) and UTF-8 bytes; numbers little-endian). Varints keep
/// a row of the incidents' 24 columns some 90 bytes shorter than fixed 32-bit words, and
/// rows past the spill's memory go through its file twice.
pub(crate) fn push_cell(out: &mut Vec<u8>, column: usize, cell: Cell) {
    push_varint(out, column);
    match cell {
        Cell::Bool(b) => out.extend_from_slice(&[BOOL, u8::from(b)]),
        Cell::Long(n) => {
            out.push(LONG);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Cell::Double(x) => {
            out.push(DOUBLE);
            out.extend_from_slice(&x.to_le_bytes());
        }
        Cell::Text(text) => {
            out.push(TEXT);
            push_varint(out, text.len());
            out.extend_from_slice(text);
        }
    }
}

/// The bits of a varint's byte that carry the number; the high bit says another byte follows.
const VARINT_BITS: u32 = 7;
const VARINT_MORE: u8 = 0x80;

/// Appends `n` as a little-endian base-128 varint (LEB128).
fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= usize::from(VARINT_MORE) {
        out.push(n as u8 | VARINT_MORE);
        n >>= VARINT_BITS;
    }
    out.push(n as u8);
}

/// The varint at the start of `bytes`, which then start after it. Column numbers and most
/// text lengths take one byte, read here without a loop.
#[inline]
fn varint(bytes: &mut &[u8]) -> Option<usize> {
    match bytes.split_first() {
        Some((&byte, rest)) if byte & VARINT_MORE == 0 => {
            *bytes = rest;
            Some(usize::from(byte))
        }
        _ => long_varint(bytes),
    }
}

/// A varint of any length at the start of `bytes`, which then start after it.
fn long_varint(bytes: &mut &[u8]) -> Option<usize> {
    let mut n = 0usize;
    for shift in (0..usize::BITS).step_by(VARINT_BITS as usize) {
        let byte = take(bytes, 1)?[0];
        n |= usize::from(byte & !VARINT_MORE).checked_shl(shift)?;
        if byte & VARINT_MORE == 0 {
            return Some(n);
        }
    }
    None
}

/// Appends a row's start to `out`: the length of its geometry's WKB (empty: none), the WKB.
/// Its cells follow.
pub(crate) fn push_geometry(out: &mut Vec<u8>, wkb: &[u8]) {
    out.extend_from_slice(&(wkb.len() as u32).to_le_bytes());
    out.extend_from_slice(wkb);
}

#[inline]
fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = bytes.split_at_checked(n)?;
    *bytes = rest;
    Some(head)
}

fn word<const N: usize>(bytes: &mut &[u8]) -> Option<[u8; N]> {
    take(bytes, N)?.try_into().ok()
}

/// The cell at the start of `bytes`, which then start after it.
#[inline]
fn next_cell<'a>(bytes: &mut &'a [u8]) -> Option<(usize, Cell<'a>)> {
    let column = varint(bytes)?;
    let cell = match take(bytes, 1)?[0] {
        BOOL => Cell::Bool(take(bytes, 1)?[0] != 0),
        LONG => Cell::Long(i64::from_le_bytes(word(bytes)?)),
        DOUBLE => Cell::Double(f64::from_le_bytes(word(bytes)?)),
        TEXT => {
            let n = varint(bytes)?;
            Cell::Text(take(bytes, n)?)
        }
        _ => return None,
    };
    Some((column, cell))
}

/// One encoded row, read back: its geometry and its cells, borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    bytes: &'a [u8],
    /// Where the cells start (after the WKB's length and the WKB).
    cells_start: usize,
}

/// The length of a row's WKB length.
const LENGTH_BYTES: usize = 4;

impl<'a> Row<'a> {
    /// The row encoded in `bytes`; None unless they hold a whole geometry. Its cells are
    /// checked as they are read, by [`Row::cells`], which each row's reader calls once.
    pub(crate) fn parse(bytes: &'a [u8]) -> Option<Row<'a>> {
        let mut rest = bytes;
        let length = u32::from_le_bytes(word(&mut rest)?) as usize;
        take(&mut rest, length)?;
        Some(Row {
            bytes,
            cells_start: LENGTH_BYTES + length,
        })
    }

    /// The geometry as WKB, None when the row has none.
    pub(crate) fn wkb(&self) -> Option<&'a [u8]> {
        Some(&self.bytes[LENGTH_BYTES..self.cells_start]).filter(|w| !w.is_empty())
    }

    /// The non-null cells by column number, in the order written; an error for the first
    /// that does not decode, and nothing after it.
    pub(crate) fn cells(&self) -> Cells<'a> {
        cells(&self.bytes[self.cells_start..])
    }
}

/// The cells encoded in `bytes`, by column number (see [`Row::cells`]).
pub(crate) fn cells(bytes: &[u8]) -> Cells<'_> {
    Cells { rest: bytes }
}

/// The cells of a row, read one after the other.
pub(crate) struct Cells<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Cells<'a> {
    type Item = io::Result<(usize, Cell<'a>)>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        Some(next_cell(&mut self.rest).ok_or_else(|| {
            self.rest = &[];
            corrupt()
        }))
    }
}

/// The error of a spilled row that does not decode.
pub(crate) fn corrupt() -> io::Error {
    io::Error::other("spilled row is corrupt")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::typing::text_value;
    use serde_json::json;

    #[test]
    fn cells_as_text_match_the_text_of_their_json_value() {
        for (cell, value) in [
            (Cell::Bool(true), json!(true)),
            (Cell::Long(-3), json!(-3)),
            (Cell::Double(2.0), json!(2.0)),
            (Cell::Double(0.1), json!(0.1)),
        ] {
            assert_eq!(
                Some(cell.text().into_owned()),
                text_value(&value).map(String::into_bytes)
            );
        }
    }

    #[test]
    fn varints_read_back_as_written() {
        for n in [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 40, usize::MAX] {
            let mut bytes = Vec::new();
            push_varint(&mut bytes, n);
            let mut rest = bytes.as_slice();
            assert_eq!(varint(&mut rest), Some(n));
            assert!(rest.is_empty());
        }
        // Too long for a usize, or cut short.
        assert_eq!(varint(&mut [0xFF; 11].as_slice()), None);
        assert_eq!(varint(&mut [0x80].as_slice()), None);
    }

    #[test]
    fn a_row_parses_only_when_whole() {
        let mut bytes = Vec::new();
        push_geometry(&mut bytes, &[1, 2, 3]);
        push_cell(&mut bytes, 4, Cell::text_of("Farkhor"));
        let row = Row::parse(&bytes).unwrap();
        assert_eq!(row.wkb(), Some(&[1u8, 2, 3][..]));
        assert_eq!(
            row.cells().collect::<io::Result<Vec<_>>>().unwrap(),
            [(4, Cell::Text(b"Farkhor"))]
        );
        // Cut in its geometry, it does not parse; cut in a cell, that cell is an error.
        let geometry_only = LENGTH_BYTES + 3;
        for cut in 1..geometry_only {
            assert!(Row::parse(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        for cut in geometry_only + 1..bytes.len() {
            let cells: Vec<_> = Row::parse(&bytes[..cut]).unwrap().cells().collect();
            assert_eq!(cells.len(), 1, "cut at {cut}");
            assert!(cells[0].is_err(), "cut at {cut}");
        }
        assert_eq!(
            Row::parse(&bytes[..geometry_only]).unwrap().cells().count(),
            0
        );
    }
}
