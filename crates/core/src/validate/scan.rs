//! A JSON reader over the bytes of a text, for the stage validator's one-pass read.
//!
//! It reads what serde_json reads, to the same values (numbers classified as serde_json does and
//! correctly rounded, as serde_json's `float_roundtrip` rounds them except, rarely, on an exact halfway
//! point written out to hundreds of digits: see [`crate::decimal`]; strings borrowed when they have no
//! escape), and refuses what serde_json
//! refuses with serde_json's message and position ([`JsonError`]). serde_json reads a value in one of
//! two ways, and so does this reader:
//!
//! - as a value ([`Reader::scalar`], [`Reader::value`], object members through [`Reader::next_key`]):
//!   numbers converted (out of range is an error), strings with paired surrogate escapes only, at most
//!   127 nested containers;
//! - skipped ([`Reader::skip`], serde's `IgnoredAny`): numbers and escapes checked for syntax only, no
//!   nesting limit (and no recursion here either).

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use crate::scalar::Scalar;

/// JSON text that does not parse, or a stage the model refuses, in serde_json's words: the message, and
/// the line (from 1) and the column (bytes from the start of the line) where reading stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    message: String,
    line: usize,
    column: usize,
}

impl JsonError {
    /// An error at byte `index` of `text` (the column counts bytes, as serde_json's does).
    pub(crate) fn at(text: &str, index: usize, message: impl Into<String>) -> Self {
        let before = &text.as_bytes()[..index.min(text.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = 1 + before[..line_start].iter().filter(|&&b| b == b'\n').count();
        Self {
            message: message.into(),
            line,
            column: before.len() - line_start,
        }
    }

    /// The line, from 1.
    #[must_use]
    pub const fn line(&self) -> usize {
        self.line
    }

    /// The column: bytes from the start of the line.
    #[must_use]
    pub const fn column(&self) -> usize {
        self.column
    }

    /// The message without the position (`expected value`).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for JsonError {
    /// `expected value at line 1 column 15`, as serde_json writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        f.write_str(" at line ")?;
        fmt::Display::fmt(&self.line, f)?;
        f.write_str(" column ")?;
        fmt::Display::fmt(&self.column, f)
    }
}

impl std::error::Error for JsonError {}

/// What is wrong with a JSON text, as serde_json names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    EofList,
    EofObject,
    EofString,
    EofValue,
    ExpectedColon,
    ExpectedListCommaOrEnd,
    ExpectedObjectCommaOrEnd,
    ExpectedIdent,
    ExpectedValue,
    InvalidEscape,
    InvalidNumber,
    OutOfRange,
    ControlCharacter,
    KeyMustBeAString,
    LoneSurrogate,
    TrailingComma,
    TrailingCharacters,
    UnexpectedEndOfHexEscape,
    RecursionLimit,
}

impl Code {
    /// serde_json's message.
    pub(crate) const fn message(self) -> &'static str {
        match self {
            Self::EofList => "EOF while parsing a list",
            Self::EofObject => "EOF while parsing an object",
            Self::EofString => "EOF while parsing a string",
            Self::EofValue => "EOF while parsing a value",
            Self::ExpectedColon => "expected `:`",
            Self::ExpectedListCommaOrEnd => "expected `,` or `]`",
            Self::ExpectedObjectCommaOrEnd => "expected `,` or `}`",
            Self::ExpectedIdent => "expected ident",
            Self::ExpectedValue => "expected value",
            Self::InvalidEscape => "invalid escape",
            Self::InvalidNumber => "invalid number",
            Self::OutOfRange => "number out of range",
            Self::ControlCharacter => {
                "control character (\\u0000-\\u001F) found while parsing a string"
            }
            Self::KeyMustBeAString => "key must be a string",
            Self::LoneSurrogate => "lone leading surrogate in hex escape",
            Self::TrailingComma => "trailing comma",
            Self::TrailingCharacters => "trailing characters",
            Self::UnexpectedEndOfHexEscape => "unexpected end of hex escape",
            Self::RecursionLimit => "recursion limit exceeded",
        }
    }
}

/// Reading stopped; the reader holds why ([`Reader::failure`]). Zero-sized, so that results stay as
/// small as their values on the hot path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bail;

