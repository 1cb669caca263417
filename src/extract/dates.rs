//! Dates in news text: absolute ("19 November 2020", "November 19", "Oct. 2017"), relative
//! ("on Wednesday", "last month", "this year") resolved against an anchor: `--published`, or a
//! dateline found at the top of the article. Without an anchor, a date that needs one stays
//! unknown.

use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use regex::Regex;

/// A date found in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundDate {
    /// The day; at precision 2 or 3 a day standing for the week or month (a month's is its
    /// 1st).
    pub date: NaiveDate,
    /// ACLED time_precision: 1 day, 2 week, 3 month.
    pub precision: u8,
    /// What the date was resolved against, for the analyst.
    pub basis: String,
}

const MONTHS: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";

fn month_number(text: &str) -> Option<u32> {
    let key: String = text
        .trim_end_matches('.')
        .to_lowercase()
        .chars()
        .take(3)
        .collect();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months.iter().position(|m| *m == key).map(|i| i as u32 + 1)
}

struct Patterns {
    /// A page's own date line: "Published: 2016-08-08", "# date: 2016-08-08", or an ISO
    /// date opening a line ("2016-08-08 15:45").
    metadata_date: Regex,
    /// A page's date line that gives only a month: "# published: 2026-01 (not stated)".
    metadata_month: Regex,
    day_month_year: Regex,
    month_day_year: Regex,
    day_month: Regex,
    month_day: Regex,
    month_year: Regex,
    weekday: Regex,
    last_month: Regex,
    relative_day: Regex,
    week: Regex,
    this_month: Regex,
    year: Regex,
    relative_year: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let r = |s: String| Regex::new(&s).expect("date regex");
        Patterns {
            metadata_date: r(
                r"(?im)^[\W_]*(?:(?:published|posted|updated|date|dated|dateline)\b[^\n\d]{0,20})?((?:19|20)\d\d)-(\d\d)-(\d\d)\b"
                    .to_string(),
            ),
            metadata_month: r(
                r"(?im)^[\W_]*(?:published|posted|updated|date|dated|dateline)\b[^\n\d]{0,20}((?:19|20)\d\d)-(\d\d)\b"
                    .to_string(),
            ),
            day_month_year: r(format!(r"\b(\d{{1,2}}) ({MONTHS}),? (\d{{4}})\b")),
            month_day_year: r(format!(r"\b({MONTHS}) (\d{{1,2}}),? (\d{{4}})\b")),
            day_month: r(format!(r"\b(\d{{1,2}}) ({MONTHS})\b")),
            month_day: r(format!(
                r"\b({MONTHS}) (\d{{1,2}})(?:st|nd|rd|th)?\b(?: of this year)?"
            )),
            month_year: r(format!(r"\b(?:in |for )?({MONTHS}),? (\d{{4}})\b")),
            weekday: r(
                r"\b(?:(?i:overnight into|the night (?:of|into)|night into) )?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b".to_string(),
            ),
            relative_day: r(r"(?i)\b(yesterday|the day before|a day earlier|the previous day)\b".to_string()),
            week: r(r"(?i)\b(?:at the end of (?:the )?last week|(?:since |during |over )?(?:the )?last week|(?:earlier )?this week|within (?:a|the past) week|(?:in|over) the past week)\b".to_string()),
            this_month: r(r"(?i)\b(?:earlier|later|since the (?:start|beginning) of|at the (?:start|beginning) of) this month\b".to_string()),
            last_month: r(r"\b[Ll]ast month\b".to_string()),
            year: r(
                r"\b(?:[Ii]n|[Dd]uring|[Tt]hroughout|[Ss]ince|[Ii]n (?:early|mid|late)-?) ((?:19|20)\d\d)\b"
                    .to_string(),
            ),
            relative_year: r(r"\b(?:[Ll]ast|[Tt]his) year\b".to_string()),
        }
    })
}

/// How far into an article its dateline is looked for, in characters.
const DATELINE_HEAD_CHARS: usize = 400;

