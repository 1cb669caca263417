//! `borderwatch near`: incidents within R km of a place or point, or the k nearest; many
//! queries at once with `--queries`.

use std::path::PathBuf;

use geo::Point;
use rayon::prelude::*;

use super::args::{DbArgs, FilterArgs, IncidentArgs, parse_km, parse_lat_lon, resolve_place};
use super::output::{HitFormat, HitRow, write_hits};
use crate::error::Error;
use crate::index::queries::{Query, read_queries};
use crate::index::{Area, Filter, Hit, IncidentIndex};

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
    incidents: IncidentArgs,
    #[arg(long, value_enum, default_value_t = HitFormat::Table)]
    format: HitFormat,
    /// Query a PostGIS database filled by `db push` instead of files (with --km).
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: Args) -> Result<i32, Error> {
    let queries = match (&args.place, args.at, &args.queries) {
        (Some(place), _, _) => vec![Query {
            id: place.clone(),
            center: resolve_place(
                "near",
                place,
                args.filters.first_country(),
                args.admin1.clone(),
            )?,
        }],
        (None, Some(at), _) => vec![Query {
            id: format!("{:.5},{:.5}", at.y(), at.x()),
            center: at,
        }],
        (None, None, Some(path)) => read_queries(path, |place| {
            resolve_place(
                "near",
                place,
                args.filters.first_country(),
                args.admin1.clone(),
            )
        })?,
        (None, None, None) => unreachable!("clap requires one of them"),
    };
    let table = match &args.db.url {
        // A radius query needs only the rows within it; the k nearest could be anywhere.
        None if args.nearest.is_none() => {
            let km = args.km.unwrap_or(DEFAULT_KM);
            let circles = queries.iter().map(|q| (q.center, km)).collect();
            args.incidents.load_around(&Area::Within(circles))?
        }
        None => args.incidents.load()?,
        Some(_) => {
            let (mut client, schema) = args.db.open()?;
            let filter = args.filters.filter();
            // Each point's radius: --km, or for --nearest the distance of its k-th nearest
            // (found on the server), whichever is smaller; then one query for all of them.
            let mut circles = Vec::new();
            for q in &queries {
                let radius = match args.nearest {
                    None => Some(args.km.unwrap_or(DEFAULT_KM)),
                    Some(k) => {
                        crate::db::nearest_radius(&mut client, &schema, q.center, k, &filter)?
                            .map(|r| args.km.map_or(r, |km| km.min(r)))
                            .or(args.km)
                    }
                };
                // Fewer than k pass anywhere: every row that passes, however far.
                circles.push((q.center, radius.unwrap_or(20_100.0)));
            }
            crate::db::fetch(&mut client, &schema, &Area::Within(circles), &filter)?
        }
    };
    // One radius question: a pass over the rows costs less than building the tree.
    let index = if queries.len() == 1 && args.nearest.is_none() {
        IncidentIndex::unindexed(&table)
    } else {
        IncidentIndex::new(&table)
    };
    let filter = args.filters.filter();
    let batch = args.queries.is_some();
    if args.count && args.nearest.is_none() {
        let km = args.km.unwrap_or(DEFAULT_KM);
        let counts: Vec<(usize, u64)> = queries
            .par_iter()
            .map(|q| index.count_within(q.center, km, &filter))
            .collect();
        print_counts(&queries, &counts, args.format)?;
        return Ok(if counts.iter().any(|c| c.0 > 0) { 0 } else { 1 });
    }
    let results: Vec<Vec<Hit>> = queries
        .par_iter()
        .map(|q| search(&index, q.center, args.km, args.nearest, &filter))
        .collect();
    let found = results.iter().any(|hits| !hits.is_empty());
    if args.count {
        let counts: Vec<(usize, u64)> = results
            .iter()
            .map(|hits| {
                let fatalities = hits
                    .iter()
                    .map(|h| u64::from(table.rows()[h.row as usize].fatalities.unwrap_or(0)))
                    .sum();
                (hits.len(), fatalities)
            })
            .collect();
        print_counts(&queries, &counts, args.format)?;
    } else {
        let rows: Vec<HitRow> = queries
            .iter()
            .zip(&results)
            .flat_map(|(q, hits)| {
                hits.iter().map(move |h| HitRow {
                    row: h.row,
                    query_id: batch.then_some(q.id.as_str()),
                    distance: Some((h.km, h.bearing)),
                })
            })
            .collect();
        write_hits(&index, &rows, args.format).map_err(Error::output)?;
    }
    Ok(if found { 0 } else { 1 })
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

fn print_counts(
    queries: &[Query],
    counts: &[(usize, u64)],
    format: HitFormat,
) -> Result<(), Error> {
    use std::io::Write;
    let io = Error::output;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if format == HitFormat::Json {
        for (q, (hits, fatalities)) in queries.iter().zip(counts) {
            let line =
                serde_json::json!({"query_id": q.id, "hits": hits, "fatalities": fatalities});
            writeln!(out, "{line}").map_err(io)?;
        }
        return out.flush().map_err(io);
    }
    let mut writer = csv::Writer::from_writer(out);
    let record_error = Error::output;
    writer
        .write_record(["query_id", "hits", "fatalities"])
        .map_err(record_error)?;
    for (q, (hits, fatalities)) in queries.iter().zip(counts) {
        writer
            .write_record([q.id.clone(), hits.to_string(), fatalities.to_string()])
            .map_err(record_error)?;
    }
    writer.flush().map_err(io)
}
