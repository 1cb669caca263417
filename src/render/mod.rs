//! Briefing images: a map drawn as SVG by us, in a Lambert conformal conic projection centred
//! on the view, and rasterised to PNG by resvg with the fonts shipped in `fonts/`.
//!
//! Why not maplibre-rs: its headless mode draws one vector tile fetched over HTTP and has no
//! GeoJSON sources, labels, legend or scale bar (see the README's dependency notes).
//!
//! The same inputs give byte-identical SVG and PNG: no clock, no system fonts, ordered
//! iteration, numbers rounded to 0.1 px.

mod frame;
mod labels;
mod layout;
mod legend;
mod svg;

use std::collections::BTreeMap;

use geo::{Geometry, Point};

use crate::error::Reason;
pub use crate::untrusted::for_markup as escape;
pub use frame::{Frame, Rect};
pub use labels::{Placer, text_width};
pub use layout::{Anchor, CLEARANCE_PX, Size, choose_places};
use legend::{Legend, Unplaced};
use svg::{Svg, bounds_data, num, path_data};

use crate::export::{Bbox, raw_layer};
use crate::gazetteer::{Gazetteer, Kind, Place};
use crate::incidents::tally::Fatalities;
use crate::index::{Filter, IncidentIndex};
use crate::reference::Reference;
use crate::spatial::destination;

/// What part of the world the image shows.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    /// Incidents within `km` (geodesic) of a point, with the circle drawn.
    Around {
        /// The point.
        centre: Point,
        /// The radius, km.
        km: f64,
        /// What the point is called, for the title.
        name: String,
    },
    /// A lon/lat box: [west, south, east, north].
    Bbox([f64; 4]),
    /// Fitted to the incidents (the AF–TJ border when there are none).
    Fit,
}

/// How to draw the image.
#[derive(Debug, Clone)]
pub struct Options {
    /// What part of the world to show.
    pub view: View,
    /// Size in CSS pixels (the PNG is `scale` times larger).
    pub width: u32,
    /// Height in CSS pixels.
    pub height: u32,
    /// The title at the top.
    pub title: String,
    /// Default: the date range, the filters and the counts.
    pub subtitle: Option<String>,
    /// Place labels on (greedy placement) or off.
    pub labels: bool,
}

/// An image drawn: its SVG and what it holds.
#[derive(Debug, Clone)]
pub struct Drawn {
    /// The image as SVG text.
    pub svg: String,
    /// Incidents drawn (each once, aggregated or not).
    pub incidents: usize,
    /// Incidents that pass the filter but could not be placed (no coordinates); the legend
    /// says how many.
    pub unplaced: usize,
    /// Symbols drawn: single incidents plus aggregates.
    pub symbols: usize,
    /// Place labels placed.
    pub labels: usize,
    /// Where the map, the overlays and the symbols went.
    pub layout: Layout,
}

/// Where the parts of an image went, in px. No symbol comes within [`CLEARANCE_PX`] of the
/// legend, the inset or the scale bar, and every symbol lies inside the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The map, inside its frame.
    pub map: Rect,
    /// The legend's box.
    pub legend: Rect,
    /// The locator inset; none when the image is too small to hold it beside the map (a
    /// locator is a help, never data).
    pub inset: Option<Rect>,
    /// The scale bar with the north arrow.
    pub scale_bar: Rect,
    /// Each incident symbol drawn on the map (single or aggregate), with its stroke.
    pub symbols: Vec<Rect>,
    /// The overlays stand beside the map: no choice of its corners and edges kept them clear
    /// of the symbols.
    pub beside_map: bool,
}

/// ACLED's event types: colour and symbol shape. Shapes as well as colours, so the legend
/// reads in greyscale print.
const TYPES: [(&str, &str, Shape); 6] = [
    ("Battles", "#d7301f", Shape::Circle),
    ("Violence against civilians", "#7a0177", Shape::Triangle),
    ("Explosions/Remote violence", "#ec7014", Shape::Diamond),
    ("Riots", "#1d91c0", Shape::Square),
    ("Protests", "#41ab5d", Shape::InvertedTriangle),
    ("Strategic developments", "#525252", Shape::Cross),
];
const OTHER: (&str, Shape) = ("#969696", Shape::Circle);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Circle,
    Triangle,
    Diamond,
    Square,
    InvertedTriangle,
    Cross,
}

impl Shape {
    /// How far the shape reaches from its point, in radii (the triangles' apex, the
    /// diamond's points).
    fn reach(self) -> f64 {
        match self {
            Shape::Circle => 1.0,
            Shape::Triangle | Shape::InvertedTriangle => 1.15,
            Shape::Diamond => 1.2,
            Shape::Square => 0.9,
            Shape::Cross => 1.05,
        }
    }
}

fn style_of(event_type: &str) -> (&'static str, Shape) {
    TYPES
        .iter()
        .find(|(t, _, _)| t.eq_ignore_ascii_case(event_type))
        .map_or(OTHER, |&(_, colour, shape)| (colour, shape))
}

/// The largest radius of a single incident's symbol, px.
const MAX_RADIUS: f64 = 22.0;
/// The largest radius of an aggregate, px.
const MAX_AGGREGATE_RADIUS: f64 = 26.0;
/// Half the widest symbol stroke (an aggregate's 1.5 px), px.
const HALF_STROKE: f64 = 0.75;
/// The frame keeps the view this far inside it, px: at least the reach of the largest
/// symbol (an aggregate: 26.75 px with its stroke; a diamond 26.4 + 0.65; tested), so that
/// the frame never cuts a symbol.
const FRAME_MARGIN: f64 = 28.0;
/// The locator inset's size.
const INSET: Size = Size {
    width: 200.0,
    height: 150.0,
};

/// Symbol radius in px for a number of fatalities.
fn radius(fatalities: u32) -> f64 {
    (5.5 + 2.2 * (fatalities as f64).sqrt()).min(MAX_RADIUS)
}

/// Incidents closer than this many px are drawn as one aggregate.
const AGGREGATE_PX: f64 = 14.0;

const MARGIN: f64 = 24.0;
const TITLE_BAND: f64 = 78.0;

/// Data sources credited on every image, besides the incidents' own.
const BASE_SOURCES: &str = "Natural Earth (public domain); GeoNames (CC BY 4.0); geoBoundaries/AIMS 2014 (public domain); © OpenStreetMap contributors (ODbL)";

struct Incident {
    point: Point,
    /// Where the frame being tried puts the point.
    px: (f64, f64),
    event_type: String,
    /// None when the source does not know the toll.
    fatalities: Option<u32>,
}

