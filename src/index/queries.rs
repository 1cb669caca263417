//! Query points of `near`-style questions: a query file (id,lat,lon or id,place, header
//! names as for incidents) and the wording of a place that the geocoder cannot settle.

use std::path::Path;

use geo::Point;

use crate::error::{Error, LineCounter, Problem};
use crate::spatial::parse_lat_lon;

/// One query point of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The query's id: the file's id column, else its line number.
    pub id: String,
    /// Where to search around.
    pub center: Point,
}

/// What the geocoder's note on an ambiguous name advises; [`ambiguity_with_advice`] puts the
/// caller's own advice in its place.
const GEOCODER_ADVICE: &str = "add context (a province, --country, --near)";

/// The geocoder's note on an ambiguous name with its closing advice replaced by `advice`
/// (what the caller's user can do to settle it).
pub fn ambiguity_with_advice(note: &str, advice: &str) -> String {
    note.replace(GEOCODER_ADVICE, advice)
}

/// Queries per run: their hits are gathered in memory, so a run stops well before it fills it.
pub const MAX_QUERIES: usize = 10_000_000;

/// The largest query file read: room for the most queries a run answers with long ids, far
/// short of straining memory (the file is read whole).
pub const MAX_QUERY_FILE_BYTES: u64 = 1 << 30;

/// A query file as read: the queries that can be answered, and a problem for each row that
/// cannot (at its line and field), so that one bad row does not hold up the others.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryFile {
    /// The rows that give a point, in file order.
    pub queries: Vec<Query>,
    /// The rows that do not: malformed, out of range, or a place that is unknown or
    /// ambiguous.
    pub problems: Vec<Problem>,
}

/// Reads a query file: id,lat,lon or id,place (header names as for incidents); `resolve`
/// gives the point of a place name (its error is reported at the row's `place` field).
///
/// # Errors
///
/// A file that cannot be read, is too large, or has no usable header. Bad rows are not
/// errors: they are the [`QueryFile::problems`].
pub fn read_queries(
    path: &Path,
    mut resolve: impl FnMut(&str) -> Result<Point, Error>,
) -> Result<QueryFile, Error> {
    let origin = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size > MAX_QUERY_FILE_BYTES {
        return Err(Error::Usage(format!(
            "{origin}: larger than {} MB: not a query file of at most {MAX_QUERIES} queries (split it)",
            MAX_QUERY_FILE_BYTES >> 20
        )));
    }
    let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    refuse_too_many_queries(&text, &origin)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(&text[..]);
    let mut lines = LineCounter::new(&text, 1);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Invalid(vec![Problem::from_csv(&origin, &e)]))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let id = find(&["id", "query_id", "qid", "name"]);
    let lat = find(&["lat", "latitude", "y"]);
    let lon = find(&["lon", "lng", "long", "longitude", "x"]);
    let place = find(&["place", "location", "village", "town"]);
    if (lat.is_none() || lon.is_none()) && place.is_none() {
        return Err(Error::Invalid(vec![Problem::new(
            &origin,
            1,
            "header",
            &format!(
                "expected columns id,lat,lon or id,place; found: {}",
                header.join(", ")
            ),
        )]));
    }
    let mut queries = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem::from_csv(&origin, &e));
                continue;
            }
        };
        let line = lines.line_at(record.position().map_or(0, |p| p.byte() as usize));
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
        let query_id = match field(id) {
            "" => format!("{line}"),
            s => s.to_string(),
        };
        let center = if !field(lat).is_empty() || place.is_none() {
            parse_lat_lon(&format!("{},{}", field(lat), field(lon)))
                .map_err(|m| ("lat/lon", m.to_string()))
        } else {
            resolve(field(place)).map_err(|e| ("place", e.to_string()))
        };
        match center {
            Ok(center) => queries.push(Query {
                id: query_id,
                center,
            }),
            Err((name, message)) => problems.push(Problem::new(&origin, line, name, &message)),
        }
    }
    Ok(QueryFile { queries, problems })
}

/// Refuses a file of more than [`MAX_QUERIES`] records before any is resolved, naming the
/// line of the first one too many. Files of fewer lines are not counted.
fn refuse_too_many_queries(text: &[u8], origin: &str) -> Result<(), Error> {
    if memchr::memchr_iter(b'\n', text).count() <= MAX_QUERIES {
        return Ok(());
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let mut record = csv::ByteRecord::new();
    let mut count = 0;
    // A malformed record ends the count: the reading proper reports it.
    while let Ok(true) = reader.read_byte_record(&mut record) {
        count += 1;
        if count > MAX_QUERIES {
            let start = record.position().map_or(0, |p| p.byte() as usize);
            let line = LineCounter::new(text, 1).line_at(start);
            return Err(Error::Invalid(vec![Problem::new(
                origin,
                line,
                "row",
                &format!(
                    "more than {MAX_QUERIES} queries: split the file (each run answers up to {MAX_QUERIES})"
                ),
            )]));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geocode::{Geocoder, Options, Status};

    #[test]
    fn the_geocoders_advice_on_an_ambiguous_name_is_replaced() {
        let outcome = Geocoder::bundled().geocode("Fayzabad", &Options::default());
        assert_eq!(outcome.status, Status::Ambiguous);
        let note = outcome.note.unwrap_or_default();
        assert!(note.ends_with(GEOCODER_ADVICE), "{note}");
        let rewritten = ambiguity_with_advice(&note, "name the province");
        assert!(rewritten.ends_with("; name the province"), "{rewritten}");
    }

    #[test]
    fn a_query_file_of_points_and_places_reads_with_ids_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.csv");
        std::fs::write(&path, "id,lat,lon,place\na,37.2,69.1,\n,,,Khorog\n").unwrap();
        let queries = read_queries(&path, |place| {
            assert_eq!(place, "Khorog");
            Ok(Point::new(71.5, 37.5))
        })
        .unwrap();
        assert!(queries.problems.is_empty());
        assert_eq!(
            queries.queries,
            [
                Query {
                    id: "a".into(),
                    center: Point::new(69.1, 37.2)
                },
                Query {
                    id: "3".into(),
                    center: Point::new(71.5, 37.5)
                },
            ]
        );
        std::fs::write(&path, "id,lat,lon\nb,99,69\nc,37,69\n").unwrap();
        let read = read_queries(&path, |_| unreachable!()).unwrap();
        assert_eq!(read.queries.len(), 1, "the good row is kept");
        assert_eq!(read.queries[0].id, "c");
        assert_eq!(
            read.problems[0].to_string(),
            format!(
                "{}:2: lat/lon: latitude 99 is outside -90..90",
                path.display()
            )
        );
    }
}
