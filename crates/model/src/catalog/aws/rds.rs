//! RDS: instances, clusters and parameter groups (`aws.rds.instance`, `aws.rds.cluster`,
//! `aws.rds.parameter_group`, `aws.rds.cluster_parameter_group`).

use crate::catalog::{Field, FieldType, Kind};

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

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "aws.rds.instance",
        provider: "aws",
        service: "rds",
        tagged: true,
        tagging_types: &["rds:db"],
        doc: "An RDS database instance outside a cluster.",
        fields: &[
            Field {
                path: "engine",
                ty: FieldType::String,
                doc: "The engine, such as postgres or mysql.",
            },
            Field {
                path: "engine_version",
                ty: FieldType::String,
                doc: "The engine version, such as 15.6.",
            },
            Field {
                path: "instance_class",
                ty: FieldType::String,
                doc: "The instance class, such as db.r6g.large.",
            },
            Field {
                path: "multi_az",
                ty: FieldType::Boolean,
                doc: "Whether a standby runs in another availability zone.",
            },
            Field {
                path: "storage_type",
                ty: FieldType::String,
                doc: "gp2, gp3, io1, ...",
            },
            Field {
                path: "allocated_storage",
                ty: FieldType::Integer,
                doc: "Storage in GiB.",
            },
            Field {
                path: "iops",
                ty: FieldType::Integer,
                doc: "Provisioned IOPS, or null.",
            },
            Field {
                path: "storage_encrypted",
                ty: FieldType::Boolean,
                doc: "Whether storage is encrypted.",
            },
            Field {
                path: "deletion_protection",
                ty: FieldType::Boolean,
                doc: "Whether deletion protection is on.",
            },
            Field {
                path: "backup_retention_period",
                ty: FieldType::Integer,
                doc: "Days automated backups are kept.",
            },
            Field {
                path: "publicly_accessible",
                ty: FieldType::Boolean,
                doc: "Whether it has a public address.",
            },
            Field {
                path: "auto_minor_version_upgrade",
                ty: FieldType::Boolean,
                doc: "Whether minor versions are upgraded automatically.",
            },
            Field {
                path: "parameter_group",
                ty: FieldType::String,
                doc: "Its DB parameter group by logical key; the parameters are compared once, on the group.",
            },
        ],
    },
    Kind {
        name: "aws.rds.cluster",
        provider: "aws",
        service: "rds",
        tagged: true,
        tagging_types: &["rds:cluster"],
        doc: "An RDS or Aurora cluster, its member instances folded in.",
        fields: &[
            Field {
                path: "engine",
                ty: FieldType::String,
                doc: "The engine, such as aurora-postgresql.",
            },
            Field {
                path: "engine_version",
                ty: FieldType::String,
                doc: "The engine version.",
            },
            Field {
                path: "engine_mode",
                ty: FieldType::String,
                doc: "provisioned or serverless.",
            },
            Field {
                path: "member_instance_classes",
                ty: FieldType::List,
                doc: "The instance classes of its members, sorted.",
            },
            Field {
                path: "member_count",
                ty: FieldType::Integer,
                doc: "How many member instances it has.",
            },
            Field {
                path: "serverless_v2_scaling.min",
                ty: FieldType::Number,
                doc: "Serverless v2 minimum capacity (ACUs).",
            },
            Field {
                path: "serverless_v2_scaling.max",
                ty: FieldType::Number,
                doc: "Serverless v2 maximum capacity (ACUs).",
            },
            Field {
                path: "deletion_protection",
                ty: FieldType::Boolean,
                doc: "Whether deletion protection is on.",
            },
            Field {
                path: "storage_encrypted",
                ty: FieldType::Boolean,
                doc: "Whether storage is encrypted.",
            },
            Field {
                path: "backup_retention_period",
                ty: FieldType::Integer,
                doc: "Days automated backups are kept.",
            },
            Field {
                path: "parameter_group",
                ty: FieldType::String,
                doc: "Its cluster parameter group by logical key; the parameters are compared once, on the group.",
            },
        ],
    },
    Kind {
        name: "aws.rds.parameter_group",
        provider: "aws",
        service: "rds",
        tagged: false,
        tagging_types: &["rds:pg"],
        doc: "A non-default DB parameter group, kept with the databases that use it.",
        fields: &[
            Field {
                path: "family",
                ty: FieldType::String,
                doc: "The parameter group family, such as postgres15.",
            },
            Field {
                path: "parameters",
                ty: FieldType::Map(RDS_PARAMETERS),
                doc: "Its user-modified parameters, name -> value (as AWS returns them, strings).",
            },
        ],
    },
    Kind {
        name: "aws.rds.cluster_parameter_group",
        provider: "aws",
        service: "rds",
        tagged: false,
        tagging_types: &["rds:cluster-pg"],
        doc: "A non-default DB cluster parameter group, kept with the clusters that use it.",
        fields: &[Field {
            path: "parameters",
            ty: FieldType::Map(RDS_PARAMETERS),
            doc: "Its user-modified parameters, name -> value (as AWS returns them, strings).",
        }],
    },
];
