//! The legend: a column of rows, each a key (a symbol, the size key, a line) and a text. The
//! rows are laid out once, and both the box and the drawing read that layout, so every text
//! is measured with the shipped fonts where it is drawn and the box always holds it.

use std::collections::BTreeMap;

use super::frame::Rect;
use super::labels::text_width;
use super::layout::Size;
use super::svg::{Svg, bounds_data, num};
use super::{Incident, Shape, Symbol, TYPES, draw_symbol, radius, style_of};

/// The colour of the line saying what could not be placed.
const WARNING: &str = "#a11b12";
/// Space between the box's edge and its contents, px.
const PADDING: f64 = 12.0;
/// Space below the last baseline, px.
const BOTTOM: f64 = 14.0;
/// Text to the right of a symbol or the aggregate key, px from the padding.
const AFTER_SYMBOL: f64 = 22.0;
/// Text to the right of a line key, px from the padding.
const AFTER_LINE: f64 = 24.0;
/// The radius of an event type's symbol in the legend, px.
const KEY_RADIUS: f64 = 6.0;
/// The fatality counts of the size key.
const SIZE_KEY: [u32; 3] = [1, 10, 50];
/// Space between the circles of the size key, px.
const SIZE_KEY_GAP: f64 = 10.0;
/// The line keys: label, stroke, stroke width and dash array, as the basemap draws them.
static LINES: [LineKey; 3] = [
    LineKey {
        label: "AF–TJ border",
        stroke: "#b2182b",
        width: "2.6",
        dash: "",
    },
    LineKey {
        label: "other borders",
        stroke: "#7d7d7d",
        width: "1.2",
        dash: "5 3",
    },
    LineKey {
        label: "rivers",
        stroke: "#5b9bd5",
        width: "1.4",
        dash: "",
    },
];

/// A line drawn in the legend as the map draws it.
struct LineKey {
    label: &'static str,
    stroke: &'static str,
    width: &'static str,
    dash: &'static str,
}

/// What stands left of a row's text.
enum Key {
    /// Nothing: a heading.
    Heading,
    /// The symbol of an event type.
    Symbol(String),
    /// Circles for [`SIZE_KEY`] fatalities.
    Sizes,
    /// The outline of a symbol whose toll is unknown.
    UnknownToll,
    /// A numbered aggregate.
    Aggregate,
    /// A line of the basemap.
    Line(&'static LineKey),
}

impl Key {
    /// Where the row's text starts, px right of the padding.
    fn text_x(&self) -> f64 {
        match self {
            Key::Heading => 0.0,
            Key::Symbol(_) | Key::Aggregate | Key::UnknownToll => AFTER_SYMBOL,
            Key::Line(_) => AFTER_LINE,
            Key::Sizes => {
                2.0 + SIZE_KEY
                    .iter()
                    .map(|&f| 2.0 * radius(f) + SIZE_KEY_GAP)
                    .sum::<f64>()
            }
        }
    }
}

/// One row: its key, its text and how it is set.
struct Row {
    key: Key,
    text: String,
    /// Font size, px.
    size: f64,
    bold: bool,
    colour: &'static str,
    /// From the previous baseline (or the box's top) to this one, px.
    advance: f64,
}

impl Row {
    fn new(key: Key, text: String, size: f64, advance: f64) -> Row {
        Row {
            key,
            text,
            size,
            bold: false,
            colour: "#4a5560",
            advance,
        }
    }

    /// Where the text ends, px right of the padding.
    fn right(&self) -> f64 {
        self.key.text_x() + text_width(&self.text, self.size, self.bold, 0.0)
    }
}

/// The legend's rows and the size of the box that holds them.
pub(super) struct Legend {
    rows: Vec<Row>,
    /// The size of the box.
    pub size: Size,
}

impl Legend {
    /// The legend of `incidents`: a count per event type drawn (in ACLED's order), the size
    /// key, the aggregate key and the line keys; under the heading, how many incidents that
    /// pass the filters could not be placed (no coordinates), when any.
    pub fn new(incidents: &[Incident], unplaced: Unplaced) -> Legend {
        let mut rows = vec![Row {
            bold: true,
            colour: "#1d2329",
            ..Row::new(
                Key::Heading,
                format!("Incidents ({})", incidents.len()),
                12.0,
                20.0,
            )
        }];
        if unplaced.count > 0 {
            rows.push(Row {
                colour: WARNING,
                ..Row::new(Key::Heading, unplaced.text(), 11.0, 16.0)
            });
        }
        for (i, (event_type, n)) in type_counts(incidents).into_iter().enumerate() {
            let name = if event_type.is_empty() {
                "Unknown type"
            } else {
                event_type.as_str()
            };
            let text = format!("{name} ({n})");
            let advance = if i == 0 { 28.0 } else { 20.0 };
            rows.push(Row {
                colour: "#1d2329",
                ..Row::new(Key::Symbol(event_type), text, 12.0, advance)
            });
        }
        rows.push(Row::new(Key::Sizes, "fatalities".into(), 11.0, 50.0));
        let unknown = incidents.iter().filter(|i| i.fatalities.is_none()).count();
        if unknown > 0 {
            let text = format!("fatalities unknown ({unknown})");
            rows.push(Row::new(Key::UnknownToll, text, 11.0, 30.0));
        }
        let aggregate = "incidents drawn as one at this scale".to_string();
        rows.push(Row::new(Key::Aggregate, aggregate, 11.0, 36.0));
        for line in &LINES {
            rows.push(Row::new(Key::Line(line), line.label.into(), 11.0, 18.0));
        }
        let widest = rows.iter().map(Row::right).fold(0.0, f64::max);
        let size = Size {
            width: PADDING + widest + PADDING,
            height: rows.iter().map(|r| r.advance).sum::<f64>() + BOTTOM,
        };
        Legend { rows, size }
    }