/// Draws the map of the incidents of `index` that pass `filter` as SVG.
///
/// ```
/// use borderwatch::gazetteer::Gazetteer;
/// use borderwatch::incidents::IncidentTable;
/// use borderwatch::index::{Filter, IncidentIndex};
/// use borderwatch::render::{Options, View, draw};
///
/// let table = IncidentTable::bundled();
/// let index = IncidentIndex::new(&table);
/// let options = Options { view: View::Fit, width: 800, height: 600, title: "Incidents".into(), subtitle: None, labels: true };
/// let drawn = draw(&index, &Filter::default(), &Gazetteer::bundled(), &options).unwrap();
/// assert_eq!(drawn.incidents, 6);
/// assert!(drawn.svg.starts_with("<svg"));
/// ```
pub fn draw(
    index: &IncidentIndex,
    filter: &Filter,
    gazetteer: &Gazetteer,
    options: &Options,
) -> Result<Drawn, TooSmall> {
    let (w, h) = (options.width as f64, options.height as f64);
    let rows = select(index, filter, &options.view);
    let unplaced = count_unplaced(index, filter);
    let view = view_box(index, &rows, &options.view);
    let credits = wrap(&attribution(index, &rows), 11.0, w - 2.0 * MARGIN);
    let foot = 18.0 + 14.0 * credits.len() as f64;
    let area = Rect::new(MARGIN, TITLE_BAND, w - 2.0 * MARGIN, h - TITLE_BAND - foot);
    let mut incidents = located(index, &rows);
    let bounded_view = !matches!(options.view, View::Fit);
    let legend = Legend::new(
        &incidents,
        Unplaced {
            count: unplaced,
            bounded_view,
        },
    );
    let Plan { fitted, layout } =
        plan(view, area, &mut incidents, legend.size).map_err(|overlays| TooSmall {
            width: options.width,
            height: options.height,
            needed: needed_size(overlays, foot, (options.width, options.height)),
        })?;
    let frame = &fitted.frame;
    let overlays = if layout.beside_map {
        "beside-map"
    } else {
        "on-map"
    };
    let mut svg = Svg::new(
        w,
        h,
        &[
            ("metres-per-px", format!("{:.6}", frame.metres_per_px)),
            ("scale-at-centre", format!("{:.6}", frame.scale_at_centre)),
            ("projection", frame.definition.clone()),
            ("incidents", incidents.len().to_string()),
            ("unplaced", unplaced.to_string()),
            ("overlays", overlays.to_string()),
        ],
    );
    svg.rect(Rect::new(0.0, 0.0, w, h), &[("fill", "#ffffff")]);
    let labels = draw_map(&mut svg, &fitted, &layout, options, gazetteer);
    legend::draw(&mut svg, &legend, layout.legend);
    if let Some(inset) = layout.inset {
        draw_inset(&mut svg, frame, inset);
    }
    draw_scale_and_north(&mut svg, &fitted.scale, layout.scale_bar);
    let subtitle = options
        .subtitle
        .clone()
        .unwrap_or_else(|| default_subtitle(index, &rows, filter, &options.view));
    let titles = Titles {
        title: &options.title,
        subtitle: &subtitle,
        credits: &credits,
    };
    draw_titles(&mut svg, &titles, w, layout.map.y1);
    Ok(Drawn {
        svg: svg.finish(),
        incidents: incidents.len(),
        unplaced,
        symbols: fitted.groups.len(),
        labels,
        layout,
    })
}

/// An image too small to hold its legend and scale bar beside the map and above the credits.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "a {width}×{height} image cannot hold this map's legend and scale bar beside the map and \
     above the credits: make it at least {}×{} px",
    needed.0,
    needed.1
)]
pub struct TooSmall {
    /// The width asked for, px.
    pub width: u32,
    /// The height asked for, px.
    pub height: u32,
    /// A width and height that hold them, px.
    pub needed: (u32, u32),
}

/// A size, no smaller than the one asked for (`asked`), that holds `overlays` (the legend and
/// the scale bar, one above the other) in a column beside a map at least as wide, under the
/// title band and above `foot` px of credits.
fn needed_size(overlays: [Size; 2], foot: f64, asked: (u32, u32)) -> (u32, u32) {
    let column = overlays.iter().map(|s| s.width).fold(0.0, f64::max) + layout::GAP;
    let width = 2.0 * MARGIN + column / (1.0 - layout::MIN_MAP_SHARE);
    let stacked = overlays.iter().map(|s| s.height + layout::GAP).sum::<f64>();
    let height = TITLE_BAND + stacked + foot;
    (
        asked.0.max(width.ceil() as u32),
        asked.1.max(height.ceil() as u32),
    )
}

/// The located rows, not yet projected.
fn located(index: &IncidentIndex, rows: &[u32]) -> Vec<Incident> {
    let table = index.table();
    rows.iter()
        .filter_map(|&row| {
            let r = &table.rows()[row as usize];
            Some(Incident {
                point: r.point()?,
                px: (f64::NAN, f64::NAN),
                event_type: table.text(r.event_type).to_string(),
                fatalities: r.fatalities,
            })
        })
        .collect()
}

/// The map fitted into a rectangle: its frame, its symbols and its scale bar.
struct Fitted {
    frame: Frame,
    groups: Vec<Group>,
    scale: ScaleBar,
}

/// Projects the incidents into `map` and aggregates them.
fn fit(view: [f64; 4], map: Rect, incidents: &mut [Incident]) -> Fitted {
    let frame = Frame::new(view, map, FRAME_MARGIN);
    for i in incidents.iter_mut() {
        i.px = frame.px(i.point.x(), i.point.y());
    }
    Fitted {
        groups: aggregate(incidents),
        scale: ScaleBar::new(&frame),
        frame,
    }
}

/// The map as fitted and where everything went.
struct Plan {
    fitted: Fitted,
    layout: Layout,
}

/// The legend, the inset and the scale bar at the anchors of the map that keep them clear of
/// every symbol; when none do, beside the map, which is fitted again to what is left of
/// `area`.
///
/// Beside the map, the inset is left out when it does not fit; when the legend or the scale
/// bar does not, the error holds their sizes.
fn plan(
    view: [f64; 4],
    area: Rect,
    incidents: &mut [Incident],
    legend: Size,
) -> Result<Plan, [Size; 2]> {
    let fitted = fit(view, area, incidents);
    let symbols: Vec<Rect> = fitted.groups.iter().map(Group::bounds).collect();
    let candidates: Vec<Vec<Rect>> = [
        (layout::LEGEND_ANCHORS, legend),
        (layout::INSET_ANCHORS, INSET),
        (layout::SCALE_BAR_ANCHORS, fitted.scale.size()),
    ]
    .iter()
    .map(|(anchors, size)| anchors.iter().map(|a| a.rect(*size, area)).collect())
    .collect();
    if let Some(chosen) = choose_places(&candidates, &symbols, area, CLEARANCE_PX) {
        let layout = Layout {
            map: area,
            legend: chosen[0],
            inset: Some(chosen[1]),
            scale_bar: chosen[2],
            symbols,
            beside_map: false,
        };
        return Ok(Plan { fitted, layout });
    }
    // The inset last: it is the one left out when the column runs out of room.
    let largest_bar = ScaleBar::largest();
    let (map, slots) = layout::beside(&[legend, largest_bar, INSET], area);
    if !(area.contains(&slots[0]) && area.contains(&slots[1])) {
        return Err([legend, largest_bar]);
    }
    let fitted = fit(view, map, incidents);
    let scale = fitted.scale.size();
    let layout = Layout {
        map,
        legend: slots[0],
        inset: Some(slots[2]).filter(|inset| area.contains(inset)),
        scale_bar: Rect::new(slots[1].x0, slots[1].y0, scale.width, scale.height),
        symbols: fitted.groups.iter().map(Group::bounds).collect(),
        beside_map: true,
    };
    Ok(Plan { fitted, layout })
}

