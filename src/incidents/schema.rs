//! The incident columns and how input headers map to them.

use crate::error::Reason;

/// A column of the incident schema (ACLED names; `source_url`, `evidence` and `geocoded` are
/// ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// `event_id_cnty`.
    Id,
    /// `event_date`.
    Date,
    /// `time_precision`.
    TimePrecision,
    /// `event_type`.
    EventType,
    /// `sub_event_type`.
    SubEventType,
    /// `actor1`.
    Actor1,
    /// `actor2`.
    Actor2,
    /// `country`.
    Country,
    /// `admin1` (province).
    Admin1,
    /// `admin2` (district).
    Admin2,
    /// `location`.
    Location,
    /// `latitude`.
    Latitude,
    /// `longitude`.
    Longitude,
    /// `geo_precision`.
    GeoPrecision,
    /// `fatalities`.
    Fatalities,
    /// `notes`.
    Notes,
    /// `source`.
    Source,
    /// `source_url` (ours).
    SourceUrl,
    /// `evidence` (ours).
    Evidence,
    /// `geocoded` (ours).
    Geocoded,
}

impl Column {
    /// Every column, in the order our CSV writes them.
    pub const ALL: [Column; 20] = [
        Column::Id,
        Column::Date,
        Column::TimePrecision,
        Column::EventType,
        Column::SubEventType,
        Column::Actor1,
        Column::Actor2,
        Column::Country,
        Column::Admin1,
        Column::Admin2,
        Column::Location,
        Column::Latitude,
        Column::Longitude,
        Column::GeoPrecision,
        Column::Fatalities,
        Column::Notes,
        Column::Source,
        Column::SourceUrl,
        Column::Evidence,
        Column::Geocoded,
    ];

    /// The column's name in our CSV (the ACLED name where ACLED has one).
    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "event_id_cnty",
            Column::Date => "event_date",
            Column::TimePrecision => "time_precision",
            Column::EventType => "event_type",
            Column::SubEventType => "sub_event_type",
            Column::Actor1 => "actor1",
            Column::Actor2 => "actor2",
            Column::Country => "country",
            Column::Admin1 => "admin1",
            Column::Admin2 => "admin2",
            Column::Location => "location",
            Column::Latitude => "latitude",
            Column::Longitude => "longitude",
            Column::GeoPrecision => "geo_precision",
            Column::Fatalities => "fatalities",
            Column::Notes => "notes",
            Column::Source => "source",
            Column::SourceUrl => "source_url",
            Column::Evidence => "evidence",
            Column::Geocoded => "geocoded",
        }
    }

    /// Header names recognised for this column (after lower-casing and turning spaces and
    /// hyphens into underscores), as kepler.gl and GIS tools do; the first is the short name
    /// `--columns` accepts.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Id => &["id", "event_id_cnty", "event_id", "eventid", "incident_id"],
            Column::Date => &["date", "event_date", "datetime", "day"],
            Column::TimePrecision => &["time_precision"],
            Column::EventType => &["type", "event_type", "category"],
            Column::SubEventType => &["sub_type", "sub_event_type", "subtype"],
            Column::Actor1 => &["actor1", "actor_1", "perpetrator"],
            Column::Actor2 => &["actor2", "actor_2", "target"],
            Column::Country => &["country", "country_name"],
            Column::Admin1 => &["admin1", "adm1", "adm_1", "province", "admin1_name"],
            Column::Admin2 => &["admin2", "adm2", "adm_2", "district", "admin2_name"],
            Column::Location => &["location", "place", "location_name", "place_name", "town"],
            Column::Latitude => &["lat", "latitude", "y", "lat_dd", "latitude_dd"],
            Column::Longitude => &[
                "lon",
                "longitude",
                "lng",
                "long",
                "x",
                "lon_dd",
                "longitude_dd",
            ],
            Column::GeoPrecision => &["precision", "geo_precision"],
            Column::Fatalities => &["fatalities", "deaths", "killed", "fatality", "dead"],
            Column::Notes => &["notes", "description", "summary", "note"],
            Column::Source => &["source", "sources"],
            Column::SourceUrl => &["source_url", "url", "link"],
            Column::Evidence => &["evidence", "quote"],
            Column::Geocoded => &["geocoded"],
        }
    }

    /// The column for a header or `--columns` key, if it is one we know.
    pub fn from_header(header: &str) -> Option<Column> {
        let key = normalise(header);
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&key.as_str()))
    }
}

fn normalise(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace([' ', '-', '.'], "_")
}

