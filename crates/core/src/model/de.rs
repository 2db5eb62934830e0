//! Reading wire objects: keys borrowed from the input, known fields typed, unknown fields kept.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess};
use serde_json::{Map, Value};

/// A map key, borrowed from the input when it has no escapes.
pub(super) enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    pub(super) fn as_str(&self) -> &str {
        match self {
            Self::Borrowed(s) => s,
            Self::Owned(s) => s,
        }
    }

    pub(super) fn into_owned(self) -> String {
        match self {
            Self::Borrowed(s) => s.to_owned(),
            Self::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Reads the keys of a JSON object one by one: `known(key)` is the index of a typed field (an error for
/// a repeated one, as derived impls give), `None` an unknown field, whose value goes into `extra`.
pub(super) fn read_object<'de, A, F>(
    mut map: A,
    fields: &'static [&'static str],
    extra: &mut Map<String, Value>,
    mut read: F,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    F: FnMut(usize, &mut A) -> Result<(), A::Error>,
{
    let mut seen = 0u32;
    while let Some(key) = map.next_key::<Key<'de>>()? {
        match fields.iter().position(|f| *f == key.as_str()) {
            Some(i) => {
                if seen & (1 << i) != 0 {
                    return Err(de::Error::duplicate_field(fields[i]));
                }
                seen |= 1 << i;
                read(i, &mut map)?;
            }
            None => {
                let value = map.next_value::<Value>()?;
                extra.insert(key.into_owned(), value);
            }
        }
    }
    Ok(())
}
