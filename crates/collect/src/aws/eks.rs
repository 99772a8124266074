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
    let vpc = c.resources_vpc_config();
    let logging = c
        .logging()
        .map(|l| l.cluster_logging())
        .unwrap_or_default()
        .iter()
        .filter(|s| s.enabled() == Some(true))
        .flat_map(|s| s.types().iter().map(|t| t.as_str().to_owned()));
    let attributes = eks::Cluster {
        version: c.version().map(str::to_owned),
        endpoint_public_access: vpc.map(|v| v.endpoint_public_access()),
        endpoint_private_access: vpc.map(|v| v.endpoint_private_access()),
        logging: string_set(logging),
        secrets_encryption: !c.encryption_config().is_empty(),
        fargate_profiles: string_set(fargate),
    };
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
    let scaling = n.scaling_config();
    let taints = n.taints().iter().map(|t| {
        format!(
            "{}={}:{}",
            t.key().unwrap_or_default(),
            t.value().unwrap_or_default(),
            t.effect().map_or("", |e| e.as_str())
        )
    });
    let attributes = eks::Nodegroup {
        version: n.version().map(str::to_owned),
        instance_types: string_set(n.instance_types().iter().cloned()),
        ami_type: n.ami_type().map(|a| a.as_str().to_owned()),
        capacity_type: n.capacity_type().map(|c| c.as_str().to_owned()),
        min_size: scaling.and_then(|s| s.min_size()),
        max_size: scaling.and_then(|s| s.max_size()),
        desired_size: scaling.and_then(|s| s.desired_size()),
        disk_size: n.disk_size(),
        taints: string_set(taints),
    };
    let tags: BTreeMap<String, String> = n.tags().cloned().unwrap_or_default().into_iter().collect();
    ctx.resource(NODEGROUP.name, &name, n.nodegroup_arn(), tags, attributes)
}
