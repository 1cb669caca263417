//! The web map: a static site, or one self-contained HTML file, that shows our basemap and the
//! incidents with MapLibre GL JS and works with no network at all.
//!
//! Everything the page needs is compiled into the binary: MapLibre GL JS (the 5.x UMD build,
//! worker inlined, vendored in `web/vendor/`), our app (`web/app.js`, `web/app.css`,
//! `web/index.html`) and the label glyphs made from the shipped Noto Sans fonts
//! (`web/glyphs/`). The data goes into the page as a script, not fetched, because browsers
//! refuse `fetch` of `file://` URLs; glyphs reach MapLibre through a `borderwatch://` protocol
//! served from the same data. A Content-Security-Policy allows only the page's own resources.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::atomic::write_atomically;
use crate::error::Error;
use crate::export::{Bbox, Context, FeatureWriter, Format, Layer, write_layer};

mod packed;

const INDEX_HTML: &str = include_str!("../../web/index.html");
const APP_JS: &str = include_str!("../../web/app.js");
const APP_CSS: &str = include_str!("../../web/app.css");
const MAPLIBRE_JS: &str = include_str!("../../web/vendor/maplibre-gl.js");
const MAPLIBRE_CSS: &str = include_str!("../../web/vendor/maplibre-gl.css");
const MAPLIBRE_LICENSE: &str = include_str!("../../web/vendor/LICENSE.maplibre.txt");
const FONT_LICENSE: &str = include_str!("../../fonts/OFL.txt");

/// The title of a map unless the user gives one.
pub const DEFAULT_TITLE: &str = "Afghanistan–Tajikistan border incidents";

/// The version of MapLibre GL JS the binary embeds.
pub const MAPLIBRE_VERSION: &str = include_str!("../../web/vendor/MAPLIBRE_VERSION");

/// Label glyphs: (font stack, first code point of the 256-wide range, PBF).
const GLYPHS: &[(&str, u32, &[u8])] = &[
    (
        REGULAR,
        0,
        include_bytes!("../../web/glyphs/Noto Sans Regular/0-255.pbf"),
    ),
    (
        REGULAR,
        256,
        include_bytes!("../../web/glyphs/Noto Sans Regular/256-511.pbf"),
    ),
    (
        REGULAR,
        512,
        include_bytes!("../../web/glyphs/Noto Sans Regular/512-767.pbf"),
    ),
    (
        REGULAR,
        768,
        include_bytes!("../../web/glyphs/Noto Sans Regular/768-1023.pbf"),
    ),
    (
        REGULAR,
        1024,
        include_bytes!("../../web/glyphs/Noto Sans Regular/1024-1279.pbf"),
    ),
    (
        REGULAR,
        1280,
        include_bytes!("../../web/glyphs/Noto Sans Regular/1280-1535.pbf"),
    ),
    (
        REGULAR,
        7680,
        include_bytes!("../../web/glyphs/Noto Sans Regular/7680-7935.pbf"),
    ),
    (
        REGULAR,
        8192,
        include_bytes!("../../web/glyphs/Noto Sans Regular/8192-8447.pbf"),
    ),
    (
        BOLD,
        0,
        include_bytes!("../../web/glyphs/Noto Sans Bold/0-255.pbf"),
    ),
    (
        BOLD,
        256,
        include_bytes!("../../web/glyphs/Noto Sans Bold/256-511.pbf"),
    ),
    (
        BOLD,
        1024,
        include_bytes!("../../web/glyphs/Noto Sans Bold/1024-1279.pbf"),
    ),
    (
        BOLD,
        8192,
        include_bytes!("../../web/glyphs/Noto Sans Bold/8192-8447.pbf"),
    ),
];
const REGULAR: &str = "Noto Sans Regular";
const BOLD: &str = "Noto Sans Bold";

/// The credit line on the map; the panel's footer lists every source in full.
const ATTRIBUTION: &str = "Natural Earth · GeoNames (CC BY 4.0) · geoBoundaries/AIMS 2014 · \
     © OpenStreetMap contributors (ODbL) · incidents: the source in each popup";

/// Decimals of coordinates in the page: 5 ≈ 1 m, finer than any incident's location.
const PRECISION: usize = 5;

