//! A layer's features kept on disk in the row encoding (see `rows`) until the layer is
//! complete.
//!
//! FlatGeobuf and GeoParquet need every column's type before the first row, and both write
//! rows in Hilbert order: both need the whole layer before writing. Holding it as
//! `Feature`s costs ~5 KB a point feature (4.7 GB for a million incidents); here each row
//! is a few hundred bytes, kept in memory up to [`MEMORY_BYTES`] and past that in an unnamed
//! temporary file (see `store`), and memory keeps 40 bytes a row beside them: where it starts
//! and its bbox.
//! Rows come one feature at a time ([`Spill::push`]) or as runs encoded beforehand on every
//! core ([`SpillRun`], the incidents); they are read back in runs, or in another order, by
//! `ordered`.

use std::io;
use std::ops::Range;

use geo::{BoundingRect, Geometry};
use serde_json::{Map, Value};

use super::feature::Bbox;
use super::rows::{Cell, Row, cells, corrupt, push_cell, push_geometry};
use super::store::{MEMORY_BYTES, Store, Stored};
use super::typing::{Column, ColumnKind, ColumnSet, text_value};
use super::wkb::{geometry_type_name, hilbert, wkb};

/// Features written so far.
pub(crate) struct Spill {
    store: Store,
    /// Where each row starts in the store.
    starts: Vec<u64>,
    /// Each row's bbox (NaN for a row without geometry or with an empty one).
    boxes: Vec<[f64; 4]>,
    columns: ColumnSet,
    /// The geometry type of the first row with one, and whether every row with one has it.
    geometry: Option<(&'static str, bool)>,
    /// Rows without a geometry.
    unlocated: usize,
    extent: Bbox,
    encoded: Vec<u8>,
}

/// Rows encoded ahead of the spill, with their own column numbers: the index of each
/// column's name in `names`.
#[derive(Debug, Default)]
pub(crate) struct SpillRun {
    /// The rows, one after the other.
    pub(crate) bytes: Vec<u8>,
    /// Each row's length in `bytes`.
    pub(crate) lengths: Vec<u32>,
    /// Each row's bbox (NaN: no geometry).
    pub(crate) boxes: Vec<[f64; 4]>,
    /// The type of each column's values in the run (None: only nulls).
    pub(crate) kinds: Vec<Option<ColumnKind>>,
    /// The geometry type of the rows that have one (None: no row has one).
    pub(crate) geometry: Option<&'static str>,
}

impl Spill {
    /// An empty spill (its temporary file, if it comes to one, is removed by the system when
    /// dropped).
    pub(crate) fn new() -> Spill {
        Spill {
            store: Store::new(MEMORY_BYTES),
            starts: Vec::new(),
            boxes: Vec::new(),
            columns: ColumnSet::default(),
            geometry: None,
            unlocated: 0,
            extent: Bbox::default(),
            encoded: Vec::with_capacity(1024),
        }
    }

    /// An empty spill that keeps its rows in `store`.
    #[cfg(test)]
    pub(crate) fn with_store(store: Store) -> Spill {
        Spill {
            store,
            ..Spill::new()
        }
    }

    /// Appends one feature; `geometry` None for one without (its WKB is stored as empty,
    /// which no geometry's is).
    pub(crate) fn push(
        &mut self,
        geometry: Option<&Geometry>,
        properties: &Map<String, Value>,
    ) -> io::Result<()> {
        let bbox = match geometry {
            Some(geometry) => {
                self.observe_type(geometry_type_name(geometry));
                bbox_of(geometry)
            }
            None => [f64::NAN; 4],
        };
        let mut e = std::mem::take(&mut self.encoded);
        e.clear();
        push_geometry(&mut e, &geometry.map(wkb).unwrap_or_default());
        for (name, value) in properties {
            let column = self.columns.observe(name, value);
            let cell = match value {
                Value::Null => continue,
                Value::Bool(b) => Cell::Bool(*b),
                Value::Number(n) => match n.as_i64() {
                    Some(i) => Cell::Long(i),
                    None => Cell::Double(n.as_f64().unwrap_or(f64::NAN)),
                },
                Value::String(text) => Cell::text_of(text),
                other => {
                    push_cell(
                        &mut e,
                        column,
                        Cell::text_of(&text_value(other).unwrap_or_default()),
                    );
                    continue;
                }
            };
            push_cell(&mut e, column, cell);
        }
        let result = self.push_row(&e, bbox);
        self.encoded = e;
        result
    }