    /// The boxes of the rows' texts when the legend is drawn at `r`, for tests.
    #[cfg(test)]
    fn text_boxes(&self, r: Rect) -> Vec<Rect> {
        let mut y = r.y0;
        self.rows
            .iter()
            .map(|row| {
                y += row.advance;
                let x = r.x0 + PADDING + row.key.text_x();
                let w = text_width(&row.text, row.size, row.bold, 0.0);
                Rect::new(x, y - row.size, w, row.size * 1.25)
            })
            .collect()
    }
}

/// The incidents that pass the filters but have no coordinates.
#[derive(Debug, Clone, Copy)]
pub(super) struct Unplaced {
    /// How many.
    pub count: usize,
    /// The image shows a place or a box the user chose, not the extent of the data: an
    /// incident with no coordinates may lie outside it, and the legend must not claim it.
    pub bounded_view: bool,
}

impl Unplaced {
    /// "1 incident could not be placed (no coordinates)" on a map fitted to the data;
    /// "3 incidents with no coordinates not drawn (may lie outside this view)" on a map of a
    /// chosen place or box.
    fn text(self) -> String {
        let n = self.count;
        let noun = if n == 1 { "incident" } else { "incidents" };
        if self.bounded_view {
            format!("{n} {noun} with no coordinates not drawn (may lie outside this view)")
        } else {
            format!("{n} {noun} could not be placed (no coordinates)")
        }
    }
}

/// (event type, count) of the types drawn, in ACLED's order, then by name.
fn type_counts(incidents: &[Incident]) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for i in incidents {
        *counts.entry(i.event_type.as_str()).or_default() += 1;
    }
    let rank = |t: &str| {
        TYPES
            .iter()
            .position(|(n, _, _)| n.eq_ignore_ascii_case(t))
            .unwrap_or(TYPES.len())
    };
    let mut rows: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(t, n)| (t.to_string(), n))
        .collect();
    rows.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
    rows
}

/// Draws the legend in the box `r`.
pub(super) fn draw(svg: &mut Svg, legend: &Legend, r: Rect) {
    let bounds = bounds_data(r);
    svg.element("g", &[("id", "legend"), ("data-bounds", &bounds)], None);
    svg.rect(
        r,
        &[
            ("fill", "#ffffff"),
            ("fill-opacity", "0.92"),
            ("stroke", "#9aa3ab"),
        ],
    );
    let x = r.x0 + PADDING;
    let mut y = r.y0;
    for row in &legend.rows {
        y += row.advance;
        draw_key(svg, &row.key, x, y);
        let (tx, ty, size) = (num(x + row.key.text_x()), num(y), num(row.size));
        let mut attrs = vec![
            ("x", tx.as_str()),
            ("y", ty.as_str()),
            ("font-size", size.as_str()),
            ("fill", row.colour),
        ];
        if row.bold {
            attrs.push(("font-weight", "bold"));
        }
        if let Key::Symbol(t) = &row.key {
            attrs.extend([("class", "legend-type"), ("data-type", t.as_str())]);
        }
        svg.element("text", &attrs, Some(&row.text));
    }
    svg.close("g");
}

