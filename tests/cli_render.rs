//! `borderwatch render` through the real binary: determinism, the SVG's structure (legend,
//! scale bar, labels), escaping, errors, and a golden image.
//!
//! The golden images in tests/golden/ are regenerated only on request:
//! `UPDATE_GOLDEN=1 cargo test --test cli_render`.

mod common;

use borderwatch::render::CLEARANCE_PX;
use common::Workdir;
use resvg::tiny_skia::Pixmap;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/browser/fixtures/incidents.csv"
);
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");

/// The values of an attribute in document order.
fn attribute_values<'a>(svg: &'a str, name: &str) -> Vec<&'a str> {
    let key = format!(" {name}=\"");
    svg.match_indices(&key)
        .map(|(i, _)| {
            let rest = &svg[i + key.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

fn root_number(svg: &str, name: &str) -> f64 {
    attribute_values(svg, name)[0].parse().unwrap()
}

fn render(wd: &Workdir, args: &[&str]) -> common::Run {
    wd.output(&[&["render"], args].concat())
}

/// The element `<g id="ID" ...>` ... `</g>` (no nested groups).
fn group<'a>(svg: &'a str, id: &str) -> &'a str {
    let start = svg.find(&format!("<g id=\"{id}\"")).unwrap();
    let end = start + svg[start..].find("</g>").unwrap();
    &svg[start..end]
}

/// The numbers of an attribute, e.g. `x y width height`.
fn numbers(value: &str) -> Vec<f64> {
    value.split(' ').map(|v| v.parse().unwrap()).collect()
}

/// Markup text as written, for measuring.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every text of the legend (but the numbers centred under the size key) ends inside its
/// box, measured with the renderer's own font metrics.
fn assert_legend_holds_its_text(svg: &str) {
    let legend = group(svg, "legend");
    let rect = &legend[legend.find("<rect").unwrap()..];
    let right =
        numbers(attribute_values(rect, "x")[0])[0] + numbers(attribute_values(rect, "width")[0])[0];
    let mut texts = 0;
    for element in legend.split("<text").skip(1) {
        let tag = &element[..element.find('>').unwrap()];
        if tag.contains("text-anchor=\"middle\"") {
            continue;
        }
        let content = unescape(&element[tag.len() + 1..element.find("</text>").unwrap()]);
        let x = numbers(attribute_values(tag, "x")[0])[0];
        let size = numbers(attribute_values(tag, "font-size")[0])[0];
        let bold = tag.contains("font-weight=\"bold\"");
        let end = x + borderwatch::render::text_width(&content, size, bold, 0.0);
        assert!(
            end <= right,
            "{content:?} ends at {end:.1}, the box at {right:.1}"
        );
        texts += 1;
    }
    assert!(texts >= 6, "{texts} legend texts");
}

/// A box `x y width height` as left, top, right, bottom.
fn bounds(value: &str) -> [f64; 4] {
    let v = numbers(value);
    [v[0], v[1], v[0] + v[2], v[1] + v[3]]
}

/// The data-bounds of the element `<g id="ID" ...>`.
fn bounds_of(svg: &str, id: &str) -> [f64; 4] {
    let start = svg.find(&format!("<g id=\"{id}\"")).unwrap();
    let tag = &svg[start..start + svg[start..].find('>').unwrap()];
    bounds(attribute_values(tag, "data-bounds")[0])
}

fn overlap(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// No incident symbol lies under the legend, the inset (when drawn) or the scale bar, nor
/// within the clearance of one (less the 0.1 px of rounding), nor outside the map's frame; the
/// overlays do not overlap each other, and each lies inside the image, between the title band
/// and the credits (the map's top and bottom). Returns the symbols' boxes.
fn assert_symbols_clear(svg: &str) -> Vec<[f64; 4]> {
    let map = bounds_of(svg, "map");
    let width = root_number(svg, "width");
    let mut overlays = vec![
        ("legend", bounds_of(svg, "legend")),
        ("scale bar", bounds_of(svg, "scale")),
    ];
    if svg.contains("<g id=\"inset\"") {
        overlays.push(("inset", bounds_of(svg, "inset")));
    }
    for (name, o) in &overlays {
        assert!(
            o[0] >= 0.0 && o[2] <= width && o[1] >= map[1] && o[3] <= map[3],
            "the {name} {o:?} is not inside the image between title and credits (map {map:?})"
        );
    }
    // From the symbols to the legend: labels carry data-box, not data-bounds.
    let incidents = &svg[svg.find("<g id=\"incidents\">").unwrap()..];
    let incidents = &incidents[..incidents.find("<g id=\"legend\"").unwrap()];
    let symbols: Vec<[f64; 4]> = attribute_values(incidents, "data-bounds")
        .into_iter()
        .map(bounds)
        .collect();
    let margin = CLEARANCE_PX - 0.2;
    for s in &symbols {
        assert!(
            s[0] >= map[0] && s[1] >= map[1] && s[2] <= map[2] && s[3] <= map[3],
            "symbol {s:?} crosses the frame {map:?}"
        );
        let clear = [s[0] - margin, s[1] - margin, s[2] + margin, s[3] + margin];
        for (name, o) in &overlays {
            assert!(
                !overlap(clear, *o),
                "symbol {s:?} within {margin} px of the {name} {o:?}"
            );
        }
    }
    for (i, (a, ra)) in overlays.iter().enumerate() {
        for (b, rb) in &overlays[i + 1..] {
            assert!(!overlap(*ra, *rb), "the {a} {ra:?} overlaps the {b} {rb:?}");
        }
    }
    symbols
}

/// An SVG the test rendered, after the checks every image must pass: symbols clear of the
/// overlays and the frame, legend text inside its box.
fn read_svg(wd: &Workdir, name: &str) -> String {
    let svg = wd.read(name);
    assert_symbols_clear(&svg);
    assert_legend_holds_its_text(&svg);
    assert_titles_fit(&svg);
    svg
}

/// The title and the subtitle end inside the image's margins.
fn assert_titles_fit(svg: &str) {
    let width = root_number(svg, "width");
    for id in ["title", "subtitle"] {
        let start = svg.find(&format!(" id=\"{id}\"")).unwrap();
        let open = svg[..start].rfind("<text").unwrap();
        let tag = &svg[open..start + svg[start..].find('>').unwrap()];
        let x = root_number(tag, "x");
        let size = root_number(tag, "font-size");
        let text = unescape(text_of(svg, id));
        let end = x + borderwatch::render::text_width(&text, size, id == "title", 0.0);
        assert!(
            end <= width - x,
            "the {id} {text:?} ends at {end:.1} of {width}"
        );
    }
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let wd = Workdir::new();
    for out in ["a.png", "b.png", "a.svg", "b.svg"] {
        render(
            &wd,
            &[
                "--incidents",
                FIXTURE,
                "--out",
                out,
                "--width",
                "900",
                "--height",
                "700",
            ],
        );
    }
    assert_eq!(
        std::fs::read(wd.path("a.png")).unwrap(),
        std::fs::read(wd.path("b.png")).unwrap()
    );
    assert_eq!(read_svg(&wd, "a.svg"), read_svg(&wd, "b.svg"));
}

#[test]
fn every_legend_line_fits_inside_its_box() {
    let wd = Workdir::new();
    render(&wd, &["--out", "bundled.svg"]);
    assert_legend_holds_its_text(&read_svg(&wd, "bundled.svg"));
    let long = wd.create(
        "long.csv",
        "event_id_cnty,event_date,event_type,latitude,longitude,fatalities\n\
         L-1,2022-01-01,Вооружённое столкновение на границе & <всё такое>,37.5,70.5,1\n\
         L-2,2022-01-02,Battles,37.6,70.6,2\n",
    );
    render(
        &wd,
        &["--incidents", long.to_str().unwrap(), "--out", "long.svg"],
    );
    assert_legend_holds_its_text(&read_svg(&wd, "long.svg"));
}

#[test]
fn the_image_says_how_many_incidents_it_could_not_place() {
    let wd = Workdir::new();
    let note = "incident could not be placed (no coordinates)</text>";
    render(&wd, &["--out", "bundled.svg"]);
    let bundled = read_svg(&wd, "bundled.svg");
    assert!(bundled.contains(&format!(">1 {note}")), "BW-AFG-0002");
    assert_eq!(root_number(&bundled, "data-unplaced"), 1.0);
    // T-10 has no coordinates and is violence against civilians: counted unless filtered out.
    render(&wd, &["--incidents", FIXTURE, "--out", "all.svg"]);
    assert!(read_svg(&wd, "all.svg").contains(&format!(">1 {note}")));
    render(
        &wd,
        &[
            "--incidents",
            FIXTURE,
            "--type",
            "Battles",
            "--out",
            "battles.svg",
        ],
    );
    let battles = read_svg(&wd, "battles.svg");
    assert!(!battles.contains("could not be placed"));
    assert_eq!(root_number(&battles, "data-unplaced"), 0.0);
}

#[test]
fn legend_lists_exactly_the_event_types_drawn() {
    let wd = Workdir::new();
    render(&wd, &["--incidents", FIXTURE, "--out", "map.svg"]);
    let svg = read_svg(&wd, "map.svg");
    let incidents = &svg[svg.find("<g id=\"incidents\">").unwrap()..];
    let incidents = &incidents[..incidents
        .find("</g>\n<g id=\"labels\"")
        .unwrap_or(incidents.len())];
    // Single symbols carry their type; aggregates the types of all their members.
    let mut drawn: Vec<&str> = attribute_values(incidents, "data-type");
    drawn.extend(
        attribute_values(incidents, "data-types")
            .iter()
            .flat_map(|t| t.split('|')),
    );
    drawn.sort_unstable();
    drawn.dedup();
    let mut legend: Vec<&str> = attribute_values(&svg, "data-type")
        .into_iter()
        .zip(svg.match_indices(" data-type=\"").map(|(i, _)| i))
        .filter(|(_, i)| svg[..*i].ends_with("class=\"legend-type\""))
        .map(|(t, _)| t)
        .collect();
    legend.sort_unstable();
    assert_eq!(legend, drawn);
    assert_eq!(
        legend,
        [
            "Battles",
            "Explosions/Remote violence",
            "Protests",
            "Riots",
            "Strategic developments",
            "Violence against civilians"
        ]
    );
    assert!(
        svg.contains(">Incidents (9)</text>"),
        "the unlocated one is not drawn"
    );
}

/// The text of the element with this id.
fn text_of<'a>(svg: &'a str, id: &str) -> &'a str {
    let start = svg.find(&format!(" id=\"{id}\"")).unwrap();
    let text = &svg[start..];
    let text = &text[text.find('>').unwrap() + 1..];
    &text[..text.find('<').unwrap()]
}

