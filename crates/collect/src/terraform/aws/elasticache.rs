//! Amazon ElastiCache: replication groups.

use serde_json::Value;

use super::{boolish, number, text};

pub(super) fn replication_group(a: &Value) -> aws_sdk_elasticache::types::ReplicationGroup {
    use aws_sdk_elasticache::types as cache;
    let shards = number(a, "num_node_groups").unwrap_or(1).max(0) as usize;
    let replicas = number(a, "replicas_per_node_group").unwrap_or(0).max(0) as usize;
    let node_group = cache::NodeGroup::builder()
        .set_node_group_members(Some(vec![
            cache::NodeGroupMember::builder().build();
            replicas + 1
        ]))
        .build();
    let cluster_mode = text(a, "cluster_mode").map(cache::ClusterMode::from);
    cache::ReplicationGroup::builder()
        .set_engine(text(a, "engine").map(str::to_owned))
        .set_cache_node_type(text(a, "node_type").map(str::to_owned))
        .set_node_groups(Some(vec![node_group; shards]))
        .set_automatic_failover(boolish(a, "automatic_failover_enabled").map(|on| match on {
            true => cache::AutomaticFailoverStatus::Enabled,
            false => cache::AutomaticFailoverStatus::Disabled,
        }))
        .set_multi_az(boolish(a, "multi_az_enabled").map(|on| match on {
            true => cache::MultiAzStatus::Enabled,
            false => cache::MultiAzStatus::Disabled,
        }))
        .set_at_rest_encryption_enabled(boolish(a, "at_rest_encryption_enabled"))
        .set_transit_encryption_enabled(boolish(a, "transit_encryption_enabled"))
        .set_cluster_mode(cluster_mode)
        .build()
}
