//! The `geocode` and `where` subcommands, run as a user runs them.

mod common;

use common::Workdir;
use serde_json::Value;

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn done_means_command_prints_places_of_both_countries() {
    let wd = Workdir::new();
    let run = wd.output(&[
        "geocode",
        "--format",
        "json",
        "Qala-i-Zal",
        "Maimai",
        "Vanj",
        "Darvaz",
        "Qala-e-Zal district",
        "Moymay",
        "Jurm",
        "Kevron",
    ]);
    let lines = json_lines(&run.stdout);
    assert_eq!(lines.len(), 8);
    let top = |i: usize| &lines[i]["candidates"][0];
    assert_eq!(top(0)["id"], "af.dist.qala-i-zal");
    assert_eq!(top(0)["precision"], 2);
    assert_eq!(top(1)["admin2"], "Maimay");
    assert_eq!(top(2)["country"], "TJ");
    assert_eq!(lines[3]["status"], "ambiguous");
    assert_eq!(top(4)["id"], "af.dist.qala-i-zal");
    assert_eq!(top(4)["match"], "alias");
    assert_eq!(top(5)["admin2"], "Maimay");
    assert_eq!(top(6)["admin2"], "Jurm");
    assert_eq!(top(7)["id"], "tj.pl.kevron");
    for line in &lines {
        let c = &line["candidates"][0];
        let score = c["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        assert!(c["lat"].as_f64().unwrap() > 36.0 && c["lon"].as_f64().unwrap() > 68.0);
    }
}

#[test]
fn stdin_reads_one_name_per_line_and_skips_blank_lines() {
    let wd = Workdir::new();
    let run = wd.run_with_stdin(
        &["geocode", "--format", "json"],
        b"Vanj\r\n\nKevron, Darvaz\n",
    );
    run.assert_exit(0);
    let lines = json_lines(&run.stdout);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["query"], "Kevron, Darvaz");
    let dash = wd.run_with_stdin(&["geocode", "-", "--format", "json"], b"Vanj\n");
    assert_eq!(json_lines(&dash.stdout).len(), 1);
}

#[test]
fn unresolved_names_exit_1_like_grep() {
    let wd = Workdir::new();
    let run = wd.run(&["geocode", "Vanj", "Xqzwvk"]);
    run.assert_exit(1);
    assert!(run.stdout.contains("unresolved"));
}

#[test]
fn bad_input_lines_are_named_and_exit_2() {
    let wd = Workdir::new();
    let mut input = b"Vanj\n\xff\xfeDarvoz\n   \n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 5000));
    input.extend(b"\nJurm\n");
    let run = wd.run_with_stdin(&["geocode", "--format", "json"], &input);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("stdin:2: name: invalid UTF-8"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("stdin:3: name: empty name"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("stdin:4: name: longer than 1000 characters"),
        "{}",
        run.stderr
    );
    let lines = json_lines(&run.stdout);
    assert_eq!(lines.len(), 5, "every input line gets an answer");
    assert_eq!(lines[4]["candidates"][0]["admin2"], "Jurm");
}

#[test]
fn empty_argument_is_reported() {
    let wd = Workdir::new();
    let run = wd.run(&["geocode", "Vanj", ""]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("argument 2: name: empty name"),
        "{}",
        run.stderr
    );
}

#[test]
fn csv_output_has_one_row_per_candidate() {
    let wd = Workdir::new();
    let run = wd.run(&[
        "geocode", "--format", "csv", "--limit", "2", "Fayzabad", "Xqzwvk",
    ]);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][1], "ambiguous");
    assert_eq!(&rows[2][1], "unresolved");
}

#[test]
fn context_flags_reorder_and_say_so() {
    let wd = Workdir::new();
    let run = wd.run(&[
        "geocode",
        "--format",
        "json",
        "--country",
        "TJ",
        "Ishkashim",
    ]);
    let line = &json_lines(&run.stdout)[0];
    assert_eq!(line["status"], "resolved");
    assert_eq!(line["candidates"][0]["country"], "TJ");
    assert_eq!(line["candidates"][0]["context"][0], "country: TJ");
    let near = wd.run(&[
        "geocode",
        "--format",
        "json",
        "--near",
        "36.9,66.4",
        "Fayzabad",
    ]);
    assert_eq!(
        json_lines(&near.stdout)[0]["candidates"][0]["admin1"],
        "Jowzjan"
    );
}

