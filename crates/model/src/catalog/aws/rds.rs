//! RDS: instances, clusters and parameter groups (`aws.rds.instance`, `aws.rds.cluster`,
//! `aws.rds.parameter_group`, `aws.rds.cluster_parameter_group`).

use crate::catalog::Kind;
use crate::catalog::typed::{Map, OrNull, Typed};

/// Well-known PostgreSQL and MySQL parameters: a policy key one slip away from one of these is taken for a typo.
const RDS_PARAMETERS: &[&str] = &[
    "autovacuum",
    "character_set_server",
    "effective_cache_size",
    "idle_in_transaction_session_timeout",
    "innodb_buffer_pool_size",
    "innodb_log_file_size",
    "log_min_duration_statement",
    "log_statement",
    "maintenance_work_mem",
    "max_allowed_packet",
    "max_connections",
    "max_wal_size",
    "min_wal_size",
    "random_page_cost",
    "rds.force_ssl",
    "shared_buffers",
    "shared_preload_libraries",
    "slow_query_log",
    "statement_timeout",
    "time_zone",
    "timezone",
    "wait_timeout",
    "work_mem",
];

crate::attributes! {
    /// The attributes of `aws.rds.instance`.
    pub struct Instance {
        /// The engine, such as postgres or mysql.
        pub engine: Option<String>,
        /// The engine version, such as 15.6.
        pub engine_version: Option<String>,
        /// The instance class, such as db.r6g.large.
        pub instance_class: Option<String>,
        /// Whether a standby runs in another availability zone.
        pub multi_az: Option<bool>,
        /// gp2, gp3, io1, ...
        pub storage_type: Option<String>,
        /// Storage in GiB.
        pub allocated_storage: Option<i32>,
        /// Provisioned IOPS, or null.
        pub iops: OrNull<i32>,
        /// Whether storage is encrypted.
        pub storage_encrypted: Option<bool>,
        /// Whether deletion protection is on.
        pub deletion_protection: Option<bool>,
        /// Days automated backups are kept.
        pub backup_retention_period: Option<i32>,
        /// Whether it has a public address.
        pub publicly_accessible: Option<bool>,
        /// Whether minor versions are upgraded automatically.
        pub auto_minor_version_upgrade: Option<bool>,
        /// Its DB parameter group by logical key (`default` for the engine's default group); the parameters are
        /// compared once, on the group.
        pub parameter_group: Option<String>,
    }
}

/// `aws.rds.instance`.
pub const INSTANCE: Kind = Kind {
    name: "aws.rds.instance",
    provider: "aws",
    service: "rds",
    tagged: true,
    tagging_types: &["rds:db"],
    doc: "An RDS database instance outside a cluster.",
    attributes: Typed::of::<Instance>(),
};

crate::attributes! {
    /// The attributes of `aws.rds.cluster`.
    pub struct Cluster {
        /// The engine, such as aurora-postgresql.
        pub engine: Option<String>,
        /// The engine version.
        pub engine_version: Option<String>,
        /// provisioned or serverless.
        pub engine_mode: Option<String>,
        /// The instance classes of its members, sorted.
        pub member_instance_classes: Vec<String>,
        /// How many member instances it has.
        pub member_count: u64,
        /// See the fields of `serverless_v2_scaling`.
        pub serverless_v2_scaling: Option<ServerlessV2Scaling>,
        /// Whether deletion protection is on.
        pub deletion_protection: Option<bool>,
        /// Whether storage is encrypted.
        pub storage_encrypted: Option<bool>,
        /// Days automated backups are kept.
        pub backup_retention_period: Option<i32>,
        /// Its cluster parameter group by logical key (`default` for the engine's default group); the parameters
        /// are compared once, on the group.
        pub parameter_group: Option<String>,
    }
}

/// `aws.rds.cluster`.
pub const CLUSTER: Kind = Kind {
    name: "aws.rds.cluster",
    provider: "aws",
    service: "rds",
    tagged: true,
    tagging_types: &["rds:cluster"],
    doc: "An RDS or Aurora cluster, its member instances folded in.",
    attributes: Typed::of::<Cluster>(),
};

crate::attributes! {
    /// The attributes of `aws.rds.parameter_group`.
    pub struct ParameterGroup {
        /// The parameter group family, such as postgres15.
        pub family: Option<String>,
        /// Its user-modified parameters, name -> value (as AWS returns them, strings).
        #[keys = RDS_PARAMETERS]
        pub parameters: Map,
    }
}

/// `aws.rds.parameter_group`.
pub const PARAMETER_GROUP: Kind = Kind {
    name: "aws.rds.parameter_group",
    provider: "aws",
    service: "rds",
    tagged: false,
    tagging_types: &["rds:pg"],
    doc: "A non-default DB parameter group, kept with the databases that use it.",
    attributes: Typed::of::<ParameterGroup>(),
};

crate::attributes! {
    /// The `serverless_v2_scaling` object.
    pub struct ServerlessV2Scaling at "serverless_v2_scaling" {
        /// Serverless v2 minimum capacity (ACUs).
        pub min: OrNull<f64>,
        /// Serverless v2 maximum capacity (ACUs).
        pub max: OrNull<f64>,
    }
}

crate::attributes! {
    /// The attributes of `aws.rds.cluster_parameter_group`.
    pub struct ClusterParameterGroup {
        /// Its user-modified parameters, name -> value (as AWS returns them, strings).
        #[keys = RDS_PARAMETERS]
        pub parameters: Map,
    }
}

/// `aws.rds.cluster_parameter_group`.
pub const CLUSTER_PARAMETER_GROUP: Kind = Kind {
    name: "aws.rds.cluster_parameter_group",
    provider: "aws",
    service: "rds",
    tagged: false,
    tagging_types: &["rds:cluster-pg"],
    doc: "A non-default DB cluster parameter group, kept with the clusters that use it.",
    attributes: Typed::of::<ClusterParameterGroup>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[INSTANCE, CLUSTER, PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP];
