//! Incident loading and proximity queries on the peer data of ../shared/bench
//! (incidents_N.csv, queries_10000.csv), in the metrics of its README.
//!
//!     cargo bench --bench incidents                  # N = 100000 and 1000000
//!     BENCH_SIZES=100000 cargo bench --bench incidents
//!
//! Correctness is printed beside speed: `hits` of the exact 25 km radius over the first 1,000
//! queries (peer reference: 3,032,598 at 100k, 30,326,623 at 1M), `hits` of bbox + date over
//! all queries (2,629,084 and 26,304,436), and kNN-10 recall against brute force.

mod support;

use std::path::Path;

use borderwatch::incidents::{IncidentTable, LoadOptions, load_files};
use borderwatch::index::{Filter, IncidentIndex};
use borderwatch::spatial::geodesic_km;
use chrono::NaiveDate;
use geo::Point;
use rayon::prelude::*;
use serde_json::json;
use support::Measurement as M;

struct Query {
    center: Point,
    radius_km: f64,
    k: usize,
    bbox: [f64; 4],
    from: NaiveDate,
    to: NaiveDate,
}

fn load_queries() -> Vec<Query> {
    let path = support::data_file("queries_10000.csv", "python3 gen_queries.py 10000");
    let mut reader = csv::Reader::from_path(path).expect("queries");
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            let f = |i: usize| r[i].parse::<f64>().expect("number");
            let d = |i: usize| NaiveDate::parse_from_str(&r[i], "%Y-%m-%d").expect("date");
            Query {
                center: Point::new(f(2), f(1)),
                radius_km: f(3),
                k: r[4].parse().expect("k"),
                bbox: [f(5), f(6), f(7), f(8)],
                from: d(9),
                to: d(10),
            }
        })
        .collect()
}

/// Prints a result, with the RSS held before it when given.
fn emit(m: M, before: Option<f64>, extra: serde_json::Value) {
    support::emit(
        &M {
            rss_before_mb: before,
            ..m
        },
        extra,
    );
}

fn bench_size(n: usize, queries: &[Query], repeats: usize) {
    let file = format!("incidents_{n}.csv");
    let path = support::data_file(&file, &format!("python3 gen_incidents.py {n}"));
    let input_mb = std::fs::metadata(&path)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0);
    let threads = rayon::current_num_threads();

    // load_csv_points: parse every row into the table (points included).
    let before = support::rss_mb();
    support::reset_peak_rss();
    let load = || load_files(&[Path::new(&path)], &LoadOptions::default()).expect("load");
    let (runs, table) = support::time_runs(repeats, load);
    assert_eq!(table.counts().indexed, n, "every generated row is indexed");
    emit(
        M::new(
            "load_csv_points",
            n,
            &format!(
                "borderwatch incidents::load_files (csv + checks + points, {threads} threads)"
            ),
            "rows/s",
            n,
            &runs,
        ),
        before,
        json!({"input_mb": input_mb, "mb_per_s_best": input_mb / runs.iter().cloned().fold(f64::INFINITY, f64::min)}),
    );

    // strtree_build: the R-tree bulk load.
    let (runs, _) = support::time_runs(repeats, || IncidentIndex::new(&table));
    emit(
        M::new(
            "strtree_build",
            n,
            "borderwatch IncidentIndex::new (rstar bulk load, ECEF)",
            "rows/s",
            n,
            &runs,
        ),
        None,
        json!({}),
    );

    // load + index together, the figure the target is stated in; tables and trees
    // are dropped outside the timing.
    drop(table);
    support::reset_peak_rss();
    let mut runs = Vec::new();
    for _ in 0..repeats {
        let start = std::time::Instant::now();
        let table = load();
        let index = IncidentIndex::new(&table);
        runs.push(start.elapsed().as_secs_f64());
        assert_eq!(index.len(), n);
    }
    emit(
        M::new(
            "load_index",
            n,
            &format!("borderwatch load_files + IncidentIndex::new ({threads} threads)"),
            "rows/s",
            n,
            &runs,
        ),
        before,
        json!({}),
    );
    let table = load();
    let index = IncidentIndex::new(&table);
    let filter = Filter::default();

    // radius_bulk: 25 km, exact geodesic, all queries (hits reported for the first 1,000).
    let (runs, counts) = support::time_runs(repeats, || {
        queries
            .par_iter()
            .map(|q| index.count_within(q.center, q.radius_km, &filter).hits)
            .collect::<Vec<_>>()
    });
    let first_1000: usize = counts.iter().take(1000).sum();
    let all: usize = counts.iter().sum();
    emit(
        M::new(
            "radius_bulk",
            n,
            &format!(
                "borderwatch IncidentIndex::count_within (exact WGS84, ECEF chord bounds), {threads} threads"
            ),
            "queries/s",
            queries.len(),
            &runs,
        ),
        None,
        json!({"hits": all, "hits_first_1000": first_1000, "radius_km": 25.0, "geodesic": true}),
    );

    // knn10: exact geodesic 10 nearest; recall against brute force on 200 queries.
    let (runs, answers) = support::time_runs(repeats, || {
        queries
            .par_iter()
            .map(|q| {
                index
                    .nearest(q.center, q.k, &filter)
                    .iter()
                    .map(|h| h.row)
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    let sample: Vec<usize> = (0..200).map(|i| i * queries.len() / 200).collect();
    let points: Vec<Point> = table
        .rows()
        .iter()
        .map(|r| r.point().expect("located"))
        .collect();
    let (mut exact, mut recall) = (0usize, 0.0);
    for &i in &sample {
        let q = &queries[i];
        let mut all: Vec<(f64, u32)> = points
            .par_iter()
            .enumerate()
            .map(|(row, p)| (geodesic_km(q.center, *p), row as u32))
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let truth: Vec<u32> = all.iter().take(q.k).map(|x| x.1).collect();
        let got = &answers[i];
        let found = got.iter().filter(|r| truth.contains(r)).count();
        recall += found as f64 / q.k as f64;
        if *got == truth {
            exact += 1;
        }
    }
    emit(
        M::new(
            "knn10",
            n,
            &format!("borderwatch IncidentIndex::nearest (exact geodesic k=10), {threads} threads"),
            "queries/s",
            queries.len(),
            &runs,
        ),
        None,
        json!({"k": 10, "geodesic": true, "geodesic_check": {"sample": sample.len(), "exact_set_frac": exact as f64 / sample.len() as f64, "mean_recall_at_10": recall / sample.len() as f64}}),
    );

    // bbox_date: box (inclusive) + date window (inclusive).
    let (runs, counts) = support::time_runs(repeats, || {
        queries
            .par_iter()
            .map(|q| {
                let filter = Filter {
                    since: Some(q.from),
                    until: Some(q.to),
                    ..Filter::default()
                };
                index
                    .bbox(q.bbox[0], q.bbox[1], q.bbox[2], q.bbox[3], &filter)
                    .len()
            })
            .collect::<Vec<_>>()
    });
    emit(
        M::new(
            "bbox_date",
            n,
            &format!("borderwatch IncidentIndex::bbox + date filter, {threads} threads"),
            "queries/s",
            queries.len(),
            &runs,
        ),
        None,
        json!({"hits": counts.iter().sum::<usize>()}),
    );
    drop(index);
    // Large tables are dropped outside the timings.
    drop::<IncidentTable>(table);
}

fn main() {
    let repeats: usize = std::env::var("BENCH_REPEATS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let queries = load_queries();
    for n in sizes {
        bench_size(n, &queries, repeats);
    }
}