/// Draws a row's key left of its text, on the baseline `y`.
fn draw_key(svg: &mut Svg, key: &Key, x: f64, y: f64) {
    match key {
        Key::Heading => {}
        Key::Symbol(t) => {
            let (colour, shape) = style_of(t);
            let symbol = Symbol {
                shape,
                colour,
                at: (x + 7.0, y - 4.0),
                r: KEY_RADIUS,
                toll_unknown: false,
            };
            draw_symbol(svg, &symbol, t, None);
        }
        Key::Sizes => draw_size_key(svg, x, y),
        Key::UnknownToll => {
            let symbol = Symbol {
                shape: Shape::Circle,
                colour: "#ffffff",
                at: (x + 7.0, y - 4.0),
                r: radius(0),
                toll_unknown: true,
            };
            draw_symbol(svg, &symbol, "", None);
        }
        Key::Aggregate => draw_aggregate_key(svg, x, y),
        Key::Line(line) => {
            let d = format!("M{} {}h18", num(x), num(y - 4.0));
            let mut attrs = vec![
                ("d", d.as_str()),
                ("stroke", line.stroke),
                ("stroke-width", line.width),
            ];
            if !line.dash.is_empty() {
                attrs.push(("stroke-dasharray", line.dash));
            }
            svg.empty("path", &attrs);
        }
    }
}

/// Circles for 1, 10 and 50 fatalities standing on the baseline, their numbers below.
fn draw_size_key(svg: &mut Svg, x: f64, y: f64) {
    let mut kx = x + 2.0;
    for f in SIZE_KEY {
        let rr = radius(f);
        svg.empty(
            "circle",
            &[
                ("cx", &num(kx + rr)),
                ("cy", &num(y - rr)),
                ("r", &num(rr)),
                ("fill", "none"),
                ("stroke", "#4a4a4a"),
            ],
        );
        svg.element(
            "text",
            &[
                ("x", &num(kx + rr)),
                ("y", &num(y + 12.0)),
                ("font-size", "10"),
                ("text-anchor", "middle"),
                ("fill", "#4a5560"),
            ],
            Some(&f.to_string()),
        );
        kx += 2.0 * rr + SIZE_KEY_GAP;
    }
}

/// A numbered aggregate symbol, as the map draws them.
fn draw_aggregate_key(svg: &mut Svg, x: f64, y: f64) {
    svg.empty(
        "circle",
        &[
            ("cx", &num(x + 8.0)),
            ("cy", &num(y - 4.0)),
            ("r", "9"),
            ("fill", "#7d7d7d"),
            ("stroke", "#1d2329"),
            ("stroke-width", "1.5"),
        ],
    );
    svg.element(
        "text",
        &[
            ("x", &num(x + 8.0)),
            ("y", &num(y)),
            ("font-size", "9"),
            ("font-weight", "bold"),
            ("text-anchor", "middle"),
            ("fill", "#ffffff"),
        ],
        Some("12"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(event_type: &str) -> Incident {
        Incident {
            point: geo::Point::new(0.0, 0.0),
            px: (0.0, 0.0),
            event_type: event_type.into(),
            fatalities: Some(0),
        }
    }

    #[test]
    fn what_could_not_be_placed_is_said_only_when_something_was_not() {
        let texts = |count, bounded_view| -> Vec<String> {
            let unplaced = Unplaced {
                count,
                bounded_view,
            };
            let legend = Legend::new(&[incident("Battles")], unplaced);
            legend.rows.into_iter().map(|r| r.text).collect()
        };
        assert_eq!(
            texts(1, false)[1],
            "1 incident could not be placed (no coordinates)"
        );
        assert_eq!(
            texts(2, false)[1],
            "2 incidents could not be placed (no coordinates)"
        );
        assert_eq!(
            texts(2, true)[1],
            "2 incidents with no coordinates not drawn (may lie outside this view)"
        );
        assert_eq!(texts(0, false)[1], "Battles (1)");
    }

    #[test]
    fn unknown_tolls_get_their_own_key_only_when_drawn() {
        let texts = |incidents: &[Incident]| -> Vec<String> {
            let none = Unplaced {
                count: 0,
                bounded_view: false,
            };
            let legend = Legend::new(incidents, none);
            legend.rows.into_iter().map(|r| r.text).collect()
        };
        let known = incident("Battles");
        let unknown = Incident {
            fatalities: None,
            ..incident("Battles")
        };
        assert!(!texts(&[known]).iter().any(|t| t.contains("unknown")));
        let both = texts(&[incident("Battles"), unknown]);
        assert!(both.contains(&"fatalities unknown (1)".to_string()));
    }

    #[test]
    fn every_line_fits_inside_the_box() {
        let long = "A very long event type from somebody's own export (Cyrillic: Вооружённое столкновение)";
        for incidents in [
            vec![],
            vec![incident("Battles")],
            vec![incident("Battles"), incident(""), incident(long)],
        ] {
            let many = Unplaced {
                count: 12_345,
                bounded_view: true,
            };
            let legend = Legend::new(&incidents, many);
            let r = Rect::new(30.0, 40.0, legend.size.width, legend.size.height);
            let inner = Rect::new(r.x0 + PADDING, r.y0, r.width() - 2.0 * PADDING, r.height());
            for text in legend.text_boxes(r) {
                assert!(inner.contains(&text), "{text:?} outside {inner:?}");
            }
        }
    }
}
