//! Article extraction on the real binary: the five corpus articles (expected incidents and
//! place resolutions from shared/corpus/README.md) and small synthetic texts, one per rule.

mod common;

use common::Workdir;
use serde_json::Value;

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn corpus(name: &str) -> String {
    format!(
        "{}/tests/fixtures/corpus/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn drafts(args: &[&str]) -> Vec<Value> {
    let wd = Workdir::new();
    let mut all = vec!["extract", "--format", "json"];
    all.extend_from_slice(args);
    let run = wd.run(&all);
    run.assert_exit_in(&[0, 1]);
    json_lines(&run.stdout)
}

#[test]
fn article_01_crossing_likely_in_qala_i_zal_without_a_date() {
    let d = drafts(&[&corpus("01_iju_amu_darya_crossing_kunduz.txt")]);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0]["admin2"], "Qala-i-Zal");
    assert_eq!(d[0]["admin1"], "Kunduz");
    assert_eq!(d[0]["event_date"], Value::Null);
    assert_eq!(d[0]["geo_precision"], 2);
    assert_eq!(d[0]["actor1"], "Islamic Jihad Union");
    assert!(
        d[0]["date_basis"]
            .as_str()
            .unwrap()
            .contains("no date in the text")
    );
}

#[test]
fn article_02_raid_in_northern_afghanistan_at_region_precision() {
    let d = drafts(&[&corpus("02_iju_taliban_joint_raid.txt")]);
    let raid = d
        .iter()
        .find(|x| x["event_date"] == "2017-10-01")
        .expect("the Oct. 2017 raid");
    assert_eq!(raid["time_precision"], 3);
    assert_eq!(raid["geo_precision"], 3);
    assert_eq!(raid["location"], "northern Afghanistan");
    assert_eq!(raid["latitude"], Value::Null, "no invented coordinates");
    assert_eq!(raid["event_type"], "Battles");
}

#[test]
fn article_03_maimai_and_jirm_on_19_november_2020() {
    let d = drafts(&[&corpus("03_tajik_taliban_maimai_badakhshan.txt")]);
    let maimai = d.iter().find(|x| x["admin2"] == "Maimay").expect("Maimai");
    assert_eq!(maimai["event_date"], "2020-11-19");
    assert!(
        maimai["date_basis"]
            .as_str()
            .unwrap()
            .contains("2021-01-16")
    );
    let jirm = d.iter().find(|x| x["admin2"] == "Jurm").expect("Jirm");
    assert_eq!(
        jirm["event_date"], "2020-11-19",
        "the report's date (21 Nov) is not the event's"
    );
    assert_eq!(jirm["fatalities"], Value::Null);
    assert!(
        jirm["notes"]
            .as_str()
            .unwrap()
            .contains("killed and wounded are not counted apart")
    );
    assert_eq!(jirm["actor1"], "Taliban");
    assert!(
        d.iter().all(|x| x["event_date"] != "2020-11-21"),
        "the day the Taliban confirmed the attack is not an event: {d:#?}"
    );
}

#[test]
fn article_04_border_post_flagged_as_dateline_based() {
    let d = drafts(&[&corpus("04_isis_attack_tajik_uzbek_border_post.txt")]);
    assert_eq!(d.len(), 2, "{d:#?}");
    // The 2018 attack on cyclists is told as background: a draft of its own, in passing.
    let cyclists = &d[1];
    assert_eq!(cyclists["event_date"], "2018-07-01");
    assert_eq!(cyclists["time_precision"], 3);
    assert!(
        cyclists["notes"]
            .as_str()
            .unwrap()
            .contains("reported in passing"),
        "{cyclists}"
    );
    let post = &d[0];
    assert_eq!(post["fatalities"], 17);
    assert_eq!(post["event_date"], "2024-11-27");
    assert!(
        post["date_basis"]
            .as_str()
            .unwrap()
            .contains("re-publication"),
        "{}",
        post["date_basis"]
    );
    assert!(post["confidence"].as_f64().unwrap() < 0.7);
    assert_eq!(post["geo_precision"], 2);
    let (lat, lon) = (
        post["latitude"].as_f64().unwrap(),
        post["longitude"].as_f64().unwrap(),
    );
    assert!(
        (lat - 38.021).abs() < 0.01 && (lon - 68.131).abs() < 0.01,
        "{lat}, {lon}"
    );
    assert_eq!(post["actor1"], "Islamic State");
}