/// The publication date of an article: the page's own date line ("Published: 2016-08-08",
/// an ISO date opening a line), else a dateline (a date alone on one of the first lines, or
/// "on 16 Jan 2021" in a byline) near the top.
///
/// ```
/// use borderwatch::extract::dates::dateline;
/// let d = dateline("Back to TopThursday, 28 Nov 2024\n\nISIS Fighters Attack").unwrap();
/// assert_eq!(d.to_string(), "2024-11-28");
/// let saved = "# source: https://example.org/a\n# published: 2016-08-08\n\nTitle\n";
/// assert_eq!(dateline(saved).unwrap().to_string(), "2016-08-08");
/// // An ISO date inside a sentence is not the page's date.
/// assert!(dateline("Talks on 2016-08-08 were cancelled.").is_none());
/// ```
pub fn dateline(text: &str) -> Option<NaiveDate> {
    let head: String = text.chars().take(DATELINE_HEAD_CHARS).collect();
    let p = patterns();
    let numeric = |c: regex::Captures| {
        NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
    };
    if let Some(d) = p.metadata_date.captures(&head).and_then(numeric) {
        return Some(d);
    }
    if let Some(c) = p.day_month_year.captures(&head) {
        return ymd(&c[3], &c[2], &c[1]);
    }
    p.month_day_year
        .captures(&head)
        .and_then(|c| ymd(&c[3], &c[1], &c[2]))
}

/// The month a page's date line gives when it gives no day ("# published: 2026-01"), as
/// its last day: partial dates ("January 18") take their year from it, nothing else does.
///
/// ```
/// use borderwatch::extract::dates::page_month;
/// let end = page_month("# published: 2026-01 (c. 19-20 Jan 2026)\n\nTitle").unwrap();
/// assert_eq!(end.to_string(), "2026-01-31");
/// assert!(page_month("Talks in 2026-01 were cancelled.").is_none());
/// ```
pub fn page_month(text: &str) -> Option<NaiveDate> {
    let head: String = text.chars().take(DATELINE_HEAD_CHARS).collect();
    let c = patterns().metadata_month.captures(&head)?;
    let (year, month): (i32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.map(|d| d - Duration::days(1))
}

fn ymd(year: &str, month: &str, day: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year.parse().ok()?, month_number(month)?, day.parse().ok()?)
}

/// The most recent `day` of `month` on or before `anchor`.
fn latest_before(anchor: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let this_year = NaiveDate::from_ymd_opt(anchor.year(), month, day)?;
    if this_year <= anchor {
        Some(this_year)
    } else {
        NaiveDate::from_ymd_opt(anchor.year() - 1, month, day)
    }
}

/// The dates of one sentence: the event's own, and the day it was reported on ("officials
/// said on Monday"), which stands in for the event's when the text gives no other.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SentenceDates {
    /// The event's date.
    pub event: Option<FoundDate>,
    /// The date the sentence says something was said or published on.
    pub reported: Option<FoundDate>,
}

/// The date a sentence gives for its event, if any; `anchor` resolves partial and relative
/// dates and is described by `anchor_basis` in the date's [`basis`](FoundDate::basis).
///
/// Absolute dates come first, then partial ones (with the anchor's year), weekdays (the most
/// recent such day on or before the anchor; the day before for "overnight into Tuesday"),
/// "yesterday", "the day before" (the report's date, or the anchor, less a day), weeks
/// (precision 2) and months (precision 3). A date right after a reporting verb ("officials
/// said on Monday") is the report's, not the event's: alone in a sentence, it gives None.
///
/// ```
/// use borderwatch::extract::dates::find_date;
/// use chrono::NaiveDate;
/// let published = NaiveDate::from_ymd_opt(2024, 11, 28); // a Thursday
/// let d = find_date("Two were killed on Wednesday.", published, "--published").unwrap();
/// assert_eq!((d.date.to_string().as_str(), d.precision), ("2024-11-27", 1));
/// assert!(find_date("Two were killed on Wednesday.", None, "").is_none());
/// assert!(find_date("Officials said on Wednesday.", published, "--published").is_none());
/// ```
pub fn find_date(
    sentence: &str,
    anchor: Option<NaiveDate>,
    anchor_basis: &str,
) -> Option<FoundDate> {
    sentence_dates(sentence, anchor, anchor_basis, true).event
}