/// The map in its frame: basemap, the radius of an `--around` view, the symbols and the
/// labels (kept off the overlays and the symbols). Returns the labels placed.
fn draw_map(
    svg: &mut Svg,
    fitted: &Fitted,
    layout: &Layout,
    options: &Options,
    gazetteer: &Gazetteer,
) -> usize {
    let frame = &fitted.frame;
    let map = layout.map;
    svg.element("defs", &[], None);
    svg.element("clipPath", &[("id", "map-clip")], None);
    svg.rect(map, &[]);
    svg.close("clipPath");
    svg.close("defs");
    let bounds = bounds_data(map);
    let attrs = [
        ("id", "map"),
        ("clip-path", "url(#map-clip)"),
        ("data-bounds", bounds.as_str()),
    ];
    svg.element("g", &attrs, None);
    svg.rect(map, &[("fill", "#dfe9f0")]);
    draw_basemap(svg, frame, frame.bounds());
    if let View::Around { centre, km, .. } = &options.view {
        draw_radius(svg, frame, *centre, *km);
    }
    svg.element("g", &[("id", "incidents")], None);
    for (g, bounds) in fitted.groups.iter().zip(&layout.symbols) {
        if g.members > 1 {
            draw_aggregate(svg, g, *bounds);
        } else {
            let (colour, shape) = style_of(&g.event_type);
            let symbol = Symbol {
                shape,
                colour,
                at: g.px,
                r: g.radius(),
                toll_unknown: g.unknown_tolls > 0,
            };
            draw_symbol(svg, &symbol, &g.event_type, Some(*bounds));
        }
    }
    svg.close("g");
    let labels = if options.labels {
        let mut placer = Placer::new(map);
        for r in [Some(layout.legend), layout.inset, Some(layout.scale_bar)]
            .into_iter()
            .flatten()
        {
            placer.block(r);
        }
        for r in &layout.symbols {
            placer.block(*r);
        }
        draw_labels(svg, frame, frame.bounds(), gazetteer, &mut placer)
    } else {
        0
    };
    svg.close("g");
    let frame_attrs = [
        ("fill", "none"),
        ("stroke", "#4a4a4a"),
        ("stroke-width", "1"),
    ];
    svg.rect(map, &frame_attrs);
    labels
}

/// The circle of an `--around` view: `km` (geodesic) around `centre`.
fn draw_radius(svg: &mut Svg, frame: &Frame, centre: Point, km: f64) {
    let ring: Vec<(f64, f64)> = (0..=180)
        .map(|i| {
            let p = destination(centre, i as f64 * 2.0, km);
            frame.px(p.x(), p.y())
        })
        .collect();
    svg.empty(
        "path",
        &[
            ("id", "radius"),
            ("d", &path_data([ring.as_slice()], true)),
            ("fill", "#1f78b4"),
            ("fill-opacity", "0.06"),
            ("stroke", "#1f78b4"),
            ("stroke-width", "1.5"),
            ("stroke-dasharray", "6 4"),
        ],
    );
}

/// The title and subtitle above the map and the credit lines below it (`map_bottom`).
fn draw_titles(svg: &mut Svg, texts: &Titles, image_width: f64, map_bottom: f64) {
    let Titles {
        title,
        subtitle,
        credits,
    } = texts;
    let width = image_width - 2.0 * MARGIN;
    let (title, title_size) = fit_line(title, TITLE_FONT, true, width);
    let (subtitle, subtitle_size) = fit_line(subtitle, SUBTITLE_FONT, false, width);
    svg.element(
        "text",
        &[
            ("x", &num(MARGIN)),
            ("y", "36"),
            ("font-size", &num(title_size)),
            ("font-weight", "bold"),
            ("fill", "#1d2329"),
            ("id", "title"),
        ],
        Some(&title),
    );
    svg.element(
        "text",
        &[
            ("x", &num(MARGIN)),
            ("y", "62"),
            ("font-size", &num(subtitle_size)),
            ("fill", "#4a5560"),
            ("id", "subtitle"),
        ],
        Some(&subtitle),
    );
    svg.element(
        "g",
        &[
            ("id", "attribution"),
            ("font-size", "11"),
            ("fill", "#5b6670"),
        ],
        None,
    );
    for (i, line) in credits.iter().enumerate() {
        let y = map_bottom + 18.0 + 14.0 * i as f64;
        svg.element("text", &[("x", &num(MARGIN)), ("y", &num(y))], Some(line));
    }
    svg.close("g");
}

/// The texts around the map.
struct Titles<'a> {
    title: &'a str,
    subtitle: &'a str,
    /// The sources, one line each.
    credits: &'a [String],
}

/// The title's font size, px, when it fits the image's width.
const TITLE_FONT: f64 = 24.0;
/// The subtitle's font size, px, when it fits.
const SUBTITLE_FONT: f64 = 14.0;
/// Titles shrink to fit the width down to this size, px; below it they are shortened.
const MIN_TITLE_FONT: f64 = 10.0;

/// `text` at `size` when it fits `width`; else at the size that fits (not below
/// [`MIN_TITLE_FONT`]), shortened with "…" when even that size is too wide.
fn fit_line(text: &str, size: f64, bold: bool, width: f64) -> (String, f64) {
    let measured = text_width(text, size, bold, 0.0);
    if measured <= width {
        return (text.to_string(), size);
    }
    let size = (size * width / measured).floor().max(MIN_TITLE_FONT);
    let mut chars: Vec<char> = text.chars().collect();
    let mut line = text.to_string();
    while text_width(&line, size, bold, 0.0) > width && !chars.is_empty() {
        chars.pop();
        line = chars.iter().collect::<String>().trim_end().to_string() + "…";
    }
    (line, size)
}

/// The rows the image draws: located, passing the filter, inside the view.
fn select(index: &IncidentIndex, filter: &Filter, view: &View) -> Vec<u32> {
    match view {
        View::Around { centre, km, .. } => {
            let mut rows: Vec<u32> = index
                .within(*centre, *km, filter)
                .iter()
                .map(|h| h.row)
                .collect();
            rows.sort_unstable();
            rows
        }
        View::Bbox([w, s, e, n]) => index.bbox(*w, *s, *e, *n, filter),
        View::Fit => (0..index.table().rows().len() as u32)
            .filter(|&row| {
                index.table().rows()[row as usize].point().is_some() && filter.matches(index, row)
            })
            .collect(),
    }
}

/// The rows that pass the filter but have no point: the image cannot place them, wherever
/// they happened.
fn count_unplaced(index: &IncidentIndex, filter: &Filter) -> usize {
    let rows = index.table().rows();
    (0..rows.len() as u32)
        .filter(|&row| rows[row as usize].point().is_none() && filter.matches(index, row))
        .count()
}

