//! EKS clusters (`aws.eks.cluster`) with their Fargate profiles, and their managed node groups
//! (`aws.eks.nodegroup`).
//!
//! EKS has no batch describe: per cluster, DescribeCluster, ListNodegroups and ListFargateProfiles; per node
//! group, DescribeNodegroup; side by side, at most `calls_per_service` at once.

use std::collections::BTreeMap;

use aws_sdk_eks::types::{Cluster, Nodegroup};

use super::{RegionContext, each, string_set};
use crate::CollectError;
use envparity_model::catalog::aws::eks::{self, CLUSTER, NODEGROUP};
use envparity_model::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = &client!(aws_sdk_eks, ctx);
    let pages = ctx
        .pages("ListClusters", client.list_clusters().max_results(100).into_paginator().send())
        .await?;
    let names: Vec<&str> = pages.iter().flat_map(|p| p.clusters()).map(String::as_str).collect();
    let clusters = each(ctx, &names, |name| async move {
        let (cluster, nodegroups, fargate) = tokio::try_join!(
            ctx.send("DescribeCluster", client.describe_cluster().name(*name).send()),
            ctx.pages(
                "ListNodegroups",
                client.list_nodegroups().cluster_name(*name).max_results(100).into_paginator().send()
            ),
            ctx.pages(
                "ListFargateProfiles",
                client.list_fargate_profiles().cluster_name(*name).max_results(100).into_paginator().send()
            ),
        )?;
        let nodegroups: Vec<String> = nodegroups.iter().flat_map(|p| p.nodegroups()).cloned().collect();
        let described = each(ctx, &nodegroups, |nodegroup| {
            ctx.send(
                "DescribeNodegroup",
                client.describe_nodegroup().cluster_name(*name).nodegroup_name(nodegroup).send(),
            )
        })
        .await?;
        let fargate: Vec<String> = fargate
            .iter()
            .flat_map(|p| p.fargate_profile_names())
            .map(|n| ctx.key_of_name(n))
            .collect();
        Ok((cluster, described, fargate))
    })
    .await?;

    let mut out = Vec::new();
    for (cluster, nodegroups, fargate) in clusters {
        if let Some(c) = cluster.cluster() {
            out.push(cluster_resource(ctx, c, fargate));
        }
        out.extend(nodegroups.iter().filter_map(|n| n.nodegroup()).map(|n| nodegroup(ctx, n)));
    }
    Ok(out)
}

fn cluster_resource(ctx: &RegionContext<'_>, c: &Cluster, fargate: Vec<String>) -> Resource {
    let attributes = cluster_attributes(c, fargate);
    let tags: BTreeMap<String, String> = c.tags().cloned().unwrap_or_default().into_iter().collect();
    ctx.reachable_resource(
        CLUSTER.name,
        c.name().unwrap_or_default(),
        c.arn(),
        tags,
        attributes,
        [c.endpoint().map(|e| e.trim_start_matches("https://"))],
    )
}

fn nodegroup(ctx: &RegionContext<'_>, n: &Nodegroup) -> Resource {
    let name = format!(
        "{}/{}",
        n.cluster_name().unwrap_or_default(),
        n.nodegroup_name().unwrap_or_default()
    );
    let attributes = nodegroup_attributes(n);
    let tags: BTreeMap<String, String> = n.tags().cloned().unwrap_or_default().into_iter().collect();
    ctx.resource(NODEGROUP.name, &name, n.nodegroup_arn(), tags, attributes)
}

/// A cluster's attributes from what DescribeCluster returned, with its Fargate profiles. No call: the conversion
/// alone, tested without AWS.
pub(crate) fn cluster_attributes(c: &Cluster, fargate: Vec<String>) -> eks::Cluster {
    let vpc = c.resources_vpc_config();
    let logging = c
        .logging()
        .map(|l| l.cluster_logging())
        .unwrap_or_default()
        .iter()
        .filter(|s| s.enabled() == Some(true))
        .flat_map(|s| s.types().iter().map(|t| t.as_str().to_owned()));
    eks::Cluster {
        version: c.version().map(str::to_owned),
        endpoint_public_access: vpc.map(|v| v.endpoint_public_access()),
        endpoint_private_access: vpc.map(|v| v.endpoint_private_access()),
        logging: string_set(logging),
        secrets_encryption: !c.encryption_config().is_empty(),
        fargate_profiles: string_set(fargate),
    }
}

/// A managed node group's attributes from what DescribeNodegroup returned.
pub(crate) fn nodegroup_attributes(n: &Nodegroup) -> eks::Nodegroup {
    let scaling = n.scaling_config();
    let taints = n.taints().iter().map(|t| {
        format!(
            "{}={}:{}",
            t.key().unwrap_or_default(),
            t.value().unwrap_or_default(),
            t.effect().map_or("", |e| e.as_str())
        )
    });
    eks::Nodegroup {
        version: n.version().map(str::to_owned),
        instance_types: string_set(n.instance_types().iter().cloned()),
        ami_type: n.ami_type().map(|a| a.as_str().to_owned()),
        capacity_type: n.capacity_type().map(|c| c.as_str().to_owned()),
        min_size: scaling.and_then(|s| s.min_size()),
        max_size: scaling.and_then(|s| s.max_size()),
        desired_size: scaling.and_then(|s| s.desired_size()),
        disk_size: n.disk_size(),
        taints: string_set(taints),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_eks::types::{
        EncryptionConfig, LogSetup, LogType, Logging, NodegroupScalingConfig, Taint, TaintEffect, VpcConfigResponse,
    };
    use serde_json::json;

    use super::*;

    #[test]
    fn cluster_attributes_from_what_eks_returns() {
        let cluster = Cluster::builder()
            .version("1.30")
            .resources_vpc_config(
                VpcConfigResponse::builder().endpoint_public_access(false).endpoint_private_access(true).build(),
            )
            .logging(
                Logging::builder()
                    .cluster_logging(LogSetup::builder().enabled(true).types(LogType::Audit).types(LogType::Api).build())
                    .cluster_logging(LogSetup::builder().enabled(false).types(LogType::Scheduler).build())
                    .build(),
            )
            .encryption_config(EncryptionConfig::builder().build())
            .build();
        assert_eq!(
            serde_json::to_value(cluster_attributes(&cluster, vec!["jobs".into()])).unwrap(),
            json!({
                "version": "1.30", "endpoint_public_access": false, "endpoint_private_access": true,
                "logging": ["api", "audit"], "secrets_encryption": true, "fargate_profiles": ["jobs"],
            })
        );
    }

    #[test]
    fn nodegroup_attributes_from_what_eks_returns() {
        let group = Nodegroup::builder()
            .instance_types("m6i.large")
            .scaling_config(NodegroupScalingConfig::builder().min_size(2).max_size(6).desired_size(3).build())
            .taints(Taint::builder().key("dedicated").value("gpu").effect(TaintEffect::NoSchedule).build())
            .build();
        assert_eq!(
            serde_json::to_value(nodegroup_attributes(&group)).unwrap(),
            json!({
                "instance_types": ["m6i.large"], "min_size": 2, "max_size": 6, "desired_size": 3,
                "taints": ["dedicated=gpu:NO_SCHEDULE"],
            })
        );
    }
}