/// Words of a report, whose date is the report's and not the event's when it follows them.
const REPORTING_VERBS: &[&str] = &[
    "confirmed",
    "said",
    "says",
    "reported",
    "announced",
    "stated",
    "told",
    "published",
    "issued",
    "statement of",
    "statement on",
];

/// Words that may stand between a reporting verb and its date ("told Interfax on Sunday").
const MAX_WORDS_AFTER_VERB: usize = 2;

/// Characters looked back from a date for a reporting verb.
const REPORT_LOOKBACK: usize = 40;

/// Whether the date at byte `start` is the date something was said or published.
fn is_reported(sentence: &str, start: usize) -> bool {
    let tail: String = sentence[..start]
        .chars()
        .rev()
        .take(REPORT_LOOKBACK)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_lowercase();
    REPORTING_VERBS
        .iter()
        .filter_map(|v| tail.rfind(v).map(|i| &tail[i + v.len()..]))
        .any(|between| between.split_whitespace().count() <= MAX_WORDS_AFTER_VERB)
}

/// The Monday of the week holding `day`.
fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Days back from the anchor for "within a week", "the past week".
const PAST_WEEK_DAYS: i64 = 6;

/// Days from a week's Monday to its Friday, for "the end of last week".
const MONDAY_TO_FRIDAY: i64 = 4;

/// Every date of a sentence, split into the event's and the report's. Absolute dates come
/// first, then partial ones (with the anchor's year), weekdays (the most recent such day on or
/// before the anchor; the day before for "overnight into Tuesday"), "yesterday", "the day
/// before" (the report's date, or the anchor, less a day), weeks (precision 2) and months
/// (precision 3). With `relative` false (an anchor known only to its month) the anchor only
/// gives partial dates their year: weekdays, weeks and "yesterday" need its day.
pub(crate) fn sentence_dates(
    sentence: &str,
    anchor: Option<NaiveDate>,
    anchor_basis: &str,
    relative: bool,
) -> SentenceDates {
    let p = patterns();
    // (byte offset, date) of every expression, in order of preference.
    let mut found = Found::default();
    stated_dates(p, sentence, anchor, anchor_basis, &mut found);
    if let Some(a) = anchor.filter(|_| relative) {
        relative_dates(p, sentence, a, anchor_basis, &mut found);
    }
    let found = found.0;
    // The position usize::MAX marks a date that is the event's whatever precedes it.
    let reported_at = |start: usize| start != usize::MAX && is_reported(sentence, start);
    let event = found
        .iter()
        .find(|(start, _)| !reported_at(*start))
        .map(|(_, d)| d.clone());
    let reported = found
        .iter()
        .find(|(start, _)| reported_at(*start))
        .map(|(_, d)| d.clone());
    // "the day before": a day before the report's date, or before the anchor.
    let event = event.or_else(|| {
        let c = p.relative_day.captures(sentence)?;
        let phrase = c[1].to_lowercase();
        let (base, basis) = match (&reported, anchor) {
            (Some(r), _) if phrase != "yesterday" => {
                (r.date, format!("the report's date {}", r.date))
            }
            (_, Some(a)) if relative => (a, anchor_basis.to_string()),
            _ => return None,
        };
        Some(FoundDate {
            date: base - Duration::days(1),
            precision: 1,
            basis: format!("{phrase:?}: the day before {basis}"),
        })
    });
    SentenceDates { event, reported }
}

/// The dates of a sentence, with the byte offset of each, in order of preference.
#[derive(Default)]
struct Found(Vec<(usize, FoundDate)>);

impl Found {
    fn push(&mut self, start: usize, date: Option<NaiveDate>, precision: u8, basis: String) {
        if let Some(date) = date {
            self.0.push((
                start,
                FoundDate {
                    date,
                    precision,
                    basis,
                },
            ));
        }
    }
}

