//! A layer's features kept on disk in a compact row encoding until the layer is complete.
//!
//! FlatGeobuf and GeoParquet need every column's type before the first row, and GeoParquet
//! writes rows in Hilbert order: both need the whole layer before writing. Holding it as
//! `Feature`s costs ~5 KB a point feature (4.7 GB for a million incidents); here each row
//! is a few hundred bytes in an unnamed temporary file (the way the `flatgeobuf` crate
//! buffers its own features), and memory keeps only 24 bytes a row: where it starts and the
//! centre of its bbox.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use geo::{BoundingRect, Geometry};
use serde_json::{Map, Value};

use super::feature::Bbox;
use super::typing::{Column, ColumnSet, text_value};
use super::wkb::{geometry_type_name, hilbert, wkb};

/// One property value of a spilled row (nulls are not stored), borrowed from the spill.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Bool(bool),
    Long(i64),
    Double(f64),
    Text(&'a str),
}

impl<'a> Cell<'a> {
    /// The value as text, as [`text_value`] gives it for the JSON value it came from.
    pub(crate) fn text(self) -> std::borrow::Cow<'a, str> {
        match self {
            Cell::Bool(b) => b.to_string().into(),
            Cell::Long(n) => n.to_string().into(),
            Cell::Double(x) => Value::from(x).to_string().into(),
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

/// One row read back, borrowed from the reader until the next row is read: the geometry as
/// WKB (None: the feature has none), its bbox [xmin, ymin, xmax, ymax] (NaN when empty or
/// none), and the non-null cells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    pub wkb: Option<&'a [u8]>,
    pub bbox: [f64; 4],
    cells: &'a [u8],
}

impl<'a> Row<'a> {
    /// The non-null cells by column number, in the order written.
    pub(crate) fn cells(&self) -> impl Iterator<Item = (usize, Cell<'a>)> + 'a {
        let mut bytes = self.cells;
        // The structure was checked when the row was read: a cell that does not decode
        // cannot occur, and ends the iteration.
        std::iter::from_fn(move || next_cell(&mut bytes))
    }
}

/// Features written so far.
pub(crate) struct Spill {
    file: BufWriter<File>,
    /// Where each row starts in the file.
    starts: Vec<u64>,
    written: u64,
    /// Centre of each row's bbox, for the Hilbert order (NaN for a row without geometry).
    centres: Vec<[f64; 2]>,
    columns: ColumnSet,
    /// The geometry type of the first row with one, and whether every row with one has it.
    geometry: Option<(&'static str, bool)>,
    /// Rows without a geometry.
    unlocated: usize,
    extent: Bbox,
    encoded: Vec<u8>,
}

const BOOL: u8 = 0;
const LONG: u8 = 1;
const DOUBLE: u8 = 2;
const TEXT: u8 = 3;

impl Spill {
    /// An empty spill in an unnamed temporary file (removed by the system when dropped).
    pub(crate) fn new() -> io::Result<Spill> {
        Ok(Spill {
            file: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
            starts: Vec::new(),
            written: 0,
            centres: Vec::new(),
            columns: ColumnSet::default(),
            geometry: None,
            unlocated: 0,
            extent: Bbox::default(),
            encoded: Vec::with_capacity(1024),
        })
    }

    /// Appends one feature; `geometry` None for one without (its WKB is stored as empty,
    /// which no geometry's is).
    pub(crate) fn push(
        &mut self,
        geometry: Option<&Geometry>,
        properties: &Map<String, Value>,
    ) -> io::Result<()> {
        let bbox = match geometry {
            Some(geometry) => self.observe(geometry),
            None => {
                self.unlocated += 1;
                [f64::NAN; 4]
            }
        };
        let e = &mut self.encoded;
        e.clear();
        let geometry = geometry.map(wkb).unwrap_or_default();
        e.extend_from_slice(&(geometry.len() as u32).to_le_bytes());
        e.extend_from_slice(&geometry);
        for v in bbox {
            e.extend_from_slice(&v.to_le_bytes());
        }
        for (name, value) in properties {
            let column = self.columns.observe(name, value) as u32;
            if value.is_null() {
                continue;
            }
            e.extend_from_slice(&column.to_le_bytes());
            match value {
                Value::Bool(b) => e.extend_from_slice(&[BOOL, u8::from(*b)]),
                Value::Number(n) => match n.as_i64() {
                    Some(i) => {
                        e.push(LONG);
                        e.extend_from_slice(&i.to_le_bytes());
                    }
                    None => {
                        e.push(DOUBLE);
                        e.extend_from_slice(&n.as_f64().unwrap_or(f64::NAN).to_le_bytes());
                    }
                },
                Value::String(text) => push_text(e, text),
                other => push_text(e, &text_value(other).unwrap_or_default()),
            }
        }
        self.file.write_all(e)?;
        self.starts.push(self.written);
        self.written += e.len() as u64;
        self.centres
            .push([(bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0]);
        Ok(())
    }

    /// Counts a geometry's type and extent; returns its bbox (NaN when empty).
    fn observe(&mut self, geometry: &Geometry) -> [f64; 4] {
        let name = geometry_type_name(geometry);
        match &mut self.geometry {
            None => self.geometry = Some((name, true)),
            Some((first, same)) => *same &= *first == name,
        }
        match geometry.bounding_rect() {
            Some(r) => {
                self.extent.add(r.min());
                self.extent.add(r.max());
                [r.min().x, r.min().y, r.max().x, r.max().y]
            }
            None => [f64::NAN; 4],
        }
    }

    /// How many rows.
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    /// How many rows have no geometry.
    pub(crate) fn unlocated(&self) -> usize {
        self.unlocated
    }

    /// The columns, typed by every value seen (see [`ColumnSet`]).
    pub(crate) fn columns(&self) -> Vec<Column> {
        self.columns.columns()
    }

    /// The one geometry type of every row with a geometry, or None when mixed or none has one.
    pub(crate) fn geometry_type(&self) -> Option<&'static str> {
        self.geometry.and_then(|(name, same)| same.then_some(name))
    }

