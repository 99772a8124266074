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

/// The attributes object of a resource. Its text was checked when it was made or read (see [`compact`]), so that
/// every later parse succeeds, and is canonical: compact, every object's keys sorted and each there once (see
/// [`sorted_keys`]), as a sorted map writes them.
pub struct Attributes(Box<RawValue>);

/// The deepest nesting attributes may have: they sit three levels into a snapshot, and serde_json refuses
/// documents deeper than 128.
pub const MAX_DEPTH: usize = 100;

impl Attributes {
    /// Attributes from a map, in canonical (sorted, compact) text; `Err` when the values nest deeper than
    /// [`MAX_DEPTH`].
    pub fn try_from_map(map: &BTreeMap<String, Value>) -> Result<Attributes, AttributesError> {
        Attributes::written(map)
    }

    /// Attributes from a map a collector built, which never nests deeply.
    pub fn from_map(map: &BTreeMap<String, Value>) -> Attributes {
        Attributes::try_from_map(map).expect("collectors build shallow attributes")
    }

    /// Attributes from a kind's typed attributes (see [`crate::catalog::typed`]), or any serializable object a
    /// collector built, which never nests deeply.
    pub fn of(typed: &impl Serialize) -> Attributes {
        Attributes::try_of(typed).expect("collectors build shallow attributes")
    }

    /// Attributes from typed attributes that hold data read from a file, which may nest too deeply.
    pub fn try_of(typed: &impl Serialize) -> Result<Attributes, AttributesError> {
        // Through a value, whose objects are sorted maps: the text is canonical whatever the fields' order.
        Attributes::try_of_value(&serde_json::to_value(typed).expect("typed attributes serialize"))
    }

    /// Attributes from a JSON object, written as it is (its objects are sorted maps): typed attributes a
    /// collector already holds as a value, without copying them into another.
    pub fn try_of_value(value: &Value) -> Result<Attributes, AttributesError> {
        assert!(value.is_object(), "attributes are an object");
        Attributes::written(value)
    }

    /// Whether JSON text could be held as attributes: why not, if not (too deep, a number out of range).
    pub fn check_text(text: &str) -> Result<(), AttributesError> {
        compact(text).map(|_| ())
    }

    /// Attributes written from an object whose text is canonical (sorted and compact), checked.
    fn written(object: &impl Serialize) -> Result<Attributes, AttributesError> {
        let raw = serde_json::value::to_raw_value(object).expect("a JSON object serializes");
        compact(raw.get())?;
        Ok(Attributes(raw))
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

/// Why attributes cannot be held: what a later full parse would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributesError {
    #[error("nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// The number, shortened to 24 characters.
    #[error("the number {0} is out of range")]
    OutOfRange(String),
}

/// One pass over raw attribute text: refuses what a raw parse lets through but a later full parse would not
/// (nesting deeper than [`MAX_DEPTH`], numbers out of the range of f64 such as `1e400`), and returns the text
/// without whitespace between tokens when it had any. Strings are skipped with memchr and copied whole.
fn compact(text: &str) -> Result<Option<String>, AttributesError> {
    let b = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    // Bytes from `kept` up to the current position are still to be copied into `out`.
    let (mut i, mut kept, mut depth) = (0, 0, 0usize);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i = string_end(b, i + 1).0 + 1;
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(AttributesError::TooDeep);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                    i += 1;
                }
                let number = &text[start..i];
                let risky = number.len() > 15 || number.contains(['e', 'E']);
                if risky && !number.parse::<f64>().is_ok_and(f64::is_finite) {
                    let shown: String = number.chars().take(24).collect();
                    return Err(AttributesError::OutOfRange(shown));
                }
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => {
                let out = out.get_or_insert_with(|| Vec::with_capacity(b.len()));
                out.extend_from_slice(&b[kept..i]);
                while i < b.len() && matches!(b[i], b' ' | b'\n' | b'\r' | b'\t') {
                    i += 1;
                }
                kept = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(out.map(|mut out| {
        out.extend_from_slice(&b[kept..]);
        String::from_utf8(out).expect("whitespace removed between tokens keeps UTF-8 intact")
    }))
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
    /// Written as a sorted object, formatted like the rest of the file: streamed from the text, which is sorted
    /// already, without building the object.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_transcode::transcode(&mut serde_json::Deserializer::from_str(self.text()), serializer)
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
        let attributes = match compact(raw.get()).map_err(D::Error::custom)? {
            Some(compact) => Attributes(RawValue::from_string(compact).map_err(D::Error::custom)?),
            None => Attributes(raw),
        };
        // A file written by hand may hold keys out of order or twice: written again as a sorted map (the last
        // of a key's values kept), as a parse keeps them.
        match sorted_keys(attributes.text()) {
            true => Ok(attributes),
            false => Attributes::written(&attributes.parse()).map_err(D::Error::custom),
        }
    }
}

