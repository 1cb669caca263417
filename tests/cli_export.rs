//! Layers on the real binary: every layer and format, read back by GDAL when it is installed
//! (scripts/test installs it and sets BORDERWATCH_REQUIRE_GDAL=1), RFC 7946 details, the CSV
//! round trip, counts against the index, and interrupted writes.

mod common;

use std::process::Command;

use common::Workdir;
use serde_json::Value;

fn gdal() -> bool {
    let found = Command::new("ogrinfo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("BORDERWATCH_REQUIRE_GDAL").is_none(),
            "ogrinfo is required (apt-get install gdal-bin)"
        );
        eprintln!("skipped: GDAL's ogrinfo is not installed (scripts/test installs gdal-bin)");
    }
    found
}

/// A work dir holding the ACLED sample as `acled.csv`.
fn acled_sample() -> Workdir {
    let wd = Workdir::new();
    wd.create(
        "acled.csv",
        std::fs::read_to_string("tests/fixtures/acled_sample.csv").unwrap(),
    );
    wd
}

/// Runs `export incidents` from `input` to `out` and checks that it succeeded.
fn export_incidents(wd: &Workdir, input: &str, format: &str, out: &str) {
    wd.output(&[
        "export",
        "incidents",
        "--incidents",
        input,
        "--format",
        format,
        "--out",
        out,
    ]);
}

fn read_json(wd: &Workdir, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(wd.path(name)).unwrap()).unwrap()
}

/// Twice the signed area of a ring: positive when counter-clockwise.
fn signed_area(ring: &[Value]) -> f64 {
    ring.windows(2)
        .map(|w| {
            w[0][0].as_f64().unwrap() * w[1][1].as_f64().unwrap()
                - w[1][0].as_f64().unwrap() * w[0][1].as_f64().unwrap()
        })
        .sum()
}

fn polygons(geometry: &Value) -> Vec<Vec<Vec<Value>>> {
    let coords = &geometry["coordinates"];
    let to_rings = |p: &Value| {
        p.as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_array().unwrap().clone())
            .collect::<Vec<_>>()
    };
    match geometry["type"].as_str().unwrap() {
        "Polygon" => vec![to_rings(coords)],
        "MultiPolygon" => coords.as_array().unwrap().iter().map(to_rings).collect(),
        _ => vec![],
    }
}

#[test]
fn done_means_layers_open_in_gdal_with_expected_counts_and_types() {
    let wd = Workdir::new();
    wd.output(&[
        "export",
        "incidents",
        "border",
        "buffer",
        "segments",
        "--buffer-km",
        "10",
        "--segment-km",
        "10",
        "--out",
        "layers/",
    ]);
    let manifest = read_json(&wd, "layers/layers.json");
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 4);
    // Six incidents with a point, one (no coordinates) with a null geometry.
    assert_eq!(layers[0]["features"], 7);
    assert_eq!(layers[0]["with_geometry"], 6);
    assert_eq!(layers[0]["without_geometry"], 1);
    assert_eq!(layers[2]["features"], 2);
    assert_eq!(manifest["counts"]["unlocated"], 1);
    assert!(manifest["layers"][0]["bbox"].as_array().unwrap().len() == 4);
    if !gdal() {
        return;
    }
    for (file, count, geometry) in [
        ("incidents.geojson", 7, "Point"),
        ("border.geojson", 15, "Multi Line String"),
        ("buffer.geojson", 2, "Multi Polygon"),
        ("segments.geojson", 117, "Line String"),
    ] {
        let out = Command::new("ogrinfo")
            .args(["-al", "-so", &format!("layers/{file}")])
            .current_dir(wd.root())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains(&format!("Feature Count: {count}")),
            "{file}:\n{text}"
        );
        assert!(
            text.contains(&format!("Geometry: {geometry}")),
            "{file}:\n{text}"
        );
        if file == "incidents.geojson" {
            assert!(text.contains("fatalities: Integer"), "{text}");
            assert!(text.contains("latitude: Real"), "{text}");
            assert!(text.contains("event_date: Date"), "{text}");
            assert!(text.contains("border_km: Real"), "{text}");
        }
        let gpkg = Command::new("ogr2ogr")
            .args([
                "-f",
                "GPKG",
                &format!("{file}.gpkg"),
                &format!("layers/{file}"),
            ])
            .current_dir(wd.root())
            .output()
            .unwrap();
        assert!(
            gpkg.status.success(),
            "{file} to GeoPackage: {}",
            String::from_utf8_lossy(&gpkg.stderr)
        );
    }
}