#[test]
fn article_05_kevron_and_dashti_yazgulyam_with_a_publication_date() {
    let d = drafts(&[
        "--published",
        "2023-09-05",
        &corpus("05_tajikistan_border_darvaz_vanj.txt"),
    ]);
    assert_eq!(d.len(), 2, "{d:#?}");
    let kevron = d.iter().find(|x| x["location"] == "Kevron").unwrap();
    assert_eq!(kevron["event_date"], "2023-08-30");
    assert_eq!(kevron["fatalities"], 3);
    assert_eq!(kevron["admin2"], "Darvoz");
    assert_eq!(kevron["event_type"], "Battles");
    let vanj = d
        .iter()
        .find(|x| x["location"] == "Dashti Yazgulyam")
        .unwrap();
    assert_eq!(vanj["event_date"], "2023-04-26");
    assert_eq!(vanj["fatalities"], 2);
    // Without a publication date, "August 30" has no year: the date stays unknown.
    let undated = drafts(&[&corpus("05_tajikistan_border_darvaz_vanj.txt")]);
    assert!(undated.iter().all(|x| x["event_date"].is_null()));
}

#[test]
fn evidence_offsets_point_at_the_sentences() {
    let path = corpus("03_tajik_taliban_maimai_badakhshan.txt");
    let text: Vec<char> = std::fs::read_to_string(&path).unwrap().chars().collect();
    for d in drafts(&[&path]) {
        let slice = |a: &str, b: &str| -> String {
            text[a.parse::<usize>().unwrap()..b.parse::<usize>().unwrap()]
                .iter()
                .collect()
        };
        let spans: Vec<String> = d["evidence_spans"]
            .as_str()
            .unwrap()
            .split(';')
            .map(|s| {
                let (a, b) = s.split_once('-').unwrap();
                slice(a, b)
            })
            .collect();
        assert_eq!(spans.join(" | "), d["evidence"].as_str().unwrap());
        assert_eq!(
            slice(
                &d["evidence_start"].to_string(),
                &d["evidence_end"].to_string()
            ),
            spans[0]
        );
    }
}

