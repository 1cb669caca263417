//! The incidents layer packed for the page. GeoJSON repeats every member name and most values
//! in every feature (72 MB for 100,000 incidents); the page gets columns instead: each
//! distinct value of a column once (its dictionary) and each row's index into it, or, for
//! columns of numbers that are nearly all different (coordinates, distances), integers of a
//! fixed number of decimals. The whole is gzip-compressed and base64-encoded, and web/app.js
//! undoes it with the browser's `DecompressionStream` into the features the GeoJSON layer
//! holds: the same members in the same order with the same values (each dictionary entry is
//! the JSON text the GeoJSON writer gives that value).
//!
//! The layer object: `{"type":"FeatureCollection","packed":{"rows":N,"gzip_base64":"…"},
//! "bbox":[w,s,e,n]}`. The gzip stream, little-endian throughout: the header's length (u32);
//! the header, JSON (`format`, `rows`, `decimals` of the coordinates, `id`: the column that
//! is each feature's id, `columns`: each with its `name` and either `scaled` (its decimals)
//! or `index` (0, 1, 2 or 4 bytes) and `values`); then, each starting at a multiple of 4
//! bytes, the sections: longitudes and latitudes (i32, × 10^decimals), then per column, in
//! order, nothing (`index` 0: row i holds value i), its indices (`index` bytes each) or its
//! numbers (i32, × 10^scaled, [`NULL_SCALED`] for null).

use std::io::Write as _;

use base64::Engine;
use flate2::{Compression, write::GzEncoder};
use indexmap::IndexSet;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use crate::export::{Bbox, Context, incident_values, push_json_value};
use crate::incidents::Column as Field;

/// The version of the packing, in the header; web/app.js reads this one.
const FORMAT: u32 = 1;

/// 10^d for the decimals of scaled integers; web/app.js divides by the same numbers.
const POWERS_OF_TEN: [f64; 7] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];

/// The scaled integer that stands for null.
const NULL_SCALED: i32 = i32::MIN;

/// Sections start at multiples of this, so the page reads them as typed arrays in place.
const ALIGN: usize = 4;

/// The incidents layer as the page gets it.
pub(crate) struct Packed {
    /// The layer object's JSON text (base64 and JSON only: no `<`).
    pub(crate) json: String,
    /// Incidents in it: those with coordinates that pass the filter.
    pub(crate) located: usize,
    /// Their bbox, coordinates as written.
    pub(crate) bbox: Bbox,
}

/// Packs the incidents of `context` that have coordinates, coordinates at `decimals`
/// (rounded as the GeoJSON writer rounds them).
pub(crate) fn pack_incidents(context: &Context, decimals: usize) -> std::io::Result<Packed> {
    let index = context.index;
    let table = index.table();
    let rows: Vec<u32> = (0..table.rows().len() as u32)
        .into_par_iter()
        .filter(|&row| {
            table.rows()[row as usize].point().is_some() && context.filter.matches(index, row)
        })
        .collect();
    // Border distances in parallel, as the GeoJSON writer computes them; read in row order.
    rows.par_iter().for_each(|&row| {
        index.border(row);
    });
    let columns = read_columns(context, &rows, decimals);
    let compressed = compress(&columns, decimals)?;
    let mut json = format!(
        "{{\"type\":\"FeatureCollection\",\"packed\":{{\"rows\":{},\"gzip_base64\":\"",
        rows.len()
    );
    base64::engine::general_purpose::STANDARD.encode_string(&compressed, &mut json);
    json.push_str("\"}");
    if !columns.bbox.is_empty() {
        json.push_str(",\"bbox\":");
        json.push_str(&serde_json::to_string(&columns.bbox.0).map_err(std::io::Error::other)?);
    }
    json.push('}');
    Ok(Packed {
        json,
        located: rows.len(),
        bbox: columns.bbox,
    })
}

/// The incidents as columns: coordinates as integers, properties as dictionaries.
struct Columns {
    x: Vec<i32>,
    y: Vec<i32>,
    bbox: Bbox,
    properties: Vec<Column>,
}

