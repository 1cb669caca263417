//! What a user meets on the real binary: dates no more exact than known, sums that keep
//! unknown fatalities apart, swapped or inverted arguments caught, empty answers that say
//! why, standard input wherever a file is read, and a batch that answers its good rows.

mod common;

use common::Workdir;

/// Incidents with what the bundled file has too little of: a month-precision date with a
/// known toll, and an unknown toll beside a known one in the same place.
const MIXED: &str = "event_id_cnty,event_date,time_precision,event_type,country,admin1,location,latitude,longitude,fatalities\n\
    M1,2021-05,3,Battles,Tajikistan,Khatlon,Panj,37.24,69.1,4\n\
    M2,2021-06-02,1,Battles,Tajikistan,Khatlon,Panj,37.25,69.1,\n\
    M3,2021-06-10,1,Battles,Tajikistan,Khatlon,Panj,37.25,69.1,1\n";

#[test]
fn a_month_precision_date_is_shown_as_its_month() {
    let wd = Workdir::new();
    wd.create("m.csv", MIXED);
    let run = wd.output(&["incidents", "summary", "m.csv", "--by", "month"]);
    let may: Vec<&str> = run
        .stdout
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(may, ["2021-05", "1", "4", "2021-05", "2021-05"]);
    let hits = wd.output(&[
        "near",
        "--at",
        "37.24,69.1",
        "--km",
        "5",
        "--incidents",
        "m.csv",
    ]);
    let m1 = hits.stdout.lines().find(|l| l.starts_with("M1")).unwrap();
    assert!(m1.contains(" 2021-05 "), "{m1}");
    assert!(!m1.contains("2021-05-01"), "{m1}");
}

#[test]
fn sums_over_unknown_fatalities_say_at_least() {
    let wd = Workdir::new();
    wd.create("m.csv", MIXED);
    let run = wd.output(&["incidents", "summary", "m.csv", "--by", "admin1"]);
    assert!(
        run.stdout
            .contains("Khatlon  3          at least 5 (1 unknown)"),
        "{}",
        run.stdout
    );
    wd.create("q.csv", "id,lat,lon\npanj,37.25,69.1\n");
    let args = [
        "near",
        "--queries",
        "q.csv",
        "--km",
        "10",
        "--incidents",
        "m.csv",
        "--count",
    ];
    let table = wd.output(&args);
    assert_eq!(
        table.stdout,
        "query  hits  fatalities\npanj   3     at least 5 (1 unknown)\n"
    );
    let csv = wd.output(&[&args[..], &["--format", "csv"]].concat());
    assert_eq!(
        csv.stdout,
        "query_id,hits,fatalities,fatalities_unknown\npanj,3,5,1\n"
    );
    // All unknown: not a zero.
    let bundled = wd.output(&["incidents", "summary", "--by", "actor"]);
    let taliban = bundled
        .stdout
        .lines()
        .find(|l| l.starts_with("Taliban"))
        .unwrap();
    assert!(taliban.contains("unknown"), "{taliban}");
}

#[test]
fn years_and_months_are_periods_and_an_inverted_range_is_refused() {
    let wd = Workdir::new();
    wd.create("m.csv", MIXED);
    let ids = |args: &[&str]| -> Vec<String> {
        let run = wd.run(&[&["bbox", "60,34,76,41.5", "--incidents", "m.csv"], args].concat());
        run.assert_exit_in(&[0, 1]);
        run.stdout
            .lines()
            .skip(1)
            .map(|l| l[..2].to_string())
            .collect()
    };
    assert_eq!(ids(&["--since", "2021"]), ["M1", "M2", "M3"]);
    assert_eq!(ids(&["--since", "2021-06"]), ["M2", "M3"]);
    assert_eq!(ids(&["--until", "2021-05"]), ["M1"]);
    assert_eq!(ids(&["--until", "2021"]), ["M1", "M2", "M3"]);
    let inverted = wd.run(&[
        "bbox",
        "60,34,76,41.5",
        "--since",
        "2024-01-01",
        "--until",
        "2020",
    ]);
    inverted.assert_exit(2);
    assert!(
        inverted
            .stderr
            .contains("--since 2024-01-01 is after --until 2020-12-31"),
        "{}",
        inverted.stderr
    );
    let bad = wd.run(&["bbox", "60,34,76,41.5", "--since", "spring"]);
    bad.assert_exit(2);
    assert!(
        bad.stderr.contains("YYYY-MM-DD, YYYY-MM or YYYY"),
        "{}",
        bad.stderr
    );
    assert!(!bad.stderr.contains("leave it empty"), "{}", bad.stderr);
}

