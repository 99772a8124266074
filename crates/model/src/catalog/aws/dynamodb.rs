//! DynamoDB tables (`aws.dynamodb.table`).

use crate::catalog::Kind;
use crate::catalog::typed::{OrNull, Typed};

crate::attributes! {
    /// The attributes of `aws.dynamodb.table`.
    pub struct Table {
        /// PROVISIONED or PAY_PER_REQUEST.
        pub billing_mode: String,
        /// STANDARD or STANDARD_INFREQUENT_ACCESS.
        pub table_class: String,
        /// Provisioned reads per second (0 on demand).
        pub read_capacity_units: Option<i64>,
        /// Provisioned writes per second (0 on demand).
        pub write_capacity_units: Option<i64>,
        /// Whether continuous backups allow restoring to any second.
        pub point_in_time_recovery: bool,
        /// The attribute that expires items, or null when TTL is off.
        pub ttl_attribute: OrNull<String>,
        /// Whether the table refuses to be deleted.
        pub deletion_protection: bool,
        /// The stream's view type (NEW_AND_OLD_IMAGES, ...), or null without a stream.
        pub stream: OrNull<String>,
        /// aws-owned (the default), or KMS when a KMS key encrypts the table.
        pub encryption: String,
        /// The table's key: ATTRIBUTE HASH, ATTRIBUTE RANGE.
        pub key_schema: Vec<String>,
        /// Each index as NAME: KEY SCHEMA (PROJECTION).
        pub global_secondary_indexes: Vec<String>,
    }
}

/// `aws.dynamodb.table`.
pub const TABLE: Kind = Kind {
    name: "aws.dynamodb.table",
    provider: "aws",
    service: "dynamodb",
    tagged: true,
    tagging_types: &["dynamodb:table"],
    doc: "A DynamoDB table with its keys, indexes, capacity and protection.",
    attributes: Typed::of::<Table>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[TABLE];
