//! Incident filters shared by every query: dates, event types, actors, country, border
//! distance and side.

use chrono::NaiveDate;

use super::{Entry, IncidentIndex};
use crate::reference::Side;

/// Conditions an incident must meet; the default lets everything through.
///
/// A row with an unknown date passes no date condition: it cannot be shown to be in range.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// On or after this day.
    pub since: Option<NaiveDate>,
    /// On or before this day.
    pub until: Option<NaiveDate>,
    /// Event type or sub-event type equals one of these (case-insensitive).
    pub types: Vec<String>,
    /// Actor 1 or 2 contains one of these (case-insensitive).
    pub actors: Vec<String>,
    /// The country column is one of these names or ISO codes (case-insensitive).
    pub countries: Vec<String>,
    /// Within this many km of the Afghanistan–Tajikistan border.
    pub border_km: Option<f64>,
    /// On this side of the border.
    pub side: Option<Side>,
}

impl Filter {
    /// The filter as JSON, for manifests (only the conditions that are set).
    pub fn describe(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        let mut put = |key: &str, value: serde_json::Value| {
            out.insert(key.to_string(), value);
        };
        if let Some(d) = self.since {
            put("since", d.to_string().into());
        }
        if let Some(d) = self.until {
            put("until", d.to_string().into());
        }
        if !self.types.is_empty() {
            put("types", self.types.clone().into());
        }
        if !self.actors.is_empty() {
            put("actors", self.actors.clone().into());
        }
        if !self.countries.is_empty() {
            put("countries", self.countries.clone().into());
        }
        if let Some(km) = self.border_km {
            put("border_km", km.into());
        }
        if let Some(side) = self.side {
            put("side", side.as_str().into());
        }
        serde_json::Value::Object(out)
    }

    /// Whether the filter lets everything through.
    pub fn is_empty(&self) -> bool {
        self.since.is_none()
            && self.until.is_none()
            && self.types.is_empty()
            && self.actors.is_empty()
            && self.countries.is_empty()
            && self.border_km.is_none()
            && self.side.is_none()
    }

    /// The filter without its conditions that need a position (border distance and side);
    /// None when it has none. What an incident without coordinates would have to pass.
    ///
    /// ```
    /// use borderwatch::index::Filter;
    /// let near = Filter { border_km: Some(10.0), types: vec!["Battles".into()], ..Filter::default() };
    /// assert_eq!(near.without_position().unwrap().types, ["Battles"]);
    /// assert!(near.without_position().unwrap().border_km.is_none());
    /// assert!(Filter::default().without_position().is_none());
    /// ```
    pub fn without_position(&self) -> Option<Filter> {
        (self.border_km.is_some() || self.side.is_some()).then(|| Filter {
            border_km: None,
            side: None,
            ..self.clone()
        })
    }

    /// Whether only the dates are constrained (answered from the index entry alone).
    fn dates_only(&self) -> bool {
        self.types.is_empty()
            && self.actors.is_empty()
            && self.countries.is_empty()
            && self.border_km.is_none()
            && self.side.is_none()
    }

    /// Whether an index entry passes: dates from the entry, the rest from the table.
    pub(crate) fn matches_entry(&self, index: &IncidentIndex, entry: &Entry) -> bool {
        if self.since.is_some() || self.until.is_some() {
            if entry.day == i32::MIN {
                return false;
            }
            if self.since.is_some_and(|s| entry.day < day_number(s))
                || self.until.is_some_and(|u| entry.day > day_number(u))
            {
                return false;
            }
        }
        self.dates_only() || self.matches(index, entry.row)
    }

    /// Whether row `row` of the index's table passes.
    pub fn matches(&self, index: &IncidentIndex, row: u32) -> bool {
        if self.is_empty() {
            return true;
        }
        let table = index.table();
        let r = &table.rows()[row as usize];
        if self.since.is_some() || self.until.is_some() {
            let Some(date) = r.date else { return false };
            if self.since.is_some_and(|s| date < s) || self.until.is_some_and(|u| date > u) {
                return false;
            }
        }
        if !self.types.is_empty() {
            let (t, s) = (table.text(r.event_type), table.text(r.sub_event_type));
            if !self
                .types
                .iter()
                .any(|w| t.eq_ignore_ascii_case(w) || s.eq_ignore_ascii_case(w))
            {
                return false;
            }
        }
        if !self.actors.is_empty() {
            let a1 = table.text(r.actor1).to_lowercase();
            let a2 = table.text(r.actor2).to_lowercase();
            if !self.actors.iter().any(|w| {
                let w = w.to_lowercase();
                a1.contains(&w) || a2.contains(&w)
            }) {
                return false;
            }
        }
        if !self.countries.is_empty() {
            let country = table.text(r.country);
            if !self.countries.iter().any(|c| country_matches(country, c)) {
                return false;
            }
        }
        if self.border_km.is_some() || self.side.is_some() {
            let Some((km, side)) = index.border(row) else {
                return false;
            };
            if self.border_km.is_some_and(|d| km > d) || self.side.is_some_and(|s| s != side) {
                return false;
            }
        }
        true
    }
}

/// A day as a number, for comparisons (days since 1 January of year 1).
pub(crate) fn day_number(date: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&date)
}

/// Whether a country column value names the country given as a name or ISO code.
fn country_matches(value: &str, wanted: &str) -> bool {
    const CODES: &[(&str, &str, &str)] = &[
        ("AF", "AFG", "Afghanistan"),
        ("TJ", "TJK", "Tajikistan"),
        ("UZ", "UZB", "Uzbekistan"),
        ("TM", "TKM", "Turkmenistan"),
        ("KG", "KGZ", "Kyrgyzstan"),
        ("PK", "PAK", "Pakistan"),
        ("CN", "CHN", "China"),
        ("IR", "IRN", "Iran"),
    ];
    if value.eq_ignore_ascii_case(wanted) {
        return true;
    }
    CODES.iter().any(|(a2, a3, name)| {
        let names = [*a2, *a3, *name];
        names.iter().any(|n| n.eq_ignore_ascii_case(wanted))
            && names.iter().any(|n| n.eq_ignore_ascii_case(value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_match_by_name_or_code() {
        assert!(country_matches("Afghanistan", "AF"));
        assert!(country_matches("Tajikistan", "tjk"));
        assert!(country_matches("TJ", "Tajikistan"));
        assert!(!country_matches("Afghanistan", "TJ"));
    }
}