/// Why reading stopped: what, and the byte index serde_json reports it at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failure {
    code: Code,
    at: usize,
}

impl Failure {
    /// The error as serde_json reports it for `text`.
    pub(crate) fn error(self, text: &str) -> JsonError {
        JsonError::at(text, self.at, self.code.message())
    }
}

/// What [`Reader`] methods return.
pub(crate) type Read<T> = Result<T, Bail>;

/// An object key read by [`Reader::next_key_among`].
pub(crate) enum Key<'a> {
    /// The index of one of the names the caller expects.
    Known(usize),
    /// Any other key.
    Other(Cow<'a, str>),
}

/// Whether `a` and `b` (of the same length) are equal, eight bytes at a time (a slice comparison is a
/// byte-by-byte `memcmp` call in WASM).
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    #[inline(always)]
    fn word(s: &[u8], at: usize) -> u64 {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(0, u64::from_le_bytes)
    }
    #[inline(always)]
    fn half(s: &[u8], at: usize) -> u32 {
        s.get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map_or(0, u32::from_le_bytes)
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 4 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    if n < 8 {
        // Two four-byte halves, overlapping when `n` is below eight.
        return half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4);
    }
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes (overlapping the words before when `n` is not a multiple of eight).
    word(a, n - 8) == word(b, n - 8)
}