/// The lon/lat box to show.
fn view_box(index: &IncidentIndex, rows: &[u32], view: &View) -> [f64; 4] {
    match view {
        View::Around { centre, km, .. } => {
            Bbox::of(
                (0..360)
                    .step_by(10)
                    .map(|bearing| destination(*centre, bearing as f64, km * 1.08).0),
            )
            .0
        }
        View::Bbox(b) => *b,
        View::Fit => {
            let points: Vec<Point> = rows
                .iter()
                .filter_map(|&r| index.table().rows()[r as usize].point())
                .collect();
            let base = if points.is_empty() {
                Reference::bundled().border().vertices().to_vec()
            } else {
                points
            };
            let b = Bbox::of(base.iter().map(|p| p.0)).0;
            // 10% around, and at least half a degree across, so a lone incident has a context.
            let pad_x = ((b[2] - b[0]) * 0.1)
                .max((0.5 - (b[2] - b[0])) / 2.0)
                .max(0.05);
            let pad_y = ((b[3] - b[1]) * 0.1)
                .max((0.5 - (b[3] - b[1])) / 2.0)
                .max(0.05);
            [b[0] - pad_x, b[1] - pad_y, b[2] + pad_x, b[3] + pad_y]
        }
    }
}

fn intersects(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

fn geometry_bbox(g: &Geometry) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    let r = g.bounding_rect()?;
    Some([r.min().x, r.min().y, r.max().x, r.max().y])
}

/// Rings or lines of a geometry in pixels.
fn pixel_parts(frame: &Frame, g: &Geometry) -> Vec<Vec<(f64, f64)>> {
    let line = |l: &geo::LineString| l.0.iter().map(|c| frame.px(c.x, c.y)).collect::<Vec<_>>();
    match g {
        Geometry::Polygon(p) => std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(line)
            .collect(),
        Geometry::MultiPolygon(m) => {
            m.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .map(line)
                .collect()
        }
        Geometry::LineString(l) => vec![line(l)],
        Geometry::MultiLineString(m) => m.0.iter().map(line).collect(),
        _ => Vec::new(),
    }
}

fn draw_geometry(svg: &mut Svg, frame: &Frame, g: &Geometry, closed: bool, attrs: &[(&str, &str)]) {
    let parts = pixel_parts(frame, g);
    let d = path_data(parts.iter().map(Vec::as_slice), closed);
    if d.is_empty() {
        return;
    }
    let mut all = vec![("d", d.as_str())];
    all.extend_from_slice(attrs);
    svg.empty("path", &all);
}

/// How a basemap layer of lines or outlines is drawn.
struct LayerStyle {
    /// The attributes of the layer's group: its id and stroke.
    group: &'static [(&'static str, &'static str)],
    /// Whether the geometries are polygons, whose rings are closed.
    closed: bool,
}

/// District outlines: dashed, thin.
const DISTRICTS_STYLE: LayerStyle = LayerStyle {
    group: &[
        ("id", "districts"),
        ("fill", "none"),
        ("stroke", "#a59d8c"),
        ("stroke-width", "0.6"),
        ("stroke-dasharray", "3 2"),
    ],
    closed: true,
};

/// Rivers: blue lines.
const RIVERS_STYLE: LayerStyle = LayerStyle {
    group: &[
        ("id", "rivers"),
        ("fill", "none"),
        ("stroke", "#5b9bd5"),
        ("stroke-width", "1.4"),
    ],
    closed: false,
};

/// Borders other than the Afghanistan–Tajikistan one: dashed grey.
const BORDERS_STYLE: LayerStyle = LayerStyle {
    group: &[
        ("id", "borders"),
        ("fill", "none"),
        ("stroke", "#7d7d7d"),
        ("stroke-width", "1.2"),
        ("stroke-dasharray", "5 3"),
    ],
    closed: false,
};

/// Countries, districts, rivers and borders inside `bounds`.
fn draw_basemap(svg: &mut Svg, frame: &Frame, bounds: [f64; 4]) {
    let reference = Reference::bundled();
    draw_countries(svg, frame, bounds, reference);
    let districts = reference
        .districts()
        .iter()
        .map(|d| Geometry::MultiPolygon(d.polygon.clone()));
    draw_layer(svg, frame, bounds, &DISTRICTS_STYLE, districts);
    let rivers = raw_layer("rivers.geojson").into_iter().map(|(_, g)| g);
    draw_layer(svg, frame, bounds, &RIVERS_STYLE, rivers);
    // The Afghanistan–Tajikistan border is drawn on its own, over the others.
    let borders = raw_layer("borders.geojson")
        .into_iter()
        .filter(|(p, _)| p.get("pair").and_then(|v| v.as_str()) != Some("AFG-TJK"))
        .map(|(_, g)| g);
    draw_layer(svg, frame, bounds, &BORDERS_STYLE, borders);
    draw_af_tj_border(svg, frame, reference);
}

/// Whether a geometry's bounding box meets `bounds`.
fn in_view(g: &Geometry, bounds: [f64; 4]) -> bool {
    geometry_bbox(g).is_some_and(|b| intersects(b, bounds))
}

/// The countries inside `bounds`, filled: Afghanistan and Tajikistan each in its colour,
/// the others alike.
fn draw_countries(svg: &mut Svg, frame: &Frame, bounds: [f64; 4], reference: &Reference) {
    svg.element("g", &[("id", "countries")], None);
    for c in reference.countries() {
        let g = Geometry::MultiPolygon(c.polygon.clone());
        if in_view(&g, bounds) {
            let fill = match c.country.as_str() {
                "AF" => "#f4efe2",
                "TJ" => "#eaf0e1",
                _ => "#ecebe7",
            };
            draw_geometry(
                svg,
                frame,
                &g,
                true,
                &[("fill", fill), ("fill-rule", "evenodd")],
            );
        }
    }
    svg.close("g");
}

/// The `geometries` inside `bounds`, in one group drawn as `style` says.
fn draw_layer(
    svg: &mut Svg,
    frame: &Frame,
    bounds: [f64; 4],
    style: &LayerStyle,
    geometries: impl Iterator<Item = Geometry>,
) {
    svg.element("g", style.group, None);
    for g in geometries {
        if in_view(&g, bounds) {
            draw_geometry(svg, frame, &g, style.closed, &[]);
        }
    }
    svg.close("g");
}

/// The Afghanistan–Tajikistan border, whole: a red line on a white casing.
fn draw_af_tj_border(svg: &mut Svg, frame: &Frame, reference: &Reference) {
    let border = Geometry::LineString(geo::LineString::from(
        reference
            .border()
            .vertices()
            .iter()
            .map(|p| (p.x(), p.y()))
            .collect::<Vec<_>>(),
    ));
    svg.element("g", &[("id", "border-af-tj"), ("fill", "none")], None);
    draw_geometry(
        svg,
        frame,
        &border,
        false,
        &[
            ("stroke", "#ffffff"),
            ("stroke-width", "6"),
            ("stroke-opacity", "0.8"),
        ],
    );
    draw_geometry(
        svg,
        frame,
        &border,
        false,
        &[("stroke", "#b2182b"), ("stroke-width", "2.6")],
    );
    svg.close("g");
}

/// Incidents drawn as one symbol.
struct Group {
    px: (f64, f64),
    members: usize,
    /// The sum of the known tolls of the members.
    fatalities: u32,
    /// Members whose toll is unknown.
    unknown_tolls: usize,
    /// The most frequent event type (ties: the first in ACLED's order).
    event_type: String,
    types: BTreeMap<String, usize>,
}

impl Group {
    /// The symbol's radius: by members for an aggregate, by fatalities for one incident.
    fn radius(&self) -> f64 {
        if self.members > 1 {
            (7.0 + 3.5 * (self.members as f64).ln()).min(MAX_AGGREGATE_RADIUS)
        } else {
            radius(self.fatalities)
        }
    }

