//! Why a query found nothing, in words a user can act on: no located incident at all, none
//! that passes the filters, or where the nearest one is.

use geo::Point;

use super::{Filter, IncidentIndex};
use crate::incidents::date::display_date;
use crate::spatial::geodesic_km;

/// Where the incidents that pass a filter are, when a query found none of them.
#[derive(Debug, Clone, PartialEq)]
pub enum Nothing {
    /// No row of the table has a location.
    NoLocatedIncident,
    /// Located rows exist but none passes the filters.
    NonePassesTheFilters {
        /// Located rows.
        located: usize,
        /// The first and last date among them, when a date filter is set and any is dated.
        dates: Option<(String, String)>,
    },
    /// Rows pass the filters, and the nearest to the query point is this far.
    NearestIs {
        /// Rows that pass the filters.
        passing: usize,
        /// Whether any filter is set (else every located row passes).
        filtered: bool,
        /// The id of the nearest of them.
        id: String,
        /// Its geodesic distance from the query point, km.
        km: f64,
    },
    /// Rows pass the filters, inside this box [west, south, east, north].
    PassingLieIn {
        /// Rows that pass the filters.
        passing: usize,
        /// Whether any filter is set (else every located row passes).
        filtered: bool,
        /// Their bounding box.
        bbox: [f64; 4],
    },
}

impl std::fmt::Display for Nothing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Nothing::NoLocatedIncident => f.write_str("no incident read has a location"),
            Nothing::NonePassesTheFilters { located, dates } => {
                write!(
                    f,
                    "none of the {located} located incidents passes the filters"
                )?;
                match dates {
                    Some((first, last)) => write!(f, " (their dates run from {first} to {last})"),
                    None => Ok(()),
                }
            }
            Nothing::NearestIs {
                passing,
                filtered,
                id,
                km,
            } => write!(
                f,
                "the nearest of the {passing} {} is {id}, {km:.1} km away",
                incidents(*filtered)
            ),
            Nothing::PassingLieIn {
                passing,
                filtered,
                bbox,
            } => write!(
                f,
                "the {passing} {} lie within {:.2},{:.2},{:.2},{:.2}",
                incidents(*filtered),
                bbox[0],
                bbox[1],
                bbox[2],
                bbox[3]
            ),
        }
    }
}

/// "incidents", or "incidents that pass the filters" when filters are set.
fn incidents(filtered: bool) -> &'static str {
    if filtered {
        "incidents that pass the filters"
    } else {
        "located incidents"
    }
}

/// Why a query of `index` with `filter` found nothing: the nearest passing incident to
/// `center` when one is given, else the box of the passing incidents. One pass over the
/// rows: it is asked only when the answer was empty.
///
/// ```
/// use borderwatch::incidents::IncidentTable;
/// use borderwatch::index::{Filter, IncidentIndex, why_nothing};
/// let table = IncidentTable::bundled();
/// let index = IncidentIndex::unindexed(&table);
/// let far = geo::Point::new(60.0, 30.0);
/// let why = why_nothing(&index, &Filter::default(), Some(far));
/// assert!(why.to_string().starts_with("the nearest of the 6 located incidents is "), "{why}");
/// ```
pub fn why_nothing(index: &IncidentIndex, filter: &Filter, center: Option<Point>) -> Nothing {
    let table = index.table();
    let located: Vec<u32> = (0..table.rows().len() as u32)
        .filter(|&row| table.rows()[row as usize].point().is_some())
        .collect();
    if located.is_empty() {
        return Nothing::NoLocatedIncident;
    }
    let passing: Vec<u32> = located
        .iter()
        .copied()
        .filter(|&row| filter.matches(index, row))
        .collect();
    let point = |row: u32| {
        table.rows()[row as usize]
            .point()
            .expect("located rows only")
    };
    if passing.is_empty() && (filter.since.is_none() && filter.until.is_none()) {
        return Nothing::NonePassesTheFilters {
            located: located.len(),
            dates: None,
        };
    }
    if passing.is_empty() {
        // A date filter excludes everything: say which dates there are.
        let dated = located.iter().filter_map(|&row| {
            let r = &table.rows()[row as usize];
            r.date.map(|d| (d, r.time_precision))
        });
        let first = dated.clone().min_by_key(|(d, _)| *d);
        let last = dated.max_by_key(|(d, _)| *d);
        let dates = first
            .zip(last)
            .map(|(f, l)| (display_date(f.0, f.1), display_date(l.0, l.1)));
        return Nothing::NonePassesTheFilters {
            located: located.len(),
            dates,
        };
    }
    match center {
        Some(center) => {
            let (row, km) = passing
                .iter()
                .map(|&row| (row, geodesic_km(center, point(row))))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .expect("some row passes");
            Nothing::NearestIs {
                passing: passing.len(),
                filtered: !filter.is_empty(),
                id: table.str(table.rows()[row as usize].id).to_string(),
                km,
            }
        }
        None => {
            let mut bbox = [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ];
            for &row in &passing {
                let p = point(row);
                bbox = [
                    bbox[0].min(p.x()),
                    bbox[1].min(p.y()),
                    bbox[2].max(p.x()),
                    bbox[3].max(p.y()),
                ];
            }
            Nothing::PassingLieIn {
                passing: passing.len(),
                filtered: !filter.is_empty(),
                bbox,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::IncidentTable;

    #[test]
    fn a_date_range_that_excludes_everything_says_what_the_data_holds() {
        let table = IncidentTable::bundled();
        let index = IncidentIndex::unindexed(&table);
        let filter = Filter {
            since: chrono::NaiveDate::from_ymd_opt(2030, 1, 1),
            ..Filter::default()
        };
        let why = why_nothing(&index, &filter, None).to_string();
        assert!(
            why == "none of the 6 located incidents passes the filters (their dates run from 2019-11-06 to 2023-08-30)",
            "{why}"
        );
    }

    #[test]
    fn a_box_question_is_told_where_the_incidents_are() {
        let table = IncidentTable::bundled();
        let index = IncidentIndex::unindexed(&table);
        let Nothing::PassingLieIn { passing, bbox, .. } =
            why_nothing(&index, &Filter::default(), None)
        else {
            panic!("incidents pass an empty filter");
        };
        assert_eq!(passing, 6);
        assert!(bbox[0] < bbox[2] && bbox[1] < bbox[3], "{bbox:?}");
    }
}
