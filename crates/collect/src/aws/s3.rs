//! S3 buckets (`aws.s3.bucket`).
//!
//! Buckets are global to an account: each is read in the region it lives in (ListBuckets filtered by region), so
//! an environment with several regions reads each bucket once. S3 has no batch call for bucket settings: per
//! bucket, one call per setting, side by side (tags, when a filter needs them, come from the region's tagging
//! API); "not configured" answers (NoSuchLifecycleConfiguration) are settings, not failures.

use aws_sdk_s3::types::{BucketVersioningStatus, LifecycleRule};
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

        let versioning = match versioning.status() {
            Some(BucketVersioningStatus::Enabled) => "Enabled",
            Some(BucketVersioningStatus::Suspended) => "Suspended",
            _ => "Off",
        };
        let rule = encryption
            .as_ref()
            .and_then(|e| e.server_side_encryption_configuration())
            .and_then(|c| c.rules().first());
        let algorithm = rule
            .and_then(|r| r.apply_server_side_encryption_by_default())
            .map_or("none", |d| d.sse_algorithm().as_str());
        let public = public.as_ref().and_then(|p| p.public_access_block_configuration());
        let settings = public.map(|p| {
            [
                p.block_public_acls(),
                p.ignore_public_acls(),
                p.block_public_policy(),
                p.restrict_public_buckets(),
            ]
            .map(|s| s.unwrap_or(false))
        });
        let lifecycle_rules = lifecycle
            .as_ref()
            .map(|l| l.rules())
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id().map_or_else(|| format!("#{}", i + 1), str::to_owned), lifecycle_rule(r)))
            .collect();
        let attributes = Bucket {
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
            object_ownership: ownership
                .as_ref()
                .and_then(|o| o.ownership_controls())
                .and_then(|c| c.rules().first())
                .map(|r| r.object_ownership().as_str().to_owned())
                .into(),
            object_lock: lock
                .as_ref()
                .and_then(|l| l.object_lock_configuration())
                .and_then(|c| c.object_lock_enabled())
                .is_some_and(|e| e.as_str() == "Enabled"),
            lifecycle_rules,
        };
        Ok(ctx.resource(BUCKET.name, name, Some(&arn), tags, attributes))
    })
    .await?;
    Ok(buckets)
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
