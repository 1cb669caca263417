//! Typed, indexed outputs written once a layer is complete: FlatGeobuf (with its packed
//! Hilbert R-tree) and GeoParquet 1.1. Both need every column's type before the first row,
//! so the layer's features are spilled to disk ([`Spill`]) and their columns inferred first.

use std::io::{self, Write};

use geo::Geometry;
use serde_json::Value;

use super::spill::{Cell, Spill};
use super::write::Feature;

/// The type of a property column, the narrowest that holds every value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// true or false.
    Bool,
    /// Whole numbers.
    Long,
    /// Numbers with a fraction.
    Double,
    /// Text, and anything else as its JSON text (lists joined by `|`, as in CSV).
    Text,
}

/// A property column: name (in first-seen order) and type.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

/// The columns of a layer as its features arrive: every property name in the order first
/// seen, typed by all values (nulls fit any type; a column of nulls only is text).
#[derive(Debug, Default)]
pub(crate) struct ColumnSet {
    columns: Vec<(String, Option<ColumnKind>)>,
    // Where each name sits in `columns`: layers of a million features look names up often.
    slots: rustc_hash::FxHashMap<String, usize>,
}

impl ColumnSet {
    /// Counts `value` in column `name` and returns the column's number.
    pub(crate) fn observe(&mut self, name: &str, value: &Value) -> usize {
        let kind = match value {
            Value::Null => None,
            Value::Bool(_) => Some(ColumnKind::Bool),
            Value::Number(n) if n.is_i64() => Some(ColumnKind::Long),
            Value::Number(_) => Some(ColumnKind::Double),
            _ => Some(ColumnKind::Text),
        };
        let index = match self.slots.get(name) {
            Some(&i) => i,
            None => {
                self.slots.insert(name.to_string(), self.columns.len());
                self.columns.push((name.to_string(), None));
                self.columns.len() - 1
            }
        };
        let slot = &mut self.columns[index].1;
        *slot = match (*slot, kind) {
            (None, k) | (k, None) => k,
            (Some(a), Some(b)) if a == b => Some(a),
            (Some(ColumnKind::Long), Some(ColumnKind::Double))
            | (Some(ColumnKind::Double), Some(ColumnKind::Long)) => Some(ColumnKind::Double),
            _ => Some(ColumnKind::Text),
        };
        index
    }

    /// The columns so far.
    pub(crate) fn columns(&self) -> Vec<Column> {
        self.columns
            .iter()
            .map(|(name, kind)| Column {
                name: name.clone(),
                kind: kind.unwrap_or(ColumnKind::Text),
            })
            .collect()
    }
}

/// The columns of a layer: every property name in the order first seen, typed by all values
/// (nulls fit any type; a column of nulls only is text).
pub fn columns(features: &[Feature]) -> Vec<Column> {
    let mut set = ColumnSet::default();
    for f in features {
        for (name, value) in &f.properties {
            set.observe(name, value);
        }
    }
    set.columns()
}

/// A property as text (text columns, CSV): lists joined by `|`, nothing for null.
pub fn text_value(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
                .collect::<Vec<_>>()
                .join("|"),
        ),
        other => Some(other.to_string()),
    }
}

/// The Simple Features name of a geometry's type.
pub(crate) fn geometry_type_name(geometry: &Geometry) -> &'static str {
    match geometry {
        Geometry::Point(_) => "Point",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        _ => "Geometry",
    }
}

/// The one geometry type of a layer's features, as Simple Features names it; None when mixed.
pub fn geometry_type(features: &[Feature]) -> Option<&'static str> {
    let first = geometry_type_name(&features.first()?.geometry);
    features
        .iter()
        .all(|f| geometry_type_name(&f.geometry) == first)
        .then_some(first)
}

