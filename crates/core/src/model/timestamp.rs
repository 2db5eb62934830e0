//! [`Timestamp`]: epoch seconds on the wire, ISO-8601 as the AWS CLI prints them.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// A point in time as epoch seconds. Reads numbers (the wire form) and ISO-8601 strings (the AWS CLI's
/// display form); writes numbers, whole seconds without a fraction.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Timestamp(pub f64);

impl Timestamp {
    /// Parses an RFC 3339 / ISO-8601 date-time with an offset, as the AWS CLI prints them:
    /// `2024-03-05T10:20:30+00:00`, `…Z`, fractional seconds (`.5`, `,5`, up to nanoseconds; more digits
    /// are truncated), the basic forms `20240305T102030Z` / `+0000`, an hour-only offset (`+01`), `t` or a
    /// space as separator, and `HH:MM` without seconds. Week and ordinal dates and a missing offset are
    /// refused.
    #[must_use]
    pub fn parse_iso8601(text: &str) -> Option<Self> {
        let mut c = Cursor(text.as_bytes());
        let year = c.digits(4)?;
        let extended = c.eat(b'-');
        let month = c.digits(2)?;
        if extended && !c.eat(b'-') {
            return None;
        }
        let day = c.digits(2)?;
        if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
            return None;
        }
        let hour = c.digits(2)?;
        if extended && !c.eat(b':') {
            return None;
        }
        let minute = c.digits(2)?;
        let mut second = 0;
        let mut nanos = 0;
        if (extended && c.eat(b':')) || (!extended && c.peek().is_some_and(|b| b.is_ascii_digit()))
        {
            second = c.digits(2)?;
            if c.eat(b'.') || c.eat(b',') {
                let mut scale = 100_000_000;
                let mut any = false;
                while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
                    c.0 = &c.0[1..];
                    nanos += i64::from(d - b'0') * scale;
                    scale /= 10;
                    any = true;
                }
                if !any {
                    return None;
                }
            }
        }
        let offset = match c.peek()? {
            b'Z' | b'z' => {
                c.0 = &c.0[1..];
                0
            }
            sign @ (b'+' | b'-') => {
                c.0 = &c.0[1..];
                let h = c.digits(2)?;
                let m = if c.0.is_empty() {
                    0
                } else {
                    c.eat(b':');
                    c.digits(2)?
                };
                if h > 23 || m > 59 {
                    return None;
                }
                let seconds = h * 3600 + m * 60;
                if sign == b'-' { -seconds } else { seconds }
            }
            _ => return None,
        };
        let valid = c.0.is_empty()
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return None;
        }
        let seconds =
            days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
                - offset;
        let nanos = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
        Some(Self(nanos as f64 / 1e9))
    }
}

/// A byte cursor for [`Timestamp::parse_iso8601`].
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.0 = &self.0[1..];
        }
        hit
    }

    /// Exactly `n` ASCII digits.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let (head, rest) = self.0.split_at_checked(n)?;
        let mut out = 0;
        for &b in head {
            if !b.is_ascii_digit() {
                return None;
            }
            out = out * 10 + i64::from(b - b'0');
        }
        self.0 = rest;
        Some(out)
    }
}

const fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

const fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9e15 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

