//! Printing incidents found by a query, in every output format.

use std::io::Write;

use rayon::prelude::*;
use serde_json::{Map, Value as Json};

use super::output::print_table;
use crate::incidents::Value;
use crate::index::IncidentIndex;

/// Output formats of incident queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HitFormat {
    /// Aligned columns for people.
    Table,
    /// CSV: every incident column, then distance_km, bearing, border_km, side.
    Csv,
    /// One JSON object per line.
    Json,
    /// One RFC 7946 FeatureCollection.
    Geojson,
}

/// One incident to print, with what the query adds.
pub struct HitRow<'q> {
    pub row: u32,
    pub query_id: Option<&'q str>,
    /// Geodesic distance (km) and initial bearing (degrees) from the query point.
    pub distance: Option<(f64, f64)>,
}

fn round(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// The values a query adds after the incident's own columns.
fn query_values(index: &IncidentIndex, hit: &HitRow) -> Vec<(&'static str, Value<'static>)> {
    let (border_km, side) = index
        .border(hit.row)
        .map_or((Value::Null, Value::Null), |(km, side)| {
            (Value::Number(round(km, 3)), Value::Text(side.as_str()))
        });
    let (distance, bearing) = hit.distance.map_or((Value::Null, Value::Null), |(km, b)| {
        (Value::Number(round(km, 3)), Value::Number(round(b, 1)))
    });
    let mut values = Vec::with_capacity(4);
    if hit.distance.is_some() {
        values.push(("distance_km", distance));
        values.push(("bearing", bearing));
    }
    values.push(("border_km", border_km));
    values.push(("side", side));
    values
}

/// Writes the hits to standard output.
pub fn write_hits(
    index: &IncidentIndex,
    hits: &[HitRow],
    format: HitFormat,
) -> std::io::Result<()> {
    let table = index.table();
    // Every hit prints its border distance: worked out on both cores first (each row's is
    // computed once and kept).
    hits.par_iter().for_each(|h| {
        index.border(h.row);
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let with_query = hits.iter().any(|h| h.query_id.is_some());
    let with_distance = hits.iter().any(|h| h.distance.is_some());
    match format {
        HitFormat::Table => {
            drop(out);
            let mut header = Vec::new();
            if with_query {
                header.push("query");
            }
            header.extend([
                "event_id_cnty",
                "event_date",
                "event_type",
                "location",
                "admin1",
                "country",
                "fatalities",
            ]);
            if with_distance {
                header.extend(["km", "bearing"]);
            }
            header.extend(["border_km", "side"]);
            let rows: Vec<Vec<String>> = hits
                .iter()
                .map(|h| {
                    let r = &table.rows()[h.row as usize];
                    let mut cells = Vec::new();
                    if with_query {
                        cells.push(h.query_id.unwrap_or("").to_string());
                    }
                    cells.extend([
                        table.str(r.id).to_string(),
                        r.date.map_or_else(|| "unknown".into(), |d| d.to_string()),
                        table.text(r.event_type).to_string(),
                        table.text(r.location).to_string(),
                        table.text(r.admin1).to_string(),
                        table.text(r.country).to_string(),
                        r.fatalities.map_or_else(|| "-".into(), |f| f.to_string()),
                    ]);
                    for (name, value) in query_values(index, h) {
                        cells.push(match (name, value) {
                            (_, Value::Number(x)) if name == "bearing" => format!("{x:.0}"),
                            (_, Value::Number(x)) => format!("{x:.2}"),
                            (_, v) => v.to_text(),
                        });
                    }
                    cells
                })
                .collect();
            print_table(&header, &rows);
            return Ok(());
        }
        HitFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut out);
            let mut first = true;
            for h in hits {
                let r = &table.rows()[h.row as usize];
                let fields = table.fields(r);
                let extra = query_values(index, h);
                if first {
                    let mut header: Vec<&str> = Vec::new();
                    if with_query {
                        header.push("query_id");
                    }
                    header.extend(fields.iter().map(|(n, _)| *n));
                    header.extend(extra.iter().map(|(n, _)| *n));
                    writer.write_record(&header)?;
                    first = false;
                }
                let mut record: Vec<String> = Vec::new();
                if with_query {
                    record.push(h.query_id.unwrap_or("").to_string());
                }
                record.extend(fields.iter().map(|(_, v)| v.to_text()));
                record.extend(extra.iter().map(|(_, v)| v.to_text()));
                writer.write_record(&record)?;
            }
            writer.flush()?;
        }
        HitFormat::Json => {
            for h in hits {
                let object = properties(index, h);
                serde_json::to_writer(&mut out, &Json::Object(object))?;
                writeln!(out)?;
            }
        }
        HitFormat::Geojson => {
            let mut bbox = [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ];
            for h in hits {
                let r = &table.rows()[h.row as usize];
                bbox = [
                    bbox[0].min(r.lon),
                    bbox[1].min(r.lat),
                    bbox[2].max(r.lon),
                    bbox[3].max(r.lat),
                ];
            }
            write!(out, "{{\"type\":\"FeatureCollection\"")?;
            if !hits.is_empty() {
                write!(
                    out,
                    ",\"bbox\":[{},{},{},{}]",
                    round(bbox[0], 6),
                    round(bbox[1], 6),
                    round(bbox[2], 6),
                    round(bbox[3], 6)
                )?;
            }
            write!(out, ",\"features\":[")?;
            for (i, h) in hits.iter().enumerate() {
                let r = &table.rows()[h.row as usize];
                let feature = serde_json::json!({
                    "type": "Feature",
                    "id": table.str(r.id),
                    "geometry": {"type": "Point", "coordinates": [round(r.lon, 6), round(r.lat, 6)]},
                    "properties": Json::Object(properties(index, h)),
                });
                if i > 0 {
                    write!(out, ",")?;
                }
                writeln!(out)?;
                serde_json::to_writer(&mut out, &feature)?;
            }
            writeln!(out, "\n]}}")?;
        }
    }
    out.flush()
}

fn properties(index: &IncidentIndex, h: &HitRow) -> Map<String, Json> {
    let table = index.table();
    let r = &table.rows()[h.row as usize];
    let mut object = Map::new();
    if let Some(q) = h.query_id {
        object.insert("query_id".into(), Json::from(q));
    }
    for (name, value) in table.fields(r) {
        object.insert(name.to_string(), value.to_json());
    }
    for (name, value) in query_values(index, h) {
        object.insert(name.to_string(), value.to_json());
    }
    object
}
