//! Streaming feature writers: GeoJSON FeatureCollection (RFC 7946), GeoJSON text sequence
//! (RFC 8142) and CSV with WKT geometry write one feature at a time; FlatGeobuf and
//! GeoParquet spill features to a temporary file until the layer ends. Memory stays flat
//! however many features a layer has.

use std::io::{self, Write};

use geo::{Coord, Geometry, LineString, Polygon};
use serde_json::Value;

use super::columnar::write_geoparquet;
use super::feature::{Bbox, Feature};
use super::fgb::write_flatgeobuf;
use super::spill::Spill;
use super::spill::SpillRun;
use super::typing::text_value;

/// Output encodings of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One RFC 7946 FeatureCollection (with a bbox member).
    Geojson,
    /// RFC 8142 GeoJSON text sequence: one Feature per record, RS-delimited.
    Geojsonseq,
    /// CSV: a WKT `geometry` column, then the properties.
    Csv,
    /// FlatGeobuf with its packed Hilbert R-tree, for reading a bbox without the whole file.
    Flatgeobuf,
    /// GeoParquet 1.1 (WKB, bbox covering column, rows in Hilbert order) for DuckDB, Sedona,
    /// geopandas and BigQuery.
    Geoparquet,
}

/// The file extensions that name a format, as readers take them: `.geojsons` is GDAL's name
/// for RFC 8142 sequences (records start with RS; `.geojsonl`, `.jsonl` and `.ndjson` name
/// newline-delimited JSON without it, which we do not write), `.parquet` the one GeoParquet
/// recommends.
pub const EXTENSIONS: [(&str, Format); 7] = [
    ("geojson", Format::Geojson),
    ("json", Format::Geojson),
    ("geojsons", Format::Geojsonseq),
    ("csv", Format::Csv),
    ("fgb", Format::Flatgeobuf),
    ("parquet", Format::Geoparquet),
    ("geoparquet", Format::Geoparquet),
];

impl Format {
    /// The format a file extension (without the dot, any case) names, if any.
    ///
    /// ```
    /// use borderwatch::export::Format;
    /// assert_eq!(Format::from_extension("FGB"), Some(Format::Flatgeobuf));
    /// assert_eq!(Format::from_extension("geojsonl"), None);
    /// ```
    pub fn from_extension(extension: &str) -> Option<Format> {
        EXTENSIONS
            .iter()
            .find(|(e, _)| e.eq_ignore_ascii_case(extension))
            .map(|&(_, f)| f)
    }

    /// The format's name, for people.
    pub fn name(self) -> &'static str {
        match self {
            Format::Geojson => "GeoJSON",
            Format::Geojsonseq => "a GeoJSON text sequence",
            Format::Csv => "CSV",
            Format::Flatgeobuf => "FlatGeobuf",
            Format::Geoparquet => "GeoParquet",
        }
    }

    /// Whether the format is binary (no text a terminal could show).
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Flatgeobuf | Format::Geoparquet)
    }

    /// The file extension for this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Geojson => "geojson",
            Format::Geojsonseq => "geojsons",
            Format::Csv => "csv",
            Format::Flatgeobuf => "fgb",
            Format::Geoparquet => "parquet",
        }
    }

    /// Whether features are encoded as GeoJSON text (and can be written by
    /// [`FeatureWriter::write_encoded`]).
    pub fn is_geojson(self) -> bool {
        matches!(self, Format::Geojson | Format::Geojsonseq)
    }

    /// Why the format cannot hold a feature without geometry; None when it can (GeoJSON and
    /// its sequences write `"geometry": null`, CSV an empty WKT, GeoParquet a null).
    ///
    /// ```
    /// use borderwatch::export::Format;
    /// assert_eq!(Format::Geojson.no_null_geometry(), None);
    /// assert!(Format::Flatgeobuf.no_null_geometry().unwrap().contains("R-tree"));
    /// ```
    pub fn no_null_geometry(self) -> Option<&'static str> {
        match self {
            // Each feature is a node of the index, which needs its box; GDAL's writer
            // refuses one too ("NULL geometry not supported with spatial index").
            Format::Flatgeobuf => Some(
                "FlatGeobuf has no null geometry (its packed R-tree needs a box for every \
                 feature)",
            ),
            _ => None,
        }
    }
}

/// What a layer's writer wrote: features with a geometry and without one, features without
/// one that it could not hold (left out, and counted), and the bbox of those with one.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Written {
    /// Features written with a geometry.
    pub located: usize,
    /// Features written without one (`"geometry": null`, an empty WKT, a null WKB).
    pub unlocated: usize,
    /// Features without a geometry not written: the format has no null geometry (see
    /// [`Format::no_null_geometry`]), or the writer was made [`FeatureWriter::located_only`].
    pub left_out: usize,
    /// The bbox of the features written with a geometry.
    pub bbox: Bbox,
}

