//! Event dates as reports and exports write them.

use crate::error::Reason;
use chrono::NaiveDate;

/// How exact a date is (ACLED `time_precision`): 1 day, 2 week, 3 month.
pub type TimePrecision = u8;

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
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(date) = iso_day(text) {
        return Ok(Some((date, 1)));
    }
    let day_part = text.split(['T', ' ']).next().unwrap_or(text);
    for format in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(day_part, format) {
            return Ok(Some((date, 1)));
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
            return Ok(Some((date, 1)));
        }
    }
    if let (7, Ok(date)) = (
        text.len(),
        NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d"),
    ) {
        return Ok(Some((date, 3)));
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
