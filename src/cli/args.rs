//! What the subcommands share: their common arguments, the parsers of argument values, and
//! the command-line names of the library's choices. The library knows nothing of clap: its
//! enums are mapped here, and messages that name a flag get the name here.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;
use geo::Point;

use crate::db::{config, connect, schema_name};
use crate::error::Error;
use crate::export::{DEFAULT_KM, Format as LayerFormat, Layer, Sizes};
use crate::gazetteer::Gazetteer;
use crate::geocode::{Geocoder, Options, Status};
use crate::incidents::date::Period;
use crate::incidents::{BlockSink, IncidentTable, InputFormat, LoadOptions, Source};
use crate::index::queries::ambiguity_with_advice;
use crate::index::{Area, AreaLoad, Filter, IncidentIndex, Nothing, load_around, why_nothing};
use crate::progress::Progress;
use crate::reference::Side;

/// A layer, as `export`, `pack` and `db push` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayerArg {
    /// Incidents as points, every column typed, plus border_km and side.
    Incidents,
    /// The gazetteer's places.
    Places,
    /// The Afghanistan–Tajikistan border and the region's other borders.
    Border,
    /// Country polygons.
    Countries,
    /// River centre lines.
    Rivers,
    /// District polygons (AIMS 2014 for Afghanistan, OpenStreetMap for Tajikistan).
    Districts,
    /// The zone within --buffer-km of the AF–TJ border, per side.
    Buffer,
    /// The AF–TJ border cut into ~--segment-km pieces with incident counts.
    Segments,
    /// A hexagonal equal-area grid of incident counts, cells --grid-km across.
    Grid,
}

impl From<LayerArg> for Layer {
    fn from(layer: LayerArg) -> Layer {
        match layer {
            LayerArg::Incidents => Layer::Incidents,
            LayerArg::Places => Layer::Places,
            LayerArg::Border => Layer::Border,
            LayerArg::Countries => Layer::Countries,
            LayerArg::Rivers => Layer::Rivers,
            LayerArg::Districts => Layer::Districts,
            LayerArg::Buffer => Layer::Buffer,
            LayerArg::Segments => Layer::Segments,
            LayerArg::Grid => Layer::Grid,
        }
    }
}

/// The layers named on the command line.
pub fn layers(names: &[LayerArg]) -> Vec<Layer> {
    names.iter().map(|&l| l.into()).collect()
}

/// An output encoding of layers (`--format` of `export` and `pack`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One RFC 7946 FeatureCollection (with a bbox member).
    Geojson,
    /// RFC 8142 GeoJSON text sequence: one Feature per record, RS-delimited.
    Geojsonseq,
    /// CSV: a WKT `geometry` column, then the properties.
    Csv,
    /// FlatGeobuf with its packed Hilbert R-tree, for reading a bbox without the whole file.
    Flatgeobuf,
    /// GeoParquet 1.1 (WKB, bbox covering column, rows in Hilbert order) for DuckDB, Sedona,
    /// geopandas and BigQuery.
    Geoparquet,
}

impl From<FormatArg> for LayerFormat {
    fn from(format: FormatArg) -> LayerFormat {
        match format {
            FormatArg::Geojson => LayerFormat::Geojson,
            FormatArg::Geojsonseq => LayerFormat::Geojsonseq,
            FormatArg::Csv => LayerFormat::Csv,
            FormatArg::Flatgeobuf => LayerFormat::Flatgeobuf,
            FormatArg::Geoparquet => LayerFormat::Geoparquet,
        }
    }
}

/// The layout of incident files (`--input-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// Decide from the header (UCDP GED when it has `where_prec` and `type_of_violence`).
    Auto,
    /// ACLED exports and our own CSV.
    Acled,
    /// UCDP GED: `where_prec`/`date_prec` mapped to ACLED precisions, `best` as fatalities.
    Ucdp,
}

impl From<InputFormatArg> for InputFormat {
    fn from(format: InputFormatArg) -> InputFormat {
        match format {
            InputFormatArg::Auto => InputFormat::Auto,
            InputFormatArg::Acled => InputFormat::Acled,
            InputFormatArg::Ucdp => InputFormat::Ucdp,
        }
    }
}

/// The flag of the column mapping, for the reader's messages about it.
pub const COLUMNS_FLAG: &str = "--columns";

/// Parses `LAT,LON` in degrees (a value parser).
pub fn parse_lat_lon(text: &str) -> Result<Point, String> {
    Ok(crate::spatial::parse_lat_lon(text)?)
}

/// Output formats shared by the subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people (control characters removed).
    Table,
    /// One JSON object per line.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Options for choosing the gazetteer.
#[derive(Debug, clap::Args)]
pub struct GazetteerArgs {
    /// Gazetteer CSV to use instead of the bundled one (same columns as gazetteer.csv).
    #[arg(long, value_name = "FILE", env = "BORDERWATCH_GAZETTEER")]
    gazetteer: Option<PathBuf>,
}

