//! A read-only JSON tree, allocated in an arena, that borrows its strings from the text
//! it was parsed from.
//!
//! The AWS importer reads describe outputs of whole accounts (tens of megabytes) and only
//! looks at them. Parsing into `serde_json::Value` allocates every key and string and
//! builds a `BTreeMap` per object, the largest part of the import time. [`Json`] keeps
//! strings as slices of the text (copied into the arena only when they hold escapes), and
//! arrays and objects as slices in a [`Bump`] arena (bumpalo): one allocation per node
//! and nothing to free node by node, since the arena is dropped whole. Arrays and objects
//! are collected on two stacks shared by the whole parse and copied to the arena at their
//! exact length when they end.
//!
//! The arena is dropped whole when the import ends: a file that fails to parse leaves
//! what it built there until then, and an array's elements are on the stack and then in
//! the arena while it is copied (peak memory for 42 MB of network interfaces: 134 MB, against 289 MB
//! for `Value`).
//!
//! The tree means what `Value` means: the same parser and errors (`serde_json`), the last
//! of repeated keys wins, members iterate in key order, and numbers are what `Number`
//! would hold.

use bumpalo::Bump;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A JSON value in an arena, whose strings borrow from the text (lifetime `'a`, the
/// shorter of the text's and the arena's).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(Num),
    String(&'a str),
    Array(&'a [Json<'a>]),
    Object(Object<'a>),
}

/// A JSON number as `serde_json::Number` holds it (without arbitrary precision).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    PosInt(u64),
    NegInt(i64),
    /// Always finite.
    Float(f64),
}

impl Num {
    pub(crate) fn as_i64(self) -> Option<i64> {
        match self {
            Num::PosInt(n) => i64::try_from(n).ok(),
            Num::NegInt(n) => Some(n),
            Num::Float(_) => None,
        }
    }

    fn to_number(self) -> Option<Number> {
        match self {
            Num::PosInt(n) => Some(n.into()),
            Num::NegInt(n) => Some(n.into()),
            Num::Float(f) => Number::from_f64(f),
        }
    }
}

/// A JSON object: its members in text order. Objects are small and mostly looked up by
/// key, so a slice searched from the end (where the last of repeated keys is) is faster
/// than a map.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Object<'a>(&'a [(&'a str, Json<'a>)]);

impl<'a> Object<'a> {
    /// The value of `key`; of repeated keys, the last.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Json<'a>> {
        self.0.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys, in byte order, each once.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &'a str> {
        self.iter().map(|(k, _)| k)
    }

    /// The members as `Value` has them: in key (byte) order, the last of repeated keys.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'a str, &'a Json<'a>)> {
        let mut members: BTreeMap<&'a str, &'a Json<'a>> = BTreeMap::new();
        for (k, v) in self.0 {
            members.insert(k, v);
        }
        members.into_iter()
    }
}

impl<'a> Json<'a> {
    /// Parses a JSON text into `arena`, as `serde_json::from_str::<Value>` would.
    pub(crate) fn parse(text: &'a str, arena: &'a Bump) -> Result<Json<'a>, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let mut stacks = Stacks::default();
        let json = Seed { arena, stacks: &mut stacks }.deserialize(&mut de)?;
        de.end()?;
        Ok(json)
    }

    /// The value of `key` in an object; `None` for other values.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Json<'a>> {
        self.as_object()?.get(key)
    }

    pub(crate) fn as_object(&self) -> Option<Object<'a>> {
        match self {
            Json::Object(o) => Some(*o),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&'a [Json<'a>]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&'a str> {
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
    pub(crate) fn to_value(self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(n) => n.to_number().map_or(Value::Null, Value::Number),
            Json::String(s) => Value::String(s.to_owned()),
            Json::Array(a) => Value::Array(a.iter().map(|j| j.to_value()).collect()),
            Json::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.to_owned(), v.to_value())).collect()),
        }
    }
}

