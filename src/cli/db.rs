//! `borderwatch db push`: incidents into a shared PostGIS database.

use super::args::{DbArgs, IncidentArgs, LayerArg, SizeArgs, layers};
use crate::db::{push_incidents, push_layer};
use crate::error::Error;
use crate::export::{Context, Layer, layer_features};
use crate::gazetteer::Gazetteer;
use crate::index::{Filter, IncidentIndex};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Create or update SCHEMA.incidents (geography points, GiST index) and upsert the
    /// incidents by event_id_cnty in one transaction: pushing the same file twice changes
    /// nothing, a corrected row replaces the old one. Reference layers (places, borders,
    /// countries, rivers, districts, buffer, segments, grid) replace their tables.
    Push(PushArgs),
}

#[derive(Debug, clap::Args)]
struct PushArgs {
    /// Layers to push (default: every layer). Incidents are upserted; the other layers
    /// replace their table.
    #[arg(value_enum, value_name = "LAYER")]
    layers: Vec<LayerArg>,
    #[command(flatten)]
    sizes: SizeArgs,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    incidents: IncidentArgs,
}

pub fn run(args: Args) -> Result<i32, Error> {
    match args.command {
        Command::Push(push) => {
            let sizes = push.sizes.sizes()?;
            let table = push.incidents.load()?;
            let (mut client, schema) = push.db.open()?;
            let layers = if push.layers.is_empty() {
                Layer::ALL.to_vec()
            } else {
                layers(&push.layers)
            };
            if layers.contains(&Layer::Incidents) {
                let report = push_incidents(&mut client, &schema, &table)?;
                eprintln!(
                    "borderwatch: {schema}.incidents: {} inserted, {} updated, {} unchanged{}",
                    report.inserted,
                    report.updated,
                    report.unchanged,
                    if report.duplicates > 0 {
                        format!(
                            "; {} rows repeated an earlier id (the last one was kept)",
                            report.duplicates
                        )
                    } else {
                        String::new()
                    }
                );
            }
            let index = IncidentIndex::new(&table);
            let gazetteer = Gazetteer::bundled();
            let filter = Filter::default();
            let context = Context {
                index: &index,
                filter: &filter,
                gazetteer: &gazetteer,
                sizes,
            };
            for layer in layers.into_iter().filter(|l| *l != Layer::Incidents) {
                let features = layer_features(layer, &context, 7)
                    .map_err(|e| Error::Usage(format!("building {}: {e}", layer.name())))?;
                let rows = push_layer(&mut client, &schema, layer.name(), &features)?;
                eprintln!(
                    "borderwatch: {schema}.{}: {rows} rows (replaced)",
                    layer.name()
                );
            }
            Ok(0)
        }
    }
}
