//! Amazon SNS: a topic's attributes, as `GetTopicAttributes` returns them.

use std::collections::HashMap;

use serde_json::Value;

/// A topic's attributes as GetTopicAttributes names them.
pub(super) fn topic(a: &Value) -> HashMap<String, String> {
    [
        ("fifo_topic", "FifoTopic"),
        ("content_based_deduplication", "ContentBasedDeduplication"),
        ("kms_master_key_id", "KmsMasterKeyId"),
        ("delivery_policy", "DeliveryPolicy"),
    ]
    .into_iter()
    .filter_map(|(attribute, name)| match a.get(attribute)? {
        Value::String(s) if !s.is_empty() => Some((name.to_owned(), s.clone())),
        Value::Bool(b) => Some((name.to_owned(), b.to_string())),
        _ => None,
    })
    .collect()
}
