//! S3 buckets (`aws.s3.bucket`).

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[Kind {
    name: "aws.s3.bucket",
    provider: "aws",
    service: "s3",
    tagged: true,
    tagging_types: &["s3"],
    doc: "An S3 bucket with its versioning, encryption, access and lifecycle settings.",
    fields: &[
        Field {
            path: "versioning",
            ty: FieldType::String,
            doc: "Enabled, Suspended or Off.",
        },
        Field {
            path: "encryption",
            ty: FieldType::String,
            doc: "The default encryption: AES256 (S3 managed keys), aws:kms, aws:kms:dsse, or none.",
        },
        Field {
            path: "bucket_key",
            ty: FieldType::Boolean,
            doc: "Whether an S3 Bucket Key cuts KMS calls.",
        },
        Field {
            path: "public_access_blocked",
            ty: FieldType::Boolean,
            doc: "Whether all four public access block settings are on.",
        },
        Field {
            path: "public_access_block",
            ty: FieldType::Map(&[
                "block_public_acls",
                "ignore_public_acls",
                "block_public_policy",
                "restrict_public_buckets",
            ]),
            doc: "The bucket's four public access block settings (null when none is set).",
        },
        Field {
            path: "object_ownership",
            ty: FieldType::String,
            doc: "BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter (null when not set).",
        },
        Field {
            path: "object_lock",
            ty: FieldType::Boolean,
            doc: "Whether object lock is enabled.",
        },
        Field {
            path: "lifecycle_rules",
            ty: FieldType::Map(&[]),
            doc: "Per rule id: its status and actions (expiration, transitions, noncurrent versions, \
                  incomplete uploads).",
        },
    ],
}];