impl Written {
    /// Features written, with a geometry or without.
    pub fn features(&self) -> usize {
        self.located + self.unlocated
    }
}

/// GeoJSON features already encoded as text, with their bbox: runs of features are
/// encoded in parallel and written in order.
///
/// ```
/// use borderwatch::export::{Encoded, FeatureWriter, Format};
/// let mut run = Encoded::new(Format::Geojson);
/// let point = geo::Geometry::Point(geo::Point::new(68.37395, 36.88421));
/// run.push_with(Some("BW-1"), Some(&point), 6, |p| p.text("side", "AF"));
/// run.push_with(Some("BW-2"), None, 6, |p| p.null("side"));
/// let mut out = Vec::new();
/// let mut writer = FeatureWriter::new(&mut out, Format::Geojson, 6).unwrap();
/// writer.write_encoded(&run).unwrap();
/// let written = writer.finish().unwrap();
/// assert_eq!((written.located, written.unlocated), (1, 1));
/// assert_eq!(written.bbox.0, [68.37395, 36.88421, 68.37395, 36.88421]);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains(r#""coordinates":[68.37395,36.88421]},"properties":{"side":"AF"}"#));
/// assert!(text.contains(r#""id":"BW-2","geometry":null,"properties":{"side":null}"#));
/// ```
#[derive(Debug, Clone)]
pub struct Encoded {
    text: String,
    bbox: Bbox,
    count: usize,
    /// Of `count`, the features without a geometry.
    unlocated: usize,
    /// Features without a geometry not encoded (see [`Encoded::leave_out`]).
    left_out: usize,
    /// What goes between two features of the format.
    separator: &'static str,
}

impl Encoded {
    /// An empty run of features of `format` (GeoJSON or GeoJSON sequence).
    pub fn new(format: Format) -> Encoded {
        Encoded {
            text: String::new(),
            bbox: Bbox::default(),
            count: 0,
            unlocated: 0,
            left_out: 0,
            separator: if format == Format::Geojsonseq {
                "\n\u{1e}"
            } else {
                ",\n"
            },
        }
    }

    /// Makes room for `bytes` more of text at once (a run of features grows to hundreds of
    /// KB).
    pub fn reserve(&mut self, bytes: usize) {
        self.text.reserve(bytes);
    }

    /// Appends a Feature.
    pub fn push(&mut self, feature: &Feature, precision: usize) {
        let geometry = feature.geometry.as_ref();
        self.push_with(feature.id.as_deref(), geometry, precision, |p| {
            for (name, value) in &feature.properties {
                p.json(name, value);
            }
        })
    }

    /// Appends a Feature whose properties `fill` writes straight into the text: no map is
    /// built, which matters for layers of millions of features. A feature without geometry
    /// (None) has `"geometry": null`.
    pub fn push_with(
        &mut self,
        id: Option<&str>,
        geometry: Option<&Geometry>,
        precision: usize,
        fill: impl FnOnce(&mut Properties),
    ) {
        let text = &mut self.text;
        if self.count > 0 {
            text.push_str(self.separator);
        }
        self.count += 1;
        text.push_str("{\"type\":\"Feature\"");
        if let Some(id) = id {
            text.push_str(",\"id\":");
            push_json_string(text, id);
        }
        text.push_str(",\"geometry\":");
        match geometry {
            Some(geometry) => geometry_json(geometry, precision, text, &mut self.bbox),
            None => {
                text.push_str("null");
                self.unlocated += 1;
            }
        }
        text.push_str(",\"properties\":");
        push_json_object(text, fill);
        text.push('}');
    }

    /// Counts a feature without geometry that is not encoded, because the writer it is for
    /// does not hold one (see [`FeatureWriter::holds_unlocated`]).
    pub fn leave_out(&mut self) {
        self.left_out += 1;
    }
}

/// Features (or JSON lines) one thread encodes into one text, and about how long an
/// incident's is: runs are encoded in parallel and written in order.
pub const RUN: usize = 512;
/// About how many bytes one incident's encoded feature takes (a run's text is reserved at once).
pub const RUN_ITEM_BYTES: usize = 768;

