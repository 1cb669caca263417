//! Article extraction: from a news article to draft incidents for an analyst to review, each
//! tied to the sentence it came from.
//!
//! An event is told over several sentences (the attack, the toll, the claim, the reaction):
//! [`extract()`] groups them into one draft with all its evidence, at the most specific place
//! tied to the event and on the date a coder would read. Places are resolved in context
//! ([`toponyms`]), dates against `--published` or the article's dateline ([`dates`]); nothing
//! is invented: without an anchor a partial date stays unknown, without a place finer than a
//! region the draft has no coordinates. [`merge`] joins the drafts of several reports of one
//! event.

pub mod dates;
mod events;
pub mod facts;
pub mod merge;
mod names;
pub mod text;
pub mod toponyms;

use std::sync::OnceLock;

use chrono::NaiveDate;
use geo::Point;
use regex::Regex;
use serde::Serialize;

use crate::geocode::{Geocoder, Options as GeocodeOptions};
use crate::spatial::destination;
use dates::{dateline, page_month};
use facts::relative_location;
use text::{Sentence, sentences};
use toponyms::{Mention, toponyms_in};

/// How to read an article.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The publication date, when known: it anchors partial and relative dates.
    pub published: Option<NaiveDate>,
}

/// A draft incident: the incident schema plus its evidence.
///
/// The fields carry ACLED's names and codes, as the columns of `data/incidents.csv` do, and
/// serialise under these names; the last ones locate the evidence and rate the draft. Text
/// fields are empty, never absent, when the article does not tell them. Character offsets
/// count `char`s, not bytes, and end past the last character.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    /// The draft's id, `X-STEM-N`: the file stem of the `origin` given to [`extract`]
    /// (`stdin` when it has none) and the draft's 1-based number in the article. A merged
    /// draft keeps the id of its first report's draft.
    pub event_id_cnty: String,
    /// The event's date; None when the text gives none that can be resolved (no date, a year
    /// only, or a partial or relative date without an anchor). At `time_precision` 2 or 3 it
    /// is a day standing for the week or month (a month's is its 1st).
    pub event_date: Option<NaiveDate>,
    /// ACLED time_precision of `event_date`: 1 day, 2 week, 3 month; None exactly when
    /// `event_date` is.
    pub time_precision: Option<u8>,
    /// ACLED event type (`Battles`, `Explosions/Remote violence`, `Protests`, ...): the most
    /// severe the event's sentences suggest (see [`facts::event_type`]).
    pub event_type: String,
    /// ACLED sub-event type, the one paired with `event_type` (`Armed clash`, ...).
    pub sub_event_type: String,
    /// The first actor the event's sentences name, as `data/actors.csv` names it; failing
    /// that, the actor the article names most (at least three times), said in `notes`.
    pub actor1: String,
    /// The second actor the event's sentences name.
    pub actor2: String,
    /// The country of the place: a name (`Afghanistan`, `Tajikistan`), or for a gazetteer
    /// place in another country its ISO alpha-2 code; empty when the gazetteer does not place
    /// it (a relative location, say).
    pub country: String,
    /// The province of the place, as the gazetteer names it.
    pub admin1: String,
    /// The district of the place, as the gazetteer names it (a district's own name when the
    /// place is a district).
    pub admin2: String,
    /// The place as the text writes it: a name ("Dasht-e-Arch"), a relative location ("50
    /// miles southwest of Dushanbe") or a region ("northern Afghanistan"); empty when the
    /// text names none.
    pub location: String,
    /// WGS84 latitude of the place in degrees, rounded to 5 decimals; None when the place has
    /// no point (a region, a name the gazetteer lacks or holds in several places with no
    /// known unit named around it, or no place).
    pub latitude: Option<f64>,
    /// WGS84 longitude of the place in degrees, rounded to 5 decimals; None exactly when
    /// `latitude` is.
    pub longitude: Option<f64>,
    /// ACLED geo_precision of the point: 1 the place itself, 2 near it or its district, 3 a
    /// province or region (also when no place is named). Always set by [`extract`].
    pub geo_precision: Option<u8>,
    /// Deaths: per side the lowest figure the sentences give, summed over the sides (the
    /// split is in `notes`); None when the text gives no count.
    pub fatalities: Option<u32>,
    /// ACLED interaction code of `actor1` (1 state forces ... 8 external or other forces, see
    /// [`facts::inter_code`]); None when there is no actor1.
    pub inter1: Option<u8>,
    /// ACLED interaction code of `actor2`; None when there is no actor2.
    pub inter2: Option<u8>,
    /// What the reviewer should know, joined by "; ": first how the place was chosen, then
    /// remarks on the date, the toll (differing figures, lower bounds, by side, the injured)
    /// and the actors, and for a merged draft what the other reports said.
    pub notes: String,
    /// The `origin` given to [`extract`]; for a merged draft, every report's, joined by "; ".
    pub source: String,
    /// A link to the article: always empty in a draft, for the analyst to fill.
    pub source_url: String,
    /// The evidence sentences, joined by " | ".
    pub evidence: String,
    /// Character offset of the start of the first evidence sentence in the input.
    pub evidence_start: usize,
    /// Character offset of the end of the first evidence sentence in the input.
    pub evidence_end: usize,
    /// Character offsets of every evidence sentence, "start-end" separated by ";", with the
    /// source file when drafts of several reports were merged ("file:start-end").
    pub evidence_spans: String,
    /// What the date was resolved against.
    pub date_basis: String,
    /// 0..1: how much of the draft the text states outright.
    pub confidence: f64,
}