#[test]
fn the_subtitle_never_sums_unknown_fatalities_as_zero() {
    let wd = Workdir::new();
    render(&wd, &["--out", "bundled.svg"]);
    // Two of the six drawn have no fatality figure (BW-AFG-0003, BW-AFG-0004).
    assert_eq!(
        text_of(&read_svg(&wd, "bundled.svg"), "subtitle"),
        "2019-11-06 to 2023-08-30 · 6 incidents, at least 22 killed (2 unknown)"
    );
    render(&wd, &["--incidents", FIXTURE, "--out", "fixture.svg"]);
    assert_eq!(
        text_of(&read_svg(&wd, "fixture.svg"), "subtitle"),
        "2021-01-10 to 2022-08-30 · 9 incidents, 23 killed"
    );
    let unknown = wd.create(
        "unknown.csv",
        "event_id_cnty,event_date,event_type,latitude,longitude,fatalities\n\
         U-1,2022-01-01,Battles,37.5,70.5,\n",
    );
    render(
        &wd,
        &[
            "--incidents",
            unknown.to_str().unwrap(),
            "--out",
            "unknown.svg",
        ],
    );
    assert_eq!(
        text_of(&read_svg(&wd, "unknown.svg"), "subtitle"),
        "2022-01-01 to 2022-01-01 · 1 incident, fatalities unknown"
    );
}

