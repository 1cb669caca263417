//! Article extraction: from a news article to draft incidents for an analyst to review, each
//! tied to the sentence it came from.
//!
//! A sentence becomes a draft when it reports an event (its verbs and nouns give an ACLED
//! event type) and either gives a date (its own, or the next sentences' event) or names a
//! specific place (a district or finer, or "N miles south-west of X"). Places are resolved in
//! context ([`toponyms`]), dates against `--published` or the article's dateline ([`dates`]);
//! nothing is invented: without an anchor a partial date stays unknown, without a place finer
//! than a region the draft has no coordinates.

pub mod dates;
pub mod facts;
pub mod text;
pub mod toponyms;

use std::sync::OnceLock;

use chrono::NaiveDate;
use geo::Point;
use regex::Regex;
use serde::Serialize;

use crate::gazetteer::Kind;
use crate::geocode::{Geocoder, Options as GeocodeOptions, Status};
use crate::spatial::destination;
use dates::{FoundDate, dateline, find_date, year_only};
use facts::{actors, event_type, fatalities, relative_location};
use text::{Sentence, sentences};
use toponyms::{Mention, toponyms_in};

/// How to read an article.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The publication date, when known: it anchors partial and relative dates.
    pub published: Option<NaiveDate>,
}

/// A draft incident: the incident schema plus its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub event_id_cnty: String,
    pub event_date: Option<NaiveDate>,
    pub time_precision: Option<u8>,
    pub event_type: String,
    pub sub_event_type: String,
    pub actor1: String,
    pub actor2: String,
    pub country: String,
    pub admin1: String,
    pub admin2: String,
    pub location: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub geo_precision: Option<u8>,
    pub fatalities: Option<u32>,
    pub notes: String,
    pub source: String,
    pub source_url: String,
    pub evidence: String,
    /// Character offsets of the evidence sentence in the input.
    pub evidence_start: usize,
    pub evidence_end: usize,
    /// What the date was resolved against.
    pub date_basis: String,
    /// 0..1: how much of the draft the text states outright.
    pub confidence: f64,
}