#[test]
fn swapped_points_and_boxes_are_caught() {
    let wd = Workdir::new();
    let bbox = wd.run(&["bbox", "36.5,68,38.6,72"]);
    bbox.assert_exit(2);
    assert!(
        bbox.stderr.contains("did you mean 68,36.5,72,38.6?"),
        "{}",
        bbox.stderr
    );
    let near = wd.run(&["near", "--at", "70.9,38.4"]);
    near.assert_exit(2);
    assert!(
        near.stderr.contains("did you mean 38.4,70.9?"),
        "{}",
        near.stderr
    );
    let whereis = wd.run(&["where", "69.1,37.2"]);
    whereis.assert_exit(2);
    assert!(
        whereis.stderr.contains("did you mean 37.2,69.1?"),
        "{}",
        whereis.stderr
    );
}

#[test]
fn an_empty_answer_says_why_and_keeps_its_columns() {
    let wd = Workdir::new();
    let near = wd.run(&["near", "--at", "37.0,66.0", "--km", "5"]);
    near.assert_exit(1);
    assert_eq!(
        near.stdout,
        "event_id_cnty  event_date  event_type  location  admin1  country  fatalities  km  bearing  border_km  side\n"
    );
    assert!(
        near.stderr
            .contains("nothing within 5 km of 37.00000,66.00000: the nearest of the 6 located incidents is BW-AFG-0001"),
        "{}",
        near.stderr
    );
    assert!(
        near.stderr.contains("a larger --km finds it"),
        "{}",
        near.stderr
    );
    let filtered = wd.run(&["near", "Qala-i-Zal", "--km", "50", "--since", "2030"]);
    filtered.assert_exit(1);
    assert!(
        filtered.stderr.contains("none of the 6 located incidents passes the filters (their dates run from 2019-11-06 to 2023-08-30)"),
        "{}",
        filtered.stderr
    );
    let bbox = wd.run(&["bbox", "60,30,61,31", "--format", "csv"]);
    bbox.assert_exit(1);
    assert!(
        bbox.stdout.starts_with("event_id_cnty,event_date,"),
        "{}",
        bbox.stdout
    );
    assert!(
        bbox.stdout.trim_end().ends_with("border_km,side"),
        "{}",
        bbox.stdout
    );
    assert!(
        bbox.stderr
            .contains("the 6 located incidents lie within 68.13,"),
        "{}",
        bbox.stderr
    );
    let summary = wd.run(&["incidents", "summary", "--since", "2030"]);
    summary.assert_exit(1);
    assert!(
        summary.stderr.contains("passes the filters"),
        "{}",
        summary.stderr
    );
}

#[test]
fn no_bearing_is_printed_at_the_point_itself() {
    let wd = Workdir::new();
    // BW-AFG-0001 is coded at Qala-i-Zal's own point.
    let run = wd.output(&["near", "Qala-i-Zal", "--km", "1", "--format", "csv"]);
    let row = run.stdout.lines().nth(1).unwrap();
    assert!(row.starts_with("BW-AFG-0001,"), "{row}");
    assert!(row.ends_with(",0,,16.385,AF"), "{row}");
    // Khorugh's own point in the gazetteer.
    let whereis = wd.output(&["where", "--format", "json", "37.49039,71.55337"]);
    assert!(
        whereis
            .stdout
            .contains("\"name\":\"Khorugh\",\"kind\":\"city\",\"country\":\"TJ\",\"distance_km\":0.0,\"bearing\":null"),
        "{}",
        whereis.stdout
    );
}

