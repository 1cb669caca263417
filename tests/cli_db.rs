//! PostGIS through the real binary: `db push` twice changes nothing, a corrected row replaces
//! the old one, `near --db` and `bbox --db` print exactly what the local index prints, and bad
//! URLs or refused connections give one line without the password.
//!
//! Needs a server: scripts/test starts a throwaway cluster (scripts/pg_cluster) and sets
//! BORDERWATCH_TEST_PG_URL and PGPASSFILE; without them these tests say so and pass, unless
//! BORDERWATCH_REQUIRE_PG is set.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::Workdir;

fn server() -> Option<String> {
    let url = std::env::var("BORDERWATCH_TEST_PG_URL").ok();
    if url.is_none() {
        assert!(
            std::env::var_os("BORDERWATCH_REQUIRE_PG").is_none(),
            "BORDERWATCH_TEST_PG_URL is required (scripts/pg_cluster start DIR)"
        );
        eprintln!("skipped: no PostgreSQL test server (scripts/test starts one)");
    }
    url
}

/// A schema of its own for each test, so tests can run in parallel.
fn schema(name: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "t_{name}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// `db push` to a schema with more arguments (layers, --incidents).
fn push(wd: &Workdir, url: &str, schema: &str, more: &[&str]) -> common::Run {
    wd.output(&[&["db", "push", "--db", url, "--schema", schema][..], more].concat())
}

#[test]
fn a_second_push_changes_nothing_and_a_corrected_row_replaces_the_old() {
    let Some(url) = server() else { return };
    let wd = Workdir::new();
    let s = schema("push");
    let first = wd.output(&["db", "push", "--db", &url, "--schema", &s]);
    assert!(
        first.stderr.contains(&format!(
            "{s}.incidents: 7 inserted, 0 updated, 0 unchanged"
        )),
        "{}",
        first.stderr
    );
    let again = wd.output(&["db", "push", "--db", &url, "--schema", &s]);
    assert!(
        again.stderr.contains("0 inserted, 0 updated, 7 unchanged"),
        "{}",
        again.stderr
    );
    // A corrected export: one incident's fatalities revised.
    let bundled =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/incidents.csv"))
            .unwrap();
    let mut lines: Vec<String> = bundled.lines().map(String::from).collect();
    let row = lines
        .iter()
        .position(|l| l.starts_with("BW-TJK-0001,"))
        .unwrap();
    let mut record: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(lines[row].as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    record[14] = "99".into();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&record).unwrap();
    lines[row] = String::from_utf8(w.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string();
    wd.create("corrected.csv", lines.join("\n") + "\n");
    let corrected = push(&wd, &url, &s, &["--incidents", "corrected.csv"]);
    assert!(
        corrected
            .stderr
            .contains("0 inserted, 1 updated, 6 unchanged"),
        "{}",
        corrected.stderr
    );
    let near = wd.output(&[
        "near",
        "--at",
        "38.02136,68.13105",
        "--km",
        "5",
        "--db",
        &url,
        "--schema",
        &s,
        "--format",
        "json",
    ]);
    assert!(
        near.stdout.contains("\"event_id_cnty\":\"BW-TJK-0001\"")
            && near.stdout.contains("\"fatalities\":99"),
        "{}",
        near.stdout
    );
}

#[test]
fn near_and_bbox_on_the_server_print_what_the_local_index_prints() {
    let Some(url) = server() else { return };
    let wd = Workdir::new();
    let s = schema("same");
    wd.output(&["db", "push", "--db", &url, "--schema", &s]);
    let queries: [&[&str]; 10] = [
        &["near", "--at", "37.5,70.0", "--nearest", "3"],
        &[
            "near",
            "Qala-i-Zal",
            "--nearest",
            "2",
            "--type",
            "Battles",
            "--format",
            "json",
        ],
        &[
            "near",
            "--at",
            "38.4,70.9",
            "--nearest",
            "50",
            "--km",
            "150",
            "--format",
            "csv",
        ],
        &["near", "Qala-i-Zal", "--km", "200"],
        &[
            "near",
            "--at",
            "38.4,70.9",
            "--km",
            "80",
            "--format",
            "json",
        ],
        &[
            "near",
            "--at",
            "37.5,70.0",
            "--km",
            "300",
            "--since",
            "2020-01-01",
            "--format",
            "csv",
        ],
        &[
            "near",
            "--at",
            "37.5,70.0",
            "--km",
            "400",
            "--actor",
            "TALIBAN",
            "--actor",
            "ansarullah",
            "--side",
            "AF",
            "--border-km",
            "60",
            "--format",
            "csv",
        ],
        &[
            "near",
            "--at",
            "38.4,70.9",
            "--nearest",
            "2",
            "--type",
            "armed clash",
            "--until",
            "2022-12-31",
            "--country",
            "AF",
        ],
        &["bbox", "68,36,72,39"],
        &["bbox", "70,37.5,72,39", "--format", "geojson"],
    ];
    for q in queries {
        let local = wd.run(q);
        let remote = wd.run(&[q, &["--db", &url, "--schema", &s]].concat());
        remote.assert_exit(local.code);
        assert_eq!(remote.stdout, local.stdout, "{q:?}");
        assert!(!local.stdout.is_empty(), "{q:?} finds something");
    }
    // Filter text reaches SQL as a quoted literal, never as SQL.
    let q = [
        "near",
        "Qala-i-Zal",
        "--km",
        "500",
        "--actor",
        "x') OR TRUE OR ('",
    ];
    let local = wd.run(&q);
    let remote = wd.run(&[&q[..], &["--db", &url, "--schema", &s]].concat());
    remote.assert_exit(1);
    assert_eq!(remote.stdout, local.stdout);
}

#[test]
fn columns_of_an_acled_export_beyond_our_schema_come_back_from_the_server() {
    let Some(url) = server() else { return };
    let wd = Workdir::new();
    wd.create(
        "acled.csv",
        std::fs::read_to_string("tests/fixtures/acled_sample.csv").unwrap(),
    );
    let s = schema("extra");
    push(&wd, &url, &s, &["--incidents", "acled.csv"]);
    for format in ["csv", "json"] {
        let q = [
            "near",
            "--incidents",
            "acled.csv",
            "--at",
            "37.5,70.5",
            "--km",
            "400",
            "--format",
            format,
        ];
        let local = wd.output(&q);
        assert!(local.stdout.contains("inter1"), "{}", local.stdout);
        let remote = wd.output(&[&q[..], &["--db", &url, "--schema", &s]].concat());
        assert_eq!(remote.stdout, local.stdout, "{format}");
    }
    // A corrected extra value is a change; the same file again is not.
    let corrected = std::fs::read_to_string("tests/fixtures/acled_sample.csv")
        .unwrap()
        .replacen("Caucasus and Central Asia", "Central Asia", 1);
    wd.create("acled.csv", corrected);
    let again = push(&wd, &url, &s, &["--incidents", "acled.csv"]);
    assert!(
        again.stderr.contains("0 inserted, 1 updated"),
        "{}",
        again.stderr
    );
}

#[test]
fn on_100k_generated_incidents_the_server_agrees_with_the_index() {
    let Some(url) = server() else { return };
    let wd = Workdir::new();
    // A deterministic generator: points over the border region, dates over ten years.
    let mut random = common::Lcg(42);
    let mut next = || random.next_f64();
    let mut csv =
        String::from("event_id_cnty,event_date,event_type,latitude,longitude,fatalities\n");
    for i in 0..100_000 {
        let (lat, lon) = (36.0 + 3.0 * next(), 66.5 + 8.5 * next());
        let day = (next() * 3650.0) as i64;
        let date =
            chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + chrono::Duration::days(day);
        csv.push_str(&format!(
            "G-{i},{date},Battles,{lat:.5},{lon:.5},{}\n",
            i % 7
        ));
    }
    wd.create("many.csv", csv);
    let s = schema("many");
    let pushed = push(&wd, &url, &s, &["incidents", "--incidents", "many.csv"]);
    assert!(
        pushed.stderr.contains("100000 inserted"),
        "{}",
        pushed.stderr
    );
    // The same question asked of the file and of the server gives the same bytes.
    let same = |query: &[&str]| {
        let local = wd.output(&[query, &["--incidents", "many.csv"]].concat());
        let remote = wd.output(&[query, &["--db", &url, "--schema", &s]].concat());
        assert_eq!(remote.stdout, local.stdout, "{query:?}");
        assert!(local.stdout.lines().count() > 5, "{query:?}");
    };
    for (at, km) in [
        ("37.1,68.9", "10"),
        ("38.3,71.2", "25"),
        ("36.9,70.1", "40"),
        ("37.8,73.5", "5"),
    ] {
        same(&["near", "--at", at, "--km", km, "--format", "json"]);
    }
    same(&[
        "near",
        "--at",
        "37.4,70.2",
        "--nearest",
        "10",
        "--format",
        "json",
    ]);
    same(&[
        "near",
        "--at",
        "37.4,70.2",
        "--nearest",
        "25",
        "--since",
        "2024-06-01",
        "--format",
        "csv",
    ]);
    // Border distance and side are checked by the server first (stored to the metre).
    same(&[
        "near",
        "--at",
        "37.4,70.2",
        "--km",
        "60",
        "--border-km",
        "2",
        "--side",
        "TJ",
        "--format",
        "csv",
    ]);
    let local = wd.output(&[
        "bbox",
        "70,37,70.3,37.3",
        "--incidents",
        "many.csv",
        "--format",
        "csv",
    ]);
    let remote = wd.output(&[
        "bbox",
        "70,37,70.3,37.3",
        "--format",
        "csv",
        "--db",
        &url,
        "--schema",
        &s,
    ]);
    assert_eq!(remote.stdout, local.stdout);
}

#[test]
fn reference_layers_become_typed_geography_tables() {
    let Some(url) = server() else { return };
    let wd = Workdir::new();
    let s = schema("layers");
    let run = wd.output(&["db", "push", "--db", &url, "--schema", &s]);
    // The place count follows the bundled gazetteer, which grows with curation.
    let places = csv::Reader::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/gazetteer.csv"))
        .unwrap()
        .records()
        .count();
    for line in [
        format!("places: {places} rows"),
        "border: 15 rows".to_string(),
        "districts: 324 rows".to_string(),
        "countries: 8 rows".to_string(),
    ] {
        assert!(
            run.stderr.contains(&format!("{s}.{line} (replaced)")),
            "{line}: {}",
            run.stderr
        );
    }
    let config = borderwatch::db::config(Some(&url)).unwrap();
    let mut client = borderwatch::db::connect(config).unwrap();
    let columns = client
        .query(
            "SELECT f_table_name::text, type::text, srid FROM geography_columns WHERE f_table_schema = $1 ORDER BY 1",
            &[&s],
        )
        .unwrap();
    let found: Vec<(String, String, i32)> = columns
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    for (table, kind) in [
        ("border", "MultiLineString"),
        ("districts", "MultiPolygon"),
        ("incidents", "Point"),
        ("places", "Point"),
    ] {
        assert!(
            found.contains(&(table.to_string(), kind.to_string(), 4326)),
            "{table}: {found:?}"
        );
    }
    // Geodesic on the server: Qala-i-Zal's district polygon lies within 1 km of its point.
    let row = client
        .query_one(
            &format!("SELECT count(*) FROM {s}.districts d, {s}.places p WHERE p.id = 'af.dist.qala-i-zal' AND d.name = 'Qala-i-Zal' AND ST_DWithin(d.geog, p.geog, 1000)"),
            &[],
        )
        .unwrap();
    let population: String = client
        .query_one(
            "SELECT data_type::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'places' AND column_name = 'population'",
            &[&s],
        )
        .unwrap()
        .get(0);
    assert_eq!(population, "bigint");
    assert_eq!(row.get::<_, i64>(0), 1);
}

#[test]
fn bad_urls_and_refused_connections_give_one_line_without_the_password() {
    let wd = Workdir::new();
    let cases: [(&[&str], &str); 3] = [
        (
            &["db", "push", "--db", "http://analyst:s3cret@db.example/x"],
            "not a PostgreSQL URL",
        ),
        (
            &[
                "near",
                "--at",
                "37,70",
                "--km",
                "5",
                "--db",
                "postgres://analyst:s3cret@127.0.0.1:1/x",
            ],
            "cannot connect to PostgreSQL at 127.0.0.1:1/x as analyst",
        ),
        (
            &[
                "bbox",
                "68,36,72,39",
                "--db",
                "postgres://analyst@127.0.0.1:1/x",
                "--schema",
                "x;drop",
            ],
            "--schema \"x;drop\"",
        ),
    ];
    for (args, message) in cases {
        let run = wd.run(args);
        run.assert_exit(2);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("s3cret") && !run.stdout.contains("s3cret"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"));
        assert_eq!(
            run.stderr
                .lines()
                .filter(|l| l.starts_with("borderwatch: ") && !l.contains("incidents:"))
                .count(),
            1,
            "{}",
            run.stderr
        );
    }
}
