//! Reading incident CSVs: delimiter and header detection, value checks, geocoding of rows
//! without coordinates, and the account of every row.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::date::parse_date;
use super::schema::{Column, ColumnMap, InputFormat};
use super::{Incident, IncidentTable, NotIndexed};
use crate::error::{Error, Problem};
use crate::gazetteer::Kind;
use crate::geocode::{Geocoder, Options as GeocodeOptions, Status};

/// How to read incident files.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// `--columns` pairs: (schema key such as `lat`, the file's header).
    pub columns: Vec<(String, String)>,
    pub format: InputFormat,
    /// Geocode rows that have a location but no coordinates.
    pub geocode: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            columns: Vec::new(),
            format: InputFormat::Auto,
            geocode: true,
        }
    }
}

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Indexed,
    Unlocated,
    Rejected,
}

/// The region of interest, for the swapped-coordinates check: lon 60–76, lat 34–41.5.
const REGION: (f64, f64, f64, f64) = (60.0, 34.0, 76.0, 41.5);

fn in_region(lat: f64, lon: f64) -> bool {
    (REGION.0..=REGION.2).contains(&lon) && (REGION.1..=REGION.3).contains(&lat)
}

/// Reads incident files into one table. A file that cannot be read at all (missing, empty,
/// no usable header) is an error; bad rows are rejected with reasons and reading goes on.
pub fn load_files(
    paths: &[impl AsRef<Path>],
    options: &LoadOptions,
) -> Result<IncidentTable, Error> {
    let mut loader = Loader::new(options);
    for path in paths {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        loader.add(file, &path.display().to_string())?;
    }
    Ok(loader.table)
}

/// Reads incidents from any reader; `origin` names it in messages.
pub fn load_reader<R: Read>(
    reader: R,
    origin: &str,
    options: &LoadOptions,
) -> Result<IncidentTable, Error> {
    let mut loader = Loader::new(options);
    loader.add(reader, origin)?;
    Ok(loader.table)
}

struct Loader<'o> {
    options: &'o LoadOptions,
    table: IncidentTable,
    /// Hash of each id → row, to find duplicates without storing the ids twice.
    ids: HashMap<u64, u32>,
}

fn id_hash(id: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// The delimiter of a header line: the most frequent of , ; tab | outside quotes.
fn sniff_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            b'|' if !quoted => counts[3] += 1,
            _ => {}
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], 4 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t', b'|'][best]
    }
}