    /// The box the symbol covers, stroke included.
    fn bounds(&self) -> Rect {
        let shape = if self.members > 1 {
            Shape::Circle
        } else {
            style_of(&self.event_type).1
        };
        let reach = self.radius() * shape.reach() + HALF_STROKE;
        Rect::new(
            self.px.0 - reach,
            self.px.1 - reach,
            2.0 * reach,
            2.0 * reach,
        )
    }
}

/// Greedy aggregation in pixel space: the deadliest incidents seed groups; any incident within
/// AGGREGATE_PX of a group's seed joins it. A grid of seeds keeps it linear.
fn aggregate(incidents: &[Incident]) -> Vec<Group> {
    let mut order: Vec<usize> = (0..incidents.len()).collect();
    order.sort_by(|&a, &b| {
        incidents[b]
            .fatalities
            .unwrap_or(0)
            .cmp(&incidents[a].fatalities.unwrap_or(0))
            .then(a.cmp(&b))
    });
    let cell = |p: (f64, f64)| {
        (
            (p.0 / AGGREGATE_PX).floor() as i64,
            (p.1 / AGGREGATE_PX).floor() as i64,
        )
    };
    let mut seeds: rustc_hash::FxHashMap<(i64, i64), Vec<usize>> = Default::default();
    let mut groups: Vec<Group> = Vec::new();
    for i in order {
        let inc = &incidents[i];
        let (cx, cy) = cell(inc.px);
        let mut joined = None;
        'search: for dx in -1..=1 {
            for dy in -1..=1 {
                for &g in seeds.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                    let s = groups[g].px;
                    if (s.0 - inc.px.0).hypot(s.1 - inc.px.1) <= AGGREGATE_PX {
                        joined = Some(g);
                        break 'search;
                    }
                }
            }
        }
        let g = match joined {
            Some(g) => g,
            None => {
                groups.push(Group {
                    px: inc.px,
                    members: 0,
                    fatalities: 0,
                    unknown_tolls: 0,
                    event_type: String::new(),
                    types: BTreeMap::new(),
                });
                seeds.entry((cx, cy)).or_default().push(groups.len() - 1);
                groups.len() - 1
            }
        };
        let group = &mut groups[g];
        group.members += 1;
        match inc.fatalities {
            Some(f) => group.fatalities += f,
            None => group.unknown_tolls += 1,
        }
        *group.types.entry(inc.event_type.clone()).or_default() += 1;
    }
    for g in &mut groups {
        let rank = |t: &str| {
            TYPES
                .iter()
                .position(|(n, _, _)| n.eq_ignore_ascii_case(t))
                .unwrap_or(TYPES.len())
        };
        g.event_type = g
            .types
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(rank(b.0).cmp(&rank(a.0))))
            .map(|(t, _)| t.clone())
            .unwrap_or_default();
    }
    // Big symbols first, so small ones stay visible on top.
    groups.sort_by(|a, b| {
        b.members
            .cmp(&a.members)
            .then(b.fatalities.cmp(&a.fatalities))
            .then(a.px.0.total_cmp(&b.px.0))
            .then(a.px.1.total_cmp(&b.px.1))
    });
    groups
}

fn shape_path(shape: Shape, (x, y): (f64, f64), r: f64) -> String {
    let p = |dx: f64, dy: f64| format!("{} {}", num(x + dx), num(y + dy));
    match shape {
        Shape::Circle => String::new(),
        Shape::Triangle => format!(
            "M{}L{}L{}Z",
            p(0.0, -r * 1.15),
            p(r, r * 0.75),
            p(-r, r * 0.75)
        ),
        Shape::InvertedTriangle => format!(
            "M{}L{}L{}Z",
            p(0.0, r * 1.15),
            p(r, -r * 0.75),
            p(-r, -r * 0.75)
        ),
        Shape::Diamond => format!(
            "M{}L{}L{}L{}Z",
            p(0.0, -r * 1.2),
            p(r * 1.2, 0.0),
            p(0.0, r * 1.2),
            p(-r * 1.2, 0.0)
        ),
        Shape::Square => format!(
            "M{}L{}L{}L{}Z",
            p(-r * 0.9, -r * 0.9),
            p(r * 0.9, -r * 0.9),
            p(r * 0.9, r * 0.9),
            p(-r * 0.9, r * 0.9)
        ),
        Shape::Cross => {
            let (a, b) = (r * 0.38, r * 1.05);
            format!(
                "M{}L{}L{}L{}L{}L{}L{}L{}L{}L{}L{}L{}Z",
                p(-a, -b),
                p(a, -b),
                p(a, -a),
                p(b, -a),
                p(b, a),
                p(a, a),
                p(a, b),
                p(-a, b),
                p(-a, a),
                p(-b, a),
                p(-b, -a),
                p(-a, -a)
            )
        }
    }
}

/// A symbol to draw: shape, colour, centre and radius, px.
struct Symbol {
    shape: Shape,
    colour: &'static str,
    at: (f64, f64),
    r: f64,
    /// Drawn at the smallest size with a dashed dark outline: no size can stand for a toll
    /// the source does not know.
    toll_unknown: bool,
}

/// The outline of a symbol whose toll is unknown: colour and dash array.
const UNKNOWN_TOLL_STROKE: (&str, &str) = ("#1d2329", "2 1.5");

/// Draws `symbol` for `event_type`; `bounds`, when given, becomes its data-bounds (the map's
/// symbols carry their box, the legend's keys do not).
fn draw_symbol(svg: &mut Svg, symbol: &Symbol, event_type: &str, bounds: Option<Rect>) {
    let bounds = bounds.map(bounds_data);
    let (stroke, dash) = if symbol.toll_unknown {
        UNKNOWN_TOLL_STROKE
    } else {
        ("#ffffff", "")
    };
    let mut common = vec![
        ("fill", symbol.colour),
        ("fill-opacity", "0.9"),
        ("stroke", stroke),
        ("stroke-width", "1.3"),
        ("data-type", event_type),
    ];
    if symbol.toll_unknown {
        common.extend([("stroke-dasharray", dash), ("data-fatalities", "unknown")]);
    }
    if let Some(b) = &bounds {
        common.push(("data-bounds", b.as_str()));
    }
    let Symbol { shape, at, r, .. } = *symbol;
    if shape == Shape::Circle {
        let (cx, cy, rr) = (num(at.0), num(at.1), num(r));
        let mut attrs = vec![("cx", cx.as_str()), ("cy", cy.as_str()), ("r", rr.as_str())];
        attrs.extend_from_slice(&common);
        svg.empty("circle", &attrs);
    } else {
        let d = shape_path(shape, at, r);
        let mut attrs = vec![("d", d.as_str())];
        attrs.extend_from_slice(&common);
        svg.empty("path", &attrs);
    }
}

