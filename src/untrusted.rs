//! Text from data made safe for where it is shown. Incident notes, actors and place names come
//! from many hands; they reach terminals, HTML and SVG only through these functions.

use std::borrow::Cow;

/// Characters that change how text is shown instead of being shown: control characters (ANSI
/// escapes start with one) and the bidirectional overrides, embeddings, isolates and marks
/// that reorder what a reader sees.
pub fn is_hidden_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Text for one line of a terminal: hidden controls removed, and each run of line breaks and
/// tabs one space (a name wrapped across two lines of an article reads "Panj River").
///
/// ```
/// use borderwatch::untrusted::for_terminal;
/// assert_eq!(for_terminal("Vanj\u{1b}[31m\u{202E}"), "Vanj[31m");
/// assert_eq!(for_terminal("Panj\r\nRiver"), "Panj River");
/// ```
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut after_break = false;
    for c in text.chars() {
        let breaks = c.is_control() && c.is_whitespace();
        if breaks && !after_break {
            out.push(' ');
        } else if !is_hidden_control(c) {
            out.push(c);
        }
        after_break = breaks;
    }
    Cow::Owned(out)
}

/// Text for HTML or SVG, in content or attributes: markup characters as entities, hidden
/// controls removed.
///
/// ```
/// use borderwatch::untrusted::for_markup;
/// assert_eq!(for_markup("<svg onload=alert(1)>\u{202E}"), "&lt;svg onload=alert(1)&gt;");
/// ```
pub fn for_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_hidden_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_loses_escapes_and_bidi_controls() {
        assert_eq!(for_terminal("a\u{202E}b\u{2066}c"), "abc");
        assert!(matches!(for_terminal("Qala-i-Zal"), Cow::Borrowed(_)));
    }

    #[test]
    fn markup_characters_become_entities() {
        assert_eq!(
            for_markup("<img src=x onerror='a'>&\""),
            "&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot;"
        );
    }
}