    /// The bbox of every row with a geometry.
    pub(crate) fn extent(&self) -> Bbox {
        self.extent
    }

    /// Row numbers along a Hilbert curve over the extent (ties in row order), then the rows
    /// without a place on it (no geometry, or an empty one), in row order.
    pub(crate) fn hilbert_order(&self) -> Vec<usize> {
        let extent = self.extent.0;
        let mut keys: Vec<(u64, usize)> = self
            .centres
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let key = if c[0].is_nan() {
                    u64::MAX
                } else {
                    hilbert(c[0], c[1], extent)
                };
                (key, i)
            })
            .collect();
        keys.sort_unstable();
        keys.into_iter().map(|(_, i)| i).collect()
    }

    /// Ends writing; rows can then be read back in any order.
    pub(crate) fn into_reader(self) -> io::Result<SpillReader> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        Ok(SpillReader {
            file,
            starts: self.starts,
            end: self.written,
            window: Vec::new(),
            window_start: 0,
            last_end: 0,
        })
    }
}

/// Rows of a finished [`Spill`].
pub(crate) struct SpillReader {
    file: File,
    starts: Vec<u64>,
    end: u64,
    /// Bytes of the file from `window_start` on.
    window: Vec<u8>,
    window_start: u64,
    /// Where the row read last ends.
    last_end: u64,
}

/// Bytes read ahead when rows are read in order.
const READ_AHEAD: u64 = 1 << 16;

impl SpillReader {
    /// Row `i` (in the order pushed). Rows read in order are read ahead a block at a time;
    /// a row out of order is read alone.
    pub(crate) fn row(&mut self, i: usize) -> io::Result<Row<'_>> {
        let start = self.starts[i];
        let end = self.starts.get(i + 1).copied().unwrap_or(self.end);
        let window_end = self.window_start + self.window.len() as u64;
        if start < self.window_start || end > window_end {
            let size = if start == self.last_end {
                (end - start).max(READ_AHEAD.min(self.end - start))
            } else {
                end - start
            };
            self.file.seek(SeekFrom::Start(start))?;
            self.window.resize(size as usize, 0);
            self.file.read_exact(&mut self.window)?;
            self.window_start = start;
        }
        self.last_end = end;
        let from = (start - self.window_start) as usize;
        let to = (end - self.window_start) as usize;
        decode(&self.window[from..to]).ok_or_else(|| io::Error::other("spilled row is corrupt"))
    }
}

/// A text cell: tag, length, UTF-8 bytes.
fn push_text(out: &mut Vec<u8>, text: &str) {
    out.push(TEXT);
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = bytes.split_at_checked(n)?;
    *bytes = rest;
    Some(head)
}

fn word<const N: usize>(bytes: &mut &[u8]) -> Option<[u8; N]> {
    take(bytes, N)?.try_into().ok()
}

/// The cell at the start of `bytes`, which then start after it.
fn next_cell<'a>(bytes: &mut &'a [u8]) -> Option<(usize, Cell<'a>)> {
    let column = u32::from_le_bytes(word(bytes)?) as usize;
    let cell = match take(bytes, 1)?[0] {
        BOOL => Cell::Bool(take(bytes, 1)?[0] != 0),
        LONG => Cell::Long(i64::from_le_bytes(word(bytes)?)),
        DOUBLE => Cell::Double(f64::from_le_bytes(word(bytes)?)),
        TEXT => {
            let n = u32::from_le_bytes(word(bytes)?) as usize;
            Cell::Text(std::str::from_utf8(take(bytes, n)?).ok()?)
        }
        _ => return None,
    };
    Some((column, cell))
}

