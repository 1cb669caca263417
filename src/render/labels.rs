//! Label placement: text measured with the shipped fonts, placed greedily by priority at the
//! first of eight positions around its point that overlaps nothing placed before.

use std::sync::OnceLock;

use super::frame::Rect;

/// The fonts of every image, compiled in so that output is the same on every machine.
pub const NOTO_SANS: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
pub const NOTO_SANS_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
pub const NOTO_NASKH_ARABIC: &[u8] = include_bytes!("../../fonts/NotoNaskhArabic-Regular.ttf");

fn faces() -> &'static [ttf_parser::Face<'static>; 3] {
    static FACES: OnceLock<[ttf_parser::Face<'static>; 3]> = OnceLock::new();
    FACES.get_or_init(|| {
        [NOTO_SANS, NOTO_SANS_BOLD, NOTO_NASKH_ARABIC]
            .map(|bytes| ttf_parser::Face::parse(bytes, 0).expect("shipped fonts parse"))
    })
}

/// The advance width of `text` at `size` px in Noto Sans (bold or regular), Arabic script in
/// Noto Naskh Arabic, plus `spacing` px between letters. Kerning is left out, which errs wide.
///
/// ```
/// use borderwatch::render::text_width;
/// let w = text_width("Qala-i-Zal", 12.0, false, 0.0);
/// assert!(w > 50.0 && w < 70.0, "{w}");
/// ```
pub fn text_width(text: &str, size: f64, bold: bool, spacing: f64) -> f64 {
    let faces = faces();
    let latin = &faces[usize::from(bold)];
    let mut width = 0.0;
    let mut letters = 0;
    for c in text.chars() {
        letters += 1;
        let advance = [latin, &faces[2]].into_iter().find_map(|face| {
            let glyph = face.glyph_index(c)?;
            Some(face.glyph_hor_advance(glyph)? as f64 / face.units_per_em() as f64)
        });
        width += advance.unwrap_or(0.6) * size;
    }
    width + spacing * (letters.max(1) - 1) as f64
}

/// Where labels may go and what they must not cover.
pub struct Placer {
    bounds: Rect,
    taken: Vec<Rect>,
}

impl Placer {
    /// Labels stay inside `bounds`.
    pub fn new(bounds: Rect) -> Placer {
        Placer {
            bounds,
            taken: Vec::new(),
        }
    }

    /// Marks an area that no label may cover (a legend, a symbol).
    pub fn block(&mut self, r: Rect) {
        self.taken.push(r);
    }

    /// Whether `r` is free and inside the bounds.
    pub fn fits(&self, r: &Rect) -> bool {
        self.bounds.contains(r) && !self.taken.iter().any(|t| t.overlaps(r))
    }

    /// Places a `w` × `h` label near the point (x, y), `gap` px away: right, left, above,
    /// below, then the diagonals; returns its box, or None when every position is taken.
    /// With `centred`, the label sits on the point itself (areas: countries, provinces).
    pub fn place(
        &mut self,
        (x, y): (f64, f64),
        w: f64,
        h: f64,
        gap: f64,
        centred: bool,
    ) -> Option<Rect> {
        let candidates: Vec<Rect> = if centred {
            vec![Rect::new(x - w / 2.0, y - h / 2.0, w, h)]
        } else {
            vec![
                Rect::new(x + gap, y - h / 2.0, w, h),
                Rect::new(x - gap - w, y - h / 2.0, w, h),
                Rect::new(x - w / 2.0, y - gap - h, w, h),
                Rect::new(x - w / 2.0, y + gap, w, h),
                Rect::new(x + gap * 0.7, y - gap * 0.7 - h, w, h),
                Rect::new(x - gap * 0.7 - w, y - gap * 0.7 - h, w, h),
                Rect::new(x + gap * 0.7, y + gap * 0.7, w, h),
                Rect::new(x - gap * 0.7 - w, y + gap * 0.7, w, h),
            ]
        };
        let chosen = candidates.into_iter().find(|r| self.fits(r))?;
        self.taken.push(chosen);
        Some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_never_overlap_and_stay_inside() {
        let mut placer = Placer::new(Rect::new(0.0, 0.0, 200.0, 100.0));
        let a = placer.place((100.0, 50.0), 60.0, 12.0, 4.0, false).unwrap();
        let b = placer.place((100.0, 50.0), 60.0, 12.0, 4.0, false).unwrap();
        assert!(!a.overlaps(&b));
        assert!(
            placer
                .place((199.0, 99.0), 300.0, 12.0, 4.0, false)
                .is_none()
        );
    }

    #[test]
    fn cyrillic_and_arabic_have_widths() {
        assert!(text_width("Дарвоз", 12.0, false, 0.0) > 30.0);
        assert!(text_width("قلعه زال", 12.0, false, 0.0) > 20.0);
        assert!(text_width("KUNDUZ", 12.0, true, 2.0) > text_width("KUNDUZ", 12.0, true, 0.0));
    }
}
