//! A reader that stops early (`borderwatch … | head -1`) ends every command quietly with
//! exit 0, as in ripgrep and xsv: no panic, no "Broken pipe" message.

mod common;

use std::io::Read;

use common::Workdir;

/// Runs `args` with `stdin`, reads a few bytes of standard output, closes it and returns the
/// exit code and standard error.
fn run_closing_early(wd: &Workdir, args: &[&str], stdin: &[u8]) -> (i32, String) {
    let (mut child, writer) = wd.spawn_with_stdin(args, stdin);
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    let _ = stdout.read(&mut first);
    drop(stdout);
    let output = child.wait_with_output().expect("wait");
    writer.join().expect("stdin writer");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Many incidents along the border, so that every query prints far more than a pipe holds.
fn many_incidents(rows: usize) -> String {
    let mut random = common::Lcg(11);
    let mut csv = String::from("event_id_cnty,event_date,event_type,location,latitude,longitude\n");
    for i in 0..rows {
        let (lat, lon) = (
            36.5 + 2.0 * random.next_f64(),
            68.5 + 4.0 * random.next_f64(),
        );
        csv.push_str(&format!("E{i},2021-03-01,Battles,x,{lat:.5},{lon:.5}\n"));
    }
    csv
}

fn assert_quiet(wd: &Workdir, args: &[&str], stdin: &[u8]) {
    let (code, stderr) = run_closing_early(wd, args, stdin);
    let stderr: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("borderwatch: incidents: "))
        .filter(|l| !l.starts_with("borderwatch: near "))
        .collect();
    assert_eq!(
        (code, stderr.is_empty()),
        (0, true),
        "borderwatch {}\nstderr:\n{}",
        args.join(" "),
        stderr.join("\n")
    );
}

#[test]
fn geocode_stdin_in_every_format() {
    let wd = Workdir::new();
    let names = "Khorog\nKevron\nQala-i-Zal\n".repeat(4000);
    for format in ["table", "json", "csv"] {
        assert_quiet(&wd, &["geocode", "--format", format, "-"], names.as_bytes());
    }
}

#[test]
fn near_bbox_and_where_in_every_format() {
    let wd = Workdir::new();
    wd.create("many.csv", many_incidents(800));
    for format in ["table", "json", "csv", "geojson"] {
        let near = [
            "near",
            "--incidents",
            "many.csv",
            "--at",
            "37.5,70.5",
            "--km",
            "500",
            "--format",
            format,
        ];
        assert_quiet(&wd, &near, b"");
        let bbox = [
            "bbox",
            "--incidents",
            "many.csv",
            "60,30,80,40",
            "--format",
            format,
        ];
        assert_quiet(&wd, &bbox, b"");
    }
    let points: Vec<&str> = std::iter::repeat_n("37.5,69.5", 200).collect();
    for format in ["table", "json", "csv"] {
        let mut args = vec!["where", "--format", format];
        args.extend(&points);
        assert_quiet(&wd, &args, b"");
    }
}

#[test]
fn export_to_standard_output() {
    let wd = Workdir::new();
    wd.create("many.csv", many_incidents(800));
    for format in ["geojson", "geojsonseq", "csv"] {
        assert_quiet(
            &wd,
            &["export", "--format", format, "--out", "-", "places"],
            b"",
        );
        let incidents = [
            "export",
            "--incidents",
            "many.csv",
            "--format",
            format,
            "--out",
            "-",
            "incidents",
        ];
        assert_quiet(&wd, &incidents, b"");
    }
}