fn decode(mut bytes: &[u8]) -> Option<Row<'_>> {
    let length = u32::from_le_bytes(word(&mut bytes)?) as usize;
    let wkb = Some(take(&mut bytes, length)?).filter(|w| !w.is_empty());
    let mut bbox = [0.0; 4];
    for v in &mut bbox {
        *v = f64::from_le_bytes(word(&mut bytes)?);
    }
    let cells = bytes;
    while !bytes.is_empty() {
        next_cell(&mut bytes)?;
    }
    Some(Row { wkb, bbox, cells })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::feature::Feature;
    use serde_json::json;

    fn feature(x: f64, properties: Value) -> Feature {
        Feature {
            id: None,
            geometry: Some(geo::Point::new(x, 37.0).into()),
            properties: properties.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn rows_read_back_as_written_in_any_order() {
        let mut spill = Spill::new().unwrap();
        let features = [
            feature(
                70.0,
                json!({"n": 1, "t": "Qala-i-Zal", "b": true, "x": null}),
            ),
            feature(
                71.0,
                json!({"n": 2.5, "t": ["a", "b"], "x": 7, "big": u64::MAX}),
            ),
        ];
        for f in &features {
            spill.push(f.geometry.as_ref(), &f.properties).unwrap();
        }
        assert_eq!(spill.len(), 2);
        assert_eq!(spill.geometry_type(), Some("Point"));
        assert_eq!(spill.extent().0, [70.0, 37.0, 71.0, 37.0]);
        let names: Vec<String> = spill.columns().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["n", "t", "b", "x", "big"]);
        let mut reader = spill.into_reader().unwrap();
        // Out of order: the second row first.
        assert_eq!(
            reader.row(1).unwrap().cells().collect::<Vec<_>>(),
            [
                (0, Cell::Double(2.5)),
                (1, Cell::Text("a|b")),
                (3, Cell::Long(7)),
                (4, Cell::Double(u64::MAX as f64))
            ]
        );
        let first = reader.row(0).unwrap();
        assert_eq!(first.wkb, features[0].geometry.as_ref().map(wkb).as_deref());
        assert_eq!(first.bbox, [70.0, 37.0, 70.0, 37.0]);
        assert_eq!(
            first.cells().collect::<Vec<_>>(),
            [
                (0, Cell::Long(1)),
                (1, Cell::Text("Qala-i-Zal")),
                (2, Cell::Bool(true))
            ]
        );
    }

    #[test]
    fn cells_as_text_match_the_text_of_their_json_value() {
        for (cell, value) in [
            (Cell::Bool(true), json!(true)),
            (Cell::Long(-3), json!(-3)),
            (Cell::Double(2.0), json!(2.0)),
            (Cell::Double(0.1), json!(0.1)),
        ] {
            assert_eq!(Some(cell.text().into_owned()), text_value(&value));
        }
    }

    #[test]
    fn rows_without_geometry_keep_type_and_extent_and_come_last() {
        let mut spill = Spill::new().unwrap();
        let none = Feature {
            geometry: None,
            ..feature(0.0, json!({"n": 1}))
        };
        spill
            .push(none.geometry.as_ref(), &none.properties)
            .unwrap();
        for x in [71.0, 70.0] {
            let f = feature(x, json!({"n": 2}));
            spill.push(f.geometry.as_ref(), &f.properties).unwrap();
        }
        assert_eq!((spill.len(), spill.unlocated()), (3, 1));
        assert_eq!(spill.geometry_type(), Some("Point"));
        assert_eq!(spill.extent().0, [70.0, 37.0, 71.0, 37.0]);
        assert_eq!(spill.hilbert_order().last(), Some(&0));
        let mut reader = spill.into_reader().unwrap();
        let row = reader.row(0).unwrap();
        assert_eq!(row.wkb, None);
        assert!(row.bbox.iter().all(|v| v.is_nan()));
        assert_eq!(row.cells().collect::<Vec<_>>(), [(0, Cell::Long(1))]);
        assert!(reader.row(1).unwrap().wkb.is_some());
    }

    #[test]
    fn mixed_geometries_have_no_single_type() {
        let mut spill = Spill::new().unwrap();
        let point = feature(70.0, json!({}));
        spill
            .push(point.geometry.as_ref(), &point.properties)
            .unwrap();
        let line = Feature {
            id: None,
            geometry: Some(geo::LineString::from(vec![(70.0, 37.0), (71.0, 38.0)]).into()),
            properties: Default::default(),
        };
        spill
            .push(line.geometry.as_ref(), &line.properties)
            .unwrap();
        assert_eq!(spill.geometry_type(), None);
    }
}
