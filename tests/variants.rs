//! Spelling variants from the corpus, the issue and public references (tests/fixtures/variants.csv):
//! each must resolve to the right place (the expected id, or a place within 10 km of it), or,
//! where the name really is shared, be flagged ambiguous with the expected place among the
//! candidates.

use borderwatch::gazetteer::Gazetteer;
use borderwatch::geocode::{Geocoder, Options, Status};
use borderwatch::spatial::geodesic_km;
use geo::Point;

#[test]
fn spelling_variants_resolve_to_the_right_place() {
    let gazetteer = Gazetteer::bundled();
    let geocoder = Geocoder::bundled();
    let mut reader = csv::Reader::from_path("tests/fixtures/variants.csv").unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let (query, expected_id, expected_status) = (&row[0], &row[1], &row[2]);
        count += 1;
        let expected = gazetteer
            .get(expected_id)
            .unwrap_or_else(|| panic!("{query}: no place {expected_id} in the gazetteer"));
        let outcome = geocoder.geocode(
            query,
            &Options {
                limit: 10,
                ..Options::default()
            },
        );
        let ok = match expected_status {
            "resolved" => {
                outcome.status == Status::Resolved && {
                    let top = &outcome.candidates[0];
                    top.id == expected_id
                        || geodesic_km(
                            Point::new(top.lon, top.lat),
                            Point::new(expected.lon, expected.lat),
                        ) <= 10.0
                }
            }
            "ambiguous" => {
                outcome.status == Status::Ambiguous
                    && outcome.candidates.iter().any(|c| c.id == expected_id)
            }
            other => panic!("bad status {other}"),
        };
        if !ok {
            let got: Vec<_> = outcome.candidates.iter().map(|c| c.id.as_str()).collect();
            failures.push(format!(
                "{query:?}: expected {expected_status} {expected_id}, got {:?} {got:?}",
                outcome.status
            ));
        }
    }
    assert!(count >= 150, "only {count} variants");
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The names the issue lists as existing on both sides (or as town and river): flagged
/// without context, settled by it.
#[test]
fn shared_names_are_flagged_then_settled_by_context() {
    let geocoder = Geocoder::bundled();
    let cases = [
        ("Fayzabad", "Fayzabad, Badakhshan", "af.pl.fayzabad"),
        // The district's seat town, as ACLED codes a district.
        ("Fayzabad", "Fayzabad, Jowzjan", "af.pl.faizabad"),
        ("Fayzobod", "Fayzobod, Tajikistan", "tj.pl.fayzobod"),
        ("Ishkashim", "Ishkashim, Badakhshan", "af.pl.ashkasham"),
        ("Ishkashim", "Ishkashim, GBAO", "tj.pl.ishqoshim"),
        ("Darwaz", "Darwaz, Badakhshan", "af.dist.nusay"),
        ("Darwaz", "Darwaz, Gorno-Badakhshan", "tj.dist.darvoz"),
        ("Darvoz", "Darvoz district, Tajikistan", "tj.dist.darvoz"),
        ("Shughnan", "Shughnan, Tajikistan", "tj.dist.shughnon"),
    ];
    for (bare, with_context, expected) in cases {
        let plain = geocoder.geocode(bare, &Options::default());
        assert_eq!(
            plain.status,
            Status::Ambiguous,
            "{bare}: {:?}",
            plain.candidates
        );
        assert!(
            plain
                .note
                .as_deref()
                .unwrap_or("")
                .contains("match equally well")
        );
        let settled = geocoder.geocode(with_context, &Options::default());
        assert_eq!(
            settled.status,
            Status::Resolved,
            "{with_context}: {:?}",
            settled.note
        );
        assert_eq!(settled.candidates[0].id, expected, "{with_context}");
        assert!(
            !settled.candidates[0].context.is_empty(),
            "{with_context}: context not recorded"
        );
    }
}