/// Where the JSON string whose text begins at `start` (past its opening quote) ends: the position of its closing
/// quote (the text's end if it has none), and whether it holds an escape. Skipped with memchr.
fn string_end(b: &[u8], start: usize) -> (usize, bool) {
    let (mut i, mut escaped) = (start, false);
    while let Some(k) = memchr::memchr2(b'"', b'\\', &b[i.min(b.len())..]) {
        if b[i + k] == b'"' {
            return (i + k, escaped);
        }
        // An escape: the byte after the backslash is part of the string.
        escaped = true;
        i += k + 2;
    }
    (b.len(), escaped)
}

/// Whether compact attribute text has every object's keys in increasing order, each once: what a sorted map
/// writes. A key with an escape is taken not to be (its order is that of the text it stands for).
fn sorted_keys(text: &str) -> bool {
    let b = text.as_bytes();
    // The last key of each open object or list (none yet, or a list).
    let mut last: Vec<Option<&[u8]>> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                let (end, escaped) = string_end(b, start);
                let key = &b[start..end];
                i = end + 1;
                if b.get(i) == Some(&b':') {
                    match last.last_mut() {
                        Some(slot) if !escaped && slot.is_none_or(|previous| previous < key) => {
                            *slot = Some(key)
                        }
                        _ => return false,
                    }
                }
                continue;
            }
            b'{' | b'[' => last.push(None),
            b'}' | b']' => {
                last.pop();
            }
            _ => {}
        }
        i += 1;
    }
    true
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
    use super::compact;

    fn check(text: &str) -> Result<bool, String> {
        compact(text).map(|c| c.is_some()).map_err(|e| e.to_string())
    }

    fn minified(text: &str) -> Option<String> {
        compact(text).unwrap()
    }

    #[test]
    fn deep_nesting_and_out_of_range_numbers_are_refused_when_read() {
        let deep = format!("{}1{}", "[".repeat(101), "]".repeat(101));
        assert_eq!(check(&deep), Err("nested deeper than 100 levels".into()));
        assert_eq!(
            check(&format!("{}1{}", "[".repeat(100), "]".repeat(100))),
            Ok(false)
        );
        assert_eq!(
            check("{\"a\":1e400}"),
            Err("the number 1e400 is out of range".into())
        );
        assert_eq!(
            check(&format!("{{\"a\":{}}}", "9".repeat(400))).map_err(|e| e.len() < 60),
            Err(true)
        );
        // Brackets and escaped quotes inside strings are text.
        assert_eq!(
            check(&format!("{{\"k\":\"{}\\\"{}\"}}", "[".repeat(200), "{".repeat(5))),
            Ok(false)
        );
        assert_eq!(
            check("{\"a\": [1e300, -2.5e-400, 123456789012345678901234567890]}"),
            Ok(true)
        );
    }

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

    #[test]
    fn attributes_read_with_keys_out_of_order_or_twice_are_held_sorted_the_last_value_kept() {
        let read = |text: &str| serde_json::from_str::<super::Attributes>(text).unwrap();
        assert_eq!(
            read(r#"{"b": 1, "a": {"d": 1, "c": [{"f": 1, "e": 2}]}, "b": 3}"#).text(),
            r#"{"a":{"c":[{"e":2,"f":1}],"d":1},"b":3}"#
        );
        // Sorted already: kept as read, escapes and all.
        assert_eq!(
            read(r#"{"a":"x\"}","b":[1,{"c":2}]}"#).text(),
            r#"{"a":"x\"}","b":[1,{"c":2}]}"#
        );
        // A key with an escape is written again, as its text would sort it.
        assert_eq!(read(r#"{"\u0062":1,"a":2}"#).text(), r#"{"a":2,"b":1}"#);
    }

    #[test]
    fn the_keys_of_every_object_are_told_sorted_or_not() {
        use super::sorted_keys;
        assert!(sorted_keys(
            r#"{"a":1,"b":{"a":2,"c":[{"x":1,"y":2}]},"c":"}{\"z\":"}"#
        ));
        assert!(sorted_keys("{}"));
        assert!(!sorted_keys(r#"{"b":1,"a":2}"#));
        assert!(!sorted_keys(r#"{"a":1,"a":2}"#));
        assert!(!sorted_keys(r#"{"a":{"c":1,"b":2}}"#));
        assert!(!sorted_keys(r#"{"a":[{"c":1,"b":2}]}"#));
        assert!(!sorted_keys(r#"{"a\n":1}"#));
    }

    #[test]
    fn attributes_are_written_as_their_parsed_object_is() {
        for text in [
            r#"{}"#,
            r#"{"a":[],"b":{},"c":[1,-2,3.5,1e300,18446744073709551615,-9223372036854775808],"d":null}"#,
            r#"{"e":"tab\tquote\" slash\\ é \u00e9 \ud83d\ude00","f":true,"g":[{"h":[[]]}]}"#,
        ] {
            let attributes = serde_json::from_str::<super::Attributes>(text).unwrap();
            assert_eq!(
                serde_json::to_string_pretty(&attributes).unwrap(),
                serde_json::to_string_pretty(&attributes.parse()).unwrap(),
                "{text}"
            );
            assert_eq!(
                serde_json::to_value(&attributes).unwrap(),
                serde_json::to_value(attributes.parse()).unwrap()
            );
        }
    }
}
