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
    autoscaling as autoscaling_kinds, ec2 as ec2_kinds, ecs as ecs_kinds, eks as eks_kinds,
    elasticache as elasticache_kinds, elbv2 as elbv2_kinds, lambda as lambda_kinds,
};
use envparity_model::catalog::aws::{
    dynamodb::TABLE, rds as rds_kinds, s3::BUCKET, secretsmanager, sns, sqs, ssm as ssm_kinds,
};
use envparity_model::catalog::terraform;
use envparity_model::catalog::typed::{Map, Secret};

/// The types folded into the resource they configure, and the attribute that names it: they are no resource of
/// their own.
const FOLDED: &[(&str, &str)] = &[
    ("aws_rds_cluster_instance", "cluster_identifier"),
    ("aws_lb_listener", "load_balancer_arn"),
    ("aws_alb_listener", "load_balancer_arn"),
    ("aws_lambda_event_source_mapping", "function_arn"),
    ("aws_eks_fargate_profile", "cluster_name"),
    ("aws_sns_topic_subscription", "topic_arn"),
    ("aws_s3_bucket_versioning", "bucket"),
    ("aws_s3_bucket_server_side_encryption_configuration", "bucket"),
    ("aws_s3_bucket_public_access_block", "bucket"),
    ("aws_s3_bucket_ownership_controls", "bucket"),
    ("aws_s3_bucket_lifecycle_configuration", "bucket"),
    ("aws_secretsmanager_secret_version", "secret_id"),
];

/// Types a conversion looks up by an identifier of their own: security groups (names for ids), launch templates
/// (an Auto Scaling group's instance type, by id or by name).
const LOOKED_UP: &[(&str, &str)] = &[
    ("aws_security_group", "id"),
    ("aws_launch_template", "id"),
    ("aws_launch_template", "name"),
];