/// Writes the spilled layer as FlatGeobuf with a packed Hilbert R-tree index and EPSG:4326.
pub(crate) fn write_flatgeobuf(spill: Spill, layer: &str, out: impl Write) -> io::Result<()> {
    use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
    use geozero::{ColumnValue, PropertyProcessor};
    let geometry_type = match spill.geometry_type() {
        Some("Point") => GeometryType::Point,
        Some("LineString") => GeometryType::LineString,
        Some("Polygon") => GeometryType::Polygon,
        Some("MultiPoint") => GeometryType::MultiPoint,
        Some("MultiLineString") => GeometryType::MultiLineString,
        Some("MultiPolygon") => GeometryType::MultiPolygon,
        _ => GeometryType::Unknown,
    };
    let fail = |e: flatgeobuf::Error| io::Error::other(format!("FlatGeobuf: {e}"));
    let options = FgbWriterOptions {
        write_index: true,
        crs: FgbCrs {
            code: 4326,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut fgb = FgbWriter::create_with_options(layer, geometry_type, options).map_err(fail)?;
    let columns = spill.columns();
    for c in &columns {
        let kind = match c.kind {
            ColumnKind::Bool => ColumnType::Bool,
            ColumnKind::Long => ColumnType::Long,
            ColumnKind::Double => ColumnType::Double,
            ColumnKind::Text => ColumnType::String,
        };
        fgb.add_column(&c.name, kind, |_, column| column.nullable = true);
    }
    let rows = spill.len();
    let mut reader = spill.into_reader()?;
    for i in 0..rows {
        let row = reader.row(i)?;
        let mut failed = None;
        fgb.add_feature_geom(geozero::wkb::Wkb(row.wkb), |writer| {
            for (i, cell) in row.cells() {
                let c = &columns[i];
                let text;
                let value = match (c.kind, cell) {
                    (ColumnKind::Bool, Cell::Bool(b)) => ColumnValue::Bool(b),
                    (ColumnKind::Long, Cell::Long(n)) => ColumnValue::Long(n),
                    (ColumnKind::Double, cell) => ColumnValue::Double(cell.to_double()),
                    (_, cell) => {
                        text = cell.text();
                        ColumnValue::String(&text)
                    }
                };
                if let Err(e) = writer.property(i, &c.name, &value) {
                    failed = Some(e);
                }
            }
        })
        .map_err(|e| io::Error::other(format!("FlatGeobuf: {e}")))?;
        if let Some(e) = failed {
            return Err(io::Error::other(format!("FlatGeobuf: {e}")));
        }
    }
    fgb.write(out).map_err(fail)
}

/// Well-known binary (little-endian, 2D) of a geometry.
pub fn wkb(geometry: &Geometry) -> Vec<u8> {
    fn header(out: &mut Vec<u8>, kind: u32) {
        out.push(1);
        out.extend_from_slice(&kind.to_le_bytes());
    }
    fn count(out: &mut Vec<u8>, n: usize) {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    fn coords(out: &mut Vec<u8>, line: &geo::LineString) {
        count(out, line.0.len());
        for c in &line.0 {
            out.extend_from_slice(&c.x.to_le_bytes());
            out.extend_from_slice(&c.y.to_le_bytes());
        }
    }
    fn polygon(out: &mut Vec<u8>, p: &geo::Polygon) {
        header(out, 3);
        count(out, 1 + p.interiors().len());
        coords(out, p.exterior());
        for ring in p.interiors() {
            coords(out, ring);
        }
    }
    let mut out = Vec::new();
    match geometry {
        Geometry::Point(p) => {
            header(&mut out, 1);
            out.extend_from_slice(&p.x().to_le_bytes());
            out.extend_from_slice(&p.y().to_le_bytes());
        }
        Geometry::LineString(l) => {
            header(&mut out, 2);
            coords(&mut out, l);
        }
        Geometry::Polygon(p) => polygon(&mut out, p),
        Geometry::MultiLineString(m) => {
            header(&mut out, 5);
            count(&mut out, m.0.len());
            for l in &m.0 {
                header(&mut out, 2);
                coords(&mut out, l);
            }
        }
        Geometry::MultiPolygon(m) => {
            header(&mut out, 6);
            count(&mut out, m.0.len());
            for p in &m.0 {
                polygon(&mut out, p);
            }
        }
        Geometry::MultiPoint(m) => {
            header(&mut out, 4);
            count(&mut out, m.0.len());
            for p in &m.0 {
                wkb_point(&mut out, p);
            }
        }
        other => {
            // Our layers hold only the types above; anything else is written as its parts.
            let parts: Vec<Geometry> = match other {
                Geometry::GeometryCollection(c) => c.0.clone(),
                _ => Vec::new(),
            };
            header(&mut out, 7);
            count(&mut out, parts.len());
            for g in &parts {
                out.extend_from_slice(&wkb(g));
            }
        }
    }
    out
}

fn wkb_point(out: &mut Vec<u8>, p: &geo::Point) {
    out.push(1);
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&p.x().to_le_bytes());
    out.extend_from_slice(&p.y().to_le_bytes());
}

/// Position along a Hilbert curve of order 16 over the layer's extent [west, south, east,
/// north], for sorting rows so that row groups cover compact areas (readers skip a row group
/// by its bbox statistics).
pub(crate) fn hilbert(lon: f64, lat: f64, extent: [f64; 4]) -> u64 {
    const N: u64 = 1 << 16;
    let scale = |v: f64, lo: f64, hi: f64| {
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
        (t.clamp(0.0, 1.0) * (N - 1) as f64) as u64
    };
    let (mut x, mut y) = (
        scale(lon, extent[0], extent[2]),
        scale(lat, extent[1], extent[3]),
    );
    let mut d = 0;
    let mut s = N / 2;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = N - 1 - x;
                y = N - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

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

fn next_column<'a, W: Write + Send>(
    rows: &'a mut parquet::file::writer::SerializedRowGroupWriter<'_, W>,
) -> io::Result<parquet::file::writer::SerializedColumnWriter<'a>> {
    rows.next_column()
        .map_err(|e| io::Error::other(format!("GeoParquet: {e}")))?
        .ok_or_else(|| io::Error::other("GeoParquet: fewer columns than the schema"))
}

/// Rows per row group: small enough for bbox skipping, large enough for compression.
const ROW_GROUP: usize = 65_536;

/// Writes the spilled layer as GeoParquet 1.1: a WKB `geometry` column, a `bbox` struct
/// column (xmin, ymin, xmax, ymax) declared as the geometry's covering, the properties typed,
/// rows in Hilbert order in row groups of 65,536, and the `geo` metadata (CRS: OGC:CRS84, the
/// default). Snappy-compressed.
pub(crate) fn write_geoparquet(spill: Spill, out: impl Write + Send) -> io::Result<()> {
    use parquet::basic::Compression;
    use parquet::data_type::{BoolType, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;

    let fail = |e: parquet::errors::ParquetError| io::Error::other(format!("GeoParquet: {e}"));
    let columns = spill.columns();
    let mut schema = String::from(
        "message schema { required binary geometry; required group bbox { required double xmin; required double ymin; required double xmax; required double ymax; }",
    );
    for c in &columns {
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
        // Column names from data are quoted by replacing what the schema parser cannot read.
        let name: String = c
            .name
            .chars()
            .map(|ch| {
                if ch.is_alphanumeric() || ch == '_' {
                    ch
                } else {
                    '_'
                }
            })
            .collect();
        schema.push_str(&format!(" optional {kind} {name}{annotation};"));
    }
    schema.push_str(" }");
    let schema = Arc::new(parquet::schema::parser::parse_message_type(&schema).map_err(fail)?);

    let order = spill.hilbert_order();
    let types: Vec<&str> = spill.geometry_type().into_iter().collect();
    let extent = spill.extent();
    let geo_metadata = serde_json::json!({
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
    });
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(vec![KeyValue::new(
            "geo".into(),
            geo_metadata.to_string(),
        )]))
        .set_created_by(format!("borderwatch {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = SerializedFileWriter::new(out, schema, Arc::new(properties)).map_err(fail)?;
    let mut reader = spill.into_reader()?;
    for group in order.chunks(ROW_GROUP) {
        // The group's values column by column; text in one buffer per column, cut into
        // values without a copy each.
        let mut geometries = Texts::default();
        let mut boxes: [Vec<f64>; 4] = Default::default();
        let mut values: Vec<(Vec<i16>, Values)> = columns
            .iter()
            .map(|c| {
                let values = match c.kind {
                    ColumnKind::Bool => Values::Bool(Vec::new()),
                    ColumnKind::Long => Values::Long(Vec::new()),
                    ColumnKind::Double => Values::Double(Vec::new()),
                    ColumnKind::Text => Values::Text(Texts::default()),
                };
                (Vec::with_capacity(group.len()), values)
            })
            .collect();
        for &i in group {
            let row = reader.row(i)?;
            geometries.push(row.wkb);
            for (part, v) in boxes.iter_mut().zip(row.bbox) {
                part.push(v);
            }
            for (levels, _) in &mut values {
                levels.push(0);
            }
            for (c, cell) in row.cells() {
                let (levels, column) = &mut values[c];
                *levels.last_mut().expect("pushed above") = 1;
                match (column, cell) {
                    (Values::Bool(v), cell) => v.push(cell == Cell::Bool(true)),
                    (Values::Long(v), cell) => v.push(if let Cell::Long(n) = cell { n } else { 0 }),
                    (Values::Double(v), cell) => v.push(cell.to_double()),
                    (Values::Text(v), cell) => v.push(cell.text().as_bytes()),
                }
            }
        }
        let mut row_group = writer.next_row_group().map_err(fail)?;
        let mut column = next_column(&mut row_group)?;
        column
            .typed::<ByteArrayType>()
            .write_batch(&geometries.into_values(), None, None)
            .map_err(fail)?;
        column.close().map_err(fail)?;
        for part in boxes {
            let mut column = next_column(&mut row_group)?;
            column
                .typed::<DoubleType>()
                .write_batch(&part, None, None)
                .map_err(fail)?;
            column.close().map_err(fail)?;
        }
        for (levels, column_values) in values {
            let mut column = next_column(&mut row_group)?;
            match column_values {
                Values::Bool(v) => column
                    .typed::<BoolType>()
                    .write_batch(&v, Some(&levels), None),
                Values::Long(v) => column
                    .typed::<Int64Type>()
                    .write_batch(&v, Some(&levels), None),
                Values::Double(v) => {
                    column
                        .typed::<DoubleType>()
                        .write_batch(&v, Some(&levels), None)
                }
                Values::Text(v) => column.typed::<ByteArrayType>().write_batch(
                    &v.into_values(),
                    Some(&levels),
                    None,
                ),
            }
            .map_err(fail)?;
            column.close().map_err(fail)?;
        }
        row_group.close().map_err(fail)?;
    }
    writer.close().map_err(fail)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn feature(properties: Value) -> Feature {
        Feature {
            id: None,
            geometry: geo::Point::new(70.0, 37.0).into(),
            properties: properties.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn columns_take_the_narrowest_type_that_holds_every_value() {
        let features = [
            feature(json!({"n": 1, "x": 1, "t": null, "b": true, "l": ["a", "b"]})),
            feature(json!({"n": 2, "x": 2.5, "t": "text", "b": null, "l": []})),
        ];
        let kinds: Vec<(String, ColumnKind)> = columns(&features)
            .into_iter()
            .map(|c| (c.name, c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("n".to_string(), ColumnKind::Long),
                ("x".to_string(), ColumnKind::Double),
                ("t".to_string(), ColumnKind::Text),
                ("b".to_string(), ColumnKind::Bool),
                ("l".to_string(), ColumnKind::Text),
            ]
        );
        assert_eq!(text_value(&json!(["a", "b"])).as_deref(), Some("a|b"));
    }

    #[test]
    fn wkb_of_a_point_is_the_standard_21_bytes() {
        let bytes = wkb(&geo::Point::new(70.5, 37.25).into());
        assert_eq!(bytes.len(), 21);
        assert_eq!(&bytes[..5], &[1, 1, 0, 0, 0]);
        assert_eq!(f64::from_le_bytes(bytes[5..13].try_into().unwrap()), 70.5);
        assert_eq!(f64::from_le_bytes(bytes[13..21].try_into().unwrap()), 37.25);
    }

    #[test]
    fn hilbert_order_keeps_neighbours_close() {
        let extent = [0.0, 0.0, 1.0, 1.0];
        let corner = hilbert(0.0, 0.0, extent);
        assert!(
            hilbert(0.001, 0.001, extent).abs_diff(corner)
                < hilbert(0.9, 0.9, extent).abs_diff(corner)
        );
        assert_eq!(
            hilbert(5.0, 5.0, [5.0, 5.0, 5.0, 5.0]),
            hilbert(0.0, 0.0, extent),
            "a point extent"
        );
    }
}
