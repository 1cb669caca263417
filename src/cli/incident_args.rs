//! Options shared by the commands that read incidents: which files, how to read them, and
//! the filters.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::args::{COLUMNS_FLAG, InputFormatArg};
use crate::error::Error;
use crate::incidents::{BlockSink, IncidentTable, LoadOptions, Source, date::parse_date};
use crate::index::{Area, Filter, load_around};
use crate::reference::Side;

/// Where incidents come from.
#[derive(Debug, Clone, clap::Args)]
pub struct IncidentArgs {
    /// Incident CSV (repeatable); default: the bundled data/incidents.csv.
    #[arg(
        long = "incidents",
        value_name = "FILE",
        env = "BORDERWATCH_INCIDENTS",
        value_delimiter = ','
    )]
    files: Vec<PathBuf>,
    /// Map columns the reader does not recognise, e.g. `lat=Y_COORD,lon=X_COORD,date=Day`.
    #[arg(long, value_name = "KEY=COLUMN,...", value_parser = parse_columns)]
    columns: Option<ColumnPairs>,
    /// Input flavour: decide from the header, ACLED/our CSV, or UCDP GED.
    #[arg(long = "input-format", value_enum, default_value_t = InputFormatArg::Auto)]
    input_format: InputFormatArg,
    /// Do not geocode rows that lack coordinates (they stay unlocated).
    #[arg(long)]
    no_geocode: bool,
    /// `near` and `bbox`: neither use nor write the index file kept beside one incident CSV
    /// (`.FILE.bwindex`, which lets a query read only the rows it can find).
    #[arg(long)]
    no_index_file: bool,
}

/// `--columns` pairs: (schema key, the file's header).
#[derive(Debug, Clone)]
struct ColumnPairs(Vec<(String, String)>);

fn parse_columns(text: &str) -> Result<ColumnPairs, String> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("expected KEY=COLUMN pairs such as lat=Y, got {pair:?}"))
        })
        .collect::<Result<_, _>>()
        .map(ColumnPairs)
}

impl IncidentArgs {
    /// The input files, for manifests.
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!(self.source().describe())
    }

    /// The same options reading other files.
    pub fn with_files(mut self, files: &[PathBuf]) -> IncidentArgs {
        self.files = files.to_vec();
        self
    }

    /// Where the incidents come from and how to read them.
    fn source(&self) -> Source {
        Source {
            files: self.files.clone(),
            options: LoadOptions {
                columns: self.columns.clone().map(|c| c.0).unwrap_or_default(),
                columns_label: COLUMNS_FLAG.to_string(),
                format: self.input_format.into(),
                geocode: !self.no_geocode,
            },
        }
    }

    /// Reads the incidents, and reports on stderr rows that were not indexed.
    pub fn load(&self) -> Result<IncidentTable, Error> {
        let table = self.load_quietly()?;
        report(table.account());
        Ok(table)
    }

    /// Reads the incidents block by block into `sink` (nothing kept), and reports on stderr
    /// rows that were not indexed.
    pub fn stream(&self, sink: &mut BlockSink) -> Result<IncidentTable, Error> {
        let account = self.source().stream(sink)?;
        report(account.account());
        Ok(account)
    }

    /// Reads the incidents a query of `area` needs (through the index file beside one CSV
    /// unless --no-index-file), and reports on stderr rows that were not indexed.
    pub fn load_around(&self, area: &Area) -> Result<IncidentTable, Error> {
        let loaded = load_around(&self.source(), area, !self.no_index_file)?;
        report(loaded.account);
        Ok(loaded.table)
    }

    /// Reads the incidents without reporting.
    pub fn load_quietly(&self) -> Result<IncidentTable, Error> {
        self.source().load()
    }
}

/// Tells on stderr how many rows were not indexed, when any.
fn report(account: Option<String>) {
    if let Some(account) = account {
        eprintln!("borderwatch: incidents: {account} (`borderwatch incidents check` lists why)");
    }
}

/// The incident filters.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only incidents on or after this date (YYYY-MM-DD); unknown dates are left out.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    since: Option<NaiveDate>,
    /// Only incidents on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    until: Option<NaiveDate>,
    /// Event type or sub-event type, e.g. Battles (repeatable).
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,
    /// Actor name or part of it, e.g. Taliban (repeatable).
    #[arg(long = "actor", value_name = "ACTOR")]
    actors: Vec<String>,
    /// Country name or ISO code of the incident (repeatable).
    #[arg(long = "country", value_name = "CC")]
    countries: Vec<String>,
    /// Only incidents within D km of the Afghanistan–Tajikistan border.
    #[arg(long, value_name = "D", value_parser = parse_km)]
    border_km: Option<f64>,
    /// Only incidents on this side of the border.
    #[arg(long, value_enum)]
    side: Option<SideArg>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SideArg {
    #[value(name = "AF", alias = "af")]
    Af,
    #[value(name = "TJ", alias = "tj")]
    Tj,
    #[value(name = "other")]
    Other,
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    match parse_date(text)? {
        Some((date, _)) => Ok(date),
        None => Err("empty date".into()),
    }
}

/// A distance in km: finite, not negative.
pub fn parse_km(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=20_000.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "expected a distance in km from 0 to 20000, got {text:?}"
        )),
    }
}

impl FilterArgs {
    /// The filter these options describe.
    pub fn filter(&self) -> Filter {
        Filter {
            since: self.since,
            until: self.until,
            types: self.types.clone(),
            actors: self.actors.clone(),
            countries: self.countries.clone(),
            border_km: self.border_km,
            side: self.side.map(|s| match s {
                SideArg::Af => Side::AF,
                SideArg::Tj => Side::TJ,
                SideArg::Other => Side::Other,
            }),
        }
    }

    /// The country codes given, to settle an ambiguous place.
    pub fn first_country(&self) -> Option<String> {
        self.countries.first().cloned()
    }
}
