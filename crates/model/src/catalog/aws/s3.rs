//! S3 buckets (`aws.s3.bucket`).

use crate::catalog::Kind;
use crate::catalog::typed::{Map, OrNull, Typed};

crate::attributes! {
    /// The attributes of `aws.s3.bucket`.
    pub struct Bucket {
        /// Enabled, Suspended or Off.
        pub versioning: String,
        /// The default encryption: AES256 (S3 managed keys), aws:kms, aws:kms:dsse, or none.
        pub encryption: String,
        /// Whether an S3 Bucket Key cuts KMS calls.
        pub bucket_key: bool,
        /// Whether all four public access block settings are on.
        pub public_access_blocked: bool,
        /// The bucket's four public access block settings (null when none is set).
        #[keys = &["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"]]
        pub public_access_block: OrNull<Map>,
        /// BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter (null when not set).
        pub object_ownership: OrNull<String>,
        /// Whether object lock is enabled.
        pub object_lock: bool,
        /// Per rule id: its status and actions (expiration, transitions, noncurrent versions, incomplete uploads).
        pub lifecycle_rules: Map,
    }
}

/// `aws.s3.bucket`.
pub const BUCKET: Kind = Kind {
    name: "aws.s3.bucket",
    provider: "aws",
    service: "s3",
    tagged: true,
    tagging_types: &["s3"],
    doc: "An S3 bucket with its versioning, encryption, access and lifecycle settings.",
    attributes: Typed::of::<Bucket>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[BUCKET];
