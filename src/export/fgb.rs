//! FlatGeobuf (version 3) with its packed Hilbert R-tree and EPSG:4326, assembled from the
//! `flatgeobuf` crate's parts: its flatbuffer tables and `PackedRTree`.
//!
//! The crate's own writer buffers each feature in a temporary file, sorts them computing two
//! Hilbert values per comparison, then reads each back with a seek and a fresh 8 KB read
//! (a million features: 8 GB copied). Here the Hilbert values are computed once, and the
//! features are encoded once, on every core, from the rows in the order they came (read
//! once from start to end), into a scatter that brings them into the order of the index (in
//! memory up to 64 MB, past that a temporary file; see `ordered`); they are copied out after
//! the index, which comes first and holds their offsets. The bytes are those the crate's
//! writer gives for the same layer, which a test checks.

use std::io::{self, Write};
use std::ops::Range;

use flatbuffers::FlatBufferBuilder;
use flatgeobuf::packed_r_tree::{NodeItem, PackedRTree, calc_extent};
use flatgeobuf::{
    Column as FgbColumn, ColumnArgs, ColumnType, Crs, CrsArgs, Feature, FeatureArgs, Geometry,
    GeometryArgs, GeometryType, Header, HeaderArgs,
};
use rayon::prelude::*;

use super::ordered::{Scatter, positions};
use super::pipeline::overlapped;
use super::rows::{Cell, Row};
use super::spill::SpilledRows;
use super::store::MEMORY_BYTES;
use super::store::Stored;
use super::typing::{Column, ColumnKind};

/// FlatGeobuf's magic bytes: "fgb", the version (3), "fgb", 0.
const MAGIC_BYTES: [u8; 8] = [b'f', b'g', b'b', 3, b'f', b'g', b'b', 0];

/// The EPSG code of WGS 84 longitude/latitude, in the header.
const EPSG_WGS84: i32 = 4326;

/// Features encoded in one task.
const CHUNK: usize = 2048;

/// Features a batch of the scatter that brings them into the order of the index (some
/// 7 MB of incidents).
const BATCH: usize = 16_384;

/// Writes `rows` as FlatGeobuf, the layer named `layer`. Every row must have a geometry
/// (FeatureWriter leaves out those without: Format::no_null_geometry).
pub(crate) fn write_flatgeobuf(
    rows: &SpilledRows,
    layer: &str,
    mut out: impl Write + Send,
) -> io::Result<()> {
    if rows.unlocated() > 0 {
        return Err(io::Error::other(
            "FlatGeobuf: a feature without geometry has no place in the index",
        ));
    }
    let geometry_type = match rows.geometry_type() {
        Some("Point") => GeometryType::Point,
        Some("LineString") => GeometryType::LineString,
        Some("Polygon") => GeometryType::Polygon,
        Some("MultiPoint") => GeometryType::MultiPoint,
        Some("MultiLineString") => GeometryType::MultiLineString,
        Some("MultiPolygon") => GeometryType::MultiPolygon,
        _ => GeometryType::Unknown,
    };
    let nodes: Vec<NodeItem> = (0..rows.len())
        .map(|i| {
            let [min_x, min_y, max_x, max_y] = rows.bbox(i);
            NodeItem {
                offset: i as u64,
                ..NodeItem::bounds(min_x, min_y, max_x, max_y)
            }
        })
        .collect();
    let extent = calc_extent(&nodes);
    let order = hilbert_order(&nodes, &extent);
    // Each geometry of a mixed layer (Unknown) tells its type.
    let own_type = geometry_type == GeometryType::Unknown;
    let encoder = Encoder { rows, own_type };
    let features = encoder.features_in_order(&order)?;
    out.write_all(&MAGIC_BYTES)?;
    out.write_all(&header(rows, layer, geometry_type, &extent))?;
    if !nodes.is_empty() {
        // The index comes first and holds the features' offsets.
        let mut offset = 0;
        let index_nodes: Vec<NodeItem> = order
            .iter()
            .enumerate()
            .map(|(p, &i)| {
                let node = NodeItem {
                    offset,
                    ..nodes[i].clone()
                };
                offset += u64::from(features.length(p));
                node
            })
            .collect();
        let tree = PackedRTree::build(&index_nodes, &extent, PackedRTree::DEFAULT_NODE_SIZE)
            .map_err(fail)?;
        tree.stream_write(&mut out)?;
    }
    overlapped(
        features.batches(),
        |k| features.batch(k),
        |batch| (0..batch.len()).try_for_each(|j| out.write_all(batch.get(j))),
    )
}