/// One property column as it is read: each distinct value's JSON text once, in the order
/// first seen, and each row's index into them.
struct Column {
    name: String,
    values: IndexSet<String, FxBuildHasher>,
    rows: Vec<u32>,
}

impl Column {
    fn push(&mut self, json: &str) {
        let index = match self.values.get_index_of(json) {
            Some(i) => i,
            None => self.values.insert_full(json.to_string()).0,
        };
        self.rows.push(index as u32);
    }
}

fn read_columns(context: &Context, rows: &[u32], decimals: usize) -> Columns {
    let table = context.index.table();
    let scale = POWERS_OF_TEN[decimals];
    let mut columns = Columns {
        x: Vec::with_capacity(rows.len()),
        y: Vec::with_capacity(rows.len()),
        bbox: Bbox::default(),
        properties: Vec::new(),
    };
    let mut json = String::new();
    for &row in rows {
        let point = table.rows()[row as usize]
            .point()
            .expect("only incidents with coordinates");
        let (x, y) = ((point.x() * scale).round(), (point.y() * scale).round());
        columns.bbox.add((x / scale, y / scale).into());
        columns.x.push(x as i32);
        columns.y.push(y as i32);
        // Every row has the same members in the same order: the schema, the input's extra
        // columns, then border_km and side.
        for (j, (name, value)) in incident_values(context.index, row).iter().enumerate() {
            if j == columns.properties.len() {
                columns.properties.push(Column {
                    name: name.to_string(),
                    values: IndexSet::default(),
                    rows: Vec::with_capacity(rows.len()),
                });
            }
            json.clear();
            push_json_value(&mut json, value);
            columns.properties[j].push(&json);
        }
    }
    columns
}

/// How a column is stored.
enum Stored {
    /// Every row its own value, in order: the dictionary alone.
    Distinct,
    /// Indices into the dictionary, of this many bytes each.
    Indices(usize),
    /// Numbers as integers × 10^decimals (NULL_SCALED for null), no dictionary.
    Scaled(usize, Vec<i32>),
}

fn stored(column: &Column) -> Stored {
    let (values, rows) = (column.values.len(), column.rows.len());
    // Numbers nearly all different are smaller as integers than as a dictionary of text.
    if values * 2 > rows
        && let Some((decimals, numbers)) = scaled(&column.values)
    {
        return Stored::Scaled(
            decimals,
            column.rows.iter().map(|&i| numbers[i as usize]).collect(),
        );
    }
    if values == rows {
        // Values are numbered in the order first seen: row i holds value i.
        Stored::Distinct
    } else if values <= 1 << 8 {
        Stored::Indices(1)
    } else if values <= 1 << 16 {
        Stored::Indices(2)
    } else {
        Stored::Indices(4)
    }
}