/// Dates the sentence states: whole ones, then day and month with the anchor's year, then
/// months.
fn stated_dates(
    p: &Patterns,
    sentence: &str,
    anchor: Option<NaiveDate>,
    anchor_basis: &str,
    found: &mut Found,
) {
    for c in p.day_month_year.captures_iter(sentence) {
        found.push(at(&c), ymd(&c[3], &c[2], &c[1]), 1, "stated".into());
    }
    for c in p.month_day_year.captures_iter(sentence) {
        found.push(at(&c), ymd(&c[3], &c[1], &c[2]), 1, "stated".into());
    }
    let partial = |month: Option<u32>, day: &str| -> Option<NaiveDate> {
        let day: u32 = day.parse().ok()?;
        latest_before(anchor?, month?, day)
    };
    let year_from = format!("day and month stated; year from {anchor_basis}");
    for c in p.day_month.captures_iter(sentence) {
        found.push(
            at(&c),
            partial(month_number(&c[2]), &c[1]),
            1,
            year_from.clone(),
        );
    }
    for c in p.month_day.captures_iter(sentence) {
        found.push(
            at(&c),
            partial(month_number(&c[1]), &c[2]),
            1,
            year_from.clone(),
        );
    }
    for c in p.month_year.captures_iter(sentence) {
        let date =
            month_number(&c[1]).and_then(|m| NaiveDate::from_ymd_opt(c[2].parse().ok()?, m, 1));
        found.push(at(&c), date, 3, "month stated".into());
    }
}

/// Dates the sentence gives relative to the anchor `a`: weekdays, weeks, this and last month.
fn relative_dates(
    p: &Patterns,
    sentence: &str,
    a: NaiveDate,
    anchor_basis: &str,
    found: &mut Found,
) {
    for c in p.weekday.captures_iter(sentence) {
        let Ok(wanted) = c[1].parse::<Weekday>() else {
            continue;
        };
        let mut d = a;
        while d.weekday() != wanted {
            d -= Duration::days(1);
        }
        let whole = c[0].to_lowercase();
        let night_before = whole.contains("into");
        if night_before {
            d -= Duration::days(1);
        }
        // "said Friday's attack": a possessive weekday is the event's, whatever precedes it.
        let possessive = sentence[c.get(0).expect("match").end()..].starts_with(['\'', '’']);
        let start = if possessive { usize::MAX } else { at(&c) };
        found.push(
            start,
            Some(d),
            1,
            format!(
                "{:?}: the last {} on or before {anchor_basis}{}",
                c[0].to_string(),
                &c[1],
                if night_before {
                    ", less a day (the night before)"
                } else {
                    ""
                }
            ),
        );
    }
    for c in p.week.captures_iter(sentence) {
        let phrase = c[0].to_lowercase();
        let last_monday = monday_of(a) - Duration::days(7);
        let date = if phrase.contains("end of") {
            last_monday + Duration::days(MONDAY_TO_FRIDAY)
        } else if phrase.contains("last week") {
            last_monday
        } else if phrase.contains("this week") {
            monday_of(a)
        } else {
            a - Duration::days(PAST_WEEK_DAYS)
        };
        found.push(
            at(&c),
            Some(date),
            2,
            format!("{phrase:?}: the week before {anchor_basis}"),
        );
    }
    for c in p.this_month.captures_iter(sentence) {
        found.push(
            at(&c),
            NaiveDate::from_ymd_opt(a.year(), a.month(), 1),
            3,
            format!("{:?}: the month of {anchor_basis}", c[0].to_lowercase()),
        );
    }
    if let Some(c) = p.last_month.captures(sentence) {
        let previous =
            NaiveDate::from_ymd_opt(a.year(), a.month(), 1).map(|first| first - Duration::days(1));
        found.push(
            at(&c),
            previous.and_then(|d| NaiveDate::from_ymd_opt(d.year(), d.month(), 1)),
            3,
            format!("\"last month\" before {anchor_basis}"),
        );
    }
}

