//! PostGIS: incidents and reference layers pushed to a shared database, and the proximity
//! queries run there.
//!
//! Incidents are upserted by `event_id_cnty` in one transaction (COPY into a staging table,
//! then `INSERT … ON CONFLICT … DO UPDATE … WHERE … IS DISTINCT FROM`), so a second push of
//! the same file changes nothing and a corrected row replaces the old one. Geometries are
//! `geography` in SRID 4326 with GiST indexes, so `ST_DWithin`/`ST_Distance` are geodesic.
//!
//! Queries push the spatial condition to the server and read the matching rows back as an
//! incident table: the local filters, distances and printing then run on it, so
//! `near … --db` prints exactly what `near` prints from a file.

use std::io::Write;

use geo::Point;
use postgres::{Client, Config, NoTls};

use crate::error::{Error, Reason};
use crate::export::{ColumnKind, LayerColumn};
use crate::incidents::{Column, Incident, IncidentTable, LoadOptions, load_reader};
use crate::index::{Area, Filter, IncidentIndex};

/// Where to connect: a `postgres://` URL, else the PG* environment variables (PGHOST,
/// PGPORT, PGUSER, PGDATABASE, PGPASSWORD). A URL that is not one is refused with words
/// that never include its password (the caller says where the URL came from).
pub fn config(url: Option<&str>) -> Result<Config, Reason> {
    let config = match url {
        Some(u) => u
            .parse::<Config>()
            .map_err(|e| Reason(format!("{}: not a PostgreSQL URL ({e})", redact(u))))?,
        None => {
            let mut c = Config::new();
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
            c.host(env("PGHOST").as_deref().unwrap_or("localhost"));
            if let Some(p) = env("PGPORT").and_then(|p| p.parse().ok()) {
                c.port(p);
            }
            c.user(
                env("PGUSER")
                    .or_else(|| env("USER"))
                    .as_deref()
                    .unwrap_or("postgres"),
            );
            if let Some(d) = env("PGDATABASE") {
                c.dbname(&d);
            }
            if let Some(p) = env("PGPASSWORD") {
                c.password(p);
            }
            c
        }
    };
    Ok(config)
}

/// Connects to the server of `config` ([`config`]); a missing password is looked up in
/// ~/.pgpass. Messages never include the password.
pub fn connect(mut config: Config) -> Result<Client, Error> {
    if config.get_password().is_none()
        && let Some(password) = pgpass(&config)
    {
        config.password(password);
    }
    let target = describe(&config);
    config.connect(NoTls).map_err(|e| {
        let reason = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .or_else(|| std::error::Error::source(&e).map(|s| s.to_string()))
            .unwrap_or_else(|| e.to_string());
        Error::Database(format!(
            "cannot connect to PostgreSQL at {target}: {reason}"
        ))
    })
}

/// A URL with its password replaced, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// host:port/dbname as user, without the password.
fn describe(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{host}:{port}/{} as {}",
        config.get_dbname().unwrap_or("(default database)"),
        config.get_user().unwrap_or("(default user)")
    )
}

/// The password of ~/.pgpass (or PGPASSFILE) for this host, port, database and user.
fn pgpass(config: &Config) -> Option<String> {
    let path = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(path).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".into(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or("").to_string();
    let user = config.get_user().unwrap_or("").to_string();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let fields: Vec<&str> = line.splitn(5, ':').collect();
            let [h, p, d, u, password] = fields[..] else {
                return None;
            };
            let fits = |pattern: &str, value: &str| pattern == "*" || pattern == value;
            (fits(h, &host) && fits(p, &port) && fits(d, &db) && fits(u, &user))
                .then(|| password.to_string())
        })
}

/// A schema name checked to be a plain identifier (it goes into SQL text); the words of a
/// refusal start with the name.
pub fn schema_name(name: &str) -> Result<String, Reason> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name.to_string())
    } else {
        Err(Reason(format!(
            "{name:?}: use lower-case letters, digits and _ (a plain SQL identifier)"
        )))
    }
}

/// SQL types of the incident columns, in [`Column::ALL`] order.
fn sql_type(column: Column) -> &'static str {
    match column {
        Column::Date => "date",
        Column::TimePrecision | Column::GeoPrecision => "smallint",
        Column::Fatalities => "integer",
        Column::Latitude | Column::Longitude => "double precision",
        Column::Geocoded => "boolean",
        _ => "text",
    }
}