    /// Appends the rows of `run`, whose columns are named `names`; returns how many of them
    /// have no geometry.
    pub(crate) fn append(&mut self, run: &SpillRun, names: &[&str]) -> io::Result<usize> {
        let unlocated_before = self.unlocated;
        let numbers: Vec<usize> = names.iter().map(|name| self.columns.slot(name)).collect();
        for (&number, &kind) in numbers.iter().zip(&run.kinds) {
            self.columns.observe_kind(number, kind);
        }
        if let Some(name) = run.geometry {
            self.observe_type(name);
        }
        let same_numbers = numbers.iter().enumerate().all(|(i, &n)| i == n);
        let mut at = 0;
        for (&length, &bbox) in run.lengths.iter().zip(&run.boxes) {
            let row = &run.bytes[at..at + length as usize];
            at += length as usize;
            if same_numbers {
                self.push_row(row, bbox)?;
            } else {
                let mut e = std::mem::take(&mut self.encoded);
                let result = renumber(row, &numbers, &mut e).and_then(|()| self.push_row(&e, bbox));
                self.encoded = e;
                result?;
            }
        }
        Ok(self.unlocated - unlocated_before)
    }

    /// Writes one encoded row with its bbox (NaN: no geometry, or an empty one).
    fn push_row(&mut self, row: &[u8], bbox: [f64; 4]) -> io::Result<()> {
        self.starts.push(self.store.len());
        self.store.write(row)?;
        // An empty WKB: no geometry.
        self.unlocated += usize::from(row[..4] == [0; 4]);
        if !bbox[0].is_nan() {
            self.extent.add(geo::Coord {
                x: bbox[0],
                y: bbox[1],
            });
            self.extent.add(geo::Coord {
                x: bbox[2],
                y: bbox[3],
            });
        }
        self.boxes.push(bbox);
        Ok(())
    }

    /// Counts a geometry's type.
    fn observe_type(&mut self, name: &'static str) {
        match &mut self.geometry {
            None => self.geometry = Some((name, true)),
            Some((first, same)) => *same &= *first == name,
        }
    }

    /// Ends writing; rows can then be read back in any order, by any thread.
    pub(crate) fn finish(self) -> io::Result<SpilledRows> {
        Ok(SpilledRows {
            end: self.store.len(),
            stored: self.store.finish()?,
            starts: self.starts,
            boxes: self.boxes,
            columns: self.columns.columns(),
            geometry: self.geometry,
            unlocated: self.unlocated,
            extent: self.extent,
        })
    }
}

/// A geometry's bbox [xmin, ymin, xmax, ymax] (NaN when empty).
fn bbox_of(geometry: &Geometry) -> [f64; 4] {
    geometry.bounding_rect().map_or([f64::NAN; 4], |r| {
        [r.min().x, r.min().y, r.max().x, r.max().y]
    })
}

/// Appends `row` to `out` with each cell's column number `c` replaced by `numbers[c]`.
fn renumber(row: &[u8], numbers: &[usize], out: &mut Vec<u8>) -> io::Result<()> {
    out.clear();
    let length = u32::from_le_bytes(row[..4].try_into().expect("4 bytes")) as usize;
    let (geometry, rest) = row.split_at(4 + length);
    out.extend_from_slice(geometry);
    for cell in cells(rest) {
        let (c, cell) = cell?;
        push_cell(out, numbers[c], cell);
    }
    Ok(())
}

/// A spilled row's bytes as a row.
pub(super) fn parse(bytes: &[u8]) -> io::Result<Row<'_>> {
    Row::parse(bytes).ok_or_else(corrupt)
}