/// The unfinished arrays' elements and objects' members of one parse, innermost last.
#[derive(Default)]
struct Stacks<'a> {
    items: Vec<Json<'a>>,
    members: Vec<(&'a str, Json<'a>)>,
}

/// Parses one value into the arena.
struct Seed<'s, 'a> {
    arena: &'a Bump,
    stacks: &'s mut Stacks<'a>,
}

impl<'a> DeserializeSeed<'a> for Seed<'_, 'a> {
    type Value = Json<'a>;

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<Json<'a>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for Seed<'_, 'a> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json<'a>, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'a>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'a>, E> {
        // As `Number::from(i64)`: non-negative values are positive integers.
        Ok(Json::Number(u64::try_from(n).map_or(Num::NegInt(n), Num::PosInt)))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'a>, E> {
        Ok(Json::Number(Num::PosInt(n)))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'a>, E> {
        // As `Value`: a number that is not finite becomes null.
        Ok(if n.is_finite() { Json::Number(Num::Float(n)) } else { Json::Null })
    }

    fn visit_borrowed_str<E>(self, s: &'a str) -> Result<Json<'a>, E> {
        Ok(Json::String(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'a>, E> {
        Ok(Json::String(self.arena.alloc_str(s)))
    }

    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<Json<'a>, A::Error> {
        let Seed { arena, stacks } = self;
        let start = stacks.items.len();
        while let Some(item) = seq.next_element_seed(Seed { arena, stacks: &mut *stacks })? {
            stacks.items.push(item);
        }
        let items = arena.alloc_slice_copy(stacks.items.get(start..).unwrap_or_default());
        stacks.items.truncate(start);
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Json<'a>, A::Error> {
        let Seed { arena, stacks } = self;
        let start = stacks.members.len();
        while let Some(key) = map.next_key_seed(Key(arena))? {
            let value = map.next_value_seed(Seed { arena, stacks: &mut *stacks })?;
            stacks.members.push((key, value));
        }
        let members = arena.alloc_slice_copy(stacks.members.get(start..).unwrap_or_default());
        stacks.members.truncate(start);
        Ok(Json::Object(Object(members)))
    }
}

/// An object key: borrowed from the text, or copied into the arena when it has escapes.
struct Key<'a>(&'a Bump);

impl<'a> DeserializeSeed<'a> for Key<'a> {
    type Value = &'a str;

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<&'a str, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'a> Visitor<'a> for Key<'a> {
    type Value = &'a str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, s: &'a str) -> Result<&'a str, E> {
        Ok(s)
    }

    fn visit_str<E>(self, s: &str) -> Result<&'a str, E> {
        Ok(self.0.alloc_str(s))
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
            "[-0, -0.0, 1e-400, -9223372036854775808, -9223372036854775809, 18446744073709551616, 0.1]",
            r#"{"\u0041b": 1, "Ab": 2}"#,
        ];
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let texts = texts.iter().map(|t| t.to_string()).chain([deep(127), deep(128), deep(129)]);
        for text in texts {
            let arena = Bump::new();
            // As text too: `Value`'s `==` takes -0.0 for 0.0.
            let ours = Json::parse(&text, &arena).map(|j| j.to_value()).map(|v| (v.to_string(), v)).map_err(|e| e.to_string());
            let theirs = serde_json::from_str::<Value>(&text).map(|v| (v.to_string(), v)).map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{text}");
        }
        let arena = Bump::new();
        let j = Json::parse(r#"{"b": {"c": [1]}, "a": "x", "a": "y"}"#, &arena).unwrap_or(Json::Null);
        assert_eq!(j.get("a").and_then(Json::as_str), Some("y"));
        assert_eq!(j.as_object().map(|o| o.keys().collect::<Vec<_>>()), Some(vec!["a", "b"]));
        assert_eq!(j.get("b").and_then(|b| b.get("c")).and_then(Json::as_array).map(<[Json]>::len), Some(1));
        assert!(j.get("missing").is_none());
    }
}
