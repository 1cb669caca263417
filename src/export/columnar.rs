//! GeoParquet 1.1, written once a layer is complete: every column's type is needed before
//! the first row, and rows go in Hilbert order. Each row group's columns are gathered on
//! every core while the one before is encoded.

use std::io::{self, Write};

use rayon::prelude::*;
use serde_json::Value;

use super::ordered::InOrder;
use super::pipeline::overlapped;
use super::rows::{Cell, Row};
use super::spill::SpilledRows;
use super::typing::{Column, ColumnKind};

/// The values of one column of a row group.
enum Values {
    Bool(Vec<bool>),
    Long(Vec<i64>),
    Double(Vec<f64>),
    Text(Texts),
}

/// Byte strings kept end to end in one buffer.
#[derive(Default)]
struct Texts {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Texts {
    /// Appends `value`.
    fn push(&mut self, value: &[u8]) {
        self.bytes.extend_from_slice(value);
        self.ends.push(self.bytes.len());
    }

    /// The values in order.
    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.bytes[start..end])
    }

    /// Parquet values sharing the buffer.
    fn into_values(self) -> Vec<parquet::data_type::ByteArray> {
        let bytes = bytes::Bytes::from(self.bytes);
        let mut start = 0;
        self.ends
            .into_iter()
            .map(|end| {
                let value = bytes.slice(start..end).into();
                start = end;
                value
            })
            .collect()
    }
}

/// Rows per row group: small enough for bbox skipping, large enough for compression.
const ROW_GROUP: usize = 65_536;

/// Writes the layer's `rows` as GeoParquet 1.1: a WKB `geometry` column, a `bbox` struct
/// column (xmin, ymin, xmax, ymax) declared as the geometry's covering, the properties typed,
/// rows in Hilbert order in row groups of 65,536, and the `geo` metadata (CRS: OGC:CRS84, the
/// default). Snappy-compressed. Geometry and bbox are `required`, or `optional` when a
/// feature has no geometry: its row holds null in both, and comes after the others.
pub(crate) fn write_geoparquet(rows: &SpilledRows, out: impl Write + Send) -> io::Result<()> {
    use std::sync::Arc;

    let columns = rows.columns();
    let nullable = rows.unlocated() > 0;
    let schema = Arc::new(geoparquet_schema(columns, nullable)?);
    let geo = geo_metadata(rows);
    let order = rows.hilbert_order();
    let batches = rows.in_order(&order, GATHER_CHUNK)?;
    // Opened with the first group: how its text columns' values repeat decides their encoding.
    let mut out = Some(out);
    let mut writer = None;
    let mut open = |unique: &[bool]| {
        let properties = writer_properties(&geo, columns, unique);
        let out = out.take().expect("the file is opened once");
        SerializedFileWriter::new(out, schema.clone(), Arc::new(properties)).map_err(parquet_error)
    };
    overlapped(
        order.len().div_ceil(ROW_GROUP),
        |k| RowGroup::gather(rows, &batches, k, nullable),
        |group| {
            let writer = match &mut writer {
                Some(writer) => writer,
                None => writer.insert(open(&group.nearly_unique_texts())?),
            };
            group.write(writer)
        },
    )?;
    match writer {
        Some(writer) => writer,
        None => open(&[])?,
    }
    .close()
    .map_err(parquet_error)?;
    Ok(())
}

/// The file writer of the GeoParquet output.
type SerializedFileWriter<W> = parquet::file::writer::SerializedFileWriter<W>;

/// A Parquet error as an I/O error that names the format.
fn parquet_error(e: parquet::errors::ParquetError) -> io::Error {
    io::Error::other(format!("GeoParquet: {e}"))
}

