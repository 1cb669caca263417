//! A small SVG writer: elements with attributes, text escaped, numbers at 0.1 px.

use std::fmt::Write as _;

use super::frame::Rect;
use crate::untrusted::for_markup as escape;

/// SVG text being written.
pub struct Svg {
    out: String,
}

/// A number for SVG: one decimal, no "-0.0".
pub fn num(x: f64) -> String {
    let s = format!("{x:.1}");
    if s == "-0.0" { "0.0".into() } else { s }
}

/// A box as `x y width height` at 0.1 px: data-box of labels, data-bounds of symbols, the
/// legend, the inset, the scale bar and the map.
pub fn bounds_data(r: Rect) -> String {
    format!(
        "{} {} {} {}",
        num(r.x0),
        num(r.y0),
        num(r.width()),
        num(r.height())
    )
}

impl Svg {
    /// A document `width` × `height` px; `data` become data-* attributes of the root.
    pub fn new(width: f64, height: f64, data: &[(&str, String)]) -> Svg {
        let mut out = String::with_capacity(1 << 16);
        write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"Noto Sans, Noto Naskh Arabic, sans-serif\"",
            w = num(width),
            h = num(height)
        )
        .expect("writing to a String");
        for (k, v) in data {
            write!(out, " data-{k}=\"{}\"", escape(v)).expect("writing to a String");
        }
        out.push_str(">\n");
        Svg { out }
    }

    /// An element with attributes; `content` (escaped) closes it, None leaves it open.
    pub fn element(&mut self, tag: &str, attrs: &[(&str, &str)], content: Option<&str>) {
        self.out.push('<');
        self.out.push_str(tag);
        for (k, v) in attrs {
            write!(self.out, " {k}=\"{}\"", escape(v)).expect("writing to a String");
        }
        match content {
            Some(text) => {
                writeln!(self.out, ">{}</{tag}>", escape(text)).expect("writing to a String")
            }
            None => self.out.push_str(">\n"),
        }
    }

    /// An element with no content.
    pub fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(tag);
        for (k, v) in attrs {
            write!(self.out, " {k}=\"{}\"", escape(v)).expect("writing to a String");
        }
        self.out.push_str("/>\n");
    }

    /// A rectangle over `r` with more attributes.
    pub fn rect(&mut self, r: Rect, attrs: &[(&str, &str)]) {
        let (x, y, w, h) = (num(r.x0), num(r.y0), num(r.width()), num(r.height()));
        let mut all = vec![
            ("x", x.as_str()),
            ("y", y.as_str()),
            ("width", w.as_str()),
            ("height", h.as_str()),
        ];
        all.extend_from_slice(attrs);
        self.empty("rect", &all);
    }

    /// Closes an element opened by [`Svg::element`] with no content.
    pub fn close(&mut self, tag: &str) {
        writeln!(self.out, "</{tag}>").expect("writing to a String");
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// Path data for rings or lines of pixels: points closer than half a pixel to the previous
/// one are dropped (they change nothing at this scale).
pub fn path_data<'a>(parts: impl IntoIterator<Item = &'a [(f64, f64)]>, closed: bool) -> String {
    let mut d = String::new();
    for part in parts {
        let mut last: Option<(f64, f64)> = None;
        let mut n = 0;
        for (i, &(x, y)) in part.iter().enumerate() {
            if !x.is_finite() || !y.is_finite() {
                continue;
            }
            let final_point = i + 1 == part.len();
            if let Some((lx, ly)) = last
                && (x - lx).abs() < 0.5
                && (y - ly).abs() < 0.5
                && !final_point
            {
                continue;
            }
            d.push(if n == 0 { 'M' } else { 'L' });
            d.push_str(&num(x));
            d.push(' ');
            d.push_str(&num(y));
            last = Some((x, y));
            n += 1;
        }
        if closed && n > 0 {
            d.push('Z');
        }
    }
    d
}
