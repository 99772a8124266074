//! A resource's attributes, kept as the JSON text they were read from and parsed only when needed.
//!
//! Most resources of two snapshots are identical: keeping the text costs about the file's size in memory (a
//! parsed tree costs several times that), and identical text needs no parsing at all to be known equal.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// The attributes object of a resource.
pub struct Attributes(Box<RawValue>);

impl Attributes {
    /// Attributes from a map, in canonical (sorted, compact) text.
    pub fn from_map(map: &BTreeMap<String, Value>) -> Attributes {
        Attributes(serde_json::value::to_raw_value(map).expect("a map of JSON values serializes"))
    }

    /// The attributes as a sorted map.
    pub fn parse(&self) -> BTreeMap<String, Value> {
        serde_json::from_str(self.0.get()).expect("attributes were checked to be a JSON object when read")
    }

    /// The JSON text as read: equal text means equal attributes (the converse need not hold).
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// Whether the text may hold a redacted secret (a cheap test that never misses one).
    pub fn may_hold_secret(&self) -> bool {
        self.0.get().contains("\"redacted\"")
    }
}

/// The JSON text without whitespace between tokens, or `None` when it has none.
fn minified(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let (mut in_string, mut escaped) = (false, false);
    let is_space = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    let first_space = bytes.iter().enumerate().position(|(_, &b)| {
        let outside = !in_string && is_space(b);
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        }
        outside
    })?;
    let mut out = Vec::with_capacity(text.len());
    out.extend_from_slice(&bytes[..first_space]);
    for &b in &bytes[first_space..] {
        if in_string {
            out.push(b);
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if !is_space(b) {
            if b == b'"' {
                in_string = true;
            }
            out.push(b);
        }
    }
    Some(String::from_utf8(out).expect("whitespace removed between tokens keeps UTF-8 intact"))
}

impl Default for Attributes {
    fn default() -> Self {
        Attributes::from_map(&BTreeMap::new())
    }
}

impl Clone for Attributes {
    fn clone(&self) -> Self {
        Attributes(self.0.clone())
    }
}

impl PartialEq for Attributes {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() || self.parse() == other.parse()
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl From<BTreeMap<String, Value>> for Attributes {
    fn from(map: BTreeMap<String, Value>) -> Self {
        Attributes::from_map(&map)
    }
}

impl Serialize for Attributes {
    /// Written as a sorted object, formatted like the rest of the file.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.parse().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        if !raw.get().starts_with('{') {
            return Err(D::Error::custom("invalid type: attributes must be a JSON object"));
        }
        // Pretty-printed text is mostly indentation: kept compact, it costs half the memory and compares
        // equal whatever the file's formatting.
        match minified(raw.get()) {
            Some(compact) => Ok(Attributes(
                RawValue::from_string(compact).map_err(D::Error::custom)?,
            )),
            None => Ok(Attributes(raw)),
        }
    }
}

impl schemars::JsonSchema for Attributes {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Attributes".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "Normalized, comparable values: scalars, sorted arrays for sets, and objects."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::minified;

    #[test]
    fn minifying_keeps_strings_intact() {
        assert_eq!(minified("{\"a\": 1}"), Some("{\"a\":1}".into()));
        assert_eq!(minified("{\"a\":1}"), None);
        assert_eq!(
            minified("{\n  \"a b\": \"x \\\" y\",\n  \"c\": [1, 2]\n}"),
            Some("{\"a b\":\"x \\\" y\",\"c\":[1,2]}".into())
        );
        assert_eq!(
            minified("{\"k\": \"\\\\\", \"j\": 2}"),
            Some("{\"k\":\"\\\\\",\"j\":2}".into())
        );
    }
}