/// The features of `items` encoded by `encode` in parallel runs of [`RUN`], in order.
///
/// ```
/// use borderwatch::export::{Format, encode_runs};
/// let points: Vec<geo::Point> = (0..1000).map(|i| geo::Point::new(68.0, 36.0 + i as f64 / 1e3)).collect();
/// let runs = encode_runs(0..points.len(), Format::Geojsonseq, |i, run| {
///     run.push_with(None, Some(&points[i].into()), 6, |p| p.count("i", i as u64))
/// });
/// assert_eq!(runs.len(), 2);
/// ```
pub fn encode_runs(
    items: std::ops::Range<usize>,
    format: Format,
    encode: impl Fn(usize, &mut Encoded) + Sync,
) -> Vec<Encoded> {
    use rayon::prelude::*;
    let end = items.end;
    items
        .into_par_iter()
        .step_by(RUN)
        .map(|first| {
            let mut run = Encoded::new(format);
            run.reserve(RUN * RUN_ITEM_BYTES);
            for i in first..(first + RUN).min(end) {
                encode(i, &mut run);
            }
            run
        })
        .collect()
}

/// Appends a JSON object whose members `fill` writes.
///
/// ```
/// let mut text = String::new();
/// borderwatch::export::push_json_object(&mut text, |p| {
///     p.text("side", "AF");
///     p.number("border_km", 2.5);
/// });
/// assert_eq!(text, r#"{"side":"AF","border_km":2.5}"#);
/// ```
pub fn push_json_object(out: &mut String, fill: impl FnOnce(&mut Properties)) {
    out.push('{');
    fill(&mut Properties { out, first: true });
    out.push('}');
}

/// Writes the members of a properties object.
pub struct Properties<'a> {
    out: &'a mut String,
    first: bool,
}

impl Properties<'_> {
    fn name(&mut self, name: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        push_json_string(self.out, name);
        self.out.push(':');
    }

    /// A string member.
    pub fn text(&mut self, name: &str, value: &str) {
        self.name(name);
        push_json_string(self.out, value);
    }

    /// A number member (null when not finite).
    pub fn number(&mut self, name: &str, value: f64) {
        self.name(name);
        push_shortest(self.out, value);
    }

    /// A whole-number member.
    pub fn count(&mut self, name: &str, value: u64) {
        self.name(name);
        self.out.push_str(itoa::Buffer::new().format(value));
    }

    /// A date member, as ISO 8601 text.
    pub fn date(&mut self, name: &str, value: chrono::NaiveDate) {
        self.name(name);
        push_date(self.out, value);
    }

    /// A boolean member.
    pub fn boolean(&mut self, name: &str, value: bool) {
        self.name(name);
        self.out.push_str(if value { "true" } else { "false" });
    }

    /// A null member.
    pub fn null(&mut self, name: &str) {
        self.name(name);
        self.out.push_str("null");
    }

    /// A member holding an incident value, typed: text, ISO 8601 date, number, boolean or
    /// null.
    ///
    /// ```
    /// use borderwatch::incidents::Value;
    /// let day = chrono::NaiveDate::from_ymd_opt(2020, 11, 19).unwrap();
    /// let mut text = String::new();
    /// borderwatch::export::push_json_object(&mut text, |p| {
    ///     p.value("event_date", &Value::Date(day));
    ///     p.value("fatalities", &Value::Count(3));
    ///     p.value("evidence", &Value::Null);
    /// });
    /// assert_eq!(text, r#"{"event_date":"2020-11-19","fatalities":3,"evidence":null}"#);
    /// ```
    pub fn value(&mut self, name: &str, value: &crate::incidents::Value) {
        self.name(name);
        push_json_value(self.out, value);
    }

    /// Any JSON value.
    pub fn json(&mut self, name: &str, value: &Value) {
        self.name(name);
        self.out.push_str(&value.to_string());
    }
}

/// One incident value as JSON text, exactly as [`Properties::value`] writes it in a feature:
/// text, ISO 8601 date, number, boolean or null.
///
/// ```
/// use borderwatch::incidents::Value;
/// let mut text = String::new();
/// borderwatch::export::push_json_value(&mut text, &Value::Number(37.5));
/// text.push(' ');
/// borderwatch::export::push_json_value(&mut text, &Value::Text("Kunduz \"north\""));
/// assert_eq!(text, r#"37.5 "Kunduz \"north\"""#);
/// ```
pub fn push_json_value(out: &mut String, value: &crate::incidents::Value) {
    use crate::incidents::Value;
    match *value {
        Value::Text(s) => push_json_string(out, s),
        Value::Date(d) => push_date(out, d),
        Value::Number(x) => push_shortest(out, x),
        Value::Count(n) => out.push_str(itoa::Buffer::new().format(n)),
        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
    }
}