/// The Parquet schema: geometry, its bbox covering (both `optional` when `nullable`), then
/// the property `columns`, typed.
fn geoparquet_schema(
    columns: &[Column],
    nullable: bool,
) -> io::Result<parquet::schema::types::Type> {
    let repetition = if nullable { "optional" } else { "required" };
    let mut schema = format!(
        "message schema {{ {repetition} binary geometry; {repetition} group bbox {{ required double xmin; required double ymin; required double xmax; required double ymax; }}",
    );
    for c in columns {
        let kind = match c.kind {
            ColumnKind::Bool => "boolean",
            ColumnKind::Long => "int64",
            ColumnKind::Double => "double",
            ColumnKind::Text => "binary",
        };
        let annotation = if c.kind == ColumnKind::Text {
            " (STRING)"
        } else {
            ""
        };
        let name = schema_name(&c.name);
        schema.push_str(&format!(" optional {kind} {name}{annotation};"));
    }
    schema.push_str(" }");
    parquet::schema::parser::parse_message_type(&schema).map_err(parquet_error)
}

/// GeoParquet's `geo` metadata of the layer: version, encoding, geometry types,
/// bbox and the covering column.
fn geo_metadata(rows: &SpilledRows) -> Value {
    let types: Vec<&str> = rows.geometry_type().into_iter().collect();
    let extent = rows.extent();
    serde_json::json!({
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": types,
                "bbox": if extent.is_empty() { Value::Null } else { serde_json::json!(extent.0) },
                "covering": { "bbox": {
                    "xmin": ["bbox", "xmin"], "ymin": ["bbox", "ymin"],
                    "xmax": ["bbox", "xmax"], "ymax": ["bbox", "ymax"],
                } },
            }
        }
    })
}

/// A property column's name in the schema: what the schema parser cannot read replaced.
fn schema_name(name: &str) -> String {
    name.chars()
        .map(|ch| {
            if ch.is_alphanumeric() || ch == '_' {
                ch
            } else {
                '_'
            }
        })
        .collect()
}

