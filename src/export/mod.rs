//! Layers for QGIS, GDAL and web maps: incidents, places, borders, countries, rivers,
//! districts, the border buffer, border segments and an equal-area grid. Each layer is a
//! stream of [`Feature`]s written by a [`FeatureWriter`] in GeoJSON (RFC 7946), GeoJSON text
//! sequences (RFC 8142) or CSV with WKT.

mod analysis;
mod columnar;
mod feature;
mod fgb;
mod incident_rows;
mod ordered;
mod pipeline;
mod rows;
mod spill;
mod store;
mod typing;
mod wkb;
mod write;

use std::io::Write;

use geo::{Geometry, MultiPolygon, Orient, Point, orient::Direction};
use serde_json::{Map, Value};

pub use analysis::{BufferZone, Grid, Segments, border_buffer, border_segments, hex_grid};
pub use feature::{Bbox, Feature};
pub(crate) use typing::Column as LayerColumn;
pub use typing::{ColumnKind, columns, text_value};
pub use wkb::{geometry_type, wkb};
pub use write::{
    EXTENSIONS, Encoded, FeatureWriter, Format, Properties, RUN, RUN_ITEM_BYTES, Written,
    encode_runs, push_json_object, push_json_value,
};

use crate::gazetteer::Gazetteer;
use crate::incidents::Value as IncidentValue;
use crate::index::{Filter, IncidentIndex};
use crate::reference::{LAYERS, Reference};
use incident_rows::incident_runs;

/// A layer that `borderwatch export` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
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
    /// The zone within [`Sizes::buffer_km`] of the AF–TJ border, per side.
    Buffer,
    /// The AF–TJ border cut into pieces of about [`Sizes::segment_km`], with incident counts.
    Segments,
    /// A hexagonal equal-area grid of incident counts, cells [`Sizes::grid_km`] across.
    Grid,
}

impl Layer {
    /// Every layer, in the order of the map pack.
    pub const ALL: [Layer; 9] = [
        Layer::Incidents,
        Layer::Places,
        Layer::Border,
        Layer::Countries,
        Layer::Rivers,
        Layer::Districts,
        Layer::Buffer,
        Layer::Segments,
        Layer::Grid,
    ];

    /// The layer's name, as on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Incidents => "incidents",
            Layer::Places => "places",
            Layer::Border => "border",
            Layer::Countries => "countries",
            Layer::Rivers => "rivers",
            Layer::Districts => "districts",
            Layer::Buffer => "buffer",
            Layer::Segments => "segments",
            Layer::Grid => "grid",
        }
    }

    /// Where the layer's data comes from, for the manifest and map attributions.
    pub fn sources(self) -> &'static [&'static str] {
        match self {
            Layer::Incidents => &["incident sources as given in each row's source column"],
            Layer::Places => &[
                "GeoNames (geonames.org), CC BY 4.0",
                "geoBoundaries / AIMS 2014, public domain",
                "© OpenStreetMap contributors, ODbL 1.0",
                "Natural Earth, public domain",
                "borderwatch curated names (data/curated)",
            ],
            Layer::Border | Layer::Countries | Layer::Rivers | Layer::Buffer => {
                &["Natural Earth, public domain"]
            }
            Layer::Districts => &[
                "geoBoundaries / AIMS 2014 (Afghanistan), public domain",
                "© OpenStreetMap contributors (Tajikistan), ODbL 1.0",
            ],
            Layer::Segments | Layer::Grid => &[
                "Natural Earth, public domain",
                "incident sources as given in each row's source column",
            ],
        }
    }
}

/// The size of each layer made from the border and the incidents unless told otherwise, in
/// km: the buffer's width, the segments' length, the grid's cells and how near the border an
/// incident must be to count in a segment.
pub const DEFAULT_KM: f64 = 10.0;

