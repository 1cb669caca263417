//! GeoParquet 1.1, written once a layer is complete: every column's type is needed before
//! the first row, and rows go in Hilbert order. Each row group's columns are gathered on
//! every core while the one before is encoded.

use std::io::{self, Write};

use rayon::prelude::*;
use serde_json::Value;

use super::ordered::Batch;
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
    fn push(&mut self, value: &[u8]) {
        self.bytes.extend_from_slice(value);
        self.ends.push(self.bytes.len());
    }

    /// Appends the values of `other`.
    fn append(&mut self, other: Texts) {
        let base = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes);
        self.ends
            .extend(other.ends.into_iter().map(|end| base + end));
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
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;

    let columns = rows.columns();
    let nullable = rows.unlocated() > 0;
    let schema = Arc::new(geoparquet_schema(columns, nullable)?);
    let order = rows.hilbert_order();
    let properties = writer_properties(&geo_metadata(rows), columns);
    let mut writer =
        SerializedFileWriter::new(out, schema, Arc::new(properties)).map_err(parquet_error)?;
    let groups = rows.in_order(&order, ROW_GROUP)?;
    overlapped(
        groups.batches(),
        |k| RowGroup::gather(rows, &groups.batch(k)?, nullable),
        |group| group.write(&mut writer),
    )?;
    writer.close().map_err(parquet_error)?;
    Ok(())
}

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
/// its bbox and the property columns of fractional numbers (coordinates, distances). The
/// geometry has no min/max statistics: WKB bytes in order tell a reader nothing; its bbox
/// columns' statistics are what readers filter by.
fn writer_properties(
    geo: &Value,
    columns: &[Column],
) -> parquet::file::properties::WriterProperties {
    use parquet::basic::Compression;
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::EnabledStatistics;
    use parquet::schema::types::ColumnPath;
    let bbox = ["xmin", "ymin", "xmax", "ymax"]
        .map(|part| ColumnPath::new(vec!["bbox".to_string(), part.to_string()]));
    let fractions = columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Double)
        .map(|c| ColumnPath::from(schema_name(&c.name)));
    let plain = std::iter::once(ColumnPath::from("geometry"))
        .chain(bbox)
        .chain(fractions);
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

/// The values of one row group, column by column; text in one buffer per column, cut into
/// values without a copy each.
struct RowGroup {
    geometries: Texts,
    /// Definition levels of geometry and bbox (1: a value, 0: null) when they are nullable.
    geometry_levels: Option<Vec<i16>>,
    /// xmin, ymin, xmax, ymax of each row with a geometry.
    boxes: [Vec<f64>; 4],
    /// Definition levels (1: a value, 0: null) and values of each property column.
    values: Vec<(Vec<i16>, Values)>,
}

/// Rows gathered in one task.
const GATHER_CHUNK: usize = 4096;