/// Snappy compression, the `geo` metadata and our name as the writer. Columns of values
/// that are nearly all different are written plain, not dictionary-encoded (a dictionary of
/// them is as big as the values, and hashing each costs more than writing it): the geometry,
/// its bbox, the property columns of fractional numbers (coordinates, distances) and the
/// text columns `unique` tells (by column number; see [`nearly_unique`]). The geometry has
/// no min/max statistics: WKB bytes in order tell a reader nothing; its bbox columns'
/// statistics are what readers filter by.
fn writer_properties(
    geo: &Value,
    columns: &[Column],
    unique: &[bool],
) -> parquet::file::properties::WriterProperties {
    use parquet::basic::Compression;
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::EnabledStatistics;
    use parquet::schema::types::ColumnPath;
    let bbox = ["xmin", "ymin", "xmax", "ymax"]
        .map(|part| ColumnPath::new(vec!["bbox".to_string(), part.to_string()]));
    let distinct = columns
        .iter()
        .enumerate()
        .filter(|&(i, c)| c.kind == ColumnKind::Double || unique.get(i).copied().unwrap_or(false))
        .map(|(_, c)| ColumnPath::from(schema_name(&c.name)));
    let plain = std::iter::once(ColumnPath::from("geometry"))
        .chain(bbox)
        .chain(distinct);
    plain
        .fold(
            parquet::file::properties::WriterProperties::builder(),
            |builder, column| builder.set_column_dictionary_enabled(column, false),
        )
        .set_column_statistics_enabled(ColumnPath::from("geometry"), EnabledStatistics::None)
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(vec![KeyValue::new("geo".into(), geo.to_string())]))
        .set_created_by(format!("borderwatch {}", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The share of different values from which a text column counts as nearly unique: notes,
/// identifiers. Names, dates and categories repeat far more (a tenth or less in incidents).
const NEARLY_UNIQUE: f64 = 0.5;

/// The values first looked at: when fewer than [`NEARLY_UNIQUE`] of them are different, the
/// column is taken to repeat (more values only repeat more), and the rest are not hashed.
const FIRST_LOOK: usize = 4096;

/// Whether at least [`NEARLY_UNIQUE`] of the values of `texts` (together) are different.
/// Stops hashing as soon as the answer is known.
fn nearly_unique(texts: &[&Texts]) -> bool {
    let count: usize = texts.iter().map(|t| t.ends.len()).sum();
    let needed = (NEARLY_UNIQUE * count as f64).ceil() as usize;
    let mut distinct = rustc_hash::FxHashSet::default();
    for (seen, value) in (1..).zip(texts.iter().flat_map(|t| t.iter())) {
        distinct.insert(value);
        let repeats = seen - distinct.len();
        let first_look_repeats =
            seen == FIRST_LOOK && (distinct.len() as f64) < NEARLY_UNIQUE * seen as f64;
        if distinct.len() >= needed || repeats > count - needed || first_look_repeats {
            break;
        }
    }
    count > 0 && distinct.len() >= needed
}

/// The values of one row group, in the runs of rows gathered in parallel: each column's
/// values are written to Parquet run after run, not joined first.
struct RowGroup {
    runs: Vec<Run>,
}

/// The values of a run of rows, column by column; text in one buffer per column, cut into
/// values without a copy each.
struct Run {
    geometries: Texts,
    /// Definition levels of geometry and bbox (1: a value, 0: null) when they are nullable.
    geometry_levels: Option<Vec<i16>>,
    /// xmin, ymin, xmax, ymax of each row with a geometry.
    boxes: [Vec<f64>; 4],
    /// Definition levels (1: a value, 0: null) and values of each property column.
    values: Vec<(Vec<i16>, Values)>,
}

/// Rows gathered in one task: a batch of the rows brought into order (some 1.2 MB of
/// incidents, read at once when the spill is in its file).
const GATHER_CHUNK: usize = 4096;

/// Batches of [`GATHER_CHUNK`] rows in a row group.
const BATCHES_A_GROUP: usize = ROW_GROUP / GATHER_CHUNK;
const _: () = assert!(
    ROW_GROUP.is_multiple_of(GATHER_CHUNK),
    "whole batches a group"
);

/// The columns before the properties: the geometry and the four of its bbox.
const GEOMETRY_COLUMNS: usize = 5;

impl RowGroup {
    /// Gathers row group `k` of `rows` brought into order in `batches` of [`GATHER_CHUNK`],
    /// whose geometry is `nullable`: a run a batch, in parallel, kept in order.
    fn gather(
        rows: &SpilledRows,
        batches: &InOrder,
        k: usize,
        nullable: bool,
    ) -> io::Result<RowGroup> {
        let columns = rows.columns();
        let first = k * BATCHES_A_GROUP;
        let runs = (first..(first + BATCHES_A_GROUP).min(batches.batches()))
            .into_par_iter()
            .map(|b| {
                let batch = batches.batch(b)?;
                let mut gathered = Run::new(columns, batch.len(), nullable);
                for j in 0..batch.len() {
                    gathered.push(batch.row(j)?, rows.bbox(batch.row_number(j)))?;
                }
                Ok(gathered)
            })
            .collect::<io::Result<_>>()?;
        Ok(RowGroup { runs })
    }

    /// For each property column, whether it is text and its values here nearly unique.
    fn nearly_unique_texts(&self) -> Vec<bool> {
        let properties = self.runs.first().map_or(0, |run| run.values.len());
        (0..properties)
            .map(|c| {
                let texts: Option<Vec<&Texts>> = self
                    .runs
                    .iter()
                    .map(|run| match &run.values[c].1 {
                        Values::Text(texts) => Some(texts),
                        _ => None,
                    })
                    .collect();
                texts.is_some_and(|texts| nearly_unique(&texts))
            })
            .collect()
    }

    /// Writes the group: geometry, the four bbox columns, then the properties, each column
    /// encoded into memory on any core, then appended in order.
    fn write<W: Write + Send>(self, writer: &mut SerializedFileWriter<W>) -> io::Result<()> {
        let mut levels = Vec::with_capacity(self.runs.len());
        let mut columns: Vec<Vec<Values>> = Vec::new();
        for run in self.runs {
            let split = run.split();
            levels.push(split.levels);
            columns.resize_with(split.columns.len(), Vec::new);
            for (column, values) in columns.iter_mut().zip(split.columns) {
                column.push(values);
            }
        }
        let schema = writer.schema_descr();
        let properties = writer.properties();
        let encoded: Vec<_> = columns
            .into_par_iter()
            .enumerate()
            .map(|(i, runs)| {
                let pieces = runs.into_iter().zip(&levels).map(|(values, run)| Piece {
                    values,
                    levels: run.of_column(i),
                });
                encode_chunk(schema.column(i), properties.clone(), pieces)
            })
            .collect::<io::Result<_>>()?;
        let mut row_group = writer.next_row_group().map_err(parquet_error)?;
        for (bytes, close) in encoded {
            row_group
                .append_column(&bytes, close)
                .map_err(parquet_error)?;
        }
        row_group.close().map_err(parquet_error)?;
        Ok(())
    }
}

/// A run's definition levels of every column, kept while its values are written.
struct RunLevels {
    /// Of the geometry and bbox columns, when nullable.
    geometry: Option<Vec<i16>>,
    /// Of each property column.
    properties: Vec<Vec<i16>>,
}

impl RunLevels {
    /// The definition levels of the file's column `i`.
    fn of_column(&self, i: usize) -> Option<&[i16]> {
        match i.checked_sub(GEOMETRY_COLUMNS) {
            None => self.geometry.as_deref(),
            Some(property) => Some(&self.properties[property]),
        }
    }
}

/// A run taken apart: its levels, and its values by the file's column.
struct SplitRun {
    levels: RunLevels,
    /// Geometry, the four bbox columns, then the properties.
    columns: Vec<Values>,
}

impl Run {
    /// An empty run of `columns`, room for `rows` rows, its geometry `nullable`.
    fn new(columns: &[Column], rows: usize, nullable: bool) -> Run {
        Run {
            geometries: Texts::default(),
            geometry_levels: nullable.then(|| Vec::with_capacity(rows)),
            boxes: Default::default(),
            values: columns
                .iter()
                .map(|c| {
                    let values = match c.kind {
                        ColumnKind::Bool => Values::Bool(Vec::new()),
                        ColumnKind::Long => Values::Long(Vec::new()),
                        ColumnKind::Double => Values::Double(Vec::new()),
                        ColumnKind::Text => Values::Text(Texts::default()),
                    };
                    (Vec::with_capacity(rows), values)
                })
                .collect(),
        }
    }

    /// Appends one row and its bbox.
    fn push(&mut self, row: Row, bbox: [f64; 4]) -> io::Result<()> {
        if let Some(levels) = &mut self.geometry_levels {
            levels.push(i16::from(row.wkb().is_some()));
        }
        if let Some(wkb) = row.wkb() {
            self.geometries.push(wkb);
            for (part, v) in self.boxes.iter_mut().zip(bbox) {
                part.push(v);
            }
        }
        for (levels, _) in &mut self.values {
            levels.push(0);
        }
        for cell in row.cells() {
            let (c, cell) = cell?;
            let (levels, column) = &mut self.values[c];
            *levels.last_mut().expect("pushed above") = 1;
            match (column, cell) {
                (Values::Bool(v), cell) => v.push(cell == Cell::Bool(true)),
                (Values::Long(v), cell) => v.push(if let Cell::Long(n) = cell { n } else { 0 }),
                (Values::Double(v), cell) => v.push(cell.to_double()),
                (Values::Text(v), cell) => v.push(&cell.text()),
            }
        }
        Ok(())
    }

    /// Takes the run apart into its levels and its values by the file's column.
    fn split(self) -> SplitRun {
        let Run {
            geometries,
            geometry_levels,
            boxes,
            values,
        } = self;
        let (properties, property_values): (Vec<Vec<i16>>, Vec<Values>) =
            values.into_iter().unzip();
        let columns = std::iter::once(Values::Text(geometries))
            .chain(boxes.map(Values::Double))
            .chain(property_values)
            .collect();
        SplitRun {
            levels: RunLevels {
                geometry: geometry_levels,
                properties,
            },
            columns,
        }
    }
}

/// The values of one run of a column chunk and their definition levels (None: required).
struct Piece<'a> {
    values: Values,
    levels: Option<&'a [i16]>,
}

/// One column chunk encoded into memory from its `pieces` in order: its bytes and what
/// closing its writer told, for `append_column`.
fn encode_chunk<'a>(
    descr: parquet::schema::types::ColumnDescPtr,
    properties: parquet::file::properties::WriterPropertiesPtr,
    pieces: impl Iterator<Item = Piece<'a>>,
) -> io::Result<(bytes::Bytes, parquet::column::writer::ColumnCloseResult)> {
    use parquet::column::writer::get_column_writer;
    use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
    let mut sink = TrackedWrite::new(Vec::new());
    let pages = Box::new(SerializedPageWriter::new(&mut sink));
    let mut column = get_column_writer(descr, properties, pages);
    for piece in pieces {
        write_piece(&mut column, piece)?;
    }
    let close = column.close().map_err(parquet_error)?;
    let bytes = sink.into_inner().map_err(parquet_error)?;
    Ok((bytes::Bytes::from(bytes), close))
}