/// The sizes of the layers made from the border and the incidents, in km: each its own, since
/// a buffer width, a segment length and a cell size are different choices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sizes {
    /// Width of the border buffer, on each side.
    pub buffer_km: f64,
    /// Length of the border segments (the border is cut into equal pieces of about this).
    pub segment_km: f64,
    /// How near the border an incident must be to count in a segment.
    pub segment_border_km: f64,
    /// Size of the grid's hexagons, between opposite edges.
    pub grid_km: f64,
}

impl Default for Sizes {
    /// [`DEFAULT_KM`] for each.
    fn default() -> Sizes {
        Sizes {
            buffer_km: DEFAULT_KM,
            segment_km: DEFAULT_KM,
            segment_border_km: DEFAULT_KM,
            grid_km: DEFAULT_KM,
        }
    }
}

/// What layers are made from and how.
pub struct Context<'a> {
    /// The incidents.
    pub index: &'a IncidentIndex<'a>,
    /// Which incidents count.
    pub filter: &'a Filter,
    /// Places for the places layer and district names.
    pub gazetteer: &'a Gazetteer,
    /// The sizes of buffer, segments and grid.
    pub sizes: Sizes,
}

/// The features of one layer, as written (coordinates at `precision` decimals).
pub fn layer_features(
    layer: Layer,
    context: &Context,
    precision: usize,
) -> std::io::Result<Vec<Feature>> {
    let mut text = Vec::new();
    write_layer(
        layer,
        context,
        FeatureWriter::new(&mut text, Format::Geojson, precision)?,
    )?;
    let collection: geojson::FeatureCollection = std::str::from_utf8(&text)
        .map_err(std::io::Error::other)?
        .parse()
        .map_err(std::io::Error::other)?;
    collection
        .features
        .into_iter()
        .map(|f| {
            let geometry = f
                .geometry
                .as_ref()
                .map(Geometry::try_from)
                .transpose()
                .map_err(std::io::Error::other)?;
            Ok(Feature {
                id: f.id.as_ref().map(|id| match id {
                    geojson::feature::Id::String(s) => s.clone(),
                    geojson::feature::Id::Number(n) => n.to_string(),
                }),
                geometry,
                properties: f.properties.unwrap_or_default(),
            })
        })
        .collect()
}

/// Writes one layer; returns what was written (features with and without a geometry, those
/// left out, the bbox).
pub fn write_layer<W: Write + Send>(
    layer: Layer,
    context: &Context,
    mut writer: FeatureWriter<W>,
) -> std::io::Result<Written> {
    let w = &mut writer;
    match layer {
        Layer::Incidents => write_incidents(context.index, context.filter, w)?,
        Layer::Places => write_places(context.gazetteer, w)?,
        Layer::Border => write_border(w)?,
        Layer::Countries => write_countries(w)?,
        Layer::Rivers => write_rivers(w)?,
        Layer::Districts => write_districts(w)?,
        Layer::Buffer => write_buffer(context.sizes.buffer_km, w)?,
        Layer::Segments => {
            let sizes = context.sizes;
            let (km, border_km) = (sizes.segment_km, sizes.segment_border_km);
            for s in border_segments(context.index, context.filter, km, border_km) {
                w.write(&s)?;
            }
        }
        Layer::Grid => {
            for cell in hex_grid(context.index, context.filter, context.sizes.grid_km) {
                w.write(&cell)?;
            }
        }
    }
    writer.finish()
}

/// The gazetteer's places as points.
fn write_places<W: Write + Send>(
    gazetteer: &Gazetteer,
    writer: &mut FeatureWriter<W>,
) -> std::io::Result<()> {
    for p in gazetteer.places() {
        let mut properties = Map::new();
        properties.insert("id".into(), p.id.clone().into());
        properties.insert("name".into(), p.name.clone().into());
        properties.insert("kind".into(), p.kind.as_str().into());
        properties.insert("country".into(), p.country.clone().into());
        properties.insert("admin1".into(), p.admin1.clone().into());
        properties.insert("admin2".into(), p.admin2.clone().into());
        properties.insert("alt_names".into(), p.alt_names.clone().into());
        properties.insert(
            "population".into(),
            p.population.map_or(Value::Null, Value::from),
        );
        properties.insert("precision".into(), p.precision.into());
        properties.insert("source".into(), p.source.clone().into());
        writer.write(&Feature {
            id: Some(p.id.clone()),
            geometry: Some(Point::new(p.lon, p.lat).into()),
            properties,
        })?;
    }
    Ok(())
}