impl RowGroup {
    /// An empty group of `columns`, room for `rows` rows, its geometry `nullable`.
    fn new(columns: &[Column], rows: usize, nullable: bool) -> RowGroup {
        RowGroup {
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

    /// Gathers the rows of `group`, a batch of `rows`, whose geometry is `nullable`, in
    /// parallel runs joined in order.
    fn gather(rows: &SpilledRows, group: &Batch, nullable: bool) -> io::Result<RowGroup> {
        let columns = rows.columns();
        let runs: Vec<RowGroup> = (0..group.len().div_ceil(GATHER_CHUNK))
            .into_par_iter()
            .map(|run| {
                let positions = run * GATHER_CHUNK..((run + 1) * GATHER_CHUNK).min(group.len());
                let mut gathered = RowGroup::new(columns, positions.len(), nullable);
                for j in positions {
                    gathered.push(group.row(j)?, rows.bbox(group.row_number(j)));
                }
                Ok(gathered)
            })
            .collect::<io::Result<_>>()?;
        let mut joined = RowGroup::new(columns, group.len(), nullable);
        for run in runs {
            joined.append(run);
        }
        Ok(joined)
    }

    /// Appends one row and its bbox.
    fn push(&mut self, row: Row, bbox: [f64; 4]) {
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
        for (c, cell) in row.cells() {
            let (levels, column) = &mut self.values[c];
            *levels.last_mut().expect("pushed above") = 1;
            match (column, cell) {
                (Values::Bool(v), cell) => v.push(cell == Cell::Bool(true)),
                (Values::Long(v), cell) => v.push(if let Cell::Long(n) = cell { n } else { 0 }),
                (Values::Double(v), cell) => v.push(cell.to_double()),
                (Values::Text(v), cell) => v.push(&cell.text()),
            }
        }
    }

    /// Appends the rows of `other`, a group of the same columns.
    fn append(&mut self, other: RowGroup) {
        self.geometries.append(other.geometries);
        if let (Some(levels), Some(more)) = (&mut self.geometry_levels, other.geometry_levels) {
            levels.extend(more);
        }
        for (part, more) in self.boxes.iter_mut().zip(other.boxes) {
            part.extend(more);
        }
        for ((levels, values), (more_levels, more)) in self.values.iter_mut().zip(other.values) {
            levels.extend(more_levels);
            match (values, more) {
                (Values::Bool(v), Values::Bool(m)) => v.extend(m),
                (Values::Long(v), Values::Long(m)) => v.extend(m),
                (Values::Double(v), Values::Double(m)) => v.extend(m),
                (Values::Text(v), Values::Text(m)) => v.append(m),
                _ => unreachable!("groups of the same columns"),
            }
        }
    }

    /// Writes the group: geometry, the four bbox columns, then the properties, each column
    /// encoded into memory on any core, then appended in order.
    fn write<W: Write + Send>(
        self,
        writer: &mut parquet::file::writer::SerializedFileWriter<W>,
    ) -> io::Result<()> {
        let RowGroup {
            geometries,
            geometry_levels,
            boxes,
            values,
        } = self;
        let (property_levels, property_values): (Vec<Vec<i16>>, Vec<Values>) =
            values.into_iter().unzip();
        let levels = geometry_levels.as_deref();
        let chunks: Vec<(Values, Option<&[i16]>)> =
            std::iter::once((Values::Text(geometries), levels))
                .chain(boxes.into_iter().map(|part| (Values::Double(part), levels)))
                .chain(
                    property_values
                        .into_iter()
                        .zip(property_levels.iter().map(|l| Some(l.as_slice()))),
                )
                .collect();
        let schema = writer.schema_descr();
        let properties = writer.properties();
        let encoded: Vec<_> = chunks
            .into_par_iter()
            .enumerate()
            .map(|(i, (values, levels))| {
                encode_chunk(schema.column(i), properties.clone(), values, levels)
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

/// One column chunk encoded into memory: its bytes and what closing its writer told, for
/// `append_column`.
fn encode_chunk(
    descr: parquet::schema::types::ColumnDescPtr,
    properties: parquet::file::properties::WriterPropertiesPtr,
    values: Values,
    levels: Option<&[i16]>,
) -> io::Result<(bytes::Bytes, parquet::column::writer::ColumnCloseResult)> {
    use parquet::column::writer::{ColumnWriter, get_column_writer};
    use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
    let mut sink = TrackedWrite::new(Vec::new());
    let pages = Box::new(SerializedPageWriter::new(&mut sink));
    let close = match (get_column_writer(descr, properties, pages), values) {
        (ColumnWriter::BoolColumnWriter(mut w), Values::Bool(v)) => {
            w.write_batch(&v, levels, None).and_then(|_| w.close())
        }
        (ColumnWriter::Int64ColumnWriter(mut w), Values::Long(v)) => {
            w.write_batch(&v, levels, None).and_then(|_| w.close())
        }
        (ColumnWriter::DoubleColumnWriter(mut w), Values::Double(v)) => {
            w.write_batch(&v, levels, None).and_then(|_| w.close())
        }
        (ColumnWriter::ByteArrayColumnWriter(mut w), Values::Text(v)) => w
            .write_batch(&v.into_values(), levels, None)
            .and_then(|_| w.close()),
        _ => {
            return Err(io::Error::other(
                "GeoParquet: a column's values are not of its schema's type",
            ));
        }
    }
    .map_err(parquet_error)?;
    let bytes = sink.into_inner().map_err(parquet_error)?;
    Ok((bytes::Bytes::from(bytes), close))
}
