//! Several reports of one event: drafts from different files a day or two apart, at the same
//! place or district, of compatible type and actors, become one draft that lists every source
//! and its evidence, with the conflicts (dates, tolls) in its notes.

use super::Draft;
use super::events::near_dates;
use crate::geocode::fold::fold;

/// Whether two drafts from different reports describe one event.
fn same_event(a: &Draft, b: &Draft) -> bool {
    if a.source == b.source || !near_dates(a.event_date, b.event_date) {
        return false;
    }
    let same = |x: &str, y: &str| !x.is_empty() && fold(x) == fold(y);
    let place = same(&a.location, &b.location)
        || same(&a.admin2, &b.admin2)
        || (a.location.is_empty() && b.location.is_empty())
        || (a.admin2.is_empty() && b.admin2.is_empty() && same(&a.country, &b.country))
        || same(&a.country, &b.location)
        || same(&a.location, &b.country);
    let kind = a.event_type == b.event_type
        || [a, b]
            .iter()
            .any(|d| d.event_type == "Strategic developments");
    let actors = a.actor1.is_empty()
        || b.actor1.is_empty()
        || [&a.actor1, &a.actor2]
            .iter()
            .any(|x| !x.is_empty() && (**x == b.actor1 || **x == b.actor2));
    place && kind && actors
}

/// Folds `b` into `a`: sources and evidence joined, the finer place and the lower toll kept,
/// differences noted.
fn absorb(a: &mut Draft, b: Draft) {
    let mut notes = vec![a.notes.clone()];
    if a.event_date != b.event_date {
        notes.push(format!(
            "date conflict: {} gives {}, {} gives {}",
            a.source,
            a.event_date.map_or("none".into(), |d| d.to_string()),
            b.source,
            b.event_date.map_or("none".into(), |d| d.to_string())
        ));
    }
    match (a.fatalities, b.fatalities) {
        (Some(x), Some(y)) if x != y => {
            notes.push(format!(
                "fatalities conflict: {} gives {x}, {} gives {y}; the lower figure kept",
                a.source, b.source
            ));
            a.fatalities = Some(x.min(y));
        }
        (None, Some(y)) => a.fatalities = Some(y),
        _ => {}
    }
    if b.geo_precision < a.geo_precision && b.latitude.is_some() {
        a.location = b.location.clone();
        a.admin1 = b.admin1.clone();
        a.admin2 = b.admin2.clone();
        a.country = b.country.clone();
        a.latitude = b.latitude;
        a.longitude = b.longitude;
        a.geo_precision = b.geo_precision;
    }
    if a.actor1.is_empty() {
        a.actor1 = b.actor1.clone();
        a.inter1 = b.inter1;
    }
    if a.actor2.is_empty() && b.actor1 != a.actor1 {
        a.actor2 = b.actor1.clone();
        a.inter2 = b.inter1;
    }
    notes.push(format!("also reported by {}: {}", b.source, b.notes));
    a.notes = notes.join("; ");
    a.evidence = format!("{} | {}: {}", a.evidence, b.source, b.evidence);
    let spans = |d: &Draft, s: &str| {
        d.evidence_spans
            .split(';')
            .map(|x| {
                if x.contains(':') {
                    x.to_string()
                } else {
                    format!("{s}:{x}")
                }
            })
            .collect::<Vec<_>>()
            .join(";")
    };
    a.evidence_spans = format!("{};{}", spans(a, &a.source), spans(&b, &b.source));
    a.source = format!("{}; {}", a.source, b.source);
    a.confidence = a.confidence.max(b.confidence);
}

/// Merges drafts of the same event from different reports, in their order; a merged draft
/// takes the id of its first report's draft.
///
/// ```
/// use borderwatch::extract::{extract, merge::merge, Options};
/// let (mut a, _) = extract("On 3 May 2021 two smugglers were killed in a clash in Vanj district.", "a.txt", &Options::default());
/// let (b, _) = extract("On 4 May 2021 three smugglers died in a shootout in Vanj district.", "b.txt", &Options::default());
/// a.extend(b);
/// let merged = merge(a);
/// assert_eq!(merged.len(), 1);
/// assert_eq!(merged[0].source, "a.txt; b.txt");
/// assert_eq!(merged[0].fatalities, Some(2));
/// ```
pub fn merge(drafts: Vec<Draft>) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    for d in drafts {
        match out.iter_mut().find(|x| {
            // Each source is merged once into a draft.
            !x.source.split("; ").any(|s| s == d.source) && same_event(x, &d)
        }) {
            Some(x) => absorb(x, d),
            None => out.push(d),
        }
    }
    out
}
