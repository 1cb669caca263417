//! Malformed input, case by case: each gives the exact user-facing message (file:line: field
//! where it applies) and exit code, and for incident files the counts add up
//! (read = indexed + unlocated + rejected, with one listed reason per unlocated or rejected
//! row). The README's troubleshooting table lists these messages.

mod common;

use common::Workdir;

const HEADER: &str = "event_id_cnty,event_date,event_type,latitude,longitude,fatalities";

struct Case {
    name: &'static str,
    file: (&'static str, Vec<u8>),
    args: Vec<&'static str>,
    code: i32,
    message: &'static str,
    /// read, indexed, unlocated, rejected (for `incidents check`).
    counts: Option<[usize; 4]>,
}

/// An incident file: our header, then `rows`.
fn csv(rows: &str) -> Vec<u8> {
    format!("{HEADER}\n{rows}").into_bytes()
}

/// `incidents check FILE` on `content`.
fn check(
    name: &'static str,
    file: &'static str,
    content: Vec<u8>,
    code: i32,
    message: &'static str,
    counts: [usize; 4],
) -> Case {
    // `incidents check` exits 1 when it rejected a row, like a linter; unlocated rows are
    // kept (listed, not errors).
    assert_eq!(
        code,
        i32::from(counts[3] > 0),
        "{name}: the case's exit code"
    );
    Case {
        name,
        file: (file, content),
        args: vec!["incidents", "check", file],
        code,
        message,
        counts: Some(counts),
    }
}

/// Any command, with a file it may read.
fn command(
    name: &'static str,
    file: (&'static str, Vec<u8>),
    args: &[&'static str],
    code: i32,
    message: &'static str,
) -> Case {
    Case {
        name,
        file,
        args: args.to_vec(),
        code,
        message,
        counts: None,
    }
}

fn cases() -> Vec<Case> {
    let ok_row = "A,2021-01-01,Battles,37.1,69.4,1\n";
    let none = || ("unused.txt", Vec::new());
    let mut gazetteer_bad_lat =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/gazetteer.csv")).unwrap();
    // The line of the spoiled latitude, wherever the build puts that row.
    let bad_lat_line = gazetteer_bad_lat
        .lines()
        .position(|l| l.contains("37.17243"))
        .expect("the gazetteer holds 37.17243")
        + 1;
    gazetteer_bad_lat = gazetteer_bad_lat.replacen("37.17243", "abc", 1);
    let bad_lat_message: &'static str = format!(
        "borderwatch: g1.csv:{bad_lat_line}: lat/lon: invalid coordinates \"abc\", \"70.81749\""
    )
    .leak();
    vec![
        // CSV encodings and shapes.
        check("UTF-8 byte order mark", "bom.csv", [b"\xef\xbb\xbf".to_vec(), csv(ok_row)].concat(), 0, "1 read = 1 indexed + 0 unlocated + 0 rejected", [1, 1, 0, 0]),
        check("CRLF line ends", "crlf.csv", csv(ok_row).iter().flat_map(|&b| if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] }).collect(), 0, "1 read = 1 indexed", [1, 1, 0, 0]),
        check("semicolons", "semi.csv", csv(ok_row).iter().map(|&b| if b == b',' { b';' } else { b }).collect(), 0, "1 read = 1 indexed", [1, 1, 0, 0]),
        check("tabs", "tab.csv", csv(ok_row).iter().map(|&b| if b == b',' { b'\t' } else { b }).collect(), 0, "1 read = 1 indexed", [1, 1, 0, 0]),
        check("short row", "short.csv", csv("A,2021-01-01,Battles,37.1\n"), 1, "short.csv:2: row: expected 6 fields, found 4", [1, 0, 0, 1]),
        check("long row", "long.csv", csv(&format!("{ok_row}B,2021-01-01,Battles,37.1,69.4,1,extra\n")), 1, "long.csv:3: row: expected 6 fields, found 7", [2, 1, 0, 1]),
        check("unclosed quote", "quote.csv", csv("A,2021-01-01,\"Battles,37.1,69.4,1\n"), 1, "quote.csv:2: row: expected 6 fields, found 3", [1, 0, 0, 1]),
        command("empty file", ("empty.csv", Vec::new()), &["incidents", "check", "empty.csv"], 2, "borderwatch: empty.csv:1: header: empty file: expected a header row"),
        check("header only", "header.csv", csv(""), 0, "0 read = 0 indexed + 0 unlocated + 0 rejected", [0, 0, 0, 0]),
        check("a 1 MB field", "huge.csv", format!("{HEADER},notes\nA,2021-01-01,Battles,37.1,69.4,1,{}\n", "x".repeat(1 << 20)).into_bytes(), 0, "1 read = 1 indexed", [1, 1, 0, 0]),
        check("duplicate id", "dup.csv", csv(&format!("{ok_row}A,2021-01-02,Battles,37.2,69.4,1\n")), 1, "dup.csv:3: event_id_cnty: duplicate id \"A\" (first at dup.csv:2)", [2, 1, 0, 1]),
        command("an unclosed quote swallowing 70 MB", ("big.csv", [csv("A,2021-01-01,\"Battles,37.1,69.4,1\n"), b"x,".repeat(35 << 20)].concat()), &["incidents", "check", "big.csv"], 2, "borderwatch: big.csv:2: row: one record runs past 64 MB: an unclosed quote, or not an incident table"),
        command("binary data", ("sheet.xlsx", b"PK\x03\x04\x00\x00binary".to_vec()), &["incidents", "check", "sheet.xlsx"], 2, "borderwatch: sheet.xlsx:1: file: binary data, not CSV or GeoJSON text (export the sheet as CSV, UTF-8)"),
        command("no such file", none(), &["incidents", "check", "missing.csv"], 2, "borderwatch: missing.csv: No such file or directory"),
        command("no coordinate or place columns", ("cols.csv", b"a,b\n1,2\n".to_vec()), &["incidents", "check", "cols.csv"], 2, "borderwatch: cols.csv:1: header: no latitude/longitude and no location column among: a, b"),
        command("--columns naming a missing column", ("c.csv", csv(ok_row)), &["incidents", "check", "c.csv", "--columns", "lat=Y"], 2, "c.csv:1: header: --columns: lat=Y: the file has no column \"Y\""),
        // Coordinates.
        check("NaN", "nan.csv", csv("A,2021-01-01,Battles,NaN,69.4,1\n"), 1, "nan.csv:2: latitude: \"NaN\" is not a coordinate", [1, 0, 0, 1]),
        check("infinity", "inf.csv", csv("A,2021-01-01,Battles,37.1,inf,1\n"), 1, "inf.csv:2: longitude: \"inf\" is not a coordinate", [1, 0, 0, 1]),
        check("decimal comma", "comma.csv", csv("A,2021-01-01,Battles,\"37,1\",69.4,1\n"), 1, "comma.csv:2: latitude: \"37,1\" uses a decimal comma: write 37.1", [1, 0, 0, 1]),
        check("latitude beyond 90, swapped", "swap90.csv", csv("A,2021-01-01,Battles,95,37.1,1\n"), 1, "swap90.csv:2: latitude: 95 is outside -90..90 and longitude 37.1 would be a latitude: are latitude and longitude swapped?", [1, 0, 0, 1]),
        check("swapped within range", "swap.csv", csv("A,2021-01-01,Battles,69.4,37.1,1\n"), 1, "swap.csv:2: latitude/longitude: (69.4, 37.1) lies outside the region but (37.1, 69.4) is in it: are latitude and longitude swapped?", [1, 0, 0, 1]),
        check("longitude beyond 180", "lon.csv", csv("A,2021-01-01,Battles,37.1,200,1\n"), 1, "lon.csv:2: longitude: longitude 200 is outside -180..180", [1, 0, 0, 1]),
        check("0,0 placeholder", "zero.csv", csv("A,2021-01-01,Battles,0,0,1\n"), 1, "zero.csv:2: latitude/longitude: 0,0 is not a place here (a placeholder?): leave both empty when unknown", [1, 0, 0, 1]),
        check("latitude without longitude", "half.csv", csv("A,2021-01-01,Battles,37.1,,1\n"), 1, "half.csv:2: longitude: missing while latitude is given", [1, 0, 0, 1]),
        // Dates.
        check("month 13", "d1.csv", csv("A,2021-13-01,Battles,37.1,69.4,1\n"), 1, "d1.csv:2: event_date: not a date: \"2021-13-01\" (use YYYY-MM-DD, \"19 November 2020\", or YYYY-MM for a month; leave it empty when unknown)", [1, 0, 0, 1]),
        check("day/month/year", "d2.csv", csv("A,31/02/2021,Battles,37.1,69.4,1\n"), 1, "d2.csv:2: event_date: not a date: \"31/02/2021\"", [1, 0, 0, 1]),
        check("a word", "d3.csv", csv("A,yesterday,Battles,37.1,69.4,1\n"), 1, "d3.csv:2: event_date: not a date: \"yesterday\"", [1, 0, 0, 1]),
        check("30 February", "d4.csv", csv("A,2021-02-30,Battles,37.1,69.4,1\n"), 1, "d4.csv:2: event_date: not a date: \"2021-02-30\"", [1, 0, 0, 1]),
        check("empty date is unknown, not wrong", "d5.csv", csv("A,,Battles,37.1,69.4,1\n"), 0, "1 read = 1 indexed", [1, 1, 0, 0]),
        // Counts.
        check("negative fatalities", "f1.csv", csv("A,2021-01-01,Battles,37.1,69.4,-3\n"), 1, "f1.csv:2: fatalities: not a count of people: \"-3\"", [1, 0, 0, 1]),
        check("fatalities in words", "f2.csv", csv("A,2021-01-01,Battles,37.1,69.4,many\n"), 1, "f2.csv:2: fatalities: not a count of people: \"many\"", [1, 0, 0, 1]),
        // Places instead of coordinates.
        check("a place found", "p1.csv", b"event_id_cnty,event_date,location,country\nA,2021-01-01,Kevron,Tajikistan\n".to_vec(), 0, "1 read = 1 indexed", [1, 1, 0, 0]),
        check("a place not in the gazetteer", "p2.csv", b"event_id_cnty,event_date,location\nA,2021-01-01,Zzyzxville\n".to_vec(), 0, "p2.csv:2: location: \"Zzyzxville\" was not found in the gazetteer", [1, 0, 1, 0]),
        check("an ambiguous place", "p3.csv", b"event_id_cnty,event_date,location\nA,2021-01-01,Fayzabad\n".to_vec(), 0, "p3.csv:2: location: \"Fayzabad\" is ambiguous", [1, 0, 1, 0]),
        check("a mix: nothing lost", "mix.csv", csv(&format!("{ok_row}B,2021-13-01,Battles,37.1,69.4,1\nC,2021-01-01,Battles,,,1\nD,2021-01-01,Battles,37.2,69.5,2\n")), 1, "4 read = 2 indexed + 1 unlocated + 1 rejected", [4, 2, 1, 1]),
        // GeoJSON.
        command("truncated GeoJSON", ("t.geojson", br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"event_id_cnty":"G1"},"geometry":{"type":"Point","coordinates":[69.4,37.1]}}"#.to_vec()), &["incidents", "check", "t.geojson"], 2, "borderwatch: t.geojson:1: file: not GeoJSON incidents: feature 1: not JSON"),
        check("a line where a point belongs", "line.geojson", br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"event_id_cnty":"G1"},"geometry":{"type":"LineString","coordinates":[[69,37],[70,38]]}}]}"#.to_vec(), 1, "line.geojson:2: geometry: expected a Point, found LineString", [1, 0, 0, 1]),
        check("no geometry and no place", "null.geojson", br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"event_id_cnty":"G1"},"geometry":null}]}"#.to_vec(), 0, "null.geojson:2: latitude/longitude: no coordinates and no location", [1, 0, 1, 0]),
        // Gazetteer files.
        command("gazetteer without its columns", ("g.csv", b"id,name,kind\nx,Foo,town\n".to_vec()), &["geocode", "--gazetteer", "g.csv", "Foo"], 2, "borderwatch: g.csv:1: country: missing column"),
        command("empty gazetteer", ("g0.csv", Vec::new()), &["geocode", "--gazetteer", "g0.csv", "Foo"], 2, "borderwatch: g0.csv:1: id: missing column"),
        command("gazetteer with a bad latitude", ("g1.csv", gazetteer_bad_lat.into_bytes()), &["geocode", "--gazetteer", "g1.csv", "Kunduz"], 2, bad_lat_message),
        // Article texts.
        command("binary article", ("a.txt", (0..3000u32).map(|i| (i * 7919 % 256) as u8).collect()), &["extract", "a.txt"], 2, "borderwatch: a.txt: binary data, not an article text"),
        command("missing article", none(), &["extract", "gone.txt"], 2, "borderwatch: gone.txt: No such file or directory"),
        command("empty article", ("e.txt", Vec::new()), &["extract", "e.txt"], 1, "id  date  type"),
        command("a 10 MB line", ("l.txt", "lorem ipsum ".repeat(900_000).into_bytes()), &["extract", "l.txt"], 1, "id  date  type"),
        command("mixed scripts", ("m.txt", "Боевики пересекли границу в Дарвозе. طالبان در قلعه زال حمله کردند. Fighters attacked a post in Qala-i-Zal district on 3 March 2022, killing two.\n".as_bytes().to_vec()), &["extract", "m.txt", "--format", "csv"], 0, "2022-03-03"),
        // Command-line arguments.
        command("latitude out of range", none(), &["near", "--at", "95,70", "--km", "5"], 2, "invalid value '95,70' for '--at <LAT,LON>': latitude 95 is outside -90..90"),
        command("a radius that is not a number", none(), &["near", "--at", "37,70", "--km", "abc"], 2, "expected a distance in km from 0 to 20000, got \"abc\""),
        command("an inverted box", none(), &["bbox", "72,36,68,38"], 2, "WEST must not exceed EAST, nor SOUTH exceed NORTH"),
        command("an unknown layer", none(), &["export", "roads"], 2, "invalid value 'roads' for '<LAYER>...'"),
        command("too many decimals", none(), &["export", "incidents", "--precision", "99"], 2, "99 is not in 0..=15"),
        command("a tiny image", none(), &["render", "--out", "x.png", "--width", "10"], 2, "10 is not in 400..=8000"),
        command("an image type we do not write", none(), &["render", "--out", "x.jpg"], 2, "borderwatch: x.jpg: the image must end in .png or .svg"),
        command("a web map with no target", none(), &["web"], 2, "the following required arguments were not provided"),
        command("an empty name", none(), &["geocode", ""], 2, "borderwatch: argument 1: name: empty name"),
        command("an unknown place", none(), &["near", "Atlantis", "--km", "5"], 2, "borderwatch: no place named like \"Atlantis\""),
        command("an ambiguous place", none(), &["near", "Fayzabad", "--km", "5"], 2, "borderwatch: \"Fayzabad\" is ambiguous"),
        command("not a database URL", none(), &["db", "push", "--db", "http://analyst:s3cret@host/db"], 2, "borderwatch: --db http://analyst:***@host/db: not a PostgreSQL URL"),
    ]
}