/// A numbered circle for the incidents of `g`, its box `bounds` as data-bounds.
fn draw_aggregate(svg: &mut Svg, g: &Group, bounds: Rect) {
    let r = g.radius();
    let (colour, _) = style_of(&g.event_type);
    let types = g
        .types
        .keys()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("|");
    svg.element(
        "g",
        &[
            ("class", "aggregate"),
            ("data-members", &g.members.to_string()),
            ("data-type", &g.event_type),
            ("data-types", &types),
            ("data-bounds", &bounds_data(bounds)),
        ],
        None,
    );
    svg.empty(
        "circle",
        &[
            ("cx", &num(g.px.0)),
            ("cy", &num(g.px.1)),
            ("r", &num(r)),
            ("fill", colour),
            ("stroke", "#1d2329"),
            ("stroke-width", "1.5"),
        ],
    );
    svg.element(
        "text",
        &[
            ("x", &num(g.px.0)),
            ("y", &num(g.px.1 + 4.0)),
            ("font-size", "11"),
            ("font-weight", "bold"),
            ("text-anchor", "middle"),
            ("fill", "#ffffff"),
        ],
        Some(&g.members.to_string()),
    );
    svg.close("g");
}

/// How a kind of place is labelled.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LabelStyle {
    /// Placed in this order (0 first), then by population, then by name.
    priority: u8,
    /// Font size, px.
    size: f64,
    bold: bool,
    colour: &'static str,
    /// Written in capitals.
    upper: bool,
    /// Letter spacing, px (0 for none).
    spacing: f64,
    /// A dot marks the place and the label sits beside it; else the label is centred on it.
    dot: bool,
}

/// The priority of district labels: shown only on maps narrower than
/// [`DISTRICTS_BELOW_KM`].
const DISTRICT_PRIORITY: u8 = 5;
/// The priority of village and border-post labels: shown only on maps narrower than
/// [`VILLAGES_BELOW_KM`].
const VILLAGE_PRIORITY: u8 = 7;
/// District labels only on maps less wide than this, km.
const DISTRICTS_BELOW_KM: f64 = 450.0;
/// Village and border-post labels only on maps less wide than this, km.
const VILLAGES_BELOW_KM: f64 = 150.0;

/// Label style by kind; areas are not labelled.
fn label_style(kind: Kind) -> Option<LabelStyle> {
    let style = |priority, size, bold, colour, upper, spacing, dot| LabelStyle {
        priority,
        size,
        bold,
        colour,
        upper,
        spacing,
        dot,
    };
    Some(match kind {
        Kind::Country => style(0, 17.0, true, "#6d645a", true, 3.0, false),
        Kind::Province => style(1, 12.5, true, "#7d7468", true, 1.5, false),
        Kind::City => style(2, 13.0, false, "#1d2329", false, 0.0, true),
        Kind::BorderCrossing => style(3, 11.5, false, "#6a1b1b", false, 0.0, true),
        Kind::Town => style(4, 11.5, false, "#26221e", false, 0.0, true),
        Kind::District => style(DISTRICT_PRIORITY, 10.5, false, "#857a6a", false, 0.0, false),
        Kind::River => style(6, 11.0, false, "#2b6a9e", false, 0.0, false),
        Kind::Village | Kind::BorderPost => {
            style(VILLAGE_PRIORITY, 10.0, false, "#3a342e", false, 0.0, true)
        }
        Kind::Area => return None,
    })
}

/// Place labels by priority (kind, then population, then name), each where it fits.
fn draw_labels(
    svg: &mut Svg,
    frame: &Frame,
    bounds: [f64; 4],
    gazetteer: &Gazetteer,
    placer: &mut Placer,
) -> usize {
    let places = labelled_places(gazetteer, bounds);
    svg.element(
        "g",
        &[
            ("id", "labels"),
            ("stroke", "#ffffff"),
            ("stroke-width", "3"),
            ("paint-order", "stroke"),
            ("stroke-linejoin", "round"),
        ],
        None,
    );
    let mut placed = 0;
    for (style, p) in places {
        let LabelStyle {
            size,
            bold,
            upper,
            spacing,
            dot,
            ..
        } = style;
        let text = if upper {
            p.name.to_uppercase()
        } else {
            p.name.clone()
        };
        let at = frame.px(p.lon, p.lat);
        if !frame.rect.contains_point(at) {
            continue;
        }
        let w = text_width(&text, size, bold, spacing) + 2.0;
        let h = size * 1.25;
        let Some(r) = placer.place(at, w, h, if dot { 5.0 } else { 0.0 }, !dot) else {
            continue;
        };
        if dot {
            svg.empty(
                "circle",
                &[
                    ("cx", &num(at.0)),
                    ("cy", &num(at.1)),
                    ("r", "2.3"),
                    ("fill", "#3a342e"),
                    ("stroke-width", "1"),
                ],
            );
        }
        draw_label(svg, &style, &text, r);
        placed += 1;
    }
    svg.close("g");
    placed
}

/// The places to label inside `bounds` and their styles, in the order they are placed (by
/// priority, then population, then name); districts and villages only on maps narrow enough.
fn labelled_places(gazetteer: &Gazetteer, bounds: [f64; 4]) -> Vec<(LabelStyle, &Place)> {
    let width_km =
        (bounds[2] - bounds[0]) * 111.32 * ((bounds[1] + bounds[3]) / 2.0).to_radians().cos();
    let mut places: Vec<_> = gazetteer
        .places()
        .iter()
        .filter(|p| {
            p.lon >= bounds[0] && p.lon <= bounds[2] && p.lat >= bounds[1] && p.lat <= bounds[3]
        })
        .filter_map(|p| Some((label_style(p.kind)?, p)))
        .filter(|(style, _)| match style.priority {
            DISTRICT_PRIORITY => width_km < DISTRICTS_BELOW_KM,
            VILLAGE_PRIORITY => width_km < VILLAGES_BELOW_KM,
            _ => true,
        })
        .collect();
    places.sort_by(|(a, pa), (b, pb)| {
        a.priority
            .cmp(&b.priority)
            .then(pb.population.unwrap_or(0).cmp(&pa.population.unwrap_or(0)))
            .then(pa.name.cmp(&pb.name))
    });
    places
}

/// A label's text in its box `r`.
fn draw_label(svg: &mut Svg, style: &LabelStyle, text: &str, r: Rect) {
    let mut attrs = vec![
        ("x".to_string(), num(r.x0 + 1.0)),
        ("y".to_string(), num(r.y0 + style.size * 0.98)),
        ("font-size".to_string(), num(style.size)),
        ("fill".to_string(), style.colour.to_string()),
        ("class".to_string(), "label".to_string()),
        ("data-box".to_string(), bounds_data(r)),
    ];
    if style.bold {
        attrs.push(("font-weight".into(), "bold".into()));
    }
    if style.spacing > 0.0 {
        attrs.push(("letter-spacing".into(), num(style.spacing)));
    }
    let attrs: Vec<(&str, &str)> = attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    svg.element("text", &attrs, Some(text));
}