/// Writes `piece` to `column`.
fn write_piece(column: &mut parquet::column::writer::ColumnWriter, piece: Piece) -> io::Result<()> {
    use parquet::column::writer::ColumnWriter;
    let levels = piece.levels;
    match (column, piece.values) {
        (ColumnWriter::BoolColumnWriter(w), Values::Bool(v)) => w.write_batch(&v, levels, None),
        (ColumnWriter::Int64ColumnWriter(w), Values::Long(v)) => w.write_batch(&v, levels, None),
        (ColumnWriter::DoubleColumnWriter(w), Values::Double(v)) => w.write_batch(&v, levels, None),
        (ColumnWriter::ByteArrayColumnWriter(w), Values::Text(v)) => {
            w.write_batch(&v.into_values(), levels, None)
        }
        _ => {
            return Err(io::Error::other(
                "GeoParquet: a column's values are not of its schema's type",
            ));
        }
    }
    .map_err(parquet_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts holding `values` in order.
    fn texts(values: &[&str]) -> Texts {
        let mut texts = Texts::default();
        for v in values {
            texts.push(v.as_bytes());
        }
        texts
    }

    #[test]
    fn texts_iterate_their_values_in_order() {
        let t = texts(&["ab", "", "cde"]);
        let values: Vec<&[u8]> = t.iter().collect();
        assert_eq!(values, [&b"ab"[..], b"", b"cde"]);
    }

    #[test]
    fn a_column_is_nearly_unique_from_half_its_values_different() {
        assert!(nearly_unique(&[&texts(&["AFG1", "AFG2", "TJK1", "TJK2"])]));
        assert!(nearly_unique(&[&texts(&["a", "b", "a", "a"])]));
        assert!(!nearly_unique(&[&texts(&["a", "a", "a", "b", "b"])]));
        // Counted over runs together: "a" and "b" repeat across the two.
        assert!(!nearly_unique(&[
            &texts(&["a", "b"]),
            &texts(&["a", "b", "b"])
        ]));
        assert!(!nearly_unique(&[&texts(&[])]));
    }

    #[test]
    fn a_column_repeating_in_its_first_values_is_not_nearly_unique() {
        let values: Vec<String> = (0..2 * FIRST_LOOK)
            .map(|i| if i < FIRST_LOOK { i % 2 } else { i }.to_string())
            .collect();
        let first_repeat = texts(&values.iter().map(String::as_str).collect::<Vec<_>>());
        // In full, 4,098 of its 8,192 values differ: the first look decides.
        assert!(!nearly_unique(&[&first_repeat]));
        let values: Vec<String> = (0..2 * FIRST_LOOK)
            .map(|i| (i % 3000).to_string())
            .collect();
        let spread = texts(&values.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(!nearly_unique(&[&spread]));
        let values: Vec<String> = (0..2 * FIRST_LOOK).map(|i| (i / 2).to_string()).collect();
        let pairs = texts(&values.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(nearly_unique(&[&pairs]));
    }

    #[test]
    fn nearly_unique_text_columns_are_not_dictionary_encoded() {
        use parquet::schema::types::ColumnPath;
        let columns = [
            ("id", ColumnKind::Text),
            ("kind", ColumnKind::Text),
            ("n", ColumnKind::Long),
        ]
        .map(|(name, kind)| Column {
            name: name.to_string(),
            kind,
        });
        let properties = writer_properties(&Value::Null, &columns, &[true, false, false]);
        let dictionary = |name: &str| properties.dictionary_enabled(&ColumnPath::from(name));
        assert!(!dictionary("id"));
        assert!(dictionary("kind"));
        assert!(dictionary("n"));
        assert!(!dictionary("geometry"));
    }
}
