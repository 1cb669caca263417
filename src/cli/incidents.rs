//! `borderwatch incidents check|summary`: the account of every row, and totals.

use std::io::Write;
use std::path::PathBuf;

use super::args::{FilterArgs, IncidentArgs};
use super::output::write_table;
use crate::atomic::write_atomically;
use crate::error::Error;
use crate::incidents::IncidentTable;
use crate::index::summary::Dated;
use crate::index::{Grouping, IncidentIndex, summarise, why_nothing};

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
    /// Incident files to check (the same as --incidents; `-` reads standard input).
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

impl From<By> for Grouping {
    fn from(by: By) -> Grouping {
        match by {
            By::Month => Grouping::Month,
            By::Year => Grouping::Year,
            By::Country => Grouping::Country,
            By::Admin1 => Grouping::Admin1,
            By::Admin2 => Grouping::Admin2,
            By::Type => Grouping::Type,
            By::Actor => Grouping::Actor,
        }
    }
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
    /// Incident files to summarise (the same as --incidents; `-` reads standard input).
    #[arg(value_name = "FILE")]
    paths: Vec<PathBuf>,
}

pub fn run(command: Command) -> Result<i32, Error> {
    match command {
        Command::Check(args) => check(args),
        Command::Summary(args) => summary(args),
    }
}

fn check(args: CheckArgs) -> Result<i32, Error> {
    let table = args.incidents.with_files(&args.paths).load_quietly()?;
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
    let filter = args.filters.filter()?;
    let table = args.incidents.with_files(&args.paths).load()?;
    let index = IncidentIndex::new(&table);
    let groups = summarise(&index, &filter, args.by.into());
    let dated = |d: Option<Dated>| d.map_or_else(|| "-".into(), |d| d.to_string());
    let rows: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            vec![
                g.key.clone(),
                g.incidents.to_string(),
                g.fatalities.to_string(),
                dated(g.first),
                dated(g.last),
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
    if groups.is_empty() {
        eprintln!("borderwatch: {}", why_nothing(&index, &filter, None));
        return Ok(1);
    }
    Ok(0)
}
