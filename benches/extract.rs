//! Toponym scanning over a large concatenated text: the five corpus articles repeated to
//! about 32 MB, on one thread. Target: at least 50 MB/s. Two figures: `toponym_scan`, the
//! recognition pass (`toponyms::find`: Aho-Corasick over the folded text, organisation names,
//! kind-word patterns), and `toponym_scan_resolve`, recognition plus resolving every mention
//! in context (`toponyms::toponyms`).
//!
//!     cargo bench --bench extract

mod support;

use borderwatch::extract::toponyms::{find, toponyms};
use serde_json::json;
use support::Measurement as M;

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus");
    let mut corpus = String::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/fixtures/corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    for f in &files {
        corpus.push_str(&std::fs::read_to_string(f).expect("article"));
        corpus.push_str("\n\n");
    }
    let mut text = String::with_capacity(33 << 20);
    while text.len() < 32 << 20 {
        text.push_str(&corpus);
    }
    let mb = text.len() as f64 / 1e6;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let (scan_runs, spans) = pool.install(|| support::time_runs(3, || find(&text)));
    let (full_runs, mentions) = pool.install(|| support::time_runs(3, || toponyms(&text)));
    for (metric, runs, found, tool) in [
        (
            "toponym_scan",
            &scan_runs,
            spans.len(),
            "borderwatch extract::toponyms::find (one thread)",
        ),
        (
            "toponym_scan_resolve",
            &full_runs,
            mentions.len(),
            "borderwatch extract::toponyms::toponyms (one thread)",
        ),
    ] {
        support::emit(
            &M {
                metric,
                n: text.len(),
                tool,
                unit: "MB/s",
                items: text.len() / 1_000_000,
                runs_s: runs,
                rss_before_mb: None,
            },
            json!({ "mb": mb, "mentions": found, "target_mb_per_s": 50 }),
        );
    }
}