/// A locator of Central Asia in plate carrée with the view's extent.
fn draw_inset(svg: &mut Svg, frame: &Frame, r: Rect) {
    const BOX: [f64; 4] = [54.0, 27.0, 82.0, 45.0];
    let px = |lon: f64, lat: f64| {
        (
            r.x0 + (lon - BOX[0]) / (BOX[2] - BOX[0]) * r.width(),
            r.y1 - (lat - BOX[1]) / (BOX[3] - BOX[1]) * r.height(),
        )
    };
    svg.element(
        "g",
        &[("id", "inset"), ("data-bounds", &bounds_data(r))],
        None,
    );
    svg.element("clipPath", &[("id", "inset-clip")], None);
    svg.rect(r, &[]);
    svg.close("clipPath");
    svg.rect(r, &[("fill", "#dfe9f0")]);
    svg.element("g", &[("clip-path", "url(#inset-clip)")], None);
    for c in Reference::bundled().countries() {
        let parts: Vec<Vec<(f64, f64)>> = c
            .polygon
            .0
            .iter()
            .map(|p| p.exterior().0.iter().map(|c| px(c.x, c.y)).collect())
            .collect();
        let fill = if c.country == "AF" || c.country == "TJ" {
            "#e3d9bf"
        } else {
            "#f2f1ed"
        };
        svg.empty(
            "path",
            &[
                ("d", &path_data(parts.iter().map(Vec::as_slice), true)),
                ("fill", fill),
                ("stroke", "#9a9a9a"),
                ("stroke-width", "0.5"),
            ],
        );
    }
    let b = frame.bounds();
    let (x0, y0) = px(b[0], b[3]);
    let (x1, y1) = px(b[2], b[1]);
    // Never smaller than a few pixels, so a small view still shows where it is.
    let (cx, cy, w, h) = (
        (x0 + x1) / 2.0,
        (y0 + y1) / 2.0,
        (x1 - x0).max(6.0),
        (y1 - y0).max(6.0),
    );
    svg.rect(
        Rect::new(cx - w / 2.0, cy - h / 2.0, w, h),
        &[
            ("id", "inset-extent"),
            ("fill", "none"),
            ("stroke", "#d7301f"),
            ("stroke-width", "2"),
        ],
    );
    svg.close("g");
    svg.rect(r, &[("fill", "none"), ("stroke", "#4a4a4a")]);
    svg.close("g");
}

/// The scale bar's longest length, px: it shows the roundest distance (1, 2 or 5 × 10ⁿ km)
/// no longer than this, so 104 to 260 px.
const SCALE_BAR_PX: f64 = 260.0;
/// Room left of the bar for the north arrow, px.
const NORTH_ARROW_ROOM: f64 = 38.0;
/// Room right of the bar (its background), px.
const SCALE_BAR_END: f64 = 8.0;
/// From the top of the north arrow to the bar's baseline, px.
const SCALE_BAR_TOP: f64 = 30.0;
/// The height of the scale bar with the north arrow, px.
const SCALE_BAR_HEIGHT: f64 = 42.0;

/// A scale bar true at the map's centre: its distance and its length.
struct ScaleBar {
    km: f64,
    length_px: f64,
}

impl ScaleBar {
    /// The bar for the frame's scale at its centre (grid north is true north at the centre's
    /// meridian).
    fn new(frame: &Frame) -> ScaleBar {
        // Ground metres per pixel at the centre.
        let ground_m_per_px = frame.metres_per_px / frame.scale_at_centre;
        let target_km = SCALE_BAR_PX * ground_m_per_px / 1000.0;
        let magnitude = 10f64.powf(target_km.log10().floor());
        let km = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .rfind(|&k| k <= target_km)
            .unwrap_or(magnitude);
        ScaleBar {
            km,
            length_px: km * 1000.0 / ground_m_per_px,
        }
    }

    /// The box of the bar with the north arrow.
    fn size(&self) -> Size {
        Size {
            width: NORTH_ARROW_ROOM + self.length_px + SCALE_BAR_END,
            height: SCALE_BAR_HEIGHT,
        }
    }

    /// The box of the longest bar, whatever the frame.
    fn largest() -> Size {
        ScaleBar {
            km: 0.0,
            length_px: SCALE_BAR_PX,
        }
        .size()
    }
}

/// The scale bar and the north arrow in the box `r` (of [`ScaleBar::size`]).
fn draw_scale_and_north(svg: &mut Svg, bar: &ScaleBar, r: Rect) {
    let ScaleBar { km, length_px } = *bar;
    let x0 = r.x0 + NORTH_ARROW_ROOM;
    let y = r.y0 + SCALE_BAR_TOP;
    let label = if km >= 1.0 {
        format!("{km} km")
    } else {
        format!("{} m", km * 1000.0)
    };
    svg.element(
        "g",
        &[("id", "scale"), ("data-bounds", &bounds_data(r))],
        None,
    );
    svg.element(
        "g",
        &[
            ("id", "scale-bar"),
            ("data-km", &format!("{km}")),
            ("data-x0", &num(x0)),
            ("data-x1", &format!("{:.3}", x0 + length_px)),
        ],
        None,
    );
    svg.rect(
        Rect::new(
            x0 - SCALE_BAR_END,
            y - 26.0,
            length_px + 2.0 * SCALE_BAR_END,
            38.0,
        ),
        &[("fill", "#ffffff"), ("fill-opacity", "0.85")],
    );
    for (i, fill) in ["#1d2329", "#ffffff"].iter().enumerate() {
        svg.rect(
            Rect::new(
                x0 + i as f64 * length_px / 2.0,
                y - 4.0,
                length_px / 2.0,
                5.0,
            ),
            &[
                ("fill", fill),
                ("stroke", "#1d2329"),
                ("stroke-width", "0.8"),
            ],
        );
    }
    svg.element(
        "text",
        &[
            ("x", &num(x0)),
            ("y", &num(y - 9.0)),
            ("font-size", "11"),
            ("fill", "#1d2329"),
        ],
        Some("0"),
    );
    svg.element(
        "text",
        &[
            ("x", &num(x0 + length_px)),
            ("y", &num(y - 9.0)),
            ("font-size", "11"),
            ("text-anchor", "end"),
            ("fill", "#1d2329"),
        ],
        Some(&label),
    );
    svg.close("g");
    draw_north_arrow(svg, x0 - 30.0, y);
    svg.close("g");
}

/// The north arrow centred on `nx`, its "N" on the baseline `y + 6`.
fn draw_north_arrow(svg: &mut Svg, nx: f64, y: f64) {
    svg.element("g", &[("id", "north-arrow")], None);
    svg.empty(
        "path",
        &[
            (
                "d",
                &format!("M{} {}l8 22l-8 -6l-8 6Z", num(nx), num(y - 30.0)),
            ),
            ("fill", "#1d2329"),
        ],
    );
    svg.element(
        "text",
        &[
            ("x", &num(nx)),
            ("y", &num(y + 6.0)),
            ("font-size", "12"),
            ("font-weight", "bold"),
            ("text-anchor", "middle"),
            ("fill", "#1d2329"),
        ],
        Some("N"),
    );
    svg.close("g");
}

fn default_subtitle(index: &IncidentIndex, rows: &[u32], filter: &Filter, view: &View) -> String {
    let table = index.table();
    let dates: Vec<_> = rows
        .iter()
        .filter_map(|&r| table.rows()[r as usize].date)
        .collect();
    let from = filter.since.or_else(|| dates.iter().min().copied());
    let to = filter.until.or_else(|| dates.iter().max().copied());
    let range = match (from, to) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "dates unknown".to_string(),
    };
    let fatalities = Fatalities::of(rows.iter().map(|&r| table.rows()[r as usize].fatalities));
    let mut parts = vec![
        range,
        format!("{}, {}", counted(rows.len()), killed(&fatalities)),
    ];
    if let View::Around { km, name, .. } = view {
        parts.push(format!("within {km} km of {name}"));
    }
    if let serde_json::Value::Object(conditions) = filter.describe() {
        for (k, v) in conditions {
            if k == "since" || k == "until" {
                continue;
            }
            let value = match v {
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or(i.to_string(), String::from))
                    .collect::<Vec<_>>()
                    .join(", "),
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            parts.push(format!("{}: {value}", k.replace('_', " ")));
        }
    }
    parts.join(" · ")
}

