//! The AWS provider's resource types behind envparity's kinds. Each conversion rebuilds what the AWS API returns
//! for the resource from its state attributes and hands it to the live collector's own conversion, so that a
//! state and a live snapshot have one normal form by construction. Types that configure another resource
//! (`aws_s3_bucket_versioning`, `aws_secretsmanager_secret_version`) are folded into it, as AWS shows them.

use std::collections::HashMap;

use aws_sdk_dynamodb::types as dynamodb;
use aws_sdk_rds::types as rds;
use aws_sdk_s3::types as s3;
use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_ssm::types as ssm;
use serde::Serialize;
use serde_json::Value;

use super::format::{Instance, Step};
use crate::aws::{dynamodb as dynamodb_collector, rds as rds_collector, s3 as s3_collector};
use crate::secrets::Redactor;
use envparity_model::catalog::aws::{
    dynamodb::TABLE, rds as rds_kinds, s3::BUCKET, secretsmanager, sns, sqs, ssm as ssm_kinds,
};
use envparity_model::catalog::typed::{Map, Secret};

/// The types folded into another type's resource: they are no resource of their own.
pub(super) const FOLDED: &[&str] = &[
    "aws_rds_cluster_instance",
    "aws_sns_topic_subscription",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_secretsmanager_secret_version",
];

/// Attributes that hold a secret whether or not the state marks them sensitive.
pub(super) const SECRET_ATTRIBUTES: &[(&str, &str)] = &[
    ("aws_db_instance", "password"),
    ("aws_rds_cluster", "master_password"),
    ("aws_secretsmanager_secret_version", "secret_string"),
    ("aws_secretsmanager_secret_version", "secret_binary"),
    ("aws_iam_access_key", "secret"),
    ("aws_iam_access_key", "ses_smtp_password_v4"),
    ("aws_elasticache_replication_group", "auth_token"),
    ("aws_iam_user_login_profile", "password"),
    ("aws_mq_broker", "user"),
];

/// Whether a sensitive path holds a value the live collector shows as it is: Terraform marks every SSM
/// parameter's value sensitive, and a `String` parameter's value is no secret to AWS or to envparity.
pub(super) fn shown_as_live(i: &Instance, path: &[Step]) -> bool {
    i.r#type == "aws_ssm_parameter"
        && path == [Step::Key("value".into())]
        && text(&i.attributes, "type") != Some("SecureString")
}

/// What a type became: the kind, the resource's name, where it is reached, its attributes.
pub(super) struct Mapped {
    pub kind: &'static str,
    pub name: String,
    pub identifiers: Vec<String>,
    /// The kind's typed attributes, as JSON.
    pub attributes: Value,
}

/// Every instance by type and by the attribute that names what it configures (the bucket, the secret, the
/// topic, the cluster), to fold helper types into the resource they configure.
pub(super) struct States<'i> {
    /// Type -> target -> the instances.
    by_target: HashMap<&'i str, HashMap<&'i str, Vec<&'i Instance>>>,
}