/// serde_json's nesting limit: the 128th container inside one another is refused.
const MAX_DEPTH: usize = 128;

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
    /// Containers open as values (the skipped ones do not count, as in serde_json).
    depth: usize,
    /// Where the last key read by [`Reader::next_key`] ended, after the whitespace that follows it.
    key_end: usize,
    /// The open containers of [`Reader::skip`], innermost last (reused).
    frames: Vec<u8>,
    /// Why the last [`Bail`] happened.
    failure: Failure,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
            key_end: 0,
            frames: Vec::new(),
            failure: Failure {
                code: Code::EofValue,
                at: 0,
            },
        }
    }

    /// Why the last [`Bail`] happened.
    pub(crate) const fn failure(&self) -> Failure {
        self.failure
    }

    /// The error of the last [`Bail`], as serde_json reports it.
    pub(crate) fn error_text(&self) -> JsonError {
        self.failure.error(self.text)
    }

    /// The text being read.
    pub(crate) const fn text(&self) -> &'a str {
        self.text
    }

    /// Where the last key ended (after its whitespace): serde_json's position for an error about it.
    pub(crate) const fn key_end(&self) -> usize {
        self.key_end
    }

    /// The reading position and nesting, to come back to with [`Reader::rewind`].
    pub(crate) const fn mark(&self) -> (usize, usize) {
        (self.pos, self.depth)
    }

    /// Goes back to a [`Reader::mark`].
    pub(crate) fn rewind(&mut self, (pos, depth): (usize, usize)) {
        self.pos = pos;
        self.depth = depth;
    }

    /// An error about the byte just consumed (serde_json's `error`).
    #[cold]
    fn error<T>(&mut self, code: Code) -> Read<T> {
        self.failure = Failure { code, at: self.pos };
        Err(Bail)
    }

    /// An error about the byte about to be read (serde_json's `peek_error`).
    #[cold]
    fn peek_error<T>(&mut self, code: Code) -> Read<T> {
        self.failure = Failure {
            code,
            at: (self.pos + 1).min(self.bytes.len()),
        };
        Err(Bail)
    }

    /// Skips whitespace. Inlined where it is called: most of the time there is none (compact JSON).
    #[inline(always)]
    fn skip_ws(&mut self) {
        if self.bytes.get(self.pos).is_some_and(|&b| b <= b' ') {
            self.skip_more_ws();
        }
    }

    fn skip_more_ws(&mut self) {
        while let Some(b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// The next byte after whitespace, not consumed.
    #[inline(always)]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.pos).copied()
    }

    /// The byte at the position, without skipping whitespace.
    fn at(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Checks that only whitespace is left.
    pub(crate) fn end(&mut self) -> Read<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => self.peek_error(Code::TrailingCharacters),
        }
    }

    /// Consumes the `[` or `{` of a container read as a value (the caller has peeked it).
    pub(crate) fn open(&mut self) -> Read<()> {
        if self.depth + 1 >= MAX_DEPTH {
            return self.peek_error(Code::RecursionLimit);
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    /// The next key of the object opened with [`Reader::open`] (with its `:` consumed), or `None` after
    /// its closing `}`. `first` is true before the first key.
    pub(crate) fn next_key(&mut self, first: &mut bool) -> Read<Option<Cow<'a, str>>> {
        if !self.key_open(first)? {
            return Ok(None);
        }
        let key = self.string()?;
        self.key_close()?;
        Ok(Some(key))
    }

    /// [`Reader::next_key`] for an object whose members are mostly `names`: a key that is one of them,
    /// written without escapes, is matched in place (trying `names[hint]` first) and comes back as its
    /// index, any other as [`Key::Other`].
    #[inline(always)]
    pub(crate) fn next_key_among(
        &mut self,
        first: &mut bool,
        names: &[&str],
        hint: usize,
    ) -> Read<Option<Key<'a>>> {
        if !self.key_open(first)? {
            return Ok(None);
        }
        let key = match self.plain_among(names, hint) {
            Some(i) => Key::Known(i),
            None => {
                let key = self.string()?;
                // One of the names written with escapes.
                match names.iter().position(|name| *name == key) {
                    Some(i) => Key::Known(i),
                    None => Key::Other(key),
                }
            }
        };
        self.key_close()?;
        Ok(Some(key))
    }

    /// Before a key: its opening quote consumed (`true`), or the object's `}` (`false`).
    #[inline(always)]
    fn key_open(&mut self, first: &mut bool) -> Read<bool> {
        match self.peek() {
            None => return self.peek_error(Code::EofObject),
            Some(b'}') => {
                self.pos += 1;
                self.depth -= 1;
                return Ok(false);
            }
            Some(b) if *first => {
                *first = false;
                if b != b'"' {
                    return self.peek_error(Code::KeyMustBeAString);
                }
            }
            Some(b',') => {
                self.pos += 1;
                match self.peek() {
                    Some(b'"') => {}
                    Some(b'}') => return self.peek_error(Code::TrailingComma),
                    Some(_) => return self.peek_error(Code::KeyMustBeAString),
                    None => return self.peek_error(Code::EofValue),
                }
            }
            Some(_) => return self.peek_error(Code::ExpectedObjectCommaOrEnd),
        }
        self.pos += 1;
        Ok(true)
    }

    /// After a key: the whitespace and the `:`.
    #[inline(always)]
    fn key_close(&mut self) -> Read<()> {
        self.skip_ws();
        self.key_end = self.pos;
        self.colon()
    }

    /// Which of `names` (trying `names[hint]` first) the text at the position is, followed by a closing
    /// quote, consumed; nothing is consumed when none is. A name holds no quote, backslash or control
    /// byte, so the string there is exactly that name.
    #[inline(always)]
    fn plain_among(&mut self, names: &[&str], hint: usize) -> Option<usize> {
        let mut found = names.get(hint).is_some_and(|name| self.plain_is(name));
        let mut i = hint;
        if !found {
            // A plain loop: `position` is a call of its own in the size-optimised build.
            i = 0;
            while i < names.len() && !found {
                found = self.plain_is(names[i]);
                i += 1;
            }
            i = i.wrapping_sub(1);
        }
        if !found {
            return None;
        }
        self.pos += names[i].len() + 1;
        Some(i)
    }

    /// Whether the text at the position is `name` and a quote.
    #[inline(always)]
    fn plain_is(&self, name: &str) -> bool {
        let rest = &self.bytes[self.pos..];
        let n = name.len();
        rest.get(n) == Some(&b'"') && same_bytes(&rest[..n], name.as_bytes())
    }

    /// The index of the next value if it is a string equal to one of `options` written without escapes
    /// (consumed); `None` otherwise, with nothing consumed but whitespace.
    #[inline(always)]
    pub(crate) fn string_among(&mut self, options: &[&str]) -> Option<usize> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.pos += 1;
        let found = self.plain_among(options, 0);
        if found.is_none() {
            self.pos -= 1;
        }
        found
    }

    #[inline(always)]
    fn colon(&mut self) -> Read<()> {
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => self.peek_error(Code::ExpectedColon),
            None => self.peek_error(Code::EofObject),
        }
    }

    /// Whether the array opened with [`Reader::open`] has another element (its `,` consumed); after
    /// `false` the array is closed.
    fn next_element(&mut self, first: &mut bool) -> Read<bool> {
        match self.peek() {
            None => self.peek_error(Code::EofList),
            Some(b']') => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            Some(b',') => {
                self.pos += 1;
                match self.peek() {
                    Some(b']') => self.peek_error(Code::TrailingComma),
                    Some(_) => Ok(true),
                    None => self.peek_error(Code::EofValue),
                }
            }
            Some(_) => self.peek_error(Code::ExpectedListCommaOrEnd),
        }
    }

    /// A string after its opening quote, borrowed unless it has escapes.
    fn string(&mut self) -> Read<Cow<'a, str>> {
        let start = self.pos;
        self.plain_run();
        match self.at() {
            None => return self.error(Code::EofString),
            Some(b'"') => {
                let s = &self.text[start..self.pos];
                self.pos += 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            Some(_) => {
                self.pos += 1;
                return self.error(Code::ControlCharacter);
            }
        }
        let mut out = String::from(&self.text[start..self.pos]);
        loop {
            match self.at() {
                None => return self.error(Code::EofString),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(0..=0x1f) => {
                    self.pos += 1;
                    return self.error(Code::ControlCharacter);
                }
                Some(_) => {
                    // Copy the run up to the next quote, escape or control byte (UTF-8 stays whole:
                    // those bytes are ASCII and never inside a multi-byte sequence).
                    let run = self.pos;
                    self.plain_run();
                    out.push_str(&self.text[run..self.pos]);
                }
            }
        }
    }

    /// One escape after its backslash, appended to `out`; surrogates must come in pairs.
    fn escape(&mut self, out: &mut String) -> Read<()> {
        let Some(e) = self.at() else {
            return self.error(Code::EofString);
        };
        self.pos += 1;
        let c = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape()?,
            _ => return self.error(Code::InvalidEscape),
        };
        out.push(c);
        Ok(())
    }

    /// The character of a `\\u` escape (and of the low surrogate escape that must follow a high one).
    fn unicode_escape(&mut self) -> Read<char> {
        let high = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&high) {
            return self.error(Code::LoneSurrogate);
        }
        if !(0xD800..=0xDBFF).contains(&high) {
            return char::from_u32(high).map_or_else(|| self.error(Code::LoneSurrogate), Ok);
        }
        for expected in [b'\\', b'u'] {
            let Some(b) = self.at() else {
                return self.error(Code::EofString);
            };
            self.pos += 1;
            if b != expected {
                return self.error(Code::UnexpectedEndOfHexEscape);
            }
        }
        let low = self.hex4()?;
        if !(0xDC00..=0xDFFF).contains(&low) {
            return self.error(Code::LoneSurrogate);
        }
        let c = 0x1_0000 + ((high - 0xD800) << 10 | (low - 0xDC00));
        char::from_u32(c).map_or_else(|| self.error(Code::LoneSurrogate), Ok)
    }

    /// The four hex digits of a `\\u` escape.
    fn hex4(&mut self) -> Read<u32> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            self.pos = self.bytes.len();
            return self.error(Code::EofString);
        };
        self.pos += 4;
        let mut n = 0u32;
        for &d in digits {
            let Some(v) = char::from(d).to_digit(16) else {
                return self.error(Code::InvalidEscape);
            };
            n = n * 16 + v;
        }
        Ok(n)
    }

    /// Skips a string after its opening quote, checking escapes for syntax only (serde_json's
    /// `ignore_str`).
    fn skip_string(&mut self) -> Read<()> {
        loop {
            self.plain_run();
            match self.at() {
                None => return self.error(Code::EofString),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let Some(e) = self.at() else {
                        return self.error(Code::EofString);
                    };
                    self.pos += 1;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            self.hex4()?;
                        }
                        _ => return self.error(Code::InvalidEscape),
                    }
                }
                Some(_) => return self.error(Code::ControlCharacter),
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

    /// The next value as a [`Scalar`]; arrays and objects are checked and skipped.
    pub(crate) fn scalar(&mut self) -> Read<Scalar<'a>> {
        match self.peek() {
            None => self.peek_error(Code::EofValue),
            Some(b'"') => {
                self.pos += 1;
                self.string().map(Scalar::Str)
            }
            Some(b't') => self.ident(b"true").map(|()| Scalar::Bool(true)),
            Some(b'f') => self.ident(b"false").map(|()| Scalar::Bool(false)),
            Some(b'n') => self.ident(b"null").map(|()| Scalar::Null),
            Some(b'0'..=b'9') => self.plain_number().map_or_else(|| self.number(), Ok),
            Some(b'-') => self.number(),
            Some(b'[') => {
                self.open()?;
                let mut first = true;
                while self.next_element(&mut first)? {
                    self.skip()?;
                }
                Ok(Scalar::Array)
            }
            Some(b'{') => {
                self.open()?;
                let mut first = true;
                while self.next_key(&mut first)?.is_some() {
                    self.skip()?;
                }
                Ok(Scalar::Object)
            }
            Some(_) => self.peek_error(Code::ExpectedValue),
        }
    }

    /// The next value as a [`Value`] (serde_json's `from_str::<Value>`).
    pub(crate) fn value(&mut self) -> Read<Value> {
        Ok(match self.peek() {
            Some(b'[') => {
                self.open()?;
                let mut items = Vec::new();
                let mut first = true;
                while self.next_element(&mut first)? {
                    items.push(self.value()?);
                }
                Value::Array(items)
            }
            Some(b'{') => {
                self.open()?;
                let mut map = Map::new();
                let mut first = true;
                while let Some(key) = self.next_key(&mut first)? {
                    let value = self.value()?;
                    map.insert(key.into_owned(), value);
                }
                Value::Object(map)
            }
            _ => match self.scalar()? {
                Scalar::Null | Scalar::Array | Scalar::Object => Value::Null,
                Scalar::Bool(b) => Value::Bool(b),
                Scalar::Int(i) => Value::from(i),
                Scalar::UInt(u) => Value::from(u),
                Scalar::Float(x) => Value::from(x),
                Scalar::Str(s) => Value::String(s.into_owned()),
            },
        })
    }

    /// The rest of a literal whose first byte was peeked.
    fn ident(&mut self, word: &[u8]) -> Read<()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            return Ok(());
        }
        self.pos += 1;
        for &expected in &word[1..] {
            let Some(b) = self.at() else {
                return self.error(Code::EofValue);
            };
            self.pos += 1;
            if b != expected {
                return self.error(Code::ExpectedIdent);
            }
        }
        Ok(())
    }

    /// Skips the next value, checking its syntax only (serde_json's `ignore_value`), without
    /// recursion.
    pub(crate) fn skip(&mut self) -> Read<()> {
        let mut frames = std::mem::take(&mut self.frames);
        frames.clear();
        let result = self.skip_with(&mut frames);
        self.frames = frames;
        result
    }

    fn skip_with(&mut self, frames: &mut Vec<u8>) -> Read<()> {
        let mut enclosing = None;
        loop {
            let frame = match self.peek() {
                None => return self.peek_error(Code::EofValue),
                Some(b'n') => self.ident(b"null").map(|()| None)?,
                Some(b't') => self.ident(b"true").map(|()| None)?,
                Some(b'f') => self.ident(b"false").map(|()| None)?,
                Some(b'-') => {
                    self.pos += 1;
                    self.skip_number()?;
                    None
                }
                Some(b'0'..=b'9') => {
                    self.skip_number()?;
                    None
                }
                Some(b'"') => {
                    self.pos += 1;
                    self.skip_string()?;
                    None
                }
                Some(frame @ (b'[' | b'{')) => {
                    frames.extend(enclosing.take());
                    self.pos += 1;
                    Some(frame)
                }
                Some(_) => return self.peek_error(Code::ExpectedValue),
            };
            let (mut accept_comma, mut frame) = match frame {
                Some(frame) => (false, frame),
                None => match enclosing.take().or_else(|| frames.pop()) {
                    Some(frame) => (true, frame),
                    None => return Ok(()),
                },
            };
            loop {
                match self.peek() {
                    Some(b',') if accept_comma => {
                        self.pos += 1;
                        break;
                    }
                    Some(b) if b == frame + 2 => {}
                    Some(_) if accept_comma => {
                        return self.peek_error(if frame == b'[' {
                            Code::ExpectedListCommaOrEnd
                        } else {
                            Code::ExpectedObjectCommaOrEnd
                        });
                    }
                    Some(_) => break,
                    None => {
                        return self.peek_error(if frame == b'[' {
                            Code::EofList
                        } else {
                            Code::EofObject
                        });
                    }
                }
                self.pos += 1;
                match frames.pop() {
                    Some(outer) => frame = outer,
                    None => return Ok(()),
                }
                accept_comma = true;
            }
            if frame == b'{' {
                match self.peek() {
                    Some(b'"') => self.pos += 1,
                    Some(_) => return self.peek_error(Code::KeyMustBeAString),
                    None => return self.peek_error(Code::EofObject),
                }
                self.skip_string()?;
                self.colon()?;
            }
            enclosing = Some(frame);
        }
    }

    /// Skips a number after its optional `-`, checking its syntax (serde_json's `ignore_integer`).
    fn skip_number(&mut self) -> Read<()> {
        match self.at() {
            Some(b'0') => {
                self.pos += 1;
                if self.at().is_some_and(|b| b.is_ascii_digit()) {
                    return self.peek_error(Code::InvalidNumber);
                }
            }
            Some(b'1'..=b'9') => self.skip_digits(),
            Some(_) => {
                self.pos += 1;
                return self.error(Code::InvalidNumber);
            }
            None => return self.error(Code::InvalidNumber),
        }
        if self.at() == Some(b'.') {
            self.pos += 1;
            let before = self.pos;
            self.skip_digits();
            if self.pos == before {
                return self.peek_error(Code::InvalidNumber);
            }
        }
        if matches!(self.at(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.at(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            match self.at() {
                Some(b'0'..=b'9') => self.pos += 1,
                Some(_) => {
                    self.pos += 1;
                    return self.error(Code::InvalidNumber);
                }
                None => return self.error(Code::InvalidNumber),
            }
            self.skip_digits();
        }
        Ok(())
    }

    fn skip_digits(&mut self) {
        while self.at().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    /// A number, classified as serde_json does: a whole number is `UInt` if it fits `u64`, `Int` if
    /// negative and fits `i64` (`-0` is the float `-0.0`), anything else a correctly rounded `Float`.
    fn number(&mut self) -> Read<Scalar<'a>> {
        let start = self.pos;
        let negative = self.bytes[start] == b'-';
        if negative {
            self.pos += 1;
        }
        // The digits as a whole number (`None` once past `u64`), whether any is not zero, and how many.
        let mut significand = Some(0u64);
        let mut count = 0usize;
        match self.at() {
            Some(b'0') => {
                self.pos += 1;
                count = 1;
                if self.at().is_some_and(|b| b.is_ascii_digit()) {
                    return self.peek_error(Code::InvalidNumber);
                }
            }
            Some(b'1'..=b'9') => self.digits(&mut significand, &mut count),
            Some(_) => {
                self.pos += 1;
                return self.error(Code::InvalidNumber);
            }
            None => return self.error(Code::EofValue),
        }
        let digits_start = start + usize::from(negative);
        let mut whole = true;
        let mut scale = 0i64;
        if self.at() == Some(b'.') {
            whole = false;
            self.pos += 1;
            let before = count;
            self.digits(&mut significand, &mut count);
            if count == before {
                return self.peek_error(if self.at().is_some() {
                    Code::InvalidNumber
                } else {
                    Code::EofValue
                });
            }
            scale -= i64::try_from(count - before).unwrap_or(i64::MAX / 2);
        }
        if matches!(self.at(), Some(b'e' | b'E')) {
            whole = false;
            self.pos += 1;
            let minus = match self.at() {
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
            let mut exp = match self.at() {
                Some(d @ b'0'..=b'9') => i32::from(d - b'0'),
                Some(_) => {
                    self.pos += 1;
                    return self.error(Code::InvalidNumber);
                }
                None => return self.error(Code::EofValue),
            };
            self.pos += 1;
            while let Some(d @ b'0'..=b'9') = self.at() {
                self.pos += 1;
                match exp
                    .checked_mul(10)
                    .and_then(|e| e.checked_add(i32::from(d - b'0')))
                {
                    Some(e) => exp = e,
                    None => {
                        // serde_json: past i32, a non-zero number with a positive exponent is out of
                        // range, anything else is zero.
                        let zero = self.bytes[digits_start..self.pos]
                            .iter()
                            .take_while(|b| !matches!(b, b'e' | b'E'))
                            .all(|b| matches!(b, b'0' | b'.'));
                        if !zero && !minus {
                            return self.error(Code::OutOfRange);
                        }
                        self.skip_digits();
                        return Ok(Scalar::Float(if negative { -0.0 } else { 0.0 }));
                    }
                }
            }
            scale = if minus {
                scale - i64::from(exp)
            } else {
                scale + i64::from(exp)
            };
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
            // serde_json's own conversion (which the patch values' `parse_double` links anyway).
            None => crate::values::parse_json_number(&self.text[digits_start..self.pos])
                .unwrap_or(f64::INFINITY),
        };
        if x.is_finite() {
            Ok(Scalar::Float(if negative { -x } else { x }))
        } else {
            self.error(Code::OutOfRange)
        }
    }

    /// The next value if it is `true`, `false` or a plain number (see [`Reader::plain_number`]), as
    /// [`Reader::scalar`] reads it; `None`, with only whitespace consumed, for any other value.
    #[inline(always)]
    pub(crate) fn simple_scalar(&mut self) -> Option<Scalar<'a>> {
        match self.peek()? {
            b't' if self.word_at(b"true") => Some(Scalar::Bool(true)),
            b'f' if self.word_at(b"false") => Some(Scalar::Bool(false)),
            b'0'..=b'9' => self.plain_number(),
            _ => None,
        }
    }

    /// Whether `word` is at the position (consumed if so).
    #[inline(always)]
    fn word_at(&mut self, word: &[u8]) -> bool {
        let rest = &self.bytes[self.pos..];
        let found = rest.len() >= word.len() && same_bytes(&rest[..word.len()], word);
        if found {
            self.pos += word.len();
        }
        found
    }

    /// A number written plainly (not negative, at most 15 digits, no exponent), as [`Reader::number`]
    /// reads it: its significand and power of ten are exact doubles, so one division rounds it. `None`,
    /// with nothing consumed, for any other number.
    fn plain_number(&mut self) -> Option<Scalar<'a>> {
        let start = self.pos;
        let mut n = 0u64;
        let mut end = start;
        while let Some(&d @ b'0'..=b'9') = self.bytes.get(end) {
            n = n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
            end += 1;
        }
        let whole_digits = end - start;
        if whole_digits > 1 && self.bytes[start] == b'0' {
            return None;
        }
        let mut fraction = 0;
        if self.bytes.get(end) == Some(&b'.') {
            end += 1;
            while let Some(&d @ b'0'..=b'9') = self.bytes.get(end) {
                n = n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                end += 1;
                fraction += 1;
            }
            if fraction == 0 {
                return None;
            }
        }
        if whole_digits + fraction > 15 || matches!(self.bytes.get(end), Some(b'e' | b'E')) {
            return None;
        }
        self.pos = end;
        #[allow(clippy::cast_precision_loss)]
        Some(if fraction == 0 {
            Scalar::UInt(n)
        } else {
            Scalar::Float(n as f64 / POW10[fraction])
        })
    }

    /// Reads decimal digits into `value` (`None` once it overflows `u64`), counting them.
    fn digits(&mut self, value: &mut Option<u64>, count: &mut usize) {
        while let Some(d @ b'0'..=b'9') = self.at() {
            *value = value.and_then(|v| v.checked_mul(10)?.checked_add(u64::from(d - b'0')));
            *count += 1;
            self.pos += 1;
        }
    }
}