#[test]
fn incidents_check_and_extract() {
    let wd = Workdir::new();
    let mut bad = many_incidents(10);
    for i in 0..5000 {
        bad.push_str(&format!("R{i},not a date,Battles,x,37.0,70.0\n"));
    }
    wd.create("bad.csv", bad);
    let (code, stderr) = run_closing_early(&wd, &["incidents", "check", "bad.csv"], b"");
    // Rejected rows make the check fail (exit 1); the closed output adds no message.
    assert!(code == 0 || code == 1, "exit {code}\n{stderr}");
    assert!(
        !stderr.contains("Broken pipe") && !stderr.contains("panicked"),
        "{stderr}"
    );
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus");
    let mut files: Vec<String> = std::fs::read_dir(corpus)
        .expect("corpus")
        .map(|e| e.expect("entry").path().display().to_string())
        .collect();
    files.sort();
    // `extract FILE | head -1`: one article's drafts, the reader gone after the first bytes.
    assert_quiet(&wd, &["extract", &files[0]], b"");
    let many: Vec<&str> = files.iter().map(String::as_str).cycle().take(400).collect();
    for format in ["table", "json"] {
        let mut args = vec!["extract", "--format", format];
        args.extend(&many);
        assert_quiet(&wd, &args, b"");
    }
}

/// Runs `args` with standard output closed before the command writes anything, so its very
/// first write fails, and asserts a quiet exit 0 (however little it prints).
fn assert_quiet_when_closed_at_once(wd: &Workdir, args: &[&str], stdin: &[u8]) {
    let (mut child, writer) = wd.spawn_with_stdin(args, stdin);
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    writer.join().expect("stdin writer");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let messages: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("borderwatch: incidents: "))
        .filter(|l| !l.starts_with("borderwatch: near "))
        .filter(|l| !l.starts_with("note: "))
        .collect();
    assert_eq!(
        (output.status.code(), messages.is_empty()),
        (Some(0), true),
        "borderwatch {}\nstderr:\n{stderr}",
        args.join(" "),
    );
}

#[test]
fn every_command_that_writes_to_standard_output_when_closed_at_once() {
    let wd = Workdir::new();
    wd.create("queries.csv", "id,lat,lon\na,37.2,69.1\nb,38.4,70.9\n");
    wd.create(
        "bad.csv",
        "event_id_cnty,event_date,latitude,longitude\nA,2021-01-01,37,70\nB,x,37,70\n",
    );
    let article = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/corpus/05_tajikistan_border_darvaz_vanj.txt"
    );
    for format in ["table", "json", "csv"] {
        let runs: Vec<Vec<&str>> = vec![
            vec!["geocode", "--format", format, "Khorog"],
            vec!["geocode", "--format", format, "-"],
            vec!["where", "--format", format, "37.5,69.5"],
            vec!["near", "Qala-i-Zal", "--km", "50", "--format", format],
            vec![
                "near",
                "--queries",
                "queries.csv",
                "--count",
                "--format",
                format,
            ],
            vec!["bbox", "68,36.5,72,38.5", "--format", format],
            vec!["extract", "--format", format, article],
        ];
        for args in runs {
            assert_quiet_when_closed_at_once(&wd, &args, b"Khorog\nKevron\n");
        }
    }
    for format in ["geojson", "geojsonseq", "csv"] {
        for layer in ["incidents", "places", "border"] {
            let args = ["export", "--format", format, "--out", "-", layer];
            assert_quiet_when_closed_at_once(&wd, &args, b"");
        }
    }
    for args in [
        &["near", "Qala-i-Zal", "--km", "50", "--format", "geojson"][..],
        &["bbox", "68,36.5,72,38.5", "--format", "geojson"],
        &[
            "near",
            "--queries",
            "queries.csv",
            "--nearest",
            "3",
            "--format",
            "csv",
        ],
        // The mentions print as the drafts do, but for CSV, which has its own writer.
        &["extract", "--toponyms", "--format", "csv", article],
        &["incidents", "summary"],
        &["incidents", "summary", "--by", "type"],
        &["incidents", "check", "bad.csv"],
        &["incidents", "check", "--json", "bad.csv"],
    ] {
        assert_quiet_when_closed_at_once(&wd, args, b"");
    }
}
