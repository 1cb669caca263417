//! Incidents from GeoJSON: a FeatureCollection (RFC 7946), a GeoJSON text sequence (RFC
//! 8142) or one Feature per line. Features become rows of a CSV in memory, read like any
//! other table: the properties are the columns, a Point geometry gives latitude and
//! longitude. Row N of the messages is feature N - 1 (the header is line 1) when no property
//! holds a line break.

use crate::error::Reason;
use serde_json::Value;

/// Whether the input looks like GeoJSON rather than CSV (first byte `{` or RS).
pub fn looks_like_geojson(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{' || b == 0x1e)
}

/// The features of a GeoJSON input, or why it is not GeoJSON.
fn features(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 ({e})"))?;
    let text = text.trim_start_matches('\u{feff}');
    let sequence = text.trim_start().starts_with('\u{1e}');
    if !sequence && let Ok(document) = serde_json::from_str::<Value>(text) {
        return match document.get("type").and_then(Value::as_str) {
            Some("FeatureCollection") => document
                .get("features")
                .and_then(Value::as_array)
                .cloned()
                .ok_or_else(|| "a FeatureCollection without a features array".to_string()),
            Some("Feature") => Ok(vec![document]),
            other => Err(format!(
                "expected a FeatureCollection or Features, found type {other:?}"
            )),
        };
    }
    // A text sequence: records separated by RS or by line breaks.
    text.split(['\u{1e}', '\n'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .enumerate()
        .map(|(i, record)| {
            serde_json::from_str::<Value>(record)
                .map_err(|e| format!("feature {}: not JSON ({e})", i + 1))
        })
        .collect()
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// Converts GeoJSON incidents to CSV: every property key (in order of first appearance) is a
/// column, then `latitude` and `longitude` from Point geometries. A feature whose geometry is
/// not a Point keeps its coordinates empty and gets the reason in a `geometry_problem` column,
/// which the reader rejects.
pub fn to_csv(bytes: &[u8]) -> Result<Vec<u8>, Reason> {
    csv_of(bytes).map_err(Reason)
}

fn csv_of(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let features = features(bytes)?;
    let mut columns: Vec<String> = Vec::new();
    for f in &features {
        if let Some(properties) = f.get("properties").and_then(Value::as_object) {
            for key in properties.keys() {
                if !matches!(key.as_str(), "latitude" | "longitude") && !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = columns.clone();
    header.extend([
        "latitude".into(),
        "longitude".into(),
        "geometry_problem".into(),
    ]);
    out.write_record(&header).map_err(|e| e.to_string())?;
    for f in &features {
        let properties = f.get("properties").and_then(Value::as_object);
        let mut record: Vec<String> = columns
            .iter()
            .map(|c| {
                properties
                    .and_then(|p| p.get(c))
                    .map(cell)
                    .unwrap_or_default()
            })
            .collect();
        let (lat, lon, problem) = match f.get("geometry") {
            None | Some(Value::Null) => (String::new(), String::new(), String::new()),
            Some(g) if g.get("type").and_then(Value::as_str) == Some("Point") => {
                match g
                    .get("coordinates")
                    .and_then(Value::as_array)
                    .map(|c| c.as_slice())
                {
                    Some([lon, lat, ..]) => (cell(lat), cell(lon), String::new()),
                    _ => (
                        String::new(),
                        String::new(),
                        "a Point without coordinates".into(),
                    ),
                }
            }
            Some(g) => (
                String::new(),
                String::new(),
                format!(
                    "expected a Point, found {}",
                    g.get("type").and_then(Value::as_str).unwrap_or("no type")
                ),
            ),
        };
        record.extend([lat, lon, problem]);
        out.write_record(&record).map_err(|e| e.to_string())?;
    }
    out.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_sequences_and_lines_convert() {
        let collection = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[69.1,37.2]},"properties":{"event_id_cnty":"a","fatalities":3}},
            {"type":"Feature","geometry":null,"properties":{"event_id_cnty":"b","location":"Kevron"}}]}"#;
        let csv = String::from_utf8(to_csv(collection.as_bytes()).unwrap()).unwrap();
        assert_eq!(
            csv,
            "event_id_cnty,fatalities,location,latitude,longitude,geometry_problem\na,3,,37.2,69.1,\nb,,Kevron,,,\n"
        );
        let sequence = "\u{1e}{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[]},\"properties\":{\"id\":\"x\"}}\n";
        let csv = String::from_utf8(to_csv(sequence.as_bytes()).unwrap()).unwrap();
        assert!(
            csv.ends_with("x,,,\"expected a Point, found LineString\"\n"),
            "{csv}"
        );
        assert!(looks_like_geojson(b"  {\"type\""));
        assert!(!looks_like_geojson(b"id,lat,lon"));
    }

    #[test]
    fn not_geojson_is_an_error() {
        assert!(
            to_csv(b"{\"type\":\"Polygon\"}")
                .unwrap_err()
                .as_str()
                .contains("expected a FeatureCollection")
        );
        assert!(
            to_csv(b"\x1e{not json")
                .unwrap_err()
                .as_str()
                .contains("feature 1: not JSON")
        );
    }
}
