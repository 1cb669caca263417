//! `borderwatch geocode`: names in, ranked candidates out.

use std::io::{BufRead, IsTerminal, Write};

use geo::Point;

use super::args::{Format, GazetteerArgs, parse_lat_lon};
use super::output::{clean, write_table};
use crate::error::Error;
use crate::geocode::{Candidate, Options, Outcome, Status};

/// The longest name accepted, in characters.
const MAX_NAME_CHARS: usize = 1000;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Names to resolve; none or `-` reads one name per line from standard input.
    #[arg(value_name = "NAME")]
    names: Vec<String>,
    /// Prefer places in this country (ISO code, e.g. AF or TJ).
    #[arg(long, value_name = "CC")]
    country: Option<String>,
    /// Prefer places near this point.
    #[arg(long, value_name = "LAT,LON", value_parser = parse_lat_lon, allow_hyphen_values = true)]
    near: Option<Point>,
    /// Prefer places in this province (any of its names).
    #[arg(long, value_name = "NAME")]
    admin1: Option<String>,
    /// How many candidates to show per name.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    limit: u16,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    gazetteer: GazetteerArgs,
}

/// One name to resolve, or a problem with that input line.
struct Input {
    origin: String,
    text: String,
    problem: Option<String>,
}

pub fn run(args: Args) -> Result<i32, Error> {
    // No names and a person at the keyboard: say what to give rather than wait in silence.
    if args.names.is_empty() && std::io::stdin().is_terminal() {
        return Err(Error::Usage(
            "no names given: `borderwatch geocode NAME...`, or one name per line on standard \
             input (`borderwatch geocode - < names.txt`); `borderwatch geocode --help` says more"
                .into(),
        ));
    }
    let inputs = if args.names.is_empty() || args.names == ["-"] {
        read_stdin()?
    } else {
        args.names
            .iter()
            .enumerate()
            .map(|(i, name)| check(format!("argument {}", i + 1), name.clone()))
            .collect()
    };
    let geocoder = args.gazetteer.geocoder()?;
    let options = Options {
        country: args.country.clone(),
        admin1: args.admin1.clone(),
        near: args.near,
        context: Vec::new(),
        limit: args.limit as usize,
    };
    let mut outcomes = Vec::with_capacity(inputs.len());
    let mut had_problem = false;
    for input in &inputs {
        match &input.problem {
            Some(problem) => {
                eprintln!("borderwatch: {}: name: {problem}", input.origin);
                had_problem = true;
                outcomes.push(Outcome {
                    query: input.text.clone(),
                    status: Status::Unresolved,
                    candidates: Vec::new(),
                    note: Some(problem.clone()),
                });
            }
            None => outcomes.push(geocoder.geocode(&input.text, &options)),
        }
    }
    write(&outcomes, args.format).map_err(Error::output)?;
    Ok(if had_problem {
        2
    } else if outcomes.iter().any(|o| o.status == Status::Unresolved) {
        1
    } else {
        0
    })
}

fn check(origin: String, text: String) -> Input {
    let problem = if text.trim().is_empty() {
        Some("empty name".to_string())
    } else if text.chars().count() > MAX_NAME_CHARS {
        Some(format!("longer than {MAX_NAME_CHARS} characters"))
    } else {
        None
    };
    Input {
        origin,
        text,
        problem,
    }
}

/// Reads one name per line; blank lines are skipped, bad lines reported by number.
fn read_stdin() -> Result<Vec<Input>, Error> {
    let stdin = std::io::stdin();
    let mut reader = stdin.lock();
    let mut inputs = Vec::new();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        // Read at most a little more than the longest name, so a huge line cannot exhaust memory.
        let read = read_line_limited(&mut reader, &mut line, MAX_NAME_CHARS * 4 + 2).map_err(
            |source| Error::Io {
                path: "standard input".into(),
                source,
            },
        )?;
        if read.bytes == 0 {
            break;
        }
        number += 1;
        let origin = format!("stdin:{number}");
        if read.truncated {
            inputs.push(Input {
                origin,
                text: String::from_utf8_lossy(&line[..64.min(line.len())]).into_owned() + "…",
                problem: Some(format!("longer than {MAX_NAME_CHARS} characters")),
            });
            continue;
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        if line.is_empty() {
            continue;
        }
        match String::from_utf8(line.clone()) {
            Ok(text) => inputs.push(check(origin, text)),
            Err(_) => inputs.push(Input {
                origin,
                text: String::from_utf8_lossy(&line).into_owned(),
                problem: Some("invalid UTF-8".to_string()),
            }),
        }
    }
    Ok(inputs)
}