#[test]
fn scale_bar_is_the_stated_distance_within_one_percent() {
    let wd = Workdir::new();
    // The last view holds no incident: the image is drawn all the same, and exits 1.
    for (i, (view, code)) in [
        (vec!["--around", "Qala-i-Zal", "--km", "80"], 0),
        (vec!["--bbox", "66,35,76,40"], 0),
        (vec!["--around", "37.49,71.55", "--km", "5"], 1),
    ]
    .into_iter()
    .enumerate()
    {
        let out = format!("{i}.svg");
        wd.run(&[vec!["render"], view.clone(), vec!["--out", &out]].concat())
            .assert_exit(code);
        let svg = read_svg(&wd, &out);
        let metres_per_px = root_number(&svg, "data-metres-per-px");
        let km: f64 = attribute_values(&svg, "data-km")[0].parse().unwrap();
        let x0: f64 = attribute_values(&svg, "data-x0")[0].parse().unwrap();
        let x1: f64 = attribute_values(&svg, "data-x1")[0].parse().unwrap();
        let projected_m = (x1 - x0) * metres_per_px;
        let error = (projected_m - km * 1000.0).abs() / (km * 1000.0);
        assert!(error < 0.01, "{view:?}: bar {projected_m:.0} m for {km} km");
        assert!(svg.contains(&format!(">{km} km</text>")) || km < 1.0);
    }
}

