//! Amazon SQS: a queue's attributes, as `GetQueueAttributes` returns them.

use std::collections::HashMap;

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;

/// A queue's attributes as GetQueueAttributes names them.
pub(super) fn queue(a: &Value) -> HashMap<QueueAttributeName, String> {
    let mut out = HashMap::new();
    for (attribute, name) in [
        (
            "visibility_timeout_seconds",
            QueueAttributeName::VisibilityTimeout,
        ),
        (
            "message_retention_seconds",
            QueueAttributeName::MessageRetentionPeriod,
        ),
        ("max_message_size", QueueAttributeName::MaximumMessageSize),
        ("delay_seconds", QueueAttributeName::DelaySeconds),
        (
            "receive_wait_time_seconds",
            QueueAttributeName::ReceiveMessageWaitTimeSeconds,
        ),
        ("fifo_queue", QueueAttributeName::FifoQueue),
        (
            "content_based_deduplication",
            QueueAttributeName::ContentBasedDeduplication,
        ),
        ("kms_master_key_id", QueueAttributeName::KmsMasterKeyId),
        (
            "sqs_managed_sse_enabled",
            QueueAttributeName::SqsManagedSseEnabled,
        ),
        ("redrive_policy", QueueAttributeName::RedrivePolicy),
    ] {
        match a.get(attribute) {
            Some(Value::String(s)) if !s.is_empty() => out.insert(name, s.clone()),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => out.insert(name, v.to_string()),
            _ => None,
        };
    }
    out
}
