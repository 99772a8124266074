//! The Rego input: both snapshots as regorus's values, `{"staging": ..., "prod": ...}`, the values their
//! documented JSON (`envparity schema snapshot`) parses to, built from the snapshots in memory and sharing what
//! repeats.
//!
//! Snapshots repeat themselves: every resource has the same few keys; kinds, regions, accounts and many values
//! come back again and again; and a resource's attributes are, as text, mostly those of its twin in the other
//! environment (names are normalized to `{env}`), or of a neighbour. So every string is made once, and every
//! attributes object once per distinct text, for both sides: equal text is an equal value, so sharing is
//! invisible to the rules, and the second side costs a fraction of the first, in time and in memory.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use foldhash::fast::RandomState;
use regorus::Value;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use envparity_model::snapshot::{Resource, Snapshot};

/// Both snapshots as the input, `{"staging": ..., "prod": ...}`.
pub(super) fn input(staging: &Snapshot, prod: &Snapshot) -> Value {
    let mut shared = Shared::default();
    let staging = shared.snapshot(staging);
    let prod = shared.snapshot(prod);
    Value::from(BTreeMap::from([
        (Value::from("staging"), staging),
        (Value::from("prod"), prod),
    ]))
}

/// What was already built, by its text: borrowed from the snapshots, which outlive the input's making.
#[derive(Default)]
struct Shared<'s> {
    /// Every string but names and ids (each of which is one resource's), object keys included.
    strings: HashMap<Cow<'s, str>, Value, RandomState>,
    /// Every resource's attributes.
    attributes: HashMap<&'s str, Value, RandomState>,
}

impl<'s> Shared<'s> {
    fn snapshot(&mut self, snapshot: &'s Snapshot) -> Value {
        // All but the resources is small: written out and parsed. (Every field is named, here and in `resource`:
        // a field added to a snapshot does not compile until the input has it.)
        let envelope = Snapshot {
            schema: snapshot.schema.clone(),
            environment: snapshot.environment.clone(),
            collected_at: snapshot.collected_at.clone(),
            fingerprint_key_id: snapshot.fingerprint_key_id.clone(),
            sources: snapshot.sources.clone(),
            gaps: snapshot.gaps.clone(),
            resources: Vec::new(),
            unaudited: snapshot.unaudited.clone(),
            fleet: snapshot.fleet.clone(),
        };
        let mut value =
            regorus::Value::from_json_str(&serde_json::to_string(&envelope).expect("snapshots serialize"))
                .expect("a snapshot's JSON parses");
        let resources = snapshot
            .resources
            .iter()
            .map(|r| self.resource(r))
            .collect::<Vec<_>>();
        value
            .as_object_mut()
            .expect("a snapshot is an object")
            .insert(Value::from("resources"), Value::from(resources));
        value
    }

    /// A resource, as its JSON has it (absent fields left out).
    fn resource(&mut self, resource: &'s Resource) -> Value {
        let Resource {
            kind,
            key,
            name,
            id,
            account,
            region,
            tags,
            identifiers,
            attributes,
        } = resource;
        let mut fields = BTreeMap::new();
        fields.insert(self.str("kind"), self.str(kind));
        for (field, value) in [("key", key), ("account", account), ("region", region)] {
            if let Some(value) = value {
                fields.insert(self.str(field), self.str(value));
            }
        }
        for (field, value) in [("name", name), ("id", id)] {
            if let Some(value) = value {
                fields.insert(self.str(field), Value::from(value.as_str()));
            }
        }
        if !tags.is_empty() {
            let tags: BTreeMap<_, _> = tags.iter().map(|(k, v)| (self.str(k), self.str(v))).collect();
            fields.insert(self.str("tags"), Value::from(tags));
        }
        if !identifiers.is_empty() {
            let identifiers: Vec<_> = identifiers.iter().map(|i| self.str(i)).collect();
            fields.insert(self.str("identifiers"), Value::from(identifiers));
        }
        let text = attributes.text();
        let attributes = match self.attributes.get(text) {
            Some(value) => value.clone(),
            None => {
                let mut de = serde_json::Deserializer::from_str(text);
                let value = Node { shared: self }
                    .deserialize(&mut de)
                    .expect("attributes were checked when read");
                self.attributes.insert(text, value.clone());
                value
            }
        };
        fields.insert(self.str("attributes"), attributes);
        Value::from(fields)
    }

    fn str(&mut self, s: &'s str) -> Value {
        self.string(s, Some(s))
    }