/// The byte offset of a regex match.
fn at(c: &regex::Captures) -> usize {
    c.get(0).expect("match").start()
}

/// The year a sentence gives when it gives no month or day ("in 2022", "in late 2015",
/// "last year" against the anchor), with how it was read. ACLED codes days, weeks and months,
/// not years, so a year alone never becomes an event date: it goes in the notes. Ask it of
/// sentences where [`find_date`] found no date.
///
/// ```
/// use borderwatch::extract::dates::year_only;
/// assert_eq!(year_only("Clashes continued in 2022.", None).unwrap().0, 2022);
/// assert!(year_only("On 19 November 2020 the post fell.", None).is_none());
/// ```
pub fn year_only(sentence: &str, anchor: Option<(NaiveDate, &str)>) -> Option<(i32, String)> {
    let p = patterns();
    if let Some(c) = p.year.captures(sentence) {
        return Some((c[1].parse().ok()?, format!("{:?} stated", &c[0])));
    }
    let c = p.relative_year.captures(sentence)?;
    let (date, basis) = anchor?;
    let phrase = c[0].to_lowercase();
    let year = if phrase.starts_with("last") {
        date.year() - 1
    } else {
        date.year()
    };
    Some((year, format!("{phrase:?} before {basis}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn years_alone_are_read_but_are_not_dates() {
        assert_eq!(
            year_only("fighting in late 2015 displaced", None)
                .unwrap()
                .0,
            2015
        );
        assert_eq!(year_only("throughout 2021, guards", None).unwrap().0, 2021);
        let anchor = Some((d(2023, 9, 5), "the article's date"));
        let (year, basis) = year_only("Last year the post was rebuilt.", anchor).unwrap();
        assert_eq!(year, 2022);
        assert!(basis.contains("last year"), "{basis}");
        assert!(year_only("Last year the post was rebuilt.", None).is_none());
        assert!(year_only("In 2,000 cases", None).is_none());
        assert!(
            year_only("the post fell in March 2021", None).is_none(),
            "a month and year is a date"
        );
    }

    #[test]
    fn absolute_dates() {
        let f = find_date("On 19 November 2020 the post fell.", None, "").unwrap();
        assert_eq!((f.date, f.precision), (d(2020, 11, 19), 1));
        let f = find_date("on December 10, 2020, once again", None, "").unwrap();
        assert_eq!(f.date, d(2020, 12, 10));
        let f = find_date(
            "The video, which is dated for Oct. 2017, takes place",
            None,
            "",
        )
        .unwrap();
        assert_eq!((f.date, f.precision), (d(2017, 10, 1), 3));
    }

    #[test]
    fn partial_dates_need_an_anchor() {
        assert_eq!(find_date("the November 19 destruction", None, ""), None);
        let f = find_date(
            "the November 19 destruction",
            Some(d(2021, 1, 16)),
            "the article's date",
        )
        .unwrap();
        assert_eq!(f.date, d(2020, 11, 19));
        assert!(f.basis.contains("year from the article's date"));
        let f = find_date(
            "on the night of August 30, quoting",
            Some(d(2023, 9, 5)),
            "--published",
        )
        .unwrap();
        assert_eq!(f.date, d(2023, 8, 30));
        let f = find_date(
            "on April 26 of this year, two members",
            Some(d(2023, 9, 5)),
            "x",
        )
        .unwrap();
        assert_eq!(f.date, d(2023, 4, 26));
    }

    #[test]
    fn relative_dates() {
        let f = find_date(
            "killed on Wednesday when militants",
            Some(d(2024, 11, 28)),
            "the dateline",
        )
        .unwrap();
        assert_eq!((f.date, f.precision), (d(2024, 11, 27), 1));
        let f = find_date("last month, the Taliban rejected", Some(d(2023, 9, 5)), "x").unwrap();
        assert_eq!((f.date, f.precision), (d(2023, 8, 1), 3));
        assert_eq!(find_date("on Wednesday", None, ""), None);
    }
}