/// The rows of a finished [`Spill`].
pub(crate) struct SpilledRows {
    stored: Stored,
    starts: Vec<u64>,
    end: u64,
    boxes: Vec<[f64; 4]>,
    columns: Vec<Column>,
    geometry: Option<(&'static str, bool)>,
    unlocated: usize,
    extent: Bbox,
}

impl SpilledRows {
    /// The property columns, typed by every value of the layer.
    pub(crate) fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// How many rows.
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    /// How many rows have no geometry.
    pub(crate) fn unlocated(&self) -> usize {
        self.unlocated
    }

    /// The one geometry type of every row with a geometry, or None when mixed or none has one.
    pub(crate) fn geometry_type(&self) -> Option<&'static str> {
        self.geometry.and_then(|(name, same)| same.then_some(name))
    }

    /// The bbox of every row with a geometry.
    pub(crate) fn extent(&self) -> Bbox {
        self.extent
    }

    /// Row `i`'s bbox [xmin, ymin, xmax, ymax], NaN when it has no geometry or an empty one.
    pub(crate) fn bbox(&self, i: usize) -> [f64; 4] {
        self.boxes[i]
    }

    /// Where row `i`'s bytes are in the store.
    pub(super) fn range(&self, i: usize) -> Range<u64> {
        self.starts[i]..self.starts.get(i + 1).copied().unwrap_or(self.end)
    }

    /// The store of the rows.
    pub(super) fn stored(&self) -> &Stored {
        &self.stored
    }

