//! Totals of incidents by month, year, place, type or actor: `incidents summary`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Filter, IncidentIndex};
use crate::incidents::date::{TimePrecision, display_date};
use crate::incidents::tally::Fatalities;
use crate::incidents::{Incident, IncidentTable};

/// What incidents are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// The month of the date (`YYYY-MM`).
    Month,
    /// The year of the date.
    Year,
    /// The country column.
    Country,
    /// The province (admin1) column.
    Admin1,
    /// The district (admin2) column.
    Admin2,
    /// The event type.
    Type,
    /// Each of the two actors (an incident counts once for each actor it names).
    Actor,
}

/// The group of incidents with no date.
pub const UNKNOWN_DATE: &str = "unknown";
/// The group of incidents whose grouping column is empty.
pub const EMPTY_GROUP: &str = "(none)";

/// A date with the precision it is known to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated {
    /// The day (a month-precision date: its first day).
    pub date: NaiveDate,
    /// How exact it is.
    pub precision: Option<TimePrecision>,
}

impl std::fmt::Display for Dated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&display_date(self.date, self.precision))
    }
}

/// The totals of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group's key (a month, a province, an actor...).
    pub key: String,
    /// Incidents in the group.
    pub incidents: usize,
    /// Their fatalities, the unknown ones apart.
    pub fatalities: Fatalities,
    /// The earliest dated incident.
    pub first: Option<Dated>,
    /// The latest dated incident.
    pub last: Option<Dated>,
}

impl Group {
    fn add(&mut self, row: &Incident) {
        self.incidents += 1;
        self.fatalities.add(row.fatalities);
        if let Some(date) = row.date {
            let dated = Dated {
                date,
                precision: row.time_precision,
            };
            if self.first.is_none_or(|f| date < f.date) {
                self.first = Some(dated);
            }
            if self.last.is_none_or(|l| date > l.date) {
                self.last = Some(dated);
            }
        }
    }
}

/// The totals of every row of the index's table that passes `filter` (located or not),
/// grouped by `by`, in the order of their keys.
///
/// ```
/// use borderwatch::incidents::load_reader;
/// use borderwatch::index::{Filter, Grouping, IncidentIndex, summarise};
/// let csv = "event_id_cnty,event_date,latitude,longitude,fatalities\n\
///            a,2017-10,37.1,68.9,2\nb,2017-10-20,37.2,69.0,\n";
/// let table = load_reader(csv.as_bytes(), "t.csv", &Default::default()).unwrap();
/// let index = IncidentIndex::new(&table);
/// let groups = summarise(&index, &Filter::default(), Grouping::Month);
/// assert_eq!(groups[0].key, "2017-10");
/// assert_eq!(groups[0].fatalities.to_string(), "at least 2 (1 unknown)");
/// assert_eq!(groups[0].first.unwrap().to_string(), "2017-10");
/// assert_eq!(groups[0].last.unwrap().to_string(), "2017-10-20");
/// ```
pub fn summarise(index: &IncidentIndex, filter: &Filter, by: Grouping) -> Vec<Group> {
    let table = index.table();
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (i, row) in table.rows().iter().enumerate() {
        if !filter.matches(index, i as u32) {
            continue;
        }
        for key in keys(table, row, by) {
            let key = if key.is_empty() {
                EMPTY_GROUP.to_string()
            } else {
                key
            };
            groups
                .entry(key.clone())
                .or_insert_with(|| Group {
                    key,
                    incidents: 0,
                    fatalities: Fatalities::default(),
                    first: None,
                    last: None,
                })
                .add(row);
        }
    }
    groups.into_values().collect()
}

/// The groups a row counts in.
fn keys(table: &IncidentTable, row: &Incident, by: Grouping) -> Vec<String> {
    let dated = |format: &str| {
        row.date
            .map_or_else(|| UNKNOWN_DATE.into(), |d| d.format(format).to_string())
    };
    match by {
        Grouping::Month => vec![dated("%Y-%m")],
        Grouping::Year => vec![dated("%Y")],
        Grouping::Country => vec![table.text(row.country).to_string()],
        Grouping::Admin1 => vec![table.text(row.admin1).to_string()],
        Grouping::Admin2 => vec![table.text(row.admin2).to_string()],
        Grouping::Type => vec![table.text(row.event_type).to_string()],
        Grouping::Actor => {
            let actors: Vec<String> = [row.actor1, row.actor2]
                .iter()
                .map(|&a| table.text(a).to_string())
                .filter(|a| !a.is_empty())
                .collect();
            // An incident that names no actor still counts, in the empty group.
            if actors.is_empty() {
                vec![String::new()]
            } else {
                actors
            }
        }
    }
}
