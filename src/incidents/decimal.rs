//! Parsing the usual coordinate (`37.01600`, `-68.5`) without the general float parser.
//!
//! A decimal of at most [`MAX_EXACT_DIGITS`] digits is an integer below 2^53 over a power of
//! ten up to 10^22, both exact in an `f64`: one division, which IEEE 754 rounds correctly,
//! gives the correctly rounded value, the one `str::parse` gives (Clinger's fast path; a
//! property test checks the bits). Any other text goes to `str::parse`.

/// The most digits whose integer is below 2^53, so exact in an `f64`.
const MAX_EXACT_DIGITS: usize = 15;

/// The powers of ten that an `f64` holds exactly, from 10^0.
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `text` as a number, exactly as `text.parse::<f64>()` reads it.
pub(super) fn parse_f64(text: &str) -> Result<f64, std::num::ParseFloatError> {
    match fast_decimal(text) {
        Some(value) => Ok(value),
        None => text.parse(),
    }
}

/// The value of `text` when it is `-`, digits, then optionally `.` and digits, with at
/// most [`MAX_EXACT_DIGITS`] digits in all; None for any other text.
fn fast_decimal(text: &str) -> Option<f64> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    let (mut mantissa, mut count) = (0u64, 0);
    let mut whole_digits = None;
    for &b in digits {
        match b {
            b'0'..=b'9' if count < MAX_EXACT_DIGITS => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
            }
            b'.' if whole_digits.is_none() && count > 0 => whole_digits = Some(count),
            _ => return None,
        }
    }
    let fraction = match whole_digits {
        None if count > 0 => 0,
        Some(whole) if count > whole => count - whole,
        _ => return None,
    };
    let value = mantissa as f64 / EXACT_POWERS[fraction];
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bits `str::parse` gives, or None where it fails.
    fn std_bits(text: &str) -> Option<u64> {
        text.parse::<f64>().ok().map(f64::to_bits)
    }

    #[test]
    fn usual_coordinates_take_the_fast_path_with_the_bits_of_str_parse() {
        for text in [
            "37.01600",
            "68.65159",
            "-0.0",
            "0",
            "-68.5",
            "90",
            "180.000000000000",
            "123456789012345",
            "0.00000000000001",
            "00037.5",
        ] {
            let fast = fast_decimal(text).map(f64::to_bits);
            assert!(fast.is_some(), "{text}");
            assert_eq!(fast, std_bits(text), "{text}");
        }
        assert_eq!(fast_decimal("-0.0").map(f64::is_sign_negative), Some(true));
        assert_eq!(fast_decimal("37.01600"), Some(37.016));
    }

    #[test]
    fn other_texts_go_to_str_parse() {
        for text in [
            "",
            "-",
            ".",
            "1.",
            ".5",
            "+1",
            "1e5",
            "1.2.3",
            "37,5",
            " 1",
            "NaN",
            "inf",
            "--1",
            // 16 digits: past 2^53, where one division may round twice.
            "9007199254740.993",
            "1234567890123456",
        ] {
            assert_eq!(fast_decimal(text), None, "{text:?}");
            assert_eq!(
                parse_f64(text).ok().map(f64::to_bits),
                std_bits(text),
                "{text:?}"
            );
        }
    }

    proptest::proptest! {
        /// Decimals of every length, around the limit of the fast path, read as `str::parse`
        /// reads them, to the bit.
        #[test]
        fn decimals_parse_to_the_bits_of_str_parse(
            text in "-?[0-9]{0,10}(\\.[0-9]{0,10})?",
        ) {
            proptest::prop_assert_eq!(parse_f64(&text).ok().map(f64::to_bits), std_bits(&text));
        }

        /// Any text at all: the same value or the same refusal.
        #[test]
        fn any_text_parses_as_str_parse_parses_it(text in "[-+.0-9eE]{0,20}|\\PC{0,8}") {
            proptest::prop_assert_eq!(parse_f64(&text).ok().map(f64::to_bits), std_bits(&text));
        }
    }
}