    /// A string, `borrowed` when it lives as long as the snapshots.
    fn string(&mut self, s: &str, borrowed: Option<&'s str>) -> Value {
        if let Some(v) = self.strings.get(s) {
            return v.clone();
        }
        let v = Value::from(s);
        let key = borrowed.map_or_else(|| Cow::Owned(s.to_owned()), Cow::Borrowed);
        self.strings.insert(key, v.clone());
        v
    }
}

/// Parses attributes' JSON text into a value (a seed and its visitor at once).
struct Node<'a, 's> {
    shared: &'a mut Shared<'s>,
}

impl<'s> DeserializeSeed<'s> for Node<'_, 's> {
    type Value = Value;

    fn deserialize<D: Deserializer<'s>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'s> Visitor<'s> for Node<'_, 's> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_borrowed_str<E>(self, s: &'s str) -> Result<Value, E> {
        Ok(self.shared.string(s, Some(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(self.shared.string(s, None))
    }

    fn visit_seq<A: SeqAccess<'s>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Node {
            shared: &mut *self.shared,
        })? {
            items.push(item);
        }
        Ok(Value::from(items))
    }

    fn visit_map<A: MapAccess<'s>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = BTreeMap::new();
        while let Some(key) = map.next_key_seed(Node {
            shared: &mut *self.shared,
        })? {
            let value = map.next_value_seed(Node {
                shared: &mut *self.shared,
            })?;
            // A repeated key: the last one stands, as when the attributes are read.
            entries.insert(key, value);
        }
        Ok(Value::from(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot with every field of a resource set, attributes of every JSON type (escapes, big and negative
    /// numbers, nesting), a resource with only the fields it needs, and the rest of a snapshot.
    fn snapshot(environment: &str) -> Snapshot {
        let text = r#"{
          "schema": "envparity/snapshot/v1", "environment": "ENV", "collected_at": "2026-11-27T12:00:00Z",
          "fingerprint_key_id": "k1",
          "sources": [{"provider": "aws", "service": "sqs", "account": "111111111111", "region": "eu-west-1",
                       "status": "complete", "resources": 2, "api_calls": 3, "empty": ["aws.sqs.queue"]}],
          "gaps": [{"provider": "aws", "service": "rds", "kinds": ["aws.rds.instance"], "error": "AccessDenied"}],
          "resources": [
            {"kind": "aws.sqs.queue", "key": "jobs-{env}", "name": "jobs-ENV", "id": "arn:aws:sqs:eu-west-1:1:jobs-ENV",
             "account": "111111111111", "region": "eu-west-1", "tags": {"Environment": "ENV", "team": "a\"b"},
             "identifiers": ["https://sqs.eu-west-1.amazonaws.com/1/jobs-ENV"],
             "attributes": {"visibility_timeout_seconds": 30, "delay": -5, "ratio": 0.25, "big": 18446744073709551616,
                            "fifo": false, "dlq": null, "name": "caf\u00e9 \"{env}\"", "nested": {"a": [1, {"b": []}], "c": {}},
                            "list": ["x", "y"]}},
            {"kind": "file.config", "key": "app.env", "attributes": {}}
          ],
          "unaudited": [{"provider": "aws", "type": "AWS::SNS::Topic", "count": 2}],
          "fleet": {"accounts": [{"id": "111111111111", "name": "main", "organizational_unit": "ou-1"}],
                    "regions": ["eu-west-1"], "shard": {"index": 0, "count": 2}}
        }"#
        .replace("ENV", environment);
        envparity_model::snapshot::parse(text.as_bytes(), std::path::Path::new("s.json")).unwrap()
    }

    /// What regorus makes of the snapshot's documented JSON.
    fn documented(snapshot: &Snapshot) -> Value {
        Value::from_json_str(&serde_json::to_string(snapshot).unwrap()).unwrap()
    }

    #[test]
    fn the_input_is_the_value_of_the_snapshots_documented_json() {
        let (staging, prod) = (snapshot("staging"), snapshot("prod"));
        let input = input(&staging, &prod);
        assert_eq!(input["staging"], documented(&staging));
        assert_eq!(input["prod"], documented(&prod));
        assert_eq!(input.as_object().unwrap().len(), 2);
    }

    #[test]
    fn attributes_of_equal_text_are_one_value_for_both_sides() {
        let (staging, prod) = (snapshot("staging"), snapshot("prod"));
        let input = input(&staging, &prod);
        let attributes = |side: &str| match &input[side]["resources"][0]["attributes"] {
            Value::Object(o) => o.clone(),
            other => panic!("{other:?}"),
        };
        assert!(std::sync::Arc::ptr_eq(
            &attributes("staging"),
            &attributes("prod")
        ));
    }
}