#[test]
fn pack_writes_every_layer_valid_for_gdal() {
    let wd = Workdir::new();
    wd.output(&["pack"]);
    let manifest = read_json(&wd, "out/layers/layers.json");
    let names: Vec<&str> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["layer"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "incidents",
            "places",
            "border",
            "countries",
            "rivers",
            "districts",
            "buffer",
            "segments",
            "grid"
        ]
    );
    for layer in manifest["layers"].as_array().unwrap() {
        let file = format!("out/layers/{}", layer["file"].as_str().unwrap());
        let doc = read_json(&wd, &file);
        assert_eq!(doc["type"], "FeatureCollection");
        assert!(doc.get("crs").is_none());
        assert_eq!(
            doc["features"].as_array().unwrap().len() as u64,
            layer["features"].as_u64().unwrap()
        );
        if gdal() {
            let out = Command::new("ogrinfo")
                .args(["-al", "-so", &file])
                .current_dir(wd.root())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{file}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn polygons_wind_counter_clockwise_and_coordinates_respect_precision() {
    let wd = Workdir::new();
    wd.run(&[
        "export",
        "buffer",
        "countries",
        "districts",
        "grid",
        "--buffer-km",
        "20",
        "--grid-km",
        "20",
        "--precision",
        "4",
        "--out",
        "l/",
    ])
    .assert_exit(0);
    for file in [
        "l/buffer.geojson",
        "l/countries.geojson",
        "l/districts.geojson",
        "l/grid.geojson",
    ] {
        let doc = read_json(&wd, file);
        let text = std::fs::read_to_string(wd.path(file)).unwrap();
        for feature in doc["features"].as_array().unwrap() {
            for polygon in polygons(&feature["geometry"]) {
                assert!(
                    signed_area(&polygon[0]) > 0.0,
                    "{file}: exterior ring is clockwise"
                );
                for hole in &polygon[1..] {
                    assert!(signed_area(hole) < 0.0, "{file}: hole is counter-clockwise");
                }
            }
        }
        // No coordinate has more than 4 decimals.
        let coords = text
            .split("\"coordinates\":")
            .skip(1)
            .map(|s| s.split('}').next().unwrap())
            .collect::<String>();
        for number in coords
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter(|s| s.contains('.'))
        {
            assert!(
                number.split('.').nth(1).unwrap().len() <= 4,
                "{file}: {number}"
            );
        }
    }
}

#[test]
fn csv_round_trips_through_incidents_check() {
    let wd = acled_sample();
    export_incidents(&wd, "acled.csv", "csv", "a.csv");
    // Every row comes back, the unlocated one too (its "Fayzabad" is not in the gazetteer).
    let check = wd.run(&["incidents", "check", "a.csv"]);
    assert!(
        check
            .stdout
            .starts_with("6 read = 5 indexed + 1 unlocated + 0 rejected"),
        "{}",
        check.stdout
    );
    export_incidents(&wd, "a.csv", "csv", "b.csv");
    let a = std::fs::read_to_string(wd.path("a.csv")).unwrap();
    let b = std::fs::read_to_string(wd.path("b.csv")).unwrap();
    assert_eq!(a, b, "CSV → CSV round trip");
    assert!(
        a.lines()
            .next()
            .unwrap()
            .starts_with("geometry,event_id_cnty,")
    );
    assert!(a.contains("POINT (70.8342 36.8648)"));
    // GeoJSON sequence of the same rows.
    let seq = wd.run(&[
        "export",
        "incidents",
        "--incidents",
        "a.csv",
        "--format",
        "geojsonseq",
    ]);
    assert_eq!(seq.stdout.matches('\u{1e}').count(), 6);
    // The computed columns read back are computed afresh, not written twice.
    for record in seq.stdout.split('\u{1e}').skip(1) {
        for key in ["\"border_km\":", "\"side\":"] {
            assert_eq!(record.matches(key).count(), 1, "{key} in {record}");
        }
    }
}

#[test]
fn segment_and_grid_counts_equal_the_incidents_they_cover() {
    let wd = Workdir::new();
    wd.run(&[
        "export",
        "segments",
        "grid",
        "--segment-km",
        "50",
        "--grid-km",
        "50",
        "--segment-border-km",
        "10",
        "--out",
        "s/",
    ])
    .assert_exit(0);
    let sum = |file: &str| -> u64 {
        read_json(&wd, file)["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["incidents"].as_u64().unwrap())
            .sum()
    };
    let near_border = wd.run(&[
        "bbox",
        "-180,-90,180,90",
        "--border-km",
        "10",
        "--format",
        "csv",
    ]);
    assert_eq!(
        sum("s/segments.geojson"),
        near_border.stdout.lines().count() as u64 - 1
    );
    assert_eq!(sum("s/grid.geojson"), 6);
    let pieces = read_json(&wd, "s/segments.geojson");
    let lengths: Vec<f64> = pieces["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["length_km"].as_f64().unwrap())
        .collect();
    assert_eq!(lengths.len(), 23, "1170 km in ~50 km pieces");
    assert!(lengths.iter().all(|l| (l - 50.9).abs() < 0.1));
}

/// Segments and hexagons sum the tolls that are known and count apart the incidents that give
/// none: an unknown toll is never summed as 0 (issue 19, item 6).
#[test]
fn segments_and_grid_keep_unknown_fatalities_apart() {
    let wd = Workdir::new();
    // Three incidents at Kevron (9.8 km from the border), one of them without a toll, and
    // one at Dashti Yazgulyam (7.3 km, 78 km away) without a toll.
    wd.create(
        "tolls.csv",
        "id,event_date,latitude,longitude,fatalities\n\
         k1,2021-01-01,38.39655,70.50734,2\n\
         k2,2021-02-01,38.39655,70.50734,3\n\
         k3,2021-03-01,38.39655,70.50734,\n\
         v1,2021-04-01,38.32572,71.39456,\n",
    );
    wd.output(&[
        "export",
        "segments",
        "grid",
        "--incidents",
        "tolls.csv",
        "--segment-km",
        "50",
        "--segment-border-km",
        "15",
        "--grid-km",
        "20",
        "--out",
        "t/",
    ]);
    for file in ["t/segments.geojson", "t/grid.geojson"] {
        let doc = read_json(&wd, file);
        let mut counted: Vec<(u64, u64, u64)> = doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| &f["properties"])
            .filter(|p| p["incidents"] != 0)
            .map(|p| {
                let n = |key: &str| p[key].as_u64().unwrap_or_else(|| panic!("{key}: {p}"));
                (n("incidents"), n("fatalities"), n("fatalities_unknown"))
            })
            .collect();
        counted.sort_unstable();
        // Kevron: at least 5 (1 unknown); Dashti Yazgulyam: unknown, not 0.
        assert_eq!(counted, [(1, 0, 1), (3, 5, 1)], "{file}");
        let empty = doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["incidents"] == 0);
        if let Some(empty) = empty {
            assert_eq!(empty["properties"]["fatalities_unknown"], 0, "{file}");
        }
    }
}

#[test]
fn one_layer_to_a_file_or_stdout_and_usage_errors() {
    let wd = Workdir::new();
    let out = wd.run(&["export", "border"]);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["features"][0]["properties"]["pair"], "AFG-TJK");
    assert_eq!(doc["features"][0]["properties"]["af_tj"], true);
    let two = wd.run(&["export", "border", "rivers"]);
    two.assert_exit(2);
    assert!(
        two.stderr.contains("several layers need --out DIR"),
        "{}",
        two.stderr
    );
    wd.run(&["export", "buffer", "--buffer-km", "0", "--out", "x.geojson"])
        .assert_exit(2);
    wd.run(&["export", "nonsense"]).assert_exit(2);
}

/// The format follows `--out`'s extension unless `--format` says otherwise (which wins, with a
/// warning when the extension names another); an extension that names none is refused
/// (issue 19, item 5).
#[test]
fn the_format_follows_the_extension_of_out() {
    let wd = Workdir::new();
    let starts = |name: &str| -> Vec<u8> {
        let bytes = std::fs::read(wd.path(name)).unwrap();
        bytes[..bytes.len().min(8)].to_vec()
    };
    for (file, magic) in [
        ("b.geojson", &b"{\"type\":"[..]),
        ("b.json", b"{\"type\":"),
        ("B.GeoJSON", b"{\"type\":"),
        ("b.geojsons", b"\x1e{\"type\""),
        ("b.csv", b"geometry"),
        ("b.fgb", b"fgb\x03fgb\x00"),
        ("b.parquet", b"PAR1"),
        ("b.geoparquet", b"PAR1"),
    ] {
        wd.output(&["export", "border", "--out", file]);
        assert!(
            starts(file).starts_with(magic),
            "{file}: {:?}",
            starts(file)
        );
    }
    // The incidents layer, which streams, follows the same rule.
    wd.output(&["export", "incidents", "--out", "i.fgb"]);
    assert!(starts("i.fgb").starts_with(b"fgb\x03"));
    // --format is explicit: followed, with a warning when the extension names another.
    let run = wd.output(&["export", "border", "--format", "csv", "--out", "c.fgb"]);
    assert!(starts("c.fgb").starts_with(b"geometry"));
    assert!(
        run.stderr.contains(
            "borderwatch: warning: c.fgb: writing CSV as --format says, though the extension \
             names FlatGeobuf"
        ),
        "{}",
        run.stderr
    );
    let run = wd.output(&[
        "export",
        "border",
        "--format",
        "flatgeobuf",
        "--out",
        "b.dat",
    ]);
    assert!(starts("b.dat").starts_with(b"fgb\x03"));
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // No format named, none given: refused, with the extensions that name one.
    for out in ["b.geojsonl", "layers"] {
        let run = wd.run(&["export", "border", "--out", out]);
        run.assert_exit(2);
        assert!(
            run.stderr.contains(&format!(
                "borderwatch: {out}: the extension names no format we write: use one of \
                 .geojson or .json (GeoJSON), .geojsons (a GeoJSON text sequence), .csv (CSV), \
                 .fgb (FlatGeobuf), .parquet or .geoparquet (GeoParquet), or give --format (a \
                 folder ends in /)"
            )),
            "{}",
            run.stderr
        );
        assert!(!wd.path(out).exists());
    }
    // A folder takes --format, GeoJSON by default.
    wd.output(&["export", "border", "rivers", "--out", "g"]);
    assert!(starts("g/rivers.geojson").starts_with(b"{"));
    wd.output(&[
        "export",
        "border",
        "rivers",
        "--format",
        "flatgeobuf",
        "--out",
        "f",
    ]);
    assert!(starts("f/rivers.fgb").starts_with(b"fgb\x03"));
}

/// A binary format goes to standard output only when it is not a terminal; a pack is a
/// folder, and its --help says so (issue 19, item 5).
#[test]
fn binary_never_goes_to_a_terminal_and_a_pack_is_a_folder() {
    let wd = Workdir::new();
    let piped = wd.output(&["export", "border", "--format", "flatgeobuf"]);
    assert!(piped.stdout.starts_with("fgb\u{3}"));
    // `script` gives the command a terminal for standard output (util-linux).
    let script = Command::new("script").arg("--version").output();
    if script.is_ok_and(|o| o.status.success()) {
        let bin = env!("CARGO_BIN_EXE_borderwatch");
        for (args, code) in [
            ("export border --format flatgeobuf", 2),
            ("export incidents --format geoparquet", 2),
            ("export border --format geojsonseq", 0),
        ] {
            let out = Command::new("script")
                .args(["-qec", &format!("{bin} {args}"), "/dev/null"])
                .current_dir(wd.root())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(code), "{args}: {text}");
            if code == 2 {
                assert!(
                    text.contains(
                        "is binary and standard output is a terminal: write it with \
                         --out FILE."
                    ),
                    "{args}: {text}"
                );
            }
        }
    } else {
        eprintln!("skipped the terminal cases: no `script` (util-linux) here");
    }
    let dash = wd.run(&["pack", "--out", "-"]);
    dash.assert_exit(2);
    assert!(
        dash.stderr
            .contains("--out -: a pack is a folder (layers/, web/, map.html, map.png)"),
        "{}",
        dash.stderr
    );
    assert!(!wd.path("-").exists());
    wd.create("taken", "a file");
    let file = wd.run(&["pack", "--out", "taken"]);
    file.assert_exit(2);
    assert!(
        file.stderr
            .contains("--out taken: a file, and a pack is a folder"),
        "{}",
        file.stderr
    );
    let help = wd.output(&["pack", "--help"]).stdout;
    let out = &help[help.find("--out <DIR>").unwrap()..];
    assert!(
        out.starts_with("--out <DIR>\n          The pack's folder: layers/"),
        "{help}"
    );
    assert!(!help.contains("standard output"), "{help}");
}