fn fail(e: flatgeobuf::Error) -> io::Error {
    io::Error::other(format!("FlatGeobuf: {e}"))
}

/// The size-prefixed header: name, geometry type, columns (each nullable), the feature
/// count, the extent, the index's node size and the CRS, built in the order the crate's
/// writer builds them, so the bytes are the same.
fn header(
    rows: &SpilledRows,
    layer: &str,
    geometry_type: GeometryType,
    extent: &NodeItem,
) -> Vec<u8> {
    let mut fbb = FlatBufferBuilder::new();
    let name = Some(fbb.create_string(layer));
    let crs = Some(Crs::create(
        &mut fbb,
        &CrsArgs {
            code: EPSG_WGS84,
            ..Default::default()
        },
    ));
    let columns: Vec<_> = rows
        .columns()
        .iter()
        .map(|c| {
            let args = ColumnArgs {
                name: Some(fbb.create_string(&c.name)),
                type_: column_type(c.kind),
                nullable: true,
                ..Default::default()
            };
            FgbColumn::create(&mut fbb, &args)
        })
        .collect();
    let args = HeaderArgs {
        name,
        geometry_type,
        index_node_size: PackedRTree::DEFAULT_NODE_SIZE,
        crs,
        columns: Some(fbb.create_vector(&columns)),
        envelope: Some(fbb.create_vector(&[
            extent.min_x,
            extent.min_y,
            extent.max_x,
            extent.max_y,
        ])),
        features_count: rows.len() as u64,
        ..Default::default()
    };
    let header = Header::create(&mut fbb, &args);
    fbb.finish_size_prefixed(header, None);
    fbb.finished_data().to_vec()
}

fn column_type(kind: ColumnKind) -> ColumnType {
    match kind {
        ColumnKind::Bool => ColumnType::Bool,
        ColumnKind::Long => ColumnType::Long,
        ColumnKind::Double => ColumnType::Double,
        ColumnKind::Text => ColumnType::String,
    }
}

/// Indices of `nodes` in descending Hilbert order of their centres, ties in row order: the
/// order of the crate's `hilbert_sort`, with each value computed once.
fn hilbert_order(nodes: &[NodeItem], extent: &NodeItem) -> Vec<usize> {
    let mut keys: Vec<(u32, usize)> = nodes
        .par_iter()
        .enumerate()
        .map(|(i, node)| (hilbert_of_centre(node, extent), i))
        .collect();
    keys.par_sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    keys.into_iter().map(|(_, i)| i).collect()
}

/// The largest coordinate on the curve, as the crate's `hilbert_sort` scales them.
const HILBERT_MAX: u32 = (1 << 16) - 1;

/// The crate's Hilbert value of a node's centre: the same scaling, the same curve.
fn hilbert_of_centre(r: &NodeItem, extent: &NodeItem) -> u32 {
    let width = extent.max_x - extent.min_x;
    let height = extent.max_y - extent.min_y;
    let x =
        (HILBERT_MAX as f64 * ((r.min_x + r.max_x) / 2.0 - extent.min_x) / width).floor() as u32;
    let y =
        (HILBERT_MAX as f64 * ((r.min_y + r.max_y) / 2.0 - extent.min_y) / height).floor() as u32;
    hilbert(x, y)
}