#[test]
fn bad_coordinates_are_usage_errors() {
    let wd = Workdir::new();
    for bad in ["95,70", "37.5", "abc,def", "37.5,200", "NaN,70"] {
        let run = wd.run(&["where", bad]);
        run.assert_exit(2);
        assert!(
            run.stderr.contains("LAT,LON") || run.stderr.contains("outside"),
            "{bad}: {}",
            run.stderr
        );
    }
    let run = wd.run(&["geocode", "--near", "91,70", "Vanj"]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("latitude 91 is outside -90..90"),
        "{}",
        run.stderr
    );
}

#[test]
fn where_reports_district_border_distance_and_side() {
    let wd = Workdir::new();
    let run = wd.output(&[
        "where",
        "--format",
        "json",
        "38.45373,70.78902",
        "36.88,68.37",
    ]);
    let lines = json_lines(&run.stdout);
    assert_eq!(lines[0]["side"], "TJ");
    assert_eq!(lines[0]["admin2"], "Darvoz");
    assert_eq!(lines[0]["nearest"][0]["name"], "Qalaikhumb");
    assert!(lines[0]["border_km"].as_f64().unwrap() < 3.0);
    assert_eq!(lines[1]["side"], "AF");
    assert_eq!(lines[1]["admin1"], "Kunduz");
    assert_eq!(lines[1]["admin2"], "Qala-i-Zal");
    let table = wd.output(&["where", "-37.0,-70.0"]);
    assert!(table.stdout.contains("other side"), "{}", table.stdout);
}

#[test]
fn where_never_pairs_a_country_with_another_countrys_district() {
    // Panji Poyon, on the Tajik bank of the Panj: Natural Earth's 10m outline runs north of
    // it, the OpenStreetMap district layer puts it in Dusti (Khatlon).
    let wd = Workdir::new();
    let run = wd.output(&["where", "--format", "json", "37.19443,68.57721"]);
    let answer = &json_lines(&run.stdout)[0];
    let country = answer["country"].as_str().unwrap_or_default();
    let district_country = match answer["district_id"].as_str() {
        Some(id) => id[..2].to_uppercase(),
        None => country.to_string(),
    };
    assert_eq!(district_country, country, "{answer}");
    if country == "AF" {
        let conflict = answer["conflict"].as_str().unwrap_or_default();
        assert!(conflict.contains("Dusti"), "{answer}");
        let table = wd.output(&["where", "37.19443,68.57721"]);
        assert!(table.stdout.contains("layers disagree"), "{}", table.stdout);
    }
}

#[test]
fn custom_gazetteer_is_used_and_its_errors_name_line_and_field() {
    let wd = Workdir::new();
    wd.create(
        "g.csv",
        "id,name,kind,country,admin1,admin2,lat,lon,alt_names,population,precision\n\
         x.pl.a,Alpha,village,TJ,,,38.0,70.0,Alfa,,1\n",
    );
    let run = wd.output(&[
        "geocode",
        "--gazetteer",
        "g.csv",
        "--format",
        "json",
        "Alfa",
    ]);
    assert_eq!(json_lines(&run.stdout)[0]["candidates"][0]["id"], "x.pl.a");
    wd.create(
        "bad.csv",
        "id,name,kind,country,admin1,admin2,lat,lon,alt_names,population,precision\n\
         x.pl.a,Alpha,village,TJ,,,38.0,70.0,,,7\n",
    );
    let run = wd.run(&["geocode", "--gazetteer", "bad.csv", "Alpha"]);
    run.assert_exit(2);
    assert!(
        run.stderr
            .contains("bad.csv:2: precision: expected 1, 2 or 3, got \"7\""),
        "{}",
        run.stderr
    );
    let missing = wd.run(&["geocode", "--gazetteer", "nope.csv", "Alpha"]);
    missing.assert_exit(2);
    assert!(missing.stderr.contains("nope.csv"), "{}", missing.stderr);
}

#[test]
fn table_output_strips_control_characters() {
    let wd = Workdir::new();
    let run = wd.run(&["geocode", "Vanj\u{1b}[2J\u{202e}"]);
    assert!(!run.stdout.contains('\u{1b}'));
    assert!(!run.stdout.contains('\u{202e}'));
}

#[test]
fn unknown_flags_and_missing_arguments_exit_2() {
    let wd = Workdir::new();
    wd.run(&["geocode", "--frobnicate"]).assert_exit(2);
    wd.run(&["where"]).assert_exit(2);
    wd.run(&["--help"]).assert_exit(0);
}
