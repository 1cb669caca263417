//! Printing incidents found by a query, in every output format.

use std::io::Write;

use super::output::write_table;
use crate::export::{
    FeatureWriter, Format, Properties, RUN, RUN_ITEM_BYTES, encode_runs, push_json_object,
};
use crate::incidents::Value;
use crate::index::IncidentIndex;
use rayon::prelude::*;

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
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
    let with_query = hits.iter().any(|h| h.query_id.is_some());
    let with_distance = hits.iter().any(|h| h.distance.is_some());
    match format {
        HitFormat::Table => {
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
            write_table(&mut out, &header, &rows)?;
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
            let lines: Vec<String> = hits
                .par_chunks(RUN)
                .map(|run| {
                    let mut text = String::with_capacity(run.len() * RUN_ITEM_BYTES);
                    for h in run {
                        push_json_object(&mut text, |p| hit_properties(index, h, p));
                        text.push('\n');
                    }
                    text
                })
                .collect();
            for text in lines {
                out.write_all(text.as_bytes())?;
            }
        }
        HitFormat::Geojson => {
            let mut writer = FeatureWriter::new(&mut out, Format::Geojson, 6)?;
            let runs = encode_runs(0..hits.len(), Format::Geojson, |i, run| {
                let h = &hits[i];
                let r = &table.rows()[h.row as usize];
                let point = geo::Point::new(r.lon, r.lat);
                run.push_with(Some(table.str(r.id)), &point.into(), 6, |p| {
                    hit_properties(index, h, p)
                });
            });
            for run in &runs {
                writer.write_encoded(run)?;
            }
            writer.finish()?;
        }
    }
    out.flush()
}

/// The members of a hit: query id, every column of the incident, what the query adds.
fn hit_properties(index: &IncidentIndex, h: &HitRow, p: &mut Properties) {
    let table = index.table();
    if let Some(q) = h.query_id {
        p.text("query_id", q);
    }
    for (name, value) in table.fields(&table.rows()[h.row as usize]) {
        p.value(name, &value);
    }
    for (name, value) in query_values(index, h) {
        p.value(name, &value);
    }
}
