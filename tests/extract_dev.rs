//! The development set (tests/fixtures/corpus-dev, 18 annotated articles): extract must keep
//! the scores it reached, as the set's own score.py measures them on the real binary.

use std::process::Command;

/// The figures reached (score.py's counts), which the tool must not fall below: measured
/// with the 8,689-place gazetteer (2026-12-02): 1.00, 0.99 (166/167), 0.98 (42/43), 0.80
/// (28/35), 0.71 (25/35); each floor a little under, so one mention more or less of a new
/// rule does not fail the build but a lost rule does.
const FLOORS: &[(&str, f64)] = &[
    ("precision", 0.97),
    ("recall", 0.96),
    ("resolved", 0.95),
    ("date", 0.80),
    ("date+place", 0.70),
];

/// The figure after `label` in score.py's summary line.
fn figure(summary: &str, label: &str) -> f64 {
    let at = summary
        .find(&format!("{label} "))
        .unwrap_or_else(|| panic!("{label} not in {summary:?}"));
    summary[at + label.len() + 1..]
        .split(|c: char| c != '.' && !c.is_ascii_digit())
        .next()
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no figure after {label} in {summary:?}"))
}

#[test]
fn the_development_set_scores_stay_at_least_as_reached() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus-dev");
    let out = Command::new("python3")
        .args([
            &format!("{dir}/score.py"),
            env!("CARGO_BIN_EXE_borderwatch"),
            "--dir",
            dir,
            "--show",
            "0",
        ])
        .output()
        .expect("python3 runs score.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = stdout.lines().last().expect("a summary line");
    // "incidents: date 0.80 (28/35), date+place 0.71 (25/35)": the first "date " is the date's.
    for (label, floor) in FLOORS {
        let got = figure(summary, label);
        assert!(got + 1e-9 >= *floor, "{label} {got} < {floor}: {summary}");
    }
}
