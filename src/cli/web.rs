//! `borderwatch web`: the web map as a static site or one self-contained HTML file.

use std::path::PathBuf;

use super::incident_args::{FilterArgs, IncidentArgs, parse_km};
use crate::atomic::write_atomically;
use crate::error::Error;
use crate::export::Context;
use crate::gazetteer::Gazetteer;
use crate::incidents::IncidentTable;
use crate::index::IncidentIndex;
use crate::web::MapData;

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
    /// Width of the border buffer, length of border segments, size of grid cells, in km.
    #[arg(long, default_value_t = 10.0, value_parser = parse_km)]
    km: f64,
    #[command(flatten)]
    filters: FilterArgs,
    #[command(flatten)]
    incidents: IncidentArgs,
}

pub fn run(args: Args) -> Result<i32, Error> {
    let table = args.map.incidents.load()?;
    let km = args.map.km;
    // Segments count incidents within 10 km of the border, as `export` does by default.
    let data = map_data(&table, &args.map.filters, &args.map.title, km, 10.0)?;
    write(&data, args.out.as_deref(), args.single_file.as_deref())?;
    Ok(0)
}

/// The map's data from loaded incidents; `km` and `border_km` as `export` takes them.
pub fn map_data(
    table: &IncidentTable,
    filters: &FilterArgs,
    title: &str,
    km: f64,
    border_km: f64,
) -> Result<MapData, Error> {
    let index = IncidentIndex::new(table);
    let gazetteer = Gazetteer::bundled();
    let filter = filters.filter();
    let context = Context {
        index: &index,
        filter: &filter,
        gazetteer: &gazetteer,
        km,
        border_km,
    };
    MapData::new(&context, title).map_err(|e| Error::Usage(format!("building the map: {e}")))
}

/// Writes the site and/or the single file, and says what was written.
pub fn write(
    data: &MapData,
    site: Option<&std::path::Path>,
    single_file: Option<&std::path::Path>,
) -> Result<(), Error> {
    let shown = format!(
        "{} incidents on the map, {} listed without a place",
        data.located(),
        data.unlocated()
    );
    if let Some(dir) = site {
        data.write_site(dir)?;
        eprintln!(
            "borderwatch: {}: web map ({shown}); open index.html",
            dir.display()
        );
    }
    if let Some(file) = single_file {
        let page = data.single_file();
        write_atomically(file, |w| w.write_all(page.as_bytes()))?;
        eprintln!(
            "borderwatch: {}: single-file web map ({shown})",
            file.display()
        );
    }
    Ok(())
}