/// The AF–TJ border first, then the region's other borders, each with its length.
fn write_border<W: Write + Send>(writer: &mut FeatureWriter<W>) -> std::io::Result<()> {
    for (properties, geometry) in raw_layer("border_af_tj.geojson").into_iter().chain(
        raw_layer("borders.geojson")
            .into_iter()
            .filter(|(p, _)| p.get("pair") != Some(&Value::from("AFG-TJK"))),
    ) {
        let pair = properties
            .get("pair")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut out = Map::new();
        out.insert("pair".into(), pair.clone().into());
        out.insert("af_tj".into(), (pair == "AFG-TJK").into());
        out.insert("countries".into(), pair_names(&pair).into());
        out.insert(
            "length_km".into(),
            round(geodesic_length(&geometry), 3).into(),
        );
        writer.write(&Feature {
            id: Some(pair),
            geometry: Some(multi_line(geometry)),
            properties: out,
        })?;
    }
    Ok(())
}

/// Country polygons with their codes and names.
fn write_countries<W: Write + Send>(writer: &mut FeatureWriter<W>) -> std::io::Result<()> {
    for (properties, geometry) in raw_layer("countries.geojson") {
        let mut out = Map::new();
        for key in ["iso_a2", "iso_a3", "name", "name_ru", "name_fa"] {
            out.insert(
                key.into(),
                properties.get(key).cloned().unwrap_or(Value::Null),
            );
        }
        writer.write(&Feature {
            id: properties
                .get("iso_a3")
                .and_then(Value::as_str)
                .map(String::from),
            geometry: Some(oriented(geometry)),
            properties: out,
        })?;
    }
    Ok(())
}

/// River centre lines with their names and ranks.
fn write_rivers<W: Write + Send>(writer: &mut FeatureWriter<W>) -> std::io::Result<()> {
    for (properties, geometry) in raw_layer("rivers.geojson") {
        let mut out = Map::new();
        out.insert(
            "name".into(),
            properties.get("name").cloned().unwrap_or(Value::Null),
        );
        out.insert(
            "scalerank".into(),
            properties.get("scalerank").cloned().unwrap_or(Value::Null),
        );
        writer.write(&Feature {
            id: None,
            geometry: Some(multi_line(geometry)),
            properties: out,
        })?;
    }
    Ok(())
}

/// District polygons with their gazetteer ids and the source of each.
fn write_districts<W: Write + Send>(writer: &mut FeatureWriter<W>) -> std::io::Result<()> {
    for region in Reference::bundled().districts() {
        let mut out = Map::new();
        out.insert(
            "id".into(),
            region.place_id.clone().map_or(Value::Null, Value::from),
        );
        out.insert("name".into(), region.name.clone().into());
        out.insert("admin1".into(), region.admin1.clone().into());
        out.insert("country".into(), region.country.clone().into());
        let source = if region.country == "TJ" {
            "© OpenStreetMap contributors (ODbL 1.0), via geoBoundaries"
        } else {
            "AIMS 2014 via geoBoundaries (public domain)"
        };
        out.insert("source".into(), source.into());
        writer.write(&Feature {
            id: region.place_id.clone(),
            geometry: Some(oriented(Geometry::MultiPolygon(region.polygon.clone()))),
            properties: out,
        })?;
    }
    Ok(())
}

/// The zone within `km` of the AF–TJ border, one feature per side.
fn write_buffer<W: Write + Send>(km: f64, writer: &mut FeatureWriter<W>) -> std::io::Result<()> {
    for zone in border_buffer(km) {
        let mut out = Map::new();
        out.insert("side".into(), zone.side.into());
        out.insert("km".into(), km.into());
        out.insert("area_km2".into(), round(zone.area_km2, 1).into());
        writer.write(&Feature {
            id: Some(format!("buffer-{}-{km}", zone.side)),
            geometry: Some(oriented(Geometry::MultiPolygon(zone.polygon))),
            properties: out,
        })?;
    }
    Ok(())
}