#[test]
fn labels_lie_inside_the_image_and_never_overlap() {
    let wd = Workdir::new();
    render(
        &wd,
        &["--out", "map.svg", "--width", "1200", "--height", "900"],
    );
    let svg = read_svg(&wd, "map.svg");
    let (w, h) = (1200.0, 900.0);
    let boxes: Vec<[f64; 4]> = attribute_values(&svg, "data-box")
        .iter()
        .map(|b| {
            let v: Vec<f64> = b.split(' ').map(|x| x.parse().unwrap()).collect();
            [v[0], v[1], v[0] + v[2], v[1] + v[3]]
        })
        .collect();
    assert!(boxes.len() > 30, "{} labels", boxes.len());
    for (i, a) in boxes.iter().enumerate() {
        assert!(
            a[0] >= 0.0 && a[1] >= 0.0 && a[2] <= w && a[3] <= h,
            "{a:?}"
        );
        for b in &boxes[i + 1..] {
            let overlap = a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
            assert!(!overlap, "{a:?} overlaps {b:?}");
        }
    }
    wd.output(&["render", "--out", "bare.svg", "--labels", "none"]);
    assert!(attribute_values(&read_svg(&wd, "bare.svg"), "data-box").is_empty());
}

#[test]
fn text_from_data_and_arguments_is_escaped() {
    let wd = Workdir::new();
    render(
        &wd,
        &[
            "--incidents",
            FIXTURE,
            "--out",
            "map.svg",
            "--title",
            "<script>alert(1)</script>\u{202E}",
        ],
    );
    let svg = read_svg(&wd, "map.svg");
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;</text>"));
    assert!(
        svg.contains("Test fixture &lt;b&gt;bold&lt;/b&gt;"),
        "the incidents' source in the credits"
    );
    assert!(!svg.contains("<script") && !svg.contains("<b>") && !svg.contains('\u{202E}'));
    render(
        &wd,
        &[
            "--incidents",
            FIXTURE,
            "--out",
            "map.png",
            "--title",
            "<svg onload=alert(1)>",
        ],
    );
}

