//! Event dates as reports and exports write them.

use crate::error::Reason;
use chrono::NaiveDate;

/// How exact a date is (ACLED `time_precision`): 1 day, 2 week, 3 month.
pub type TimePrecision = u8;

/// [`TimePrecision`] of a date known to the day.
pub const DAY: TimePrecision = 1;
/// [`TimePrecision`] of a date known to the week (the day given is in it).
pub const WEEK: TimePrecision = 2;
/// [`TimePrecision`] of a date known to the month (stored as its first day).
pub const MONTH: TimePrecision = 3;

/// A date as a reader should see it: no more exact than it is known. A month-precision date
/// is its month, a week-precision one the week of its day; an unknown precision is taken as
/// a day (ACLED's default).
///
/// ```
/// use borderwatch::incidents::date::{MONTH, WEEK, display_date};
/// use chrono::NaiveDate;
/// let day = NaiveDate::from_ymd_opt(2017, 10, 1).unwrap();
/// assert_eq!(display_date(day, Some(MONTH)), "2017-10");
/// assert_eq!(display_date(day, Some(WEEK)), "week of 2017-10-01");
/// assert_eq!(display_date(day, None), "2017-10-01");
/// ```
pub fn display_date(date: NaiveDate, precision: Option<TimePrecision>) -> String {
    match precision {
        Some(MONTH) => date.format("%Y-%m").to_string(),
        Some(WEEK) => format!("week of {date}"),
        _ => date.to_string(),
    }
}

/// The days a `--since`/`--until` value stands for: a day, a month (`2021-05`) or a year
/// (`2021`), from its first day to its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day.
    pub first: NaiveDate,
    /// The last day (the same as `first` for a day).
    pub last: NaiveDate,
}

/// Parses a period: a year (`2021`), a month (`2021-05`) or a day in any form
/// [`parse_date`] takes.
///
/// ```
/// use borderwatch::incidents::date::parse_period;
/// use chrono::NaiveDate;
/// let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let year = parse_period("2021").unwrap();
/// assert_eq!((year.first, year.last), (ymd(2021, 1, 1), ymd(2021, 12, 31)));
/// let month = parse_period("2020-02").unwrap();
/// assert_eq!((month.first, month.last), (ymd(2020, 2, 1), ymd(2020, 2, 29)));
/// assert!(parse_period("soon").is_err());
/// ```
///
/// # Errors
///
/// A text that is none of these, with the forms that are accepted.
pub fn parse_period(text: &str) -> Result<Period, Reason> {
    let text = text.trim();
    let year = (text.len() == YEAR_DIGITS && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse::<i32>().ok())
        .flatten()
        .and_then(|y| {
            Some((
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y, 12, 31)?,
            ))
        });
    if let Some((first, last)) = year {
        return Ok(Period { first, last });
    }
    match date_of(text) {
        Ok(Some((first, MONTH))) => Ok(Period {
            first,
            last: last_of_month(first),
        }),
        Ok(Some((first, _))) => Ok(Period { first, last: first }),
        _ => Err(Reason(format!(
            "not a day, month or year: {text:?} (use YYYY-MM-DD, YYYY-MM or YYYY)"
        ))),
    }
}

/// Digits of a year written alone.
const YEAR_DIGITS: usize = 4;

/// The last day of the month of `day`.
fn last_of_month(day: NaiveDate) -> NaiveDate {
    use chrono::{Datelike, Months};
    let first = day.with_day(1).unwrap_or(day);
    first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(day)
}