/// A date as ISO 8601 text in quotes: YYYY-MM-DD for years 1000 to 9999, chrono's form
/// otherwise.
fn push_date(out: &mut String, value: chrono::NaiveDate) {
    use chrono::Datelike;
    let (year, month, day) = (value.year(), value.month(), value.day());
    if (1000..=9999).contains(&year) {
        let digits = |n: u32, out: &mut String| {
            out.push(char::from(b'0' + (n / 10) as u8));
            out.push(char::from(b'0' + (n % 10) as u8));
        };
        out.push('"');
        out.push_str(itoa::Buffer::new().format(year));
        out.push('-');
        digits(month, out);
        out.push('-');
        digits(day, out);
        out.push('"');
    } else {
        push_json_string(out, &value.to_string());
    }
}

/// Bytes that a JSON string cannot hold as they are: quote, backslash, control characters.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// A JSON string literal: quotes, backslashes and control characters escaped. Runs that
/// need no escape are copied whole.
fn push_json_string(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // Short strings (names, places, codes) are most: one pass over a table decides.
    if bytes.len() < 32 && !bytes.iter().any(|&b| NEEDS_ESCAPE[b as usize]) {
        out.reserve(bytes.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    out.push('"');
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while none needs an escape (most text).
        if let Some(word) = bytes.get(i..i + 8)
            && !word_needs_escape(u64::from_le_bytes(word.try_into().expect("8 bytes")))
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        i += 1;
        if !NEEDS_ESCAPE[b as usize] {
            continue;
        }
        let at = i - 1;
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => "",
        };
        out.push_str(&s[plain..at]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        plain = i;
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

/// Whether any of the eight bytes of `word` is a quote, a backslash or a control character
/// (the bit tricks of "Bit Twiddling Hacks": a byte less than n, a byte equal to c).
fn word_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let less_than_0x20 = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let quote = zero(word ^ (ONES * u64::from(b'"')));
    let backslash = zero(word ^ (ONES * u64::from(b'\\')));
    less_than_0x20 | quote | backslash != 0
}

/// Writes features of one layer in one format.
pub struct FeatureWriter<W: Write + Send> {
    out: W,
    format: Format,
    precision: usize,
    /// Features written, with a geometry or without.
    count: usize,
    /// Of `count`, the features without a geometry.
    unlocated: usize,
    /// Features without a geometry not written.
    left_out: usize,
    /// Whether features without a geometry are written, where the format can hold them.
    keep_unlocated: bool,
    bbox: Bbox,
    csv_columns: Option<Vec<String>>,
    /// Features of the formats written whole at the end (FlatGeobuf, GeoParquet).
    spill: Option<Spill>,
    /// The layer's name, for formats that store one.
    name: String,
}

impl<W: Write + Send> FeatureWriter<W> {
    /// Starts a layer; `precision` is the number of decimals of coordinates.
    pub fn new(mut out: W, format: Format, precision: usize) -> io::Result<FeatureWriter<W>> {
        if format == Format::Geojson {
            out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
        }
        Ok(FeatureWriter {
            out,
            format,
            precision,
            count: 0,
            unlocated: 0,
            left_out: 0,
            keep_unlocated: true,
            bbox: Bbox::default(),
            csv_columns: None,
            spill: match format {
                Format::Flatgeobuf | Format::Geoparquet => Some(Spill::new()),
                _ => None,
            },
            name: "features".into(),
        })
    }

    /// Names the layer (FlatGeobuf stores the name; readers show it).
    pub fn named(mut self, name: &str) -> FeatureWriter<W> {
        self.name = name.to_string();
        self
    }

    /// Leaves out every feature without a geometry, counted in [`Written::left_out`]: for
    /// the web map, which lists the incidents without coordinates beside the map.
    pub fn located_only(mut self) -> FeatureWriter<W> {
        self.keep_unlocated = false;
        self
    }

    /// Whether a feature without a geometry is written (else it is left out and counted).
    pub fn holds_unlocated(&self) -> bool {
        self.keep_unlocated && self.format.no_null_geometry().is_none()
    }

    /// Writes one feature; one without a geometry is left out and counted when the writer
    /// does not hold it (see [`FeatureWriter::holds_unlocated`]).
    ///
    /// # Panics
    ///
    /// Only if a FlatGeobuf or GeoParquet writer had lost its spill, which [`FeatureWriter::new`] makes for those formats.
    pub fn write(&mut self, feature: &Feature) -> io::Result<()> {
        if feature.geometry.is_none() && !self.holds_unlocated() {
            self.left_out += 1;
            return Ok(());
        }
        match self.format {
            Format::Geojson | Format::Geojsonseq => {
                let mut encoded = Encoded::new(self.format);
                encoded.push(feature, self.precision);
                return self.write_encoded(&encoded);
            }
            Format::Flatgeobuf | Format::Geoparquet => {
                // Rounded as in the text formats, so every format holds the same coordinates.
                let rounded = feature.geometry.clone().map(|mut g| {
                    geo::MapCoordsInPlace::map_coords_in_place(&mut g, |c| {
                        round_coord(c, self.precision)
                    });
                    g
                });
                let spill = self.spill.as_mut().expect("made for these formats");
                spill.push(rounded.as_ref(), &feature.properties)?;
            }
            Format::Csv => self.write_csv(feature)?,
        }
        self.count += 1;
        self.unlocated += usize::from(feature.geometry.is_none());
        Ok(())
    }

    /// Writes one feature as a CSV record (the header first): the WKT, empty when the feature
    /// has no geometry, then the properties.
    fn write_csv(&mut self, feature: &Feature) -> io::Result<()> {
        let columns: Vec<String> = feature.properties.keys().cloned().collect();
        if self.csv_columns.is_none() {
            let mut header = vec!["geometry".to_string()];
            header.extend(columns.iter().cloned());
            write_csv_record(&mut self.out, header.iter().map(String::as_str))?;
            self.csv_columns = Some(columns);
        }
        let wkt = feature.geometry.as_ref().map_or(String::new(), |g| {
            geometry_wkt(g, self.precision, &mut self.bbox)
        });
        let keys = self.csv_columns.as_ref().expect("set above");
        let values: Vec<String> = keys
            .iter()
            .map(|k| {
                feature
                    .properties
                    .get(k)
                    .and_then(text_value)
                    .unwrap_or_default()
            })
            .collect();
        write_csv_record(
            &mut self.out,
            std::iter::once(wkt.as_str()).chain(values.iter().map(String::as_str)),
        )
    }

    /// Writes features encoded by [`Encoded`] (GeoJSON and GeoJSON sequence only).
    pub fn write_encoded(&mut self, encoded: &Encoded) -> io::Result<()> {
        self.left_out += encoded.left_out;
        if encoded.count == 0 {
            return Ok(());
        }
        let (before, after) = match self.format {
            Format::Geojson if self.count == 0 => ("\n", ""),
            Format::Geojson => (",\n", ""),
            Format::Geojsonseq => ("\u{1e}", "\n"),
            Format::Csv | Format::Flatgeobuf | Format::Geoparquet => {
                return Err(io::Error::other(
                    "only GeoJSON features are written encoded",
                ));
            }
        };
        self.out.write_all(before.as_bytes())?;
        self.out.write_all(encoded.text.as_bytes())?;
        self.out.write_all(after.as_bytes())?;
        let b = encoded.bbox;
        if !b.is_empty() {
            self.bbox.add(Coord {
                x: b.0[0],
                y: b.0[1],
            });
            self.bbox.add(Coord {
                x: b.0[2],
                y: b.0[3],
            });
        }
        self.count += encoded.count;
        self.unlocated += encoded.unlocated;
        Ok(())
    }

    /// The format being written.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Decimals of coordinates.
    pub fn precision(&self) -> usize {
        self.precision
    }

    /// Writes rows encoded beforehand for FlatGeobuf or GeoParquet (see [`SpillRun`]), whose
    /// columns are named `names`; `left_out`: rows without a geometry that the writer does
    /// not hold, left out before.
    pub(crate) fn write_runs(
        &mut self,
        runs: &[SpillRun],
        names: &[&str],
        left_out: usize,
    ) -> io::Result<()> {
        let spill = self.spill.as_mut().ok_or_else(|| {
            io::Error::other("encoded rows are written by FlatGeobuf and GeoParquet only")
        })?;
        for run in runs {
            self.unlocated += spill.append(run, names)?;
            self.count += run.lengths.len();
        }
        self.left_out += left_out;
        Ok(())
    }

    /// Ends the layer and returns what was written.
    pub fn finish(mut self) -> io::Result<Written> {
        if let Some(spill) = self.spill.take() {
            let rows = spill.finish()?;
            self.bbox = rows.extent();
            match self.format {
                Format::Flatgeobuf => write_flatgeobuf(&rows, &self.name, &mut self.out)?,
                _ => write_geoparquet(&rows, &mut self.out)?,
            }
        }
        if self.format == Format::Geojson {
            self.out.write_all(b"\n]")?;
            if !self.bbox.is_empty() {
                let b = self.bbox.0;
                let mut text = String::from(",\"bbox\":[");
                for (i, v) in b.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    push_number(&mut text, *v, self.precision);
                }
                text.push(']');
                self.out.write_all(text.as_bytes())?;
            }
            self.out.write_all(b"}\n")?;
        }
        self.out.flush()?;
        Ok(Written {
            located: self.count - self.unlocated,
            unlocated: self.unlocated,
            left_out: self.left_out,
            bbox: self.bbox,
        })
    }
}

fn write_csv_record<'a>(
    out: &mut impl Write,
    fields: impl Iterator<Item = &'a str>,
) -> io::Result<()> {
    let mut line = String::new();
    for (i, field) in fields.enumerate() {
        if i > 0 {
            line.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&field.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(field);
        }
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

/// A number as Rust's `Display` writes it (the shortest text that reads back as the same
/// number, never an exponent), or `null` when not finite.
fn push_shortest(out: &mut String, value: f64) {
    if !value.is_finite() {
        out.push_str("null");
        return;
    }
    // Ryū finds the same shortest digits (but for exact ties at magnitudes past 1e14); it
    // writes an exponent outside 1e-5..1e16 and "1.0" for whole numbers, which Display
    // writes as "1".
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(value);
    if text.contains('e') {
        use std::fmt::Write;
        write!(out, "{value}").expect("writing to a String");
    } else {
        out.push_str(text.strip_suffix(".0").unwrap_or(text));
    }
}

/// A number with at most `precision` decimals and no trailing zeros.
fn push_number(out: &mut String, value: f64, precision: usize) {
    if let Some(scale) = POWERS_OF_TEN.get(precision)
        && value.abs() < 1e15 / scale
    {
        let scaled = value.abs() * scale;
        // `{:.N}` rounds the exact binary value, halves to even; the product can differ
        // from it by an ulp, which only matters right at a half.
        if ((scaled - scaled.trunc()) - 0.5).abs() > 1e-6 {
            let units = scaled.round() as u64;
            if units == 0 {
                out.push('0');
                return;
            }
            if value < 0.0 {
                out.push('-');
            }
            let scale = *scale as u64;
            out.push_str(itoa::Buffer::new().format(units / scale));
            let mut fraction = units % scale;
            if fraction != 0 {
                let mut digits = precision;
                while fraction.is_multiple_of(10) {
                    fraction /= 10;
                    digits -= 1;
                }
                out.push('.');
                let mut buffer = itoa::Buffer::new();
                let text = buffer.format(fraction);
                for _ in text.len()..digits {
                    out.push('0');
                }
                out.push_str(text);
            }
            return;
        }
    }
    let text = format!("{value:.precision$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    out.push_str(if text == "-0" { "0" } else { text });
}

const POWERS_OF_TEN: [f64; 10] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/// `c` rounded to `precision` decimals, as every format writes coordinates.
fn round_coord(c: Coord, precision: usize) -> Coord {
    let scale = 10f64.powi(precision as i32);
    Coord {
        x: (c.x * scale).round() / scale,
        y: (c.y * scale).round() / scale,
    }
}

fn push_coord(out: &mut String, c: Coord, precision: usize, bbox: &mut Bbox, json: bool) {
    let c = round_coord(c, precision);
    bbox.add(c);
    if json {
        out.push('[');
    }
    push_number(out, c.x, precision);
    out.push(if json { ',' } else { ' ' });
    push_number(out, c.y, precision);
    if json {
        out.push(']');
    }
}

/// Writes `items` as a JSON array or a WKT list in parentheses, each one by `each`.
fn push_list<T>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
    json: bool,
    mut each: impl FnMut(&mut String, T),
) {
    out.push(if json { '[' } else { '(' });
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(if json { "," } else { ", " });
        }
        each(out, item);
    }
    out.push(if json { ']' } else { ')' });
}