struct Read {
    bytes: usize,
    truncated: bool,
}

/// Reads up to and including '\n', keeping at most `limit` bytes (the rest is consumed).
fn read_line_limited(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Read> {
    let mut bytes = 0;
    let mut truncated = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(Read { bytes, truncated });
        }
        let (chunk, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => (&buffer[..=i], true),
            None => (buffer, false),
        };
        let room = limit.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        truncated |= chunk.len() > room;
        let used = chunk.len();
        bytes += used;
        reader.consume(used);
        if done {
            return Ok(Read { bytes, truncated });
        }
    }
}

fn write(outcomes: &[Outcome], format: Format) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            for outcome in outcomes {
                serde_json::to_writer(&mut out, outcome)?;
                writeln!(out)?;
            }
        }
        Format::Csv => write_csv(&mut out, outcomes)?,
        Format::Table => write_outcome_table(&mut out, outcomes)?,
    }
    out.flush()
}

/// One row per candidate, ranked; an outcome without candidates gets a row of its own.
fn write_csv(out: &mut impl std::io::Write, outcomes: &[Outcome]) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "query",
        "status",
        "rank",
        "id",
        "name",
        "kind",
        "country",
        "admin1",
        "admin2",
        "lat",
        "lon",
        "score",
        "precision",
        "match",
    ])?;
    for outcome in outcomes {
        if outcome.candidates.is_empty() {
            writer.write_record(empty_row(outcome))?;
        }
        for (rank, c) in outcome.candidates.iter().enumerate() {
            let mut row = vec![
                outcome.query.clone(),
                outcome.status.as_str().to_string(),
                (rank + 1).to_string(),
                c.id.clone(),
            ];
            row.extend(place_fields(c));
            row.extend([
                format!("{:.3}", c.score),
                c.precision.to_string(),
                c.match_kind.as_str().to_string(),
            ]);
            writer.write_record(&row)?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// The table: the query and status on each outcome's first row; notes of ambiguous
/// answers on stderr, after the table.
fn write_outcome_table(out: &mut impl std::io::Write, outcomes: &[Outcome]) -> std::io::Result<()> {
    let mut rows = Vec::new();
    for outcome in outcomes {
        if outcome.candidates.is_empty() {
            rows.push(vec![
                outcome.query.clone(),
                outcome.status.as_str().to_string(),
                outcome.note.clone().unwrap_or_default(),
            ]);
        }
        for (rank, c) in outcome.candidates.iter().enumerate() {
            let (query, status) = if rank == 0 {
                (outcome.query.clone(), outcome.status.as_str().to_string())
            } else {
                (String::new(), String::new())
            };
            let mut row = vec![query, status];
            row.extend(place_fields(c));
            row.extend([
                format!("{:.2}", c.score),
                c.precision.to_string(),
                c.match_kind.as_str().to_string(),
                c.id.clone(),
            ]);
            rows.push(row);
        }
    }
    write_table(
        out,
        &[
            "query", "status", "name", "kind", "country", "admin1", "admin2", "lat", "lon",
            "score", "prec", "match", "id",
        ],
        &rows,
    )?;
    out.flush()?;
    for outcome in outcomes.iter().filter(|o| o.status == Status::Ambiguous) {
        if let Some(note) = &outcome.note {
            eprintln!("note: {}: {}", clean(&outcome.query), clean(note));
        }
    }
    Ok(())
}

/// The candidate's place as both the CSV and the table show it: name, kind, country,
/// admin1, admin2, lat, lon.
fn place_fields(c: &Candidate) -> [String; 7] {
    [
        c.name.clone(),
        c.kind.to_string(),
        c.country.clone(),
        c.admin1.clone(),
        c.admin2.clone(),
        format!("{:.5}", c.lat),
        format!("{:.5}", c.lon),
    ]
}

fn empty_row(outcome: &Outcome) -> Vec<String> {
    let mut row = vec![outcome.query.clone(), outcome.status.as_str().to_string()];
    row.resize(14, String::new());
    row
}