impl<'o> Loader<'o> {
    fn new(options: &'o LoadOptions) -> Loader<'o> {
        Loader {
            options,
            table: IncidentTable::default(),
            ids: HashMap::new(),
        }
    }

    fn add<R: Read>(&mut self, reader: R, origin: &str) -> Result<(), Error> {
        let invalid = |line: u64, field: &str, message: String| {
            Error::Invalid(vec![Problem::new(origin, line, field, &message)])
        };
        let mut reader = BufReader::with_capacity(1 << 20, reader);
        let head = reader
            .fill_buf()
            .map_err(|e| Error::io(Path::new(origin), e))?;
        if head.is_empty() {
            return Err(invalid(
                1,
                "header",
                "empty file: expected a header row".into(),
            ));
        }
        let first_line = head.split(|&b| b == b'\n').next().unwrap_or(head);
        let delimiter = sniff_delimiter(first_line);
        let crlf = crate::error::starts_with_crlf_line(head);
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(reader);
        let header: Vec<String> = csv
            .byte_headers()
            .map_err(|e| Error::Invalid(vec![Problem::from_csv(origin, &e)]))?
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_string()
            })
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(invalid(1, "header", "empty header row".into()));
        }
        let names: Vec<&str> = header.iter().map(String::as_str).collect();
        let map = ColumnMap::new(&names, &self.options.columns, self.options.format)
            .map_err(|m| invalid(1, "header", m))?;
        let has_point =
            map.index(Column::Latitude).is_some() && map.index(Column::Longitude).is_some();
        let has_place = [Column::Location, Column::Admin2, Column::Admin1]
            .iter()
            .any(|c| map.index(*c).is_some());
        if !has_point && !has_place {
            let hint = if delimiter == b',' && header.len() == 1 && header[0].contains(';') {
                " (is the file separated by something else than commas?)"
            } else {
                ""
            };
            return Err(invalid(
                1,
                "header",
                format!(
                    "no latitude/longitude and no location column among: {}{hint}; \
                     name yours with --columns lat=COLUMN,lon=COLUMN",
                    header.join(", ")
                ),
            ));
        }
        let file = u16::try_from(self.table.files.len())
            .map_err(|_| Error::Usage("too many input files (at most 65535)".into()))?;
        self.table.files.push(origin.to_string());
        let extra_slots: Vec<(usize, u16)> = map
            .extras
            .iter()
            .map(|(input, name)| {
                let slot = match self.table.extra_columns.iter().position(|c| c == name) {
                    Some(i) => i,
                    None => {
                        self.table.extra_columns.push(name.clone());
                        self.table.extra_columns.len() - 1
                    }
                };
                (*input, slot as u16)
            })
            .collect();
        let width = header.len();
        self.table.headers.push(header);
        let mut record = csv::ByteRecord::new();
        loop {
            match csv.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    // An I/O error or similar mid-file: the rest cannot be read.
                    return Err(Error::Invalid(vec![Problem::from_csv(origin, &e)]));
                }
            }
            let line = crate::error::record_line(record.position(), crlf);
            self.table.read += 1;
            self.row(&record, &map, &extra_slots, width, file, origin, line);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        record: &csv::ByteRecord,
        map: &ColumnMap,
        extra_slots: &[(usize, u16)],
        width: usize,
        file: u16,
        origin: &str,
        line: u64,
    ) {
        let reject = |table: &mut IncidentTable, field: &str, message: String| {
            table.rejected.push(NotIndexed {
                problem: Problem::new(origin, line, field, &message),
                raw: record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
                file,
            });
        };
        if record.len() != width {
            let message = format!("expected {width} fields, found {}", record.len());
            return reject(&mut self.table, "row", message);
        }
        let mut fields: Vec<&str> = Vec::with_capacity(width);
        for (i, raw) in record.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(s) => fields.push(s.trim()),
                Err(_) => {
                    let name = self.table.headers[file as usize][i].clone();
                    return reject(&mut self.table, &name, "invalid UTF-8".into());
                }
            }
        }
        let get = |c: Column| map.index(c).map_or("", |i| fields[i]);
        match self.parse(&get, map, origin, line) {
            Ok(mut incident) => {
                incident.file = file;
                incident.line = line;
                incident.extra = extra_slots
                    .iter()
                    .filter(|(i, _)| !fields[*i].is_empty())
                    .map(|(i, slot)| (*slot, fields[*i].into()))
                    .collect();
                let hash = id_hash(&incident.id);
                if let Some(&first) = self.ids.get(&hash) {
                    let first = &self.table.rows[first as usize];
                    if first.id == incident.id {
                        let message = format!(
                            "duplicate id {:?} (first at {}:{})",
                            incident.id, self.table.files[first.file as usize], first.line
                        );
                        return reject(&mut self.table, Column::Id.name(), message);
                    }
                }
                self.ids.insert(hash, self.table.rows.len() as u32);
                if incident.point().is_none() {
                    let problem = self.locate(&mut incident, origin, line);
                    if let Some(problem) = problem {
                        self.table.unlocated.push(problem);
                    }
                }
                self.table.rows.push(incident);
            }
            Err((column, message)) => reject(&mut self.table, column, message),
        }
    }

    /// Parses one row's values; an error names the field.
    fn parse<'f>(
        &mut self,
        get: &dyn Fn(Column) -> &'f str,
        map: &ColumnMap,
        origin: &str,
        line: u64,
    ) -> Result<Incident, (&'static str, String)> {
        let field = |c: Column| c.name();
        let (lat, lon) = parse_point(
            get(Column::Latitude),
            get(Column::Longitude),
            get(Column::Country),
        )?;
        let (date, implied_precision) = match parse_date(get(Column::Date)) {
            Ok(Some((d, p))) => (Some(d), Some(p)),
            Ok(None) => (None, None),
            Err(m) => return Err((field(Column::Date), m)),
        };
        let time_precision =
            match parse_small(get(Column::TimePrecision), if map.ucdp { 5 } else { 3 }) {
                Ok(Some(p)) if map.ucdp => Some(p.min(3)),
                Ok(Some(p)) => Some(p),
                Ok(None) => implied_precision,
                Err(m) => return Err((field(Column::TimePrecision), m)),
            };
        let geo_precision =
            match parse_small(get(Column::GeoPrecision), if map.ucdp { 7 } else { 3 }) {
                Ok(Some(p)) if map.ucdp => Some(match p {
                    1 => 1,
                    2 | 3 => 2,
                    _ => 3,
                }),
                Ok(p) => p,
                Err(m) => return Err((field(Column::GeoPrecision), m)),
            };
        let fatalities =
            parse_count(get(Column::Fatalities)).map_err(|m| (field(Column::Fatalities), m))?;
        let (event_type, sub_event_type) = if map.ucdp {
            match get(Column::EventType) {
                "1" => ("Battles", "State-based conflict"),
                "2" => ("Battles", "Non-state conflict"),
                "3" => ("Violence against civilians", "One-sided violence"),
                other => (other, get(Column::SubEventType)),
            }
        } else {
            (get(Column::EventType), get(Column::SubEventType))
        };
        let id = match get(Column::Id) {
            "" => format!("{}:{line}", file_stem(origin)),
            id => id.to_string(),
        };
        let s = &mut self.table.strings;
        Ok(Incident {
            id: id.into(),
            date,
            time_precision: time_precision.filter(|_| date.is_some()),
            event_type: s.intern(event_type),
            sub_event_type: s.intern(sub_event_type),
            actor1: s.intern(get(Column::Actor1)),
            actor2: s.intern(get(Column::Actor2)),
            country: s.intern(get(Column::Country)),
            admin1: s.intern(get(Column::Admin1)),
            admin2: s.intern(get(Column::Admin2)),
            location: s.intern(get(Column::Location)),
            lat: lat.unwrap_or(f64::NAN),
            lon: lon.unwrap_or(f64::NAN),
            geo_precision,
            fatalities,
            notes: get(Column::Notes).into(),
            source: s.intern(get(Column::Source)),
            source_url: get(Column::SourceUrl).into(),
            evidence: get(Column::Evidence).into(),
            geocoded: false,
            extra: Vec::new(),
            file: 0,
            line,
        })
    }

    /// Geocodes a row without coordinates from its location, district or province. Returns
    /// why it stays unlocated, if it does.
    fn locate(&mut self, incident: &mut Incident, origin: &str, line: u64) -> Option<Problem> {
        let text = |sym| self.table.strings.get(sym).to_string();
        let (location, admin2, admin1, country) = (
            text(incident.location),
            text(incident.admin2),
            text(incident.admin1),
            text(incident.country),
        );
        let attempts = [
            (
                Column::Location,
                location.clone(),
                vec![admin2.clone(), admin1.clone(), country.clone()],
            ),
            (
                Column::Admin2,
                if admin2.is_empty() {
                    String::new()
                } else {
                    format!("{admin2} district")
                },
                vec![admin1.clone(), country.clone()],
            ),
            (
                Column::Admin1,
                if admin1.is_empty() {
                    String::new()
                } else {
                    format!("{admin1} province")
                },
                vec![country.clone()],
            ),
        ];
        let Some((column, query, context)) = attempts.into_iter().find(|(_, q, _)| !q.is_empty())
        else {
            return Some(Problem::new(
                origin,
                line,
                "latitude/longitude",
                "no coordinates and no location, admin2 or admin1 to geocode",
            ));
        };
        if !self.options.geocode {
            return Some(Problem::new(
                origin,
                line,
                "latitude/longitude",
                "no coordinates (geocoding is off)",
            ));
        }
        let options = GeocodeOptions {
            context: context.into_iter().filter(|c| !c.is_empty()).collect(),
            ..GeocodeOptions::default()
        };
        let outcome = Geocoder::bundled().geocode(&query, &options);
        let best = outcome.candidates.first();
        if best.is_some_and(|c| c.kind == Kind::Country) {
            return Some(Problem::new(
                origin,
                line,
                column.name(),
                &format!("{query:?} names only a country: too coarse to place"),
            ));
        }
        match (outcome.status, best) {
            (Status::Resolved, Some(best)) => {
                incident.lat = best.lat;
                incident.lon = best.lon;
                incident.geo_precision =
                    Some(incident.geo_precision.unwrap_or(1).max(best.precision));
                incident.geocoded = true;
                None
            }
            (Status::Ambiguous, _) => Some(Problem::new(
                origin,
                line,
                column.name(),
                &format!(
                    "{query:?} is ambiguous: {}",
                    outcome.note.unwrap_or_default()
                ),
            )),
            _ => Some(Problem::new(
                origin,
                line,
                column.name(),
                &format!("{query:?} was not found in the gazetteer"),
            )),
        }
    }
}