#[test]
fn every_malformed_input_gets_its_message_and_no_row_is_lost() {
    let all = cases();
    assert!(all.len() >= 50, "{} cases", all.len());
    for case in all {
        let wd = Workdir::new();
        if case.file.0 != "unused.txt" {
            wd.create(case.file.0, &case.file.1);
        }
        let run = wd.run(&case.args);
        let said = format!("{}{}", run.stderr, run.stdout);
        run.assert_exit(case.code);
        assert!(
            said.contains(case.message),
            "{}: expected {:?}; said:\n{said}",
            case.name,
            case.message
        );
        assert!(!said.contains("panicked"), "{}", case.name);
        if let Some([read, indexed, unlocated, rejected]) = case.counts {
            assert_eq!(
                read,
                indexed + unlocated + rejected,
                "{}: the case itself",
                case.name
            );
            let summary = format!(
                "{read} read = {indexed} indexed + {unlocated} unlocated + {rejected} rejected"
            );
            assert!(
                run.stdout.contains(&summary),
                "{}: expected {summary:?}; said:\n{said}",
                case.name
            );
            assert_eq!(
                run.stdout.matches("\nunlocated: ").count(),
                unlocated,
                "{}: one reason per unlocated row",
                case.name
            );
            assert_eq!(
                run.stdout.matches("\nrejected: ").count(),
                rejected,
                "{}: one reason per rejected row",
                case.name
            );
        }
    }
}

