//! ElastiCache replication groups (`aws.elasticache.replication_group`).

use crate::catalog::Kind;
use crate::catalog::typed::Typed;

crate::attributes! {
    /// The attributes of `aws.elasticache.replication_group`.
    pub struct ReplicationGroup {
        /// redis or valkey.
        pub engine: Option<String>,
        /// The engine version of its members.
        pub engine_version: Option<String>,
        /// The node type, such as cache.r7g.large.
        pub node_type: Option<String>,
        /// How many shards it has.
        pub num_node_groups: u64,
        /// Replicas per shard.
        pub replicas_per_node_group: Option<u64>,
        /// Whether automatic failover is on.
        pub automatic_failover: Option<bool>,
        /// Whether it spans availability zones.
        pub multi_az: Option<bool>,
        /// Whether data at rest is encrypted.
        pub at_rest_encryption: Option<bool>,
        /// Whether traffic is encrypted in transit.
        pub transit_encryption: Option<bool>,
        /// enabled, disabled or compatible.
        pub cluster_mode: Option<String>,
        /// Its cache parameter group by logical key.
        pub parameter_group: Option<String>,
    }
}

/// `aws.elasticache.replication_group`.
pub const REPLICATION_GROUP: Kind = Kind {
    name: "aws.elasticache.replication_group",
    provider: "aws",
    service: "elasticache",
    tagged: true,
    tagging_types: &["elasticache:replicationgroup"],
    doc: "An ElastiCache (Redis OSS or Valkey) replication group.",
    attributes: Typed::of::<ReplicationGroup>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[REPLICATION_GROUP];
