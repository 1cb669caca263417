//! Incidents: the table analysts keep (our CSV schema, ACLED exports as they come, UCDP GED,
//! users' own CSVs), read with nothing lost: every row ends indexed (located), unlocated (kept
//! and reported) or rejected (with its reason).

pub mod date;
mod decimal;
mod geojson;
mod interner;
mod read;
mod records;
mod scan;
pub mod schema;
mod source;
pub mod tally;
mod text;

use chrono::NaiveDate;
use geo::Point;

pub use interner::Interner;
pub use read::{
    BlockSink, LoadOptions, Outcome as RowOutcome, is_csv_file, load_files, load_reader,
    load_records, stream_files, stream_reader,
};
pub use schema::{Column, ColumnMap, InputFormat};
pub use source::{BUNDLED_LABEL, BUNDLED_ORIGIN, Source};

use crate::error::Problem;

/// The bundled incidents: every incident reported in the corpus articles, hand-curated.
pub const BUNDLED_CSV: &str = include_str!("../../data/incidents.csv");

/// An interned string: categorical columns (event type, actors, places) repeat a lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sym(u32);

/// A string kept in the table's text arena (ids, notes, URLs, evidence, extra columns): one
/// allocation for all rows instead of one per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Text(u64);

/// The longest single field kept, in bytes (24 bits of a [`Text`]).
pub const MAX_FIELD_BYTES: usize = (1 << 24) - 1;

impl Text {
    /// Appends `s` to `arena`; None when `s` is longer than [`MAX_FIELD_BYTES`].
    pub(crate) fn push(arena: &mut String, s: &str) -> Option<Text> {
        if s.is_empty() {
            return Some(Text(0));
        }
        if s.len() > MAX_FIELD_BYTES {
            return None;
        }
        let start = arena.len() as u64;
        arena.push_str(s);
        Some(Text(start << 24 | s.len() as u64))
    }

    pub(crate) fn range(self) -> std::ops::Range<usize> {
        let start = (self.0 >> 24) as usize;
        start..start + (self.0 & MAX_FIELD_BYTES as u64) as usize
    }

    /// The same text after its arena was appended at `base` of another.
    pub(crate) fn shifted(self, base: usize) -> Text {
        if self.0 == 0 {
            self
        } else {
            Text(self.0 + ((base as u64) << 24))
        }
    }
}

/// One incident. Categorical fields are [`Sym`]s and free text is [`Text`] of the owning
/// [`IncidentTable`]; read them with [`IncidentTable::text`] and [`IncidentTable::str`].
#[derive(Debug, Clone)]
pub struct Incident {
    /// ACLED event_id_cnty (or the input's id).
    pub id: Text,
    /// None when the date is unknown.
    pub date: Option<NaiveDate>,
    /// ACLED time_precision: 1 day, 2 week, 3 month.
    pub time_precision: Option<u8>,
    /// ACLED event_type, e.g. Battles.
    pub event_type: Sym,
    /// ACLED sub_event_type, e.g. Armed clash.
    pub sub_event_type: Sym,
    /// The first actor.
    pub actor1: Sym,
    /// The second actor.
    pub actor2: Sym,
    /// Country name.
    pub country: Sym,
    /// Province.
    pub admin1: Sym,
    /// District.
    pub admin2: Sym,
    /// The place named by the source.
    pub location: Sym,
    /// WGS84 degrees; NaN when unlocated.
    pub lat: f64,
    /// WGS84 degrees; NaN when unlocated.
    pub lon: f64,
    /// ACLED geo_precision: 1 exact, 2 near/district, 3 province/region.
    pub geo_precision: Option<u8>,
    /// None when the source gives no count.
    pub fatalities: Option<u32>,
    /// The source's account.
    pub notes: Text,
    /// The source (outlet) name.
    pub source: Sym,
    /// A link to the source, when given.
    pub source_url: Text,
    /// The sentence a drafted incident was read from.
    pub evidence: Text,
    /// The coordinates came from the geocoder, not the input.
    pub geocoded: bool,
    /// Columns of the input that the schema does not name, as (column index in
    /// [`IncidentTable::extra_columns`], value).
    pub extra: Vec<(u16, Text)>,
    /// Where the row came from: file index in [`IncidentTable::files`], line, and the byte
    /// offset of its record in the file (CSV input read as it is).
    pub file: u16,
    /// The 1-based line of the record's first byte.
    pub line: u64,
    /// The byte offset of the record in its file.
    pub offset: u64,
}

