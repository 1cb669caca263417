//! Geocoding throughput and accuracy on the peer lookups (../shared/bench: gazetteer_20000.csv,
//! lookups_100000.csv; same inputs as the rapidfuzz peer).
//!
//!     cargo bench --bench geocode            # BENCH_DATA=/tmp/bench/data, BENCH_OUT=file.jsonl
//!
//! Metrics: `fuzzy_geocode` (the full geocoder: folding, skeletons, deletion index, ranking;
//! on 2 threads like rapidfuzz's cdist workers=-1, and on 1 thread like extractOne) with top-1
//! accuracy by lookup kind; `exact_geocode` (the exact-name fast path).

mod support;

use std::collections::{BTreeMap, HashMap};

use borderwatch::gazetteer::{Gazetteer, Kind, Place};
use borderwatch::geocode::{Geocoder, Options};
use rayon::prelude::*;
use serde_json::json;

struct Lookup {
    query: String,
    truth: String,
    kind: String,
}

/// The peer gazetteer: rows `name,place_id,country,lat,lon,kind`; the names of one place_id
/// become one place (first name canonical, the others alternates).
fn load_gazetteer() -> Gazetteer {
    let path = support::data_file(
        "gazetteer_20000.csv",
        "python3 gen_gazetteer.py gazetteer 20000",
    );
    let mut reader = csv::Reader::from_path(path).expect("gazetteer_20000.csv");
    let mut places: Vec<Place> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in reader.records() {
        let row = row.expect("row");
        let (name, id) = (row[0].to_string(), row[1].to_string());
        match index.get(&id) {
            Some(&i) => places[i].alt_names.push(name),
            None => {
                index.insert(id.clone(), places.len());
                places.push(Place {
                    id,
                    name,
                    kind: Kind::Village,
                    country: row[2].to_string(),
                    admin1: String::new(),
                    admin2: String::new(),
                    lat: row[3].parse().expect("lat"),
                    lon: row[4].parse().expect("lon"),
                    alt_names: Vec::new(),
                    population: None,
                    precision: 1,
                    source: "shared/bench".into(),
                    source_id: String::new(),
                    former_names: Vec::new(),
                    seat: None,
                    ids: Default::default(),
                    note: String::new(),
                });
            }
        }
    }
    Gazetteer::from_places(places)
}

fn load_lookups() -> Vec<Lookup> {
    let path = support::data_file(
        "lookups_100000.csv",
        "python3 gen_gazetteer.py lookups 100000",
    );
    let mut reader = csv::Reader::from_path(path).expect("lookups");
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            Lookup {
                query: r[0].to_string(),
                truth: r[1].to_string(),
                kind: r[2].to_string(),
            }
        })
        .collect()
}

fn top1(geocoder: &Geocoder, query: &str) -> Option<String> {
    geocoder
        .geocode(
            query,
            &Options {
                limit: 1,
                ..Options::default()
            },
        )
        .candidates
        .into_iter()
        .next()
        .map(|c| c.id)
}

fn accuracy(answers: &[Option<String>], lookups: &[Lookup]) -> (f64, BTreeMap<String, f64>) {
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (answer, lookup) in answers.iter().zip(lookups) {
        let entry = by_kind.entry(lookup.kind.clone()).or_default();
        entry.1 += 1;
        if answer.as_deref() == Some(lookup.truth.as_str()) {
            entry.0 += 1;
        }
    }
    let (hit, all) = by_kind.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let round = |x: f64| (x * 10000.0).round() / 10000.0;
    (
        round(hit as f64 / all as f64),
        by_kind
            .into_iter()
            .map(|(k, (h, a))| (k, round(h as f64 / a as f64)))
            .collect(),
    )
}

fn main() {
    let repeats: usize = std::env::var("BENCH_REPEATS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let gazetteer = load_gazetteer();
    let names = gazetteer
        .places()
        .iter()
        .map(|p| 1 + p.alt_names.len())
        .sum::<usize>();
    let lookups = load_lookups();
    let before = support::rss_mb();
    support::reset_peak_rss();
    let geocoder = Geocoder::new(gazetteer);
    // Build the lazy fuzzy index before timing, as the peers preprocess their choices.
    let _ = top1(&geocoder, "warm up the fuzzy index");

    let emit_fuzzy = |tool: &str, runs: &[f64], answers: &[Option<String>]| {
        let (acc, by_kind) = accuracy(answers, &lookups);
        support::emit(
            &support::Measurement {
                metric: "fuzzy_geocode",
                n: names,
                tool,
                unit: "names/s",
                items: lookups.len(),
                runs_s: runs,
                rss_before_mb: before,
            },
            json!({"accuracy": acc, "accuracy_by_kind": by_kind, "gazetteer": names}),
        );
    };
    let (runs, answers) = support::time_runs(repeats, || {
        lookups
            .par_iter()
            .with_min_len(256)
            .map(|l| top1(&geocoder, &l.query))
            .collect::<Vec<_>>()
    });
    emit_fuzzy(
        &format!(
            "borderwatch geocode (skeleton + deletion index), {} threads",
            rayon::current_num_threads()
        ),
        &runs,
        &answers,
    );

    support::reset_peak_rss();
    let (runs, answers) = support::time_runs(repeats, || {
        lookups
            .iter()
            .map(|l| top1(&geocoder, &l.query))
            .collect::<Vec<_>>()
    });
    emit_fuzzy(
        "borderwatch geocode (skeleton + deletion index), 1 thread",
        &runs,
        &answers,
    );

    support::reset_peak_rss();
    let (runs, answers) = support::time_runs(repeats, || {
        lookups
            .iter()
            .map(|l| geocoder.exact(&l.query).next().map(|p| p.id.clone()))
            .collect::<Vec<_>>()
    });
    let exact_lookups: Vec<&Lookup> = lookups.iter().filter(|l| l.kind == "exact").collect();
    let hits = answers
        .iter()
        .zip(&lookups)
        .filter(|(a, l)| l.kind == "exact" && a.as_deref() == Some(l.truth.as_str()))
        .count();
    support::emit(
        &support::Measurement {
            metric: "exact_geocode",
            n: names,
            tool: "borderwatch Geocoder::exact (hash of the name as written), 1 thread",
            unit: "names/s",
            items: lookups.len(),
            runs_s: &runs,
            rss_before_mb: before,
        },
        json!({"accuracy_exact_kind": (hits as f64 / exact_lookups.len() as f64 * 10000.0).round() / 10000.0, "gazetteer": names}),
    );
}
