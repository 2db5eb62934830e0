//! [`MethodSetting`]: one `methodSettings` entry, its values checked and stored by row of the table.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::de::Key;
use crate::scalar::Scalar;
use crate::settings::{METHOD_SETTINGS, Setting, ValueKind};
use crate::write::{WriteJson, write_f64, write_key, write_str};

/// Number of rows in [`METHOD_SETTINGS`].
const SETTINGS: usize = METHOD_SETTINGS.len();

/// A checked setting value in 16 bytes: no heap, cheap to copy and compare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Stored {
    Bool(bool),
    Integer(i64),
    Double(f64),
    /// Index into the setting's [`ValueKind::Enum`] options.
    Choice(u8),
}

impl Stored {
    /// Converts a JSON value that [`Setting::check`] accepts.
    fn from_json(setting: &Setting, value: &Value) -> Option<Self> {
        if setting.problem(value).is_some() {
            return None;
        }
        Self::from_scalar(setting, &Scalar::from(value))
    }

    /// Converts a value that [`Setting::problem_scalar`] accepts (no [`Value`] built).
    pub(crate) fn from_scalar(setting: &Setting, value: &Scalar<'_>) -> Option<Self> {
        match setting.kind {
            ValueKind::Bool => value.as_bool().map(Self::Bool),
            ValueKind::Integer { .. } => value.as_i64().map(Self::Integer),
            ValueKind::Double { .. } => value.as_f64().map(Self::Double),
            ValueKind::Enum(options) => {
                let s = value.as_str()?;
                options
                    .iter()
                    .position(|o| *o == s)
                    .and_then(|i| u8::try_from(i).ok())
                    .map(Self::Choice)
            }
        }
    }

    /// The canonical JSON value (doubles as doubles).
    pub(crate) fn to_json(self, setting: &Setting) -> Value {
        match (self, setting.kind) {
            (Self::Bool(b), _) => Value::Bool(b),
            (Self::Integer(i), _) => Value::from(i),
            (Self::Double(d), _) => Value::from(d),
            (Self::Choice(i), ValueKind::Enum(options)) => Value::from(options[usize::from(i)]),
            (Self::Choice(_), _) => Value::Null,
        }
    }

    /// The patch `value` string (`"true"`, `"300"`, `"10000.0"`, `"INFO"`).
    pub(crate) fn to_patch_value(self, setting: &Setting) -> String {
        match (self, setting.kind) {
            (Self::Bool(b), _) => b.to_string(),
            (Self::Integer(i), _) => i.to_string(),
            (Self::Double(d), _) => crate::values::format_double(d),
            (Self::Choice(i), ValueKind::Enum(options)) => options[usize::from(i)].to_owned(),
            (Self::Choice(_), _) => String::new(),
        }
    }
}

/// One method-setting entry: the table's fields plus any unknown fields.
///
/// Fields are stored compactly by table row, so a new row in [`METHOD_SETTINGS`] needs no change here
/// and a stage with 10,000 entries stays small. Serialised in table order, unknown fields last.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MethodSetting {
    values: [Option<Stored>; SETTINGS],
    unknown: Map<String, Value>,
}

/// The row of `setting` in the table (by identity, else by field name).
fn row(setting: &Setting) -> Option<usize> {
    METHOD_SETTINGS
        .iter()
        .position(|s| std::ptr::eq(s, setting))
        .or_else(|| {
            METHOD_SETTINGS
                .iter()
                .position(|s| s.field == setting.field)
        })
}

impl MethodSetting {
    /// The entry AWS creates for a new key when there is no `*/*` to copy.
    #[must_use]
    pub fn aws_defaults() -> Self {
        let mut out = Self::default();
        for (slot, setting) in out.values.iter_mut().zip(METHOD_SETTINGS) {
            *slot = setting
                .default_json()
                .and_then(|v| Stored::from_json(setting, &v));
        }
        out
    }

    /// The value of one setting, if present.
    #[must_use]
    pub fn get(&self, setting: &Setting) -> Option<Value> {
        let i = row(setting)?;
        self.values[i].map(|v| v.to_json(&METHOD_SETTINGS[i]))
    }

    /// The value of a field by its GetStage name, known or unknown.
    #[must_use]
    pub fn get_field(&self, field: &str) -> Option<Value> {
        match Setting::by_field(field) {
            Some(setting) => self.get(setting),
            None => self.unknown.get(field).cloned(),
        }
    }

    /// Sets one setting; a value that [`Setting::check`] refuses is ignored.
    pub fn set(&mut self, setting: &Setting, value: Value) {
        if let Some(i) = row(setting)
            && let Some(v) = Stored::from_json(&METHOD_SETTINGS[i], &value)
        {
            self.values[i] = Some(v);
        }
    }

    /// Removes one setting.
    pub fn unset(&mut self, setting: &Setting) {
        if let Some(i) = row(setting) {
            self.values[i] = None;
        }
    }

    /// All fields, known (in table order) and unknown, as a JSON object.
    #[must_use]
    pub fn fields(&self) -> Map<String, Value> {
        self.iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// All present fields, known (in table order) then unknown.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Value)> {
        let known = METHOD_SETTINGS
            .iter()
            .zip(&self.values)
            .filter_map(|(s, v)| v.map(|v| (s.field, v.to_json(s))));
        known.chain(self.unknown.iter().map(|(k, v)| (k.as_str(), v.clone())))
    }