/// A buffer width, a segment length and a grid cell are each their own option, with their
/// own default (issue 19, item 12); `--km`, which set all three at once, says what to use.
#[test]
fn buffer_segments_and_grid_each_take_their_own_size() {
    let wd = Workdir::new();
    wd.output(&[
        "export",
        "buffer",
        "segments",
        "grid",
        "--buffer-km",
        "20",
        "--segment-km",
        "50",
        "--out",
        "s/",
    ]);
    let manifest = read_json(&wd, "s/layers.json");
    let sizes: Vec<f64> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["km"].as_f64().unwrap())
        .collect();
    assert_eq!(sizes, [20.0, 50.0, 10.0], "buffer, segments, grid");
    let buffer = read_json(&wd, "s/buffer.geojson");
    assert!(
        buffer["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["km"] == 20.0)
    );
    let segments = read_json(&wd, "s/segments.geojson");
    assert_eq!(segments["features"].as_array().unwrap().len(), 23, "~50 km");
    // A hexagon 10 km between opposite edges covers √3/2 · 10² km².
    let grid = read_json(&wd, "s/grid.geojson");
    for cell in grid["features"].as_array().unwrap() {
        let area = cell["properties"]["area_km2"].as_f64().unwrap();
        assert!((area - 86.6).abs() < 0.5, "{area}");
    }
    for command in [
        &["export", "grid", "--out", "g.geojson"][..],
        &["pack", "--out", "p"],
        &["web", "--single-file", "m.html"],
        &["db", "push", "--db", "postgres://nobody@127.0.0.1:1/x"],
    ] {
        let run = wd.run(&[command, &["--km", "10"]].concat());
        run.assert_exit(2);
        assert!(
            run.stderr.contains(
                "--km is no longer an option of export, pack, web and db push (it set three \
                 sizes at once): use --buffer-km, --segment-km and --grid-km"
            ),
            "{command:?}: {}",
            run.stderr
        );
    }
    assert!(!wd.path("p").exists() && !wd.path("m.html").exists());
    // The web map's buffer is --buffer-km wide, and its toggle says so.
    wd.output(&["web", "--single-file", "m.html", "--buffer-km", "25"]);
    let page = std::fs::read_to_string(wd.path("m.html")).unwrap();
    assert!(page.contains("\"km\":25"), "the buffer's width in the page");
    // Sizes of nothing are refused when the arguments are read.
    let zero = wd.run(&["export", "grid", "--grid-km", "0"]);
    zero.assert_exit(2);
    assert!(
        zero.stderr.contains("expected a size in km greater than 0"),
        "{}",
        zero.stderr
    );
}

