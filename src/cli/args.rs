//! What the subcommands share: their common arguments, the parsers of argument values, and
//! the command-line names of the library's choices. The library knows nothing of clap: its
//! enums are mapped here, and messages that name a flag get the name here.

use clap::ValueEnum;
use geo::Point;

use crate::export::{Format, Layer};
use crate::incidents::InputFormat;

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
    /// The zone within --km of the AF–TJ border, per side.
    Buffer,
    /// The AF–TJ border cut into ~--km pieces with incident counts.
    Segments,
    /// A hexagonal equal-area grid of incident counts.
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

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Geojson => Format::Geojson,
            FormatArg::Geojsonseq => Format::Geojsonseq,
            FormatArg::Csv => Format::Csv,
            FormatArg::Flatgeobuf => Format::Flatgeobuf,
            FormatArg::Geoparquet => Format::Geoparquet,
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