/// The position of (`x`, `y`) (16 bits each) along the Hilbert curve, by the public domain
/// bit-parallel method of rawrunprotected/hilbert_curves, which the crate also uses.
fn hilbert(x: u32, y: u32) -> u32 {
    let (mut a, mut b, mut c, mut d) = (x ^ y, 0xFFFF ^ x ^ y, 0xFFFF ^ (x | y), x & (y ^ 0xFFFF));
    let (aa, bb) = (a | (b >> 1), (a >> 1) ^ a);
    let cc = ((c >> 1) ^ (b & (d >> 1))) ^ c;
    let dd = ((a & (c >> 1)) ^ (d >> 1)) ^ d;
    (a, b, c, d) = (aa, bb, cc, dd);
    for shift in [2, 4] {
        let aa = (a & (a >> shift)) ^ (b & (b >> shift));
        let bb = (a & (b >> shift)) ^ (b & ((a ^ b) >> shift));
        let cc = c ^ (a & (c >> shift)) ^ (b & (d >> shift));
        let dd = d ^ (b & (c >> shift)) ^ ((a ^ b) & (d >> shift));
        (a, b, c, d) = (aa, bb, cc, dd);
    }
    let cc = c ^ (a & (c >> 8)) ^ (b & (d >> 8));
    let dd = d ^ (b & (c >> 8)) ^ ((a ^ b) & (d >> 8));
    let (a, b) = (cc ^ (cc >> 1), dd ^ (dd >> 1));
    let spread = |mut v: u32| {
        v = (v | (v << 8)) & 0x00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    };
    let i0 = x ^ y;
    let i1 = b | (0xFFFF ^ (i0 | a));
    (spread(i1) << 1) | spread(i0)
}

/// Encodes the features of a layer.
struct Encoder<'r> {
    rows: &'r SpilledRows,
    /// Whether each geometry states its type (the header's is Unknown).
    own_type: bool,
}

/// Features encoded one after the other, and the size of each.
#[derive(Default)]
struct Encoded {
    bytes: Vec<u8>,
    sizes: Vec<u32>,
}

/// The features of the consecutive rows `numbers`.
struct EncodedRows {
    numbers: Range<usize>,
    features: Encoded,
}

