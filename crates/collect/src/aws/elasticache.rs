//! ElastiCache replication groups (`aws.elasticache.replication_group`).
//!
//! The engine version and parameter group live on the member cache clusters, read in one paginated call.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_elasticache::Client;
use aws_sdk_elasticache::types::{AutomaticFailoverStatus, MultiAzStatus, ReplicationGroup};

use super::{RegionContext, each, tag_map};
use crate::CollectError;
use envparity_model::catalog::aws::elasticache::{self, REPLICATION_GROUP};
use envparity_model::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_elasticache, ctx);
    let (groups, clusters) = tokio::try_join!(
        ctx.pages(
            "DescribeReplicationGroups",
            client
                .describe_replication_groups()
                .max_records(100)
                .into_paginator()
                .send(),
        ),
        ctx.pages(
            "DescribeCacheClusters",
            client
                .describe_cache_clusters()
                .max_records(100)
                .into_paginator()
                .send()
        ),
    )?;
    // Per replication group: (engine version, parameter group) of its first member.
    let mut members: HashMap<&str, (Option<&str>, Option<&str>)> = HashMap::new();
    for c in clusters.iter().flat_map(|p| p.cache_clusters()) {
        if let Some(group) = c.replication_group_id() {
            members.entry(group).or_insert((
                c.engine_version(),
                c.cache_parameter_group()
                    .and_then(|g| g.cache_parameter_group_name()),
            ));
        }
    }

    let groups: Vec<_> = groups.iter().flat_map(|p| p.replication_groups()).collect();
    let tags = if ctx.needs_tags {
        tags(ctx, &client, &groups).await?
    } else {
        HashMap::new()
    };
    let mut out = Vec::new();
    for g in groups {
        let id = g.replication_group_id().unwrap_or_default();
        let (version, parameter_group) = members.get(id).copied().unwrap_or_default();
        let attributes = group_attributes(g, version, parameter_group.map(|p| ctx.key_of_name(p)));
        let tags = tags.get(g.arn().unwrap_or_default()).cloned().unwrap_or_default();
        let endpoints = g.node_groups().iter().flat_map(|n| {
            let primary = n.primary_endpoint().and_then(|e| e.address());
            let reader = n.reader_endpoint().and_then(|e| e.address());
            [primary, reader]
        });
        let configuration = g.configuration_endpoint().and_then(|e| e.address());
        out.push(ctx.reachable_resource(
            REPLICATION_GROUP.name,
            id,
            g.arn(),
            tags,
            attributes,
            endpoints.chain([configuration]),
        ));
    }
    Ok(out)
}

/// Tags per replication group: ElastiCache has no batch call for them, so one call per group, side by side.
async fn tags(
    ctx: &RegionContext<'_>,
    client: &Client,
    groups: &[&ReplicationGroup],
) -> Result<HashMap<String, BTreeMap<String, String>>, CollectError> {
    let arns: Vec<&str> = groups.iter().filter_map(|g| g.arn()).collect();
    let results = each(ctx, &arns, |arn| {
        ctx.send(
            "ListTagsForResource",
            client.list_tags_for_resource().resource_name(*arn).send(),
        )
    })
    .await?;
    Ok(arns
        .iter()
        .zip(results)
        .map(|(arn, r)| {
            (
                arn.to_string(),
                tag_map(r.tag_list().iter().map(|t| (t.key(), t.value()))),
            )
        })
        .collect())
}

/// A replication group's attributes from what DescribeReplicationGroups returned, with the engine version its
/// member clusters run and its parameter group's logical key. No call: the conversion alone, tested without AWS.
pub(crate) fn group_attributes(
    g: &ReplicationGroup,
    version: Option<&str>,
    parameter_group: Option<String>,
) -> elasticache::ReplicationGroup {
    let node_groups = g.node_groups();
    let replicas = node_groups
        .first()
        .map(|n| n.node_group_members().len().saturating_sub(1) as u64);
    let cluster_mode = g.cluster_mode().map(|m| m.as_str().to_owned()).or_else(|| {
        g.cluster_enabled()
            .map(|e| if e { "enabled".into() } else { "disabled".into() })
    });
    elasticache::ReplicationGroup {
        engine: g.engine().map(str::to_owned),
        engine_version: version.map(str::to_owned),
        node_type: g.cache_node_type().map(str::to_owned),
        num_node_groups: node_groups.len() as u64,
        replicas_per_node_group: replicas,
        automatic_failover: g.automatic_failover().map(|f| {
            matches!(
                f,
                AutomaticFailoverStatus::Enabled | AutomaticFailoverStatus::Enabling
            )
        }),
        multi_az: g.multi_az().map(|m| *m == MultiAzStatus::Enabled),
        at_rest_encryption: g.at_rest_encryption_enabled(),
        transit_encryption: g.transit_encryption_enabled(),
        cluster_mode,
        parameter_group,
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_elasticache::types::{NodeGroup, NodeGroupMember};
    use serde_json::json;

    use super::*;

    #[test]
    fn group_attributes_from_what_elasticache_returns() {
        let members = NodeGroup::builder()
            .node_group_members(NodeGroupMember::builder().cache_cluster_id("a").build())
            .node_group_members(NodeGroupMember::builder().cache_cluster_id("b").build())
            .build();
        let group = ReplicationGroup::builder()
            .engine("valkey")
            .cache_node_type("cache.r7g.large")
            .node_groups(members)
            .automatic_failover(AutomaticFailoverStatus::Enabling)
            .multi_az(MultiAzStatus::Disabled)
            .transit_encryption_enabled(true)
            .cluster_enabled(false)
            .build();
        assert_eq!(
            serde_json::to_value(group_attributes(&group, Some("8.0.1"), Some("sessions-{env}".into()))).unwrap(),
            json!({
                "engine": "valkey", "engine_version": "8.0.1", "node_type": "cache.r7g.large",
                "num_node_groups": 1, "replicas_per_node_group": 1, "automatic_failover": true, "multi_az": false,
                "transit_encryption": true, "cluster_mode": "disabled", "parameter_group": "sessions-{env}",
            })
        );
    }
}