#[test]
fn every_border_region_name_of_the_corpus_resolves() {
    let wd = Workdir::new();
    let files: Vec<String> = std::fs::read_dir(format!(
        "{}/tests/fixtures/corpus",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .flatten()
    .map(|e| e.path().display().to_string())
    .filter(|p| p.ends_with(".txt"))
    .collect();
    let mut args = vec!["extract", "--toponyms", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let mentions = json_lines(&wd.run(&args).stdout);
    let expected = [
        ("Qala-i-Zal", "af.dist.qala-i-zal"),
        ("Qala-e-Zal", "af.dist.qala-i-zal"),
        // "the Kunduz districts of Imam Sahib and Dasht-i-Archi": both are districts.
        ("Imam Sahib", "af.dist.imam-sahib"),
        ("Dasht-i-Archi", "af.dist.dasht-e-archi"),
        ("Upper Darwaz", "af.dist.maimay"),
        // "Moymay, Nusay and Registon districts": the kind word covers the whole list.
        ("Moymay", "af.dist.maimay"),
        ("Nusay", "af.dist.nusay"),
        ("Registon", "af.dist.raghistan"),
        ("Warduj", "af.dist.warduj"),
        ("Jirm", "af.dist.jurm"),
        ("Darvaz", "tj.dist.darvoz"),
        ("Kevron", "tj.pl.kevron"),
        ("Dashti Yazgulyam", "tj.area.dashti-yazgulyam"),
        ("Vanj district", "tj.dist.vanj"),
        ("Amu Darya", "af.river.amu-darya"),
        ("Panj River", "af.river.panj-river"),
        (
            "Gorno-Badakhshan Autonomous Region",
            "tj.prov.gorno-badakhshan",
        ),
    ];
    for (mention, id) in expected {
        let found: Vec<&Value> = mentions
            .iter()
            .filter(|m| m["mention"] == mention)
            .collect();
        assert!(!found.is_empty(), "{mention} not found");
        for m in found {
            assert_eq!(m["id"], id, "{mention}: {m}");
        }
    }
    // Maimai (the town of the district) and Jurm (town and district) are one place each.
    for m in mentions
        .iter()
        .filter(|m| m["mention"] == "Maimai" || m["mention"] == "Jurm")
    {
        assert_eq!(m["status"], "resolved", "{m}");
        assert_eq!(m["admin1"], "Badakhshan");
    }
}

#[test]
fn synthetic_rules() {
    let wd = Workdir::new();
    let run_text = |text: &str, args: &[&str]| {
        let mut all = vec!["extract", "--format", "json"];
        all.extend_from_slice(args);
        all.push("-");
        json_lines(&wd.run_with_stdin(&all, text.as_bytes()).stdout)
    };
    // Relative location: a point 20 km north of Khorugh, precision 2.
    let d = run_text(
        "On 3 March 2022, two smugglers were killed in a clash 20 km north of Khorugh.",
        &[],
    );
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["geo_precision"], 2);
    assert!((d[0]["latitude"].as_f64().unwrap() - (37.49039 + 20.0 / 111.0)).abs() < 0.01);
    assert_eq!(d[0]["fatalities"], 2);
    // Word numbers and a stated date.
    let d = run_text(
        "On 5 May 2021, Three militants were killed in a shootout in Vanj district.",
        &[],
    );
    assert_eq!(d[0]["fatalities"], 3);
    assert_eq!(d[0]["event_date"], "2021-05-05");
    // A relative date needs an anchor; --published gives it.
    let text = "Border guards clashed with smugglers in Shamsiddin Shohin district on Wednesday.";
    assert!(run_text(text, &[])[0]["event_date"].is_null());
    let d = run_text(text, &["--published", "2024-11-28"]);
    assert_eq!(d[0]["event_date"], "2024-11-27");
    assert!(d[0]["date_basis"].as_str().unwrap().contains("--published"));
    // A year alone is read, noted and never made into a date.
    let d = run_text(
        "In 2015, Taliban fighters attacked a border post in Khamyab district, killing four guards.",
        &[],
    );
    assert!(d[0]["event_date"].is_null(), "{}", d[0]);
    assert!(
        d[0]["date_basis"]
            .as_str()
            .unwrap()
            .starts_with("year 2015 only")
    );
    assert!(d[0]["notes"].to_string().contains("only the year 2015"));
    let d = run_text(
        "Last year, Taliban fighters attacked a border post in Khamyab district.",
        &["--published", "2023-09-05"],
    );
    assert!(d[0]["event_date"].is_null());
    assert!(
        d[0]["date_basis"]
            .as_str()
            .unwrap()
            .starts_with("year 2022 only"),
        "{}",
        d[0]
    );
    // Organisation names are not places, demonyms are not places.
    let wd2 = Workdir::new();
    let mentions = json_lines(
        &wd2.run_with_stdin(
            &["extract", "--toponyms", "--format", "json", "-"],
            "The Islamic Movement of Uzbekistan told Afghanistan International that Afghan and Tajik fighters met in Jurm.".as_bytes(),
        )
        .stdout,
    );
    let names: Vec<&str> = mentions
        .iter()
        .map(|m| m["mention"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Jurm"]);
    // No event, no draft: exit 1 like grep.
    let quiet = wd.run_with_stdin(
        &["extract", "-"],
        b"Tajikistan supports peace and stability in the region.",
    );
    quiet.assert_exit(1);
    // Binary input is refused with a clear message.
    let binary = wd.run_with_stdin(&["extract", "-"], b"\x00\x01\x02");
    binary.assert_exit(2);
    assert!(
        binary.stderr.contains("stdin: binary data"),
        "{}",
        binary.stderr
    );
}

#[test]
fn csv_drafts_append_to_an_incident_table() {
    let wd = Workdir::new();
    let run = wd.run(&[
        "extract",
        "--format",
        "csv",
        "--published",
        "2023-09-05",
        &corpus("05_tajikistan_border_darvaz_vanj.txt"),
    ]);
    wd.create("drafts.csv", &run.stdout);
    let check = wd.run(&["incidents", "check", "drafts.csv"]);
    assert!(
        check
            .stdout
            .starts_with("2 read = 2 indexed + 0 unlocated + 0 rejected"),
        "{}",
        check.stdout
    );
    let near = wd.run(&[
        "near",
        "--incidents",
        "drafts.csv",
        "Kevron",
        "--km",
        "5",
        "--format",
        "json",
    ]);
    assert_eq!(
        json_lines(&near.stdout)[0]["evidence_start"],
        json_lines(&near.stdout)[0]["evidence_start"]
    );
    assert!(
        near.stdout.contains("\"date_basis\""),
        "extra columns are kept"
    );
}

#[test]
fn second_generation_rules() {
    let wd = Workdir::new();
    let run_text = |text: &str, args: &[&str]| {
        let mut all = vec!["extract", "--format", "json"];
        all.extend_from_slice(args);
        all.push("-");
        json_lines(&wd.run_with_stdin(&all, text.as_bytes()).stdout)
    };
    // One draft per event: the attack, its toll and the claim are one draft, with every
    // sentence as evidence; the toll is per side and never counted twice.
    let d = run_text(
        "Taliban fighters attacked a border post in Khamyab district on Sunday. \
         Five soldiers were killed in the attack. The five soldiers were buried on Monday. \
         At least two Taliban fighters were killed, officials said.",
        &["--published", "2024-03-12"],
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0]["event_date"], "2024-03-10");
    assert_eq!(d[0]["fatalities"], 7, "{}", d[0]);
    assert!(d[0]["evidence_spans"].as_str().unwrap().contains(';'));
    // "said on Monday" is the report's date; it stands in only when no other is given.
    let d = run_text(
        "Officials said on Monday that two smugglers were killed in a clash in Vanj district.",
        &["--published", "2024-03-13"],
    );
    assert_eq!(d[0]["event_date"], "2024-03-11");
    assert!(
        d[0]["notes"]
            .as_str()
            .unwrap()
            .contains("the day it was reported")
    );
    // Yesterday, the night before, last week (precision 2).
    let d = run_text(
        "Border guards clashed with smugglers in Vanj district yesterday.",
        &["--published", "2024-03-13"],
    );
    assert_eq!(d[0]["event_date"], "2024-03-12");
    let d = run_text(
        "Border guards clashed with smugglers overnight into Tuesday in Vanj district.",
        &["--published", "2024-03-13"],
    );
    assert_eq!(d[0]["event_date"], "2024-03-11");
    let d = run_text(
        "Border guards clashed with smugglers in Vanj district at the end of last week.",
        &["--published", "2024-03-13"],
    );
    assert_eq!(
        (d[0]["event_date"].clone(), d[0]["time_precision"].clone()),
        ("2024-03-08".into(), 2.into())
    );
    // A place the gazetteer lacks but the text marks is kept and placed at its district.
    let d = run_text(
        "On 3 March 2024 guards clashed with smugglers near the village of Voznavqal in Vanj district.",
        &[],
    );
    assert_eq!(d[0]["location"], "Voznavqal");
    assert_eq!(d[0]["admin2"], "Vanj");
    assert_eq!(d[0]["geo_precision"], 2);
    assert!(
        d[0]["notes"]
            .as_str()
            .unwrap()
            .contains("not in the gazetteer")
    );
    // Not the dateline's city, nor where the attackers came from.
    let d = run_text(
        "DUSHANBE, March 4, 2024, Asia-Plus - Militants from Afghanistan's Badakhshan attacked a post in Vanj district on Sunday.",
        &[],
    );
    assert_eq!(d[0]["admin2"], "Vanj", "{}", d[0]);
    assert_eq!(d[0]["event_date"], "2024-03-03");
    // Possessives are mentions; demonyms are not.
    let wd2 = Workdir::new();
    let mentions = json_lines(
        &wd2.run_with_stdin(
            &["extract", "--toponyms", "--format", "json", "-"],
            "Afghanistan's Tajik and Afghan guards met in Tajikistan's Vanj district.".as_bytes(),
        )
        .stdout,
    );
    let names: Vec<&str> = mentions
        .iter()
        .map(|m| m["mention"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Afghanistan", "Tajikistan", "Vanj district"]);
    // An ordinary word that is a village name is a place only with a cue.
    let mentions = json_lines(
        &wd2.run_with_stdin(
            &["extract", "--toponyms", "--format", "json", "-"],
            "Victory was declared in Vanj district.".as_bytes(),
        )
        .stdout,
    );
    assert!(mentions.iter().all(|m| m["mention"] != "Victory"));
}

#[test]
fn several_reports_of_one_event_merge() {
    let wd = Workdir::new();
    let a = wd.create(
        "a.txt",
        "On 3 May 2021 two smugglers were killed in a clash with Tajik border guards in Vanj district.",
    );
    let b = wd.create(
        "b.txt",
        "On 4 May 2021 three smugglers died in a shootout with Tajik border guards in Vanj district.",
    );
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let run = wd.run(&["extract", "--format", "json", &a, &b]);
    let d = json_lines(&run.stdout);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0]["source"], format!("{a}; {b}"));
    assert_eq!(d[0]["fatalities"], 2, "the lower figure");
    let notes = d[0]["notes"].as_str().unwrap();
    assert!(
        notes.contains("date conflict") && notes.contains("fatalities conflict"),
        "{notes}"
    );
    let apart = json_lines(
        &wd.run(&["extract", "--format", "json", "--no-merge", &a, &b])
            .stdout,
    );
    assert_eq!(apart.len(), 2);
    // A folder reads its .txt files.
    let folder = json_lines(
        &wd.run(&[
            "extract",
            "--format",
            "json",
            &wd.path("").display().to_string(),
        ])
        .stdout,
    );
    assert_eq!(folder.len(), 1);
}

/// An article as e-mail and wire copies come: a headline, a dateline, hard-wrapped lines.
const WRAPPED: &str = "Guards clash with smugglers on the Panj\n\n\
DUSHANBE, May 3, 2023 (Asia-Plus) - Border guards exchanged fire with smugglers near the Panj\n\
River on Sunday, officials in Dushanbe said, adding that two of\n\
the men were killed near Shamsiddin Shohin district. The others fled\n\
back across the river into Afghanistan.\n";

#[test]
fn a_hard_wrapped_article_reads_as_its_sentences() {
    let wd = Workdir::new();
    let mentions = json_lines(
        &wd.run_with_stdin(
            &["extract", "--toponyms", "--format", "json", "-"],
            WRAPPED.as_bytes(),
        )
        .stdout,
    );
    let place = |mention: &str| {
        mentions
            .iter()
            .find(|m| m["mention"] == mention)
            .unwrap_or_else(|| panic!("no {mention:?} in {mentions:?}"))["id"]
            .clone()
    };
    // The headline's "on the Panj" and the wrapped "Panj / River" are the river.
    assert_eq!(place("Panj"), "af.river.panj-river");
    assert_eq!(place("Panj\nRiver"), "af.river.panj-river");
    // The table shows a wrapped name on one line.
    let table = wd.run_with_stdin(&["extract", "--toponyms", "-"], WRAPPED.as_bytes());
    assert!(table.stdout.contains("\nPanj River  "), "{}", table.stdout);
    // The draft's evidence is the whole wrapped sentence, date and toll included.
    let drafts = json_lines(
        &wd.run_with_stdin(&["extract", "--format", "json", "-"], WRAPPED.as_bytes())
            .stdout,
    );
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert_eq!(drafts[0]["event_date"], "2023-04-30", "{}", drafts[0]);
    assert_eq!(drafts[0]["fatalities"], 2, "{}", drafts[0]);
}

/// A page saved with its metadata lines, as `# key: value` headers: the headers are not
/// article text (the URL's "killed-in-skirmish" is no evidence), and `# published:` dates it.
const SAVED_PAGE: &str = "# source: http://example.org/news/trafficker-killed-in-skirmish\n\
# published: 2016-08-08\n\
\n\
Drug trafficker killed in skirmish on the Tajik-Afghan border\n\
\n\
Tajik border guards clashed with armed drug traffickers in Hamadoni district on Sunday.\n\
\n\
One of the trespassers, an Afghan national named in the report, was reportedly killed.\n";

#[test]
fn a_saved_page_is_dated_by_its_published_line_and_its_headers_are_no_evidence() {
    let wd = Workdir::new();
    let run = wd.run_with_stdin(&["extract", "--format", "json", "-"], SAVED_PAGE.as_bytes());
    run.assert_exit(0);
    let drafts = json_lines(&run.stdout);
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    let draft = &drafts[0];
    // "on Sunday" against Monday 2016-08-08.
    assert_eq!(draft["event_date"], "2016-08-07", "{draft}");
    assert_eq!(draft["admin2"], "Hamadoni", "{draft}");
    assert_eq!(draft["fatalities"], 1, "{draft}");
    let evidence = draft["evidence"].as_str().unwrap();
    assert!(!evidence.contains("# source"), "{evidence}");
}

#[test]
fn an_article_without_a_draft_says_why() {
    let wd = Workdir::new();
    let run = wd.run_with_stdin(
        &["extract", "-"],
        b"Kunduz is a city of northern Afghanistan. Its market is known for melons.\n",
    );
    run.assert_exit(1);
    assert!(
        run.stderr.contains("stdin: no draft:")
            && run.stderr.contains("no sentence reports an incident"),
        "{}",
        run.stderr
    );
    let nothing = wd.run_with_stdin(&["extract", "-"], b"The weather was fine all week.\n");
    nothing.assert_exit(1);
    assert!(
        nothing
            .stderr
            .contains("names no place the gazetteer knows"),
        "{}",
        nothing.stderr
    );
}

#[test]
fn a_page_dated_only_to_its_month_gives_partial_dates_their_year_and_nothing_else() {
    let wd = Workdir::new();
    let draft = |text: &str| {
        let run = wd.run_with_stdin(&["extract", "--format", "json", "-"], text.as_bytes());
        json_lines(&run.stdout).into_iter().next().expect("a draft")
    };
    let dated = draft(
        "# published: 2026-01 (day not stated)\n\nTajik border guards clashed with armed \
         smugglers in Hamadoni district on January 18; two smugglers were killed.\n",
    );
    assert_eq!(dated["event_date"], "2026-01-18", "{dated}");
    assert!(
        dated["date_basis"].as_str().unwrap().contains("2026-01"),
        "{dated}"
    );
    // A weekday needs the day of publication: the month alone does not say which Sunday.
    let weekday = draft(
        "# published: 2026-01\n\nTajik border guards clashed with armed smugglers in \
         Hamadoni district on Sunday; two smugglers were killed.\n",
    );
    assert!(weekday["event_date"].is_null(), "{weekday}");
}
