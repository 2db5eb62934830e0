//! Small conversions between patch strings and typed values. [`format_double`] writes with `zmij`
//! (serde_json's float writer) instead of `core::fmt`'s float code, and [`parse_double`] reads with
//! `crate::decimal` instead of std's parser (each would add ~10 KB of WASM).

/// Parses a patch boolean. AWS documents `"true"` / `"false"`; case is ignored.
pub(crate) fn parse_bool(raw: &str) -> Option<bool> {
    if raw.eq_ignore_ascii_case("true") {
        Some(true)
    } else if raw.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Formats a double the way the AWS CLI examples write them: `"25.0"`, `"10.5"`.
///
/// The text of `format!("{d:.1}")` for whole numbers below 1e15 and `format!("{d}")` otherwise (shortest
/// round-trip digits, plain decimal, no exponent), but through `zmij` (serde_json's float writer, already
/// linked) instead of `core::fmt`'s float code. In a rare tie between two shortest forms that parse to the
/// same double, the last digit may differ from `core::fmt`'s (both round-trip).
pub fn format_double(d: f64) -> String {
    if !d.is_finite() {
        return if d.is_nan() {
            "NaN".to_owned()
        } else if d > 0.0 {
            "inf".to_owned()
        } else {
            "-inf".to_owned()
        };
    }
    let mut buffer = zmij::Buffer::new();
    let short = buffer.format_finite(d);
    let (sign, unsigned) = short
        .strip_prefix('-')
        .map_or(("", short), |rest| ("-", rest));
    let (mantissa, exponent) = unsigned.split_once('e').unwrap_or((unsigned, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // Significant digits and the position of the decimal point within them.
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let mut point = i64::try_from(int.len()).unwrap_or(0) + exponent;
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    while digits.len() > 1 && digits.first() == Some(&b'0') {
        digits.remove(0);
        point -= 1;
    }
    if digits == [b'0'] {
        point = 1;
    }
    let len = i64::try_from(digits.len()).unwrap_or(0);
    let zeros = |n: i64| "0".repeat(usize::try_from(n).unwrap_or(0));
    let digits = String::from_utf8(digits).unwrap_or_default();
    let mut out = String::from(sign);
    if point <= 0 {
        out.push_str("0.");
        out.push_str(&zeros(-point));
        out.push_str(&digits);
    } else if point >= len {
        out.push_str(&digits);
        out.push_str(&zeros(point - len));
        if d.abs() < 1e15 {
            out.push_str(".0");
        }
    } else {
        let (whole, part) = digits.split_at(usize::try_from(point).unwrap_or(0));
        out.push_str(whole);
        out.push('.');
        out.push_str(part);
    }
    out
}

/// Parses a patch double: the syntax of Rust's `f64::from_str` after trimming (`10.5`, `+5`, `.5`, `5.`,
/// `007`, `1e3`), finite values only, correctly rounded.
///
/// The conversion is `crate::decimal`'s (the same one that reads long numbers in JSON documents): std's
/// parser would add a 10 KB table of powers of five to the WASM builds.
pub fn parse_double(raw: &str) -> Option<f64> {
    let json = json_number(raw.trim())?;
    parse_json_number(&json).filter(|d| d.is_finite())
}

/// A JSON number as a double, correctly rounded ([`crate::decimal::parse`], the same doubles as
/// serde_json's `float_roundtrip` conversion); `None` past `f64::MAX`.
pub(crate) fn parse_json_number(json: &str) -> Option<f64> {
    crate::decimal::parse(json)
}

/// `text`, a finite number in Rust's float syntax, as a JSON number: no `+`, no leading zeros, no `.`
/// without digits after it. `None` when `text` is not such a number.
fn json_number(text: &str) -> Option<String> {
    let (sign, unsigned) = match text.as_bytes().first()? {
        b'-' => ("-", &text[1..]),
        b'+' => ("", &text[1..]),
        _ => ("", text),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let mut json = format!("{sign}{}", if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        json.push('.');
        json.push_str(frac);
    }
    if let Some(exponent) = exponent {
        let magnitude = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if magnitude.is_empty() || !digits(magnitude) {
            return None;
        }
        json.push('e');
        json.push_str(exponent);
    }
    Some(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_round_trip() {
        for d in [0.0, 10.5, 10000.0, 0.1, 1e300, -1.0] {
            assert_eq!(parse_double(&format_double(d)), Some(d));
        }
        assert_eq!(format_double(25.0), "25.0");
        assert_eq!(format_double(-0.0), "-0.0");
        assert_eq!(format_double(1e15), "1000000000000000");
        assert_eq!(format_double(1.5e-7), "0.00000015");
    }

    /// The text `format!` gave before `zmij`.
    fn reference(d: f64) -> String {
        if d.fract() == 0.0 && d.abs() < 1e15 {
            format!("{d:.1}")
        } else {
            format!("{d}")
        }
    }

    #[test]
    fn doubles_format_like_core_fmt() {
        // A tie between two shortest forms: both parse to the same double.
        let tie = f64::from_bits(4_831_542_731_604_346_290);
        assert_eq!(format_double(tie), "1023441336318134.2");
        assert_eq!(reference(tie), "1023441336318134.3");
        for d in [
            0.0,
            -0.0,
            1.0,
            25.0,
            10.5,
            0.1,
            0.001,
            1e-7,
            1.5e-7,
            123.456,
            1e14,
            999_999_999_999_999.0,
            1e15,
            1e16,
            1.5e16,
            1e21,
            1e22,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -1.0,
            -1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(format_double(d), reference(d), "{d:e}");
        }
    }

    proptest::proptest! {
        /// Any double: the same shape as `core::fmt` (plain decimal, `.0` on whole numbers below 1e15), the
        /// same number of digits, and an exact round trip. The digits themselves may differ in the last
        /// place when two shortest forms parse to the same double (`1023441336318134.2` vs `…3`: zmij
        /// picks the closer one, `core::fmt` the other).
        #[test]
        fn any_double_formats_like_core_fmt(bits: u64) {
            let d = f64::from_bits(bits);
            let (ours, theirs) = (format_double(d), reference(d));
            if d.is_finite() {
                proptest::prop_assert_eq!(ours.parse::<f64>().ok().map(f64::to_bits), Some(bits));
                proptest::prop_assert_eq!(ours.len(), theirs.len(), "{} vs {}", ours, theirs);
                proptest::prop_assert_eq!(ours.find('.'), theirs.find('.'));
            } else {
                proptest::prop_assert_eq!(ours, theirs);
            }
        }

        /// Number-like text: exactly what std's correctly rounded parser gives, bit for bit (long
        /// mantissas and extreme exponents are where a parser rounds wrongly).
        #[test]
        fn doubles_parse_like_std(
            text in r"[ ]?[+-]?0{0,3}[0-9]{0,30}(\.[0-9]{0,30})?([eE][+-]?0?[0-9]{1,3})?[ ]?"
        ) {
            let std = text.trim().parse::<f64>().ok().filter(|d| d.is_finite());
            proptest::prop_assert_eq!(parse_double(&text).map(f64::to_bits), std.map(f64::to_bits));
        }

        /// Any text at all: the same verdict as std.
        #[test]
        fn any_text_parses_like_std(text in ".{0,12}") {
            let std = text.trim().parse::<f64>().ok().filter(|d| d.is_finite());
            proptest::prop_assert_eq!(parse_double(&text).map(f64::to_bits), std.map(f64::to_bits));
        }

        /// Every double survives format → parse, in both the shortest and the 21-digit form.
        #[test]
        fn any_double_parses_back(bits: u64) {
            let d = f64::from_bits(bits);
            if d.is_finite() {
                proptest::prop_assert_eq!(parse_double(&format_double(d)).map(f64::to_bits), Some(bits));
                proptest::prop_assert_eq!(parse_double(&format!("{d:.20e}")).map(f64::to_bits), Some(bits));
            }
        }

        #[test]
        fn small_decimals_format_like_core_fmt(n in -10_000_000i64..10_000_000, scale in 0u32..8) {
            let d = n as f64 / 10f64.powi(i32::try_from(scale).unwrap());
            proptest::prop_assert_eq!(format_double(d), reference(d));
        }
    }

    #[test]
    fn doubles_parse_with_rust_syntax() {
        for (text, expected) in [
            ("10.5", Some(10.5)),
            (" 25.0 ", Some(25.0)),
            ("+5", Some(5.0)),
            (".5", Some(0.5)),
            ("-.5", Some(-0.5)),
            ("5.", Some(5.0)),
            ("007", Some(7.0)),
            ("1E3", Some(1000.0)),
            ("1e-3", Some(0.001)),
            ("0.30000000000000004", Some(0.1 + 0.2)),
            ("1e400", None),
            ("inf", None),
            ("NaN", None),
            ("0x10", None),
            ("5d", None),
            ("1.2.3", None),
            ("", None),
            ("-", None),
            (".", None),
            ("e5", None),
            ("1e", None),
            ("1e+", None),
            ("--1", None),
            ("+-1", None),
        ] {
            assert_eq!(parse_double(text), expected, "{text:?}");
        }
        assert!(parse_double("-0").is_some_and(|d| d == 0.0 && d.is_sign_negative()));
    }

    #[test]
    fn bools() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }
}