/// "1 incident", "7 incidents": a count of incidents in words, for captions and messages.
///
/// ```
/// assert_eq!(borderwatch::render::counted(1), "1 incident");
/// assert_eq!(borderwatch::render::counted(0), "0 incidents");
/// ```
pub fn counted(n: usize) -> String {
    if n == 1 {
        "1 incident".into()
    } else {
        format!("{n} incidents")
    }
}

/// The subtitle's words for a sum of fatalities: "12 killed" when every count is known,
/// "at least 12 killed (2 unknown)" when some are not, "fatalities unknown" when none is.
fn killed(sum: &Fatalities) -> String {
    match (sum.known_incidents, sum.unknown_incidents) {
        (_, 0) => format!("{} killed", sum.known),
        (0, _) => "fatalities unknown".to_string(),
        (_, unknown) => format!("at least {} killed ({unknown} unknown)", sum.known),
    }
}

/// Words of `text` in lines no wider than `width` px at `size`.
fn wrap(text: &str, size: f64, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), size, false, 0.0) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// The credit line: the base data, the incidents' own sources (the most cited first) and the
/// projection.
fn attribution(index: &IncidentIndex, rows: &[u32]) -> String {
    let table = index.table();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for &r in rows {
        let s = table.text(table.rows()[r as usize].source).trim();
        if !s.is_empty() {
            *counts.entry(s).or_default() += 1;
        }
    }
    let mut sources: Vec<(&str, usize)> = counts.into_iter().collect();
    sources.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut incidents = sources
        .iter()
        .take(3)
        .map(|(s, _)| s.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    if sources.len() > 3 {
        incidents.push_str(&format!(" and {} more", sources.len() - 3));
    }
    if incidents.is_empty() {
        incidents = "none drawn".into();
    }
    format!(
        "Sources: {BASE_SOURCES}. Incidents: {incidents}. Lambert conformal conic centred on the view. borderwatch {}",
        env!("CARGO_PKG_VERSION")
    )
}

/// Rasterises an SVG made by [`draw`] to PNG at `scale` × its size, with the shipped fonts
/// only.
///
/// ```
/// let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="red"/></svg>"#;
/// let png = borderwatch::render::png(svg, 2.0).unwrap();
/// assert_eq!(&png[1..4], b"PNG");
/// ```
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, Reason> {
    rasterise(svg, scale).map_err(Reason)
}

fn rasterise(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options::default();
    {
        let fonts = options.fontdb_mut();
        for bytes in [
            labels::NOTO_SANS,
            labels::NOTO_SANS_BOLD,
            labels::NOTO_NASKH_ARABIC,
        ] {
            fonts.load_font_data(bytes.to_vec());
        }
        fonts.set_sans_serif_family("Noto Sans");
    }
    options.font_family = "Noto Sans".into();
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("reading the SVG: {e}"))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or("the image would be empty")?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| format!("cannot make a {}×{} image", size.width(), size.height()))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("encoding the PNG: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(x: f64, y: f64, t: &str, f: u32) -> Incident {
        Incident {
            point: Point::new(0.0, 0.0),
            px: (x, y),
            event_type: t.into(),
            fatalities: Some(f),
        }
    }

    #[test]
    fn the_frame_margin_holds_the_largest_symbol() {
        let largest = |members: usize, event_type: &str, fatalities: u32| {
            let group = Group {
                px: (0.0, 0.0),
                members,
                fatalities,
                unknown_tolls: 0,
                event_type: event_type.into(),
                types: BTreeMap::new(),
            };
            group.bounds().x1
        };
        for (event_type, _, _) in TYPES {
            assert!(
                largest(1, event_type, u32::MAX) <= FRAME_MARGIN,
                "{event_type}"
            );
        }
        assert!(largest(1_000_000, "Battles", 0) <= FRAME_MARGIN);
    }

    #[test]
    fn the_bundled_image_keeps_every_symbol_clear_of_the_overlays() {
        use crate::incidents::IncidentTable;
        let table = IncidentTable::bundled();
        let index = IncidentIndex::new(&table);
        for (width, height) in [(1600, 1100), (900, 700), (700, 1000)] {
            let options = Options {
                view: View::Fit,
                width,
                height,
                title: "Incidents".into(),
                subtitle: None,
                labels: true,
            };
            let drawn = draw(&index, &Filter::default(), &Gazetteer::bundled(), &options).unwrap();
            let layout = &drawn.layout;
            assert_eq!(layout.symbols.len(), drawn.symbols);
            let overlays: Vec<Rect> = [Some(layout.legend), layout.inset, Some(layout.scale_bar)]
                .into_iter()
                .flatten()
                .collect();
            for symbol in &layout.symbols {
                assert!(layout.map.contains(symbol), "{symbol:?} crosses the frame");
                let clear = symbol.inflate(CLEARANCE_PX);
                assert!(overlays.iter().all(|o| !o.overlaps(&clear)), "{symbol:?}");
            }
        }
    }

    #[test]
    fn unknown_fatalities_make_a_lower_bound_never_a_zero() {
        let text = |counts: &[Option<u32>]| killed(&Fatalities::of(counts.iter().copied()));
        assert_eq!(text(&[Some(10), Some(2)]), "12 killed");
        assert_eq!(
            text(&[Some(10), None, Some(2), None]),
            "at least 12 killed (2 unknown)"
        );
        assert_eq!(text(&[None, None]), "fatalities unknown");
        assert_eq!(text(&[Some(0), None]), "at least 0 killed (1 unknown)");
        assert_eq!(text(&[]), "0 killed");
        assert_eq!(counted(1), "1 incident");
        assert_eq!(counted(0), "0 incidents");
    }

    #[test]
    fn near_incidents_aggregate_and_far_ones_do_not() {
        let groups = aggregate(&[
            incident(100.0, 100.0, "Battles", 3),
            incident(105.0, 102.0, "Battles", 1),
            incident(108.0, 100.0, "Riots", 0),
            incident(300.0, 300.0, "Protests", 0),
        ]);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].members, 3);
        assert_eq!(groups[0].fatalities, 4);
        assert_eq!(groups[0].event_type, "Battles");
        assert_eq!(groups[1].members, 1);
    }

    #[test]
    fn every_incident_is_in_exactly_one_group() {
        let many: Vec<Incident> = (0..5000)
            .map(|i| {
                incident(
                    (i * 37 % 900) as f64,
                    (i * 91 % 700) as f64,
                    "Battles",
                    (i % 7) as u32,
                )
            })
            .collect();
        let groups = aggregate(&many);
        assert_eq!(groups.iter().map(|g| g.members).sum::<usize>(), 5000);
        assert_eq!(
            groups.iter().map(|g| g.fatalities as usize).sum::<usize>(),
            many.iter()
                .map(|i| i.fatalities.unwrap_or(0) as usize)
                .sum::<usize>()
        );
    }
}
