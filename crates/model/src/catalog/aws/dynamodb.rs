//! DynamoDB tables (`aws.dynamodb.table`).

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[Kind {
    name: "aws.dynamodb.table",
    provider: "aws",
    service: "dynamodb",
    tagged: true,
    tagging_types: &["dynamodb:table"],
    doc: "A DynamoDB table with its keys, indexes, capacity and protection.",
    fields: &[
        Field {
            path: "billing_mode",
            ty: FieldType::String,
            doc: "PROVISIONED or PAY_PER_REQUEST.",
        },
        Field {
            path: "table_class",
            ty: FieldType::String,
            doc: "STANDARD or STANDARD_INFREQUENT_ACCESS.",
        },
        Field {
            path: "read_capacity_units",
            ty: FieldType::Integer,
            doc: "Provisioned reads per second (0 on demand).",
        },
        Field {
            path: "write_capacity_units",
            ty: FieldType::Integer,
            doc: "Provisioned writes per second (0 on demand).",
        },
        Field {
            path: "point_in_time_recovery",
            ty: FieldType::Boolean,
            doc: "Whether continuous backups allow restoring to any second.",
        },
        Field {
            path: "ttl_attribute",
            ty: FieldType::String,
            doc: "The attribute that expires items, or null when TTL is off.",
        },
        Field {
            path: "deletion_protection",
            ty: FieldType::Boolean,
            doc: "Whether the table refuses to be deleted.",
        },
        Field {
            path: "stream",
            ty: FieldType::String,
            doc: "The stream's view type (NEW_AND_OLD_IMAGES, ...), or null without a stream.",
        },
        Field {
            path: "encryption",
            ty: FieldType::String,
            doc: "aws-owned (the default), or KMS when a KMS key encrypts the table.",
        },
        Field {
            path: "key_schema",
            ty: FieldType::List,
            doc: "The table's key: ATTRIBUTE HASH, ATTRIBUTE RANGE.",
        },
        Field {
            path: "global_secondary_indexes",
            ty: FieldType::List,
            doc: "Each index as NAME: KEY SCHEMA (PROJECTION).",
        },
    ],
}];
