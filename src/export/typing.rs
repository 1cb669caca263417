//! Column typing for the typed outputs (FlatGeobuf, GeoParquet): each property column gets
//! the narrowest type that holds every value, and values are written as text the way CSV
//! writes them. A leaf: the spill and the writers use it.

use serde_json::Value;

use super::feature::Feature;

/// The type of a property column, the narrowest that holds every value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// true or false.
    Bool,
    /// Whole numbers.
    Long,
    /// Numbers with a fraction.
    Double,
    /// Text, and anything else as its JSON text (lists joined by `|`, as in CSV).
    Text,
}

/// A property column: name (in first-seen order) and type.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

/// The columns of a layer as its features arrive: every property name in the order first
/// seen, typed by all values (nulls fit any type; a column of nulls only is text).
#[derive(Debug, Default)]
pub(crate) struct ColumnSet {
    columns: Vec<(String, Option<ColumnKind>)>,
    // Where each name sits in `columns`: layers of a million features look names up often.
    slots: rustc_hash::FxHashMap<String, usize>,
}

impl ColumnSet {
    /// Counts `value` in column `name` and returns the column's number.
    pub(crate) fn observe(&mut self, name: &str, value: &Value) -> usize {
        let kind = match value {
            Value::Null => None,
            Value::Bool(_) => Some(ColumnKind::Bool),
            Value::Number(n) if n.is_i64() => Some(ColumnKind::Long),
            Value::Number(_) => Some(ColumnKind::Double),
            _ => Some(ColumnKind::Text),
        };
        let index = self.slot(name);
        self.observe_kind(index, kind);
        index
    }

    /// The number of column `name`, added last if new.
    pub(crate) fn slot(&mut self, name: &str) -> usize {
        match self.slots.get(name) {
            Some(&i) => i,
            None => {
                self.slots.insert(name.to_string(), self.columns.len());
                self.columns.push((name.to_string(), None));
                self.columns.len() - 1
            }
        }
    }

    /// Counts values of type `kind` (None: nulls) in column number `index`.
    pub(crate) fn observe_kind(&mut self, index: usize, kind: Option<ColumnKind>) {
        let slot = &mut self.columns[index].1;
        *slot = widen(*slot, kind);
    }

    /// The columns so far.
    pub(crate) fn columns(&self) -> Vec<Column> {
        self.columns
            .iter()
            .map(|(name, kind)| Column {
                name: name.clone(),
                kind: kind.unwrap_or(ColumnKind::Text),
            })
            .collect()
    }
}

/// The narrowest type that holds values of types `a` and `b` (None: only nulls so far):
/// whole numbers and fractions make Double, any other two types Text.
pub(crate) fn widen(a: Option<ColumnKind>, b: Option<ColumnKind>) -> Option<ColumnKind> {
    match (a, b) {
        (None, k) | (k, None) => k,
        (Some(a), Some(b)) if a == b => Some(a),
        (Some(ColumnKind::Long), Some(ColumnKind::Double))
        | (Some(ColumnKind::Double), Some(ColumnKind::Long)) => Some(ColumnKind::Double),
        _ => Some(ColumnKind::Text),
    }
}

/// The columns of a layer: every property name in the order first seen, typed by all values
/// (nulls fit any type; a column of nulls only is text).
pub fn columns(features: &[Feature]) -> Vec<Column> {
    let mut set = ColumnSet::default();
    for f in features {
        for (name, value) in &f.properties {
            set.observe(name, value);
        }
    }
    set.columns()
}

/// A property as text (text columns, CSV): lists joined by `|`, nothing for null.
pub fn text_value(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
                .collect::<Vec<_>>()
                .join("|"),
        ),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn feature(properties: Value) -> Feature {
        Feature {
            id: None,
            geometry: Some(geo::Point::new(70.0, 37.0).into()),
            properties: properties.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn columns_take_the_narrowest_type_that_holds_every_value() {
        let features = [
            feature(json!({"n": 1, "x": 1, "t": null, "b": true, "l": ["a", "b"]})),
            feature(json!({"n": 2, "x": 2.5, "t": "text", "b": null, "l": []})),
        ];
        let kinds: Vec<(String, ColumnKind)> = columns(&features)
            .into_iter()
            .map(|c| (c.name, c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("n".to_string(), ColumnKind::Long),
                ("x".to_string(), ColumnKind::Double),
                ("t".to_string(), ColumnKind::Text),
                ("b".to_string(), ColumnKind::Bool),
                ("l".to_string(), ColumnKind::Text),
            ]
        );
        assert_eq!(text_value(&json!(["a", "b"])).as_deref(), Some("a|b"));
    }
}