/// Parses JSON text as serde_json's `from_str::<Value>` does, with its errors.
///
/// # Errors
/// serde_json's syntax error, with line and column.
pub fn value_from_str(text: &str) -> Result<Value, JsonError> {
    let mut r = Reader::new(text);
    r.value()
        .and_then(|v| r.end().map(|()| v))
        .map_err(|Bail| r.error_text())
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

    /// What serde_json's `from_str::<Value>` and [`value_from_str`] answer, as text.
    fn both(text: &str) -> (Result<String, String>, Result<String, String>) {
        let ours = value_from_str(text)
            .map(|v| format!("{v:?}"))
            .map_err(|e| e.to_string());
        let theirs = serde_json::from_str::<Value>(text)
            .map(|v| format!("{v:?}"))
            .map_err(|e| e.to_string());
        (ours, theirs)
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
        assert_eq!(scalar("1e-99999999999"), Ok(Scalar::Float(0.0)));
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
            "1e+",
            "-x",
            "0.e1",
            "1e99999999999",
            "[1 2]",
            "{\"a\" 1}",
            "{1: 2}",
            "\"\\ud800\"",
        ] {
            assert!(scalar(bad).is_err(), "{bad}");
            let (ours, theirs) = both(bad);
            assert_eq!(ours, theirs, "{bad}");
        }
    }

    #[test]
    fn strings_are_borrowed_unless_escaped() {
        assert!(matches!(
            scalar("\"ab\""),
            Ok(Scalar::Str(Cow::Borrowed("ab")))
        ));
        assert_eq!(
            scalar(r#""a\u002d\n\"é\ud83d\ude00""#),
            Ok(Scalar::Str(Cow::Owned("a-\n\"é😀".to_owned())))
        );
        for bad in [
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800x\"",
            "\"a\u{1}\"",
            "\"\\x\"",
            "\"abc",
            "\"\\u12",
            "\"\\u12g4\"",
            "\"a\nb\"",
        ] {
            assert!(scalar(bad).is_err(), "{bad}");
            let (ours, theirs) = both(bad);
            assert_eq!(ours, theirs, "{bad}");
        }
    }

    #[test]
    fn errors_are_placed_as_serde_json_places_them() {
        let e = value_from_str("{\n  \"a\": [1,\n  2,]}").unwrap_err();
        assert_eq!(
            (e.line(), e.column(), e.message()),
            (3, 5, "trailing comma")
        );
        assert_eq!(e.to_string(), "trailing comma at line 3 column 5");
        assert_eq!(
            value_from_str("").unwrap_err().to_string(),
            "EOF while parsing a value at line 1 column 0"
        );
    }

    proptest::proptest! {
        /// Numbers read as serde_json reads them (same class, same bits), or fail where it fails, with
        /// its message.
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
                    Err(_) => proptest::prop_assert!(ours.is_err(), "{}", text),
                }
                let (ours, theirs) = both(&text);
                proptest::prop_assert_eq!(ours, theirs, "{}", text);
            }
        }

        /// Any text: the same value or the same error as serde_json's `from_str::<Value>`.
        #[test]
        fn values_match_serde_json(text in "[-\\[\\]{}\",: \n0-9a-z\\\\.eE+\u{1}é]{0,24}") {
            let (ours, theirs) = both(&text);
            proptest::prop_assert_eq!(ours, theirs, "{:?}", text);
        }
    }

    #[test]
    fn same_bytes_is_slice_equality_whichever_byte_differs() {
        let a: Vec<u8> = (b'a'..=b'z').chain(b'0'..=b'9').chain(*b"ABCDEF").collect();
        for n in 0..=a.len() {
            let mut b = a[..n].to_vec();
            assert!(same_bytes(&a[..n], &b), "{n}");
            for i in 0..n {
                b[i] ^= 0x20;
                assert!(!same_bytes(&a[..n], &b), "{n} {i}");
                b[i] ^= 0x20;
            }
            assert!(!same_bytes(&a[..n], &a[..n.saturating_sub(1)]) || n == 0);
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
    fn nesting_is_limited_as_in_serde_json_and_skipping_is_not() {
        for depth in [126, 127, 128, 200] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let (ours, theirs) = both(&text);
            assert_eq!(ours, theirs, "{depth}");
        }
        let deep = "[".repeat(100_000);
        let mut r = Reader::new(&deep);
        assert_eq!(
            r.skip().map_err(|Bail| r.error_text().to_string()),
            Err("EOF while parsing a list at line 1 column 100000".to_owned())
        );
    }
}