impl Encoder<'_> {
    /// Every feature, encoded on every core, put at its position in `order`. Rows kept in
    /// memory are encoded in that order where they are; rows in the spill's file are read
    /// once, from start to end, and their features scattered into it.
    fn features_in_order(&self, order: &[usize]) -> io::Result<Scatter> {
        match self.rows.stored() {
            Stored::Memory(_) => self.encode_in_place(order),
            Stored::File(_) => self.encode_in_order(order),
        }
    }

    /// The features in `order`, a batch of [`CHUNK`] positions a task, from rows in memory.
    fn encode_in_place(&self, order: &[usize]) -> io::Result<Scatter> {
        let rows = self.rows.in_order(order, CHUNK)?;
        let encoded = (0..rows.batches())
            .into_par_iter()
            .map(|k| {
                let batch = rows.batch(k)?;
                self.encode_all((0..batch.len()).map(|j| batch.row(j)))
            })
            .collect::<io::Result<Vec<Encoded>>>()?;
        let lengths = encoded
            .iter()
            .flat_map(|e| e.sizes.iter().copied())
            .collect();
        let buffers = encoded.into_iter().map(|e| e.bytes).collect();
        Ok(Scatter::of_batches(CHUNK, buffers, lengths))
    }

    /// The features in `order`, encoded from the rows in the spill's file read in runs, in
    /// parallel, and put at their positions.
    fn encode_in_order(&self, order: &[usize]) -> io::Result<Scatter> {
        let position = positions(order);
        let mut features = Scatter::new(order.len(), BATCH, MEMORY_BYTES);
        let runs = self.rows.runs();
        overlapped(
            runs.len(),
            |k| {
                let run = self.rows.run(runs[k].clone())?;
                let numbers = run.numbers();
                let parts: Vec<Range<usize>> = numbers
                    .clone()
                    .step_by(CHUNK)
                    .map(|first| first..(first + CHUNK).min(numbers.end))
                    .collect();
                parts
                    .into_par_iter()
                    .map(|numbers| {
                        let features = self.encode_all(numbers.clone().map(|i| run.row(i)))?;
                        Ok(EncodedRows { numbers, features })
                    })
                    .collect::<io::Result<Vec<EncodedRows>>>()
            },
            |encoded| {
                for EncodedRows {
                    numbers,
                    features: part,
                } in encoded
                {
                    let mut at = 0;
                    for (i, &size) in numbers.zip(&part.sizes) {
                        let end = at + size as usize;
                        features.put(position[i], &part.bytes[at..end])?;
                        at = end;
                    }
                }
                Ok(())
            },
        )?;
        Ok(features)
    }

    /// The features of `rows`, one after the other.
    fn encode_all<'r>(
        &self,
        rows: impl ExactSizeIterator<Item = io::Result<Row<'r>>>,
    ) -> io::Result<Encoded> {
        let mut state = FeatureState::default();
        let mut encoded = Encoded {
            bytes: Vec::new(),
            sizes: Vec::with_capacity(rows.len()),
        };
        for row in rows {
            let feature = self.encode(row?, &mut state)?;
            encoded.bytes.extend_from_slice(feature);
            encoded.sizes.push(feature.len() as u32);
        }
        Ok(encoded)
    }

    /// `row` as a size-prefixed feature, built in `state`.
    fn encode<'s>(&self, row: Row, state: &'s mut FeatureState) -> io::Result<&'s [u8]> {
        let FeatureState { fbb, properties } = state;
        let wkb = row.wkb().ok_or_else(|| {
            io::Error::other("FlatGeobuf: a feature without geometry has no place in the index")
        })?;
        properties.clear();
        push_properties(properties, row, self.rows.columns())?;
        fbb.reset();
        let geometry = geometry(fbb, wkb, self.own_type)
            .ok_or_else(|| io::Error::other("FlatGeobuf: a geometry's WKB is corrupt"))?;
        let properties = Some(fbb.create_vector(properties.as_slice()));
        let feature = Feature::create(
            fbb,
            &FeatureArgs {
                geometry: Some(geometry),
                properties,
                ..Default::default()
            },
        );
        fbb.finish_size_prefixed(feature, None);
        Ok(fbb.finished_data())
    }
}

/// What encoding a feature reuses from one to the next.
#[derive(Default)]
struct FeatureState {
    fbb: FlatBufferBuilder<'static>,
    properties: Vec<u8>,
}

/// Appends the row's cells as FlatGeobuf properties: the column number (u16), then the value
/// as its column's type (text: its length (u32) and UTF-8 bytes), little-endian.
fn push_properties(out: &mut Vec<u8>, row: Row, columns: &[Column]) -> io::Result<()> {
    for cell in row.cells() {
        let (i, cell) = cell?;
        out.extend_from_slice(&(i as u16).to_le_bytes());
        match (columns[i].kind, cell) {
            (ColumnKind::Bool, Cell::Bool(b)) => out.push(u8::from(b)),
            (ColumnKind::Long, Cell::Long(n)) => out.extend_from_slice(&n.to_le_bytes()),
            (ColumnKind::Double, cell) => out.extend_from_slice(&cell.to_double().to_le_bytes()),
            (_, cell) => {
                let text = cell.text();
                out.extend_from_slice(&(text.len() as u32).to_le_bytes());
                out.extend_from_slice(&text);
            }
        }
    }
    Ok(())
}

/// One geometry's coordinates as FlatGeobuf holds them: x and y interleaved, and where each
/// ring or line ends (in points).
#[derive(Default)]
struct Part {
    xy: Vec<f64>,
    ends: Vec<u32>,
}

/// Reads WKB as our writer gives it (little-endian, 2D): each value in turn.
struct WkbReader<'b>(&'b [u8]);