impl GazetteerArgs {
    /// The geocoder of the chosen gazetteer. It lives as long as the process: a command
    /// never frees the index it answers from, so leaving costs nothing.
    pub fn geocoder(&self) -> Result<&'static Geocoder, Error> {
        match &self.gazetteer {
            Some(path) => Ok(Box::leak(Box::new(Geocoder::new(Gazetteer::from_path(
                path,
            )?)))),
            None => Ok(Geocoder::bundled()),
        }
    }
}

/// Where the database is: shared by `db`, `near --db` and `bbox --db`.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// postgres://USER@HOST:PORT/DB (no password here: it comes from PGPASSWORD or ~/.pgpass,
    /// or the URL); with no URL, the PG* environment variables.
    #[arg(long = "db", value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    pub url: Option<String>,
    /// The schema that holds the tables.
    #[arg(long, default_value = "borderwatch", value_name = "NAME")]
    pub schema: String,
}

impl DbArgs {
    /// A connection and the checked schema name.
    pub fn open(&self) -> Result<(postgres::Client, String), Error> {
        let schema =
            schema_name(&self.schema).map_err(|r| Error::Usage(format!("--schema {r}")))?;
        let url = self.url.as_deref().filter(|u| !u.is_empty());
        let config = config(url).map_err(|r| Error::Usage(format!("--db {r}")))?;
        Ok((connect(config)?, schema))
    }
}

/// Geocodes a PLACE argument, settled by a country and a province when given, and says
/// which place was taken (`role`: "near", "around"); an ambiguous or unknown place is an
/// error that says why.
pub fn resolve_place(
    role: &str,
    place: &str,
    country: Option<String>,
    admin1: Option<String>,
) -> Result<Point, Error> {
    let options = Options {
        country,
        admin1,
        ..Options::default()
    };
    let outcome = Geocoder::bundled().geocode(place, &options);
    match outcome.status {
        Status::Resolved => {
            let c = &outcome.candidates[0];
            eprintln!(
                "borderwatch: {role} {} ({}, {}{}) at {:.5}, {:.5}",
                c.name,
                c.kind,
                if c.admin1.is_empty() {
                    String::new()
                } else {
                    format!("{}, ", c.admin1)
                },
                c.country,
                c.lat,
                c.lon
            );
            Ok(Point::new(c.lon, c.lat))
        }
        Status::Ambiguous => Err(Error::Usage(format!(
            "{place:?} is ambiguous: {}",
            ambiguity_with_advice(
                &outcome.note.unwrap_or_default(),
                "add a province (\"PLACE, PROVINCE\"), --country CC or --admin1 NAME, or use --at LAT,LON"
            )
        ))),
        Status::Unresolved => Err(Error::Usage(format!(
            "no place named like {place:?}; `borderwatch geocode {place:?}` shows what is known, or use --at LAT,LON"
        ))),
    }
}

/// Where incidents come from.
#[derive(Debug, Clone, clap::Args)]
pub struct IncidentArgs {
    /// Incident CSV (repeatable; `-` reads standard input); default: the bundled
    /// data/incidents.csv.
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
}

/// Where the incidents of a query (`near`, `bbox`) come from: as [`IncidentArgs`], and whether
/// the index file beside one CSV may answer. The other commands read every row anyway, so
/// they are not offered the choice.
#[derive(Debug, Clone, clap::Args)]
pub struct QueryIncidentArgs {
    #[command(flatten)]
    incidents: IncidentArgs,
    /// Neither use nor write the index file kept beside one incident CSV (`.FILE.bwindex`,
    /// which lets a query read only the rows it can find).
    #[arg(long)]
    no_index_file: bool,
}

impl std::ops::Deref for QueryIncidentArgs {
    type Target = IncidentArgs;

    fn deref(&self) -> &IncidentArgs {
        &self.incidents
    }
}

impl QueryIncidentArgs {
    /// Reads the incidents a query of `area` needs (through the index file beside one CSV
    /// unless --no-index-file), and reports on stderr rows that were not indexed.
    pub fn load_around(&self, area: &Area) -> Result<AreaLoad, Error> {
        let mut loaded = self
            .incidents
            .with_progress(|source| load_around(&source, area, !self.no_index_file))?;
        report(loaded.account.take());
        Ok(loaded)
    }

    /// Why a query answered from `loaded` found nothing (see [`why_nothing`]), from every
    /// row: the files are read again when `loaded` holds only the rows near the question.
    pub fn why_nothing(
        &self,
        loaded: &AreaLoad,
        filter: &Filter,
        center: Option<Point>,
    ) -> Result<Nothing, Error> {
        let all;
        let table = if loaded.complete {
            &loaded.table
        } else {
            all = self.load_quietly()?;
            &all
        };
        Ok(why_nothing(
            &IncidentIndex::unindexed(table),
            filter,
            center,
        ))
    }
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

    /// The same options reading `files` instead, when any is given.
    pub fn with_files(mut self, files: &[PathBuf]) -> IncidentArgs {
        if !files.is_empty() {
            self.files = files.to_vec();
        }
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
                progress: None,
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
        let account = self.with_progress(|source| source.stream(sink))?;
        report(account.account());
        Ok(account)
    }