/// `--no-index-file` is offered only where an index file can answer: `near` and `bbox`
/// (issue 19, item 12). Commands that read every row refuse it.
#[test]
fn only_queries_take_no_index_file() {
    let wd = Workdir::new();
    for command in [
        &["export", "incidents"][..],
        &["pack"],
        &["web", "--single-file", "m.html"],
        &["db", "push"],
        &["render", "--out", "m.png"],
        &["incidents", "summary"],
    ] {
        let run = wd.run(&[command, &["--no-index-file"]].concat());
        run.assert_exit(2);
        assert!(
            run.stderr
                .contains("unexpected argument '--no-index-file' found"),
            "{command:?}: {}",
            run.stderr
        );
    }
    wd.run(&["near", "Qala-i-Zal", "--km", "50", "--no-index-file"])
        .assert_exit(0);
    wd.run(&["bbox", "68,36.5,72,38.5", "--no-index-file"])
        .assert_exit(0);
}

#[test]
fn an_interrupted_export_leaves_the_previous_file_and_no_temporary() {
    let wd = Workdir::new();
    // A table big enough that its export takes a while.
    let mut csv = String::from("id,lat,lon,event_date,notes\n");
    for i in 0..300_000 {
        csv.push_str(&format!(
            "e{i},{},{},2020-01-01,\"note {i}, with a comma\"\n",
            36.5 + (i % 1000) as f64 * 0.002,
            68.0 + (i / 1000) as f64 * 0.01
        ));
    }
    wd.create("big.csv", csv);
    wd.create("out.geojson", "previous");
    let mut child = wd
        .command(&[
            "export",
            "incidents",
            "--incidents",
            "big.csv",
            "--out",
            "out.geojson",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once its temporary file exists.
    let temporary = || {
        std::fs::read_dir(wd.root()).unwrap().flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".borderwatch-out.geojson.")
        })
    };
    let start = std::time::Instant::now();
    while !temporary() && start.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(temporary(), "the export did not start writing");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(wd.path("out.geojson")).unwrap(),
        "previous"
    );
    // The next run replaces the file and removes the stale temporary.
    wd.output(&["export", "border", "--out", "out.geojson"]);
    assert!(!temporary());
    assert!(read_json(&wd, "out.geojson")["features"].is_array());
}

