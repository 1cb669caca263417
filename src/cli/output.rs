//! Writing results: terminal-safe text, simple aligned tables, and the incidents found by a
//! query in every output format.

use std::io::Write;

use rayon::prelude::*;

use crate::atomic::write_atomically;
use crate::error::Error;
use crate::export::{
    Context, FeatureWriter, Format, Properties, RUN, RUN_ITEM_BYTES, Sizes, encode_runs,
    push_json_object,
};
use crate::gazetteer::Gazetteer;
use crate::incidents::date::display_date;
use crate::incidents::{Column, IncidentTable, Value};
use crate::index::{Filter, IncidentIndex};
use crate::spatial::bearing_if_apart;
use crate::web::MapData;

use super::args::FilterArgs;

pub use crate::untrusted::for_terminal as clean;

/// Writes rows as left-aligned columns separated by two spaces.
pub fn write_table(
    out: &mut dyn Write,
    header: &[&str],
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| clean(c).into_owned()).collect())
        .collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(header.to_vec())?;
    for row in &rows {
        line(row.iter().map(String::as_str).collect())?;
    }
    Ok(())
}

/// Prints rows as left-aligned columns separated by two spaces, like `println!` (a closed
/// standard output panics, which `cli::run` turns into a quiet exit 0). New code should call
/// [`write_table`] and return its error.
///
/// # Panics
///
/// When standard output cannot be written.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Err(e) = write_table(&mut out, header, rows).and_then(|()| out.flush()) {
        panic!("failed printing to stdout: {e}");
    }
}

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