/// The dictionary as integers × 10^d with the fewest decimals d that give every number back
/// bit for bit when divided by 10^d (as the page does), null as [`NULL_SCALED`]; None when a
/// value is no number, or needs more decimals or more than 32 bits.
fn scaled(values: &IndexSet<String, FxBuildHasher>) -> Option<(usize, Vec<i32>)> {
    let numbers: Vec<Option<f64>> = values
        .iter()
        .map(|v| match v.as_bytes().first() {
            _ if v == "null" => Some(None),
            Some(b'-' | b'0'..=b'9') => v.parse().ok().map(Some),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let decimals = (0..POWERS_OF_TEN.len())
        .find(|&d| numbers.iter().flatten().all(|&x| scale(x, d).is_some()))?;
    Some((
        decimals,
        numbers
            .iter()
            .map(|x| x.map_or(NULL_SCALED, |x| scale(x, decimals).expect("checked")))
            .collect(),
    ))
}

/// `x` as an integer × 10^`decimals`, if that gives it back exactly (-0 does not).
fn scale(x: f64, decimals: usize) -> Option<i32> {
    let k = (x * POWERS_OF_TEN[decimals]).round();
    if k.abs() >= f64::from(i32::MAX) {
        return None;
    }
    // What the page computes: the 32-bit integer as a double, divided.
    let k = k as i32;
    ((f64::from(k) / POWERS_OF_TEN[decimals]).to_bits() == x.to_bits()).then_some(k)
}

/// The gzip stream: the header's length, the header, then the sections, each aligned.
fn compress(columns: &Columns, decimals: usize) -> std::io::Result<Vec<u8>> {
    let stored: Vec<Stored> = columns.properties.iter().map(stored).collect();
    let header = header(columns, &stored, decimals);
    let mut out = Sections {
        gzip: GzEncoder::new(Vec::new(), Compression::default()),
        at: 0,
    };
    out.put(
        &u32::try_from(header.len())
            .map_err(std::io::Error::other)?
            .to_le_bytes(),
    )?;
    out.put(header.as_bytes())?;
    out.align()?;
    out.put(&le_bytes(&columns.x, |v| v.to_le_bytes()))?;
    out.put(&le_bytes(&columns.y, |v| v.to_le_bytes()))?;
    for (column, stored) in columns.properties.iter().zip(&stored) {
        let bytes = match stored {
            Stored::Distinct => continue,
            Stored::Indices(1) => le_bytes(&column.rows, |&i| [i as u8]),
            Stored::Indices(2) => le_bytes(&column.rows, |&i| (i as u16).to_le_bytes()),
            Stored::Indices(_) => le_bytes(&column.rows, |i| i.to_le_bytes()),
            Stored::Scaled(_, numbers) => le_bytes(numbers, |v| v.to_le_bytes()),
        };
        out.put(&bytes)?;
        out.align()?;
    }
    out.gzip.finish()
}

/// Each item's bytes, one after the other.
fn le_bytes<T, const N: usize>(items: &[T], bytes: impl Fn(&T) -> [u8; N]) -> Vec<u8> {
    items.iter().flat_map(bytes).collect()
}

/// The header: the rows, the coordinates' decimals, the id column, and each column's name,
/// how it is stored and its dictionary (JSON texts as the GeoJSON writer gives them).
fn header(columns: &Columns, stored: &[Stored], decimals: usize) -> String {
    let text = |s: &str| serde_json::Value::from(s).to_string();
    let mut header = format!(
        "{{\"format\":{FORMAT},\"rows\":{},\"decimals\":{decimals},\"id\":{},\"columns\":[",
        columns.x.len(),
        text(Field::Id.name())
    );
    for (i, (column, stored)) in columns.properties.iter().zip(stored).enumerate() {
        if i > 0 {
            header.push(',');
        }
        header.push_str("{\"name\":");
        header.push_str(&text(&column.name));
        let width = match stored {
            Stored::Scaled(d, _) => {
                header.push_str(&format!(",\"scaled\":{d}}}"));
                continue;
            }
            Stored::Distinct => 0,
            Stored::Indices(width) => *width,
        };
        header.push_str(&format!(",\"index\":{width},\"values\":["));
        for (k, value) in column.values.iter().enumerate() {
            if k > 0 {
                header.push(',');
            }
            header.push_str(value);
        }
        header.push_str("]}");
    }
    header.push_str("]}");
    header
}

/// The gzip stream and how many bytes have gone into it.
struct Sections {
    gzip: GzEncoder<Vec<u8>>,
    at: usize,
}

impl Sections {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.at += bytes.len();
        self.gzip.write_all(bytes)
    }

    /// Zeros up to the next multiple of [`ALIGN`].
    fn align(&mut self) -> std::io::Result<()> {
        let pad = (ALIGN - self.at % ALIGN) % ALIGN;
        self.put(&[0; ALIGN][..pad])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_scale_with_the_fewest_decimals_that_give_them_back() {
        let values = |texts: &[&str]| texts.iter().map(|t| t.to_string()).collect();
        assert_eq!(
            scaled(&values(&["37.016", "null", "-69.5", "3"])),
            Some((3, vec![37016, NULL_SCALED, -69500, 3000]))
        );
        assert_eq!(scaled(&values(&["1", "2"])), Some((0, vec![1, 2])));
        // Text, booleans, -0 and too many decimals stay in the dictionary.
        for texts in [
            &["\"a\""][..],
            &["true"],
            &["-0"],
            &["0.1234567"],
            &["1e300"],
        ] {
            assert_eq!(scaled(&values(texts)), None, "{texts:?}");
        }
    }
}