/// What kind of file it is: decides a few value mappings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Decide from the header (UCDP GED when it has `where_prec` and `type_of_violence`).
    #[default]
    Auto,
    /// ACLED exports and our own CSV.
    Acled,
    /// UCDP GED: `where_prec`/`date_prec` mapped to ACLED precisions, `best` as fatalities.
    Ucdp,
}

/// Columns that borderwatch works out for its outputs (exports, query hits): read back from
/// one of its own files they are computed afresh, not kept beside the new values.
pub const COMPUTED: [&str; 5] = ["border_km", "side", "distance_km", "bearing", "query_id"];

/// Which input column holds each schema column.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    /// Input index of each schema column, by `Column as usize`.
    pub(crate) columns: [Option<usize>; Column::ALL.len()],
    /// Input columns the schema does not name: (input index, header).
    pub(crate) extras: Vec<(usize, String)>,
    /// A WKT geometry column (as our CSV layers write), used when latitude/longitude are empty.
    pub(crate) wkt: Option<usize>,
    /// Why a GeoJSON feature has no usable point (set by the GeoJSON reader).
    pub(crate) geometry_problem: Option<usize>,
    pub(crate) ucdp: bool,
}

impl ColumnMap {
    /// Maps a header. `overrides` are pairs (schema key, input header) given by the user; a
    /// refusal names the pair, and the caller says where the pairs came from.
    ///
    /// ```
    /// use borderwatch::incidents::{Column, ColumnMap, InputFormat};
    /// let map = ColumnMap::new(&["Y", "X", "when"], &[("date".into(), "when".into())],
    ///                          InputFormat::Auto).unwrap();
    /// assert_eq!(map.index(Column::Latitude), Some(0));
    /// assert_eq!(map.index(Column::Date), Some(2));
    /// ```
    pub fn new(
        header: &[&str],
        overrides: &[(String, String)],
        format: InputFormat,
    ) -> Result<ColumnMap, Reason> {
        ColumnMap::of(header, overrides, format).map_err(Reason)
    }

    /// [`ColumnMap::new`], the refusal as text.
    fn of(
        header: &[&str],
        overrides: &[(String, String)],
        format: InputFormat,
    ) -> Result<ColumnMap, String> {
        let normalised: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        let has = |name: &str| normalised.iter().any(|h| h == name);
        let ucdp = match format {
            InputFormat::Auto => has("where_prec") && has("type_of_violence"),
            InputFormat::Acled => false,
            InputFormat::Ucdp => true,
        };
        let mut columns = overridden(header, overrides)?;
        recognise(&mut columns, &normalised, ucdp);
        let wkt = normalised
            .iter()
            .position(|h| matches!(h.as_str(), "geometry" | "wkt" | "the_geom" | "geom"))
            .filter(|i| !columns.contains(&Some(*i)));
        let geometry_problem = normalised.iter().position(|h| h == "geometry_problem");
        let mut map = ColumnMap {
            columns,
            extras: Vec::new(),
            wkt,
            geometry_problem,
            ucdp,
        };
        map.extras = map.unmapped(header, &normalised);
        Ok(map)
    }

    /// The input columns of `header` that the map leaves to `extras`: neither a schema
    /// column, nor the geometry, nor one that borderwatch computes.
    fn unmapped(&self, header: &[&str], normalised: &[String]) -> Vec<(usize, String)> {
        header
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                !self.columns.contains(&Some(*i))
                    && Some(*i) != self.wkt
                    && Some(*i) != self.geometry_problem
                    && !COMPUTED.contains(&normalised[*i].as_str())
            })
            .map(|(i, h)| (i, h.trim().trim_start_matches('\u{feff}').to_string()))
            .collect()
    }

    /// The input index of a schema column.
    pub fn index(&self, column: Column) -> Option<usize> {
        self.columns[column as usize]
    }
}

/// UCDP GED's names of schema columns, taken before the schema's aliases in UCDP files.
const UCDP_NAMES: [(&str, Column); 11] = [
    ("date_start", Column::Date),
    ("date_prec", Column::TimePrecision),
    ("side_a", Column::Actor1),
    ("side_b", Column::Actor2),
    ("adm_1", Column::Admin1),
    ("adm_2", Column::Admin2),
    ("where_coordinates", Column::Location),
    ("where_prec", Column::GeoPrecision),
    ("best", Column::Fatalities),
    ("type_of_violence", Column::EventType),
    ("source_article", Column::Source),
];