impl Incident {
    /// The point, when located.
    pub fn point(&self) -> Option<Point> {
        (self.lat.is_finite() && self.lon.is_finite()).then(|| Point::new(self.lon, self.lat))
    }
}

/// Why a row is not indexed.
#[derive(Debug, Clone, PartialEq)]
pub struct NotIndexed {
    /// The reason, at its file, line and field.
    pub problem: Problem,
    /// The row as read, field by field, for the rejects file.
    pub raw: Vec<String>,
    /// File index in [`IncidentTable::files`].
    pub file: u16,
}

/// Incidents read from one or more files, with the account of every row.
#[derive(Debug, Clone, Default)]
pub struct IncidentTable {
    pub(crate) rows: Vec<Incident>,
    pub(crate) strings: Interner,
    pub(crate) arena: String,
    pub(crate) extra_columns: Vec<String>,
    pub(crate) files: Vec<String>,
    /// Header of each file, for the rejects file.
    pub(crate) headers: Vec<Vec<String>>,
    pub(crate) rejected: Vec<NotIndexed>,
    pub(crate) unlocated: Vec<Problem>,
    pub(crate) read: usize,
    /// Rows handed to a streaming sink and no longer held.
    pub(crate) streamed_indexed: usize,
    pub(crate) streamed_unlocated: usize,
}

/// Row counts: `read == indexed + unlocated + rejected` always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Rows read.
    pub read: usize,
    /// Rows with a point, in the index.
    pub indexed: usize,
    /// Rows kept without a point (no coordinates, not geocoded).
    pub unlocated: usize,
    /// Rows refused (a bad field).
    pub rejected: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} read = {} indexed + {} unlocated + {} rejected",
            self.read, self.indexed, self.unlocated, self.rejected
        )
    }
}

impl IncidentTable {
    /// The incidents of `data/incidents.csv`, compiled into the binary.
    ///
    /// ```
    /// let table = borderwatch::incidents::IncidentTable::bundled();
    /// let counts = table.counts();
    /// assert_eq!(counts.rejected, 0);
    /// assert!(counts.indexed >= 6);
    /// ```
    ///
    /// # Panics
    ///
    /// Only if the bundled incident file did not load (it is built in and tested).
    pub fn bundled() -> IncidentTable {
        Source::default()
            .load()
            .expect("the bundled incidents are valid (checked by tests)")
    }

    /// The account of the read when some rows were not indexed (`7 read = 6 indexed + 1
    /// unlocated + 0 rejected`), for a line on stderr; None when every row was.
    pub fn account(&self) -> Option<String> {
        let counts = self.counts();
        (counts.unlocated + counts.rejected > 0).then(|| counts.to_string())
    }

    /// All kept rows (located and unlocated), in input order.
    pub fn rows(&self) -> &[Incident] {
        &self.rows
    }

    /// The text of a symbol.
    pub fn text(&self, sym: Sym) -> &str {
        self.strings.get(sym)
    }

    /// A string of the text arena.
    pub fn str(&self, text: Text) -> &str {
        &self.arena[text.range()]
    }

    /// The names of the input columns kept as extras.
    pub fn extra_columns(&self) -> &[String] {
        &self.extra_columns
    }

    /// The input files, in the order read.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Rows that were rejected, with reasons.
    pub fn rejected(&self) -> &[NotIndexed] {
        &self.rejected
    }

    /// Why each unlocated row has no point.
    pub fn unlocated(&self) -> &[Problem] {
        &self.unlocated
    }

    /// The account of every row read.
    pub fn counts(&self) -> Counts {
        let unlocated = self.rows.iter().filter(|r| r.point().is_none()).count();
        Counts {
            read: self.read,
            indexed: self.rows.len() - unlocated + self.streamed_indexed,
            unlocated: unlocated + self.streamed_unlocated,
            rejected: self.rejected.len(),
        }
    }

    /// The header of the file a row came from.
    pub fn header(&self, file: u16) -> &[String] {
        &self.headers[file as usize]
    }
}

/// One value of an incident field, typed for JSON and GeoJSON and printable for CSV.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Text (CSV as it is, JSON string).
    Text(&'a str),
    /// A day, written YYYY-MM-DD.
    Date(NaiveDate),
    /// A number with a fraction.
    Number(f64),
    /// A count.
    Count(u64),
    /// true or false.
    Bool(bool),
    /// No value (empty in CSV, null in JSON).
    Null,
}

