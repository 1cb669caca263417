//! Briefing images: 100k generated incidents (../shared/bench incidents_100000.csv) drawn to a
//! 2000×1400 PNG, fitted to the incidents, labels on. Target: under 2 s on 2 cores.
//!
//!     cargo bench --bench render
//!
//! Loading the CSV and building the index are outside the timing (the `incidents` benchmark
//! measures them); the timing is `render::draw` (selection, projection, aggregation, labels,
//! SVG) plus `render::png` (resvg), measured apart and together.

mod support;

use std::path::Path;

use borderwatch::gazetteer::Gazetteer;
use borderwatch::incidents::{LoadOptions, load_files};
use borderwatch::index::{Filter, IncidentIndex};
use borderwatch::render::{Options, View, draw, png};
use serde_json::json;
use support::Measurement as M;

fn main() {
    let path = support::data_file("incidents_100000.csv", "python3 gen_incidents.py 100000");
    let table = load_files(&[Path::new(&path)], &LoadOptions::default()).expect("load");
    let index = IncidentIndex::new(&table);
    let gazetteer = Gazetteer::bundled();
    let filter = Filter::default();
    let options = Options {
        view: View::Fit,
        width: 2000,
        height: 1400,
        title: "100,000 generated incidents".into(),
        subtitle: None,
        labels: true,
    };
    let n = table.rows().len();
    let (draw_runs, drawn) = support::time_runs(5, || {
        draw(&index, &filter, &gazetteer, &options).expect("the bench's size holds the legend")
    });
    let (png_runs, image) = support::time_runs(5, || png(&drawn.svg, 1.0).expect("png"));
    let (all_runs, _) = support::time_runs(5, || {
        let drawn =
            draw(&index, &filter, &gazetteer, &options).expect("the bench's size holds the legend");
        png(&drawn.svg, 1.0).expect("png")
    });
    let extra = json!({
        "incidents_drawn": drawn.incidents,
        "symbols": drawn.symbols,
        "labels": drawn.labels,
        "svg_bytes": drawn.svg.len(),
        "png_bytes": image.len(),
        "target_s": 2.0,
    });
    for (metric, runs) in [
        ("render_draw_svg_2000x1400", &draw_runs),
        ("render_rasterise_png_2000x1400", &png_runs),
        ("render_png_2000x1400", &all_runs),
    ] {
        support::emit(
            &M {
                metric,
                n,
                tool: "borderwatch render::draw + render::png (resvg)",
                unit: "images",
                items: 1,
                runs_s: runs,
                rss_before_mb: None,
            },
            extra.clone(),
        );
    }
}
