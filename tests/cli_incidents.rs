//! Incidents on the real binary: reading, the account of every row, near, bbox, summary.

mod common;

use common::Workdir;
use serde_json::Value;

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("tests/fixtures/{name}")).unwrap()
}

#[test]
fn done_means_near_qala_i_zal_lists_corpus_incidents_in_range() {
    let wd = Workdir::new();
    let run = wd.output(&["near", "Qala-i-Zal", "--km", "50", "--format", "json"]);
    let lines = json_lines(&run.stdout);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["event_id_cnty"], "BW-AFG-0001");
    assert_eq!(lines[0]["event_date"], Value::Null);
    assert_eq!(lines[0]["distance_km"], 0.0);
    assert_eq!(lines[0]["side"], "AF");
    assert!(
        run.stderr
            .contains("near Qala-i-Zal (district, Kunduz, AF)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("7 read = 6 indexed + 1 unlocated + 0 rejected"),
        "{}",
        run.stderr
    );
    let wide = wd.run(&["near", "Qala-i-Zal", "--km", "500", "--format", "json"]);
    let lines = json_lines(&wide.stdout);
    assert_eq!(lines.len(), 6);
    let distances: Vec<f64> = lines
        .iter()
        .map(|l| l["distance_km"].as_f64().unwrap())
        .collect();
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "sorted by distance"
    );
}

#[test]
fn acled_export_reads_with_every_column_kept() {
    let wd = Workdir::new();
    wd.create("acled.csv", fixture("acled_sample.csv"));
    let run = wd.run(&["incidents", "check", "acled.csv", "--json"]);
    let report: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(report["counts"]["read"], 6);
    assert_eq!(report["counts"]["indexed"], 5, "{}", run.stdout);
    assert_eq!(report["counts"]["unlocated"], 1);
    assert_eq!(report["counts"]["rejected"], 0);
    run.assert_exit(0);
    let near = wd.run(&[
        "near",
        "--incidents",
        "acled.csv",
        "--at",
        "38.45,70.79",
        "--km",
        "40",
        "--format",
        "json",
    ]);
    let lines = json_lines(&near.stdout);
    let kevron = lines
        .iter()
        .find(|l| l["event_id_cnty"] == "TJK0003")
        .expect("Kevron geocoded");
    assert_eq!(kevron["geocoded"], true);
    assert_eq!(kevron["event_date"], "2023-08-30");
    assert_eq!(kevron["fatalities"], 3);
    assert_eq!(kevron["tags"], "");
    assert_eq!(kevron["timestamp"], "1693353600");
    assert_eq!(kevron["inter1"], "1");
}

