//! A read-only JSON tree that borrows its strings from the text it was parsed from.
//!
//! The AWS importer reads describe outputs of whole accounts (tens of megabytes) and only
//! looks at them. Parsing into `serde_json::Value` allocates every key and string and
//! builds a `BTreeMap` per object, the largest part of the import time. [`Json`] keeps
//! strings as slices of the text (copied only when they hold escapes) and an object as a
//! vector of its members in text order, with `Value`'s meaning: the same parser and
//! errors (`serde_json`), the last of repeated keys wins, members iterate in key order,
//! numbers are [`serde_json::Number`].

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// A JSON value whose strings borrow from the text (lifetime `'a`).
#[derive(Debug)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// A JSON object: its members in text order. Objects are small and mostly looked up by
/// key, so a vector searched from the end (where the last of repeated keys is) is faster
/// than a map.
#[derive(Debug)]
pub(crate) struct Object<'a>(Vec<(Cow<'a, str>, Json<'a>)>);

impl<'a> Object<'a> {
    /// The value of `key`; of repeated keys, the last.
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys, in byte order, each once.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(k, _)| k)
    }

    /// The members as `Value` has them: in key (byte) order, the last of repeated keys.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Json<'a>)> {
        let mut members: BTreeMap<&str, &Json<'a>> = BTreeMap::new();
        for (k, v) in &self.0 {
            members.insert(k, v);
        }
        members.into_iter()
    }
}

impl<'a> Json<'a> {
    /// Parses a JSON text, as `serde_json::from_str::<Value>` would.
    pub(crate) fn parse(text: &'a str) -> Result<Json<'a>, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The value of `key` in an object; `None` for other values.
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.as_object()?.get(key)
    }

    pub(crate) fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&Vec<Json<'a>>> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The same value as a `serde_json::Value`, owning its strings.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(a) => Value::Array(a.iter().map(Json::to_value).collect()),
            Json::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.to_owned(), v.to_value())).collect()),
        }
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'de>, E> {
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        // Most objects of describe outputs have a handful of members: room for 8 saves
        // the first two reallocations of each (a tenth of the import's instructions).
        let mut members: Vec<(Cow<'de, str>, Json<'de>)> = Vec::with_capacity(8);
        while let Some((Key(k), v)) = map.next_entry::<Key<'de>, Json<'de>>()? {
            members.push((k, v));
        }
        Ok(Json::Object(Object(members)))
    }
}

/// An object key, borrowed from the text when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }

            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }

            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree means what `serde_json::Value` means, and fails where it fails.
    #[test]
    fn agrees_with_value() {
        let texts = [
            r#"{"b": 1, "a": [true, null, -2, 3.5], "a": {"z": "x\"y", "é": "\u00e9"}, "": 18446744073709551615}"#,
            "[1e400]",
            r#"[{"k": 1, "k": 2, "j": 0, "k": 3}, "s", 0.0, -0]"#,
            r#""text""#,
            r#"{"a": 1,}"#,
            r#"{"a": "\ud800"}"#,
            "[1, 2",
            "{} x",
        ];
        for text in texts {
            let ours = Json::parse(text).map(|j| j.to_value()).map_err(|e| e.to_string());
            let theirs = serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{text}");
        }
        let j = Json::parse(r#"{"b": {"c": [1]}, "a": "x", "a": "y"}"#).unwrap_or(Json::Null);
        assert_eq!(j.get("a").and_then(Json::as_str), Some("y"));
        assert_eq!(j.as_object().map(|o| o.keys().collect::<Vec<_>>()), Some(vec!["a", "b"]));
        assert_eq!(j.get("b").and_then(|b| b.get("c")).and_then(Json::as_array).map(Vec::len), Some(1));
        assert!(j.get("missing").is_none());
    }
}