impl crate::write::WriteJson for Timestamp {
    fn write_json(&self, out: &mut String) {
        if self.0.fract() == 0.0 && self.0.abs() < 9e15 {
            (self.0 as i64).write_json(out);
        } else {
            crate::write::write_f64(out, self.0);
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("epoch seconds or an ISO-8601 date-time")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Ok(Timestamp(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Ok(Timestamp(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_iso8601(v)
                    .ok_or_else(|| E::custom(format!("invalid ISO-8601 date-time: {v}")))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamp_forms() {
        let at = |t: &str| Timestamp::parse_iso8601(t).map(|t| t.0);
        for t in [
            "2023-11-14T22:13:20+00:00",
            "2023-11-14T22:13:20Z",
            "2023-11-14t22:13:20z",
            "2023-11-14 22:13:20Z",
            "2023-11-15T00:13:20+02:00",
            "2023-11-14T20:13:20-02",
            "2023-11-14T23:43:20+0130",
            "20231114T221320Z",
            "2023-11-14T22:13:20.000Z",
        ] {
            assert_eq!(at(t), Some(1_700_000_000.0), "{t}");
        }
        assert_eq!(at("2023-11-14T22:13Z"), Some(1_699_999_980.0));
        let near = |t: &str, want: f64| (at(t).unwrap() - want).abs() < 1e-6;
        assert!(near("2023-11-14T22:13:20.25Z", 1_700_000_000.25));
        assert!(near("2023-11-14T22:13:20,5+00:00", 1_700_000_000.5));
        assert!(near(
            "2023-11-14T22:13:20.1234567891Z",
            1_700_000_000.123_456_8
        ));
        assert_eq!(at("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(at("1969-12-31T23:59:59Z"), Some(-1.0));
        assert_eq!(at("2000-02-29T00:00:00Z"), Some(951_782_400.0));
        assert_eq!(at("0000-03-01T00:00:00Z"), Some(-62_162_035_200.0));
        for bad in [
            "",
            "2023-11-14",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20+",
            "2023-11-14T22:13:20.Z",
            "2023-11-14T22:13:20Zx",
            "2023-13-14T22:13:20Z",
            "2023-02-29T22:13:20Z",
            "1900-02-29T00:00:00Z",
            "2023-11-31T22:13:20Z",
            "2023-11-14T24:00:00Z",
            "2023-11-14T22:60:00Z",
            "2023-11-14T22:13:60Z",
            "2023-11-14T22:13:20+24:00",
            "2023-11-14T22:13:20+00:60",
            "2023-11-14T2213:20Z",
            "2023-11-1422:13:20Z",
            "+2023-11-14T22:13:20Z",
            "2023-W46-2T22:13:20Z",
            "２023-11-14T22:13:20Z",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// The hand-written parser agrees with the `time` crate on every RFC 3339 date-time.
        #[test]
        fn iso_parser_matches_time_crate(
            days in -719_162i64..2_932_896,
            secs in 0i64..86_400,
            nanos in 0u32..1_000_000_000,
            digits in 0usize..10,
            offset_min in -1439i32..1440,
            zulu: bool,
        ) {
            use time::format_description::well_known::Rfc3339;
            let offset_min = if zulu { 0 } else { offset_min };
            let nanos = if digits == 0 { 0 } else { nanos / 10u32.pow(9 - u32::try_from(digits).unwrap()) * 10u32.pow(9 - u32::try_from(digits).unwrap()) };
            let utc = time::OffsetDateTime::from_unix_timestamp(days * 86_400 + secs).unwrap()
                + time::Duration::nanoseconds(i64::from(nanos));
            let offset = time::UtcOffset::from_whole_seconds(offset_min * 60).unwrap();
            let local = utc.to_offset(offset);
            let frac = if digits == 0 { String::new() } else { format!(".{:09}", nanos)[..=digits].to_owned() };
            let zone = if zulu { "Z".to_owned() } else {
                format!("{}{:02}:{:02}", if offset_min < 0 { '-' } else { '+' }, offset_min.abs() / 60, offset_min.abs() % 60)
            };
            let text = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{frac}{zone}",
                local.year(), u8::from(local.month()), local.day(), local.hour(), local.minute(), local.second()
            );
            let oracle = time::OffsetDateTime::parse(&text, &Rfc3339).unwrap();
            let expected = oracle.unix_timestamp_nanos() as f64 / 1e9;
            proptest::prop_assert_eq!(Timestamp::parse_iso8601(&text).map(|t| t.0), Some(expected), "{}", text);
        }
    }
}