#[test]
fn incidents_round_trip_csv_geojson_csv() {
    let wd = acled_sample();
    export_incidents(&wd, "acled.csv", "csv", "direct.csv");
    for format in ["geojson", "geojsonseq"] {
        let layer = format!("layer.{format}");
        export_incidents(&wd, "acled.csv", format, &layer);
        export_incidents(&wd, &layer, "csv", "back.csv");
        assert_eq!(
            std::fs::read_to_string(wd.path("back.csv")).unwrap(),
            std::fs::read_to_string(wd.path("direct.csv")).unwrap(),
            "CSV → {format} → CSV"
        );
    }
}

#[test]
fn geojson_inputs_are_checked_like_csv() {
    let wd = Workdir::new();
    wd.create(
        "in.geojson",
        r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[69.1,37.2]},"properties":{"event_id_cnty":"g1","event_date":"2021-05-01"}},
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[69,37],[70,38]]},"properties":{"event_id_cnty":"g2"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[69.1,137.2]},"properties":{"event_id_cnty":"g3"}},
 {"type":"Feature","geometry":null,"properties":{"event_id_cnty":"g4","location":"Kevron"}}]}"#,
    );
    let run = wd.run(&["incidents", "check", "in.geojson"]);
    assert!(
        run.stdout
            .starts_with("4 read = 2 indexed + 0 unlocated + 2 rejected"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("in.geojson:3: geometry: expected a Point, found LineString"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("in.geojson:4: latitude:"),
        "{}",
        run.stdout
    );
    wd.create("bad.geojson", "{\"type\":\"Polygon\"}");
    let bad = wd.run(&["incidents", "check", "bad.geojson"]);
    bad.assert_exit(2);
    assert!(
        bad.stderr
            .contains("bad.geojson:1: file: not GeoJSON incidents: expected a FeatureCollection"),
        "{}",
        bad.stderr
    );
}

/// FlatGeobuf read back by GDAL: the same features, extent and typed columns as the GeoJSON
/// export, and a spatial index that answers a bbox query.
#[test]
fn flatgeobuf_layers_read_back_in_gdal_like_the_geojson_ones() {
    let wd = Workdir::new();
    for (format, dir) in [("geojson", "gj"), ("flatgeobuf", "fgb")] {
        wd.output(&[
            "export",
            "incidents",
            "border",
            "districts",
            "grid",
            "--format",
            format,
            "--out",
            dir,
        ]);
    }
    if !gdal() {
        return;
    }
    let info = |path: &str, extra: &[&str]| {
        let out = Command::new("ogrinfo")
            .args([&["-al", "-so", path][..], extra].concat())
            .current_dir(wd.root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let line = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("{key} in\n{text}"))
            .to_string()
    };
    for layer in ["incidents", "border", "districts", "grid"] {
        let geojson = info(&format!("gj/{layer}.geojson"), &[]);
        let fgb = info(&format!("fgb/{layer}.fgb"), &[]);
        assert!(fgb.contains("using driver `FlatGeobuf'"), "{fgb}");
        assert!(fgb.contains(&format!("Layer name: {layer}")), "{fgb}");
        for key in ["Extent:", "Geometry:"] {
            assert_eq!(line(&fgb, key), line(&geojson, key), "{layer}");
        }
        // FlatGeobuf leaves out the incident without coordinates, which GeoJSON holds with
        // a null geometry (the manifest counts it: see
        // unlocated_incidents_are_written_without_geometry_or_counted).
        let counts = (
            line(&fgb, "Feature Count:"),
            line(&geojson, "Feature Count:"),
        );
        if layer == "incidents" {
            assert_eq!(
                (counts.0.as_str(), counts.1.as_str()),
                ("Feature Count: 6", "Feature Count: 7")
            );
        } else {
            assert_eq!(counts.0, counts.1, "{layer}");
        }
        assert!(fgb.contains("ID[\"EPSG\",4326]"), "{layer}: CRS");
    }
    let fgb = info("fgb/incidents.fgb", &[]);
    for (column, kind) in [
        ("event_id_cnty", "String"),
        ("fatalities", "Integer64"),
        ("latitude", "Real"),
        ("border_km", "Real"),
        ("geo_precision", "Integer64"),
    ] {
        assert!(
            fgb.contains(&format!("{column}: {kind}")),
            "{column}: {kind} in\n{fgb}"
        );
    }
    // The packed R-tree answers a box: only the Darvoz incidents lie in 70.5..71.5, 38..38.6.
    let boxed = info(
        "fgb/incidents.fgb",
        &["-spat", "70.5", "38", "71.5", "38.6"],
    );
    let geojson_boxed = info(
        "gj/incidents.geojson",
        &["-spat", "70.5", "38", "71.5", "38.6"],
    );
    assert_eq!(
        line(&boxed, "Feature Count:"),
        line(&geojson_boxed, "Feature Count:")
    );
}

/// The bundled incident without coordinates (BW-AFG-0002, "northern Afghanistan").
const UNLOCATED: &str = "BW-AFG-0002";

/// The incidents layer's entry of a manifest, after checking that its counts add up to the
/// rows read: with a geometry + without + not written + filtered out + rejected.
fn incidents_entry(wd: &Workdir, manifest: &str) -> Value {
    let manifest = read_json(wd, manifest);
    let entry = manifest["layers"][0].clone();
    assert_eq!(entry["layer"], "incidents");
    let n = |v: &Value, key: &str| v[key].as_u64().unwrap_or_else(|| panic!("{key}: {v}"));
    assert_eq!(
        n(&entry, "features"),
        n(&entry, "with_geometry") + n(&entry, "without_geometry")
    );
    assert_eq!(
        n(&manifest["counts"], "read"),
        n(&entry, "features")
            + n(&entry, "not_written")
            + n(&entry, "filtered_out")
            + n(&manifest["counts"], "rejected"),
        "{manifest}"
    );
    entry
}

/// Every row read ends in a layer or in a count (issue 19, item 6): an incident without
/// coordinates is written with a null geometry in GeoJSON, its sequences, CSV (empty WKT,
/// latitude and longitude) and GeoParquet (null WKB and bbox); FlatGeobuf, whose R-tree has
/// no place for it, leaves it out and says so on stderr and in the manifest. The bbox is that
/// of the located incidents.
#[test]
fn unlocated_incidents_are_written_without_geometry_or_counted() {
    let wd = Workdir::new();
    let located_bbox = serde_json::json!([68.13105, 36.86477, 71.39456, 38.40856]);
    let mut stderr = std::collections::HashMap::new();
    for (format, dir) in [
        ("geojson", "gj"),
        ("geojsonseq", "seq"),
        ("csv", "csv"),
        ("flatgeobuf", "fgb"),
        ("geoparquet", "gp"),
    ] {
        // With the border, so that the layers go through write_layer, not the stream.
        let run = wd.output(&[
            "export",
            "incidents",
            "border",
            "--format",
            format,
            "--out",
            dir,
        ]);
        let entry = incidents_entry(&wd, &format!("{dir}/layers.json"));
        assert_eq!(entry["with_geometry"], 6, "{format}");
        assert_eq!(entry["bbox"], located_bbox, "{format}");
        let (without, not_written) = if format == "flatgeobuf" {
            (0, 1)
        } else {
            (1, 0)
        };
        assert_eq!(entry["without_geometry"], without, "{format}");
        assert_eq!(entry["not_written"], not_written, "{format}");
        assert_eq!(entry["filtered_out"], 0, "{format}");
        stderr.insert(format, run.stderr.clone());
    }
    // GeoJSON: a Feature with "geometry": null (RFC 7946 §3.2), its border distance unknown.
    let doc = read_json(&wd, "gj/incidents.geojson");
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), 7);
    let unlocated: Vec<&Value> = features.iter().filter(|f| f["id"] == UNLOCATED).collect();
    assert_eq!(unlocated.len(), 1);
    assert_eq!(unlocated[0]["geometry"], Value::Null);
    assert_eq!(unlocated[0]["properties"]["border_km"], Value::Null);
    assert_eq!(unlocated[0]["properties"]["side"], Value::Null);
    assert_eq!(unlocated[0]["properties"]["event_type"], "Battles");
    assert_eq!(doc["bbox"], located_bbox);
    assert!(
        stderr["geojson"].contains(
            "gj/incidents.geojson: 7 features, 1 of them without geometry (no coordinates)"
        ),
        "{}",
        stderr["geojson"]
    );
    // A GeoJSON text sequence: seven records, one with a null geometry.
    let seq = wd.read("seq/incidents.geojsons");
    let records: Vec<Value> = seq
        .split('\u{1e}')
        .skip(1)
        .map(|r| serde_json::from_str(r).unwrap())
        .collect();
    assert_eq!(records.len(), 7);
    let nulls: Vec<&Value> = records.iter().filter(|r| r["geometry"].is_null()).collect();
    assert_eq!(nulls.len(), 1);
    assert_eq!(nulls[0]["id"], UNLOCATED);
    // CSV: seven rows; the unlocated one has an empty WKT, latitude and longitude.
    let csv = wd.read("csv/incidents.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7);
    let row = rows
        .iter()
        .find(|r| &r[column("event_id_cnty")] == UNLOCATED)
        .unwrap();
    for name in ["geometry", "latitude", "longitude", "border_km", "side"] {
        assert_eq!(&row[column(name)], "", "{name}");
    }
    assert_eq!(rows.iter().filter(|r| r[0].is_empty()).count(), 1);
    // FlatGeobuf: left out, counted, and said.
    let entry = incidents_entry(&wd, "fgb/layers.json");
    assert!(
        entry["not_written_why"]
            .as_str()
            .unwrap()
            .contains("FlatGeobuf has no null geometry"),
        "{entry}"
    );
    assert!(
        stderr["flatgeobuf"].contains(
            "fgb/incidents.fgb: 1 unlocated incident not written: FlatGeobuf has no null \
             geometry (its packed R-tree needs a box for every feature); see layers.json"
        ),
        "{}",
        stderr["flatgeobuf"]
    );
    assert!(stderr["flatgeobuf"].contains("fgb/incidents.fgb: 6 features\n"));
    // GeoParquet: seven rows, the unlocated one with a null geometry and a null bbox.
    let rows = parquet_rows(&wd.path("gp/incidents.parquet"));
    assert_eq!(rows.len(), 7);
    let unlocated = rows
        .iter()
        .find(|r| r["event_id_cnty"] == UNLOCATED)
        .unwrap();
    assert_eq!(unlocated["geometry"], "null");
    assert_eq!(unlocated["bbox"], "null");
    assert!(
        rows.iter()
            .filter(|r| r["event_id_cnty"] != UNLOCATED)
            .all(|r| r["geometry"] != "null" && r["bbox"] != "null")
    );
    if gdal() {
        for (file, count) in [
            ("gj/incidents.geojson", "Feature Count: 7"),
            ("seq/incidents.geojsons", "Feature Count: 7"),
            ("fgb/incidents.fgb", "Feature Count: 6"),
        ] {
            let out = Command::new("ogrinfo")
                .args(["-al", "-so", file])
                .current_dir(wd.root())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && text.contains(count),
                "{file}: {text}"
            );
            assert!(
                text.contains("Extent: (68.131050, 36.864770) - (71.394560, 38.408560)"),
                "{file}: {text}"
            );
        }
    }
}

