//! DynamoDB tables (`aws.dynamodb.table`).
//!
//! DynamoDB has no batch call for table settings: per table, DescribeTable, DescribeContinuousBackups and
//! DescribeTimeToLive, side by side, at most `calls_per_service` tables at once. Tags, when a filter needs them,
//! come from the region's tagging API, a hundred at a time.

use aws_sdk_dynamodb::types::{
    BillingMode, KeySchemaElement, PointInTimeRecoveryStatus, TableDescription, TimeToLiveStatus,
};

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
        let attributes = table_attributes(t, pitr == Some(&PointInTimeRecoveryStatus::Enabled), ttl);
        out.push(ctx.resource(TABLE.name, name, t.table_arn(), tags_of(tags, t.table_arn()), attributes));
    }
    Ok(out)
}

/// A table's attributes from what DescribeTable returned, with whether point-in-time recovery is on and the TTL
/// attribute when TTL is enabled. No call: the conversion alone, tested without AWS.
pub(crate) fn table_attributes(t: &TableDescription, point_in_time_recovery: bool, ttl: Option<&str>) -> Table {
    let stream = t
        .stream_specification()
        .filter(|s| s.stream_enabled())
        .and_then(|s| s.stream_view_type())
        .map(|v| v.as_str().to_owned());
    let indexes = t.global_secondary_indexes().iter().map(|i| {
        format!(
            "{}: {} ({})",
            i.index_name().unwrap_or_default(),
            key_schema(i.key_schema()).join(", "),
            i.projection().and_then(|p| p.projection_type()).map_or("", |p| p.as_str())
        )
    });
    let throughput = t.provisioned_throughput();
    Table {
        billing_mode: t
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .map_or(BillingMode::Provisioned.as_str(), |b| b.as_str())
            .to_owned(),
        table_class: t
            .table_class_summary()
            .and_then(|c| c.table_class())
            .map_or("STANDARD", |c| c.as_str())
            .to_owned(),
        read_capacity_units: throughput.and_then(|p| p.read_capacity_units()),
        write_capacity_units: throughput.and_then(|p| p.write_capacity_units()),
        point_in_time_recovery,
        ttl_attribute: ttl.map(str::to_owned).into(),
        deletion_protection: t.deletion_protection_enabled().unwrap_or(false),
        stream: stream.into(),
        encryption: t
            .sse_description()
            .and_then(|s| s.sse_type())
            .map_or("aws-owned", |kind| kind.as_str())
            .to_owned(),
        key_schema: key_schema(t.key_schema()),
        global_secondary_indexes: string_set(indexes),
    }
}

/// `["pk HASH", "sk RANGE"]`, in the order DynamoDB gives (hash first).
fn key_schema(elements: &[KeySchemaElement]) -> Vec<String> {
    elements
        .iter()
        .map(|k| format!("{} {}", k.attribute_name(), k.key_type().as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::{
        GlobalSecondaryIndexDescription, KeyType, Projection, ProjectionType, SseDescription, SseType,
        StreamSpecification, StreamViewType,
    };
    use serde_json::json;

    use super::*;

    #[test]
    fn table_attributes_from_what_dynamodb_returns() {
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder().attribute_name(name).key_type(kind).build().unwrap()
        };
        let table = TableDescription::builder()
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("sk", KeyType::Range))
            .global_secondary_indexes(
                GlobalSecondaryIndexDescription::builder()
                    .index_name("by-customer")
                    .key_schema(key("customer_id", KeyType::Hash))
                    .projection(Projection::builder().projection_type(ProjectionType::All).build())
                    .build(),
            )
            .stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::NewImage)
                    .build()
                    .unwrap(),
            )
            .sse_description(SseDescription::builder().sse_type(SseType::Kms).build())
            .build();
        assert_eq!(
            serde_json::to_value(table_attributes(&table, true, Some("expires_at"))).unwrap(),
            json!({
                "billing_mode": "PROVISIONED", "table_class": "STANDARD", "point_in_time_recovery": true,
                "ttl_attribute": "expires_at", "deletion_protection": false, "stream": "NEW_IMAGE",
                "encryption": "KMS", "key_schema": ["pk HASH", "sk RANGE"],
                "global_secondary_indexes": ["by-customer: customer_id HASH (ALL)"],
            })
        );
        // Without SSE details the table uses the AWS owned key; TTL off and no stream are null.
        let bare = serde_json::to_value(table_attributes(&TableDescription::builder().build(), false, None)).unwrap();
        assert_eq!(
            (&bare["encryption"], &bare["ttl_attribute"], &bare["stream"]),
            (&json!("aws-owned"), &json!(null), &json!(null))
        );
    }
}