/// Whether a type is folded into another's resource.
pub(super) fn folded(r#type: &str) -> bool {
    FOLDED.iter().any(|(t, _)| *t == r#type)
}

/// Whether [`States`] indexes a type: folded into others, or looked up by them.
pub(super) fn indexed(r#type: &str) -> bool {
    FOLDED.iter().chain(LOOKED_UP).any(|(t, _)| *t == r#type)
}

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
    pub(super) fn of(instances: impl IntoIterator<Item = &'i Instance>) -> Self {
        let mut by_target: HashMap<&str, HashMap<&str, Vec<&Instance>>> = HashMap::new();
        for i in instances {
            // Every attribute a type is found by: a launch template by its id and by its name.
            let attributes = FOLDED.iter().chain(LOOKED_UP).filter(|(t, _)| *t == i.r#type);
            for target in attributes.filter_map(|(_, attribute)| text(&i.attributes, attribute)) {
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

    /// A security group's logical key by its id, as the live collectors name groups; the id itself for a group
    /// the state does not hold.
    fn security_group(&self, id: &str, key_of: &dyn Fn(&str) -> String) -> String {
        match self
            .configuring("aws_security_group", Some(id))
            .first()
            .and_then(|g| text(&g.attributes, "name"))
        {
            Some(name) => key_of(name),
            None => id.to_owned(),
        }
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
                to_value(parameter_group(a)),
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
            "aws_instance" => (
                ec2_kinds::INSTANCE.name,
                text(&a["tags"], "Name")
                    .or_else(|| text(a, "id"))
                    .unwrap_or_default()
                    .to_owned(),
                to_value(ec2_instance(a, states, key_of)),
                vec![text(a, "public_dns"), text(a, "public_ip")],
            ),
            "aws_launch_template" => (
                ec2_kinds::LAUNCH_TEMPLATE.name,
                name("name"),
                to_value(crate::aws::ec2::template_attributes(&launch_template(a))),
                vec![],
            ),
            "aws_autoscaling_group" => (
                autoscaling_kinds::GROUP.name,
                name("name"),
                to_value(auto_scaling_group(a, states, key_of)),
                vec![],
            ),
            "aws_lb" | "aws_alb" => (
                elbv2_kinds::LOAD_BALANCER.name,
                name("name"),
                to_value(load_balancer(a, states, key_of)),
                vec![text(a, "dns_name")],
            ),
            "aws_lb_target_group" | "aws_alb_target_group" => (
                elbv2_kinds::TARGET_GROUP.name,
                name("name"),
                to_value(target_group(a)),
                vec![],
            ),
            "aws_elasticache_replication_group" => {
                let parameter_group = text(a, "parameter_group_name").map(key_of);
                (
                    elasticache_kinds::REPLICATION_GROUP.name,
                    name("replication_group_id"),
                    to_value(crate::aws::elasticache::group_attributes(
                        &replication_group(a),
                        engine_version(a).as_deref(),
                        parameter_group,
                    )),
                    vec![
                        text(a, "primary_endpoint_address"),
                        text(a, "reader_endpoint_address"),
                        text(a, "configuration_endpoint_address"),
                    ],
                )
            }
            "aws_lambda_function" => {
                let sources = states
                    .configuring("aws_lambda_event_source_mapping", text(a, "arn"))
                    .iter()
                    .map(|m| {
                        let m = &m.attributes;
                        crate::aws::lambda::event_source(
                            text(m, "event_source_arn"),
                            int(m, "batch_size"),
                            int(m, "maximum_batching_window_in_seconds"),
                            flag(m, "enabled"),
                            key_of,
                        )
                    })
                    .collect();
                // Environment values as the state holds them: they pass the redactor as live ones do.
                let reserved = int(a, "reserved_concurrent_executions").filter(|n| *n >= 0);
                (
                    lambda_kinds::FUNCTION.name,
                    name("function_name"),
                    to_value(crate::aws::lambda::function_attributes(
                        &function(&plain.attributes),
                        reserved,
                        sources,
                        redactor,
                        key_of,
                    )),
                    vec![],
                )
            }
            "aws_ecs_service" => {
                let cluster = crate::aws::name_in_arn(text(a, "cluster").unwrap_or_default());
                (
                    ecs_kinds::SERVICE.name,
                    format!("{cluster}/{}", name("name")),
                    to_value(crate::aws::ecs::service_attributes(&ecs_service(a), key_of)),
                    vec![],
                )
            }
            "aws_ecs_task_definition" => (
                ecs_kinds::TASK_DEFINITION.name,
                name("family"),
                to_value(crate::aws::ecs::task_definition_attributes(
                    &task_definition(&plain.attributes),
                    redactor,
                    key_of,
                )),
                vec![],
            ),
            "aws_eks_cluster" => {
                let fargate = states
                    .configuring("aws_eks_fargate_profile", text(a, "name"))
                    .iter()
                    .filter_map(|f| text(&f.attributes, "fargate_profile_name").map(key_of))
                    .collect();
                (
                    eks_kinds::CLUSTER.name,
                    name("name"),
                    to_value(crate::aws::eks::cluster_attributes(&eks_cluster(a), fargate)),
                    vec![text(a, "endpoint").map(|e| e.trim_start_matches("https://"))],
                )
            }
            "aws_eks_node_group" => (
                eks_kinds::NODEGROUP.name,
                format!("{}/{}", name("cluster_name"), name("node_group_name")),
                to_value(crate::aws::eks::nodegroup_attributes(&nodegroup(a))),
                vec![],
            ),
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
    let mut attributes = attributes;
    // What a state cannot know is left out, never written as null (which would compare equal to null).
    if let Value::Object(map) = &mut attributes {
        map.retain(|path, _| !terraform::unknown_to_state(kind, path));
    }
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

/// A value the provider writes as a string or as a boolean (`"true"`, in older nested blocks).
fn boolish(value: &Value, name: &str) -> Option<bool> {
    match value.get(name)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn strings<'v>(value: &'v Value, name: &str) -> Vec<&'v str> {
    blocks(value, name).iter().filter_map(Value::as_str).collect()
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

/// A DB parameter group: its family and parameters.
fn parameter_group(a: &Value) -> envparity_model::catalog::aws::rds::ParameterGroup {
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

fn ec2_instance(
    a: &Value,
    states: &States,
    key_of: &dyn Fn(&str) -> String,
) -> envparity_model::catalog::aws::ec2::Instance {
    use aws_sdk_ec2::types as ec2;
    let monitoring = flag(a, "monitoring").map(|on| {
        ec2::Monitoring::builder()
            .state(match on {
                true => ec2::MonitoringState::Enabled,
                false => ec2::MonitoringState::Disabled,
            })
            .build()
    });
    let metadata = first(a, "metadata_options")
        .and_then(|m| text(m, "http_tokens"))
        .map(|t| {
            ec2::InstanceMetadataOptionsResponse::builder()
                .http_tokens(ec2::HttpTokensState::from(t))
                .build()
        });
    // Groups by name, as DescribeInstances names them: a VPC's groups by id through the state's groups.
    let groups = strings(a, "vpc_security_group_ids")
        .into_iter()
        .map(|id| states.security_group(id, &|name| name.to_owned()))
        .chain(strings(a, "security_groups").into_iter().map(str::to_owned))
        .map(|name| ec2::GroupIdentifier::builder().group_name(name).build());
    let instance = ec2::Instance::builder()
        .set_instance_type(text(a, "instance_type").map(ec2::InstanceType::from))
        .set_ebs_optimized(flag(a, "ebs_optimized"))
        .set_monitoring(monitoring)
        .set_metadata_options(metadata)
        .set_security_groups(Some(groups.collect()))
        .build();
    let mut attributes = crate::aws::ec2::instance_attributes(&instance, key_of);
    attributes.root_volume =
        first(a, "root_block_device").map(|r| envparity_model::catalog::aws::ec2::RootVolume {
            r#type: text(r, "volume_type").map(str::to_owned).into(),
            size_gb: int(r, "volume_size").into(),
            encrypted: flag(r, "encrypted").into(),
        });
    attributes
}

fn launch_template(a: &Value) -> aws_sdk_ec2::types::ResponseLaunchTemplateData {
    use aws_sdk_ec2::types as ec2;
    let devices = blocks(a, "block_device_mappings").iter().map(|m| {
        let ebs = first(m, "ebs").map(|e| {
            ec2::LaunchTemplateEbsBlockDevice::builder()
                .set_volume_type(text(e, "volume_type").map(ec2::VolumeType::from))
                .set_volume_size(int(e, "volume_size"))
                .set_encrypted(boolish(e, "encrypted"))
                .build()
        });
        ec2::LaunchTemplateBlockDeviceMapping::builder()
            .set_device_name(text(m, "device_name").map(str::to_owned))
            .set_ebs(ebs)
            .build()
    });
    let metadata = first(a, "metadata_options")
        .and_then(|m| text(m, "http_tokens"))
        .map(|t| {
            ec2::LaunchTemplateInstanceMetadataOptions::builder()
                .http_tokens(ec2::LaunchTemplateHttpTokensState::from(t))
                .build()
        });
    ec2::ResponseLaunchTemplateData::builder()
        .set_instance_type(text(a, "instance_type").map(ec2::InstanceType::from))
        .set_metadata_options(metadata)
        .set_block_device_mappings(Some(devices.collect()))
        .build()
}

fn auto_scaling_group(
    a: &Value,
    states: &States,
    key_of: &dyn Fn(&str) -> String,
) -> envparity_model::catalog::aws::autoscaling::Group {
    use aws_sdk_autoscaling::types as asg;
    let mixed = first(a, "mixed_instances_policy").and_then(|m| first(m, "launch_template"));
    let spec =
        first(a, "launch_template").or_else(|| mixed.and_then(|m| first(m, "launch_template_specification")));
    // The template as the state holds it, by id or name: its name and instance type.
    let template = spec.and_then(|s| {
        let by = |attribute: &str| {
            states
                .configuring("aws_launch_template", text(s, attribute))
                .first()
                .copied()
        };
        by("id")
            .or_else(|| by("name"))
            .or_else(|| by("launch_template_id"))
            .or_else(|| by("launch_template_name"))
    });
    let template_name = spec
        .and_then(|s| text(s, "name").or_else(|| text(s, "launch_template_name")))
        .or_else(|| template.and_then(|t| text(&t.attributes, "name")));
    let overrides: Vec<String> = mixed
        .map(|m| blocks(m, "override"))
        .unwrap_or_default()
        .iter()
        .filter_map(|o| text(o, "instance_type").map(str::to_owned))
        .collect();
    let instance_types = match overrides.is_empty() {
        false => Some(crate::aws::string_set(overrides)),
        true => template
            .and_then(|t| text(&t.attributes, "instance_type"))
            .map(|t| vec![t.to_owned()]),
    };
    let group = asg::AutoScalingGroup::builder()
        .set_desired_capacity(int(a, "desired_capacity"))
        .set_min_size(int(a, "min_size"))
        .set_max_size(int(a, "max_size"))
        .set_health_check_type(text(a, "health_check_type").map(str::to_owned))
        .set_health_check_grace_period(int(a, "health_check_grace_period"))
        .set_launch_template(template_name.map(|n| {
            asg::LaunchTemplateSpecification::builder()
                .launch_template_name(n)
                .build()
        }))
        .set_target_group_arns(Some(
            strings(a, "target_group_arns")
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ))
        .build();
    crate::aws::autoscaling::group_attributes(&group, instance_types, key_of)
}

/// The provider's load balancer settings by the attribute keys DescribeLoadBalancerAttributes returns.
const LOAD_BALANCER_ATTRIBUTES: &[(&str, &str)] = &[
    ("idle_timeout", "idle_timeout.timeout_seconds"),
    ("enable_deletion_protection", "deletion_protection.enabled"),
    ("enable_http2", "routing.http2.enabled"),
    (
        "drop_invalid_header_fields",
        "routing.http.drop_invalid_header_fields.enabled",
    ),
    (
        "enable_cross_zone_load_balancing",
        "load_balancing.cross_zone.enabled",
    ),
    ("desync_mitigation_mode", "routing.http.desync_mitigation_mode"),
    (
        "preserve_host_header",
        "routing.http.preserve_host_header.enabled",
    ),
    ("enable_waf_fail_open", "waf.fail_open.enabled"),
    (
        "xff_header_processing_mode",
        "routing.http.xff_header_processing.mode",
    ),
    ("enable_xff_client_port", "routing.http.xff_client_port.enabled"),
    ("client_keep_alive", "client_keep_alive.seconds"),
];

fn load_balancer(
    a: &Value,
    states: &States,
    key_of: &dyn Fn(&str) -> String,
) -> envparity_model::catalog::aws::elbv2::LoadBalancer {
    let attributes = LOAD_BALANCER_ATTRIBUTES.iter().filter_map(|(attribute, key)| {
        let value = match a.get(*attribute)? {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        Some((Some(*key), value))
    });
    let attributes: Vec<(Option<&str>, String)> = attributes.collect();
    let access_logs = first(a, "access_logs").map(|l| {
        [
            (
                "access_logs.s3.enabled",
                flag(l, "enabled").unwrap_or(false).to_string(),
            ),
            (
                "access_logs.s3.bucket",
                text(l, "bucket").unwrap_or_default().to_owned(),
            ),
            (
                "access_logs.s3.prefix",
                text(l, "prefix").unwrap_or_default().to_owned(),
            ),
        ]
    });
    let pairs = attributes.iter().map(|(k, v)| (*k, Some(v.as_str()))).chain(
        access_logs
            .iter()
            .flatten()
            .map(|(k, v)| (Some(*k), Some(v.as_str()))),
    );
    let mut listeners: Vec<Value> = ["aws_lb_listener", "aws_alb_listener"]
        .iter()
        .flat_map(|t| states.configuring(t, text(a, "arn")))
        .map(|l| crate::aws::elbv2::listener(&listener(&l.attributes), key_of))
        .collect();
    listeners.sort_by_key(|l| (l["port"].as_i64(), l["protocol"].as_str().map(str::to_owned)));
    envparity_model::catalog::aws::elbv2::LoadBalancer {
        r#type: text(a, "load_balancer_type").map(str::to_owned),
        scheme: flag(a, "internal").map(|internal| match internal {
            true => "internal".to_owned(),
            false => "internet-facing".to_owned(),
        }),
        ip_address_type: text(a, "ip_address_type").map(str::to_owned),
        availability_zone_count: 0,
        attributes: crate::aws::elbv2::key_values(pairs),
        listeners,
        security_groups: crate::aws::string_set(
            strings(a, "security_groups")
                .into_iter()
                .map(|id| states.security_group(id, key_of)),
        ),
    }
}

fn listener(a: &Value) -> aws_sdk_elasticloadbalancingv2::types::Listener {
    use aws_sdk_elasticloadbalancingv2::types as elb;
    let actions = blocks(a, "default_action").iter().map(|d| {
        let forward = first(d, "forward").map(|f| {
            elb::ForwardActionConfig::builder()
                .set_target_groups(Some(
                    blocks(f, "target_group")
                        .iter()
                        .map(|t| {
                            elb::TargetGroupTuple::builder()
                                .set_target_group_arn(text(t, "arn").map(str::to_owned))
                                .build()
                        })
                        .collect(),
                ))
                .build()
        });
        let redirect = first(d, "redirect").map(|r| {
            elb::RedirectActionConfig::builder()
                .set_protocol(text(r, "protocol").map(str::to_owned))
                .set_port(text(r, "port").map(str::to_owned))
                .set_host(text(r, "host").map(str::to_owned))
                .set_path(text(r, "path").map(str::to_owned))
                .set_query(text(r, "query").map(str::to_owned))
                .set_status_code(text(r, "status_code").map(elb::RedirectActionStatusCodeEnum::from))
                .build()
        });
        let fixed = first(d, "fixed_response").map(|f| {
            elb::FixedResponseActionConfig::builder()
                .set_status_code(text(f, "status_code").map(str::to_owned))
                .set_content_type(text(f, "content_type").map(str::to_owned))
                .build()
        });
        elb::Action::builder()
            .set_type(text(d, "type").map(elb::ActionTypeEnum::from))
            .set_order(int(d, "order").filter(|o| *o > 0))
            .set_target_group_arn(text(d, "target_group_arn").map(str::to_owned))
            .set_forward_config(forward)
            .set_redirect_config(redirect)
            .set_fixed_response_config(fixed)
            .build()
    });
    elb::Listener::builder()
        .set_port(int(a, "port"))
        .set_protocol(text(a, "protocol").map(elb::ProtocolEnum::from))
        .set_ssl_policy(text(a, "ssl_policy").map(str::to_owned))
        .set_default_actions(Some(actions.collect()))
        .build()
}

fn target_group(a: &Value) -> envparity_model::catalog::aws::elbv2::TargetGroup {
    use aws_sdk_elasticloadbalancingv2::types as elb;
    let health = first(a, "health_check");
    let health_text = |name: &str| health.and_then(|h| text(h, name)).map(str::to_owned);
    let health_int = |name: &str| health.and_then(|h| int(h, name));
    let group = elb::TargetGroup::builder()
        .set_protocol(text(a, "protocol").map(elb::ProtocolEnum::from))
        .set_protocol_version(text(a, "protocol_version").map(str::to_owned))
        .set_port(int(a, "port"))
        .set_target_type(text(a, "target_type").map(elb::TargetTypeEnum::from))
        .set_health_check_protocol(health_text("protocol").map(|p| elb::ProtocolEnum::from(p.as_str())))
        .set_health_check_path(health_text("path"))
        .set_health_check_port(health_text("port"))
        .set_health_check_interval_seconds(health_int("interval"))
        .set_health_check_timeout_seconds(health_int("timeout"))
        .set_healthy_threshold_count(health_int("healthy_threshold"))
        .set_unhealthy_threshold_count(health_int("unhealthy_threshold"))
        .set_matcher(health_text("matcher").map(|m| elb::Matcher::builder().http_code(m).build()))
        .build();
    let stickiness = first(a, "stickiness");
    let settings: Vec<elb::TargetGroupAttribute> = [
        (
            "deregistration_delay.timeout_seconds",
            a.get("deregistration_delay"),
        ),
        ("slow_start.duration_seconds", a.get("slow_start")),
        (
            "load_balancing.algorithm.type",
            a.get("load_balancing_algorithm_type"),
        ),
        ("stickiness.enabled", stickiness.and_then(|s| s.get("enabled"))),
        ("stickiness.type", stickiness.and_then(|s| s.get("type"))),
        (
            "stickiness.lb_cookie.duration_seconds",
            stickiness.and_then(|s| s.get("cookie_duration")),
        ),
    ]
    .into_iter()
    .filter_map(|(key, value)| {
        let value = match value? {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        Some(elb::TargetGroupAttribute::builder().key(key).value(value).build())
    })
    .collect();
    crate::aws::elbv2::target_group_attributes(&group, &settings)
}

fn replication_group(a: &Value) -> aws_sdk_elasticache::types::ReplicationGroup {
    use aws_sdk_elasticache::types as cache;
    let shards = number(a, "num_node_groups").unwrap_or(1).max(0) as usize;
    let replicas = number(a, "replicas_per_node_group").unwrap_or(0).max(0) as usize;
    let node_group = cache::NodeGroup::builder()
        .set_node_group_members(Some(vec![
            cache::NodeGroupMember::builder().build();
            replicas + 1
        ]))
        .build();
    let cluster_mode = text(a, "cluster_mode").map(cache::ClusterMode::from);
    cache::ReplicationGroup::builder()
        .set_engine(text(a, "engine").map(str::to_owned))
        .set_cache_node_type(text(a, "node_type").map(str::to_owned))
        .set_node_groups(Some(vec![node_group; shards]))
        .set_automatic_failover(boolish(a, "automatic_failover_enabled").map(|on| match on {
            true => cache::AutomaticFailoverStatus::Enabled,
            false => cache::AutomaticFailoverStatus::Disabled,
        }))
        .set_multi_az(boolish(a, "multi_az_enabled").map(|on| match on {
            true => cache::MultiAzStatus::Enabled,
            false => cache::MultiAzStatus::Disabled,
        }))
        .set_at_rest_encryption_enabled(boolish(a, "at_rest_encryption_enabled"))
        .set_transit_encryption_enabled(boolish(a, "transit_encryption_enabled"))
        .set_cluster_mode(cluster_mode)
        .build()
}

fn function(a: &Value) -> aws_sdk_lambda::types::FunctionConfiguration {
    use aws_sdk_lambda::types as lambda;
    let variables = first(a, "environment")
        .and_then(|e| e.get("variables"))
        .and_then(Value::as_object)
        .map(|vars| {
            vars.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect::<HashMap<String, String>>()
        });
    lambda::FunctionConfiguration::builder()
        .set_runtime(text(a, "runtime").map(lambda::Runtime::from))
        .set_architectures(Some(
            strings(a, "architectures")
                .into_iter()
                .map(lambda::Architecture::from)
                .collect(),
        ))
        .set_handler(text(a, "handler").map(str::to_owned))
        .set_memory_size(int(a, "memory_size"))
        .set_timeout(int(a, "timeout"))
        .set_ephemeral_storage(
            first(a, "ephemeral_storage")
                .and_then(|e| int(e, "size"))
                .and_then(|size| lambda::EphemeralStorage::builder().size(size).build().ok()),
        )
        .set_environment(variables.map(|v| {
            lambda::EnvironmentResponse::builder()
                .set_variables(Some(v))
                .build()
        }))
        .set_layers(Some(
            strings(a, "layers")
                .into_iter()
                .map(|arn| lambda::Layer::builder().arn(arn).build())
                .collect(),
        ))
        .set_tracing_config(first(a, "tracing_config").and_then(|t| text(t, "mode")).map(|m| {
            lambda::TracingConfigResponse::builder()
                .mode(lambda::TracingMode::from(m))
                .build()
        }))
        .set_dead_letter_config(
            first(a, "dead_letter_config")
                .and_then(|d| text(d, "target_arn"))
                .map(|arn| lambda::DeadLetterConfig::builder().target_arn(arn).build()),
        )
        .build()
}

fn ecs_service(a: &Value) -> aws_sdk_ecs::types::Service {
    use aws_sdk_ecs::types as ecs;
    let capacity = blocks(a, "capacity_provider_strategy").iter().filter_map(|c| {
        ecs::CapacityProviderStrategyItem::builder()
            .set_capacity_provider(text(c, "capacity_provider").map(str::to_owned))
            .weight(int(c, "weight").unwrap_or(0))
            .base(int(c, "base").unwrap_or(0))
            .build()
            .ok()
    });
    let breaker = first(a, "deployment_circuit_breaker").map(|b| {
        ecs::DeploymentCircuitBreaker::builder()
            .enable(flag(b, "enable").unwrap_or(false))
            .rollback(flag(b, "rollback").unwrap_or(false))
            .build()
    });
    let deployment = ecs::DeploymentConfiguration::builder()
        .set_maximum_percent(int(a, "deployment_maximum_percent"))
        .set_minimum_healthy_percent(int(a, "deployment_minimum_healthy_percent"))
        .set_deployment_circuit_breaker(breaker)
        .build();
    let controller = first(a, "deployment_controller")
        .and_then(|c| text(c, "type"))
        .and_then(|t| {
            ecs::DeploymentController::builder()
                .r#type(ecs::DeploymentControllerType::from(t))
                .build()
                .ok()
        });
    let network = first(a, "network_configuration").map(|n| {
        let assign = match flag(n, "assign_public_ip") {
            Some(true) => ecs::AssignPublicIp::Enabled,
            _ => ecs::AssignPublicIp::Disabled,
        };
        let subnets = strings(n, "subnets").into_iter().map(str::to_owned).collect();
        ecs::NetworkConfiguration::builder()
            .set_awsvpc_configuration(
                ecs::AwsVpcConfiguration::builder()
                    .set_subnets(Some(subnets))
                    .assign_public_ip(assign)
                    .build()
                    .ok(),
            )
            .build()
    });
    let load_balancers = blocks(a, "load_balancer").iter().map(|l| {
        ecs::LoadBalancer::builder()
            .set_target_group_arn(text(l, "target_group_arn").map(str::to_owned))
            .set_load_balancer_name(text(l, "elb_name").map(str::to_owned))
            .set_container_name(text(l, "container_name").map(str::to_owned))
            .set_container_port(int(l, "container_port"))
            .build()
    });
    ecs::Service::builder()
        .set_launch_type(text(a, "launch_type").map(ecs::LaunchType::from))
        .set_capacity_provider_strategy(Some(capacity.collect()))
        .set_platform_version(text(a, "platform_version").map(str::to_owned))
        .set_scheduling_strategy(text(a, "scheduling_strategy").map(ecs::SchedulingStrategy::from))
        .desired_count(int(a, "desired_count").unwrap_or(0))
        .deployment_configuration(deployment)
        .set_deployment_controller(controller)
        .set_network_configuration(network)
        .set_task_definition(text(a, "task_definition").map(str::to_owned))
        .set_load_balancers(Some(load_balancers.collect()))
        // The provider writes 0 for none, where AWS gives none.
        .set_health_check_grace_period_seconds(int(a, "health_check_grace_period_seconds").filter(|s| *s > 0))
        .enable_execute_command(flag(a, "enable_execute_command").unwrap_or(false))
        .build()
}

fn task_definition(a: &Value) -> aws_sdk_ecs::types::TaskDefinition {
    use aws_sdk_ecs::types as ecs;
    // The containers are JSON text in the API's own shape (camelCase), as RegisterTaskDefinition takes them.
    let containers: Vec<Value> = text(a, "container_definitions")
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    let containers = containers.iter().map(|c| {
        let pairs = |name: &str| {
            blocks(c, name)
                .iter()
                .filter_map(|kv| Some((text(kv, "name")?.to_owned(), kv)))
                .collect::<Vec<_>>()
        };
        let health = c.get("healthCheck").and_then(|h| {
            ecs::HealthCheck::builder()
                .set_command(Some(
                    strings(h, "command").into_iter().map(str::to_owned).collect(),
                ))
                .set_interval(int(h, "interval"))
                .set_timeout(int(h, "timeout"))
                .set_retries(int(h, "retries"))
                .set_start_period(int(h, "startPeriod"))
                .build()
                .ok()
        });
        let log = c
            .get("logConfiguration")
            .and_then(|l| text(l, "logDriver"))
            .and_then(|d| {
                ecs::LogConfiguration::builder()
                    .log_driver(ecs::LogDriver::from(d))
                    .build()
                    .ok()
            });
        ecs::ContainerDefinition::builder()
            .set_name(text(c, "name").map(str::to_owned))
            .set_image(text(c, "image").map(str::to_owned))
            .cpu(int(c, "cpu").unwrap_or(0))
            .set_memory(int(c, "memory"))
            .set_memory_reservation(int(c, "memoryReservation"))
            .set_essential(c.get("essential").and_then(Value::as_bool))
            .set_environment(Some(
                pairs("environment")
                    .into_iter()
                    .map(|(name, kv)| {
                        ecs::KeyValuePair::builder()
                            .name(name)
                            .set_value(text(kv, "value").map(str::to_owned))
                            .build()
                    })
                    .collect(),
            ))
            .set_secrets(Some(
                pairs("secrets")
                    .into_iter()
                    .filter_map(|(name, kv)| {
                        ecs::Secret::builder()
                            .name(name)
                            .value_from(text(kv, "valueFrom").unwrap_or_default())
                            .build()
                            .ok()
                    })
                    .collect(),
            ))
            .set_port_mappings(Some(
                blocks(c, "portMappings")
                    .iter()
                    .map(|p| {
                        ecs::PortMapping::builder()
                            .set_container_port(int(p, "containerPort"))
                            .set_protocol(text(p, "protocol").map(ecs::TransportProtocol::from))
                            .build()
                    })
                    .collect(),
            ))
            .set_health_check(health)
            .set_log_configuration(log)
            .build()
    });
    let platform = first(a, "runtime_platform").map(|p| {
        ecs::RuntimePlatform::builder()
            .set_cpu_architecture(text(p, "cpu_architecture").map(ecs::CpuArchitecture::from))
            .set_operating_system_family(text(p, "operating_system_family").map(ecs::OsFamily::from))
            .build()
    });
    ecs::TaskDefinition::builder()
        .set_family(text(a, "family").map(str::to_owned))
        .set_cpu(text(a, "cpu").map(str::to_owned))
        .set_memory(text(a, "memory").map(str::to_owned))
        .set_network_mode(text(a, "network_mode").map(ecs::NetworkMode::from))
        .set_requires_compatibilities(Some(
            strings(a, "requires_compatibilities")
                .into_iter()
                .map(ecs::Compatibility::from)
                .collect(),
        ))
        .set_runtime_platform(platform)
        .set_container_definitions(Some(containers.collect()))
        .build()
}

fn eks_cluster(a: &Value) -> aws_sdk_eks::types::Cluster {
    use aws_sdk_eks::types as eks;
    let vpc = first(a, "vpc_config").map(|v| {
        eks::VpcConfigResponse::builder()
            .endpoint_public_access(flag(v, "endpoint_public_access").unwrap_or(false))
            .endpoint_private_access(flag(v, "endpoint_private_access").unwrap_or(false))
            .build()
    });
    let logging = eks::Logging::builder()
        .cluster_logging(
            eks::LogSetup::builder()
                .enabled(true)
                .set_types(Some(
                    strings(a, "enabled_cluster_log_types")
                        .into_iter()
                        .map(eks::LogType::from)
                        .collect(),
                ))
                .build(),
        )
        .build();
    eks::Cluster::builder()
        .set_version(text(a, "version").map(str::to_owned))
        .set_resources_vpc_config(vpc)
        .logging(logging)
        .set_encryption_config(Some(
            blocks(a, "encryption_config")
                .iter()
                .map(|_| eks::EncryptionConfig::builder().build())
                .collect(),
        ))
        .build()
}

fn nodegroup(a: &Value) -> aws_sdk_eks::types::Nodegroup {
    use aws_sdk_eks::types as eks;
    let scaling = first(a, "scaling_config").map(|s| {
        eks::NodegroupScalingConfig::builder()
            .set_min_size(int(s, "min_size"))
            .set_max_size(int(s, "max_size"))
            .set_desired_size(int(s, "desired_size"))
            .build()
    });
    let taints = blocks(a, "taint").iter().map(|t| {
        eks::Taint::builder()
            .set_key(text(t, "key").map(str::to_owned))
            .set_value(text(t, "value").map(str::to_owned))
            .set_effect(text(t, "effect").map(eks::TaintEffect::from))
            .build()
    });
    eks::Nodegroup::builder()
        .set_version(text(a, "version").map(str::to_owned))
        .set_instance_types(Some(
            strings(a, "instance_types")
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ))
        .set_ami_type(text(a, "ami_type").map(eks::AmiTypes::from))
        .set_capacity_type(text(a, "capacity_type").map(eks::CapacityTypes::from))
        .set_scaling_config(scaling)
        .set_disk_size(int(a, "disk_size"))
        .set_taints(Some(taints.collect()))
        .build()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn instance(r#type: &str, attributes: Value) -> Instance {
        Instance {
            module: String::new(),
            r#type: r#type.into(),
            name: "x".into(),
            index: None,
            attributes,
            sensitive: Vec::new(),
        }
    }

    #[test]
    fn a_group_naming_its_launch_template_by_name_runs_the_template_s_instance_type() {
        let template = instance(
            "aws_launch_template",
            json!({"id": "lt-0a1b2c3d", "name": "web-staging-lt", "instance_type": "m6i.large"}),
        );
        let group = instance(
            "aws_autoscaling_group",
            json!({"name": "web-staging-asg", "desired_capacity": 2,
                   "launch_template": [{"id": "", "name": "web-staging-lt", "version": "$Default"}]}),
        );
        let instances = [template, group];
        let states = States::of(&instances);
        let key_of = |name: &str| name.replace("staging", "{env}");
        let mapped = map(
            &instances[1],
            &instances[1],
            &states,
            &key_of,
            &Redactor::new(None),
        )
        .unwrap();
        assert_eq!(mapped.attributes["instance_types"], json!(["m6i.large"]));
        assert_eq!(mapped.attributes["launch_template"], "web-{env}-lt");
    }
}
