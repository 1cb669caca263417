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
    day_month_year: Regex,
    month_day_year: Regex,
    day_month: Regex,
    month_day: Regex,
    month_year: Regex,
    weekday: Regex,
    last_month: Regex,
    year: Regex,
    relative_year: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let r = |s: String| Regex::new(&s).expect("date regex");
        Patterns {
            day_month_year: r(format!(r"\b(\d{{1,2}}) ({MONTHS}),? (\d{{4}})\b")),
            month_day_year: r(format!(r"\b({MONTHS}) (\d{{1,2}}),? (\d{{4}})\b")),
            day_month: r(format!(r"\b(\d{{1,2}}) ({MONTHS})\b")),
            month_day: r(format!(
                r"\b({MONTHS}) (\d{{1,2}})(?:st|nd|rd|th)?\b(?: of this year)?"
            )),
            month_year: r(format!(r"\b(?:in |for )?({MONTHS}),? (\d{{4}})\b")),
            weekday: r(
                r"\b[Oo]n (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b".to_string(),
            ),
            last_month: r(r"\b[Ll]ast month\b".to_string()),
            year: r(
                r"\b(?:[Ii]n|[Dd]uring|[Tt]hroughout|[Ss]ince|[Ii]n (?:early|mid|late)-?) ((?:19|20)\d\d)\b"
                    .to_string(),
            ),
            relative_year: r(r"\b(?:[Ll]ast|[Tt]his) year\b".to_string()),
        }
    })
}

/// The publication date of an article: a dateline (a date alone on one of the first lines, or
/// "on 16 Jan 2021" in a byline) near the top.
///
/// ```
/// use borderwatch::extract::dates::dateline;
/// let d = dateline("Back to TopThursday, 28 Nov 2024\n\nISIS Fighters Attack").unwrap();
/// assert_eq!(d.to_string(), "2024-11-28");
/// ```
pub fn dateline(text: &str) -> Option<NaiveDate> {
    let head: String = text.chars().take(400).collect();
    let p = patterns();
    if let Some(c) = p.day_month_year.captures(&head) {
        return ymd(&c[3], &c[2], &c[1]);
    }
    p.month_day_year
        .captures(&head)
        .and_then(|c| ymd(&c[3], &c[1], &c[2]))
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

/// The date a sentence gives for its event, if any; `anchor` resolves partial and relative
/// dates and is described by `anchor_basis`.
pub fn find_date(
    sentence: &str,
    anchor: Option<NaiveDate>,
    anchor_basis: &str,
) -> Option<FoundDate> {
    let p = patterns();
    let found = |date, precision, basis: String| {
        Some(FoundDate {
            date,
            precision,
            basis,
        })
    };
    if let Some(c) = p.day_month_year.captures(sentence) {
        return found(ymd(&c[3], &c[2], &c[1])?, 1, "stated".into());
    }
    if let Some(c) = p.month_day_year.captures(sentence) {
        return found(ymd(&c[3], &c[1], &c[2])?, 1, "stated".into());
    }
    // "confirmed on November 21 that ... on November 19": the date a report was made is not
    // the event's.
    let reported = |start: usize| {
        let before = &sentence[..start];
        let tail: String = before
            .chars()
            .rev()
            .take(40)
            .collect::<String>()
            .chars()
            .rev()
            .collect();
        [
            "confirmed on",
            "said on",
            "reported on",
            "announced on",
            "stated on",
            "told",
            "published on",
        ]
        .iter()
        .any(|w| tail.contains(w))
    };
    let day_month = p
        .day_month
        .captures_iter(sentence)
        .filter(|c| !reported(c.get(0).expect("match").start()))
        .find_map(|c| Some((month_number(&c[2])?, c[1].parse::<u32>().ok()?)));
    let month_day = p
        .month_day
        .captures_iter(sentence)
        .filter(|c| !reported(c.get(0).expect("match").start()))
        .find_map(|c| Some((month_number(&c[1])?, c[2].parse::<u32>().ok()?)));
    if let Some((month, day)) = day_month
        .or(month_day)
        .filter(|(_, d)| (1..=31).contains(d))
    {
        return match anchor {
            Some(a) => found(
                latest_before(a, month, day)?,
                1,
                format!("day and month stated; year from {anchor_basis}"),
            ),
            None => None,
        };
    }
    if let Some(c) = p.month_year.captures(sentence) {
        let month = month_number(&c[1])?;
        return found(
            NaiveDate::from_ymd_opt(c[2].parse().ok()?, month, 1)?,
            3,
            "month stated".into(),
        );
    }
    if let (Some(c), Some(a)) = (p.weekday.captures(sentence), anchor) {
        let wanted: Weekday = c[1].parse().ok()?;
        let mut d = a;
        while d.weekday() != wanted {
            d -= Duration::days(1);
        }
        return found(
            d,
            1,
            format!("\"on {}\": the last one before {anchor_basis}", &c[1]),
        );
    }
    if let (true, Some(a)) = (p.last_month.is_match(sentence), anchor) {
        let first = NaiveDate::from_ymd_opt(a.year(), a.month(), 1)?;
        let previous = first - Duration::days(1);
        return found(
            NaiveDate::from_ymd_opt(previous.year(), previous.month(), 1)?,
            3,
            format!("\"last month\" before {anchor_basis}"),
        );
    }
    None
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
