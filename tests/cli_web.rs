//! `borderwatch web` and the web part of `pack`, through the real binary. The page itself is
//! tested in a browser by tests/browser (scripts/browser_test).

mod common;

use std::io::Read as _;

use base64::Engine as _;
use common::Workdir;
use serde_json::{Value, json};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/browser/fixtures/incidents.csv"
);

#[test]
fn single_file_inlines_everything_and_escapes_data() {
    let wd = Workdir::new();
    let run = wd.output(&["web", "--incidents", FIXTURE, "--single-file", "map.html"]);
    assert!(
        run.stderr.contains(
            "map.html: single-file web map (9 incidents on the map, 1 listed without a place)"
        ),
        "{}",
        run.stderr
    );
    let page = wd.read("map.html");
    assert!(page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-"));
    // The markup loads nothing from elsewhere; glyphs come through our own protocol.
    let markup: String = page
        .split("<script>")
        .map(|part| {
            part.split_once("</script>")
                .map_or(part, |(_, after)| after)
        })
        .collect();
    for remote in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
        "url(//",
    ] {
        assert!(!markup.contains(remote), "{remote}");
    }
    assert!(page.contains("glyphs: 'borderwatch://glyphs/{fontstack}/{range}.pbf'"));
    assert_eq!(
        page.matches("<script>").count(),
        3,
        "MapLibre, the data, the app"
    );
    assert_eq!(
        page.matches("</script>").count(),
        3,
        "no text from data closes a script"
    );
    // The located incidents are packed (base64); the unlocated one's text is escaped.
    assert!(page.contains("\\u003cimg src=x onerror=alert(3)>"));
    assert!(!page.contains("<img src=x"));
}

const PRECISION_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/browser/fixtures/precision.csv"
);

/// The packed incidents of a site's data.js as GeoJSON features: web/app.js's `unpack` in
/// Rust (the layout is in src/web/packed.rs).
fn unpack(data_js: &str) -> Vec<Value> {
    let json = data_js
        .trim_end()
        .strip_prefix("window.BORDERWATCH = ")
        .and_then(|s| s.strip_suffix(';'))
        .expect("data.js sets window.BORDERWATCH");
    let data: Value = serde_json::from_str(json).unwrap();
    let b64 = data["layers"]["incidents"]["packed"]["gzip_base64"]
        .as_str()
        .expect("the incidents are packed");
    let gzip = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(&gzip[..])
        .read_to_end(&mut bytes)
        .unwrap();
    let header_length = u32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize;
    let header: Value = serde_json::from_slice(&bytes[4..4 + header_length]).unwrap();
    let rows = header["rows"].as_u64().unwrap() as usize;
    let mut at = (4 + header_length).next_multiple_of(4);
    // A section of `rows` little-endian integers of `width` bytes (signed when 4 wide).
    let mut take = |width: usize| -> Vec<i64> {
        let section = &bytes[at..at + rows * width];
        at = (at + rows * width).next_multiple_of(4);
        section
            .chunks(width)
            .map(|c| match width {
                1 => i64::from(c[0]),
                2 => i64::from(u16::from_le_bytes([c[0], c[1]])),
                _ => i64::from(i32::from_le_bytes(c.try_into().unwrap())),
            })
            .collect()
    };
    let scale = 10f64.powi(header["decimals"].as_i64().unwrap() as i32);
    let (xs, ys) = (take(4), take(4));
    let mut columns: Vec<(String, Vec<Value>)> = Vec::new();
    for c in header["columns"].as_array().unwrap() {
        let values: Vec<Value> = if let Some(d) = c["scaled"].as_i64() {
            let d = 10f64.powi(d as i32);
            let numbers = take(4);
            let value = |k: i64| (k != i64::from(i32::MIN)).then(|| json!(k as f64 / d));
            numbers
                .into_iter()
                .map(|k| value(k).unwrap_or(Value::Null))
                .collect()
        } else {
            let dictionary = c["values"].as_array().unwrap();
            match c["index"].as_u64().unwrap() as usize {
                0 => dictionary.clone(),
                width => take(width)
                    .into_iter()
                    .map(|i| dictionary[i as usize].clone())
                    .collect(),
            }
        };
        columns.push((c["name"].as_str().unwrap().to_string(), values));
    }
    (0..rows)
        .map(|i| {
            let properties: serde_json::Map<String, Value> =
                columns.iter().map(|(name, values)| (name.clone(), values[i].clone())).collect();
            json!({
                "type": "Feature",
                "id": properties[header["id"].as_str().unwrap()],
                "geometry": {"type": "Point", "coordinates": [xs[i] as f64 / scale, ys[i] as f64 / scale]},
                "properties": properties,
            })
        })
        .collect()
}