/// Which of the query's columns a listing has: fixed by the question, not by the hits, so
/// that an empty answer has the same header as a full one.
#[derive(Debug, Clone, Copy)]
pub struct HitColumns {
    /// A query id first (a batch of queries).
    pub query: bool,
    /// Distance and bearing from the query point.
    pub distance: bool,
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

/// The columns a distance query adds.
const DISTANCE_COLUMNS: [&str; 2] = ["distance_km", "bearing"];
/// The columns every hit carries after the incident's own.
const BORDER_COLUMNS: [&str; 2] = ["border_km", "side"];

/// The values a query adds after the incident's own columns.
fn query_values(index: &IncidentIndex, hit: &HitRow) -> Vec<(&'static str, Value<'static>)> {
    let (border_km, side) = index
        .border(hit.row)
        .map_or((Value::Null, Value::Null), |(km, side)| {
            (Value::Number(round(km, 3)), Value::Text(side.as_str()))
        });
    let (distance, bearing) = hit.distance.map_or((Value::Null, Value::Null), |(km, b)| {
        let bearing = bearing_if_apart(km, b).map_or(Value::Null, |b| Value::Number(round(b, 1)));
        (Value::Number(round(km, 3)), bearing)
    });
    let mut values = Vec::with_capacity(DISTANCE_COLUMNS.len() + BORDER_COLUMNS.len());
    if hit.distance.is_some() {
        values.extend(DISTANCE_COLUMNS.into_iter().zip([distance, bearing]));
    }
    values.extend(BORDER_COLUMNS.into_iter().zip([border_km, side]));
    values
}

/// Writes the hits to standard output.
pub fn write_hits(
    index: &IncidentIndex,
    hits: &[HitRow],
    columns: HitColumns,
    format: HitFormat,
) -> std::io::Result<()> {
    // Every hit prints its border distance: worked out on both cores first (each row's is
    // computed once and kept).
    hits.par_iter().for_each(|h| {
        index.border(h.row);
    });
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
    match format {
        HitFormat::Table => write_hits_table(index, hits, columns, &mut out)?,
        HitFormat::Csv => write_hits_csv(index, hits, columns, &mut out)?,
        HitFormat::Json => write_hits_json(index, hits, &mut out)?,
        HitFormat::Geojson => write_hits_geojson(index, hits, &mut out)?,
    }
    out.flush()
}

/// The hits as aligned columns: the incident's main columns, then what the query adds.
fn write_hits_table(
    index: &IncidentIndex,
    hits: &[HitRow],
    columns: HitColumns,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let table = index.table();
    let (with_query, with_distance) = (columns.query, columns.distance);
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
    header.extend(BORDER_COLUMNS);
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
                r.date
                    .map_or_else(|| "unknown".into(), |d| display_date(d, r.time_precision)),
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
    write_table(out, &header, &rows)?;
    Ok(())
}

/// The hits as CSV: every incident column, then what the query adds.
fn write_hits_csv(
    index: &IncidentIndex,
    hits: &[HitRow],
    columns: HitColumns,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let table = index.table();
    let with_query = columns.query;
    let mut writer = csv::Writer::from_writer(out);
    if hits.is_empty() {
        // No row to take the header from: the schema's columns and the query's.
        let mut header: Vec<&str> = Vec::new();
        if with_query {
            header.push("query_id");
        }
        header.extend(Column::ALL.iter().map(|c| c.name()));
        if columns.distance {
            header.extend(DISTANCE_COLUMNS);
        }
        header.extend(BORDER_COLUMNS);
        writer.write_record(&header)?;
    }
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
    Ok(())
}

/// The hits as one JSON object per line, encoded in runs on both cores.
fn write_hits_json(
    index: &IncidentIndex,
    hits: &[HitRow],
    out: &mut dyn Write,
) -> std::io::Result<()> {
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
    Ok(())
}

/// The hits as one RFC 7946 FeatureCollection, encoded in runs on both cores.
fn write_hits_geojson(
    index: &IncidentIndex,
    hits: &[HitRow],
    out: &mut (dyn Write + Send),
) -> std::io::Result<()> {
    let table = index.table();
    let mut writer = FeatureWriter::new(out, Format::Geojson, 6)?;
    let runs = encode_runs(0..hits.len(), Format::Geojson, |i, run| {
        let h = &hits[i];
        let r = &table.rows()[h.row as usize];
        let point = geo::Point::new(r.lon, r.lat);
        run.push_with(Some(table.str(r.id)), Some(&point.into()), 6, |p| {
            hit_properties(index, h, p)
        });
    });
    for run in &runs {
        writer.write_encoded(run)?;
    }
    writer.finish()?;
    Ok(())
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

/// The map's data from loaded incidents; buffer, segments and grid of `sizes`; ready for a
/// site too when `site` (else for the single file only, which needs less).
pub fn map_data(
    table: &IncidentTable,
    filters: &FilterArgs,
    title: &str,
    sizes: Sizes,
    site: bool,
) -> Result<MapData, Error> {
    let index = IncidentIndex::new(table);
    let gazetteer = Gazetteer::bundled();
    let filter = filters.filter()?;
    let context = Context {
        index: &index,
        filter: &filter,
        gazetteer: &gazetteer,
        sizes,
    };
    if site {
        MapData::new(&context, title)
    } else {
        MapData::single_file_only(&context, title)
    }
    .map_err(|e| Error::Usage(format!("building the map: {e}")))
}

/// Writes the site and/or the single file, and says what was written.
pub fn write_map(
    data: &MapData,
    site: Option<&std::path::Path>,
    single_file: Option<&std::path::Path>,
) -> Result<(), Error> {
    let shown = format!(
        "{} incidents on the map, {} listed without a place",
        data.located(),
        data.unlocated()
    );
    if let Some(dir) = site {
        data.write_site(dir)?;
        eprintln!(
            "borderwatch: {}: web map ({shown}); open index.html",
            dir.display()
        );
    }
    if let Some(file) = single_file {
        let page = data.single_file();
        write_atomically(file, |w| w.write_all(page.as_bytes()))?;
        eprintln!(
            "borderwatch: {}: single-file web map ({shown})",
            file.display()
        );
    }
    Ok(())
}

/// "png" or "svg", from the name of the image to write.
pub fn image_extension(out: &std::path::Path) -> Result<String, Error> {
    match out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "png" || e == "svg" => Ok(e),
        _ => Err(Error::Usage(format!(
            "{}: the image must end in .png or .svg",
            out.display()
        ))),
    }
}

/// Draws the incidents of `table` that pass `filter` and writes the image to `out` (PNG at
/// `scale`, or SVG, by its extension); returns how many incidents it drew.
pub fn write_image(
    table: &IncidentTable,
    filter: &Filter,
    options: &crate::render::Options,
    scale: f32,
    out: &std::path::Path,
) -> Result<usize, Error> {
    let extension = image_extension(out)?;
    let index = IncidentIndex::new(table);
    let drawn = crate::render::draw(&index, filter, &Gazetteer::bundled(), options)
        .map_err(|e| Error::Usage(format!("{}: {e} (--width, --height)", out.display())))?;
    let bytes = if extension == "png" {
        crate::render::png(&drawn.svg, scale)
            .map_err(|e| Error::Usage(format!("{}: {e}", out.display())))?
    } else {
        drawn.svg.into_bytes()
    };
    write_atomically(out, |w| w.write_all(&bytes))?;
    let symbols = if drawn.symbols == 1 {
        "symbol"
    } else {
        "symbols"
    };
    let labels = if drawn.labels == 1 { "label" } else { "labels" };
    eprintln!(
        "borderwatch: {}: {} ({} {symbols}), {} {labels}",
        out.display(),
        crate::render::counted(drawn.incidents),
        drawn.symbols,
        drawn.labels
    );
    if drawn.incidents == 0 {
        eprintln!(
            "borderwatch: {}: no incident matches: the image shows the basemap alone",
            out.display()
        );
    }
    Ok(drawn.incidents)
}