/// Absurd sizes get a clear error, not an out-of-memory: 2 GB files (sparse, so the test
/// writes almost nothing) and one query more than a run answers.
#[test]
fn absurd_sizes_are_refused_with_a_clear_message() {
    let wd = Workdir::new();
    let sparse = |name: &str, head: &[u8]| {
        let path = wd.create(name, head);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(2 << 30)
            .unwrap();
    };
    sparse("article.txt", b"Fighters crossed the Amu Darya. ");
    sparse("queries.csv", b"id,lat,lon\n");
    sparse(
        "incidents.csv",
        b"event_id_cnty,event_date,latitude,longitude\nA,2021-01-01,",
    );
    let mut many = String::from("id,lat,lon\n");
    many.push_str(&"q,37.1,69.2\n".repeat(10_000_001));
    wd.create("many.csv", many);
    for (args, message) in [
        (
            &["extract", "article.txt"][..],
            "borderwatch: article.txt: longer than 256 MB: not one article",
        ),
        (
            &["near", "--queries", "queries.csv"][..],
            "borderwatch: queries.csv: larger than 1024 MB: not a query file of at most 10000000 queries (split it)",
        ),
        (
            &["incidents", "check", "incidents.csv"][..],
            "borderwatch: incidents.csv:1: file: binary data, not CSV or GeoJSON text",
        ),
        (
            &["near", "--queries", "many.csv"][..],
            "borderwatch: many.csv:10000002: row: more than 10000000 queries: split the file",
        ),
    ] {
        let run = wd.run(args);
        run.assert_exit(2);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
}