/// Numbers as the page holds them: all doubles (JSON's 3 and 3.0 are one number there).
fn as_doubles(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.iter().map(as_doubles).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), as_doubles(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn packed_incidents_unpack_to_the_geojson_layer() {
    // Unicode, `<img>`-style text, empty values, month and week dates, null fatalities.
    for fixture in [FIXTURE, PRECISION_FIXTURE] {
        let wd = Workdir::new();
        wd.create(
            "extra.csv",
            std::fs::read_to_string(fixture).unwrap().replacen(
                "Kunduz,Qala-i-Zal,Qala-i-Zal",
                "Kunduz,Қалъаи Зол,قلعه زال \u{1F6A9}",
                1,
            ),
        );
        wd.output(&["web", "--incidents", "extra.csv", "--out", "site"]);
        let layer: Value = serde_json::from_str(&wd.read("site/layers/incidents.geojson")).unwrap();
        let features = layer["features"].as_array().unwrap();
        let unpacked = unpack(&wd.read("site/data.js"));
        assert_eq!(unpacked.len(), features.len(), "{fixture}");
        assert!(!features.is_empty());
        for (got, want) in unpacked.iter().zip(features) {
            assert_eq!(as_doubles(got), as_doubles(want), "{fixture}");
            // Members in the same order, for the page's CSV columns and GeoJSON download.
            let keys = |f: &Value| {
                f["properties"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
            };
            assert_eq!(keys(got), keys(want));
        }
    }
}

#[test]
fn site_has_the_page_the_data_maplibre_and_every_layer() {
    let wd = Workdir::new();
    wd.output(&["web", "--out", "site", "--since", "2020-01-01"]);
    for file in [
        "index.html",
        "app.js",
        "app.css",
        "data.js",
        "vendor/maplibre-gl.js",
        "vendor/maplibre-gl.css",
        "vendor/LICENSE.maplibre.txt",
        "vendor/LICENSE.fonts.txt",
        "layers/incidents.geojson",
        "layers/places.geojson",
        "layers/border.geojson",
        "layers/districts.geojson",
        "layers/grid.geojson",
    ] {
        assert!(wd.path(&format!("site/{file}")).is_file(), "{file}");
    }
    let index = wd.read("site/index.html");
    assert!(index.contains("script-src 'self'"));
    assert!(index.contains("<script src=\"vendor/maplibre-gl.js\"></script>"));
    let data = wd.read("site/data.js");
    assert!(
        data.contains("\"since\":\"2020-01-01\""),
        "the filters travel with the map"
    );
    let layer: serde_json::Value =
        serde_json::from_str(&wd.read("site/layers/incidents.geojson")).unwrap();
    let mut lons = Vec::new();
    for f in layer["features"].as_array().unwrap() {
        assert!(f["properties"]["event_date"].as_str().unwrap() >= "2020-01-01");
        lons.push(f["geometry"]["coordinates"][0].as_f64().unwrap());
    }
    // A filtered map opens on its incidents, not on the whole border (67.3 to 74.9 E).
    let meta_json = data
        .split_once("\"meta\":")
        .and_then(|(_, rest)| rest.split_once(",\"layers\":"))
        .map(|(meta, _)| meta)
        .expect("data.js holds the meta object");
    let meta: serde_json::Value = serde_json::from_str(meta_json).unwrap();
    let view: Vec<f64> = serde_json::from_value(meta["view"].clone()).unwrap();
    let (west, east) = lons
        .iter()
        .fold((f64::MAX, f64::MIN), |(w, e), &x| (w.min(x), e.max(x)));
    assert!(
        view[0] <= west && view[2] >= east,
        "{view:?} holds {west}..{east}"
    );
    assert!(
        view[2] - view[0] < 3.0,
        "{view:?} is the incidents' box, not the region"
    );
}

#[test]
fn web_needs_a_target() {
    let wd = Workdir::new();
    let run = wd.run(&["web"]);
    run.assert_exit(2);
    assert!(run.stderr.contains("--out <DIR>"), "{}", run.stderr);
}

#[test]
fn pack_writes_the_web_map_beside_the_layers() {
    let wd = Workdir::new();
    wd.output(&["pack", "--out", "briefing"]);
    assert!(wd.path("briefing/layers/layers.json").is_file());
    assert!(wd.path("briefing/web/index.html").is_file());
    assert!(wd.read("briefing/map.html").contains("window.BORDERWATCH"));
}