/// A town and the river (or post) named after it are no ambiguity for a bare name: in news
/// usage "in Kunduz" is the city. The answer says what it was preferred to, and a kind word
/// still picks the river or the district.
#[test]
fn a_bare_name_is_the_town_and_a_kind_word_picks_the_rest() {
    let geocoder = Geocoder::bundled();
    for (bare, town, river) in [
        ("Panj", "tj.pl.panj", "Panj River"),
        ("Kunduz", "af.pl.kunduz", "Kunduz River"),
    ] {
        let plain = geocoder.geocode(bare, &Options::default());
        assert_eq!(plain.status, Status::Resolved, "{bare}: {:?}", plain.note);
        assert_eq!(plain.candidates[0].id, town);
        let note = plain.note.as_deref().unwrap_or("");
        assert!(
            note.contains("news usage") && note.contains(river),
            "{bare}: {note}"
        );
    }
    for (query, expected) in [
        ("Panj River", "af.river.panj-river"),
        ("Panj district", "tj.dist.panj"),
        ("Panj town, Panj district", "tj.pl.panj"),
        ("Kunduz city", "af.pl.kunduz"),
        ("Kunduz province", "af.prov.kunduz"),
        ("Kunduz River", "af.river.kunduz-river"),
    ] {
        let outcome = geocoder.geocode(query, &Options::default());
        assert_eq!(
            outcome.status,
            Status::Resolved,
            "{query}: {:?}",
            outcome.note
        );
        assert_eq!(outcome.candidates[0].id, expected, "{query}");
    }
}

#[test]
fn options_settle_shared_names() {
    let geocoder = Geocoder::bundled();
    let by_country = geocoder.geocode(
        "Ishkashim",
        &Options {
            country: Some("AF".into()),
            ..Options::default()
        },
    );
    assert_eq!(by_country.status, Status::Resolved);
    assert_eq!(by_country.candidates[0].country, "AF");
    let by_admin1 = geocoder.geocode(
        "Fayzabad",
        &Options {
            admin1: Some("Jowzjan".into()),
            ..Options::default()
        },
    );
    assert_eq!(by_admin1.status, Status::Resolved);
    assert_eq!(by_admin1.candidates[0].admin1, "Jowzjan");
    let near = geocoder.geocode(
        "Fayzabad",
        &Options {
            near: Some(Point::new(69.3, 38.5)),
            ..Options::default()
        },
    );
    assert_eq!(near.candidates[0].id, "tj.pl.fayzobod");
}

/// Every border-region name in the corpus resolves (corpus README), with context where the
/// article gives it.
#[test]
fn corpus_names_resolve() {
    let geocoder = Geocoder::bundled();
    for name in [
        "Qala-i-Zal",
        "Qala-e-Zal",
        "Kunduz province",
        "Imam Sahib",
        "Dasht-i-Archi",
        "Amu Darya",
        "Panj River",
        "Badakhshan",
        "Maimai",
        "Moymay",
        "Upper Darwaz",
        "Jirm",
        "Jurm",
        "Warduj",
        "Nusai",
        "Nusay",
        "Registon",
        "Kevron",
        "Dashti Yazgulyam",
        "Vanj",
        "Gorno-Badakhshan Autonomous Region",
        "Dushanbe",
        "Tajikistan",
        "Afghanistan",
    ] {
        let outcome = geocoder.geocode(name, &Options::default());
        assert_eq!(
            outcome.status,
            Status::Resolved,
            "{name}: {:?}",
            outcome.note
        );
    }
}

/// Who's On First gives some districts the names of a neighbour (Warduj and Shahada carry
/// Baharak's in eleven languages, Khash carries Jurm): the build drops them, so that
/// "Baharak" is never answered with Warduj.
#[test]
fn no_district_carries_the_own_name_of_another_of_its_province() {
    use borderwatch::gazetteer::{Gazetteer, Kind};
    use borderwatch::geocode::fold::{fold, skeleton};
    let gazetteer = Gazetteer::bundled();
    let districts: Vec<_> = gazetteer
        .places()
        .iter()
        .filter(|p| p.kind == Kind::District)
        .collect();
    let own = |p: &borderwatch::gazetteer::Place| skeleton(&fold(&p.name));
    for p in &districts {
        for other in districts
            .iter()
            .filter(|o| o.country == p.country && o.admin1 == p.admin1 && o.id != p.id)
        {
            if own(other) == own(p) {
                continue;
            }
            for alt in &p.alt_names {
                assert_ne!(
                    skeleton(&fold(alt)),
                    own(other),
                    "{} carries {alt}, the name of {}",
                    p.id,
                    other.id
                );
            }
        }
    }
    let baharak = Geocoder::bundled().geocode("Ноҳияи Баҳорак, Badakhshan", &Options::default());
    assert_eq!(baharak.status, Status::Resolved, "{:?}", baharak.note);
    assert_eq!(baharak.candidates[0].admin2, "Baharak");
}
