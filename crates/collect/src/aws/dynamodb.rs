//! DynamoDB tables (`aws.dynamodb.table`).
//!
//! DynamoDB has no batch call for table settings: per table, DescribeTable, DescribeContinuousBackups and
//! DescribeTimeToLive, side by side, at most `calls_per_service` tables at once. Tags, when a filter needs them,
//! come from the region's tagging API, a hundred at a time.

use aws_sdk_dynamodb::types::{BillingMode, KeySchemaElement, PointInTimeRecoveryStatus, TimeToLiveStatus};

use super::{RegionContext, each, string_set, tags_of};
use crate::CollectError;
use envparity_model::catalog::aws::dynamodb::{TABLE, Table};
use envparity_model::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = &client!(aws_sdk_dynamodb, ctx);
    let pages = ctx
        .pages("ListTables", client.list_tables().limit(100).into_paginator().send())
        .await?;
    let names: Vec<&str> = pages.iter().flat_map(|p| p.table_names()).map(String::as_str).collect();
    let tables = each(ctx, &names, |name| async move {
        let (table, backups, ttl) = tokio::try_join!(
            ctx.send("DescribeTable", client.describe_table().table_name(*name).send()),
            ctx.send(
                "DescribeContinuousBackups",
                client.describe_continuous_backups().table_name(*name).send()
            ),
            ctx.send("DescribeTimeToLive", client.describe_time_to_live().table_name(*name).send()),
        )?;
        Ok((table, backups, ttl))
    })
    .await?;

    let tags = ctx.tags_if_needed().await?;
    let mut out = Vec::new();
    for (name, (table, backups, ttl)) in names.iter().zip(tables) {
        let Some(t) = table.table() else { continue };
        let pitr = backups
            .continuous_backups_description()
            .and_then(|b| b.point_in_time_recovery_description())
            .and_then(|p| p.point_in_time_recovery_status());
        let ttl = ttl
            .time_to_live_description()
            .filter(|d| d.time_to_live_status() == Some(&TimeToLiveStatus::Enabled))
            .and_then(|d| d.attribute_name());
        let stream = t
            .stream_specification()
            .filter(|s| s.stream_enabled())
            .and_then(|s| s.stream_view_type())
            .map(|v| v.as_str().to_owned());
        let encryption = match t.sse_description().and_then(|s| s.sse_type()) {
            Some(kind) => kind.as_str().to_owned(),
            None => "aws-owned".to_owned(),
        };
        let indexes = t.global_secondary_indexes().iter().map(|i| {
            format!(
                "{}: {} ({})",
                i.index_name().unwrap_or_default(),
                key_schema(i.key_schema()).join(", "),
                i.projection().and_then(|p| p.projection_type()).map_or("", |p| p.as_str())
            )
        });
        let billing = t
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .cloned()
            .unwrap_or(BillingMode::Provisioned);
        let throughput = t.provisioned_throughput();
        let attributes = Table {
            billing_mode: billing.as_str().to_owned(),
            table_class: t
                .table_class_summary()
                .and_then(|c| c.table_class())
                .map_or("STANDARD", |c| c.as_str())
                .to_owned(),
            read_capacity_units: throughput.and_then(|p| p.read_capacity_units()),
            write_capacity_units: throughput.and_then(|p| p.write_capacity_units()),
            point_in_time_recovery: pitr == Some(&PointInTimeRecoveryStatus::Enabled),
            ttl_attribute: ttl.map(str::to_owned).into(),
            deletion_protection: t.deletion_protection_enabled().unwrap_or(false),
            stream: stream.into(),
            encryption,
            key_schema: key_schema(t.key_schema()),
            global_secondary_indexes: string_set(indexes),
        };
        out.push(ctx.resource(TABLE.name, name, t.table_arn(), tags_of(tags, t.table_arn()), attributes));
    }
    Ok(out)
}

/// `["pk HASH", "sk RANGE"]`, in the order DynamoDB gives (hash first).
fn key_schema(elements: &[KeySchemaElement]) -> Vec<String> {
    elements
        .iter()
        .map(|k| format!("{} {}", k.attribute_name(), k.key_type().as_str()))
        .collect()
}