fn push_ring(out: &mut String, ring: &LineString, precision: usize, bbox: &mut Bbox, json: bool) {
    push_list(out, ring.coords(), json, |out, c| {
        push_coord(out, *c, precision, bbox, json)
    });
}

fn push_polygon(
    out: &mut String,
    polygon: &Polygon,
    precision: usize,
    bbox: &mut Bbox,
    json: bool,
) {
    let rings = std::iter::once(polygon.exterior()).chain(polygon.interiors());
    push_list(out, rings, json, |out, ring| {
        push_ring(out, ring, precision, bbox, json)
    });
}

/// The GeoJSON and WKT names of the geometry types we write; `None` for the others.
fn geometry_names(geometry: &Geometry) -> Option<(&'static str, &'static str)> {
    Some(match geometry {
        Geometry::Point(_) => ("Point", "POINT"),
        Geometry::LineString(_) => ("LineString", "LINESTRING"),
        Geometry::MultiLineString(_) => ("MultiLineString", "MULTILINESTRING"),
        Geometry::Polygon(_) => ("Polygon", "POLYGON"),
        Geometry::MultiPolygon(_) => ("MultiPolygon", "MULTIPOLYGON"),
        _ => return None,
    })
}

/// Writes the coordinates of a geometry that [`geometry_names`] knows, as JSON or WKT.
fn push_coordinates(
    out: &mut String,
    geometry: &Geometry,
    precision: usize,
    bbox: &mut Bbox,
    json: bool,
) {
    match geometry {
        Geometry::Point(p) if json => push_coord(out, p.0, precision, bbox, true),
        Geometry::Point(p) => push_list(out, [p.0], false, |out, c| {
            push_coord(out, c, precision, bbox, false)
        }),
        Geometry::LineString(l) => push_ring(out, l, precision, bbox, json),
        Geometry::MultiLineString(m) => push_list(out, &m.0, json, |out, l| {
            push_ring(out, l, precision, bbox, json)
        }),
        Geometry::Polygon(p) => push_polygon(out, p, precision, bbox, json),
        Geometry::MultiPolygon(m) => push_list(out, &m.0, json, |out, p| {
            push_polygon(out, p, precision, bbox, json)
        }),
        _ => unreachable!("geometry_names filters the other types"),
    }
}

