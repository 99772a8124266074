//! ElastiCache replication groups (`aws.elasticache.replication_group`).

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[Kind {
    name: "aws.elasticache.replication_group",
    provider: "aws",
    service: "elasticache",
    tagged: true,
    tagging_types: &["elasticache:replicationgroup"],
    doc: "An ElastiCache (Redis OSS or Valkey) replication group.",
    fields: &[
        Field {
            path: "engine",
            ty: FieldType::String,
            doc: "redis or valkey.",
        },
        Field {
            path: "engine_version",
            ty: FieldType::String,
            doc: "The engine version of its members.",
        },
        Field {
            path: "node_type",
            ty: FieldType::String,
            doc: "The node type, such as cache.r7g.large.",
        },
        Field {
            path: "num_node_groups",
            ty: FieldType::Integer,
            doc: "How many shards it has.",
        },
        Field {
            path: "replicas_per_node_group",
            ty: FieldType::Integer,
            doc: "Replicas per shard.",
        },
        Field {
            path: "automatic_failover",
            ty: FieldType::Boolean,
            doc: "Whether automatic failover is on.",
        },
        Field {
            path: "multi_az",
            ty: FieldType::Boolean,
            doc: "Whether it spans availability zones.",
        },
        Field {
            path: "at_rest_encryption",
            ty: FieldType::Boolean,
            doc: "Whether data at rest is encrypted.",
        },
        Field {
            path: "transit_encryption",
            ty: FieldType::Boolean,
            doc: "Whether traffic is encrypted in transit.",
        },
        Field {
            path: "cluster_mode",
            ty: FieldType::String,
            doc: "enabled, disabled or compatible.",
        },
        Field {
            path: "parameter_group",
            ty: FieldType::String,
            doc: "Its cache parameter group by logical key.",
        },
    ],
}];
