//! `borderwatch bbox`: incidents inside a lon/lat box.

use super::args::{FilterArgs, QueryIncidentArgs};
use super::output::{HitColumns, HitFormat, HitRow, write_hits};
use crate::error::Error;
use crate::index::{Area, AreaLoad, IncidentIndex};
use crate::spatial::{LonLatBox, REGION};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The box as WEST,SOUTH,EAST,NORTH in degrees (edges included).
    #[arg(value_name = "W,S,E,N", value_parser = parse_bbox, allow_hyphen_values = true)]
    bbox: [f64; 4],
    #[command(flatten)]
    filters: FilterArgs,
    #[command(flatten)]
    incidents: QueryIncidentArgs,
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
    let given = LonLatBox {
        west: w,
        south: s,
        east: e,
        north: n,
    };
    // Written SOUTH,WEST,NORTH,EAST (latitude first, as for points)?
    let latitude_first = LonLatBox {
        west: s,
        south: w,
        east: n,
        north: e,
    };
    if !REGION.intersects(&given) && REGION.intersects(&latitude_first) {
        return Err(format!(
            "{text:?} lies outside the region but read latitude first it covers part of it: \
             the box is WEST,SOUTH,EAST,NORTH (longitude first); did you mean {s},{w},{n},{e}?"
        ));
    }
    Ok([w, s, e, n])
}

pub fn run(args: Args) -> Result<i32, Error> {
    let filter = args.filters.filter()?;
    let loaded = match &args.db.url {
        None => args.incidents.load_around(&Area::Box(args.bbox))?,
        Some(_) => {
            let (mut client, schema) = args.db.open()?;
            let table = crate::db::fetch(&mut client, &schema, &Area::Box(args.bbox), &filter)?;
            AreaLoad {
                table,
                account: None,
                complete: false,
            }
        }
    };
    let index = IncidentIndex::new(&loaded.table);
    let [w, s, e, n] = args.bbox;
    let rows: Vec<HitRow> = index
        .bbox(w, s, e, n, &filter)
        .into_iter()
        .map(|row| HitRow {
            row,
            query_id: None,
            distance: None,
        })
        .collect();
    let columns = HitColumns {
        query: false,
        distance: false,
    };
    write_hits(&index, &rows, columns, args.format).map_err(Error::output)?;
    if !rows.is_empty() {
        return Ok(0);
    }
    if args.db.url.is_some() {
        eprintln!("borderwatch: no incident in the box in the database");
    } else {
        let why = args.incidents.why_nothing(&loaded, &filter, None)?;
        eprintln!("borderwatch: no incident in the box {w},{s},{e},{n}: {why}");
    }
    Ok(1)
}
