//! `borderwatch web` and the web part of `pack`, through the real binary. The page itself is
//! tested in a browser by tests/browser (scripts/browser_test).

mod common;

use common::Workdir;

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
    assert!(page.contains("\\u003cimg src=x onerror=alert(1)>"));
    assert!(!page.contains("<img src=x"));
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