impl<'i> States<'i> {
    pub(super) fn of(instances: &'i [Instance]) -> Self {
        const TARGETS: &[(&str, &str)] = &[
            ("aws_rds_cluster_instance", "cluster_identifier"),
            ("aws_sns_topic_subscription", "topic_arn"),
            ("aws_s3_bucket_versioning", "bucket"),
            ("aws_s3_bucket_server_side_encryption_configuration", "bucket"),
            ("aws_s3_bucket_public_access_block", "bucket"),
            ("aws_s3_bucket_ownership_controls", "bucket"),
            ("aws_s3_bucket_lifecycle_configuration", "bucket"),
            ("aws_secretsmanager_secret_version", "secret_id"),
        ];
        let mut by_target: HashMap<&str, HashMap<&str, Vec<&Instance>>> = HashMap::new();
        for i in instances {
            if let Some((_, attribute)) = TARGETS.iter().find(|(t, _)| *t == i.r#type)
                && let Some(target) = text(&i.attributes, attribute)
            {
                by_target
                    .entry(i.r#type.as_str())
                    .or_default()
                    .entry(target)
                    .or_default()
                    .push(i);
            }
        }
        States { by_target }
    }

    /// The instances of `r#type` that configure `target`.
    fn configuring(&self, r#type: &str, target: Option<&str>) -> &[&'i Instance] {
        target
            .and_then(|t| self.by_target.get(r#type)?.get(t))
            .map_or(&[], Vec::as_slice)
    }

    /// The first block of `block` in the one instance of `r#type` that configures `target`.
    fn block(&self, r#type: &str, target: Option<&str>, block: &str) -> Option<&'i Value> {
        self.configuring(r#type, target)
            .first()
            .and_then(|i| first(&i.attributes, block))
    }
}

/// The kind an instance becomes, if its type maps onto one. `i` holds its secrets redacted, `plain` as the state
/// holds them (for the conversions that redact as the live collector does).
pub(super) fn map(
    i: &Instance,
    plain: &Instance,
    states: &States,
    key_of: &dyn Fn(&str) -> String,
    redactor: &Redactor,
) -> Option<Mapped> {
    let a = &i.attributes;
    let name = |attribute: &str| text(a, attribute).unwrap_or_default().to_owned();
    let (kind, name, attributes, identifiers): (&str, String, Value, Vec<Option<&str>>) =
        match i.r#type.as_str() {
            "aws_db_instance" => (
                rds_kinds::INSTANCE.name,
                name("identifier"),
                to_value(rds_collector::instance_attributes(&db_instance(a), key_of)),
                vec![text(a, "address")],
            ),
            "aws_rds_cluster" => {
                let members = states.configuring("aws_rds_cluster_instance", text(a, "cluster_identifier"));
                let classes = members
                    .iter()
                    .filter_map(|m| text(&m.attributes, "instance_class").map(str::to_owned));
                (
                    rds_kinds::CLUSTER.name,
                    name("cluster_identifier"),
                    to_value(rds_collector::cluster_attributes(
                        &db_cluster(a, members.len()),
                        classes.collect(),
                        key_of,
                    )),
                    vec![text(a, "endpoint"), text(a, "reader_endpoint")],
                )
            }
            "aws_db_parameter_group" => (
                rds_kinds::PARAMETER_GROUP.name,
                name("name"),
                to_value(rds_kinds_parameter_group(a)),
                vec![],
            ),
            "aws_rds_cluster_parameter_group" => (
                rds_kinds::CLUSTER_PARAMETER_GROUP.name,
                name("name"),
                to_value(envparity_model::catalog::aws::rds::ClusterParameterGroup {
                    parameters: parameters(a),
                }),
                vec![],
            ),
            "aws_sqs_queue" => (
                sqs::QUEUE.name,
                name("name"),
                to_value(crate::aws::sqs::queue_attributes(&queue(a), key_of)),
                vec![text(a, "url")],
            ),
            "aws_sns_topic" => {
                let subscriptions = states
                    .configuring("aws_sns_topic_subscription", text(a, "arn"))
                    .iter()
                    .map(|s| {
                        let endpoint = text(&s.attributes, "endpoint").unwrap_or_default();
                        let target = crate::aws::sns::target_key(endpoint, key_of);
                        format!("{}:{target}", text(&s.attributes, "protocol").unwrap_or_default())
                    })
                    .collect();
                (
                    sns::TOPIC.name,
                    name("name"),
                    to_value(crate::aws::sns::topic_attributes(&topic(a), subscriptions)),
                    vec![],
                )
            }
            "aws_ssm_parameter" => {
                let p = &plain.attributes;
                let value = text(p, "value").or_else(|| text(p, "insecure_value"));
                let metadata = ssm::ParameterMetadata::builder()
                    .name(name("name"))
                    .set_type(text(a, "type").map(ssm::ParameterType::from))
                    .set_tier(text(a, "tier").map(ssm::ParameterTier::from))
                    .set_data_type(text(a, "data_type").map(str::to_owned))
                    .build();
                (
                    ssm_kinds::PARAMETER.name,
                    name("name"),
                    to_value(crate::aws::ssm::parameter_attributes(
                        &metadata, value, true, redactor,
                    )),
                    vec![],
                )
            }
            "aws_dynamodb_table" => {
                let pitr = first(a, "point_in_time_recovery")
                    .and_then(|b| flag(b, "enabled"))
                    .unwrap_or(false);
                let ttl = first(a, "ttl")
                    .filter(|t| flag(t, "enabled") == Some(true))
                    .and_then(|t| text(t, "attribute_name"));
                (
                    TABLE.name,
                    name("name"),
                    to_value(dynamodb_collector::table_attributes(&table(a), pitr, ttl)),
                    vec![],
                )
            }
            "aws_s3_bucket" => (BUCKET.name, name("bucket"), to_value(bucket(a, states)), vec![]),
            "aws_secretsmanager_secret" => {
                let version = states
                    .configuring("aws_secretsmanager_secret_version", text(a, "arn"))
                    .first()
                    .map(|v| v.attributes["secret_string"].clone())
                    .filter(|v| !v.is_null());
                let entry = aws_sdk_secretsmanager::types::SecretListEntry::builder()
                    .set_rotation_enabled(a.get("rotation_enabled").and_then(Value::as_bool))
                    .set_rotation_rules(first(a, "rotation_rules").map(|r| {
                        aws_sdk_secretsmanager::types::RotationRulesType::builder()
                            .set_automatically_after_days(
                                number(r, "automatically_after_days").filter(|d| *d > 0),
                            )
                            .set_schedule_expression(text(r, "schedule_expression").map(str::to_owned))
                            .build()
                    }))
                    .build();
                let attributes = envparity_model::catalog::aws::secretsmanager::ManagedSecret {
                    rotation: crate::aws::secretsmanager::rotation(&entry).into(),
                    kms_key: crate::aws::secretsmanager::kms_key(text(a, "kms_key_id"), key_of),
                    value: version.map(Secret),
                };
                (
                    secretsmanager::SECRET.name,
                    name("name"),
                    to_value(attributes),
                    vec![],
                )
            }
            _ => return None,
        };
    Some(Mapped {
        kind,
        name,
        identifiers: identifiers.into_iter().flatten().map(str::to_owned).collect(),
        attributes,
    })
}

fn to_value(attributes: impl Serialize) -> Value {
    serde_json::to_value(attributes).expect("typed attributes serialize")
}

fn text<'v>(value: &'v Value, name: &str) -> Option<&'v str> {
    value.get(name).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn flag(value: &Value, name: &str) -> Option<bool> {
    value.get(name).and_then(Value::as_bool)
}

fn number(value: &Value, name: &str) -> Option<i64> {
    value.get(name).and_then(Value::as_i64)
}

fn int(value: &Value, name: &str) -> Option<i32> {
    number(value, name).and_then(|n| i32::try_from(n).ok())
}

/// The first block of a nested block list (`versioning_configuration { ... }` is a list of one).
fn first<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    value.get(name).and_then(Value::as_array).and_then(|a| a.first())
}

fn blocks<'v>(value: &'v Value, name: &str) -> &'v [Value] {
    value
        .get(name)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The version AWS reports: `engine_version_actual` when the configuration names only a major version.
fn engine_version(a: &Value) -> Option<String> {
    text(a, "engine_version_actual")
        .or_else(|| text(a, "engine_version"))
        .map(str::to_owned)
}

fn db_instance(a: &Value) -> rds::DbInstance {
    rds::DbInstance::builder()
        .set_engine(text(a, "engine").map(str::to_owned))
        .set_engine_version(engine_version(a))
        .set_db_instance_class(text(a, "instance_class").map(str::to_owned))
        .set_multi_az(flag(a, "multi_az"))
        .set_storage_type(text(a, "storage_type").map(str::to_owned))
        .set_allocated_storage(int(a, "allocated_storage"))
        // The provider writes 0 for no provisioned IOPS, where AWS gives none.
        .set_iops(int(a, "iops").filter(|n| *n > 0))
        .set_storage_encrypted(flag(a, "storage_encrypted"))
        .set_deletion_protection(flag(a, "deletion_protection"))
        .set_backup_retention_period(int(a, "backup_retention_period"))
        .set_publicly_accessible(flag(a, "publicly_accessible"))
        .set_auto_minor_version_upgrade(flag(a, "auto_minor_version_upgrade"))
        .set_db_parameter_groups(text(a, "parameter_group_name").map(|g| {
            vec![
                rds::DbParameterGroupStatus::builder()
                    .db_parameter_group_name(g)
                    .build(),
            ]
        }))
        .build()
}

fn db_cluster(a: &Value, members: usize) -> rds::DbCluster {
    let scaling = first(a, "serverlessv2_scaling_configuration").map(|s| {
        rds::ServerlessV2ScalingConfigurationInfo::builder()
            .set_min_capacity(s.get("min_capacity").and_then(Value::as_f64))
            .set_max_capacity(s.get("max_capacity").and_then(Value::as_f64))
            .build()
    });
    rds::DbCluster::builder()
        .set_engine(text(a, "engine").map(str::to_owned))
        .set_engine_version(engine_version(a))
        .set_engine_mode(text(a, "engine_mode").map(str::to_owned))
        .set_db_cluster_members(Some(vec![rds::DbClusterMember::builder().build(); members]))
        .set_serverless_v2_scaling_configuration(scaling)
        .set_deletion_protection(flag(a, "deletion_protection"))
        .set_storage_encrypted(flag(a, "storage_encrypted"))
        .set_backup_retention_period(int(a, "backup_retention_period"))
        .set_db_cluster_parameter_group(text(a, "db_cluster_parameter_group_name").map(str::to_owned))
        .build()
}

/// A parameter group's `parameter` blocks, name -> value, as AWS lists the user-modified ones.
fn parameters(a: &Value) -> Map {
    blocks(a, "parameter")
        .iter()
        .filter_map(|p| {
            Some((
                text(p, "name")?.to_owned(),
                Value::from(text(p, "value").unwrap_or_default()),
            ))
        })
        .collect()
}

fn rds_kinds_parameter_group(a: &Value) -> envparity_model::catalog::aws::rds::ParameterGroup {
    envparity_model::catalog::aws::rds::ParameterGroup {
        family: text(a, "family").map(str::to_owned),
        parameters: parameters(a),
    }
}

/// A queue's attributes as GetQueueAttributes names them.
fn queue(a: &Value) -> HashMap<QueueAttributeName, String> {
    let mut out = HashMap::new();
    for (attribute, name) in [
        (
            "visibility_timeout_seconds",
            QueueAttributeName::VisibilityTimeout,
        ),
        (
            "message_retention_seconds",
            QueueAttributeName::MessageRetentionPeriod,
        ),
        ("max_message_size", QueueAttributeName::MaximumMessageSize),
        ("delay_seconds", QueueAttributeName::DelaySeconds),
        (
            "receive_wait_time_seconds",
            QueueAttributeName::ReceiveMessageWaitTimeSeconds,
        ),
        ("fifo_queue", QueueAttributeName::FifoQueue),
        (
            "content_based_deduplication",
            QueueAttributeName::ContentBasedDeduplication,
        ),
        ("kms_master_key_id", QueueAttributeName::KmsMasterKeyId),
        (
            "sqs_managed_sse_enabled",
            QueueAttributeName::SqsManagedSseEnabled,
        ),
        ("redrive_policy", QueueAttributeName::RedrivePolicy),
    ] {
        match a.get(attribute) {
            Some(Value::String(s)) if !s.is_empty() => out.insert(name, s.clone()),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => out.insert(name, v.to_string()),
            _ => None,
        };
    }
    out
}

/// A topic's attributes as GetTopicAttributes names them.
fn topic(a: &Value) -> HashMap<String, String> {
    [
        ("fifo_topic", "FifoTopic"),
        ("content_based_deduplication", "ContentBasedDeduplication"),
        ("kms_master_key_id", "KmsMasterKeyId"),
        ("delivery_policy", "DeliveryPolicy"),
    ]
    .into_iter()
    .filter_map(|(attribute, name)| match a.get(attribute)? {
        Value::String(s) if !s.is_empty() => Some((name.to_owned(), s.clone())),
        Value::Bool(b) => Some((name.to_owned(), b.to_string())),
        _ => None,
    })
    .collect()
}

fn table(a: &Value) -> dynamodb::TableDescription {
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

/// A bucket with the helper resources that configure it, as S3's settings calls return them. The provider's
/// own reading of the bucket (`versioning`, `server_side_encryption_configuration` on `aws_s3_bucket`) stands in
/// where no helper resource configures the setting.
fn bucket(a: &Value, states: &States) -> envparity_model::catalog::aws::s3::Bucket {
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