/// A push's transaction, with PostGIS and the schema in place. One push at a time per
/// database: concurrent CREATE EXTENSION/TABLE IF NOT EXISTS race, and upserts of the same
/// ids would wait on each other anyway.
fn begin_push<'c>(
    client: &'c mut Client,
    schema: &str,
) -> Result<postgres::Transaction<'c>, Error> {
    let mut tx = client
        .transaction()
        .map_err(db_error("starting a transaction"))?;
    tx.batch_execute(&format!(
        "SELECT pg_advisory_xact_lock(hashtext('borderwatch db push'));
         CREATE EXTENSION IF NOT EXISTS postgis;
         CREATE SCHEMA IF NOT EXISTS {schema};"
    ))
    .map_err(db_error("creating the schema"))?;
    Ok(tx)
}

/// COPYs CSV records into the database; returns the rows copied.
fn copy_csv(
    tx: &mut postgres::Transaction,
    sql: &str,
    csv: csv::Writer<Vec<u8>>,
) -> Result<u64, Error> {
    let bytes = csv
        .into_inner()
        .map_err(|e| Error::Database(format!("encoding rows for COPY: {e}")))?;
    let mut copy = tx.copy_in(sql).map_err(db_error("COPY"))?;
    copy.write_all(&bytes)
        .map_err(|e| Error::Database(format!("PostgreSQL, COPY: {e}")))?;
    copy.finish().map_err(db_error("COPY"))
}

/// Appends one record to the CSV of a COPY.
fn write_copy_record(csv: &mut csv::Writer<Vec<u8>>, record: &[String]) -> Result<(), Error> {
    csv.write_record(record)
        .map_err(|e| Error::Database(format!("encoding rows for COPY: {e}")))
}

/// What a push did to the incidents table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PushReport {
    /// Rows that were not in the table.
    pub inserted: u64,
    /// Rows whose id was there with other values.
    pub updated: u64,
    /// Rows already there as they are.
    pub unchanged: u64,
    /// Rows of the input whose id came again later in it (the last one counts).
    pub duplicates: u64,
}

fn db_error(what: &str) -> impl Fn(postgres::Error) -> Error + '_ {
    move |e| {
        let reason = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_else(|| e.to_string());
        Error::Database(format!("PostgreSQL, {what}: {reason}"))
    }
}

/// The columns staged after the schema's: the border distance and side, where the row sits
/// in its file, and the input's columns beyond our schema as a JSON object.
const STAGED_AFTER_SCHEMA: [&str; 4] = ["border_km", "side", "source_row", "extra"];

/// Creates `schema.incidents` if needed and upserts every row of `table` in one transaction.
pub fn push_incidents(
    client: &mut Client,
    schema: &str,
    table: &IncidentTable,
) -> Result<PushReport, Error> {
    let index = IncidentIndex::unindexed(table);
    let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    let mut tx = begin_push(client, schema)?;
    create_incident_tables(&mut tx, schema)?;
    list_extra_columns(&mut tx, schema, table)?;
    let staged = copy_csv(
        &mut tx,
        &format!(
            "COPY staging ({}, {}) FROM STDIN WITH (FORMAT csv)",
            names.join(", "),
            STAGED_AFTER_SCHEMA.join(", ")
        ),
        incident_records(table, &index)?,
    )?;
    let all: Vec<&str> = names.iter().copied().chain(STAGED_AFTER_SCHEMA).collect();
    let changed = tx
        .query(&upsert_sql(schema, &all), &[])
        .map_err(db_error("upserting incidents"))?;
    let distinct: i64 = tx
        .query_one("SELECT count(DISTINCT event_id_cnty) FROM staging", &[])
        .map_err(db_error("counting"))?
        .get(0);
    tx.commit().map_err(db_error("committing"))?;
    let inserted = changed.iter().filter(|r| r.get::<_, bool>(0)).count() as u64;
    let updated = changed.len() as u64 - inserted;
    Ok(PushReport {
        inserted,
        updated,
        unchanged: distinct as u64 - inserted - updated,
        duplicates: staged - distinct as u64,
    })
}

