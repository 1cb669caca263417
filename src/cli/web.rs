//! `borderwatch web`: the web map as a static site or one self-contained HTML file.

use std::path::PathBuf;

use super::args::{FilterArgs, IncidentArgs, SizeArgs};
use super::output::{map_data, write_map};
use crate::error::Error;

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("target").required(true).multiple(true))]
pub struct Args {
    /// Folder for the static site: index.html, app, data, MapLibre GL JS, layers/*.geojson.
    #[arg(long, value_name = "DIR", group = "target")]
    out: Option<PathBuf>,
    /// One self-contained HTML file (scripts, styles, data inlined) that works from disk.
    #[arg(long, value_name = "FILE", group = "target")]
    single_file: Option<PathBuf>,
    #[command(flatten)]
    map: MapArgs,
}

/// What the map shows: shared by `web` and `pack`.
#[derive(Debug, clap::Args)]
pub struct MapArgs {
    /// The page's title.
    #[arg(long, default_value = crate::web::DEFAULT_TITLE)]
    title: String,
    #[command(flatten)]
    sizes: SizeArgs,
    #[command(flatten)]
    filters: FilterArgs,
    #[command(flatten)]
    incidents: IncidentArgs,
}

pub fn run(args: Args) -> Result<i32, Error> {
    let sizes = args.map.sizes.sizes()?;
    let table = args.map.incidents.load()?;
    let data = map_data(
        &table,
        &args.map.filters,
        &args.map.title,
        sizes,
        args.out.is_some(),
    )?;
    write_map(&data, args.out.as_deref(), args.single_file.as_deref())?;
    Ok(0)
}
