//! The geocoder's development set (`tests/fixtures/geocode_dev.csv`): real spellings from
//! the press and reference works, each with its source and the true point. The test prints
//! the accuracy per confidence level (the README's table) and fails when it falls below what
//! was reached.

use borderwatch::geocode::{Geocoder, Options, Outcome, Status};
use borderwatch::spatial::geodesic_km;
use geo::Point;

/// Share of the rows answered right (resolved within tolerance, or not resolved where the
/// set says the name is ambiguous or unknown) when this test was last raised.
const MIN_ACCURACY: f64 = 0.875;
/// Share of `resolved` answers of confidence 0.95 or more that are right.
const MIN_HIGH_CONFIDENCE_PRECISION: f64 = 0.94;
/// How far a resolved answer may be from the truth before it counts as confidently wrong.
const FAR_WRONG_KM: f64 = 50.0;
/// At most this many rows may be resolved more than FAR_WRONG_KM from the truth.
const MAX_FAR_WRONG: usize = 6;

struct Row {
    query: String,
    expected: Expected,
    tolerance_km: f64,
}

enum Expected {
    Point(Point),
    NotResolved,
}

fn rows() -> Vec<Row> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/geocode_dev.csv"
    );
    let mut reader = csv::Reader::from_path(path).expect("geocode_dev.csv");
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            let context = &r[2];
            let query = if context.is_empty() {
                r[0].to_string()
            } else {
                format!("{}, {context}", &r[0])
            };
            let expected = match (&r[5], r[3].parse::<f64>(), r[4].parse::<f64>()) {
                ("ambiguous" | "unresolved", _, _) => Expected::NotResolved,
                (_, Ok(lat), Ok(lon)) => Expected::Point(Point::new(lon, lat)),
                _ => panic!("{}: no expected point", &r[0]),
            };
            Row {
                query,
                expected,
                tolerance_km: r[6].parse().unwrap_or(10.0),
            }
        })
        .collect()
}

/// The confidence levels of the README's table.
fn level(outcome: &Outcome) -> &'static str {
    match (outcome.status, outcome.candidates.first().map(|c| c.score)) {
        (Status::Resolved, Some(s)) if s >= 0.95 => "resolved, score >= 0.95",
        (Status::Resolved, Some(s)) if s >= 0.90 => "resolved, 0.90-0.95",
        (Status::Resolved, Some(s)) if s >= 0.80 => "resolved, 0.80-0.90",
        (Status::Resolved, _) => "resolved, < 0.80",
        (Status::Ambiguous, _) => "ambiguous",
        (Status::Unresolved, _) => "unresolved",
    }
}

#[test]
fn development_set_accuracy_holds() {
    let geocoder = Geocoder::bundled();
    let mut table: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let (mut right, mut far_wrong) = (0, Vec::new());
    let rows = rows();
    for row in &rows {
        let outcome = geocoder.geocode(&row.query, &Options::default());
        let answer = outcome.resolved();
        let ok = match (&row.expected, answer) {
            (Expected::NotResolved, None) => true,
            (Expected::NotResolved, Some(_)) => false,
            (Expected::Point(_), None) => false,
            (Expected::Point(truth), Some(c)) => {
                let km = geodesic_km(*truth, Point::new(c.lon, c.lat));
                if km > FAR_WRONG_KM.max(row.tolerance_km) {
                    far_wrong.push(format!("{} -> {} ({km:.0} km)", row.query, c.id));
                }
                km <= row.tolerance_km
            }
        };
        if !ok {
            let got = answer.map_or("-", |c| c.id.as_str());
            println!("miss: {} -> {} {got}", row.query, outcome.status.as_str());
        }
        let cell = table.entry(level(&outcome)).or_default();
        cell.0 += 1;
        cell.1 += usize::from(ok);
        right += usize::from(ok);
    }
    println!("| answer | rows | right |\n|---|---|---|");
    for (level, (n, ok)) in &table {
        println!(
            "| {level} | {n} | {ok} ({:.0}%) |",
            100.0 * *ok as f64 / *n as f64
        );
    }
    let accuracy = right as f64 / rows.len() as f64;
    println!("accuracy {right}/{} = {accuracy:.3}", rows.len());
    println!("resolved > {FAR_WRONG_KM} km away: {far_wrong:?}");
    assert!(accuracy >= MIN_ACCURACY, "accuracy {accuracy:.3}");
    let (n, ok) = table["resolved, score >= 0.95"];
    let precision = ok as f64 / n as f64;
    assert!(
        precision >= MIN_HIGH_CONFIDENCE_PRECISION,
        "precision at >= 0.95: {precision:.3}"
    );
    assert!(far_wrong.len() <= MAX_FAR_WRONG, "{far_wrong:?}");
}