#[test]
fn malformed_rows_are_rejected_with_file_line_field_and_counts_add_up() {
    let wd = Workdir::new();
    wd.create(
        "bad.csv",
        "\u{feff}event_id_cnty,event_date,latitude,longitude,fatalities,country,location\r\n\
         A1,2020-11-19,37.1,69.2,1,Afghanistan,\r\n\
         A2,2020-02-30,37.1,69.2,1,Afghanistan,\r\n\
         A3,2020-11-19,69.2,37.1,1,Afghanistan,\r\n\
         A4,2020-11-19,137.1,69.2,1,Afghanistan,\r\n\
         A5,2020-11-19,inf,69.2,1,Afghanistan,\r\n\
         A6,2020-11-19,37.1,69.2,many,Afghanistan,\r\n\
         A7,2020-11-19,37.1\r\n\
         A1,2020-11-19,37.1,69.2,1,Afghanistan,\r\n\
         A8,,,,,Afghanistan,Qala-i-Zal\r\n\
         A9,,,,,Afghanistan,\r\n\
         \"A10\",\"2020-11-19\",\"37.1\",\"69.2\",\"0\",\"Afghanistan\",\"quoted, with comma\"\r\n",
    );
    let run = wd.run(&["incidents", "check", "bad.csv", "--rejects", "rejects.csv"]);
    run.assert_exit(1);
    let expected = [
        "11 read = 3 indexed + 1 unlocated + 7 rejected",
        "rejected: bad.csv:3: event_date: not a date: \"2020-02-30\"",
        "rejected: bad.csv:4: latitude/longitude: (69.2, 37.1) lies outside the region but (37.1, 69.2) is in it: are latitude and longitude swapped?",
        "rejected: bad.csv:5: latitude: 137.1 is outside -90..90 and longitude 69.2 would be a latitude: are latitude and longitude swapped?",
        "rejected: bad.csv:6: latitude: \"inf\" is not a coordinate",
        "rejected: bad.csv:7: fatalities: not a count of people: \"many\"",
        "rejected: bad.csv:8: row: expected 7 fields, found 3",
        "rejected: bad.csv:9: event_id_cnty: duplicate id \"A1\" (first at bad.csv:2)",
        "unlocated: bad.csv:11: latitude/longitude: no coordinates and no location, admin2 or admin1 to geocode",
    ];
    for line in expected {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in:\n{}",
            run.stdout
        );
    }
    let rejects = std::fs::read_to_string(wd.path("rejects.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(rejects.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "event_id_cnty");
    assert_eq!(&header[header.len() - 1], "reject_reason");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(&rows[0][1], "2020-02-30", "rows are written verbatim");
}

#[test]
fn unreadable_files_are_errors_that_say_why() {
    let wd = Workdir::new();
    wd.create("empty.csv", "");
    let run = wd.run(&["incidents", "check", "empty.csv"]);
    run.assert_exit(2);
    assert_eq!(
        run.stderr.trim(),
        "borderwatch: empty.csv:1: header: empty file: expected a header row"
    );
    wd.create("cols.csv", "a,b\n1,2\n");
    let run = wd.run(&["incidents", "check", "cols.csv"]);
    run.assert_exit(2);
    assert!(run.stderr.contains("cols.csv:1: header: no latitude/longitude and no location column among: a, b; name yours with --columns lat=COLUMN,lon=COLUMN"), "{}", run.stderr);
    let run = wd.run(&["incidents", "check", "missing.csv"]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("missing.csv: No such file"),
        "{}",
        run.stderr
    );
}

#[test]
fn columns_option_maps_unusual_headers() {
    let wd = Workdir::new();
    wd.create(
        "own.csv",
        "Ref,Northing,Easting,When\nr1,37.2,69.1,2021-03-04\n",
    );
    let run = wd.output(&[
        "bbox",
        "69,37,70,38",
        "--incidents",
        "own.csv",
        "--columns",
        "lat=Northing,lon=Easting,date=When,id=Ref",
        "--format",
        "json",
    ]);
    let lines = json_lines(&run.stdout);
    assert_eq!(lines[0]["event_id_cnty"], "r1");
    assert_eq!(lines[0]["event_date"], "2021-03-04");
    let bad = wd.run(&[
        "bbox",
        "69,37,70,38",
        "--incidents",
        "own.csv",
        "--columns",
        "lat=Nope",
    ]);
    bad.assert_exit(2);
    assert!(
        bad.stderr
            .contains("--columns: lat=Nope: the file has no column \"Nope\""),
        "{}",
        bad.stderr
    );
}

#[test]
fn filters_and_nearest_work_together() {
    let wd = Workdir::new();
    let run = wd.run(&[
        "near",
        "--at",
        "38.4,70.9",
        "--nearest",
        "2",
        "--format",
        "json",
        "--type",
        "battles",
    ]);
    let lines = json_lines(&run.stdout);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["event_id_cnty"], "BW-AFG-0003");
    let tj = wd.run(&[
        "near",
        "--at",
        "38.4,70.9",
        "--km",
        "200",
        "--format",
        "json",
        "--side",
        "TJ",
        "--since",
        "2023-05-01",
    ]);
    let lines = json_lines(&tj.stdout);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["event_id_cnty"], "BW-TJK-0002");
    let none = wd.run(&["near", "--at", "38.4,70.9", "--km", "1"]);
    none.assert_exit(1);
    let actor = wd.run(&[
        "bbox",
        "60,34,76,41.5",
        "--actor",
        "ansarullah",
        "--format",
        "csv",
    ]);
    assert_eq!(actor.stdout.lines().count(), 3);
    let border = wd.run(&[
        "bbox",
        "60,34,76,41.5",
        "--border-km",
        "5",
        "--format",
        "json",
    ]);
    for line in json_lines(&border.stdout) {
        assert!(line["border_km"].as_f64().unwrap() <= 5.0);
    }
}

