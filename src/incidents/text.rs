//! The text of a field, as the readers take it: trimmed of white space. A leaf, for the
//! record reader and the date parser alike.

/// `field` without leading and trailing white space, as `str::trim` gives it; most fields
/// have none, or are empty, which two byte tests tell without the Unicode scan of
/// `str::trim` (the call alone costs more than the tests).
#[inline]
pub(super) fn trim(field: &str) -> &str {
    match (field.as_bytes().first(), field.as_bytes().last()) {
        (None, _) => field,
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => field,
        _ => field.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        for field in [
            "",
            " ",
            "a",
            " a ",
            "\ta\n",
            "a b",
            "\u{a0}a\u{a0}",
            "é",
            " é",
            "a\u{3000}",
        ] {
            assert_eq!(trim(field), field.trim(), "{field:?}");
        }
    }

    proptest::proptest! {
        /// Any text, white space of every kind around it or none, trims as `str::trim` does.
        #[test]
        fn any_text_trims_as_str_trim(text in "[ \t\u{a0}\u{3000}]{0,2}\\PC{0,6}[ \t\u{a0}]{0,2}") {
            proptest::prop_assert_eq!(trim(&text), text.trim());
        }
    }
}
