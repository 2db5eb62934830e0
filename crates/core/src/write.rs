//! JSON text written by hand, byte for byte as `serde_json::to_string` writes the same values (compact;
//! strings escaped as serde_json escapes them; doubles in zmij's shortest form, `null` when not finite).
//!
//! The WASM package answers JS with JSON text; writing it here instead of through serde's `Serialize`
//! keeps serde's serializer machinery out of that build. The model's `Serialize` impls stay the reference:
//! tests compare both.

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

/// A value that writes itself as JSON text.
pub trait WriteJson {
    /// Appends the JSON text of `self` to `out`.
    fn write_json(&self, out: &mut String);

    /// Whether a struct leaves this field out (an absent option, an empty map that AWS omits).
    fn skip_json(&self) -> bool {
        false
    }
}

/// The JSON text of `value`.
///
/// ```
/// use serde_json::json;
/// assert_eq!(stagecraft_core::write::to_json_string(&json!({"a": [1, 2.5, "x\n"]})), r#"{"a":[1,2.5,"x\n"]}"#);
/// ```
#[must_use]
pub fn to_json_string<T: WriteJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// Writes `s` as a JSON string.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        run = i + 1;
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Writes a double as serde_json does: shortest round-trip form, `null` when not finite.
pub fn write_f64(out: &mut String, x: f64) {
    if x.is_finite() {
        out.push_str(zmij::Buffer::new().format_finite(x));
    } else {
        out.push_str("null");
    }
}

/// Writes `"name":` before a member (with the comma that separates it from the one before, unless it
/// is the first: `first` tracks that).
pub fn write_key(out: &mut String, first: &mut bool, name: &str) {
    if !std::mem::take(first) {
        out.push(',');
    }
    write_str(out, name);
    out.push(':');
}

/// Writes an object of `(name, value)` members.
pub fn write_object<'a, T: WriteJson + ?Sized + 'a>(
    out: &mut String,
    members: impl IntoIterator<Item = (&'a str, &'a T)>,
) {
    out.push('{');
    let mut first = true;
    for (name, value) in members {
        write_key(out, &mut first, name);
        value.write_json(out);
    }
    out.push('}');
}

impl WriteJson for str {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl WriteJson for String {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl WriteJson for i64 {
    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl WriteJson for u64 {
    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl WriteJson for f64 {
    fn write_json(&self, out: &mut String) {
        write_f64(out, *self);
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(value) => value.write_json(out),
            None => out.push_str("null"),
        }
    }

    fn skip_json(&self) -> bool {
        self.is_none()
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

/// String maps (`variables`, `tags`, `stageVariableOverrides`): left out of a struct when empty, as AWS
/// omits them.
impl WriteJson for crate::model::SortedMap<String, String> {
    fn write_json(&self, out: &mut String) {
        write_object(out, self.iter().map(|(k, v)| (k.as_str(), v)));
    }

    fn skip_json(&self) -> bool {
        self.is_empty()
    }
}

impl WriteJson for Number {
    fn write_json(&self, out: &mut String) {
        if let Some(u) = self.as_u64() {
            u.write_json(out);
        } else if let Some(i) = self.as_i64() {
            i.write_json(out);
        } else {
            write_f64(out, self.as_f64().unwrap_or(f64::NAN));
        }
    }
}

impl WriteJson for Map<String, Value> {
    fn write_json(&self, out: &mut String) {
        write_object(out, self.iter().map(|(k, v)| (k.as_str(), v)));
    }
}

impl WriteJson for Value {
    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => b.write_json(out),
            Value::Number(n) => n.write_json(out),
            Value::String(s) => write_str(out, s),
            Value::Array(items) => items.write_json(out),
            Value::Object(map) => map.write_json(out),
        }
    }
}

/// Writes the members of a flattened map (unknown fields) after a struct's own.
pub(crate) fn write_extra(out: &mut String, first: &mut bool, extra: &Map<String, Value>) {
    for (name, value) in extra {
        write_key(out, first, name);
        value.write_json(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[\\x00-\\x7f\u{80}-\u{10ffff}]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z\"\\\\\n]{0,4}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn values_are_written_as_serde_json_writes_them(value in any_value()) {
            prop_assert_eq!(to_json_string(&value), serde_json::to_string(&value).unwrap());
        }
    }

    #[test]
    fn escapes_and_numbers() {
        let value = json!([
            "\u{1}\u{1f}\u{7f}\u{2028}é\"\\/\u{8}\u{c}",
            1.0,
            -0.0,
            1e300,
            5e-324,
            -7,
            u64::MAX
        ]);
        assert_eq!(
            to_json_string(&value),
            serde_json::to_string(&value).unwrap()
        );
        let mut out = String::new();
        write_f64(&mut out, f64::NAN);
        assert_eq!(out, "null");
    }
}
