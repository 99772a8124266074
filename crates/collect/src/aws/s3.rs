//! S3 buckets (`aws.s3.bucket`).
//!
//! Buckets are global to an account: each is read in the region it lives in (ListBuckets filtered by region), so
//! an environment with several regions reads each bucket once. S3 has no batch call for bucket settings: per
//! bucket, one call per setting, side by side (tags, when a filter needs them, come from the region's tagging
//! API); "not configured" answers (NoSuchLifecycleConfiguration) are settings, not failures.

use aws_sdk_s3::types::{
    BucketVersioningStatus, LifecycleRule, ObjectLockConfiguration, OwnershipControls, PublicAccessBlockConfiguration,
    ServerSideEncryptionConfiguration,
};
use serde_json::{Value, json};

use super::{RegionContext, each, tags_of};
use crate::CollectError;
use envparity_model::catalog::typed::map_of;
use envparity_model::catalog::aws::s3::{BUCKET, Bucket};
use envparity_model::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    // Path-style addressing for a configured endpoint (moto, LocalStack, MinIO): virtual hosts need DNS.
    let client = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&ctx.sdk)
            .retry_classifier(ctx.breaker.clone())
            .force_path_style(ctx.env.endpoint_url.is_some())
            .build(),
    );
    let pages = ctx
        .pages(
            "ListBuckets",
            client
                .list_buckets()
                .bucket_region(&ctx.region)
                .max_buckets(1000)
                .into_paginator()
                .send(),
        )
        .await?;
    let names: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.buckets())
        .filter(|b| b.bucket_region().is_none_or(|r| r == ctx.region))
        .filter_map(|b| b.name())
        .collect();
    let client = &client;
    let buckets = each(ctx, &names, |name| async move {
        let name = *name;
        let (versioning, encryption, public, ownership, lock, lifecycle) = tokio::try_join!(
            ctx.send("GetBucketVersioning", client.get_bucket_versioning().bucket(name).send()),
            ctx.send_unless(
                "GetBucketEncryption",
                &["ServerSideEncryptionConfigurationNotFoundError"],
                client.get_bucket_encryption().bucket(name).send()
            ),
            ctx.send_unless(
                "GetPublicAccessBlock",
                &["NoSuchPublicAccessBlockConfiguration"],
                client.get_public_access_block().bucket(name).send()
            ),
            ctx.send_unless(
                "GetBucketOwnershipControls",
                &["OwnershipControlsNotFoundError"],
                client.get_bucket_ownership_controls().bucket(name).send()
            ),
            ctx.send_unless(
                "GetObjectLockConfiguration",
                &["ObjectLockConfigurationNotFoundError"],
                client.get_object_lock_configuration().bucket(name).send()
            ),
            ctx.send_unless(
                "GetBucketLifecycleConfiguration",
                &["NoSuchLifecycleConfiguration"],
                client.get_bucket_lifecycle_configuration().bucket(name).send()
            ),
        )?;
        let arn = format!("arn:aws:s3:::{name}");
        let tags = tags_of(ctx.tags_if_needed().await?, Some(&arn));

        let attributes = bucket_attributes(&Settings {
            versioning: versioning.status(),
            encryption: encryption.as_ref().and_then(|e| e.server_side_encryption_configuration()),
            public_access_block: public.as_ref().and_then(|p| p.public_access_block_configuration()),
            ownership: ownership.as_ref().and_then(|o| o.ownership_controls()),
            object_lock: lock.as_ref().and_then(|l| l.object_lock_configuration()),
            lifecycle: lifecycle.as_ref().map(|l| l.rules()).unwrap_or_default(),
        });
        Ok(ctx.resource(BUCKET.name, name, Some(&arn), tags, attributes))
    })
    .await?;
    Ok(buckets)
}

/// What a bucket's settings calls returned; `None` where the setting is not configured.
pub(crate) struct Settings<'a> {
    pub(crate) versioning: Option<&'a BucketVersioningStatus>,
    pub(crate) encryption: Option<&'a ServerSideEncryptionConfiguration>,
    pub(crate) public_access_block: Option<&'a PublicAccessBlockConfiguration>,
    pub(crate) ownership: Option<&'a OwnershipControls>,
    pub(crate) object_lock: Option<&'a ObjectLockConfiguration>,
    pub(crate) lifecycle: &'a [LifecycleRule],
}