#[test]
fn bad_requests_get_one_clear_line() {
    let wd = Workdir::new();
    let cases: [(&[&str], &str); 4] = [
        (
            &["render", "--out", "map.jpg"],
            "map.jpg: the image must end in .png or .svg",
        ),
        (
            &[
                "render", "--out", "m.png", "--around", "Fayzabad", "--km", "50",
            ],
            "\"Fayzabad\" is ambiguous",
        ),
        (
            &["render", "--out", "m.png", "--bbox", "72,36,68,38"],
            "expected WEST < EAST and SOUTH < NORTH",
        ),
        (
            &["render", "--out", "m.png", "--around", "Qala-i-Zal"],
            "--km <R>",
        ),
    ];
    for (args, message) in cases {
        let run = wd.run(args);
        run.assert_exit(2);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert!(!wd.path("m.png").exists());
    }
}

#[test]
fn an_image_with_no_incident_is_written_and_exits_1() {
    let wd = Workdir::new();
    let run = wd.run(&["render", "--out", "empty.png", "--since", "2030-01-01"]);
    run.assert_exit(1);
    assert!(
        run.stderr.contains("empty.png: 0 incidents (0 symbols)")
            && run
                .stderr
                .contains("no incident matches: the image shows the basemap alone"),
        "{}",
        run.stderr
    );
    assert!(wd.path("empty.png").is_file());
    let one = wd.run(&["render", "--out", "one.svg", "--since", "2023-08-01"]);
    one.assert_exit(0);
    assert!(
        one.stderr.contains("one.svg: 1 incident (1 symbol)"),
        "{}",
        one.stderr
    );
}

/// A CSV of Battles at the points (lat, lon), with 1, 2, ... fatalities.
fn battles_at(points: &[(f64, f64)]) -> String {
    let mut csv =
        String::from("event_id_cnty,event_date,event_type,latitude,longitude,fatalities\n");
    for (i, (lat, lon)) in points.iter().enumerate() {
        csv.push_str(&format!("S-{i},2022-01-01,Battles,{lat},{lon},{}\n", i + 1));
    }
    csv
}

/// Synthetic incidents for the placement of the overlays.
struct Case {
    name: &'static str,
    /// (lat, lon) of each incident.
    points: Vec<(f64, f64)>,
    /// Where the overlays must go in the wide image (None: wherever is clear).
    overlays: Option<&'static str>,
}

#[test]
fn no_symbol_lies_under_the_legend_inset_or_scale_bar() {
    let wd = Workdir::new();
    // About as wide as the map at 1600 × 1100, so that the incidents reach all its sides.
    let (west, south, east, north) = (68.5, 37.0, 71.5, 38.5);
    let bbox = format!("{west},{south},{east},{north}");
    let inside = 0.01;
    let corners = [
        (south + inside, west + inside),
        (south + inside, east - inside),
        (north - inside, west + inside),
        (north - inside, east - inside),
    ];
    let (mid_lat, mid_lon) = ((south + north) / 2.0, (west + east) / 2.0);
    let edges = [
        (mid_lat, west + inside),
        (mid_lat, east - inside),
        (south + inside, mid_lon),
        (north - inside, mid_lon),
    ];
    let grid: Vec<(f64, f64)> = (0..400)
        .map(|i| {
            let (row, column) = ((i / 20) as f64, (i % 20) as f64);
            (south + inside + row * 0.075, west + inside + column * 0.15)
        })
        .collect();
    let cases = [
        Case {
            name: "corners",
            points: corners.to_vec(),
            overlays: Some("on-map"),
        },
        Case {
            name: "edges",
            points: [corners, edges].concat(),
            overlays: None,
        },
        Case {
            name: "grid",
            points: grid,
            overlays: Some("beside-map"),
        },
    ];
    for case in cases {
        let csv = wd.create(&format!("{}.csv", case.name), battles_at(&case.points));
        for (size, shape) in [(["1600", "1100"], "wide"), (["700", "1000"], "tall")] {
            let out = format!("{}-{shape}.svg", case.name);
            let csv = csv.to_str().unwrap();
            let (width, height) = (size[0], size[1]);
            render(
                &wd,
                &[
                    "--incidents",
                    csv,
                    "--bbox",
                    &bbox,
                    "--width",
                    width,
                    "--height",
                    height,
                    "--out",
                    &out,
                ],
            );
            let svg = read_svg(&wd, &out);
            assert!(!assert_symbols_clear(&svg).is_empty(), "{out}");
            if let Some(overlays) = case.overlays.filter(|_| shape == "wide") {
                let mode = format!("data-overlays=\"{overlays}\"");
                assert!(svg.contains(&mode), "{out}: not {overlays}");
            }
        }
    }
}

