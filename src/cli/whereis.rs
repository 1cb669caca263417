//! `borderwatch where`: what is at a point.

use geo::Point;
use serde::Serialize;

use super::args::{Format, parse_lat_lon};
use super::output::write_table;
use crate::error::Error;
use crate::gazetteer::Gazetteer;
use crate::reference::{Location, Nearby, Reference, nearest_places};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Points as LAT,LON in degrees, after the options (a point may start with `-`, so what
    /// follows the first point is read as points).
    #[arg(value_name = "LAT,LON", required = true, value_parser = parse_lat_lon, allow_hyphen_values = true)]
    points: Vec<Point>,
    /// How many nearby gazetteer places to list.
    #[arg(long, value_name = "N", default_value_t = 5)]
    nearest: usize,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Serialize)]
struct Answer {
    #[serde(flatten)]
    location: Location,
    nearest: Vec<Nearby>,
}

pub fn run(args: Args) -> Result<i32, Error> {
    let reference = Reference::bundled();
    let gazetteer = Gazetteer::bundled();
    let answers: Vec<Answer> = args
        .points
        .iter()
        .map(|&p| Answer {
            location: reference.locate(p),
            nearest: nearest_places(&gazetteer, p, args.nearest),
        })
        .collect();
    write_answers(&answers, args.format)?;
    Ok(0)
}

fn write_answers(answers: &[Answer], format: Format) -> Result<(), Error> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            for answer in answers {
                serde_json::to_writer(&mut out, answer).map_err(Error::output)?;
                writeln!(out).map_err(Error::output)?;
            }
        }
        Format::Csv => write_csv(&mut out, answers)?,
        Format::Table => write_answer_tables(&mut out, answers)?,
    }
    out.flush().map_err(Error::output)
}

/// One row per point, with its nearest place.
fn write_csv(out: &mut impl std::io::Write, answers: &[Answer]) -> Result<(), Error> {
    let mut writer = csv::Writer::from_writer(out);
    let io = Error::output;
    writer
        .write_record([
            "lat",
            "lon",
            "country",
            "admin1",
            "admin2",
            "border_km",
            "side",
            "nearest",
            "nearest_km",
            "note",
        ])
        .map_err(io)?;
    for a in answers {
        let l = &a.location;
        let first = a.nearest.first();
        writer
            .write_record([
                format!("{:.6}", l.lat),
                format!("{:.6}", l.lon),
                l.country.clone().unwrap_or_default(),
                l.admin1.clone().unwrap_or_default(),
                l.admin2.clone().unwrap_or_default(),
                format!("{:.3}", l.border_km),
                l.side.as_str().to_string(),
                first.map(|n| n.name.clone()).unwrap_or_default(),
                first
                    .map(|n| format!("{:.3}", n.distance_km))
                    .unwrap_or_default(),
                l.conflict.clone().unwrap_or_default(),
            ])
            .map_err(io)?;
    }
    writer.flush().map_err(Error::output)?;
    Ok(())
}

/// Per point, a table of where it is, then one of the places nearest to it.
fn write_answer_tables(out: &mut impl std::io::Write, answers: &[Answer]) -> Result<(), Error> {
    for a in answers {
        let l = &a.location;
        let mut rows = vec![
            vec!["point".into(), format!("{:.5}, {:.5}", l.lat, l.lon)],
            vec![
                "country".into(),
                l.country_name.clone().unwrap_or_else(|| "-".into()),
            ],
            vec![
                "province".into(),
                l.admin1.clone().unwrap_or_else(|| "-".into()),
            ],
            vec![
                "district".into(),
                l.admin2.clone().unwrap_or_else(|| "-".into()),
            ],
            vec![
                "AF-TJ border".into(),
                format!("{:.2} km ({} side)", l.border_km, l.side.as_str()),
            ],
        ];
        if let Some(conflict) = &l.conflict {
            rows.push(vec!["note".into(), conflict.clone()]);
        }
        write_table(out, &["", ""], &rows).map_err(Error::output)?;
        let nearby: Vec<Vec<String>> = a
            .nearest
            .iter()
            .map(|n| {
                vec![
                    n.name.clone(),
                    n.kind.clone(),
                    n.country.clone(),
                    format!("{:.2}", n.distance_km),
                    n.bearing.map_or_else(|| "-".into(), |b| format!("{b:.0}")),
                ]
            })
            .collect();
        writeln!(out).map_err(Error::output)?;
        write_table(
            out,
            &["nearest", "kind", "country", "km", "bearing"],
            &nearby,
        )
        .map_err(Error::output)?;
        writeln!(out).map_err(Error::output)?;
    }
    Ok(())
}
