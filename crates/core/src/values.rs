//! Small conversions between patch strings and typed values.

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
pub(crate) fn format_double(d: f64) -> String {
    if d.fract() == 0.0 && d.abs() < 1e15 {
        format!("{d:.1}")
    } else {
        format!("{d}")
    }
}

/// Parses a patch double (finite only).
pub(crate) fn parse_double(raw: &str) -> Option<f64> {
    raw.trim().parse::<f64>().ok().filter(|d| d.is_finite())
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
    }

    #[test]
    fn bools() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }
}
