//! `borderwatch db push`: incidents into a shared PostGIS database.

use super::args::{LayerArg, layers};
use super::incident_args::{IncidentArgs, parse_km};
use crate::db::{config, connect, push_incidents, push_layer, schema_name};
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
    /// Width of the border buffer, length of border segments, size of grid cells, in km.
    #[arg(long, default_value_t = 10.0, value_parser = parse_km)]
    km: f64,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    incidents: IncidentArgs,
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

pub fn run(args: Args) -> Result<i32, Error> {
    match args.command {
        Command::Push(push) => {
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
                km: push.km,
                border_km: 10.0,
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