/// Creates `schema.incidents`, its indexes and the list of extra columns if needed (and
/// adds `extra` to a table from before it), and the staging table of this transaction.
fn create_incident_tables(tx: &mut postgres::Transaction, schema: &str) -> Result<(), Error> {
    let definitions: Vec<String> = Column::ALL
        .iter()
        .map(|&c| {
            let key = if c == Column::Id { " primary key" } else { "" };
            format!("{} {}{key}", c.name(), sql_type(c))
        })
        .collect();
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {schema}.incidents ({}, border_km double precision, side text,
             source_row bigint, extra jsonb, geog geography(Point, 4326));
         ALTER TABLE {schema}.incidents ADD COLUMN IF NOT EXISTS extra jsonb;
         CREATE TABLE IF NOT EXISTS {schema}.incident_extra_columns
             (position serial primary key, name text unique not null);
         CREATE INDEX IF NOT EXISTS incidents_geog ON {schema}.incidents USING gist (geog);
         CREATE INDEX IF NOT EXISTS incidents_date ON {schema}.incidents (event_date);
         CREATE INDEX IF NOT EXISTS incidents_lonlat ON {schema}.incidents (longitude, latitude);
         CREATE TEMP TABLE staging (LIKE {schema}.incidents) ON COMMIT DROP;",
        definitions.join(", ")
    ))
    .map_err(db_error("creating the tables"))
}

/// Lists the columns of `table` beyond our schema (an ACLED export's inter1, tags, …), kept
/// in `extra` as a JSON object, in the order first pushed: queries print them as the local
/// index does.
fn list_extra_columns(
    tx: &mut postgres::Transaction,
    schema: &str,
    table: &IncidentTable,
) -> Result<(), Error> {
    for name in table.extra_columns() {
        tx.execute(
            &format!(
                "INSERT INTO {schema}.incident_extra_columns (name) VALUES ($1) ON CONFLICT DO NOTHING"
            ),
            &[name],
        )
        .map_err(db_error("listing extra columns"))?;
    }
    Ok(())
}

/// The rows of `table` as CSV for COPY into the staging table.
fn incident_records(
    table: &IncidentTable,
    index: &IncidentIndex,
) -> Result<csv::Writer<Vec<u8>>, Error> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    for (row, incident) in table.rows().iter().enumerate() {
        write_copy_record(&mut csv, &incident_record(table, index, row, incident))?;
    }
    Ok(csv)
}

/// The staging record of `incident`, row `row` of `table`: the schema's columns, then
/// those of [`STAGED_AFTER_SCHEMA`].
fn incident_record(
    table: &IncidentTable,
    index: &IncidentIndex,
    row: usize,
    incident: &Incident,
) -> Vec<String> {
    let mut fields = table.fields(incident).into_iter();
    let mut record: Vec<String> = fields
        .by_ref()
        .take(Column::ALL.len())
        .map(|(_, v)| v.to_text())
        .collect();
    let extra: serde_json::Map<String, serde_json::Value> = fields
        .map(|(name, v)| (name.to_string(), v.to_text().into()))
        .filter(|(_, v)| v != "")
        .collect();
    match index.border(row as u32) {
        Some((km, side)) => {
            record.push(format!("{km:.3}"));
            record.push(side.as_str().to_string());
        }
        None => record.extend([String::new(), String::new()]),
    }
    record.push(row.to_string());
    record.push(if extra.is_empty() {
        String::new()
    } else {
        serde_json::Value::Object(extra).to_string()
    });
    record
}

