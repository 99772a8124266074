//! The AWS provider's resource types behind envparity's kinds. Each conversion rebuilds what the AWS API returns
//! for the resource from its state attributes and hands it to the live collector's own conversion, so that a
//! state and a live snapshot have one normal form by construction. Types that configure another resource
//! (`aws_s3_bucket_versioning`, `aws_secretsmanager_secret_version`) are folded into it, as AWS shows them.
//!
//! Each service's rebuilding is a file of its own, as each live collector is (`crate::aws`); which type becomes
//! which kind ([`map`]), the index of the instances others fold into or look up ([`States`]), and reading the
//! attributes are here.

mod autoscaling;
mod dynamodb;
mod ec2;
mod ecs;
mod eks;
mod elasticache;
mod elbv2;
mod lambda;
mod rds;
mod s3;
mod sns;
mod sqs;

use std::collections::HashMap;

use aws_sdk_ssm::types as ssm;
use serde::Serialize;
use serde_json::Value;

use super::format::{Instance, Step};
use crate::aws::{dynamodb as dynamodb_collector, rds as rds_collector};
use crate::secrets::Redactor;
use envparity_model::catalog::aws::{
    autoscaling as autoscaling_kinds, ec2 as ec2_kinds, ecs as ecs_kinds, eks as eks_kinds,
    elasticache as elasticache_kinds, elbv2 as elbv2_kinds, lambda as lambda_kinds,
};
use envparity_model::catalog::aws::{
    dynamodb::TABLE, rds as rds_kinds, s3::BUCKET, secretsmanager, sns as sns_kinds, sqs as sqs_kinds,
    ssm as ssm_kinds,
};
use envparity_model::catalog::terraform;
use envparity_model::catalog::typed::Secret;

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
                to_value(rds_collector::instance_attributes(&rds::db_instance(a), key_of)),
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
                        &rds::db_cluster(a, members.len()),
                        classes.collect(),
                        key_of,
                    )),
                    vec![text(a, "endpoint"), text(a, "reader_endpoint")],
                )
            }
            "aws_db_parameter_group" => (
                rds_kinds::PARAMETER_GROUP.name,
                name("name"),
                to_value(rds::parameter_group(a)),
                vec![],
            ),
            "aws_rds_cluster_parameter_group" => (
                rds_kinds::CLUSTER_PARAMETER_GROUP.name,
                name("name"),
                to_value(envparity_model::catalog::aws::rds::ClusterParameterGroup {
                    parameters: rds::parameters(a),
                }),
                vec![],
            ),
            "aws_sqs_queue" => (
                sqs_kinds::QUEUE.name,
                name("name"),
                to_value(crate::aws::sqs::queue_attributes(&sqs::queue(a), key_of)),
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
                    sns_kinds::TOPIC.name,
                    name("name"),
                    to_value(crate::aws::sns::topic_attributes(&sns::topic(a), subscriptions)),
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
                    to_value(dynamodb_collector::table_attributes(
                        &dynamodb::table(a),
                        pitr,
                        ttl,
                    )),
                    vec![],
                )
            }
            "aws_s3_bucket" => (
                BUCKET.name,
                name("bucket"),
                to_value(s3::bucket(a, states)),
                vec![],
            ),
            "aws_instance" => (
                ec2_kinds::INSTANCE.name,
                text(&a["tags"], "Name")
                    .or_else(|| text(a, "id"))
                    .unwrap_or_default()
                    .to_owned(),
                to_value(ec2::ec2_instance(a, states, key_of)),
                vec![text(a, "public_dns"), text(a, "public_ip")],
            ),
            "aws_launch_template" => (
                ec2_kinds::LAUNCH_TEMPLATE.name,
                name("name"),
                to_value(crate::aws::ec2::template_attributes(&ec2::launch_template(a))),
                vec![],
            ),
            "aws_autoscaling_group" => (
                autoscaling_kinds::GROUP.name,
                name("name"),
                to_value(autoscaling::auto_scaling_group(a, states, key_of)),
                vec![],
            ),
            "aws_lb" | "aws_alb" => (
                elbv2_kinds::LOAD_BALANCER.name,
                name("name"),
                to_value(elbv2::load_balancer(a, states, key_of)),
                vec![text(a, "dns_name")],
            ),
            "aws_lb_target_group" | "aws_alb_target_group" => (
                elbv2_kinds::TARGET_GROUP.name,
                name("name"),
                to_value(elbv2::target_group(a)),
                vec![],
            ),
            "aws_elasticache_replication_group" => {
                let parameter_group = text(a, "parameter_group_name").map(key_of);
                (
                    elasticache_kinds::REPLICATION_GROUP.name,
                    name("replication_group_id"),
                    to_value(crate::aws::elasticache::group_attributes(
                        &elasticache::replication_group(a),
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
                        &lambda::function(&plain.attributes),
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
                    to_value(crate::aws::ecs::service_attributes(&ecs::ecs_service(a), key_of)),
                    vec![],
                )
            }
            "aws_ecs_task_definition" => (
                ecs_kinds::TASK_DEFINITION.name,
                name("family"),
                to_value(crate::aws::ecs::task_definition_attributes(
                    &ecs::task_definition(&plain.attributes),
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
                    to_value(crate::aws::eks::cluster_attributes(&eks::eks_cluster(a), fargate)),
                    vec![text(a, "endpoint").map(|e| e.trim_start_matches("https://"))],
                )
            }
            "aws_eks_node_group" => (
                eks_kinds::NODEGROUP.name,
                format!("{}/{}", name("cluster_name"), name("node_group_name")),
                to_value(crate::aws::eks::nodegroup_attributes(&eks::nodegroup(a))),
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