impl Value<'_> {
    /// As a JSON value: numbers as numbers, unknown as null.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(s) => serde_json::Value::from(*s),
            Value::Date(d) => serde_json::Value::from(d.to_string()),
            Value::Number(x) => serde_json::Number::from_f64(*x)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Count(n) => serde_json::Value::from(*n),
            Value::Bool(b) => serde_json::Value::from(*b),
            Value::Null => serde_json::Value::Null,
        }
    }

    /// As CSV text: unknown as empty.
    pub fn to_text(&self) -> String {
        match self {
            Value::Text(s) => s.to_string(),
            Value::Date(d) => d.to_string(),
            Value::Number(x) => x.to_string(),
            Value::Count(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => String::new(),
        }
    }
}

impl IncidentTable {
    /// Every schema column of a row with its value, in [`Column::ALL`] order, followed by
    /// the extra columns of the input (empty where a row's file had none).
    ///
    /// ```
    /// use borderwatch::incidents::{IncidentTable, Value};
    /// let table = IncidentTable::bundled();
    /// let fields = table.fields(&table.rows()[0]);
    /// assert_eq!(fields[0], ("event_id_cnty", Value::Text("BW-AFG-0001")));
    /// assert_eq!(fields[1], ("event_date", Value::Null));
    /// ```
    pub fn fields<'a>(&'a self, row: &'a Incident) -> Vec<(&'a str, Value<'a>)> {
        let mut fields = Vec::with_capacity(self.field_count());
        self.fields_into(row, &mut fields);
        fields
    }

    /// How many fields [`IncidentTable::fields`] gives a row: the schema's columns and the
    /// extra columns of the input.
    ///
    /// ```
    /// use borderwatch::incidents::IncidentTable;
    /// let table = IncidentTable::bundled();
    /// assert_eq!(table.field_count(), table.fields(&table.rows()[0]).len());
    /// ```
    pub fn field_count(&self) -> usize {
        Column::ALL.len() + self.extra_columns.len()
    }

    /// Appends the fields of [`IncidentTable::fields`] to `fields`: for a caller that adds
    /// its own after them without the vector growing again.
    ///
    /// ```
    /// use borderwatch::incidents::{IncidentTable, Value};
    /// let table = IncidentTable::bundled();
    /// let row = &table.rows()[0];
    /// let mut fields = Vec::with_capacity(table.field_count() + 1);
    /// table.fields_into(row, &mut fields);
    /// fields.push(("derived", Value::Bool(true)));
    /// assert_eq!(fields[..table.field_count()], table.fields(row)[..]);
    /// ```
    pub fn fields_into<'a>(&'a self, row: &'a Incident, fields: &mut Vec<(&'a str, Value<'a>)>) {
        let text = |sym: Sym| Value::Text(self.text(sym));
        let optional = |v: Option<u64>| v.map_or(Value::Null, Value::Count);
        let coordinate = |x: f64| {
            if x.is_finite() {
                Value::Number(x)
            } else {
                Value::Null
            }
        };
        fields.extend(Column::ALL.iter().map(|&c| {
            let value = match c {
                Column::Id => Value::Text(self.str(row.id)),
                Column::Date => row.date.map_or(Value::Null, Value::Date),
                Column::TimePrecision => optional(row.time_precision.map(u64::from)),
                Column::EventType => text(row.event_type),
                Column::SubEventType => text(row.sub_event_type),
                Column::Actor1 => text(row.actor1),
                Column::Actor2 => text(row.actor2),
                Column::Country => text(row.country),
                Column::Admin1 => text(row.admin1),
                Column::Admin2 => text(row.admin2),
                Column::Location => text(row.location),
                Column::Latitude => coordinate(row.lat),
                Column::Longitude => coordinate(row.lon),
                Column::GeoPrecision => optional(row.geo_precision.map(u64::from)),
                Column::Fatalities => optional(row.fatalities.map(u64::from)),
                Column::Notes => Value::Text(self.str(row.notes)),
                Column::Source => text(row.source),
                Column::SourceUrl => Value::Text(self.str(row.source_url)),
                Column::Evidence => Value::Text(self.str(row.evidence)),
                Column::Geocoded => Value::Bool(row.geocoded),
            };
            (c.name(), value)
        }));
        for (slot, name) in self.extra_columns.iter().enumerate() {
            let value = row
                .extra
                .iter()
                .find(|(s, _)| *s as usize == slot)
                .map_or(Value::Text(""), |(_, v)| Value::Text(self.str(*v)));
            fields.push((name.as_str(), value));
        }
    }
}
