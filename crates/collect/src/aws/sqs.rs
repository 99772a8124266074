//! SQS queues (`aws.sqs.queue`).
//!
//! SQS has no batch call for attributes: one GetQueueAttributes per queue, side by side, at most
//! `calls_per_service` at once. Tags, when a tag filter or key tag needs them, come from the region's tagging API,
//! a hundred at a time.

use std::collections::HashMap;

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{Value, json};

use super::{RegionContext, attrs, each, tags_of};
use crate::CollectError;
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
        let get = |name: QueueAttributeName| a.get(&name).map(String::as_str);
        let number = |name: QueueAttributeName| get(name).and_then(|v| v.parse::<u64>().ok()).map(Value::from);
        let flag = |name: QueueAttributeName| Some(Value::from(get(name) == Some("true")));
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
            .map(|name| Value::from(ctx.key_of_name(name)));
        let max_receive = match &redrive["maxReceiveCount"] {
            Value::String(s) => s.parse::<u64>().ok().map(Value::from),
            other => other.as_u64().map(Value::from),
        };
        let name = url.rsplit('/').next().unwrap_or(url);
        let arn = get(QueueAttributeName::QueueArn);
        let attributes = attrs([
            ("visibility_timeout_seconds", number(QueueAttributeName::VisibilityTimeout)),
            ("message_retention_seconds", number(QueueAttributeName::MessageRetentionPeriod)),
            ("maximum_message_size", number(QueueAttributeName::MaximumMessageSize)),
            ("delay_seconds", number(QueueAttributeName::DelaySeconds)),
            ("receive_wait_time_seconds", number(QueueAttributeName::ReceiveMessageWaitTimeSeconds)),
            ("fifo", flag(QueueAttributeName::FifoQueue)),
            (
                "content_based_deduplication",
                flag(QueueAttributeName::ContentBasedDeduplication),
            ),
            ("encryption", Some(json!(encryption))),
            ("encrypted", Some(Value::from(encryption != "none"))),
            ("dead_letter_target", Some(target.unwrap_or(Value::Null))),
            ("max_receive_count", Some(max_receive.unwrap_or(Value::Null))),
        ]);
        out.push(ctx.reachable_resource("aws.sqs.queue", name, arn, tags_of(tags, arn), attributes, [Some(*url)]));
    }
    Ok(out)
}