/// Writes the incidents of `index` that pass `filter`, encoded in parallel runs (GeoJSON
/// formats) and written in row order. An incident without coordinates has no geometry: it is
/// written with a null one where the writer holds it, else left out and counted (see
/// [`FeatureWriter::holds_unlocated`]).
pub fn write_incidents<W: Write + Send>(
    index: &IncidentIndex,
    filter: &Filter,
    writer: &mut FeatureWriter<W>,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    const CHUNK: usize = 4096;
    let table = index.table();
    let feature = |row: usize| -> Option<Feature> {
        filter
            .matches(index, row as u32)
            .then(|| incident_feature(index, row as u32))
    };
    let (format, precision) = (writer.format(), writer.precision());
    let holds_unlocated = writer.holds_unlocated();
    if format.is_binary() {
        // Encoded straight from the table, on every core: no feature is built.
        let encoded = incident_runs(index, filter, precision, holds_unlocated);
        return writer.write_runs(&encoded.runs, &encoded.names, encoded.left_out);
    }
    for start in (0..table.rows().len()).step_by(CHUNK) {
        let end = (start + CHUNK).min(table.rows().len());
        if !format.is_geojson() {
            // Features (border distance and side included) are built in parallel, written in
            // row order.
            let features: Vec<Feature> = (start..end).into_par_iter().filter_map(feature).collect();
            for f in features {
                writer.write(&f)?;
            }
            continue;
        }
        let runs = encode_runs(start..end, format, |row, run| {
            if filter.matches(index, row as u32) {
                encode_incident(index, row as u32, precision, holds_unlocated, run)
            }
        });
        for run in &runs {
            writer.write_encoded(run)?;
        }
    }
    Ok(())
}

/// Appends one incident to `run` as GeoJSON (the same members as [`incident_feature`]); one
/// without coordinates has a null geometry when `holds_unlocated`, else is left out and
/// counted.
fn encode_incident(
    index: &IncidentIndex,
    row: u32,
    precision: usize,
    holds_unlocated: bool,
    run: &mut Encoded,
) {
    let table = index.table();
    let r = &table.rows()[row as usize];
    let geometry = r.point().map(Geometry::Point);
    if geometry.is_none() && !holds_unlocated {
        run.leave_out();
        return;
    }
    run.push_with(Some(table.str(r.id)), geometry.as_ref(), precision, |p| {
        for (name, value) in incident_values(index, row) {
            p.value(name, &value);
        }
    });
}

/// The columns [`incident_values`] adds to an incident's fields: border_km and side.
const DERIVED_COLUMNS: usize = 2;

/// An incident's properties as every layer writes them: each column typed, then border_km
/// (rounded to metres) and side, both null for an incident without coordinates.
///
/// ```
/// use borderwatch::incidents::{IncidentTable, Value};
/// use borderwatch::index::IncidentIndex;
/// let table = IncidentTable::bundled();
/// let index = IncidentIndex::new(&table);
/// let values = borderwatch::export::incident_values(&index, 0);
/// assert_eq!(values[0], ("event_id_cnty", Value::Text("BW-AFG-0001")));
/// assert_eq!(values[values.len() - 2].0, "border_km");
/// ```
pub fn incident_values<'a>(
    index: &'a IncidentIndex,
    row: u32,
) -> Vec<(&'a str, IncidentValue<'a>)> {
    let table = index.table();
    let mut values = Vec::with_capacity(table.field_count() + DERIVED_COLUMNS);
    table.fields_into(&table.rows()[row as usize], &mut values);
    let border = index.border(row);
    values.push((
        "border_km",
        border.map_or(IncidentValue::Null, |(km, _)| {
            IncidentValue::Number(round(km, 3))
        }),
    ));
    values.push((
        "side",
        border.map_or(IncidentValue::Null, |(_, side)| {
            IncidentValue::Text(side.as_str())
        }),
    ));
    values
}

