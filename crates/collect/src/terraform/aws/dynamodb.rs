//! Amazon DynamoDB: a table, as `DescribeTable` returns it.

use aws_sdk_dynamodb::types as dynamodb;
use serde_json::Value;

use super::{blocks, first, flag, number, text};

pub(super) fn table(a: &Value) -> dynamodb::TableDescription {
    let key = |name: &str, kind: dynamodb::KeyType| {
        dynamodb::KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .ok()
    };
    let schema = |v: &Value| -> Vec<dynamodb::KeySchemaElement> {
        [
            text(v, "hash_key").and_then(|k| key(k, dynamodb::KeyType::Hash)),
            text(v, "range_key").and_then(|k| key(k, dynamodb::KeyType::Range)),
        ]
        .into_iter()
        .flatten()
        .collect()
    };
    let indexes = blocks(a, "global_secondary_index").iter().map(|g| {
        dynamodb::GlobalSecondaryIndexDescription::builder()
            .set_index_name(text(g, "name").map(str::to_owned))
            .set_key_schema(Some(schema(g)))
            .projection(
                dynamodb::Projection::builder()
                    .set_projection_type(text(g, "projection_type").map(dynamodb::ProjectionType::from))
                    .build(),
            )
            .build()
    });
    let sse = first(a, "server_side_encryption")
        .filter(|s| flag(s, "enabled") == Some(true))
        .map(|_| {
            dynamodb::SseDescription::builder()
                .sse_type(dynamodb::SseType::Kms)
                .build()
        });
    let stream = (flag(a, "stream_enabled") == Some(true)).then(|| {
        dynamodb::StreamSpecification::builder()
            .stream_enabled(true)
            .set_stream_view_type(text(a, "stream_view_type").map(dynamodb::StreamViewType::from))
            .build()
            .ok()
    });
    let billing = text(a, "billing_mode").unwrap_or("PROVISIONED");
    dynamodb::TableDescription::builder()
        .set_key_schema(Some(schema(a)))
        .set_global_secondary_indexes(Some(indexes.collect()))
        .billing_mode_summary(
            dynamodb::BillingModeSummary::builder()
                .billing_mode(dynamodb::BillingMode::from(billing))
                .build(),
        )
        .set_table_class_summary(text(a, "table_class").map(|c| {
            dynamodb::TableClassSummary::builder()
                .table_class(dynamodb::TableClass::from(c))
                .build()
        }))
        .provisioned_throughput(
            dynamodb::ProvisionedThroughputDescription::builder()
                .set_read_capacity_units(number(a, "read_capacity"))
                .set_write_capacity_units(number(a, "write_capacity"))
                .build(),
        )
        .set_deletion_protection_enabled(flag(a, "deletion_protection_enabled"))
        .set_stream_specification(stream.flatten())
        .set_sse_description(sse)
        .build()
}
