//! `borderwatch bbox`: incidents inside a lon/lat box.

use super::args::{FilterArgs, IncidentArgs};
use super::output::{HitFormat, HitRow, write_hits};
use crate::error::Error;
use crate::index::{Area, IncidentIndex};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The box as WEST,SOUTH,EAST,NORTH in degrees (edges included).
    #[arg(value_name = "W,S,E,N", value_parser = parse_bbox, allow_hyphen_values = true)]
    bbox: [f64; 4],
    #[command(flatten)]
    filters: FilterArgs,
    #[command(flatten)]
    incidents: IncidentArgs,
    #[arg(long, value_enum, default_value_t = HitFormat::Table)]
    format: HitFormat,
    /// Query a PostGIS database filled by `db push` instead of files.
    #[command(flatten)]
    db: super::args::DbArgs,
}

/// Parses `W,S,E,N`, checking ranges and order.
pub fn parse_bbox(text: &str) -> Result<[f64; 4], String> {
    let usage = || {
        format!("expected WEST,SOUTH,EAST,NORTH in degrees (e.g. 68,36.5,71.5,38.5), got {text:?}")
    };
    let parts: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|_| usage()))
        .collect::<Result<_, _>>()?;
    let [w, s, e, n] = parts[..] else {
        return Err(usage());
    };
    if parts.iter().any(|v| !v.is_finite())
        || w.abs() > 180.0
        || e.abs() > 180.0
        || s.abs() > 90.0
        || n.abs() > 90.0
    {
        return Err(format!(
            "{text:?}: longitudes must lie in -180..180 and latitudes in -90..90"
        ));
    }
    if w > e || s > n {
        return Err(format!(
            "{text:?}: WEST must not exceed EAST, nor SOUTH exceed NORTH"
        ));
    }
    Ok([w, s, e, n])
}

pub fn run(args: Args) -> Result<i32, Error> {
    let table = match &args.db.url {
        None => args.incidents.load_around(&Area::Box(args.bbox))?,
        Some(_) => {
            let (mut client, schema) = args.db.open()?;
            crate::db::fetch(
                &mut client,
                &schema,
                &Area::Box(args.bbox),
                &args.filters.filter(),
            )?
        }
    };
    let index = IncidentIndex::new(&table);
    let [w, s, e, n] = args.bbox;
    let rows: Vec<HitRow> = index
        .bbox(w, s, e, n, &args.filters.filter())
        .into_iter()
        .map(|row| HitRow {
            row,
            query_id: None,
            distance: None,
        })
        .collect();
    write_hits(&index, &rows, args.format).map_err(Error::output)?;
    Ok(if rows.is_empty() { 1 } else { 0 })
}