/// Where a draft is: a resolved place, a relative location or a region.
#[derive(Debug, Clone)]
struct Located {
    level: events::Level,
    location: String,
    country: String,
    admin1: String,
    admin2: String,
    point: Option<Point>,
    precision: u8,
    id: Option<String>,
    note: String,
}

fn country_name(code: &str) -> &str {
    match code {
        "AF" => "Afghanistan",
        "TJ" => "Tajikistan",
        other => other,
    }
}

/// "N miles south-west of PLACE" in a sentence, as a point (precision 2).
fn relative_place(s: &Sentence) -> Option<Located> {
    let r = relative_location(&s.text)?;
    let outcome = Geocoder::bundled().geocode(&r.place, &GeocodeOptions::default());
    let origin = outcome.resolved()?;
    let start = Point::new(origin.lon, origin.lat);
    let point = match r.bearing {
        Some(b) => destination(start, b, r.km),
        None => start,
    };
    let phrase: String = s.text.chars().skip(r.start).take(r.end - r.start).collect();
    Some(Located {
        level: events::Level::Relative,
        location: phrase.trim().to_string(),
        country: String::new(),
        admin1: String::new(),
        admin2: String::new(),
        point: Some(point),
        precision: if r.bearing.is_some() { 2 } else { 3 },
        id: None,
        note: format!(
            "place: {:.1} km{} from {} ({:.5}, {:.5}), geodesic; approximate",
            r.km,
            r.bearing
                .map_or(String::new(), |b| format!(" at {b:.0} degrees")),
            origin.name,
            origin.lat,
            origin.lon
        ),
    })
}

/// "northern Afghanistan", "the Tajikistan-Uzbekistan border": a region without a point.
fn region(s: &Sentence) -> Option<Located> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"\b(?:(northern|southern|eastern|western|north-eastern|northeastern|north-western|northwestern|south-eastern|southeastern|south-western|southwestern|central) (Afghanistan|Tajikistan)|(Afghanistan|Tajikistan|Uzbekistan)[-–](Afghanistan|Tajikistan|Uzbekistan) border)\b").expect("regex")
    });
    let c = re.captures(&s.text)?;
    Some(Located {
        level: events::Level::Region,
        location: c[0].to_string(),
        country: c
            .get(2)
            .or(c.get(3))
            .map_or(String::new(), |m| m.as_str().to_string()),
        admin1: String::new(),
        admin2: String::new(),
        point: None,
        precision: 3,
        id: None,
        note: "place: a region only; no coordinates".into(),
    })
}

/// "were neutralized" in a later sentence, and "two members" of the group in the event's.
fn group_patterns() -> &'static (Regex, Regex) {
    static P: OnceLock<(Regex, Regex)> = OnceLock::new();
    P.get_or_init(|| {
        (
            Regex::new(r"\b(neutrali[sz]ed|killed)\b").expect("regex"),
            Regex::new(r"(?i)\b(two|three|four|five|six|seven|eight|nine|ten|\d+) (?:members|militants|fighters|terrorists|attackers|assailants)\b").expect("regex"),
        )
    })
}

/// Drafts the incidents of one article, and lists its place mentions.
///
/// `origin` names the article (a file path, or `stdin`): it becomes each draft's `source`,
/// and its file stem their ids. The mentions are those of [`toponyms::toponyms`].
///
/// ```
/// use borderwatch::extract::{extract, Options};
/// let text = "On 30 August 2023, three militants were killed in a shootout in Kevron, Darvaz.";
/// let (drafts, _) = extract(text, "note.txt", &Options::default());
/// assert_eq!(drafts.len(), 1);
/// assert_eq!(drafts[0].fatalities, Some(3));
/// assert_eq!(drafts[0].admin1, "Gorno-Badakhshan");
/// assert_eq!(drafts[0].event_id_cnty, "X-note-1");
/// ```
///
/// # Panics
///
/// Only if the bundled gazetteer or actor table did not load (both are built in and tested).
pub fn extract(text: &str, origin: &str, options: &Options) -> (Vec<Draft>, Vec<Mention>) {
    let sentences = sentences(text);
    let mentions = toponyms_in(text, &sentences);
    let republished = [
        "Read Full Article",
        "Related Posts",
        "originally published",
        "Republished",
    ]
    .iter()
    .any(|w| text.contains(w));
    let anchor = match (options.published, dateline(text)) {
        (Some(d), _) => Some(events::Anchor {
            date: d,
            basis: format!("--published {d}"),
            republished: false,
            month_only: false,
        }),
        (None, Some(d)) if republished => Some(events::Anchor {
            date: d,
            basis: format!(
                "the page's dateline {d}, which may be a re-publication later than the event"
            ),
            republished: true,
            month_only: false,
        }),
        (None, Some(d)) => Some(events::Anchor {
            date: d,
            basis: format!("the article's dateline {d}"),
            republished: false,
            month_only: false,
        }),
        (None, None) => page_month(text).map(|end| events::Anchor {
            date: end,
            basis: format!("the page's date line, {}", end.format("%Y-%m")),
            republished: false,
            month_only: true,
        }),
    };
    let stem = std::path::Path::new(origin)
        .file_stem()
        .map_or_else(|| "stdin".to_string(), |s| s.to_string_lossy().into_owned());
    let drafts = events::drafts(&events::Article {
        sentences: &sentences,
        mentions: &mentions,
        anchor: anchor.as_ref(),
        origin,
        stem: &stem,
    });
    (drafts, mentions)
}