#[test]
fn ambiguous_or_unknown_place_is_an_error_listing_candidates() {
    let wd = Workdir::new();
    let run = wd.run(&["near", "Fayzabad"]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("\"Fayzabad\" is ambiguous"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Fayzobod (town"), "{}", run.stderr);
    let settled = wd.run(&["near", "Fayzabad", "--country", "TJ", "--km", "300"]);
    settled.assert_exit_in(&[0, 1]);
    let unknown = wd.run(&["near", "Xqzwvk"]);
    unknown.assert_exit(2);
    assert!(unknown.stderr.contains("no place named like \"Xqzwvk\""));
}

#[test]
fn batch_queries_count_per_village() {
    let wd = Workdir::new();
    wd.create(
        "q.csv",
        "id,lat,lon\nq1,36.88421,68.37395\nq2,0,0\nq3,38.4,70.9\n",
    );
    let run = wd.output(&[
        "near",
        "--queries",
        "q.csv",
        "--km",
        "60",
        "--count",
        "--format",
        "csv",
    ]);
    // q3 takes in the Maimai clash (BW-AFG-0003), whose toll the report does not give: the
    // sum of 5 is a lower bound.
    assert_eq!(
        run.stdout,
        "query_id,hits,fatalities,fatalities_unknown\nq1,1,0,0\nq2,0,0,0\nq3,3,5,1\n"
    );
    // The default is the table, like every other listing.
    let table = wd.output(&["near", "--queries", "q.csv", "--km", "60", "--count"]);
    assert_eq!(
        table.stdout,
        "query  hits  fatalities\nq1     1     0\nq2     0     0\nq3     3     at least 5 (1 unknown)\n"
    );
    // Kevron's bundled incident is coded at the district (precision 2), 34 km from the
    // village's own point (Who's On First): 40 km takes it in, and the Maimai clash across
    // the river (coded at Maimay, the district's seat, 14 km away) too.
    wd.create("p.csv", "id,place\nv1,Jurm\nv2,Kevron\n");
    let run = wd.run(&[
        "near",
        "--queries",
        "p.csv",
        "--km",
        "40",
        "--format",
        "json",
    ]);
    let lines = json_lines(&run.stdout);
    let hits = |query: &str| -> Vec<&str> {
        lines
            .iter()
            .filter(|l| l["query_id"] == query)
            .map(|l| l["event_id_cnty"].as_str().unwrap())
            .collect()
    };
    assert_eq!(hits("v1"), ["BW-AFG-0004"]);
    assert_eq!(hits("v2"), ["BW-AFG-0003", "BW-TJK-0002"]);
    wd.create("bad.csv", "id,lat,lon\nq1,95,70\n");
    let bad = wd.run(&["near", "--queries", "bad.csv"]);
    bad.assert_exit(2);
    assert!(
        bad.stderr
            .contains("bad.csv:2: lat/lon: latitude 95 is outside -90..90"),
        "{}",
        bad.stderr
    );
}

#[test]
fn summary_groups_and_sums() {
    let wd = Workdir::new();
    let run = wd.output(&["incidents", "summary", "--by", "admin1"]);
    assert!(run.stdout.contains("Badakhshan"));
    let gbao = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Gorno-Badakhshan"))
        .unwrap();
    assert!(
        gbao.split_whitespace().collect::<Vec<_>>()[1..3] == ["2", "5"],
        "{gbao}"
    );
}

#[test]
fn borderwatch_incidents_in_the_environment_names_the_files_to_read() {
    let mut wd = Workdir::new();
    wd.create(
        "mine.csv",
        "event_id_cnty,event_date,latitude,longitude\nM1,2021-05-01,37.1,70.2\nM2,2021-06-01,37.2,70.3\n",
    );
    let bundled = wd.output(&["incidents", "summary", "--by", "year"]);
    assert!(!bundled.stdout.contains("\n2021 "), "{}", bundled.stdout);
    wd.set_env("BORDERWATCH_INCIDENTS", "mine.csv");
    let mine = wd.output(&["incidents", "summary", "--by", "year"]);
    let year = mine.stdout.lines().find(|l| l.starts_with("2021")).unwrap();
    assert_eq!(year.split_whitespace().nth(1), Some("2"), "{}", mine.stdout);
    assert_eq!(mine.stdout.lines().count(), 2, "{}", mine.stdout);
}

#[test]
fn geojson_output_is_a_feature_collection() {
    let wd = Workdir::new();
    let run = wd.run(&["bbox", "60,34,76,41.5", "--format", "geojson"]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["type"], "FeatureCollection");
    assert_eq!(doc["features"].as_array().unwrap().len(), 6);
    assert_eq!(doc["bbox"].as_array().unwrap().len(), 4);
    let f = &doc["features"][0];
    assert_eq!(f["geometry"]["type"], "Point");
    assert!(f["properties"]["fatalities"].is_number() || f["properties"]["fatalities"].is_null());
}

#[test]
fn bad_bbox_is_a_usage_error() {
    let wd = Workdir::new();
    for bad in ["70,37,69,38", "1,2,3", "a,b,c,d", "0,0,200,10"] {
        let run = wd.run(&["bbox", bad]);
        run.assert_exit(2);
    }
}

/// A generated incident file with what makes offsets tricky: CRLF, blank lines, quoted
/// newlines and commas, a BOM, rows without coordinates (geocoded or unlocated) and a
/// rejected one.
fn tricky_incidents(rows: usize) -> String {
    let mut random = common::Lcg(7);
    let mut next = || random.next_f64();
    let mut csv = String::from(
        "\u{feff}event_id_cnty,event_date,event_type,actor1,location,latitude,longitude,notes\r\n",
    );
    for i in 0..rows {
        let (lat, lon) = (36.5 + 2.0 * next(), 68.5 + 4.0 * next());
        let kind = ["Battles", "Riots", "Explosions/Remote violence"][i % 3];
        let row = match i % 97 {
            5 => format!(
                "E{i},2021-03-0{},{kind},Taliban,Qala-i-Zal,,,geocoded",
                i % 9 + 1
            ),
            6 => format!("E{i},2021-03-01,{kind},Taliban,Nowhere-at-all,,,unlocated"),
            7 => format!("E{i},not a date,{kind},Taliban,x,{lat:.5},{lon:.5},rejected"),
            8 => format!(
                "\r\nE{i},2022-01-01,{kind},\"Jamaat, Ansarullah\",x,{lat:.5},{lon:.5},\"two\r\nlines\""
            ),
            _ => format!(
                "E{i},2020-{:02}-15,{kind},Taliban,x,{lat:.5},{lon:.5},plain",
                i % 12 + 1
            ),
        };
        csv.push_str(&row);
        csv.push_str("\r\n");
    }
    csv
}

#[test]
fn the_index_file_answers_as_a_full_read_and_follows_changes_to_the_csv() {
    let wd = Workdir::new();
    wd.create("inc.csv", tricky_incidents(5000));
    let queries: [&[&str]; 6] = [
        &["near", "--at", "37.2,69.1", "--km", "25", "--format", "csv"],
        &["near", "Qala-i-Zal", "--km", "60", "--format", "json"],
        &[
            "near",
            "--at",
            "37.9,70.4",
            "--km",
            "80",
            "--actor",
            "ansarullah",
            "--since",
            "2021-01-01",
        ],
        &["near", "--at", "37.9,70.4", "--km", "5000", "--count"],
        &["bbox", "69,37,70,38", "--format", "csv"],
        &["bbox", "68,36,73,39", "--type", "Riots", "--format", "json"],
    ];
    let full: Vec<common::Run> = queries
        .iter()
        .map(|q| wd.run(&[&q[..], &["--incidents", "inc.csv", "--no-index-file"]].concat()))
        .collect();
    assert!(
        !wd.path(".inc.csv.bwindex").exists(),
        "--no-index-file writes none"
    );
    for round in ["writes the index", "reads the index"] {
        for (q, expected) in queries.iter().zip(&full) {
            let run = wd.run(&[&q[..], &["--incidents", "inc.csv"]].concat());
            run.assert_exit(expected.code);
            assert_eq!(run.stdout, expected.stdout, "{round}: {q:?}");
            assert_eq!(run.stderr, expected.stderr, "{round}: {q:?}");
            assert!(
                expected.stdout.lines().count() >= 2,
                "{q:?} finds something"
            );
        }
        assert!(wd.path(".inc.csv.bwindex").exists(), "{round}");
    }
    // The stderr account comes from the index too.
    assert!(
        full[0].stderr.contains("5000 read = "),
        "{}",
        full[0].stderr
    );
    // An edited CSV is read whole again: a row added next to the query point is found.
    let mut edited = tricky_incidents(5000);
    edited.push_str("NEW1,2024-05-05,Battles,Taliban,x,37.2,69.1,added\r\n");
    wd.create("inc.csv", edited);
    let run = wd.run(&[
        "near",
        "--at",
        "37.2,69.1",
        "--km",
        "1",
        "--incidents",
        "inc.csv",
    ]);
    assert!(run.stdout.contains("NEW1"), "{}", run.stdout);
    assert!(run.stderr.contains("5001 read = "), "{}", run.stderr);
}