#[test]
fn no_symbol_lies_under_the_overlays_around_a_point() {
    let wd = Workdir::new();
    // Incidents all round, 28 km from the centre of a 30 km view.
    let ring: Vec<(f64, f64)> = (0..36)
        .map(|i| {
            let a = (i as f64 * 10.0).to_radians();
            (37.5 + 0.25 * a.cos(), 70.5 + 0.32 * a.sin())
        })
        .collect();
    let csv = wd.create("ring.csv", battles_at(&ring));
    render(
        &wd,
        &[
            "--incidents",
            csv.to_str().unwrap(),
            "--around",
            "37.5,70.5",
            "--km",
            "30",
            "--out",
            "ring.svg",
        ],
    );
    let symbols = assert_symbols_clear(&read_svg(&wd, "ring.svg"));
    assert!(!symbols.is_empty());
}

/// Share of pixels whose colour differs by more than 24 in any channel.
fn difference(a: &Pixmap, b: &Pixmap) -> f64 {
    assert_eq!((a.width(), a.height()), (b.width(), b.height()));
    let differing = a
        .data()
        .chunks(4)
        .zip(b.data().chunks(4))
        .filter(|(p, q)| p.iter().zip(q.iter()).any(|(x, y)| x.abs_diff(*y) > 24))
        .count();
    differing as f64 / (a.width() * a.height()) as f64
}

#[test]
fn qala_i_zal_80_km_matches_its_golden_image() {
    let wd = Workdir::new();
    render(
        &wd,
        &["--around", "Qala-i-Zal", "--km", "80", "--out", "qala.png"],
    );
    // The same image as SVG passes the checks of every image.
    render(
        &wd,
        &["--around", "Qala-i-Zal", "--km", "80", "--out", "qala.svg"],
    );
    read_svg(&wd, "qala.svg");
    let golden = std::path::Path::new(GOLDEN).join("qala-i-zal-80km.png");
    let made = std::fs::read(wd.path("qala.png")).unwrap();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &made).unwrap();
    }
    let expected = Pixmap::decode_png(
        &std::fs::read(&golden)
            .expect("tests/golden/qala-i-zal-80km.png (UPDATE_GOLDEN=1 makes it)"),
    )
    .unwrap();
    let actual = Pixmap::decode_png(&made).unwrap();
    let share = difference(&expected, &actual);
    assert!(
        share < 0.002,
        "{:.3}% of pixels differ from the golden image",
        share * 100.0
    );
    // And the check catches a change: the same view without labels differs.
    render(
        &wd,
        &[
            "--around",
            "Qala-i-Zal",
            "--km",
            "80",
            "--out",
            "bare.png",
            "--labels",
            "none",
        ],
    );
    let bare = Pixmap::decode_png(&std::fs::read(wd.path("bare.png")).unwrap()).unwrap();
    assert!(difference(&expected, &bare) > 0.002);
}

