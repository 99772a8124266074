//! Amazon S3: a bucket, its settings folded in from the resources that configure it.

use crate::aws::s3 as s3_collector;
use aws_sdk_s3::types as s3;
use serde_json::Value;

use super::{States, blocks, first, flag, int, text};

/// A bucket with the helper resources that configure it, as S3's settings calls return them. The provider's
/// own reading of the bucket (`versioning`, `server_side_encryption_configuration` on `aws_s3_bucket`) stands in
/// where no helper resource configures the setting.
pub(super) fn bucket(a: &Value, states: &States) -> envparity_model::catalog::aws::s3::Bucket {
    let name = text(a, "bucket");
    let versioning = match states
        .block("aws_s3_bucket_versioning", name, "versioning_configuration")
        .and_then(|v| text(v, "status"))
    {
        Some("Enabled") => Some(s3::BucketVersioningStatus::Enabled),
        Some("Suspended") => Some(s3::BucketVersioningStatus::Suspended),
        Some(_) => None,
        None => first(a, "versioning")
            .and_then(|v| flag(v, "enabled"))
            .filter(|e| *e)
            .map(|_| s3::BucketVersioningStatus::Enabled),
    };
    let encryption_rule = states
        .block("aws_s3_bucket_server_side_encryption_configuration", name, "rule")
        .or_else(|| first(a, "server_side_encryption_configuration").and_then(|c| first(c, "rule")));
    let encryption = encryption_rule.and_then(|rule| {
        let default = first(rule, "apply_server_side_encryption_by_default")?;
        let by_default = s3::ServerSideEncryptionByDefault::builder()
            .sse_algorithm(s3::ServerSideEncryption::from(text(default, "sse_algorithm")?))
            .build()
            .ok()?;
        let rule = s3::ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(by_default)
            .set_bucket_key_enabled(flag(rule, "bucket_key_enabled"))
            .build();
        s3::ServerSideEncryptionConfiguration::builder()
            .rules(rule)
            .build()
            .ok()
    });
    let public_access_block = states
        .configuring("aws_s3_bucket_public_access_block", name)
        .first()
        .map(|p| {
            let p = &p.attributes;
            s3::PublicAccessBlockConfiguration::builder()
                .set_block_public_acls(flag(p, "block_public_acls"))
                .set_ignore_public_acls(flag(p, "ignore_public_acls"))
                .set_block_public_policy(flag(p, "block_public_policy"))
                .set_restrict_public_buckets(flag(p, "restrict_public_buckets"))
                .build()
        });
    let ownership = states
        .block("aws_s3_bucket_ownership_controls", name, "rule")
        .and_then(|r| text(r, "object_ownership"))
        .and_then(|o| {
            let rule = s3::OwnershipControlsRule::builder()
                .object_ownership(s3::ObjectOwnership::from(o))
                .build()
                .ok()?;
            s3::OwnershipControls::builder().rules(rule).build().ok()
        });
    let object_lock = (flag(a, "object_lock_enabled") == Some(true)).then(|| {
        s3::ObjectLockConfiguration::builder()
            .object_lock_enabled(s3::ObjectLockEnabled::Enabled)
            .build()
    });
    let lifecycle: Vec<s3::LifecycleRule> = states
        .configuring("aws_s3_bucket_lifecycle_configuration", name)
        .iter()
        .flat_map(|l| blocks(&l.attributes, "rule"))
        .filter_map(|r| {
            let days =
                |block: &str, field: &str| first(r, block).and_then(|b| int(b, field)).filter(|d| *d > 0);
            s3::LifecycleRule::builder()
                .set_id(text(r, "id").map(str::to_owned))
                .status(s3::ExpirationStatus::from(text(r, "status").unwrap_or("Enabled")))
                .set_expiration(
                    days("expiration", "days").map(|d| s3::LifecycleExpiration::builder().days(d).build()),
                )
                .set_transitions(Some(
                    blocks(r, "transition")
                        .iter()
                        .map(|t| {
                            s3::Transition::builder()
                                .set_days(int(t, "days"))
                                .set_storage_class(
                                    text(t, "storage_class").map(s3::TransitionStorageClass::from),
                                )
                                .build()
                        })
                        .collect(),
                ))
                .set_noncurrent_version_expiration(
                    days("noncurrent_version_expiration", "noncurrent_days").map(|d| {
                        s3::NoncurrentVersionExpiration::builder()
                            .noncurrent_days(d)
                            .build()
                    }),
                )
                .set_abort_incomplete_multipart_upload(
                    days("abort_incomplete_multipart_upload", "days_after_initiation").map(|d| {
                        s3::AbortIncompleteMultipartUpload::builder()
                            .days_after_initiation(d)
                            .build()
                    }),
                )
                .build()
                .ok()
        })
        .collect();
    s3_collector::bucket_attributes(&s3_collector::Settings {
        versioning: versioning.as_ref(),
        encryption: encryption.as_ref(),
        public_access_block: public_access_block.as_ref(),
        ownership: ownership.as_ref(),
        object_lock: object_lock.as_ref(),
        lifecycle: &lifecycle,
    })
}