fn file_stem(origin: &str) -> String {
    Path::new(origin)
        .file_stem()
        .map_or_else(|| origin.to_string(), |s| s.to_string_lossy().into_owned())
}

type FieldError = (&'static str, String);

/// Parses the coordinates of a row: both or neither, in range, not swapped.
fn parse_point(
    lat: &str,
    lon: &str,
    country: &str,
) -> Result<(Option<f64>, Option<f64>), FieldError> {
    let parsed_lat = parse_coordinate(lat, 90.0, "latitude");
    let parsed_lon = parse_coordinate(lon, 180.0, "longitude");
    // |latitude| > 90 with a longitude that would be a fine latitude: swapped columns.
    if let (Err(_), Ok(Some(lo)), Ok(la)) = (&parsed_lat, &parsed_lon, lat.trim().parse::<f64>())
        && la.abs() <= 180.0
        && lo.abs() <= 90.0
    {
        return Err((
            "latitude",
            format!(
                "{la} is outside -90..90 and longitude {lo} would be a latitude: are latitude and longitude swapped?"
            ),
        ));
    }
    let lat = parsed_lat.map_err(|m| ("latitude", m))?;
    let lon = parsed_lon.map_err(|m| ("longitude", m))?;
    match (lat, lon) {
        (None, None) => Ok((None, None)),
        (Some(_), None) => Err(("longitude", "missing while latitude is given".into())),
        (None, Some(_)) => Err(("latitude", "missing while longitude is given".into())),
        (Some(la), Some(lo)) => {
            if la == 0.0 && lo == 0.0 {
                return Err((
                    "latitude/longitude",
                    "0,0 is not a place here (a placeholder?): leave both empty when unknown"
                        .into(),
                ));
            }
            let ours = matches!(
                country.to_lowercase().as_str(),
                "afghanistan" | "tajikistan" | "af" | "tj" | "afg" | "tjk" | "4" | "762"
            );
            if ours && !in_region(la, lo) && in_region(lo, la) {
                return Err((
                    "latitude/longitude",
                    format!(
                        "({la}, {lo}) lies outside the region but ({lo}, {la}) is in it: are latitude and longitude swapped?"
                    ),
                ));
            }
            Ok((Some(la), Some(lo)))
        }
    }
}

fn parse_coordinate(text: &str, limit: f64, name: &str) -> Result<Option<f64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let value: f64 = match text.parse() {
        Ok(v) => v,
        Err(_) => {
            if text.contains(',') && text.replacen(',', ".", 1).parse::<f64>().is_ok() {
                return Err(format!(
                    "{text:?} uses a decimal comma: write {}",
                    text.replacen(',', ".", 1)
                ));
            }
            return Err(format!("not a number: {text:?}"));
        }
    };
    if !value.is_finite() {
        return Err(format!("{text:?} is not a coordinate"));
    }
    if value.abs() > limit {
        return Err(format!("{name} {value} is outside -{limit}..{limit}"));
    }
    Ok(Some(value))
}

