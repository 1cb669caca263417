//! Shared by the benchmarks: reading the peer data of ../shared/bench and printing results as
//! JSON lines in the schema of ../shared/bench/README.md.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::{Map, Value, json};

/// Where the generated peer data lives: `BENCH_DATA`, else /tmp/bench/data.
pub fn data_dir() -> PathBuf {
    PathBuf::from(std::env::var("BENCH_DATA").unwrap_or_else(|_| "/tmp/bench/data".into()))
}

/// A data file, or exit with the command that generates it.
pub fn data_file(name: &str, generate: &str) -> PathBuf {
    let path = data_dir().join(name);
    if !path.exists() {
        eprintln!(
            "bench: {} is missing; generate it with: (cd ../shared/bench && {generate} -o {})",
            path.display(),
            path.display()
        );
        std::process::exit(2);
    }
    path
}

fn status_mb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

/// Resets the peak-RSS mark (VmHWM), as the peers do before each metric.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn loadavg() -> Vec<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect()
}

/// Times `runs` calls of `f` (after one warm-up call) and returns the wall seconds of each
/// and the last result. Each previous result is dropped before the next call, outside the
/// timing, so that peak memory is that of one result.
pub fn time_runs<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut last = Some(f());
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        drop(last.take());
        let start = Instant::now();
        last = Some(f());
        times.push(start.elapsed().as_secs_f64());
    }
    (times, last.expect("at least the warm-up ran"))
}

/// What was measured, for one result line.
pub struct Measurement<'a> {
    pub metric: &'a str,
    /// Rows in the data set (gazetteer names for geocoding).
    pub n: usize,
    pub tool: &'a str,
    pub unit: &'a str,
    /// Items handled per run.
    pub items: usize,
    pub runs_s: &'a [f64],
    pub rss_before_mb: Option<f64>,
}

impl<'a> Measurement<'a> {
    /// A measurement with no `rss_before_mb`.
    pub fn new(
        metric: &'a str,
        n: usize,
        tool: &'a str,
        unit: &'a str,
        items: usize,
        runs_s: &'a [f64],
    ) -> Measurement<'a> {
        Measurement {
            metric,
            n,
            tool,
            unit,
            items,
            runs_s,
            rss_before_mb: None,
        }
    }
}

/// Prints one result line (and appends it to `BENCH_OUT` when set).
pub fn emit(m: &Measurement, extra: Value) {
    let Measurement {
        metric,
        n,
        tool,
        unit,
        items,
        runs_s,
        rss_before_mb,
    } = *m;
    let mut sorted = runs_s.to_vec();
    sorted.sort_by(f64::total_cmp);
    let min = sorted[0];
    let median = sorted[sorted.len() / 2];
    let round = |x: f64| (x * 1e6).round() / 1e6;
    let mut record = Map::new();
    record.insert("metric".into(), json!(metric));
    record.insert("n".into(), json!(n));
    record.insert("tool".into(), json!(tool));
    record.insert("unit".into(), json!(unit));
    record.insert("items".into(), json!(items));
    record.insert(
        "runs_s".into(),
        json!(runs_s.iter().map(|&x| round(x)).collect::<Vec<_>>()),
    );
    record.insert("min_s".into(), json!(round(min)));
    record.insert("median_s".into(), json!(round(median)));
    record.insert("rate_best".into(), json!(round(items as f64 / min)));
    record.insert("rate_median".into(), json!(round(items as f64 / median)));
    record.insert("rss_before_mb".into(), json!(rss_before_mb));
    record.insert("peak_rss_mb".into(), json!(status_mb("VmHWM:")));
    record.insert("loadavg".into(), json!(loadavg()));
    if let Value::Object(extra) = extra {
        record.extend(extra);
    }
    let line = Value::Object(record).to_string();
    println!("{line}");
    if let Ok(path) = std::env::var("BENCH_OUT") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        writeln!(file, "{line}").expect("append result");
    }
}

/// RSS now, for `rss_before_mb`.
pub fn rss_mb() -> Option<f64> {
    status_mb("VmRSS:")
}