/// Everything one map shows, ready to go into a page: the layers, the incidents without a
/// place, the label glyphs the names need, and what the map says about its sources.
///
/// ```
/// use borderwatch::export::{Context, Sizes};
/// use borderwatch::gazetteer::Gazetteer;
/// use borderwatch::incidents::IncidentTable;
/// use borderwatch::index::{Filter, IncidentIndex};
/// use borderwatch::web::MapData;
///
/// let table = IncidentTable::bundled();
/// let index = IncidentIndex::new(&table);
/// let gazetteer = Gazetteer::bundled();
/// let filter = Filter::default();
/// let context = Context { index: &index, filter: &filter, gazetteer: &gazetteer, sizes: Sizes::default() };
/// let data = MapData::new(&context, "Border incidents").unwrap();
/// assert_eq!(data.located(), 6);
/// assert_eq!(data.unlocated(), 1);
/// let page = data.single_file();
/// assert!(page.contains("Content-Security-Policy"));
/// ```
pub struct MapData {
    /// `window.BORDERWATCH = {...};`, with `<` escaped so no text can close the script.
    script: String,
    /// Each layer's GeoJSON, for the site's `layers/` folder (the incidents only when built
    /// for a site: [`MapData::new`]).
    layers: Vec<(Layer, String)>,
    located: usize,
    unlocated: usize,
}

impl MapData {
    /// Builds the map's data from the layers of `context`, for a site and the single file;
    /// `title` heads the page.
    pub fn new(context: &Context, title: &str) -> std::io::Result<MapData> {
        MapData::build(context, title, true)
    }

    /// Builds the map's data for the single file only: the incidents only packed for the
    /// page, not also as GeoJSON for a site's `layers/` (which [`MapData::write_site`] then
    /// refuses to write).
    pub fn single_file_only(context: &Context, title: &str) -> std::io::Result<MapData> {
        MapData::build(context, title, false)
    }

    /// The map's data; the incidents layer as GeoJSON too when `incidents_file`.
    fn build(context: &Context, title: &str, incidents_file: bool) -> std::io::Result<MapData> {
        // The page gets the incidents packed (see `packed`); the site's layer file is GeoJSON.
        let incidents = packed::pack_incidents(context, PRECISION)?;
        let mut layers = Vec::new();
        let mut sources: Vec<&str> = Vec::new();
        for layer in Layer::ALL {
            for s in layer.sources() {
                if !sources.contains(s) {
                    sources.push(s);
                }
            }
            if layer == Layer::Incidents && !incidents_file {
                continue;
            }
            let mut text = Vec::new();
            // Incidents without coordinates are listed beside the map, not drawn.
            write_layer(
                layer,
                context,
                FeatureWriter::new(&mut text, Format::Geojson, PRECISION)?.located_only(),
            )?;
            layers.push((
                layer,
                String::from_utf8(text).map_err(std::io::Error::other)?,
            ));
        }
        let unlocated = unlocated_incidents(context);
        let meta = meta(context, title, &sources, incidents.bbox);
        let mut script = String::from("window.BORDERWATCH = {\"meta\":");
        script.push_str(&meta.to_string());
        script.push_str(",\"layers\":{");
        write!(script, "\"{}\":{}", Layer::Incidents.name(), incidents.json)
            .expect("writing to a String");
        for (layer, text) in layers.iter().filter(|(l, _)| *l != Layer::Incidents) {
            write!(script, ",\"{}\":{text}", layer.name()).expect("writing to a String");
        }
        script.push_str("},\"unlocated\":");
        script.push_str(&Value::Array(unlocated.clone()).to_string());
        script.push_str(",\"glyphs\":");
        script.push_str(&glyphs_for(&label_text(context)).to_string());
        script.push_str("};\n");
        Ok(MapData {
            // In JSON `<` only occurs inside strings, where \u003c means the same.
            script: script.replace('<', "\\u003c"),
            layers,
            located: incidents.located,
            unlocated: unlocated.len(),
        })
    }

    /// Incidents on the map.
    pub fn located(&self) -> usize {
        self.located
    }

    /// Incidents listed beside the map because they have no coordinates.
    pub fn unlocated(&self) -> usize {
        self.unlocated
    }