fn parse_small(text: &str, max: u8) -> Result<Option<u8>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u8>() {
        Ok(v) if (1..=max).contains(&v) => Ok(Some(v)),
        _ => Err(format!(
            "expected a whole number from 1 to {max}, got {text:?}"
        )),
    }
}

fn parse_count(text: &str) -> Result<Option<u32>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(n) = text.parse::<u32>() {
        return Ok(Some(n));
    }
    match text.parse::<f64>() {
        Ok(v) if v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => Ok(Some(v as u32)),
        _ => Err(format!("not a count of people: {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn load(text: &str) -> IncidentTable {
        load_reader(text.as_bytes(), "t.csv", &LoadOptions::default()).unwrap()
    }

    fn reasons(table: &IncidentTable) -> Vec<String> {
        table
            .rejected()
            .iter()
            .map(|r| r.problem.to_string())
            .collect()
    }

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter(b"a;b;c"), b';');
        assert_eq!(sniff_delimiter(b"a\tb"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c"), b',');
        assert_eq!(sniff_delimiter(b"abc"), b',');
    }

    #[test]
    fn rows_are_counted_and_checked() {
        let table = load(
            "event_id_cnty,event_date,latitude,longitude,fatalities,location,country\n\
             A1,2020-11-19,38.4,71.0,3,,Afghanistan\n\
             A2,2020-13-01,38.4,71.0,,,Afghanistan\n\
             A3,2020-11-19,95,71.0,,,Afghanistan\n\
             A4,2020-11-19,68.9,37.2,,,Afghanistan\n\
             A5,2020-11-19,\"38,4\",71.0,,,Afghanistan\n\
             A6,2020-11-19,NaN,71.0,,,Afghanistan\n\
             A1,2020-11-19,38.4,71.0,,,Afghanistan\n\
             A7,,,,,Kevron,Tajikistan\n\
             A8,,,,,Fayzabad,\n\
             A9,2020-11-19,38.4\n\
             A10,2020-11-19,38.4,71.0,-2,,\n",
        );
        let counts = table.counts();
        assert_eq!(counts.read, 11);
        assert_eq!(
            counts.read,
            counts.indexed + counts.unlocated + counts.rejected
        );
        assert_eq!(
            (counts.indexed, counts.unlocated, counts.rejected),
            (2, 1, 8)
        );
        let reasons = reasons(&table);
        assert_eq!(
            reasons[0],
            "t.csv:3: event_date: not a date: \"2020-13-01\" (use YYYY-MM-DD, \"19 November 2020\", or YYYY-MM for a month; leave it empty when unknown)"
        );
        assert_eq!(
            reasons[1],
            "t.csv:4: latitude: 95 is outside -90..90 and longitude 71 would be a latitude: are latitude and longitude swapped?"
        );
        assert_eq!(
            reasons[2],
            "t.csv:5: latitude/longitude: (68.9, 37.2) lies outside the region but (37.2, 68.9) is in it: are latitude and longitude swapped?"
        );
        assert_eq!(
            reasons[3],
            "t.csv:6: latitude: \"38,4\" uses a decimal comma: write 38.4"
        );
        assert_eq!(reasons[4], "t.csv:7: latitude: \"NaN\" is not a coordinate");
        assert_eq!(
            reasons[5],
            "t.csv:8: event_id_cnty: duplicate id \"A1\" (first at t.csv:2)"
        );
        assert_eq!(reasons[6], "t.csv:11: row: expected 7 fields, found 3");
        assert_eq!(
            reasons[7],
            "t.csv:12: fatalities: not a count of people: \"-2\""
        );
        let kevron = table.rows().iter().find(|r| &*r.id == "A7").unwrap();
        assert!(kevron.geocoded);
        assert_eq!(kevron.geo_precision, Some(2));
        assert!(
            table.unlocated()[0]
                .to_string()
                .starts_with("t.csv:10: location: \"Fayzabad\" is ambiguous")
        );
    }

    #[test]
    fn semicolons_bom_and_crlf_are_read() {
        let table =
            load("\u{feff}id;lat;lon;date\r\nX;37,5;69,1;2021-01-02\r\nY;37.5;69.1;2021-01-02\r\n");
        assert_eq!(table.counts().read, 2);
        assert_eq!(table.counts().indexed, 1);
        assert_eq!(table.rows()[0].date, Some(ymd(2021, 1, 2)));
    }

    #[test]
    fn unknown_dates_stay_unknown() {
        let table = load("id,lat,lon,date,time_precision\nX,37.5,69.1,,\n");
        assert_eq!(table.rows()[0].date, None);
        assert_eq!(table.rows()[0].time_precision, None);
    }

    #[test]
    fn extra_columns_are_kept() {
        let table = load("id,lat,lon,tags,inter1\nX,37.5,69.1,\"a, b\",3\n");
        assert_eq!(table.extra_columns(), ["tags", "inter1"]);
        assert_eq!(
            table.rows()[0].extra,
            vec![(0, "a, b".into()), (1, "3".into())]
        );
    }

    #[test]
    fn ucdp_values_are_mapped() {
        let table = load(
            "id,type_of_violence,side_a,side_b,where_prec,date_prec,date_start,latitude,longitude,best\n\
             1,1,Government of Tajikistan,IS,4,2,2019-11-06,38.0,68.6,17\n",
        );
        let row = &table.rows()[0];
        assert_eq!(table.text(row.event_type), "Battles");
        assert_eq!(row.geo_precision, Some(3));
        assert_eq!(row.time_precision, Some(2));
        assert_eq!(row.fatalities, Some(17));
        assert_eq!(table.text(row.actor1), "Government of Tajikistan");
    }

    #[test]
    fn files_without_usable_columns_are_errors() {
        let err =
            load_reader("a,b\n1,2\n".as_bytes(), "t.csv", &LoadOptions::default()).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "t.csv:1: header: no latitude/longitude and no location column among: a, b"
            ),
            "{err}"
        );
        let err = load_reader("".as_bytes(), "t.csv", &LoadOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:1: header: empty file: expected a header row"
        );
    }

    #[test]
    fn invalid_utf8_rejects_the_row_only() {
        let mut text = b"id,lat,lon,notes\nX,37.5,69.1,ok\nY,37.5,69.1,".to_vec();
        text.extend([0xff, 0xfe, b'\n']);
        let table = load_reader(&text[..], "t.csv", &LoadOptions::default()).unwrap();
        assert_eq!(table.counts().indexed, 1);
        assert_eq!(reasons(&table), ["t.csv:3: notes: invalid UTF-8"]);
    }
}
