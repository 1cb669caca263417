//! `borderwatch near`: incidents within R km of a place or point, or the k nearest; many
//! queries at once with `--queries`.

use std::path::PathBuf;

use geo::Point;
use rayon::prelude::*;

use super::args::{DbArgs, FilterArgs, QueryIncidentArgs, parse_km, parse_lat_lon, resolve_place};
use super::output::{HitColumns, HitFormat, HitRow, write_hits, write_table};
use crate::error::Error;
use crate::index::queries::{Query, QueryFile, read_queries};
use crate::index::{Area, AreaLoad, Count, Filter, Hit, IncidentIndex, Nothing};

/// Default search radius when neither --km nor --nearest is given.
const DEFAULT_KM: f64 = 25.0;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The place to search around, geocoded (e.g. Qala-i-Zal, "Kevron, Darvaz").
    #[arg(value_name = "PLACE", conflicts_with_all = ["at", "queries"], required_unless_present_any = ["at", "queries"])]
    place: Option<String>,
    /// Search around this point instead of a place.
    #[arg(long, value_name = "LAT,LON", value_parser = parse_lat_lon, allow_hyphen_values = true, conflicts_with = "queries")]
    at: Option<Point>,
    /// Many queries: a CSV with columns id,lat,lon or id,place.
    #[arg(long, value_name = "FILE")]
    queries: Option<PathBuf>,
    /// Radius in km (geodesic). Default 25 unless --nearest is given.
    #[arg(long, value_name = "R", value_parser = parse_km)]
    km: Option<f64>,
    /// The K nearest incidents (within --km when it is given too).
    #[arg(long, value_name = "K")]
    nearest: Option<usize>,
    /// With --queries: one line per query (query_id, hits, fatalities) instead of the hits.
    #[arg(long, requires = "queries")]
    count: bool,
    /// Settle an ambiguous PLACE by its province.
    #[arg(long, value_name = "NAME")]
    admin1: Option<String>,
    #[command(flatten)]
    filters: FilterArgs,
    #[command(flatten)]
    incidents: QueryIncidentArgs,
    #[arg(long, value_enum, default_value_t = HitFormat::Table)]
    format: HitFormat,
    /// Query a PostGIS database filled by `db push` instead of files (with --km).
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: Args) -> Result<i32, Error> {
    let filter = args.filters.filter()?;
    let QueryFile { queries, problems } = queries(&args)?;
    for problem in &problems {
        eprintln!("borderwatch: {problem}");
    }
    let loaded = load(&args, &queries)?;
    // One radius question: a pass over the rows costs less than building the tree.
    let index = if queries.len() == 1 && args.nearest.is_none() {
        IncidentIndex::unindexed(&loaded.table)
    } else {
        IncidentIndex::new(&loaded.table)
    };
    let found = if args.count {
        let counts = count(&args, &index, &queries, &filter);
        print_counts(&queries, &counts, args.format)?;
        counts.iter().any(|c| c.hits > 0)
    } else {
        let results: Vec<Vec<Hit>> = queries
            .par_iter()
            .map(|q| search(&index, q.center, args.km, args.nearest, &filter))
            .collect();
        write_results(&args, &index, &queries, &results)?;
        results.iter().any(|hits| !hits.is_empty())
    };
    if !found && !queries.is_empty() {
        explain_nothing(&args, &loaded, &queries, &filter)?;
    }
    // Rows of the query file that could not be asked are an error, as grep's unreadable
    // files are, even when the others found incidents.
    Ok(match (problems.is_empty(), found) {
        (false, _) => 2,
        (true, true) => 0,
        (true, false) => 1,
    })
}

/// The query points: the PLACE, the --at point, or the rows of the query file that can
/// be asked (with a problem for each that cannot).
fn queries(args: &Args) -> Result<QueryFile, Error> {
    let resolve = |place: &str| {
        resolve_place(
            "near",
            place,
            args.filters.first_country(),
            args.admin1.clone(),
        )
    };
    Ok(match (&args.place, args.at, &args.queries) {
        (Some(place), _, _) => QueryFile {
            queries: vec![Query {
                id: place.clone(),
                center: resolve(place)?,
            }],
            problems: Vec::new(),
        },
        (None, Some(at), _) => QueryFile {
            queries: vec![Query {
                id: format!("{:.5},{:.5}", at.y(), at.x()),
                center: at,
            }],
            problems: Vec::new(),
        },
        (None, None, Some(path)) => read_queries(path, resolve)?,
        (None, None, None) => unreachable!("clap requires one of them"),
    })
}

/// The incidents the queries need: from the files (only the rows within the radius when
/// that is all a question can find) or from the database.
fn load(args: &Args, queries: &[Query]) -> Result<AreaLoad, Error> {
    if args.db.url.is_none() {
        // A radius query needs only the rows within it; the k nearest could be anywhere.
        return if args.nearest.is_none() {
            let km = args.km.unwrap_or(DEFAULT_KM);
            let circles = queries.iter().map(|q| (q.center, km)).collect();
            args.incidents.load_around(&Area::Within(circles))
        } else {
            args.incidents.load().map(|table| AreaLoad {
                table,
                account: None,
                complete: true,
            })
        };
    }
    let (mut client, schema) = args.db.open()?;
    let filter = args.filters.filter()?;
    // Each point's radius: --km, or for --nearest the distance of its k-th nearest
    // (found on the server), whichever is smaller; then one query for all of them.
    let mut circles = Vec::new();
    for q in queries {
        let radius = match args.nearest {
            None => Some(args.km.unwrap_or(DEFAULT_KM)),
            Some(k) => crate::db::nearest_radius(&mut client, &schema, q.center, k, &filter)?
                .map(|r| args.km.map_or(r, |km| km.min(r)))
                .or(args.km),
        };
        // Fewer than k pass anywhere: every row that passes, however far.
        circles.push((q.center, radius.unwrap_or(ANY_DISTANCE_KM)));
    }
    let table = crate::db::fetch(&mut client, &schema, &Area::Within(circles), &filter)?;
    Ok(AreaLoad {
        table,
        account: None,
        complete: false,
    })
}