    /// Reads the incidents without reporting.
    pub fn load_quietly(&self) -> Result<IncidentTable, Error> {
        self.with_progress(|source| source.load())
    }

    /// Runs `read` on the source, with a progress bar on stderr while it reads when stderr
    /// is a terminal and the files are large enough to wait for.
    fn with_progress<T>(&self, read: impl FnOnce(Source) -> Result<T, Error>) -> Result<T, Error> {
        let mut source = self.source();
        let total: u64 = source
            .files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        if total < PROGRESS_MIN_BYTES || !std::io::stderr().is_terminal() {
            return read(source);
        }
        let bar = indicatif::ProgressBar::new(total).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} of incidents read, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let advance = bar.clone();
        source.options.progress = Some(Progress::new(move |bytes| advance.inc(bytes)));
        let result = read(source);
        bar.finish_and_clear();
        result
    }
}

/// Inputs smaller than this (bytes) read in well under a second: no progress bar.
const PROGRESS_MIN_BYTES: u64 = 32 << 20;

/// The sizes of the layers made from the border and the incidents: `export`, `pack`, `web`
/// and `db push`.
#[derive(Debug, Clone, clap::Args)]
pub struct SizeArgs {
    /// Width of the border buffer on each side, in km.
    #[arg(long, value_name = "KM", default_value_t = DEFAULT_KM, value_parser = parse_size_km)]
    buffer_km: f64,
    /// Length of the border segments, in km (the border is cut into equal pieces of about
    /// this).
    #[arg(long, value_name = "KM", default_value_t = DEFAULT_KM, value_parser = parse_size_km)]
    segment_km: f64,
    /// Segments count the incidents within this distance of the border, in km.
    #[arg(long, value_name = "KM", default_value_t = DEFAULT_KM, value_parser = parse_km)]
    segment_border_km: f64,
    /// Size of the grid's hexagons (between opposite edges), in km.
    #[arg(long, value_name = "KM", default_value_t = DEFAULT_KM, value_parser = parse_size_km)]
    grid_km: f64,
    /// Retired: it set the three sizes at once. Refused with the names to use instead.
    #[arg(long, hide = true, value_name = "KM")]
    km: Option<String>,
}

/// Why `--km` is refused where it once set the buffer, segments and grid together.
const RETIRED_KM: &str = "--km is no longer an option of export, pack, web and db push (it set \
     three sizes at once): use --buffer-km, --segment-km and --grid-km (10 each unless given)";

impl SizeArgs {
    /// The sizes given, or the advice to use the options that replaced `--km`.
    pub fn sizes(&self) -> Result<Sizes, Error> {
        if self.km.is_some() {
            return Err(Error::Usage(RETIRED_KM.into()));
        }
        Ok(Sizes {
            buffer_km: self.buffer_km,
            segment_km: self.segment_km,
            segment_border_km: self.segment_border_km,
            grid_km: self.grid_km,
        })
    }
}

/// A size in km for a layer: as [`parse_km`], but greater than 0 (a buffer, a segment or a
/// cell of no size is nothing to draw).
fn parse_size_km(text: &str) -> Result<f64, String> {
    match parse_km(text) {
        Ok(v) if v > 0.0 => Ok(v),
        _ => Err(format!(
            "expected a size in km greater than 0 and at most 20000, got {text:?}"
        )),
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
    /// Only incidents on or after this day, or from the start of this month or year
    /// (YYYY-MM-DD, YYYY-MM, YYYY); unknown dates are left out.
    #[arg(long, value_name = "DATE", value_parser = parse_period)]
    since: Option<Period>,
    /// Only incidents on or before this day, or up to the end of this month or year
    /// (YYYY-MM-DD, YYYY-MM, YYYY).
    #[arg(long, value_name = "DATE", value_parser = parse_period)]
    until: Option<Period>,
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

fn parse_period(text: &str) -> Result<Period, String> {
    Ok(crate::incidents::date::parse_period(text)?)
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
    /// The filter these options describe; an inverted date range is an error (it could
    /// only ever find nothing).
    pub fn filter(&self) -> Result<Filter, Error> {
        let since = self.since.map(|p| p.first);
        let until = self.until.map(|p| p.last);
        if let (Some(s), Some(u)) = (since, until)
            && s > u
        {
            return Err(Error::Usage(format!(
                "--since {s} is after --until {u}: no date is in that range (swap them?)"
            )));
        }
        Ok(Filter {
            since,
            until,
            types: self.types.clone(),
            actors: self.actors.clone(),
            countries: self.countries.clone(),
            border_km: self.border_km,
            side: self.side.map(|s| match s {
                SideArg::Af => Side::AF,
                SideArg::Tj => Side::TJ,
                SideArg::Other => Side::Other,
            }),
        })
    }

    /// The country codes given, to settle an ambiguous place.
    pub fn first_country(&self) -> Option<String> {
        self.countries.first().cloned()
    }
}
