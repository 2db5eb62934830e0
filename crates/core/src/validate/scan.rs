//! A JSON reader over the bytes of a text, for the stage validator's one-pass read.
//!
//! It reads what serde_json reads, to the same values (numbers classified and rounded as serde_json does
//! with `float_roundtrip`, strings borrowed when they have no escape), and gives up with [`Bail`] on
//! anything else: a syntax error, a number out of range, a surrogate escape, deep nesting. A caller that
//! gets [`Bail`] re-reads the text with serde_json, which gives the exact error (or the answer), so this
//! reader may be stricter than serde_json but never more lenient.

use std::borrow::Cow;

use crate::scalar::Scalar;

/// The text is not one this reader handles; read it again with serde_json.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bail;

/// What [`Reader`] methods return.
pub(crate) type Read<T> = Result<T, Bail>;

/// Nesting deeper than this bails (serde_json refuses 128 levels).
const MAX_DEPTH: usize = 100;

/// The bytes that end a run of plain string content: `"`, `\\` and control characters.
static STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Powers of ten that are exact in an `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A position in a JSON text.
pub(crate) struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        }
    }

    /// The byte offset of the next unread byte.
    pub(crate) const fn pos(&self) -> usize {
        self.pos
    }

    /// The text between two offsets.
    pub(crate) fn slice(&self, start: usize, end: usize) -> &'a str {
        &self.text[start..end]
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// The next byte after whitespace, not consumed.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.pos).copied()
    }

    fn expect(&mut self, b: u8) -> Read<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// Checks that only whitespace is left.
    pub(crate) fn end(&mut self) -> Read<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Bail),
        }
    }

    /// Consumes the `{` of an object (the caller has peeked it).
    pub(crate) fn begin_object(&mut self) -> Read<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        self.expect(b'{')
    }

    /// The next key of the object begun with [`Reader::begin_object`] (with its `:` consumed), or `None`
    /// after its closing `}`. `first` is true before the first key.
    pub(crate) fn next_key(&mut self, first: &mut bool) -> Read<Option<Cow<'a, str>>> {
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                self.depth -= 1;
                return Ok(None);
            }
            Some(b',') if !*first => self.pos += 1,
            Some(b'"') if *first => {}
            _ => return Err(Bail),
        }
        *first = false;
        self.expect(b'"')?;
        let key = self.string()?;
        self.expect(b':')?;
        Ok(Some(key))
    }

    /// A string after its opening quote, borrowed unless it has escapes.
    fn string(&mut self) -> Read<Cow<'a, str>> {
        let start = self.pos;
        loop {
            self.plain_run();
            let b = *self.bytes.get(self.pos).ok_or(Bail)?;
            match b {
                b'"' => {
                    let s = &self.text[start..self.pos];
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                b'\\' => break,
                0..=0x1f => return Err(Bail),
                _ => self.pos += 1,
            }
        }
        let mut out = String::from(&self.text[start..self.pos]);
        loop {
            let b = *self.bytes.get(self.pos).ok_or(Bail)?;
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    let e = *self.bytes.get(self.pos + 1).ok_or(Bail)?;
                    self.pos += 2;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.hex_escape()?,
                        _ => return Err(Bail),
                    };
                    out.push(c);
                }
                0..=0x1f => return Err(Bail),
                _ => {
                    // Copy the run up to the next quote, escape or control byte (UTF-8 stays whole:
                    // those bytes are ASCII and never inside a multi-byte sequence).
                    let run = self.pos;
                    self.plain_run();
                    out.push_str(&self.text[run..self.pos]);
                }
            }
        }
    }

    /// Skips string content up to the next quote, backslash or control byte, eight bytes at a time.
    fn plain_run(&mut self) {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        while let Some(chunk) = self.bytes.get(self.pos..self.pos + 8) {
            let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
                break;
            };
            let x = u64::from_le_bytes(chunk);
            let quote = x ^ (ONES * u64::from(b'"'));
            let backslash = x ^ (ONES * u64::from(b'\\'));
            // A high bit set in the lowest byte that is a quote, a backslash or below 0x20 (the
            // borrows of these tests can only mark bytes above a real match).
            let found = (quote.wrapping_sub(ONES) & !quote
                | backslash.wrapping_sub(ONES) & !backslash
                | x.wrapping_sub(ONES * 0x20) & !x)
                & HIGH;
            if found != 0 {
                self.pos += (found.trailing_zeros() / 8) as usize;
                return;
            }
            self.pos += 8;
        }
        while let Some(&b) = self.bytes.get(self.pos) {
            if STOP[usize::from(b)] {
                break;
            }
            self.pos += 1;
        }
    }

    /// The four hex digits of a `\u` escape; surrogates bail.
    fn hex_escape(&mut self) -> Read<char> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or(Bail)?;
        let mut n = 0u32;
        for &d in digits {
            let v = char::from(d).to_digit(16).ok_or(Bail)?;
            n = n * 16 + v;
        }
        self.pos += 4;
        char::from_u32(n).ok_or(Bail)
    }

    /// The next value as a [`Scalar`]; arrays and objects are checked and skipped.
    pub(crate) fn scalar(&mut self) -> Read<Scalar<'a>> {
        match self.peek().ok_or(Bail)? {
            b'"' => {
                self.pos += 1;
                self.string().map(Scalar::Str)
            }
            b't' => self.literal(b"true", Scalar::Bool(true)),
            b'f' => self.literal(b"false", Scalar::Bool(false)),
            b'n' => self.literal(b"null", Scalar::Null),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' => {
                self.skip_array()?;
                Ok(Scalar::Array)
            }
            b'{' => {
                self.skip_object()?;
                Ok(Scalar::Object)
            }
            _ => Err(Bail),
        }
    }

    /// Skips the next value (checking it).
    pub(crate) fn skip(&mut self) -> Read<()> {
        self.scalar().map(drop)
    }

    fn literal(&mut self, word: &[u8], value: Scalar<'a>) -> Read<Scalar<'a>> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(Bail)
        }
    }

    fn skip_array(&mut self) -> Read<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        self.pos += 1;
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.skip()?;
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(Bail),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn skip_object(&mut self) -> Read<()> {
        self.begin_object()?;
        let mut first = true;
        while self.next_key(&mut first)?.is_some() {
            self.skip()?;
        }
        Ok(())
    }

    /// A number, classified as serde_json does: a whole number is `UInt` if it fits `u64`, `Int` if
    /// negative and fits `i64` (`-0` is the float `-0.0`), anything else a correctly rounded `Float`.
    fn number(&mut self) -> Read<Scalar<'a>> {
        let start = self.pos;
        let negative = self.bytes[start] == b'-';
        if negative {
            self.pos += 1;
        }
        // The digits as a whole number (`None` once past `u64`), and how many there are.
        let mut significand = Some(0u64);
        let mut count = 0usize;
        match self.bytes.get(self.pos) {
            Some(b'0') => {
                self.pos += 1;
                count = 1;
            }
            Some(b'1'..=b'9') => self.digits(&mut significand, &mut count),
            _ => return Err(Bail),
        }
        let mut whole = true;
        let mut scale = 0i64;
        if self.bytes.get(self.pos) == Some(&b'.') {
            whole = false;
            self.pos += 1;
            let before = count;
            self.digits(&mut significand, &mut count);
            if count == before {
                return Err(Bail);
            }
            scale -= i64::try_from(count - before).map_err(|_| Bail)?;
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            whole = false;
            self.pos += 1;
            let minus = match self.bytes.get(self.pos) {
                Some(b'-') => {
                    self.pos += 1;
                    true
                }
                Some(b'+') => {
                    self.pos += 1;
                    false
                }
                _ => false,
            };
            let (mut exp, mut n) = (Some(0u64), 0);
            self.digits(&mut exp, &mut n);
            if n == 0 {
                return Err(Bail);
            }
            let exp = exp
                .and_then(|e| i64::try_from(e).ok())
                .unwrap_or(i64::MAX / 2);
            scale = if minus { scale - exp } else { scale + exp };
        }
        if whole && let Some(n) = significand {
            if !negative {
                return Ok(Scalar::UInt(n));
            }
            #[allow(clippy::cast_possible_wrap)]
            let neg = (n as i64).wrapping_neg();
            if neg < 0 {
                return Ok(Scalar::Int(neg));
            }
        }
        // Exact when the significand and the power of ten are both exact doubles (one rounding).
        let exact = significand
            .filter(|&m| m < 1 << 53)
            .and_then(|m| Some((m, usize::try_from(scale.unsigned_abs()).ok()?)))
            .filter(|&(_, p)| p < POW10.len());
        #[allow(clippy::cast_precision_loss)]
        let x = match exact {
            Some((m, p)) if scale < 0 => m as f64 / POW10[p],
            Some((m, p)) => m as f64 * POW10[p],
            None => self.text[start..self.pos]
                .parse::<f64>()
                .map_err(|_| Bail)?
                .abs(),
        };
        let x = if negative { -x } else { x };
        if x.is_finite() {
            Ok(Scalar::Float(x))
        } else {
            Err(Bail)
        }
    }

    /// Reads decimal digits into `value` (`None` once it overflows `u64`), counting them.
    fn digits(&mut self, value: &mut Option<u64>, count: &mut usize) {
        while let Some(&d) = self.bytes.get(self.pos) {
            if !d.is_ascii_digit() {
                break;
            }
            *value = value.and_then(|v| v.checked_mul(10)?.checked_add(u64::from(d - b'0')));
            *count += 1;
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(text: &str) -> Read<Scalar<'_>> {
        let mut r = Reader::new(text);
        let v = r.scalar()?;
        r.end()?;
        Ok(v)
    }

    #[test]
    fn numbers_are_classified_as_serde_json_does() {
        assert_eq!(scalar("0"), Ok(Scalar::UInt(0)));
        assert_eq!(scalar("-0"), Ok(Scalar::Float(-0.0)));
        assert_eq!(scalar("-5"), Ok(Scalar::Int(-5)));
        assert_eq!(scalar("18446744073709551615"), Ok(Scalar::UInt(u64::MAX)));
        assert_eq!(
            scalar("18446744073709551616"),
            Ok(Scalar::Float(18_446_744_073_709_551_616.0))
        );
        assert_eq!(scalar("-9223372036854775808"), Ok(Scalar::Int(i64::MIN)));
        assert_eq!(scalar("1.5e2"), Ok(Scalar::Float(150.0)));
        for bad in [
            "01",
            "1.",
            "-",
            "1e",
            "1e999",
            "+1",
            ".5",
            "1 2",
            "tru",
            "[1,]",
            "{\"a\":1,}",
        ] {
            assert_eq!(scalar(bad), Err(Bail), "{bad}");
        }
    }

    #[test]
    fn strings_are_borrowed_unless_escaped() {
        assert!(matches!(
            scalar("\"ab\""),
            Ok(Scalar::Str(Cow::Borrowed("ab")))
        ));
        assert_eq!(
            scalar(r#""a\u002d\n\"é""#),
            Ok(Scalar::Str(Cow::Owned("a-\n\"é".to_owned())))
        );
        for bad in ["\"\\ud800\"", "\"a\u{1}\"", "\"\\x\"", "\"abc"] {
            assert_eq!(scalar(bad), Err(Bail), "{bad}");
        }
    }

    proptest::proptest! {
        /// Numbers read as serde_json reads them (same class, same bits), or bail where it errs.
        #[test]
        fn numbers_match_serde_json(
            text in "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,24})?([eE][+-]?[0-9]{1,3})?",
            x in proptest::prelude::any::<f64>(),
        ) {
            for text in [text, x.to_string(), format!("{x:e}")] {
                let ours = scalar(&text);
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(v) => {
                        let theirs = Scalar::from(&v);
                        proptest::prop_assert_eq!(format!("{ours:?}"), format!("{:?}", Ok::<_, Bail>(theirs)), "{}", text);
                    }
                    Err(_) => proptest::prop_assert_eq!(ours, Err(Bail), "{}", text),
                }
            }
        }
    }

    #[test]
    fn strings_end_at_the_first_quote_escape_or_control_byte() {
        for len in 0..20 {
            for stop in ["\"", "\\n\"", "\u{1f}\""] {
                let text = format!("\"{}{stop}", "é".repeat(len));
                let mut r = Reader::new(&text);
                r.pos = 1;
                r.plain_run();
                assert_eq!(r.pos, 1 + 2 * len, "{text:?}");
            }
        }
    }

    #[test]
    fn deep_nesting_bails() {
        assert_eq!(scalar(&"[".repeat(200)), Err(Bail));
        assert_eq!(
            scalar(&format!("{}{}", "[".repeat(50), "]".repeat(50))),
            Ok(Scalar::Array)
        );
    }
}