/// The statement that upserts the staged rows into `schema.incidents`: the last row of a
/// repeated id wins, a row whose `columns` hold the same values but for source_row (where
/// a row sits in its file: not a change of the incident) is left alone, and each row
/// written says whether it was inserted.
fn upsert_sql(schema: &str, columns: &[&str]) -> String {
    let compared: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| *c != "source_row")
        .collect();
    format!(
        "INSERT INTO {schema}.incidents ({cols}, geog)
         SELECT DISTINCT ON (event_id_cnty) {cols},
                CASE WHEN latitude IS NULL OR longitude IS NULL THEN NULL
                     ELSE ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography END
         FROM staging ORDER BY event_id_cnty, source_row DESC
         ON CONFLICT (event_id_cnty) DO UPDATE SET {updates}, geog = EXCLUDED.geog
         WHERE ({old}) IS DISTINCT FROM ({new})
         RETURNING (xmax = 0) AS inserted",
        cols = columns.join(", "),
        updates = columns
            .iter()
            .map(|c| format!("{c} = EXCLUDED.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        old = compared
            .iter()
            .map(|c| format!("incidents.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        new = compared
            .iter()
            .map(|c| format!("EXCLUDED.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// Replaces `schema.NAME` with a reference layer (places, borders, districts, …) in one
/// transaction: typed columns as the layer's properties, `geog geography(TYPE, 4326)` with
/// a GiST index. Returns the number of rows.
pub fn push_layer(
    client: &mut Client,
    schema: &str,
    name: &str,
    features: &[crate::export::Feature],
) -> Result<u64, Error> {
    use crate::export::{columns, geometry_type};
    let columns = columns(features);
    let definitions: Vec<String> = columns
        .iter()
        .map(|c| format!("{} {}", layer_ident(&c.name), layer_sql_type(c.kind)))
        .collect();
    let geography = geometry_type(features).unwrap_or("Geometry");
    let mut tx = begin_push(client, schema)?;
    tx.batch_execute(&format!(
        "DROP TABLE IF EXISTS {schema}.{name};
         CREATE TABLE {schema}.{name} ({}{}geog geography({geography}, 4326));",
        definitions.join(", "),
        if definitions.is_empty() { "" } else { ", " }
    ))
    .map_err(db_error("creating the tables"))?;
    let csv = layer_records(features, &columns)?;
    let names: Vec<String> = columns
        .iter()
        .map(|c| layer_ident(&c.name))
        .chain(["geog".to_string()])
        .collect();
    let rows = copy_csv(
        &mut tx,
        &format!(
            "COPY {schema}.{name} ({}) FROM STDIN WITH (FORMAT csv)",
            names.join(", ")
        ),
        csv,
    )?;
    tx.batch_execute(&format!(
        "CREATE INDEX {name}_geog ON {schema}.{name} USING gist (geog);"
    ))
    .map_err(db_error("indexing"))?;
    tx.commit().map_err(db_error("committing"))?;
    Ok(rows)
}

/// A layer's property name as an SQL identifier, quoted: lower-case letters, digits and _
/// only.
fn layer_ident(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("\"{s}\"")
}

/// The SQL type of a layer's column.
fn layer_sql_type(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Bool => "boolean",
        ColumnKind::Long => "bigint",
        ColumnKind::Double => "double precision",
        ColumnKind::Text => "text",
    }
}

/// The features of a layer as CSV for COPY: the values of `columns`, then the geometry.
fn layer_records(
    features: &[crate::export::Feature],
    columns: &[LayerColumn],
) -> Result<csv::Writer<Vec<u8>>, Error> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    for f in features {
        let mut record: Vec<String> = columns
            .iter()
            .map(|c| match f.properties.get(&c.name) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(v) if c.kind == ColumnKind::Text => {
                    crate::export::text_value(v).unwrap_or_default()
                }
                Some(v) => v.to_string(),
            })
            .collect();
        // The geography type reads hex WKB; no geometry is NULL (an empty field).
        record.push(
            f.geometry
                .as_ref()
                .map(crate::export::wkb)
                .unwrap_or_default()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        );
        write_copy_record(&mut csv, &record)?;
    }
    Ok(csv)
}

/// Incidents of `schema.incidents` in `area` that may pass `filter` (see `filter_sql`),
/// read back as a table in push order: within a distance of points (ST_DWithin on
/// geography: geodesic, GiST-indexed) or inside a lon/lat box.
pub fn fetch(
    client: &mut Client,
    schema: &str,
    area: &Area,
    filter: &Filter,
) -> Result<IncidentTable, Error> {
    let table = match area {
        Area::Within(circles) => {
            let condition = circles
                .iter()
                .map(|(p, km)| {
                    // A hair wider than asked: the local code applies the exact radius.
                    format!(
                        "ST_DWithin(geog, {}, {:.6})",
                        point_sql(*p),
                        km * 1000.0 * 1.000_001 + 0.01
                    )
                })
                .collect::<Vec<_>>()
                .join(" OR ");
            format!("({condition})")
        }
        // The stored coordinates themselves, edges included, as the local index compares.
        Area::Box([w, s, e, n]) => {
            format!("longitude BETWEEN {w:.9} AND {e:.9} AND latitude BETWEEN {s:.9} AND {n:.9}")
        }
    };
    select(
        client,
        schema,
        &format!("{table}{}", filter_sql(filter)),
        "",
    )
}

/// The conditions of `filter` the server can check, as `AND …` clauses: dates, types,
/// actors, border distance and side. They let through at least what the filter lets
/// through (the local filter, applied to what comes back, has the last word); countries,
/// matched by name or code, are left to it.
fn filter_sql(filter: &Filter) -> String {
    // COPY takes no bind parameters: text is quoted as a literal (standard strings: only
    // the quote is special; NUL cannot be sent and matches nothing anyway).
    let literal = |text: &str| format!("'{}'", text.replace('\0', "").replace('\'', "''"));
    let any_of = |items: &[String], test: &dyn Fn(&str) -> String| {
        let tests: Vec<String> = items.iter().map(|i| test(&i.to_lowercase())).collect();
        format!(" AND ({})", tests.join(" OR "))
    };
    let mut sql = String::new();
    if let Some(d) = filter.since {
        sql.push_str(&format!(" AND event_date >= DATE '{d}'"));
    }
    if let Some(d) = filter.until {
        sql.push_str(&format!(" AND event_date <= DATE '{d}'"));
    }
    if !filter.types.is_empty() {
        sql.push_str(&any_of(&filter.types, &|t| {
            let t = literal(t);
            format!("lower(event_type) = {t} OR lower(sub_event_type) = {t}")
        }));
    }
    if !filter.actors.is_empty() {
        sql.push_str(&any_of(&filter.actors, &|a| {
            let a = literal(a);
            format!("strpos(lower(actor1), {a}) > 0 OR strpos(lower(actor2), {a}) > 0")
        }));
    }
    if let Some(km) = filter.border_km {
        // Stored to the metre: a metre of slack.
        sql.push_str(&format!(" AND border_km <= {:.3}", km + 0.001));
    }
    if let Some(side) = filter.side {
        sql.push_str(&format!(" AND side = {}", literal(side.as_str())));
    }
    sql
}

/// The radius around `centre` that holds its `k` nearest incidents passing `filter`, found
/// on the server: the L nearest by KNN (L = 4k, then ×4 until the filter keeps k or the table
/// runs out), measured locally. None when fewer than k incidents pass at all.
pub fn nearest_radius(
    client: &mut Client,
    schema: &str,
    centre: Point,
    k: usize,
    filter: &Filter,
) -> Result<Option<f64>, Error> {
    let mut limit = (4 * k).max(16);
    loop {
        let order = format!("ORDER BY geog <-> {} LIMIT {limit}", point_sql(centre));
        let condition = format!("geog IS NOT NULL{}", filter_sql(filter));
        let table = select(client, schema, &condition, &order)?;
        let index = IncidentIndex::new(&table);
        let hits = index.nearest(centre, k, filter);
        if hits.len() == k {
            return Ok(hits.last().map(|h| h.km));
        }
        if table.rows().len() < limit {
            return Ok(None);
        }
        limit *= 4;
    }
}

fn point_sql(p: Point) -> String {
    format!(
        "ST_SetSRID(ST_MakePoint({:.9}, {:.9}), 4326)::geography",
        p.x(),
        p.y()
    )
}

/// Rows matching `condition`, in push order unless `order` says otherwise.
fn select(
    client: &mut Client,
    schema: &str,
    condition: &str,
    order: &str,
) -> Result<IncidentTable, Error> {
    let extra: Vec<String> = client
        .query(
            &format!("SELECT name FROM {schema}.incident_extra_columns ORDER BY position"),
            &[],
        )
        .map_err(db_error("querying incidents"))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let columns: Vec<String> = Column::ALL
        .iter()
        .map(|c| c.name().to_string())
        .chain(
            extra
                .iter()
                .map(|name| format!("extra ->> '{}'", name.replace('\'', "''"))),
        )
        .collect();
    let order = if order.is_empty() {
        "ORDER BY source_row, event_id_cnty"
    } else {
        order
    };
    let sql = format!(
        "COPY (SELECT {} FROM {schema}.incidents WHERE {condition} {order}) \
         TO STDOUT WITH (FORMAT csv)",
        columns.join(", ")
    );
    // The header is written here: the server would cut names at 63 bytes.
    let mut header = csv::Writer::from_writer(Vec::new());
    header
        .write_record(
            Column::ALL
                .iter()
                .map(|c| c.name())
                .chain(extra.iter().map(String::as_str)),
        )
        .map_err(|e| Error::Database(format!("PostgreSQL, reading rows: {e}")))?;
    let mut bytes = header
        .into_inner()
        .map_err(|e| Error::Database(format!("PostgreSQL, reading rows: {e}")))?;
    let mut reader = client
        .copy_out(&sql)
        .map_err(db_error("querying incidents"))?;
    std::io::Read::read_to_end(&mut reader, &mut bytes)
        .map_err(|e| Error::Database(format!("PostgreSQL, reading rows: {e}")))?;
    let options = LoadOptions {
        geocode: false,
        ..LoadOptions::default()
    };
    load_reader(bytes.as_slice(), &format!("{schema}.incidents"), &options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://analyst:s3cret@db.example:5432/borderwatch"),
            "postgres://analyst:***@db.example:5432/borderwatch"
        );
        assert_eq!(redact("postgres://analyst@db/x"), "postgres://analyst@db/x");
    }

    #[test]
    fn schema_names_are_plain_identifiers() {
        assert!(schema_name("borderwatch_2024").is_ok());
        assert!(schema_name("x; DROP TABLE incidents").is_err());
        assert!(schema_name("Public").is_err());
    }
}
