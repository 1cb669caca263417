//! Where the legend, the locator inset and the scale bar go. Each may stand at one of eight
//! anchors of the map (four corners, four edge middles); the choice keeps every one clear of
//! every incident symbol by [`CLEARANCE_PX`] and of the others. When no choice is clear, the
//! map gives up a column on its right and they stand there, beside it, where no symbol is
//! drawn (symbols are clipped to the map).

use super::frame::Rect;

/// Clear space between an incident symbol and the legend, the inset or the scale bar, px: a
/// symbol closer than this could be read as part of them.
pub const CLEARANCE_PX: f64 = 30.0;
/// Overlays stand this far inside the map's edge, px.
const EDGE: f64 = 10.0;
/// Space between two overlays, px.
pub(super) const GAP: f64 = 10.0;
/// The map keeps at least this share of the width when the overlays move beside it (an image
/// too small for both is refused, see [`super::TooSmall`]).
pub(super) const MIN_MAP_SHARE: f64 = 0.5;

/// A width and a height, px.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// A place for an overlay inside the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The upper left corner.
    UpperLeft,
    /// The upper right corner.
    UpperRight,
    /// The lower left corner.
    LowerLeft,
    /// The lower right corner.
    LowerRight,
    /// The middle of the top edge.
    Top,
    /// The middle of the bottom edge.
    Bottom,
    /// The middle of the left edge.
    Left,
    /// The middle of the right edge.
    Right,
}

/// The legend's anchors, preferred first.
pub const LEGEND_ANCHORS: [Anchor; 8] = [
    Anchor::LowerLeft,
    Anchor::UpperLeft,
    Anchor::Left,
    Anchor::LowerRight,
    Anchor::UpperRight,
    Anchor::Right,
    Anchor::Bottom,
    Anchor::Top,
];
/// The locator inset's anchors, preferred first.
pub const INSET_ANCHORS: [Anchor; 8] = [
    Anchor::UpperRight,
    Anchor::UpperLeft,
    Anchor::Top,
    Anchor::LowerRight,
    Anchor::LowerLeft,
    Anchor::Right,
    Anchor::Left,
    Anchor::Bottom,
];
/// The scale bar's anchors, preferred first.
pub const SCALE_BAR_ANCHORS: [Anchor; 8] = [
    Anchor::LowerRight,
    Anchor::LowerLeft,
    Anchor::Bottom,
    Anchor::UpperRight,
    Anchor::UpperLeft,
    Anchor::Right,
    Anchor::Left,
    Anchor::Top,
];

impl Anchor {
    /// The box of `size` at this anchor, `EDGE` pixels inside `map`.
    pub fn rect(self, size: Size, map: Rect) -> Rect {
        let left = map.x0 + EDGE;
        let right = map.x1 - EDGE - size.width;
        let centre_x = (map.x0 + map.x1 - size.width) / 2.0;
        let top = map.y0 + EDGE;
        let bottom = map.y1 - EDGE - size.height;
        let centre_y = (map.y0 + map.y1 - size.height) / 2.0;
        let (x, y) = match self {
            Anchor::UpperLeft => (left, top),
            Anchor::UpperRight => (right, top),
            Anchor::LowerLeft => (left, bottom),
            Anchor::LowerRight => (right, bottom),
            Anchor::Top => (centre_x, top),
            Anchor::Bottom => (centre_x, bottom),
            Anchor::Left => (left, centre_y),
            Anchor::Right => (right, centre_y),
        };
        Rect::new(x, y, size.width, size.height)
    }
}

/// One box per overlay from its `candidates` (preferred first), such that every box lies
/// inside `bounds`, none comes within `clearance` of an obstacle and none within `GAP` pixels of
/// another. Among the clear choices, the one whose candidates' ranks sum lowest (ties: the
/// first overlay's better rank first). None when no choice is clear.
///
/// ```
/// use borderwatch::render::{Rect, choose_places};
/// let map = Rect::new(0.0, 0.0, 400.0, 300.0);
/// let corners = vec![Rect::new(10.0, 10.0, 50.0, 50.0), Rect::new(340.0, 10.0, 50.0, 50.0)];
/// let symbol = Rect::new(20.0, 70.0, 10.0, 10.0); // 10 px below the first corner
/// let chosen = choose_places(&[corners], &[symbol], map, 30.0).unwrap();
/// assert_eq!(chosen, [Rect::new(340.0, 10.0, 50.0, 50.0)]);
/// ```
pub fn choose_places(
    candidates: &[Vec<Rect>],
    obstacles: &[Rect],
    bounds: Rect,
    clearance: f64,
) -> Option<Vec<Rect>> {
    let clear: Vec<Vec<(usize, Rect)>> = candidates
        .iter()
        .map(|rects| {
            rects
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    bounds.contains(r)
                        && !obstacles.iter().any(|o| o.inflate(clearance).overlaps(r))
                })
                .map(|(rank, r)| (rank, *r))
                .collect()
        })
        .collect();
    let mut best: Option<Choice> = None;
    search(&clear, &mut Vec::new(), 0, &mut best);
    best.map(|choice| choice.rects)
}

/// A combination of boxes and its summed rank.
struct Choice {
    rank: usize,
    rects: Vec<Rect>,
}