    /// The map as one HTML file with every script, style and datum inlined; it works when
    /// opened from disk. The Content-Security-Policy allows exactly these inline scripts and
    /// styles (by hash), blob workers and data images, and nothing from anywhere else.
    pub fn single_file(&self) -> String {
        let scripts = [MAPLIBRE_JS, self.script.as_str(), APP_JS];
        let styles = [MAPLIBRE_CSS, APP_CSS];
        let hashes = |items: &[&str]| {
            items
                .iter()
                .map(|s| format!("'sha256-{}'", sha256_base64(s)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let csp = csp(&hashes(&scripts), &hashes(&styles));
        let mut style_tags = String::new();
        for s in styles {
            writeln!(style_tags, "<style>{s}</style>").expect("writing to a String");
        }
        let mut script_tags = String::new();
        for s in scripts {
            writeln!(script_tags, "<script>{s}</script>").expect("writing to a String");
        }
        page(&csp, &style_tags, &script_tags)
    }

    /// Writes the map as a static site in `dir`: index.html, the app, the data, vendored
    /// MapLibre GL JS with its licence, the fonts' licence and every layer as GeoJSON.
    /// Returns the files written. Serve the folder or open index.html from disk.
    pub fn write_site(&self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        if !self.layers.iter().any(|(l, _)| *l == Layer::Incidents) {
            return Err(Error::Usage(
                "this map was built for the single file only (MapData::single_file_only)".into(),
            ));
        }
        let csp = csp("'self'", "'self'");
        let index = page(
            &csp,
            "<link rel=\"stylesheet\" href=\"vendor/maplibre-gl.css\">\n<link rel=\"stylesheet\" href=\"app.css\">\n",
            "<script src=\"vendor/maplibre-gl.js\"></script>\n<script src=\"data.js\"></script>\n<script src=\"app.js\"></script>\n",
        );
        let mut files: Vec<(PathBuf, &[u8])> = vec![
            ("index.html".into(), index.as_bytes()),
            ("app.js".into(), APP_JS.as_bytes()),
            ("app.css".into(), APP_CSS.as_bytes()),
            ("data.js".into(), self.script.as_bytes()),
            ("vendor/maplibre-gl.js".into(), MAPLIBRE_JS.as_bytes()),
            ("vendor/maplibre-gl.css".into(), MAPLIBRE_CSS.as_bytes()),
            (
                "vendor/LICENSE.maplibre.txt".into(),
                MAPLIBRE_LICENSE.as_bytes(),
            ),
            ("vendor/LICENSE.fonts.txt".into(), FONT_LICENSE.as_bytes()),
        ];
        for (layer, text) in &self.layers {
            files.push((
                PathBuf::from("layers").join(format!("{}.geojson", layer.name())),
                text.as_bytes(),
            ));
        }
        let mut written = Vec::new();
        for (name, bytes) in files {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            write_atomically(&path, |w| w.write_all(bytes))?;
            written.push(path);
        }
        Ok(written)
    }
}

/// What the map says about itself: title, generator, sources, counts, filters, view.
fn meta(context: &Context, title: &str, sources: &[&str], incidents: Bbox) -> Value {
    json!({
        "title": title,
        "generator": format!("borderwatch {}", env!("CARGO_PKG_VERSION")),
        "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "maplibre": MAPLIBRE_VERSION.trim(),
        "sources": sources,
        "attribution_html": crate::untrusted::for_markup(ATTRIBUTION),
        "counts": context.index.table().counts(),
        "filters": context.filter.describe(),
        // The buffer's width, which the page's layer toggle names.
        "km": context.sizes.buffer_km,
        "view": view(incidents, !context.filter.is_empty()),
    })
}

/// The page: index.html with its policy, styles and scripts filled in.
fn page(csp: &str, styles: &str, scripts: &str) -> String {
    INDEX_HTML
        .replace(
            "<!--borderwatch:csp-->",
            &format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">"),
        )
        .replace("<!--borderwatch:styles-->", styles)
        .replace("<!--borderwatch:scripts-->", scripts)
}

/// Only the page's own scripts and styles; MapLibre's worker from a blob; images from data
/// and blobs (the controls' icons); no connections anywhere.
fn csp(scripts: &str, styles: &str) -> String {
    format!(
        "default-src 'none'; script-src {scripts}; style-src {styles}; img-src 'self' data: blob:; \
         worker-src blob:; child-src blob:; connect-src 'self' data: blob:; base-uri 'none'; form-action 'none'"
    )
}

fn sha256_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

/// The incidents that pass the filter but have no coordinates: every column, as JSON.
fn unlocated_incidents(context: &Context) -> Vec<Value> {
    let table = context.index.table();
    table
        .rows()
        .iter()
        .enumerate()
        .filter(|(row, r)| {
            r.point().is_none() && context.filter.matches(context.index, *row as u32)
        })
        .map(|(_, r)| {
            Value::Object(
                table
                    .fields(r)
                    .into_iter()
                    .map(|(name, value)| (name.to_string(), value.to_json()))
                    .collect(),
            )
        })
        .collect()
}

/// Every character a label can show: place and river names (upper-cased too, for country
/// labels), plus the digits and marks of cluster labels.
fn label_text(context: &Context) -> String {
    let mut text = String::from("0123456789.k†");
    for p in context.gazetteer.places() {
        text.push_str(&p.name);
        text.push_str(&p.name.to_uppercase());
    }
    text
}

/// The glyph ranges that `labels` need, base64-encoded, by font stack and range.
fn glyphs_for(labels: &str) -> Value {
    let mut ranges: Vec<u32> = labels.chars().map(|c| c as u32 / 256 * 256).collect();
    ranges.sort_unstable();
    ranges.dedup();
    let mut fonts = serde_json::Map::new();
    for &(stack, start, pbf) in GLYPHS {
        if !ranges.contains(&start) {
            continue;
        }
        let font = fonts
            .entry(stack)
            .or_insert_with(|| Value::Object(Default::default()));
        font[format!("{}-{}", start, start + 255)] =
            base64::engine::general_purpose::STANDARD.encode(pbf).into();
    }
    Value::Object(fonts)
}

/// The least width and height, in degrees (about 20 km), that a filtered map opens on, so
/// that a lone incident is shown among the places around it rather than at the deepest zoom.
const MIN_VIEW_SPAN_DEG: f64 = 0.2;

/// The initial view, as [west, south, east, north]: a filtered map opens on its incidents
/// (at least [`MIN_VIEW_SPAN_DEG`] across); an unfiltered one, or one whose filter left no
/// incident with a place, on the AF–TJ border together with the incidents.
fn view(incidents: Bbox, filtered: bool) -> [f64; 4] {
    if filtered && !incidents.is_empty() {
        let [w, s, e, n] = incidents.0;
        let pad_x = (MIN_VIEW_SPAN_DEG - (e - w)).max(0.0) / 2.0;
        let pad_y = (MIN_VIEW_SPAN_DEG - (n - s)).max(0.0) / 2.0;
        return [w - pad_x, s - pad_y, e + pad_x, n + pad_y];
    }
    let mut b = Bbox::of(
        crate::reference::Reference::bundled()
            .border()
            .vertices()
            .iter()
            .map(|v| v.0),
    );
    if !incidents.is_empty() {
        let [w, s, e, n] = incidents.0;
        b.add((w, s).into());
        b.add((e, n).into());
    }
    b.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filtered_map_opens_on_its_incidents() {
        let two = Bbox([69.0, 37.0, 69.5, 37.3]);
        assert_eq!(view(two, true), [69.0, 37.0, 69.5, 37.3]);
        let [w, s, e, n] = view(Bbox([70.0, 38.0, 70.0, 38.0]), true);
        assert!(
            (e - w - MIN_VIEW_SPAN_DEG).abs() < 1e-9 && (n - s - MIN_VIEW_SPAN_DEG).abs() < 1e-9
        );
        assert!(w < 70.0 && e > 70.0 && s < 38.0 && n > 38.0);
        // Unfiltered, or nothing left to show: the whole border, which runs from about 67.3 to 74.9 E.
        for (b, filtered) in [(two, false), (Bbox::default(), true)] {
            let [w, _, e, _] = view(b, filtered);
            assert!(w < 68.0 && e > 74.0, "{w} {e}");
        }
    }

    #[test]
    fn glyph_ranges_follow_the_label_text() {
        let glyphs = glyphs_for("Qala-i-Zal Дарвоз");
        let regular = glyphs[REGULAR].as_object().unwrap();
        assert!(regular.contains_key("0-255"));
        assert!(regular.contains_key("1024-1279"));
        assert!(!regular.contains_key("7680-7935"));
    }

    #[test]
    fn embedded_glyphs_are_glyph_pbfs() {
        // A glyphs PBF is a message whose field 1 (the font stack) comes first: byte 0x0a.
        for (stack, start, pbf) in GLYPHS {
            assert_eq!(pbf.first(), Some(&0x0a), "{stack} {start}");
        }
    }

    #[test]
    fn vendored_files_match_their_checksums() {
        let sums = include_str!("../../web/vendor/SHA256SUMS");
        let files = [
            ("maplibre-gl.js", MAPLIBRE_JS),
            ("maplibre-gl.css", MAPLIBRE_CSS),
            ("LICENSE.maplibre.txt", MAPLIBRE_LICENSE),
            ("MAPLIBRE_VERSION", MAPLIBRE_VERSION),
        ];
        for (name, text) in files {
            let hex: String = Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert!(
                sums.lines().any(|l| l == format!("{hex}  {name}")),
                "web/vendor/{name} differs from SHA256SUMS: run scripts/vendor_maplibre.sh"
            );
        }
        assert!(
            MAPLIBRE_VERSION.starts_with("5."),
            "the single file needs the 5.x UMD build"
        );
    }

    #[test]
    fn vendored_scripts_cannot_close_their_script_tag() {
        for s in [MAPLIBRE_JS, APP_JS] {
            assert!(!s.to_ascii_lowercase().contains("</script"));
        }
    }
}