/// One incident as a feature: every column typed, plus border_km and side. An incident
/// without coordinates has no geometry, and null border_km and side.
pub fn incident_feature(index: &IncidentIndex, row: u32) -> Feature {
    let table = index.table();
    let r = &table.rows()[row as usize];
    let properties = incident_values(index, row)
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.to_json()))
        .collect();
    Feature {
        id: Some(table.str(r.id).to_string()),
        geometry: r.point().map(Geometry::Point),
        properties,
    }
}

/// Of the incidents of `index` without coordinates, how many pass every condition of
/// `filter` but those that need a position (`--border-km`, `--side`): kept out for that
/// alone. 0 when the filter has no such condition.
///
/// ```
/// use borderwatch::incidents::IncidentTable;
/// use borderwatch::index::{Filter, IncidentIndex};
/// let table = IncidentTable::bundled();
/// let index = IncidentIndex::new(&table);
/// let near_border = Filter { border_km: Some(10.0), ..Filter::default() };
/// assert_eq!(borderwatch::export::unlocated_kept_out(&index, &near_border), 1);
/// assert_eq!(borderwatch::export::unlocated_kept_out(&index, &Filter::default()), 0);
/// ```
pub fn unlocated_kept_out(index: &IncidentIndex, filter: &Filter) -> usize {
    let Some(rest) = filter.without_position() else {
        return 0;
    };
    let rows = index.table().rows();
    (0..rows.len() as u32)
        .filter(|&row| rows[row as usize].point().is_none() && rest.matches(index, row))
        .count()
}

fn round(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// Polygons as MultiPolygons with RFC 7946 winding: exterior rings counter-clockwise, holes
/// clockwise. One geometry type per layer is what GIS tools expect.
fn oriented(geometry: Geometry) -> Geometry {
    match geometry {
        Geometry::Polygon(p) => {
            Geometry::MultiPolygon(MultiPolygon::new(vec![p.orient(Direction::Default)]))
        }
        Geometry::MultiPolygon(m) => Geometry::MultiPolygon(MultiPolygon::new(
            m.0.into_iter()
                .map(|p| p.orient(Direction::Default))
                .collect(),
        )),
        other => other,
    }
}

/// Lines as MultiLineStrings, one geometry type per layer.
fn multi_line(geometry: Geometry) -> Geometry {
    match geometry {
        Geometry::LineString(l) => Geometry::MultiLineString(geo::MultiLineString::new(vec![l])),
        other => other,
    }
}

pub(crate) fn raw_layer(name: &str) -> Vec<(Map<String, Value>, Geometry)> {
    let text = LAYERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .expect("bundled layer");
    let collection: geojson::FeatureCollection = text.parse().expect("bundled layer is GeoJSON");
    collection
        .features
        .into_iter()
        .filter_map(|f| {
            let geometry = Geometry::try_from(f.geometry.as_ref()?).ok()?;
            Some((f.properties.unwrap_or_default(), geometry))
        })
        .collect()
}

fn pair_names(pair: &str) -> String {
    fn name(a3: &str) -> &str {
        match a3 {
            "AFG" => "Afghanistan",
            "TJK" => "Tajikistan",
            "UZB" => "Uzbekistan",
            "TKM" => "Turkmenistan",
            "PAK" => "Pakistan",
            "CHN" => "China",
            "KGZ" => "Kyrgyzstan",
            "IRN" => "Iran",
            other => other,
        }
    }
    pair.split('-').map(name).collect::<Vec<_>>().join("–")
}

fn geodesic_length(geometry: &Geometry) -> f64 {
    use crate::spatial::geodesic_km;
    let line_km = |l: &geo::LineString| {
        l.points()
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| geodesic_km(w[0], w[1]))
            .sum::<f64>()
    };
    match geometry {
        Geometry::LineString(l) => line_km(l),
        Geometry::MultiLineString(m) => m.0.iter().map(line_km).sum(),
        _ => 0.0,
    }
}