/// Where a draft is: a resolved place, a relative location or a region.
struct Located {
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

/// Places in the two border countries, finer than a province, mentioned in a sentence.
fn specific_place(mentions: &[Mention], s: &Sentence) -> Option<Located> {
    mentions
        .iter()
        .filter(|m| s.start <= m.start && m.end <= s.end && m.status == Status::Resolved)
        .filter(|m| matches!(m.country.as_deref(), Some("AF" | "TJ")))
        .filter(|m| !matches!(m.kind, Some(Kind::Province | Kind::Country | Kind::River)))
        .min_by_key(|m| m.start)
        .map(|m| {
            let kind = m.kind.expect("resolved");
            let hedged = s.text.contains("likely") || s.text.contains("reportedly");
            Located {
                location: m.mention.clone(),
                country: country_name(m.country.as_deref().unwrap_or("")).to_string(),
                admin1: m.admin1.clone().unwrap_or_default(),
                admin2: if kind == Kind::District {
                    m.name.clone()
                } else {
                    m.admin2.clone()
                }
                .unwrap_or_default(),
                point: m.lat.zip(m.lon).map(|(lat, lon)| Point::new(lon, lat)),
                precision: m.precision.unwrap_or(2).max(if hedged { 2 } else { 1 }),
                id: m.id.clone(),
                note: format!(
                    "place: {} ({})",
                    m.name.clone().unwrap_or_default(),
                    m.reason
                ),
            }
        })
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

/// Whether a sentence goes on about an event told before it.
fn refers_back(sentence: &str) -> bool {
    let s = sentence.to_lowercase();
    [
        "the clash",
        "the attack",
        "the gun battle",
        "the shootout",
        "the raid",
        "the incident",
        "the crossing",
        "the operation",
        "anti-terrorist operation",
        "the fighting",
        "the ambush",
    ]
    .iter()
    .any(|w| s.contains(w))
}

fn severity(kind: &str) -> u8 {
    match kind {
        "Battles" | "Explosions/Remote violence" | "Violence against civilians" => 2,
        "Strategic developments" => 1,
        _ => 0,
    }
}

/// Drafts the incidents of one article, and lists its place mentions.
///
/// ```
/// use borderwatch::extract::{extract, Options};
/// let text = "On 30 August 2023, three militants were killed in a shootout in Kevron, Darvaz.";
/// let (drafts, _) = extract(text, "note.txt", &Options::default());
/// assert_eq!(drafts.len(), 1);
/// assert_eq!(drafts[0].fatalities, Some(3));
/// assert_eq!(drafts[0].admin1, "Gorno-Badakhshan");
/// ```
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
    let (anchor, basis) = match (options.published, dateline(text)) {
        (Some(d), _) => (Some(d), format!("--published {d}")),
        (None, Some(d)) if republished => (
            Some(d),
            format!("the page's dateline {d}, which may be a re-publication later than the event"),
        ),
        (None, Some(d)) => (Some(d), format!("the article's dateline {d}")),
        (None, None) => (None, String::new()),
    };
    let stem = std::path::Path::new(origin)
        .file_stem()
        .map_or_else(|| "stdin".to_string(), |s| s.to_string_lossy().into_owned());
    // The actor the article is about, for events whose sentences name none.
    let main_actor: Option<String> = {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for s in &sentences {
            for a in actors(&s.text) {
                match counts.iter_mut().find(|(x, _)| *x == a) {
                    Some(entry) => entry.1 += 1,
                    None => counts.push((a, 1)),
                }
            }
        }
        counts
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .filter(|(_, n)| *n >= 3)
            .map(|(a, _)| a)
    };
    let mut drafts: Vec<Draft> = Vec::new();
    let mut used_places: Vec<String> = Vec::new();
    // Dated sentences first, so that a place they report is not taken by a vaguer mention.
    let mut order: Vec<(usize, Option<FoundDate>)> = sentences
        .iter()
        .enumerate()
        .map(|(i, s)| (i, find_date(&s.text, anchor, &basis)))
        .filter(|(_, d)| d.is_some())
        .collect();
    let dated: Vec<usize> = order.iter().map(|(i, _)| *i).collect();
    order.extend(
        (0..sentences.len())
            .filter(|i| !dated.contains(i))
            .map(|i| (i, None)),
    );
    for (i, date) in order {
        let s = &sentences[i];
        // A dateline alone on its line is not an event.
        if date.is_some() && s.text.split_whitespace().count() < 6 {
            continue;
        }
        let own_type = event_type(&s.text);
        // A dated sentence whose event is told just before or after it ("showcased a raid ...
        // The video, which is dated for Oct. 2017, ...").
        let neighbours = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| sentences.get(j))
            .filter(|w| find_date(&w.text, anchor, &basis).is_none());
        let kind = match (own_type, &date) {
            (Some(t), _) => Some(t),
            (None, Some(_)) => neighbours
                .filter_map(|w| event_type(&w.text))
                .max_by_key(|t| severity(t.0)),
            _ => None,
        };
        let Some(mut kind) = kind else { continue };
        // Following sentences that go on about the same event ("the clash", "the shootout").
        let after: Vec<&Sentence> = sentences[i + 1..sentences.len().min(i + 7)]
            .iter()
            .take_while(|w| find_date(&w.text, anchor, &basis).is_none())
            .filter(|w| refers_back(&w.text))
            .collect();
        let place = relative_place(s)
            .or_else(|| specific_place(&mentions, s))
            .or_else(|| {
                date.as_ref().and_then(|_| {
                    after
                        .iter()
                        .find_map(|w| relative_place(w).or_else(|| specific_place(&mentions, w)))
                })
            })
            .or_else(|| region(s))
            .or_else(|| {
                date.as_ref().and_then(|_| {
                    [i.checked_sub(1), Some(i + 1)]
                        .into_iter()
                        .flatten()
                        .filter_map(|j| sentences.get(j))
                        .find_map(region)
                })
            });
        let Some(place) = place else { continue };
        if date.is_none() && place.id.is_none() {
            continue;
        }
        if date.is_none() && place.id.as_ref().is_some_and(|id| used_places.contains(id)) {
            continue;
        }
        // The next sentences may tell what the crossing or raid turned into, and its toll.
        let mut notes: Vec<String> = vec![place.note.clone()];
        for w in &after {
            if let Some(t) = event_type(&w.text)
                && severity(t.0) > severity(kind.0)
            {
                kind = t;
                notes.push(format!("type from the following sentence: {:?}", w.text));
            }
        }
        let (mut count, mut count_note) = fatalities(&s.text);
        if count.is_none() && count_note.is_none() {
            for w in &after {
                let (c, n) = fatalities(&w.text);
                if c.is_some() || n.is_some() {
                    (count, count_note) = (c, n);
                    break;
                }
                let (ended, group) = group_patterns();
                if ended.is_match(&w.text)
                    && let Some(c) = group.captures(&s.text)
                {
                    count = facts::number(&c[1]);
                    count_note = Some(format!(
                        "count from {:?} and {:?}",
                        c[0].to_string(),
                        w.text
                    ));
                    break;
                }
            }
        }
        notes.extend(count_note);
        let mut people = actors(&s.text);
        if people.is_empty() && i > 0 {
            people = actors(&sentences[i - 1].text);
        }
        for w in &after {
            for a in actors(&w.text) {
                if !people.contains(&a) {
                    people.push(a);
                }
            }
        }
        if people.is_empty()
            && let Some(a) = &main_actor
        {
            people.push(a.clone());
            notes.push("actor: the article's most mentioned actor".into());
        }
        if let Some(id) = &place.id {
            used_places.push(id.clone());
        }
        let year = date
            .is_none()
            .then(|| year_only(&s.text, anchor.map(|a| (a, basis.as_str()))))
            .flatten();
        let (event_date, time_precision, date_basis) = match (&date, &year) {
            (Some(d), _) => (Some(d.date), Some(d.precision), d.basis.clone()),
            (None, Some((year, how))) => {
                notes.push(format!(
                    "the text gives only the year {year}: event_date left empty (ACLED codes days, weeks and months)"
                ));
                (None, None, format!("year {year} only ({how})"))
            }
            (None, None) => (
                None,
                None,
                if anchor.is_some() {
                    "no date in the text".into()
                } else {
                    "no date in the text, and no publication date to resolve one".into()
                },
            ),
        };
        let mut confidence: f64 = 0.4;
        confidence += if place.point.is_some() { 0.2 } else { 0.05 };
        confidence += match &date {
            Some(d) if d.basis == "stated" => 0.2,
            Some(_) => 0.1,
            None => 0.0,
        };
        confidence += if people.is_empty() { 0.0 } else { 0.1 };
        if republished && date.as_ref().is_some_and(|d| d.basis != "stated") {
            confidence -= 0.2;
            notes
                .push("date: relative to a republished page's dateline; check the original".into());
        }
        drafts.push(Draft {
            event_id_cnty: format!("X-{stem}-{}", drafts.len() + 1),
            event_date,
            time_precision,
            event_type: kind.0.into(),
            sub_event_type: kind.1.into(),
            actor1: people.first().cloned().unwrap_or_default(),
            actor2: people.get(1).cloned().unwrap_or_default(),
            country: place.country,
            admin1: place.admin1,
            admin2: place.admin2,
            location: place.location,
            latitude: place.point.map(|p| (p.y() * 1e5).round() / 1e5),
            longitude: place.point.map(|p| (p.x() * 1e5).round() / 1e5),
            geo_precision: Some(place.precision),
            fatalities: count,
            notes: notes.join("; "),
            source: origin.to_string(),
            source_url: String::new(),
            evidence: s.text.clone(),
            evidence_start: s.start,
            evidence_end: s.end,
            date_basis,
            confidence: (confidence.clamp(0.0, 1.0) * 100.0).round() / 100.0,
        });
    }
    drafts.sort_by_key(|d| d.evidence_start);
    for (n, d) in drafts.iter_mut().enumerate() {
        d.event_id_cnty = format!("X-{stem}-{}", n + 1);
    }
    (drafts, mentions)
}
