//! SQS queues (`aws.sqs.queue`).
//!
//! SQS has no batch call for attributes: one GetQueueAttributes per queue, side by side, at most
//! `calls_per_service` at once. Tags, when a tag filter or key tag needs them, come from the region's tagging API,
//! a hundred at a time.

use std::collections::HashMap;

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;

use super::{RegionContext, each, tags_of};
use crate::CollectError;
use envparity_model::catalog::aws::sqs::{QUEUE, Queue};
use envparity_model::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_sqs, ctx);
    let pages = ctx
        .pages(
            "ListQueues",
            client.list_queues().max_results(1000).into_paginator().send(),
        )
        .await?;
    let urls: Vec<&str> = pages.iter().flat_map(|p| p.queue_urls()).map(String::as_str).collect();
    let attributes = async {
        each(ctx, &urls, |url| {
            ctx.send(
                "GetQueueAttributes",
                client
                    .get_queue_attributes()
                    .queue_url(*url)
                    .attribute_names(QueueAttributeName::All)
                    .send(),
            )
        })
        .await
    };
    let (attributes, tags) = tokio::try_join!(attributes, ctx.tags_if_needed())?;

    let mut out = Vec::new();
    for (url, found) in urls.iter().zip(attributes) {
        let empty = HashMap::new();
        let a = found.attributes().unwrap_or(&empty);
        let name = url.rsplit('/').next().unwrap_or(url);
        let arn = a.get(&QueueAttributeName::QueueArn).map(String::as_str);
        let attributes = queue_attributes(a, |name| ctx.key_of_name(name));
        out.push(ctx.reachable_resource(QUEUE.name, name, arn, tags_of(tags, arn), attributes, [Some(*url)]));
    }
    Ok(out)
}

/// A queue's attributes from what GetQueueAttributes returned; `key_of` gives a queue's logical key from its name
/// (for the dead-letter target). No call: the conversion alone, tested without AWS.
pub(crate) fn queue_attributes(a: &HashMap<QueueAttributeName, String>, key_of: impl Fn(&str) -> String) -> Queue {
    let get = |name: QueueAttributeName| a.get(&name).map(String::as_str);
    let number = |name: QueueAttributeName| get(name).and_then(|v| v.parse::<u64>().ok());
    let flag = |name: QueueAttributeName| get(name) == Some("true");
    let encryption = match (get(QueueAttributeName::KmsMasterKeyId), get(QueueAttributeName::SqsManagedSseEnabled)) {
        (Some(key), _) if !key.is_empty() => "kms",
        (_, Some("true")) => "sse-sqs",
        _ => "none",
    };
    // The redrive policy is JSON text: {"deadLetterTargetArn": "...", "maxReceiveCount": 5}.
    let redrive: Value = get(QueueAttributeName::RedrivePolicy)
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null);
    let target = redrive["deadLetterTargetArn"]
        .as_str()
        .and_then(|arn| arn.rsplit(':').next())
        .map(key_of);
    let max_receive = match &redrive["maxReceiveCount"] {
        Value::String(s) => s.parse::<u64>().ok(),
        other => other.as_u64(),
    };
    Queue {
        visibility_timeout_seconds: number(QueueAttributeName::VisibilityTimeout),
        message_retention_seconds: number(QueueAttributeName::MessageRetentionPeriod),
        maximum_message_size: number(QueueAttributeName::MaximumMessageSize),
        delay_seconds: number(QueueAttributeName::DelaySeconds),
        receive_wait_time_seconds: number(QueueAttributeName::ReceiveMessageWaitTimeSeconds),
        fifo: flag(QueueAttributeName::FifoQueue),
        content_based_deduplication: flag(QueueAttributeName::ContentBasedDeduplication),
        encryption: encryption.to_owned(),
        encrypted: encryption != "none",
        dead_letter_target: target.into(),
        max_receive_count: max_receive.into(),
    }
}

#[cfg(test)]
mod tests {
    use envparity_model::catalog::typed::OrNull;
    use serde_json::json;

    use super::*;

    #[test]
    fn queue_attributes_from_what_sqs_returns() {
        let a: HashMap<QueueAttributeName, String> = [
            (QueueAttributeName::VisibilityTimeout, "45"),
            (QueueAttributeName::MessageRetentionPeriod, "345600"),
            (QueueAttributeName::FifoQueue, "true"),
            (QueueAttributeName::SqsManagedSseEnabled, "true"),
            (
                QueueAttributeName::RedrivePolicy,
                r#"{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:jobs-prod-dlq","maxReceiveCount":"5"}"#,
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
        let attributes = queue_attributes(&a, |name| name.replace("prod", "{env}"));
        assert_eq!(
            serde_json::to_value(attributes).unwrap(),
            json!({
                "visibility_timeout_seconds": 45,
                "message_retention_seconds": 345600,
                "fifo": true,
                "content_based_deduplication": false,
                "encryption": "sse-sqs",
                "encrypted": true,
                "dead_letter_target": "jobs-{env}-dlq",
                "max_receive_count": 5,
            })
        );
        // A KMS key outranks SQS-managed encryption; no redrive policy is no target.
        let kms: HashMap<QueueAttributeName, String> =
            [(QueueAttributeName::KmsMasterKeyId, "alias/aws/sqs".to_owned())].into();
        let attributes = queue_attributes(&kms, str::to_owned);
        assert_eq!(attributes.encryption, "kms");
        assert_eq!(attributes.dead_letter_target, OrNull(None));
    }
}
