//! What was not audited: the resource types of one (account, region) that no configured collector reads, from
//! the Resource Groups Tagging API (GetResources, a hundred resources a page).
//!
//! The API sees resources that carry tags, or once did. One read per region serves both the coverage and the
//! services whose own APIs read tags one resource at a time; with a tag filter (environments sharing an account)
//! only the environment's resources are counted.

use std::collections::{BTreeMap, BTreeSet};

use super::RegionContext;
use crate::CollectError;

/// Counts of the environment's resources (those carrying its filter tags, if it has any) by tagging type that none
/// of `audited` covers, sorted by type. The region's tags are read once, shared with the services that need tags.
pub async fn unaudited(
    ctx: &RegionContext<'_>,
    audited: &BTreeSet<&str>,
) -> Result<BTreeMap<String, u64>, CollectError> {
    let mut counts = BTreeMap::new();
    for (arn, tags) in ctx.tags_by_arn().await? {
        if !ctx.env.tags.iter().all(|(k, v)| tags.get(k) == Some(v)) {
            continue;
        }
        let Some(kind) = tagging_type(arn) else { continue };
        if !audited.contains(kind.as_str()) {
            *counts.entry(kind).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

/// The tags of every tagged resource of the region, by ARN.
pub(super) async fn tags_by_arn(ctx: &RegionContext<'_>) -> Result<super::TagsByArn, CollectError> {
    let client = client!(aws_sdk_resourcegroupstagging, ctx);
    let pages = ctx
        .pages(
            "GetResources",
            client
                .get_resources()
                .resources_per_page(100)
                .into_paginator()
                .send(),
        )
        .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.resource_tag_mapping_list())
        .filter_map(|m| {
            let tags = super::tag_map(m.tags().iter().map(|t| (Some(t.key()), Some(t.value()))));
            Some((m.resource_arn()?.to_owned(), tags))
        })
        .collect())
}

/// The tagging API's type of an ARN, `service:resourceType`, or the service alone where the resource part is a
/// bare name (`arn:aws:sqs:eu-west-1:1:jobs` is `sqs`). `None` for what is not an ARN.
pub fn tagging_type(arn: &str) -> Option<String> {
    let (service, resource) = super::split_arn(arn)?;
    Some(match resource.split_once([':', '/']) {
        Some((kind, _)) => format!("{service}:{kind}"),
        None => service.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::tagging_type;

    #[test]
    fn types_of_arns() {
        let cases = [
            ("arn:aws:ec2:eu-west-1:1:instance/i-0abc", "ec2:instance"),
            ("arn:aws:sqs:eu-west-1:1:jobs", "sqs"),
            ("arn:aws:s3:::shop-assets", "s3"),
            ("arn:aws:lambda:eu-west-1:1:function:worker", "lambda:function"),
            ("arn:aws:rds:eu-west-1:1:db:orders", "rds:db"),
            (
                "arn:aws:autoscaling:eu-west-1:1:autoScalingGroup:uuid:autoScalingGroupName/web",
                "autoscaling:autoScalingGroup",
            ),
            (
                "arn:aws:states:eu-west-1:1:stateMachine:checkout",
                "states:stateMachine",
            ),
        ];
        for (arn, kind) in cases {
            assert_eq!(tagging_type(arn).as_deref(), Some(kind), "{arn}");
        }
        assert_eq!(tagging_type("not-an-arn"), None);
    }
}