    /// The table's fields by row of [`METHOD_SETTINGS`].
    pub(crate) fn rows(&self) -> &[Option<Stored>] {
        &self.values
    }

    /// Sets row `i` of the table.
    pub(crate) fn set_row(&mut self, i: usize, value: Stored) {
        self.values[i] = Some(value);
    }

    /// Adds (or replaces) a field that is not in the table.
    pub(crate) fn insert_unknown(&mut self, name: String, value: Value) {
        self.unknown.insert(name, value);
    }

    /// Fields that are not in the table.
    pub fn unknown_fields(&self) -> &Map<String, Value> {
        &self.unknown
    }

    /// Adds one field from JSON, checking it if the table knows it.
    fn insert_json(&mut self, name: String, value: Value) -> Result<(), String> {
        match METHOD_SETTINGS.iter().position(|s| s.field == name) {
            Some(i) => {
                let setting = &METHOD_SETTINGS[i];
                let stored =
                    Stored::from_json(setting, &value).ok_or_else(|| invalid_field(i, &value))?;
                self.values[i] = Some(stored);
            }
            None => {
                self.unknown.insert(name, value);
            }
        }
        Ok(())
    }

    /// Builds an entry from JSON fields, checking the table's fields.
    ///
    /// # Errors
    /// A message naming the first field of the wrong type or out of range.
    pub fn from_fields(fields: Map<String, Value>) -> Result<Self, String> {
        let mut out = Self::default();
        for (name, value) in fields {
            out.insert_json(name, value)?;
        }
        Ok(out)
    }
}

impl WriteJson for MethodSetting {
    /// As `Serialize` writes it: the table's fields in table order, then the unknown ones.
    fn write_json(&self, out: &mut String) {
        out.push('{');
        let mut first = true;
        for (setting, value) in METHOD_SETTINGS.iter().zip(&self.values) {
            if let Some(value) = value {
                write_key(out, &mut first, setting.field);
                match (*value, setting.kind) {
                    (Stored::Bool(b), _) => b.write_json(out),
                    (Stored::Integer(i), _) => i.write_json(out),
                    (Stored::Double(d), _) => write_f64(out, d),
                    (Stored::Choice(i), ValueKind::Enum(options)) => {
                        write_str(out, options[usize::from(i)]);
                    }
                    (Stored::Choice(_), _) => out.push_str("null"),
                }
            }
        }
        crate::write::write_extra(out, &mut first, &self.unknown);
        out.push('}');
    }
}

/// `methodSettings`: always written, even when empty (AWS always returns it).
impl WriteJson for super::SortedMap<String, MethodSetting> {
    fn write_json(&self, out: &mut String) {
        crate::write::write_object(out, self.iter().map(|(k, v)| (k.as_str(), v)));
    }
}

impl Serialize for MethodSetting {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// Reads the value of the table's row `.0` straight into a [`Stored`] (no [`Value`], no allocation for
/// enum strings); `Err` carries the refused value for the message.
struct StoredSeed(usize);

impl StoredSeed {
    fn check(&self, value: Value) -> Result<Stored, Value> {
        Stored::from_json(&METHOD_SETTINGS[self.0], &value).ok_or(value)
    }
}

impl<'de> DeserializeSeed<'de> for StoredSeed {
    type Value = Result<Stored, Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> de::Visitor<'de> for StoredSeed {
    type Value = Result<Stored, Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a method setting value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.check(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.check(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.check(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.check(Value::from(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if let ValueKind::Enum(options) = METHOD_SETTINGS[self.0].kind
            && let Some(i) = options.iter().position(|o| *o == v)
            && let Ok(i) = u8::try_from(i)
        {
            return Ok(Ok(Stored::Choice(i)));
        }
        Ok(Err(Value::String(v.to_owned())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Err)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Err)
    }
}

impl<'de> Deserialize<'de> for MethodSetting {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = MethodSetting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a method setting object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MethodSetting, A::Error> {
                let mut out = MethodSetting::default();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    let name = key.as_str();
                    match METHOD_SETTINGS.iter().position(|s| s.field == name) {
                        Some(i) => match map.next_value_seed(StoredSeed(i))? {
                            Ok(stored) => out.values[i] = Some(stored),
                            Err(value) => {
                                return Err(de::Error::custom(invalid_field(i, &value)));
                            }
                        },
                        None => {
                            let value = map.next_value::<Value>()?;
                            out.unknown.insert(key.into_owned(), value);
                        }
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// The message for a value of the wrong type or out of range in row `i`.
fn invalid_field(i: usize, value: &Value) -> String {
    let setting = &METHOD_SETTINGS[i];
    let mut out = String::from("invalid ");
    out.push_str(setting.field);
    out.push_str(": expected a valid ");
    out.push_str(setting.json_type());
    out.push_str(" value, got ");
    out.push_str(&value.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonicalises_doubles_and_rejects_wrong_types() {
        let ms: MethodSetting =
            serde_json::from_value(json!({"throttlingRateLimit": 100})).unwrap();
        assert_eq!(
            serde_json::to_value(&ms).unwrap(),
            json!({"throttlingRateLimit": 100.0})
        );
        let err =
            serde_json::from_value::<MethodSetting>(json!({"cachingEnabled": "yes"})).unwrap_err();
        assert!(err.to_string().contains("cachingEnabled"), "{err}");
    }
}