/// A bucket's attributes from its settings. No call: the conversion alone, tested without AWS.
pub(crate) fn bucket_attributes(s: &Settings<'_>) -> Bucket {
    let versioning = match s.versioning {
        Some(BucketVersioningStatus::Enabled) => "Enabled",
        Some(BucketVersioningStatus::Suspended) => "Suspended",
        _ => "Off",
    };
    let rule = s.encryption.and_then(|c| c.rules().first());
    let algorithm = rule
        .and_then(|r| r.apply_server_side_encryption_by_default())
        .map_or("none", |d| d.sse_algorithm().as_str());
    let settings = s.public_access_block.map(|p| {
        [
            p.block_public_acls(),
            p.ignore_public_acls(),
            p.block_public_policy(),
            p.restrict_public_buckets(),
        ]
        .map(|s| s.unwrap_or(false))
    });
    Bucket {
        versioning: versioning.to_owned(),
        encryption: algorithm.to_owned(),
        bucket_key: rule.and_then(|r| r.bucket_key_enabled()).unwrap_or(false),
        public_access_blocked: settings.is_some_and(|s| s.iter().all(|b| *b)),
        public_access_block: settings
            .map(|[acls, ignore, policy, restrict]| {
                map_of(json!({
                    "block_public_acls": acls,
                    "ignore_public_acls": ignore,
                    "block_public_policy": policy,
                    "restrict_public_buckets": restrict,
                }))
            })
            .into(),
        object_ownership: s
            .ownership
            .and_then(|c| c.rules().first())
            .map(|r| r.object_ownership().as_str().to_owned())
            .into(),
        object_lock: s
            .object_lock
            .and_then(|c| c.object_lock_enabled())
            .is_some_and(|e| e.as_str() == "Enabled"),
        lifecycle_rules: s
            .lifecycle
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id().map_or_else(|| format!("#{}", i + 1), str::to_owned), lifecycle_rule(r)))
            .collect(),
    }
}

/// A lifecycle rule's status and actions: `{"status": "Enabled", "expiration_days": 30, "transitions":
/// ["30 days: STANDARD_IA"]}`.
fn lifecycle_rule(r: &LifecycleRule) -> Value {
    let transitions: Vec<String> = r
        .transitions()
        .iter()
        .map(|t| {
            format!(
                "{} days: {}",
                t.days().unwrap_or_default(),
                t.storage_class().map_or("", |c| c.as_str())
            )
        })
        .collect();
    json!({
        "status": r.status().as_str(),
        "expiration_days": r.expiration().and_then(|e| e.days()),
        "transitions": transitions,
        "noncurrent_expiration_days": r.noncurrent_version_expiration().and_then(|e| e.noncurrent_days()),
        "abort_incomplete_upload_days": r.abort_incomplete_multipart_upload().and_then(|a| a.days_after_initiation()),
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::types::{
        ExpirationStatus, LifecycleExpiration, ObjectLockEnabled, ObjectOwnership, OwnershipControlsRule,
        ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionRule,
    };

    use super::*;

    #[test]
    fn bucket_attributes_from_its_settings() {
        let encryption = ServerSideEncryptionConfiguration::builder()
            .rules(
                ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(
                        ServerSideEncryptionByDefault::builder()
                            .sse_algorithm(ServerSideEncryption::AwsKms)
                            .build()
                            .unwrap(),
                    )
                    .bucket_key_enabled(true)
                    .build(),
            )
            .build()
            .unwrap();
        let public = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(true)
            .build();
        let ownership = OwnershipControls::builder()
            .rules(OwnershipControlsRule::builder().object_ownership(ObjectOwnership::BucketOwnerEnforced).build().unwrap())
            .build()
            .unwrap();
        let lock = ObjectLockConfiguration::builder().object_lock_enabled(ObjectLockEnabled::Enabled).build();
        let lifecycle = [LifecycleRule::builder()
            .status(ExpirationStatus::Enabled)
            .expiration(LifecycleExpiration::builder().days(30).build())
            .build()
            .unwrap()];
        let attributes = bucket_attributes(&Settings {
            versioning: Some(&BucketVersioningStatus::Enabled),
            encryption: Some(&encryption),
            public_access_block: Some(&public),
            ownership: Some(&ownership),
            object_lock: Some(&lock),
            lifecycle: &lifecycle,
        });
        let value = serde_json::to_value(attributes).unwrap();
        assert_eq!(
            (&value["versioning"], &value["encryption"], &value["bucket_key"]),
            (&json!("Enabled"), &json!("aws:kms"), &json!(true))
        );
        // Three of the four public access settings on is not blocked.
        assert_eq!(value["public_access_blocked"], false);
        assert_eq!(value["public_access_block"]["restrict_public_buckets"], false);
        assert_eq!((&value["object_ownership"], &value["object_lock"]), (&json!("BucketOwnerEnforced"), &json!(true)));
        assert_eq!(value["lifecycle_rules"]["#1"]["expiration_days"], 30, "{value}");
        // Nothing configured: versioning off, no encryption named, null where a setting has none.
        let bare = serde_json::to_value(bucket_attributes(&Settings {
            versioning: None,
            encryption: None,
            public_access_block: None,
            ownership: None,
            object_lock: None,
            lifecycle: &[],
        }))
        .unwrap();
        assert_eq!(
            bare,
            json!({"versioning": "Off", "encryption": "none", "bucket_key": false, "public_access_blocked": false,
                   "public_access_block": null, "object_ownership": null, "object_lock": false, "lifecycle_rules": {}})
        );
    }
}