/// A radius that takes in every point of the Earth (half its circumference is 20,004 km).
const ANY_DISTANCE_KM: f64 = 20_100.0;

/// What each query found, as counts.
fn count(args: &Args, index: &IncidentIndex, queries: &[Query], filter: &Filter) -> Vec<Count> {
    if args.nearest.is_none() {
        let km = args.km.unwrap_or(DEFAULT_KM);
        return queries
            .par_iter()
            .map(|q| index.count_within(q.center, km, filter))
            .collect();
    }
    let table = index.table();
    queries
        .par_iter()
        .map(|q| {
            let mut count = Count::default();
            for hit in search(index, q.center, args.km, args.nearest, filter) {
                count.hits += 1;
                count
                    .fatalities
                    .add(table.rows()[hit.row as usize].fatalities);
            }
            count
        })
        .collect()
}

/// Prints the hits of every query.
fn write_results(
    args: &Args,
    index: &IncidentIndex,
    queries: &[Query],
    results: &[Vec<Hit>],
) -> Result<(), Error> {
    let batch = args.queries.is_some();
    let rows: Vec<HitRow> = queries
        .iter()
        .zip(results)
        .flat_map(|(q, hits)| {
            hits.iter().map(move |h| HitRow {
                row: h.row,
                query_id: batch.then_some(q.id.as_str()),
                distance: Some((h.km, h.bearing)),
            })
        })
        .collect();
    let columns = HitColumns {
        query: batch,
        distance: true,
    };
    write_hits(index, &rows, columns, args.format).map_err(Error::output)
}

/// Says on stderr why no query found anything: where the nearest incident that passes the
/// filters is (for one query), or that none passes them.
fn explain_nothing(
    args: &Args,
    loaded: &AreaLoad,
    queries: &[Query],
    filter: &Filter,
) -> Result<(), Error> {
    let asked = match queries {
        [one] => one.id.as_str(),
        _ => "any query",
    };
    let radius = match (args.km, args.nearest) {
        (None, Some(_)) => format!("no incident near {asked}"),
        (km, _) => format!("nothing within {} km of {asked}", km.unwrap_or(DEFAULT_KM)),
    };
    if args.db.url.is_some() {
        eprintln!("borderwatch: {radius} in the database");
        return Ok(());
    }
    let center = (queries.len() == 1).then(|| queries[0].center);
    let why = args.incidents.why_nothing(loaded, filter, center)?;
    let hint = match why {
        Nothing::NearestIs { .. } if args.nearest.is_none() => " (a larger --km finds it)",
        Nothing::NonePassesTheFilters { .. } => " (loosen the filters)",
        _ => "",
    };
    eprintln!("borderwatch: {radius}: {why}{hint}");
    Ok(())
}

fn search(
    index: &IncidentIndex,
    center: Point,
    km: Option<f64>,
    nearest: Option<usize>,
    filter: &Filter,
) -> Vec<Hit> {
    match (nearest, km) {
        (Some(k), None) => index.nearest(center, k, filter),
        (Some(k), Some(km)) => {
            let mut hits = index.nearest(center, k, filter);
            hits.retain(|h| h.km <= km);
            hits
        }
        (None, km) => index.within(center, km.unwrap_or(DEFAULT_KM), filter),
    }
}

/// One line per query: its hits and fatalities (in the table, "at least N (K unknown)"
/// when some are unknown; in CSV and JSON, the known sum and a count of the unknown).
fn print_counts(queries: &[Query], counts: &[Count], format: HitFormat) -> Result<(), Error> {
    use std::io::Write;
    let io = Error::output;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        HitFormat::Json | HitFormat::Geojson => {
            for (q, c) in queries.iter().zip(counts) {
                let line = serde_json::json!({
                    "query_id": q.id,
                    "hits": c.hits,
                    "fatalities": c.fatalities.known,
                    "fatalities_unknown": c.fatalities.unknown_incidents,
                });
                writeln!(out, "{line}").map_err(io)?;
            }
        }
        HitFormat::Table => {
            let rows: Vec<Vec<String>> = queries
                .iter()
                .zip(counts)
                .map(|(q, c)| vec![q.id.clone(), c.hits.to_string(), c.fatalities.to_string()])
                .collect();
            write_table(&mut out, &["query", "hits", "fatalities"], &rows)
                .map_err(Error::output)?;
        }
        HitFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut out);
            writer
                .write_record(["query_id", "hits", "fatalities", "fatalities_unknown"])
                .map_err(Error::output)?;
            for (q, c) in queries.iter().zip(counts) {
                writer
                    .write_record([
                        q.id.clone(),
                        c.hits.to_string(),
                        c.fatalities.known.to_string(),
                        c.fatalities.unknown_incidents.to_string(),
                    ])
                    .map_err(Error::output)?;
            }
            writer.flush().map_err(Error::output)?;
        }
    }
    out.flush().map_err(io)
}