#[test]
fn a_query_file_answers_its_good_rows_and_reports_the_others() {
    let wd = Workdir::new();
    wd.create(
        "q.csv",
        "id,place\nok,Qala-i-Zal\nvague,Fayzabad\nnone,Xqzwvk\n",
    );
    let run = wd.run(&[
        "near",
        "--queries",
        "q.csv",
        "--km",
        "10",
        "--format",
        "csv",
    ]);
    run.assert_exit(2);
    let rows: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{}", run.stdout);
    assert!(rows[0].starts_with("ok,BW-AFG-0001,"), "{}", rows[0]);
    assert!(
        run.stderr
            .contains("q.csv:3: place: \"Fayzabad\" is ambiguous"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("q.csv:4: place: no place named like"),
        "{}",
        run.stderr
    );
}

#[test]
fn standard_input_is_read_wherever_incidents_are() {
    let wd = Workdir::new();
    let csv = std::fs::read("data/incidents.csv").unwrap();
    let check = wd.run_with_stdin(&["incidents", "check", "-"], &csv);
    check.assert_exit(0);
    assert!(
        check
            .stdout
            .starts_with("7 read = 6 indexed + 1 unlocated + 0 rejected")
    );
    assert!(
        check.stdout.contains("unlocated: stdin:3: location:"),
        "{}",
        check.stdout
    );
    let near = wd.run_with_stdin(
        &["near", "Qala-i-Zal", "--km", "5", "--incidents", "-"],
        &csv,
    );
    near.assert_exit(0);
    assert!(near.stdout.contains("BW-AFG-0001"), "{}", near.stdout);
    let summary = wd.run_with_stdin(&["incidents", "summary", "-", "--by", "year"], &csv);
    summary.assert_exit(0);
    assert!(summary.stdout.contains("2023     2"), "{}", summary.stdout);
    wd.create("one.csv", MIXED);
    let from_file = wd.output(&["incidents", "summary", "one.csv", "--by", "year"]);
    assert!(
        from_file.stdout.contains("2021   3"),
        "{}",
        from_file.stdout
    );
}

#[test]
fn geocode_on_a_terminal_with_no_names_says_what_to_give() {
    // `script` gives the command a terminal for standard input, as a person has.
    let wd = Workdir::new();
    let binary = env!("CARGO_BIN_EXE_borderwatch");
    let output = std::process::Command::new("timeout")
        .args([
            "20",
            "script",
            "-qec",
            &format!("{binary} geocode"),
            "/dev/null",
        ])
        .current_dir(wd.root())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("timeout and script (coreutils, util-linux) run");
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("no names given: `borderwatch geocode NAME...`"),
        "{text}"
    );
    // From a pipe it reads the names as before.
    let piped = wd.run_with_stdin(&["geocode", "--format", "csv"], b"Khorog\n");
    piped.assert_exit(0);
    assert!(piped.stdout.contains("Khorugh"), "{}", piped.stdout);
}

#[test]
fn a_draft_cites_its_article_by_the_path_given() {
    let wd = Workdir::new();
    let article = std::fs::read("tests/fixtures/corpus/05_tajikistan_border_darvaz_vanj.txt")
        .expect("corpus fixture");
    std::fs::create_dir_all(wd.path("news")).unwrap();
    wd.create("news/darvaz.txt", article);
    let run = wd.output(&["extract", "news/darvaz.txt", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let source = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "source")
        .expect("a source column");
    let sources: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[source].to_string())
        .collect();
    assert!(!sources.is_empty(), "{}", run.stdout);
    assert!(
        sources.iter().all(|s| s == "news/darvaz.txt"),
        "{sources:?}"
    );
}