/// Each row of a Parquet file: its columns' values as text ("null" when null), read by the
/// parquet crate.
fn parquet_rows(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::try_from(std::fs::File::open(path).unwrap()).unwrap();
    reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .map(|(name, field)| {
                    let text = match field {
                        parquet::record::Field::Str(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (name.clone(), text)
                })
                .collect()
        })
        .collect()
}

/// Filters apply to an incident without coordinates as to any other: dates, types and
/// actors as usual; a condition that needs a position (--border-km, --side) it cannot pass,
/// and the message says so only when that is why it is left out. The incidents layer alone
/// (which streams) keeps the same account, in its own layers.json.
#[test]
fn filters_apply_to_unlocated_incidents_and_say_why_they_leave_them_out() {
    let wd = Workdir::new();
    for (filters, unlocated_written, for_no_position, message) in [
        (&["--type", "Battles"][..], 1, 0, None),
        (&["--actor", "jihad"], 1, 0, None),
        (&["--since", "2020-01-01"], 0, 0, None),
        (&["--border-km", "10"], 0, 1, Some("--border-km")),
        (&["--side", "AF"], 0, 1, Some("--side")),
        // BW-AFG-0002 (2017-10) fails the dates first: not a question of position.
        (&["--border-km", "10", "--since", "2020-01-01"], 0, 0, None),
    ] {
        for layers in [&["incidents", "border"][..], &["incidents"]] {
            let run = wd.output(&[&["export"], layers, filters, &["--out", "f/"]].concat());
            let entry = incidents_entry(&wd, "f/layers.json");
            let doc = read_json(&wd, "f/incidents.geojson");
            let nulls = doc["features"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["geometry"].is_null())
                .count();
            assert_eq!(nulls, unlocated_written, "{filters:?} {layers:?}");
            assert_eq!(entry["without_geometry"], unlocated_written);
            assert_eq!(entry["filtered_out_for_no_position"], for_no_position);
            let said = run.stderr.contains("unlocated incident left out by");
            assert_eq!(said, message.is_some(), "{filters:?}: {}", run.stderr);
            if let Some(flag) = message {
                assert!(
                    run.stderr.contains(&format!(
                        "f/incidents.geojson: 1 unlocated incident left out by {flag}: without \
                         coordinates, the distance to the border and the side are unknown"
                    )),
                    "{}",
                    run.stderr
                );
            }
        }
    }
}