/// Writes an RFC 7946 geometry object.
fn geometry_json(geometry: &Geometry, precision: usize, out: &mut String, bbox: &mut Bbox) {
    let Some((name, _)) = geometry_names(geometry) else {
        out.push_str("{\"type\":\"GeometryCollection\",\"geometries\":[]}");
        return;
    };
    out.push_str("{\"type\":\"");
    out.push_str(name);
    out.push_str("\",\"coordinates\":");
    push_coordinates(out, geometry, precision, bbox, true);
    out.push('}');
}

/// The WKT of a geometry.
fn geometry_wkt(geometry: &Geometry, precision: usize, bbox: &mut Bbox) -> String {
    let Some((_, name)) = geometry_names(geometry) else {
        return "GEOMETRYCOLLECTION EMPTY".to_string();
    };
    let mut out = format!("{name} ");
    push_coordinates(&mut out, geometry, precision, bbox, false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point, polygon};
    use serde_json::Map;

    /// What the fast number writers must equal: Rust's own formatting.
    fn formatted(value: f64, precision: usize) -> String {
        let text = format!("{value:.precision$}");
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.')
        } else {
            &text
        };
        if text == "-0" { "0" } else { text }.to_string()
    }

    #[test]
    fn numbers_are_written_as_rust_formats_them() {
        let edge = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            2.5,
            -2.5,
            0.0000005,
            0.0000015,
            1e-7,
            -1e-7,
            37.016,
            68.65159,
            1e15,
            1e16,
            1.5e16,
            123456789.123456,
            1e-5,
            9.99999e-6,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            0.1 + 0.2,
        ];
        for value in edge {
            for precision in [0, 1, 3, 6, 9, 12] {
                let mut out = String::new();
                push_number(&mut out, value, precision);
                assert_eq!(out, formatted(value, precision), "{value} at {precision}");
            }
            let mut out = String::new();
            push_shortest(&mut out, value);
            assert_eq!(out, value.to_string(), "{value}");
        }
        let mut out = String::new();
        push_shortest(&mut out, f64::NAN);
        assert_eq!(out, "null");
    }

    proptest::proptest! {
        #[test]
        fn any_number_is_written_as_rust_formats_it(
            bits in proptest::num::u64::ANY,
            value in -1e9f64..1e9,
            precision in 0usize..12,
        ) {
            for value in [f64::from_bits(bits), value, (value * 1e6).round() / 1e6] {
                if !value.is_finite() {
                    continue;
                }
                let mut out = String::new();
                push_number(&mut out, value, precision);
                proptest::prop_assert_eq!(&out, &formatted(value, precision));
                // Where two texts are equally short and equally near (ties only at
                // magnitudes whose ulp is near 0.1), Ryū picks the even digit, Display rounds
                // up: either reads back as the same number.
                let mut out = String::new();
                push_shortest(&mut out, value);
                proptest::prop_assert_eq!(out.parse::<f64>().ok(), Some(value));
                proptest::prop_assert_eq!(out.len(), value.to_string().len());
                proptest::prop_assert!(!out.contains('e'));
            }
        }
    }

    fn feature(geometry: Geometry) -> Feature {
        let mut properties = Map::new();
        properties.insert("name".into(), Value::from("Qala-i-Zal, \"district\""));
        properties.insert("n".into(), Value::from(3));
        Feature {
            id: Some("x1".into()),
            geometry: Some(geometry),
            properties,
        }
    }

    fn render(format: Format, features: &[Feature]) -> String {
        let mut out = Vec::new();
        let mut w = FeatureWriter::new(&mut out, format, 6).unwrap();
        for f in features {
            w.write(f).unwrap();
        }
        w.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn geojson_has_bbox_rounded_coordinates_and_no_crs() {
        let text = render(
            Format::Geojson,
            &[
                feature(point!(x: 68.123456789, y: 36.9).into()),
                feature(point!(x: 70.0, y: 38.0).into()),
            ],
        );
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["bbox"], serde_json::json!([68.123457, 36.9, 70, 38]));
        assert_eq!(
            doc["features"][0]["geometry"]["coordinates"],
            serde_json::json!([68.123457, 36.9])
        );
        assert_eq!(doc["features"][0]["id"], "x1");
        assert!(doc.get("crs").is_none());
    }

    #[test]
    fn words_needing_an_escape_are_found_in_any_position() {
        for position in 0..8 {
            for special in [b'"', b'\\', 0, 0x1f, b'\n'] {
                let mut word = *b"abcdefgh";
                word[position] = special;
                assert!(word_needs_escape(u64::from_le_bytes(word)), "{word:?}");
            }
            // Neighbours of the special bytes, and bytes with the high bit set (UTF-8).
            for plain in [b'!', b'#', b'[', b']', 0x20, 0x7f, 0x80, 0xc3, 0xff] {
                let mut word = *b"abcdefgh";
                word[position] = plain;
                assert!(!word_needs_escape(u64::from_le_bytes(word)), "{word:?}");
            }
        }
        let mut out = String::new();
        push_json_string(
            &mut out,
            "Qal\u{2018}ah-ye Zal, \"post\" 1\n2 \u{1}é long enough to use words",
        );
        let parsed: String = serde_json::from_str(&out).unwrap();
        assert_eq!(
            parsed,
            "Qal\u{2018}ah-ye Zal, \"post\" 1\n2 \u{1}é long enough to use words"
        );
    }

    #[test]
    fn strings_are_escaped_as_json() {
        let mut out = String::new();
        push_json_string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0001é\"");
        let parsed: String = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed, "a\"b\\c\nd\u{1}é");
    }

    #[test]
    fn empty_collection_is_valid() {
        let doc: Value = serde_json::from_str(&render(Format::Geojson, &[])).unwrap();
        assert_eq!(doc["features"], serde_json::json!([]));
    }

    #[test]
    fn geojsonseq_is_rs_delimited() {
        let text = render(
            Format::Geojsonseq,
            &[feature(
                line_string![(x: 1.0, y: 2.0), (x: 3.0, y: 4.0)].into(),
            )],
        );
        assert!(text.starts_with('\u{1e}'));
        assert!(text.ends_with("}\n"));
        let doc: Value = serde_json::from_str(&text[1..]).unwrap();
        assert_eq!(doc["geometry"]["type"], "LineString");
    }

    #[test]
    fn features_without_geometry_are_written_null_or_left_out_and_counted() {
        let located = feature(point!(x: 70.0, y: 38.0).into());
        let unlocated = Feature {
            geometry: None,
            ..located.clone()
        };
        let write = |format: Format, located_only: bool| {
            let mut out = Vec::new();
            let mut w = FeatureWriter::new(&mut out, format, 6).unwrap();
            if located_only {
                w = w.located_only();
            }
            w.write(&unlocated).unwrap();
            w.write(&located).unwrap();
            (w.finish().unwrap(), out)
        };
        let point = Bbox([70.0, 38.0, 70.0, 38.0]);
        for format in [
            Format::Geojson,
            Format::Geojsonseq,
            Format::Csv,
            Format::Geoparquet,
        ] {
            let (written, _) = write(format, false);
            let expected = Written {
                located: 1,
                unlocated: 1,
                left_out: 0,
                bbox: point,
            };
            assert_eq!(written, expected, "{format:?}");
        }
        let (written, out) = write(Format::Geojson, false);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(r#"{"type":"Feature","id":"x1","geometry":null,"properties":"#));
        let (_, out) = write(Format::Csv, false);
        assert!(String::from_utf8(out).unwrap().contains("\n,\"Qala-i-Zal"));
        assert_eq!(written.features(), 2);
        for (format, located_only) in [(Format::Flatgeobuf, false), (Format::Geojson, true)] {
            let (written, out) = write(format, located_only);
            assert_eq!((written.located, written.unlocated), (1, 0), "{format:?}");
            assert_eq!(written.left_out, 1, "{format:?}");
            assert!(
                !String::from_utf8_lossy(&out).contains("null"),
                "{format:?}"
            );
        }
    }

    #[test]
    fn csv_has_wkt_and_quotes() {
        let poly = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)];
        let text = render(Format::Csv, &[feature(poly.into())]);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("geometry,name,n"));
        assert_eq!(
            lines.next(),
            Some("\"POLYGON ((0 0, 1 0, 1 1, 0 0))\",\"Qala-i-Zal, \"\"district\"\"\",3")
        );
    }
}