    /// Row numbers along a Hilbert curve over the extent (ties in row order), then the rows
    /// without a place on it (no geometry, or an empty one), in row order.
    pub(crate) fn hilbert_order(&self) -> Vec<usize> {
        let extent = self.extent.0;
        let mut keys: Vec<(u64, usize)> = self
            .boxes
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let (x, y) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
                let key = if x.is_nan() {
                    u64::MAX
                } else {
                    hilbert(x, y, extent)
                };
                (key, i)
            })
            .collect();
        keys.sort_unstable();
        keys.into_iter().map(|(_, i)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::feature::Feature;
    use crate::export::typing::ColumnKind;
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
        let mut spill = Spill::new();
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
        let rows = spill.finish().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.geometry_type(), Some("Point"));
        assert_eq!(rows.extent().0, [70.0, 37.0, 71.0, 37.0]);
        let names: Vec<&str> = rows.columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["n", "t", "b", "x", "big"]);
        // Out of order: the second row first.
        let run = rows.run(0..2).unwrap();
        let row = run.row(1).unwrap();
        assert_eq!(
            row.cells().collect::<io::Result<Vec<_>>>().unwrap(),
            [
                (0, Cell::Double(2.5)),
                (1, Cell::Text(b"a|b")),
                (3, Cell::Long(7)),
                (4, Cell::Double(u64::MAX as f64))
            ]
        );
        let row = run.row(0).unwrap();
        assert_eq!(row.wkb(), features[0].geometry.as_ref().map(wkb).as_deref());
        assert_eq!(rows.bbox(0), [70.0, 37.0, 70.0, 37.0]);
        assert_eq!(
            row.cells().collect::<io::Result<Vec<_>>>().unwrap(),
            [
                (0, Cell::Long(1)),
                (1, Cell::Text(b"Qala-i-Zal")),
                (2, Cell::Bool(true))
            ]
        );
    }

    #[test]
    fn rows_without_geometry_keep_type_and_extent_and_come_last() {
        let mut spill = Spill::new();
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
        let rows = spill.finish().unwrap();
        assert_eq!((rows.len(), rows.unlocated()), (3, 1));
        assert_eq!(rows.geometry_type(), Some("Point"));
        assert_eq!(rows.extent().0, [70.0, 37.0, 71.0, 37.0]);
        assert_eq!(rows.hilbert_order().last(), Some(&0));
        let run = rows.run(0..3).unwrap();
        let row = run.row(0).unwrap();
        assert_eq!(row.wkb(), None);
        assert!(rows.bbox(0).iter().all(|v| v.is_nan()));
        assert_eq!(
            row.cells().collect::<io::Result<Vec<_>>>().unwrap(),
            [(0, Cell::Long(1))]
        );
        assert!(run.row(1).unwrap().wkb().is_some());
    }

    #[test]
    fn mixed_geometries_have_no_single_type() {
        let mut spill = Spill::new();
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
        assert_eq!(spill.finish().unwrap().geometry_type(), None);
    }

    /// Rows of three features, the spill kept in memory or moved to its file after `limit`
    /// bytes, read back out of order and in order.
    fn read_back(limit: usize) -> Vec<Vec<(usize, String)>> {
        let mut spill = Spill::with_store(Store::new(limit));
        for (x, t) in [(70.0, "a"), (71.0, "bb"), (72.0, "ccc")] {
            let f = feature(x, json!({"t": t, "n": x as i64}));
            spill.push(f.geometry.as_ref(), &f.properties).unwrap();
        }
        let rows = spill.finish().unwrap();
        let text = |row: Row| {
            row.cells()
                .map(Result::unwrap)
                .map(|(c, cell)| (c, String::from_utf8(cell.text().into_owned()).unwrap()))
                .collect::<Vec<_>>()
        };
        let mut backwards: Vec<_> = (0..3)
            .rev()
            .map(|i| text(rows.run(i..i + 1).unwrap().row(i).unwrap()))
            .collect();
        backwards.reverse();
        let run = rows.run(0..3).unwrap();
        let in_order: Vec<_> = (0..3).map(|i| text(run.row(i).unwrap())).collect();
        assert_eq!(backwards, in_order);
        in_order
    }

    #[test]
    fn rows_read_back_alike_from_memory_and_from_the_file() {
        let in_memory = read_back(MEMORY_BYTES);
        assert_eq!(
            in_memory[2],
            [(0, "ccc".to_string()), (1, "72".to_string())]
        );
        // Moved to the file at the first row, and at the second.
        assert_eq!(read_back(0), in_memory);
        assert_eq!(read_back(40), in_memory);
    }

    #[test]
    fn runs_with_other_column_numbers_are_renumbered() {
        let mut spill = Spill::new();
        let f = feature(70.0, json!({"a": 1, "b": "x"}));
        spill.push(f.geometry.as_ref(), &f.properties).unwrap();
        // A run whose columns come in the other order, and a new one.
        let mut run = SpillRun::default();
        push_geometry(&mut run.bytes, &[]);
        push_cell(&mut run.bytes, 0, Cell::text_of("y"));
        push_cell(&mut run.bytes, 1, Cell::Long(2));
        push_cell(&mut run.bytes, 2, Cell::Bool(true));
        run.lengths.push(run.bytes.len() as u32);
        run.boxes.push([f64::NAN; 4]);
        run.kinds = vec![
            Some(ColumnKind::Text),
            Some(ColumnKind::Long),
            Some(ColumnKind::Bool),
        ];
        spill.append(&run, &["b", "a", "c"]).unwrap();
        let rows = spill.finish().unwrap();
        let kinds: Vec<_> = rows
            .columns()
            .iter()
            .map(|c| (c.name.as_str(), c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", ColumnKind::Long),
                ("b", ColumnKind::Text),
                ("c", ColumnKind::Bool)
            ]
        );
        assert_eq!(rows.unlocated(), 1);
        assert_eq!(
            rows.run(0..2)
                .unwrap()
                .row(1)
                .unwrap()
                .cells()
                .collect::<io::Result<Vec<_>>>()
                .unwrap(),
            [
                (1, Cell::Text(b"y")),
                (0, Cell::Long(2)),
                (2, Cell::Bool(true))
            ]
        );
    }
}