/// The input index of each schema column that the user's `overrides` (schema key, input
/// header) name; a key or header that does not exist is refused.
fn overridden(
    header: &[&str],
    overrides: &[(String, String)],
) -> Result<[Option<usize>; Column::ALL.len()], String> {
    let mut columns: [Option<usize>; Column::ALL.len()] = [None; Column::ALL.len()];
    for (key, wanted) in overrides {
        let column = Column::from_header(key).ok_or_else(|| {
            let keys: Vec<_> = Column::ALL.iter().map(|c| c.aliases()[0]).collect();
            format!("unknown column {key:?}: use one of {}", keys.join(", "))
        })?;
        let index = header
            .iter()
            .position(|h| h.trim() == wanted.trim())
            .ok_or_else(|| {
                format!(
                    "{key}={wanted}: the file has no column {wanted:?} (it has: {})",
                    header.join(", ")
                )
            })?;
        columns[column as usize] = Some(index);
    }
    Ok(columns)
}

/// Maps the input columns not in `columns` yet by their `normalised` headers (UCDP's names
/// first when `ucdp`): each schema column takes the first input column that names it.
fn recognise(columns: &mut [Option<usize>; Column::ALL.len()], normalised: &[String], ucdp: bool) {
    for (index, name) in normalised.iter().enumerate() {
        if columns.contains(&Some(index)) {
            continue;
        }
        let column = if ucdp {
            UCDP_NAMES
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, c)| *c)
                .or_else(|| Column::from_header(name))
        } else {
            Column::from_header(name)
        };
        if let Some(c) = column
            && columns[c as usize].is_none()
        {
            columns[c as usize] = Some(index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acled_header_maps_every_column() {
        let header = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp";
        let fields: Vec<&str> = header.split(',').collect();
        let map = ColumnMap::new(&fields, &[], InputFormat::Auto).unwrap();
        assert_eq!(map.index(Column::Latitude), Some(22));
        assert_eq!(map.index(Column::Fatalities), Some(28));
        assert_eq!(map.index(Column::Admin1), Some(18));
        let extras: Vec<&str> = map.extras.iter().map(|(_, h)| h.as_str()).collect();
        assert_eq!(
            extras,
            [
                "year",
                "disorder_type",
                "assoc_actor_1",
                "inter1",
                "assoc_actor_2",
                "inter2",
                "interaction",
                "civilian_targeting",
                "iso",
                "region",
                "admin3",
                "source_scale",
                "tags",
                "timestamp"
            ]
        );
    }

    #[test]
    fn computed_columns_of_our_own_outputs_are_not_kept() {
        let header = [
            "query_id",
            "event_id_cnty",
            "latitude",
            "longitude",
            "tags",
            "distance_km",
            "bearing",
            "border_km",
            "side",
        ];
        let map = ColumnMap::new(&header, &[], InputFormat::Auto).unwrap();
        let extras: Vec<&str> = map.extras.iter().map(|(_, h)| h.as_str()).collect();
        assert_eq!(extras, ["tags"]);
    }

    #[test]
    fn usual_names_are_recognised() {
        let map = ColumnMap::new(&["Lat", "Lng", "Date", "ID"], &[], InputFormat::Auto).unwrap();
        assert_eq!(map.index(Column::Latitude), Some(0));
        assert_eq!(map.index(Column::Longitude), Some(1));
        assert_eq!(map.index(Column::Date), Some(2));
        assert_eq!(map.index(Column::Id), Some(3));
    }

    #[test]
    fn ucdp_is_detected() {
        let map = ColumnMap::new(
            &[
                "id",
                "type_of_violence",
                "side_a",
                "where_prec",
                "date_start",
                "latitude",
                "longitude",
                "best",
            ],
            &[],
            InputFormat::Auto,
        )
        .unwrap();
        assert!(map.ucdp);
        assert_eq!(map.index(Column::GeoPrecision), Some(3));
        assert_eq!(map.index(Column::Fatalities), Some(7));
    }

    #[test]
    fn bad_overrides_say_what_exists() {
        let err = ColumnMap::new(
            &["a", "b"],
            &[("lat".into(), "c".into())],
            InputFormat::Auto,
        )
        .unwrap_err();
        assert!(
            err.as_str().contains("no column \"c\" (it has: a, b)"),
            "{err}"
        );
        let err = ColumnMap::new(&["a"], &[("height".into(), "a".into())], InputFormat::Auto)
            .unwrap_err();
        assert!(err.as_str().contains("unknown column \"height\""), "{err}");
    }
}