/// Depth-first over the clear candidates of each overlay in turn, keeping the lowest rank.
fn search(
    clear: &[Vec<(usize, Rect)>],
    taken: &mut Vec<Rect>,
    rank: usize,
    best: &mut Option<Choice>,
) {
    if best.as_ref().is_some_and(|b| b.rank <= rank) {
        return;
    }
    let Some(options) = clear.get(taken.len()) else {
        *best = Some(Choice {
            rank,
            rects: taken.clone(),
        });
        return;
    };
    for &(r, rect) in options {
        if taken.iter().all(|t| !t.inflate(GAP).overlaps(&rect)) {
            taken.push(rect);
            search(clear, taken, rank + r, best);
            taken.pop();
        }
    }
}

/// The overlays of `sizes` beside the map instead of on it: the map (the left part of
/// `area`) and a box per overlay in a column to its right, top down, a new column when the
/// next one would run below `area`.
pub fn beside(sizes: &[Size], area: Rect) -> (Rect, Vec<Rect>) {
    // Columns first (which overlay in which, how wide), then where they start.
    let mut columns: Vec<Vec<usize>> = Vec::new();
    let mut height = 0.0;
    for (i, size) in sizes.iter().enumerate() {
        match columns.last_mut() {
            Some(column) if height + GAP + size.height <= area.height() => {
                column.push(i);
                height += GAP + size.height;
            }
            _ => {
                columns.push(vec![i]);
                height = size.height;
            }
        }
    }
    let widths: Vec<f64> = columns
        .iter()
        .map(|c| c.iter().map(|&i| sizes[i].width).fold(0.0, f64::max))
        .collect();
    let panel = widths.iter().map(|w| w + GAP).sum::<f64>();
    let map_width = (area.width() - panel).max(area.width() * MIN_MAP_SHARE);
    let map = Rect::new(area.x0, area.y0, map_width, area.height());
    let mut boxes = vec![Rect::new(0.0, 0.0, 0.0, 0.0); sizes.len()];
    let mut x = map.x1 + GAP;
    for (column, width) in columns.iter().zip(&widths) {
        let mut y = area.y0;
        for &i in column {
            boxes[i] = Rect::new(x, y, sizes[i].width, sizes[i].height);
            y += sizes[i].height + GAP;
        }
        x += width + GAP;
    }
    (map, boxes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: Rect = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: 1000.0,
        y1: 700.0,
    };

    fn all_anchors(size: Size) -> Vec<Rect> {
        LEGEND_ANCHORS.iter().map(|a| a.rect(size, MAP)).collect()
    }

    #[test]
    fn the_preferred_clear_anchor_wins() {
        let size = Size {
            width: 200.0,
            height: 150.0,
        };
        let free = choose_places(&[all_anchors(size)], &[], MAP, CLEARANCE_PX).unwrap();
        assert_eq!(free[0], Anchor::LowerLeft.rect(size, MAP));
        // A symbol 17 px above the lower left box: too close, so the next anchor.
        let near = Rect::new(50.0, 700.0 - 10.0 - 150.0 - 17.0 - 8.0, 8.0, 8.0);
        let moved = choose_places(&[all_anchors(size)], &[near], MAP, CLEARANCE_PX).unwrap();
        assert_eq!(moved[0], Anchor::UpperLeft.rect(size, MAP));
    }

    #[test]
    fn overlays_never_share_a_place_nor_touch_a_symbol() {
        let legend = Size {
            width: 240.0,
            height: 260.0,
        };
        let inset = Size {
            width: 200.0,
            height: 150.0,
        };
        // Symbols along the left edge and in the upper right corner.
        let symbols: Vec<Rect> = (0..14)
            .map(|i| Rect::new(40.0, 20.0 + 50.0 * i as f64, 20.0, 20.0))
            .chain([Rect::new(900.0, 40.0, 20.0, 20.0)])
            .collect();
        let chosen = choose_places(
            &[all_anchors(legend), all_anchors(inset)],
            &symbols,
            MAP,
            CLEARANCE_PX,
        )
        .unwrap();
        assert!(!chosen[0].inflate(GAP).overlaps(&chosen[1]));
        for r in &chosen {
            assert!(MAP.contains(r));
            assert!(symbols.iter().all(|s| !s.inflate(CLEARANCE_PX).overlaps(r)));
        }
    }

    #[test]
    fn when_nothing_is_clear_the_overlays_stand_beside_the_map() {
        let size = Size {
            width: 200.0,
            height: 300.0,
        };
        let everywhere: Vec<Rect> = (0..100)
            .map(|i| Rect::new((i % 10) as f64 * 100.0, (i / 10) as f64 * 70.0, 5.0, 5.0))
            .collect();
        assert!(choose_places(&[all_anchors(size)], &everywhere, MAP, CLEARANCE_PX).is_none());
        let (map, boxes) = beside(&[size, size, size], MAP);
        assert!(map.x1 < boxes[0].x0 && map.x1 < boxes[2].x0);
        assert!(!boxes[0].overlaps(&boxes[1]) && !boxes[1].overlaps(&boxes[2]));
        // Two fit in the height, the third starts a second column.
        assert_eq!(boxes[1].x0, boxes[0].x0);
        assert!(boxes[2].x0 > boxes[0].x1);
        assert!(boxes.iter().all(|b| b.x1 <= MAP.x1 && b.y1 <= MAP.y1));
    }
}
