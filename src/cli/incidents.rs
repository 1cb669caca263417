//! `borderwatch incidents check|summary`: the account of every row, and totals.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use super::args::{FilterArgs, IncidentArgs};
use super::output::write_table;
use crate::atomic::write_atomically;
use crate::error::Error;
use crate::incidents::IncidentTable;
use crate::index::IncidentIndex;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Read incident files and report every row that is not indexed, with its reason.
    Check(CheckArgs),
    /// Count incidents and fatalities by month, province, district, type or actor.
    Summary(SummaryArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    incidents: IncidentArgs,
    /// Incident files to check (the same as --incidents).
    #[arg(value_name = "FILE")]
    paths: Vec<PathBuf>,
    /// Write the rejected rows, verbatim, plus a reject_reason column to this CSV.
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// Print the account as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum By {
    Month,
    Year,
    Country,
    Admin1,
    Admin2,
    Type,
    Actor,
}

#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// What to group by.
    #[arg(long, value_enum, default_value_t = By::Month)]
    by: By,
    #[command(flatten)]
    filters: FilterArgs,
    #[command(flatten)]
    incidents: IncidentArgs,
}

pub fn run(command: Command) -> Result<i32, Error> {
    match command {
        Command::Check(args) => check(args),
        Command::Summary(args) => summary(args),
    }
}

fn check(args: CheckArgs) -> Result<i32, Error> {
    let mut incidents = args.incidents.clone();
    if !args.paths.is_empty() {
        incidents = incidents.with_files(&args.paths);
    }
    let table = incidents.load_quietly()?;
    let counts = table.counts();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        let problems: Vec<serde_json::Value> = table
            .rejected()
            .iter()
            .map(|r| serde_json::json!({"outcome": "rejected", "problem": r.problem.to_string()}))
            .chain(
                table
                    .unlocated()
                    .iter()
                    .map(|p| serde_json::json!({"outcome": "unlocated", "problem": p.to_string()})),
            )
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::json!({"counts": counts, "files": table.files(), "problems": problems})
        )
        .map_err(Error::output)?;
    } else {
        writeln!(out, "{counts}").map_err(Error::output)?;
        for r in table.rejected() {
            let problem = super::output::clean(&r.problem.to_string()).into_owned();
            writeln!(out, "rejected: {problem}").map_err(Error::output)?;
        }
        for p in table.unlocated() {
            let problem = super::output::clean(&p.to_string()).into_owned();
            writeln!(out, "unlocated: {problem}").map_err(Error::output)?;
        }
    }
    out.flush().map_err(Error::output)?;
    drop(out);
    if let Some(path) = &args.rejects {
        write_rejects(&table, path)?;
        eprintln!(
            "borderwatch: wrote {} rejected rows to {}",
            counts.rejected,
            path.display()
        );
    }
    // Unlocated rows are kept (and listed); only rejected rows make the check fail.
    Ok(if counts.rejected == 0 { 0 } else { 1 })
}

/// The rejected rows as read, under the header of their file, plus the reason (and, when
/// several files were read, the file).
fn write_rejects(table: &IncidentTable, path: &std::path::Path) -> Result<(), Error> {
    write_atomically(path, |out| {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(out);
        let several = table.files().len() > 1;
        let mut header: Vec<String> = table.header(0).to_vec();
        if several {
            header.push("reject_file".into());
        }
        header.push("reject_line".into());
        header.push("reject_reason".into());
        writer.write_record(&header)?;
        for r in table.rejected() {
            let mut record = r.raw.clone();
            if several {
                record.push(table.files()[r.file as usize].clone());
            }
            record.push(r.problem.line.to_string());
            record.push(format!("{}: {}", r.problem.field, r.problem.message));
            writer.write_record(&record)?;
        }
        writer.flush()
    })
}

fn summary(args: SummaryArgs) -> Result<i32, Error> {
    let table = args.incidents.load()?;
    let index = IncidentIndex::new(&table);
    let filter = args.filters.filter();
    let mut groups: BTreeMap<
        String,
        (
            usize,
            u64,
            Option<chrono::NaiveDate>,
            Option<chrono::NaiveDate>,
        ),
    > = BTreeMap::new();
    for (i, r) in table.rows().iter().enumerate() {
        if r.point().is_some() && !filter.matches(&index, i as u32) {
            continue;
        }
        if r.point().is_none() && !filter.is_empty() {
            continue;
        }
        let keys: Vec<String> = match args.by {
            By::Month => vec![
                r.date
                    .map_or_else(|| "unknown".into(), |d| d.format("%Y-%m").to_string()),
            ],
            By::Year => vec![
                r.date
                    .map_or_else(|| "unknown".into(), |d| d.format("%Y").to_string()),
            ],
            By::Country => vec![table.text(r.country).to_string()],
            By::Admin1 => vec![table.text(r.admin1).to_string()],
            By::Admin2 => vec![table.text(r.admin2).to_string()],
            By::Type => vec![table.text(r.event_type).to_string()],
            By::Actor => [r.actor1, r.actor2]
                .iter()
                .map(|&a| table.text(a).to_string())
                .filter(|a| !a.is_empty())
                .collect(),
        };
        for key in keys {
            let key = if key.is_empty() {
                "(none)".to_string()
            } else {
                key
            };
            let entry = groups.entry(key).or_default();
            entry.0 += 1;
            entry.1 += u64::from(r.fatalities.unwrap_or(0));
            if let Some(d) = r.date {
                entry.2 = Some(entry.2.map_or(d, |e| e.min(d)));
                entry.3 = Some(entry.3.map_or(d, |e| e.max(d)));
            }
        }
    }
    let rows: Vec<Vec<String>> = groups
        .iter()
        .map(|(key, (n, fatalities, first, last))| {
            vec![
                key.clone(),
                n.to_string(),
                fatalities.to_string(),
                first.map_or_else(|| "-".into(), |d| d.to_string()),
                last.map_or_else(|| "-".into(), |d| d.to_string()),
            ]
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    write_table(
        &mut out,
        &["group", "incidents", "fatalities", "first", "last"],
        &rows,
    )
    .and_then(|()| out.flush())
    .map_err(Error::output)?;
    Ok(if groups.is_empty() { 1 } else { 0 })
}