#[test]
fn pack_adds_the_briefing_image() {
    let wd = Workdir::new();
    wd.output(&["pack", "--out", "briefing"]);
    let png = std::fs::read(wd.path("briefing/map.png")).unwrap();
    let image = Pixmap::decode_png(&png).unwrap();
    assert_eq!((image.width(), image.height()), (1600, 1100));
}

/// The `W×H` an error message says an image needs.
fn needed_size(stderr: &str) -> (String, String) {
    let start = stderr.find("at least ").expect(stderr) + "at least ".len();
    let size = &stderr[start..start + stderr[start..].find(" px").expect(stderr)];
    let (w, h) = size.split_once('×').expect(size);
    (w.to_string(), h.to_string())
}

#[test]
fn an_image_too_small_for_its_legend_is_refused_with_a_size_that_works() {
    let wd = Workdir::new();
    let run = wd.run(&[
        "render", "--width", "400", "--height", "300", "--out", "s.png",
    ]);
    run.assert_exit(2);
    assert!(
        run.stderr
            .contains("s.png: a 400×300 image cannot hold this map's legend"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("(--width, --height)"), "{}", run.stderr);
    assert!(!wd.path("s.png").exists());
    let (width, height) = needed_size(&run.stderr);
    render(
        &wd,
        &["--width", &width, "--height", &height, "--out", "ok.svg"],
    );
    // read_svg checks that every overlay drawn lies inside the image above the credits.
    let svg = read_svg(&wd, "ok.svg");
    assert!(svg.contains(">Incidents (6)</text>"));
}

#[test]
fn overlays_and_titles_stay_inside_images_of_every_allowed_shape() {
    let wd = Workdir::new();
    let title = "Afghanistan–Tajikistan border incidents, Badakhshan and Gorno-Badakhshan";
    let sizes = [
        ("600", "900"),
        ("900", "560"),
        ("760", "760"),
        ("1600", "1100"),
    ];
    for (width, height) in sizes {
        let out = format!("{width}x{height}.svg");
        let run = wd.run(&[
            "render", "--title", title, "--width", width, "--height", height, "--out", &out,
        ]);
        run.assert_exit_in(&[0, 2]);
        if run.code == 2 {
            assert!(run.stderr.contains("cannot hold"), "{}", run.stderr);
        } else {
            read_svg(&wd, &out);
        }
    }
}

#[test]
fn an_unknown_toll_is_drawn_apart_never_at_the_size_of_zero() {
    let wd = Workdir::new();
    let csv = wd.create(
        "tolls.csv",
        "event_id_cnty,event_date,event_type,latitude,longitude,fatalities\n\
         K-1,2022-01-01,Battles,37.2,69.0,0\n\
         U-1,2022-01-02,Battles,38.2,71.5,\n",
    );
    render(
        &wd,
        &["--incidents", csv.to_str().unwrap(), "--out", "tolls.svg"],
    );
    let svg = read_svg(&wd, "tolls.svg");
    let incidents = group(&svg, "incidents");
    assert_eq!(incidents.matches("data-fatalities=\"unknown\"").count(), 1);
    assert_eq!(incidents.matches("stroke-dasharray").count(), 1);
    assert!(svg.contains(">fatalities unknown (1)</text>"), "legend key");
    render(&wd, &["--out", "bundled.svg"]);
    assert!(read_svg(&wd, "bundled.svg").contains(">fatalities unknown (2)</text>"));
}

#[test]
fn a_chosen_view_never_claims_the_unlocated_incidents_as_its_own() {
    let wd = Workdir::new();
    render(
        &wd,
        &[
            "--around",
            "Qala-i-Zal",
            "--km",
            "80",
            "--out",
            "around.svg",
        ],
    );
    let svg = read_svg(&wd, "around.svg");
    assert!(
        svg.contains(
            ">1 incident with no coordinates not drawn (may lie outside this view)</text>"
        ),
        "BW-AFG-0002 has no place: it may or may not be near Qala-i-Zal"
    );
    assert!(!svg.contains("could not be placed"));
}
