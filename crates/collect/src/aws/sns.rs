//! SNS topics (`aws.sns.topic`) with their subscriptions.
//!
//! Topics are listed, and every subscription of the region is listed once (ListSubscriptions is the batch
//! call); attributes have none: one GetTopicAttributes per topic. Tags, when a filter needs them, come from the
//! region's tagging API, a hundred at a time.

use std::collections::HashMap;

use super::{RegionContext, each, service_and_name, string_set, tags_of};
use crate::CollectError;
use envparity_model::catalog::aws::sns::{TOPIC, Topic};
use envparity_model::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_sns, ctx);
    let (topics, subscriptions) = tokio::try_join!(
        ctx.pages("ListTopics", client.list_topics().into_paginator().send()),
        ctx.pages("ListSubscriptions", client.list_subscriptions().into_paginator().send()),
    )?;
    let arns: Vec<&str> = topics.iter().flat_map(|p| p.topics()).filter_map(|t| t.topic_arn()).collect();
    let attributes = async {
        each(ctx, &arns, |arn| {
            ctx.send("GetTopicAttributes", client.get_topic_attributes().topic_arn(*arn).send())
        })
        .await
    };
    let (attributes, tags) = tokio::try_join!(attributes, ctx.tags_if_needed())?;

    let mut by_topic: HashMap<&str, Vec<String>> = HashMap::new();
    for s in subscriptions.iter().flat_map(|p| p.subscriptions()) {
        let (Some(topic), Some(protocol)) = (s.topic_arn(), s.protocol()) else { continue };
        let target = s
            .endpoint()
            .map(|e| target_key(e, |name| ctx.key_of_name(name)))
            .unwrap_or_default();
        by_topic.entry(topic).or_default().push(format!("{protocol}:{target}"));
    }

    let mut out = Vec::new();
    for (arn, found) in arns.iter().zip(attributes) {
        let empty = HashMap::new();
        let a = found.attributes().unwrap_or(&empty);
        let attributes = topic_attributes(a, by_topic.remove(arn).unwrap_or_default());
        let name = arn.rsplit(':').next().unwrap_or(arn);
        out.push(ctx.resource(TOPIC.name, name, Some(arn), tags_of(tags, Some(arn)), attributes));
    }
    Ok(out)
}

/// A subscription's endpoint, comparable across environments: an ARN by the logical key of its resource's name,
/// anything else (a URL, an address) with its environment tokens replaced.
pub(crate) fn target_key(endpoint: &str, key_of: impl Fn(&str) -> String) -> String {
    key_of(service_and_name(endpoint).map_or(endpoint, |(_, name)| name))
}

/// A topic's attributes from what GetTopicAttributes returned, with its subscriptions (`protocol:target`). No
/// call: the conversion alone, tested without AWS.
pub(crate) fn topic_attributes(a: &HashMap<String, String>, subscriptions: Vec<String>) -> Topic {
    let get = |name: &str| a.get(name).map(String::as_str);
    let flag = |name: &str| get(name) == Some("true");
    let encryption = match get("KmsMasterKeyId") {
        Some(key) if !key.is_empty() => "kms",
        _ => "none",
    };
    Topic {
        fifo: flag("FifoTopic"),
        content_based_deduplication: flag("ContentBasedDeduplication"),
        encryption: encryption.to_owned(),
        encrypted: encryption != "none",
        delivery_policy: get("DeliveryPolicy").and_then(|p| serde_json::from_str(p).ok()).into(),
        subscriptions: string_set(subscriptions),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn topic_attributes_from_what_sns_returns() {
        let a: HashMap<String, String> = [
            ("KmsMasterKeyId", "alias/aws/sns"),
            ("DeliveryPolicy", r#"{"http":{"defaultHealthyRetryPolicy":{"numRetries":3}}}"#),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let subscriptions = vec!["sqs:jobs-{env}".to_owned(), "https:hooks.example.com/{env}".to_owned()];
        assert_eq!(
            serde_json::to_value(topic_attributes(&a, subscriptions)).unwrap(),
            json!({
                "fifo": false,
                "content_based_deduplication": false,
                "encryption": "kms",
                "encrypted": true,
                "delivery_policy": {"http": {"defaultHealthyRetryPolicy": {"numRetries": 3}}},
                "subscriptions": ["https:hooks.example.com/{env}", "sqs:jobs-{env}"],
            })
        );
        // A topic without a key, delivery policy or subscription.
        let bare = topic_attributes(&HashMap::new(), Vec::new());
        assert_eq!((bare.encryption.as_str(), bare.delivery_policy.0), ("none", None));
    }
}
