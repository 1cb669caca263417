//! Property tests over arbitrary input: nothing may panic, every row is accounted for, and the
//! GeoJSON writer round-trips. 256 cases each in `cargo test`; long runs set PROPTEST_CASES:
//!
//!     PROPTEST_CASES=2000000 cargo test --release --test fuzz csv_reader -- --test-threads 1
//!
//! (about ten minutes per property on this machine kind; see the README's hardening notes).

use borderwatch::error::Error;
use borderwatch::export::{Feature, FeatureWriter, Format};
use borderwatch::extract::dates::{find_date, year_only};
use borderwatch::extract::facts::{fatalities, relative_location};
use borderwatch::extract::toponyms::toponyms;
use borderwatch::geocode::fold::fold;
use borderwatch::geocode::{Geocoder, Options};
use borderwatch::incidents::{LoadOptions, load_reader};
use chrono::NaiveDate;
use proptest::prelude::*;

/// Text that looks like what the tool reads: words, numbers, punctuation, place names,
/// Cyrillic and Persian letters, control characters and quotes.
fn texty() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[A-Za-z]{1,9}",
            "[0-9]{1,5}",
            Just("Qala-i-Zal".to_string()),
            Just("Дарвоз".to_string()),
            Just("قلعه زال".to_string()),
            Just("km north of Khorugh".to_string()),
            Just("19 November".to_string()),
            "[ ,.;:\"'\n\t\r\u{0}\u{202e}-]{1,3}",
            any::<char>().prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|parts| parts.join(" "))
}

proptest! {
    #[test]
    fn folding_never_panics_and_is_idempotent(text in texty()) {
        let once = fold(&text);
        prop_assert_eq!(fold(&once), once);
    }

    #[test]
    fn geocoding_never_panics(text in texty()) {
        let outcome = Geocoder::bundled().geocode(&text, &Options::default());
        prop_assert!(outcome.candidates.iter().all(|c| c.lat.is_finite() && c.lon.is_finite()));
    }

    #[test]
    fn dates_never_panic_and_stay_near_the_anchor(text in texty()) {
        let anchor = NaiveDate::from_ymd_opt(2023, 9, 5).unwrap();
        if let Some(found) = find_date(&text, Some(anchor), "the anchor") {
            prop_assert!((1..=3).contains(&found.precision));
            // A date read against the anchor ("19 November", "on Monday", "last month") is on
            // or before it and at most a year earlier; a stated date may be any date.
            if found.basis.contains("the anchor") {
                let before = anchor - found.date;
                prop_assert!(
                    (0..=366).contains(&before.num_days()),
                    "{} from {:?} is {} days before the anchor",
                    found.date,
                    found.basis,
                    before.num_days()
                );
            }
        }
        if let Some((year, basis)) = year_only(&text, Some((anchor, "the anchor")))
            && basis.contains("the anchor")
        {
            prop_assert!((2022..=2023).contains(&year), "{year} from {basis:?}");
        }
    }

    #[test]
    fn relative_locations_casualties_and_toponyms_never_panic(text in texty()) {
        if let Some(r) = relative_location(&text) {
            prop_assert!(r.km.is_finite() && r.km >= 0.0);
        }
        let _ = fatalities(&text);
        for m in toponyms(&text) {
            prop_assert!(m.start < m.end && m.end <= text.chars().count());
        }
    }

    #[test]
    fn csv_reader_accounts_for_every_row(
        rows in proptest::collection::vec(
            (texty(), "-?[0-9]{1,3}(\\.[0-9]{1,4})?", "-?[0-9]{1,3}(\\.[0-9]{1,4})?", "[0-9a-z-]{0,10}"),
            0..20,
        ),
        junk in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut text = String::from("event_id_cnty,event_date,latitude,longitude,location,notes\n");
        for (i, (notes, lat, lon, date)) in rows.iter().enumerate() {
            let notes = notes.replace('"', "\"\"");
            text.push_str(&format!("R{i},{date},{lat},{lon},,\"{notes}\"\n"));
        }
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(&junk);
        let lines = 1 + bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        match load_reader(bytes.as_slice(), "fuzz.csv", &LoadOptions::default()) {
            Ok(table) => {
                let c = table.counts();
                prop_assert_eq!(c.read, c.indexed + c.unlocated + c.rejected);
                prop_assert!(c.read >= rows.len().min(1) || rows.is_empty());
                if junk.is_empty() {
                    prop_assert_eq!(c.read, rows.len());
                }
            }
            // A file refused as a whole says where: problems in this file, on one of its lines.
            Err(Error::Invalid(problems)) => {
                prop_assert!(!problems.is_empty());
                for p in &problems {
                    prop_assert_eq!(p.origin.as_str(), "fuzz.csv");
                    prop_assert!((1..=lines).contains(&p.line), "{}", p);
                    prop_assert!(!p.field.is_empty() && !p.message.is_empty(), "{}", p);
                }
            }
            Err(other) => prop_assert!(false, "not an input problem: {other}"),
        }
    }

    #[test]
    fn geojson_writer_round_trips(
        points in proptest::collection::vec((-180.0f64..180.0, -90.0f64..90.0, texty(), any::<i32>(), any::<bool>()), 0..20),
    ) {
        let mut out = Vec::new();
        let mut writer = FeatureWriter::new(&mut out, Format::Geojson, 7).unwrap();
        for (lon, lat, name, n, flag) in &points {
            let mut properties = serde_json::Map::new();
            properties.insert("name".into(), name.clone().into());
            properties.insert("n".into(), (*n).into());
            properties.insert("flag".into(), (*flag).into());
            writer.write(&Feature { id: Some(name.clone()), geometry: Some(geo::Point::new(*lon, *lat).into()), properties }).unwrap();
        }
        writer.finish().unwrap();
        let parsed: geojson::FeatureCollection = std::str::from_utf8(&out).unwrap().parse().unwrap();
        prop_assert_eq!(parsed.features.len(), points.len());
        for (f, (lon, lat, name, n, flag)) in parsed.features.iter().zip(&points) {
            let p = f.properties.as_ref().unwrap();
            // Control characters are escaped, not lost: the text comes back as it went in.
            prop_assert_eq!(p["name"].as_str().unwrap(), name.as_str());
            prop_assert_eq!(p["n"].as_i64().unwrap(), i64::from(*n));
            prop_assert_eq!(p["flag"].as_bool().unwrap(), *flag);
            let geojson::GeometryValue::Point { coordinates: c } = &f.geometry.as_ref().unwrap().value else { panic!("a point") };
            prop_assert!((c[0] - lon).abs() < 1e-7 && (c[1] - lat).abs() < 1e-7);
        }
    }
}