impl WkbReader<'_> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_le_bytes(*head))
    }

    fn f64(&mut self) -> Option<f64> {
        let (head, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(f64::from_le_bytes(*head))
    }

    /// A geometry's header: its byte order (little-endian only) and type.
    fn header(&mut self) -> Option<u32> {
        let (&order, rest) = self.0.split_first()?;
        self.0 = rest;
        (order == 1).then_some(())?;
        self.u32()
    }

    /// `n` points onto `part`.
    fn points(&mut self, n: u32, part: &mut Part) -> Option<()> {
        for _ in 0..n {
            let x = self.f64()?;
            part.xy.extend([x, self.f64()?]);
        }
        Some(())
    }

    /// A line or ring (its point count, then the points) onto `part`, ending there.
    fn line(&mut self, part: &mut Part) -> Option<()> {
        let n = self.u32()?;
        self.points(n, part)?;
        part.ends.push((part.xy.len() / 2) as u32);
        Some(())
    }

    /// A polygon's rings (their count, then each) onto `part`.
    fn rings(&mut self, part: &mut Part) -> Option<()> {
        for _ in 0..self.u32()? {
            self.line(part)?;
        }
        Some(())
    }
}

/// The flatbuffer geometry of `wkb`, built as the crate's writer builds a geometry of the
/// header's type: one part (xy, and ends when more than one line or ring), or for a
/// MultiPolygon one part per polygon. `own_type`: the geometry states its type.
fn geometry<'f>(
    fbb: &mut FlatBufferBuilder<'f>,
    wkb: &[u8],
    own_type: bool,
) -> Option<flatbuffers::WIPOffset<Geometry<'f>>> {
    let mut r = WkbReader(wkb);
    let kind = r.header()?;
    let type_ = if own_type {
        wkb_type(kind)?
    } else {
        GeometryType::Unknown
    };
    let mut part = Part::default();
    match kind {
        1 => r.points(1, &mut part)?,
        2 => {
            let n = r.u32()?;
            r.points(n, &mut part)?;
        }
        3 => r.rings(&mut part)?,
        4 | 5 => {
            for _ in 0..r.u32()? {
                let member = r.header()?;
                if member == 1 {
                    r.points(1, &mut part)?;
                } else {
                    r.line(&mut part)?;
                }
            }
        }
        6 => {
            let mut parts = Vec::new();
            for _ in 0..r.u32()? {
                r.header()?;
                let mut polygon = Part::default();
                r.rings(&mut polygon)?;
                parts.push(create_part(fbb, &polygon, GeometryType::Unknown));
            }
            let parts = fbb.create_vector_from_iter(parts.into_iter());
            let args = GeometryArgs {
                type_,
                parts: Some(parts),
                ..Default::default()
            };
            return r.0.is_empty().then(|| Geometry::create(fbb, &args));
        }
        _ => return None,
    }
    r.0.is_empty().then(|| create_part(fbb, &part, type_))
}

/// The FlatGeobuf type of a WKB type code (1 to 6).
fn wkb_type(code: u32) -> Option<GeometryType> {
    Some(match code {
        1 => GeometryType::Point,
        2 => GeometryType::LineString,
        3 => GeometryType::Polygon,
        4 => GeometryType::MultiPoint,
        5 => GeometryType::MultiLineString,
        6 => GeometryType::MultiPolygon,
        _ => return None,
    })
}

