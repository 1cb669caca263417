//! The incidents layer encoded straight into the spill's rows (see `rows`), on every core:
//! no feature is built. Each value is typed and written as the JSON value the GeoJSON layer
//! holds for it, so the FlatGeobuf and GeoParquet files are those the features would give.

use rayon::prelude::*;

use super::incident_values;
use super::rows::{Cell, push_cell, push_geometry};
use super::spill::SpillRun;
use super::typing::{ColumnKind, widen};
use super::wkb::push_point;
use crate::incidents::Value;
use crate::index::{Filter, IncidentIndex};

/// Rows of the table encoded in one task.
const CHUNK: usize = 4096;

/// The incidents of a table, encoded.
pub(crate) struct IncidentRuns<'a> {
    /// The columns' names, in the order of their numbers in the runs.
    pub(crate) names: Vec<&'a str>,
    /// Runs of rows, in row order.
    pub(crate) runs: Vec<SpillRun>,
    /// Incidents that passed the filter without coordinates and were left out.
    pub(crate) left_out: usize,
}

/// The incidents of `index` that pass `filter`, coordinates rounded to `precision` decimals;
/// those without coordinates too when `holds_unlocated`, else left out and counted.
pub(crate) fn incident_runs<'a>(
    index: &'a IncidentIndex<'a>,
    filter: &Filter,
    precision: usize,
    holds_unlocated: bool,
) -> IncidentRuns<'a> {
    let rows = index.table().rows();
    let names = (0..rows.len() as u32)
        .find(|&row| filter.matches(index, row))
        .map(|row| {
            incident_values(index, row)
                .into_iter()
                .map(|(name, _)| name)
                .collect()
        })
        .unwrap_or_default();
    let encoder = Encoder {
        index,
        filter,
        scale: 10f64.powi(precision as i32),
        holds_unlocated,
    };
    let encoded: Vec<Encoded> = (0..rows.len())
        .into_par_iter()
        .step_by(CHUNK)
        .map(|start| encoder.run(start..(start + CHUNK).min(rows.len())))
        .collect();
    IncidentRuns {
        names,
        left_out: encoded.iter().map(|e| e.left_out).sum(),
        runs: encoded.into_iter().map(|e| e.run).collect(),
    }
}

/// A run of the table's rows, encoded.
struct Encoded {
    run: SpillRun,
    /// Rows that passed the filter without coordinates and were left out.
    left_out: usize,
}

/// What encoding a run needs.
struct Encoder<'a> {
    index: &'a IncidentIndex<'a>,
    filter: &'a Filter,
    /// 10 to the power of the decimals of coordinates.
    scale: f64,
    holds_unlocated: bool,
}

impl Encoder<'_> {
    /// The table rows `rows` that pass the filter, encoded, and how many were left out for
    /// having no coordinates.
    fn run(&self, rows: std::ops::Range<usize>) -> Encoded {
        let table = self.index.table();
        let mut run = SpillRun::default();
        let mut left_out = 0;
        let mut date = DateText::default();
        let mut wkb = Vec::with_capacity(WKB_POINT_BYTES);
        for row in rows.map(|row| row as u32) {
            if !self.filter.matches(self.index, row) {
                continue;
            }
            let point = table.rows()[row as usize].point();
            if point.is_none() && !self.holds_unlocated {
                left_out += 1;
                continue;
            }
            let start = run.bytes.len();
            wkb.clear();
            let bbox = point.map_or([f64::NAN; 4], |p| {
                let (x, y) = (self.round(p.x()), self.round(p.y()));
                push_point(&mut wkb, x, y);
                [x, y, x, y]
            });
            push_geometry(&mut run.bytes, &wkb);
            let values = incident_values(self.index, row);
            run.kinds.resize(values.len(), None);
            for (column, (_, value)) in values.iter().enumerate() {
                if let Some(cell) = cell_of(value, &mut date) {
                    run.kinds[column] = widen(run.kinds[column], Some(kind_of(cell)));
                    push_cell(&mut run.bytes, column, cell);
                }
            }
            if point.is_some() {
                run.geometry = Some("Point");
            }
            run.lengths.push((run.bytes.len() - start) as u32);
            run.boxes.push(bbox);
        }
        Encoded { run, left_out }
    }

    fn round(&self, v: f64) -> f64 {
        (v * self.scale).round() / self.scale
    }
}

