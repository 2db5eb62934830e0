//! Reading wire objects: keys borrowed from the input, known fields typed, unknown fields kept.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer};

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

/// Implements `Deserialize` and [`crate::write::WriteJson`] for a wire struct (with `Default` and an
/// `extra: Map<String, Value>` field) from one list of `"wireName" => rust_field` pairs, in the struct's
/// order, so a name cannot drift from its field.
///
/// Each listed key is read into its field by the field's own `Deserialize`; a repeated one is an error,
/// as derived impls give. Any other key goes into `extra` as it came. Nothing is buffered:
/// `#[serde(flatten)]` would route every field through serde's `Content`, which is slow and large in WASM.
macro_rules! wire_struct {
    ($ty:ident { $($wire:literal => $field:ident),+ $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($ty)))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$ty, A::Error> {
                        let mut out = <$ty>::default();
                        // One flag per field, named after it: whether its key has been read.
                        $(let mut $field = false;)+
                        while let Some(key) = map.next_key::<$crate::model::de::Key<'de>>()? {
                            match key.as_str() {
                                $($wire => {
                                    if $field {
                                        return Err(serde::de::Error::duplicate_field($wire));
                                    }
                                    $field = true;
                                    out.$field = map.next_value()?;
                                })+
                                _ => {
                                    let value = map.next_value::<serde_json::Value>()?;
                                    out.extra.insert(key.into_owned(), value);
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }

        /// The struct's members in list order (those [`crate::write::WriteJson::skip_json`] leaves
        /// out are absent), then the unknown fields: what the derived `Serialize` writes.
        impl $crate::write::WriteJson for $ty {
            fn write_json(&self, out: &mut String) {
                out.push('{');
                let mut first = true;
                $(if !$crate::write::WriteJson::skip_json(&self.$field) {
                    $crate::write::write_key(out, &mut first, $wire);
                    $crate::write::WriteJson::write_json(&self.$field, out);
                })+
                $crate::write::write_extra(out, &mut first, &self.extra);
                out.push('}');
            }
        }

        #[cfg(test)]
        impl $ty {
            /// The wire names of the typed fields, as listed.
            const WIRE_FIELDS: &[&str] = &[$($wire),+];
        }
    };
}

pub(super) use wire_struct;