/// One part as a flatbuffer geometry: xy, then ends only when it has more than one line or
/// ring (one is implied).
fn create_part<'f>(
    fbb: &mut FlatBufferBuilder<'f>,
    part: &Part,
    type_: GeometryType,
) -> flatbuffers::WIPOffset<Geometry<'f>> {
    let xy = Some(fbb.create_vector(&part.xy));
    let ends = (part.ends.len() > 1).then(|| fbb.create_vector(&part.ends));
    Geometry::create(
        fbb,
        &GeometryArgs {
            xy,
            ends,
            type_,
            ..Default::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::spill::Spill;
    use crate::export::store::Store;
    use geo::{Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
    use serde_json::{Value, json};

    /// The crate's own writer, fed as borderwatch fed it before: the reference for the bytes.
    fn crate_flatgeobuf(rows: &SpilledRows, layer: &str, geometry_type: GeometryType) -> Vec<u8> {
        use flatgeobuf::{FgbCrs, FgbWriter, FgbWriterOptions};
        use geozero::{ColumnValue, PropertyProcessor};
        let options = FgbWriterOptions {
            write_index: true,
            crs: FgbCrs {
                code: EPSG_WGS84,
                ..Default::default()
            },
            ..Default::default()
        };
        let mut fgb = FgbWriter::create_with_options(layer, geometry_type, options).unwrap();
        let columns = rows.columns();
        for c in columns {
            fgb.add_column(&c.name, column_type(c.kind), |_, column| {
                column.nullable = true
            });
        }
        let run = rows.run(0..rows.len()).unwrap();
        for i in 0..rows.len() {
            let row = run.row(i).unwrap();
            fgb.add_feature_geom(geozero::wkb::Wkb(row.wkb().unwrap()), |writer| {
                for cell in row.cells() {
                    let (i, cell) = cell.unwrap();
                    let c = &columns[i];
                    let text;
                    let value = match (c.kind, cell) {
                        (ColumnKind::Bool, Cell::Bool(b)) => ColumnValue::Bool(b),
                        (ColumnKind::Long, Cell::Long(n)) => ColumnValue::Long(n),
                        (ColumnKind::Double, cell) => ColumnValue::Double(cell.to_double()),
                        (_, cell) => {
                            text = String::from_utf8(cell.text().into_owned()).unwrap();
                            ColumnValue::String(&text)
                        }
                    };
                    writer.property(i, &c.name, &value).unwrap();
                }
            })
            .unwrap();
        }
        let mut out = Vec::new();
        fgb.write(&mut out).unwrap();
        out
    }

    /// Points and rings from a fixed sequence of numbers.
    struct Numbers(crate::testing::Uniform);

    impl Numbers {
        fn next(&mut self) -> f64 {
            self.0.next()
        }

        fn point(&mut self) -> Point {
            // A coarse grid, so that some centres share a Hilbert value.
            let x = 67.0 + (self.next() * 40.0).floor() / 8.0;
            Point::new(x, 36.0 + (self.next() * 30.0).floor() / 8.0)
        }

        /// A square's ring and a hole inside it (a hole lies within its polygon's exterior,
        /// which alone makes the bbox).
        fn rings(&mut self) -> (LineString, LineString) {
            let p = self.point();
            let square = |x: f64, y: f64, side: f64| {
                LineString::from(vec![(x, y), (x + side, y), (x + side, y + side), (x, y)])
            };
            (
                square(p.x(), p.y(), 0.1),
                square(p.x() + 0.02, p.y() + 0.02, 0.05),
            )
        }

        fn geometry(&mut self, kind: &str) -> Geometry {
            match kind {
                "Point" => self.point().into(),
                "LineString" => LineString::from(vec![self.point(), self.point()]).into(),
                "Polygon" => {
                    let (exterior, hole) = self.rings();
                    Polygon::new(exterior, vec![hole]).into()
                }
                "MultiPoint" => MultiPoint::new(vec![self.point(), self.point()]).into(),
                "MultiLineString" => MultiLineString::new(vec![
                    LineString::from(vec![self.point(), self.point()]),
                    LineString::from(vec![self.point(), self.point(), self.point()]),
                ])
                .into(),
                _ => {
                    let (exterior, hole) = self.rings();
                    let (other, _) = self.rings();
                    MultiPolygon::new(vec![
                        Polygon::new(other, vec![]),
                        Polygon::new(exterior, vec![hole]),
                    ])
                    .into()
                }
            }
        }

        fn properties(&mut self, i: usize) -> Value {
            json!({
                "name": format!("place {i}"),
                "count": (self.next() * 100.0) as i64,
                "km": if i.is_multiple_of(3) { json!(null) } else { json!(self.next() * 50.0) },
                "mixed": if i.is_multiple_of(2) { json!(i) } else { json!(0.5) },
                "flag": i.is_multiple_of(4),
                "list": ["a", "b"],
            })
        }
    }

    #[test]
    fn files_are_those_of_the_crate_writer_for_every_geometry_type() {
        let kinds = [
            ("Point", GeometryType::Point),
            ("LineString", GeometryType::LineString),
            ("Polygon", GeometryType::Polygon),
            ("MultiPoint", GeometryType::MultiPoint),
            ("MultiLineString", GeometryType::MultiLineString),
            ("MultiPolygon", GeometryType::MultiPolygon),
        ];
        // The spill in memory (encoded in place, in more than one batch), and in its file
        // (read back in runs and scattered).
        for ((name, geometry_type), limit) in kinds.into_iter().zip([MEMORY_BYTES, 0].repeat(3)) {
            let mut numbers = Numbers(crate::testing::Uniform::new(name.len() as u64));
            let mut spill = Spill::with_store(Store::new(limit));
            for i in 0..CHUNK + 300 {
                let geometry = numbers.geometry(name);
                let properties = numbers.properties(i);
                spill
                    .push(Some(&geometry), properties.as_object().unwrap())
                    .unwrap();
            }
            let rows = spill.finish().unwrap();
            let mut ours = Vec::new();
            write_flatgeobuf(&rows, "layer", &mut ours).unwrap();
            assert!(
                ours == crate_flatgeobuf(&rows, "layer", geometry_type),
                "{name}, spill kept in memory up to {limit} bytes: the bytes differ from the crate writer's"
            );
        }
    }

    #[test]
    fn an_empty_layer_is_the_crate_writers_too() {
        let rows = Spill::new().finish().unwrap();
        let mut ours = Vec::new();
        write_flatgeobuf(&rows, "empty", &mut ours).unwrap();
        assert_eq!(
            ours,
            crate_flatgeobuf(&rows, "empty", GeometryType::Unknown)
        );
    }

    #[test]
    fn hilbert_order_is_that_of_the_crates_sort() {
        let mut numbers = Numbers(crate::testing::Uniform::new(7));
        let nodes: Vec<NodeItem> = (0..5000)
            .map(|i| {
                let p = numbers.point();
                NodeItem {
                    offset: i,
                    ..NodeItem::bounds(p.x(), p.y(), p.x() + numbers.next(), p.y())
                }
            })
            .collect();
        let extent = calc_extent(&nodes);
        let mut sorted = nodes.clone();
        flatgeobuf::packed_r_tree::hilbert_sort(&mut sorted, &extent);
        let ours: Vec<u64> = hilbert_order(&nodes, &extent)
            .into_iter()
            .map(|i| nodes[i].offset)
            .collect();
        let theirs: Vec<u64> = sorted.iter().map(|n| n.offset).collect();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_layer_of_mixed_types_states_each_geometrys_type() {
        let mut numbers = Numbers(crate::testing::Uniform::new(3));
        let mut spill = Spill::new();
        for kind in ["Point", "LineString"] {
            let geometry = numbers.geometry(kind);
            spill.push(Some(&geometry), &Default::default()).unwrap();
        }
        let rows = spill.finish().unwrap();
        let mut ours = Vec::new();
        write_flatgeobuf(&rows, "mixed", &mut ours).unwrap();
        let mut reader = flatgeobuf::FgbReader::open(std::io::Cursor::new(ours))
            .unwrap()
            .select_all()
            .unwrap();
        assert_eq!(reader.header().geometry_type(), GeometryType::Unknown);
        let mut types = Vec::new();
        while let Some(feature) = flatgeobuf::FallibleStreamingIterator::next(&mut reader).unwrap()
        {
            types.push(feature.geometry().unwrap().type_());
        }
        types.sort_by_key(|t| t.0);
        assert_eq!(types, [GeometryType::Point, GeometryType::LineString]);
    }
}