/// The bytes of a point's WKB.
const WKB_POINT_BYTES: usize = 21;

/// The type of a cell's column.
fn kind_of(cell: Cell) -> ColumnKind {
    match cell {
        Cell::Bool(_) => ColumnKind::Bool,
        Cell::Long(_) => ColumnKind::Long,
        Cell::Double(_) => ColumnKind::Double,
        Cell::Text(_) => ColumnKind::Text,
    }
}

/// Room for a date's text, YYYY-MM-DD.
#[derive(Default)]
struct DateText {
    bytes: [u8; 10],
    long: String,
}

impl DateText {
    /// `date` as its JSON text gives it, without allocating for years 1000 to 9999.
    fn of(&mut self, date: chrono::NaiveDate) -> &str {
        use chrono::Datelike;
        let (year, month, day) = (date.year(), date.month(), date.day());
        if !(1000..=9999).contains(&year) {
            self.long = date.to_string();
            return &self.long;
        }
        let year = year as u32;
        let digits = [
            year / 1000,
            year / 100 % 10,
            year / 10 % 10,
            year % 10,
            month / 10,
            month % 10,
            day / 10,
            day % 10,
        ];
        let at = [0, 1, 2, 3, 5, 6, 8, 9];
        self.bytes[4] = b'-';
        self.bytes[7] = b'-';
        for (i, d) in at.into_iter().zip(digits) {
            self.bytes[i] = b'0' + d as u8;
        }
        std::str::from_utf8(&self.bytes).expect("ASCII digits")
    }
}

/// The cell of the JSON value the GeoJSON layer holds for `value` (see
/// [`Value::to_json`]); None for null, which a non-finite number also becomes.
fn cell_of<'v>(value: &Value<'v>, date: &'v mut DateText) -> Option<Cell<'v>> {
    match *value {
        Value::Text(s) => Some(Cell::text_of(s)),
        Value::Date(d) => Some(Cell::text_of(date.of(d))),
        Value::Number(x) => x.is_finite().then_some(Cell::Double(x)),
        Value::Count(n) => Some(match i64::try_from(n) {
            Ok(n) => Cell::Long(n),
            Err(_) => Cell::Double(n as f64),
        }),
        Value::Bool(b) => Some(Cell::Bool(b)),
        Value::Null => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{FeatureWriter, Format, incident_feature, write_incidents};
    use crate::incidents::IncidentTable;

    #[test]
    fn runs_give_the_files_the_features_give() {
        let table = IncidentTable::bundled();
        let index = IncidentIndex::new(&table);
        for format in [Format::Flatgeobuf, Format::Geoparquet] {
            let mut from_features = Vec::new();
            let mut writer = FeatureWriter::new(&mut from_features, format, 5).unwrap();
            for row in 0..table.rows().len() as u32 {
                writer.write(&incident_feature(&index, row)).unwrap();
            }
            let by_features = writer.finish().unwrap();
            let mut from_runs = Vec::new();
            let mut writer = FeatureWriter::new(&mut from_runs, format, 5).unwrap();
            write_incidents(&index, &Filter::default(), &mut writer).unwrap();
            let by_runs = writer.finish().unwrap();
            assert_eq!(by_features.located, by_runs.located);
            assert_eq!(by_features.unlocated, by_runs.unlocated);
            assert_eq!(by_features.left_out, by_runs.left_out);
            assert!(from_features == from_runs, "{format:?}: the files differ");
        }
    }

    #[test]
    fn dates_read_as_their_json_text() {
        let mut text = DateText::default();
        for (y, m, d) in [
            (2024, 3, 7),
            (1000, 1, 1),
            (9999, 12, 31),
            (999, 5, 9),
            (10000, 1, 2),
        ] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(text.of(date), date.to_string());
        }
    }

    #[test]
    fn values_become_the_cells_of_their_json_values() {
        let mut date = DateText::default();
        assert_eq!(cell_of(&Value::Number(f64::NAN), &mut date), None);
        assert_eq!(cell_of(&Value::Count(7), &mut date), Some(Cell::Long(7)));
        assert_eq!(
            cell_of(&Value::Count(u64::MAX), &mut date),
            Some(Cell::Double(u64::MAX as f64))
        );
        assert_eq!(
            cell_of(&Value::Number(2.0), &mut date),
            Some(Cell::Double(2.0))
        );
        assert_eq!(cell_of(&Value::Null, &mut date), None);
    }
}