/// Parses a date in the forms incident tables use, with the precision the form implies.
///
/// Accepted: `2020-11-19` (also with a time, `2020-11-19T00:00:00`), `2020/11/19`,
/// `19 November 2020` and `19 Nov 2020` (ACLED exports), `November 19, 2020`, and
/// `2020-11` (a month: the first day, precision 3). An empty text is an unknown date.
///
/// ```
/// use borderwatch::incidents::date::parse_date;
/// use chrono::NaiveDate;
/// let day = NaiveDate::from_ymd_opt(2020, 11, 19).unwrap();
/// assert_eq!(parse_date("19 November 2020"), Ok(Some((day, 1))));
/// assert_eq!(parse_date("2020-11-19"), Ok(Some((day, 1))));
/// assert_eq!(parse_date(""), Ok(None));
/// assert!(parse_date("2020-13-45").is_err());
/// ```
pub fn parse_date(text: &str) -> Result<Option<(NaiveDate, TimePrecision)>, Reason> {
    date_of(text).map_err(Reason)
}

fn date_of(text: &str) -> Result<Option<(NaiveDate, TimePrecision)>, String> {
    let text = super::text::trim(text);
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(date) = iso_day(text) {
        return Ok(Some((date, DAY)));
    }
    let day_part = text.split(['T', ' ']).next().unwrap_or(text);
    for format in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(day_part, format) {
            return Ok(Some((date, DAY)));
        }
    }
    for format in [
        "%d %B %Y",
        "%d %b %Y",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d-%b-%Y",
        "%d-%B-%Y",
    ] {
        if let Ok(date) = NaiveDate::parse_from_str(text, format) {
            return Ok(Some((date, DAY)));
        }
    }
    if let (7, Ok(date)) = (
        text.len(),
        NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d"),
    ) {
        return Ok(Some((date, MONTH)));
    }
    Err(format!(
        "not a date: {text:?} (use YYYY-MM-DD, \"19 November 2020\", or YYYY-MM for a month; \
         leave it empty when unknown)"
    ))
}

/// `YYYY-MM-DD` without a format parser: the common case in exports.
fn iso_day(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(
            parse_date("2019-11-06T00:00:00"),
            Ok(Some((ymd(2019, 11, 6), 1)))
        );
        assert_eq!(parse_date("6 Nov 2019"), Ok(Some((ymd(2019, 11, 6), 1))));
        assert_eq!(
            parse_date("November 6, 2019"),
            Ok(Some((ymd(2019, 11, 6), 1)))
        );
        assert_eq!(parse_date("2019/11/06"), Ok(Some((ymd(2019, 11, 6), 1))));
        assert_eq!(parse_date("2017-10"), Ok(Some((ymd(2017, 10, 1), 3))));
        assert_eq!(parse_date("  "), Ok(None));
    }

    #[test]
    fn periods_run_from_their_first_to_their_last_day() {
        let period = |t| parse_period(t).map(|p| (p.first, p.last));
        assert_eq!(
            period("2019-11-06"),
            Ok((ymd(2019, 11, 6), ymd(2019, 11, 6)))
        );
        assert_eq!(period("2019-12"), Ok((ymd(2019, 12, 1), ymd(2019, 12, 31))));
        assert_eq!(period("2021-02"), Ok((ymd(2021, 2, 1), ymd(2021, 2, 28))));
        assert_eq!(
            period("6 Nov 2019"),
            Ok((ymd(2019, 11, 6), ymd(2019, 11, 6)))
        );
        assert_eq!(period(" 2024 "), Ok((ymd(2024, 1, 1), ymd(2024, 12, 31))));
        for bad in ["", "20211", "2021-13", "last week"] {
            let err = parse_period(bad).unwrap_err();
            assert!(
                err.as_str().contains("YYYY-MM-DD, YYYY-MM or YYYY"),
                "{bad}: {err}"
            );
            assert!(!err.as_str().contains("empty"), "{bad}: {err}");
        }
    }

    #[test]
    fn rejected_forms_say_what_to_use() {
        for bad in [
            "2020-02-30",
            "19/11/2020",
            "yesterday",
            "2020",
            "20201119",
            "2020-1-1x",
        ] {
            let err = parse_date(bad).unwrap_err();
            assert!(err.as_str().contains("YYYY-MM-DD"), "{bad}: {err}");
        }
    }
}
