//! Terraform and OpenTofu resources of types no envparity kind reads (`terraform.TYPE`, as in
//! `terraform.aws_iam_role`): their state attributes, compared whole. The types behind envparity's own kinds
//! (`aws_db_instance` behind `aws.rds.instance`) become those kinds instead.

use crate::catalog::Kind;
use crate::catalog::aws::{
    autoscaling, dynamodb::TABLE, ec2, ecs, eks, elasticache, elbv2, lambda, rds as rds_kinds, s3::BUCKET,
    secretsmanager, sns, sqs, ssm as ssm_kinds,
};
use crate::catalog::typed::{Map, Typed};

crate::attributes! {
    /// The attributes of a `terraform.TYPE` resource.
    pub struct Other {
        /// The instance's attributes as the state holds them (secrets redacted, identifiers left out); any path
        /// below it is valid.
        pub attributes: Map,
    }
}

/// How the kind of a resource of another Terraform type begins: `terraform.aws_iam_role`. Every such kind is
/// [`OTHER`].
pub const PREFIX: &str = "terraform.";

/// `terraform.TYPE`.
pub const OTHER: Kind = Kind {
    name: "terraform.other",
    provider: "terraform",
    service: "state",
    tagged: true,
    tagging_types: &[],
    doc: "A Terraform resource of a type no other kind reads, of the kind terraform.TYPE (terraform.aws_iam_role): \
          its state attributes, compared whole.",
    attributes: Typed::of::<Other>(),
};

/// Each Terraform type that becomes one of envparity's kinds, and the kind (helper types folded into another's
/// resource name the kind they fold into).
pub const TYPES: &[(&str, &str)] = &[
    ("aws_db_instance", rds_kinds::INSTANCE.name),
    ("aws_rds_cluster", rds_kinds::CLUSTER.name),
    ("aws_rds_cluster_instance", rds_kinds::CLUSTER.name),
    ("aws_db_parameter_group", rds_kinds::PARAMETER_GROUP.name),
    (
        "aws_rds_cluster_parameter_group",
        rds_kinds::CLUSTER_PARAMETER_GROUP.name,
    ),
    ("aws_sqs_queue", sqs::QUEUE.name),
    ("aws_sns_topic", sns::TOPIC.name),
    ("aws_sns_topic_subscription", sns::TOPIC.name),
    ("aws_ssm_parameter", ssm_kinds::PARAMETER.name),
    ("aws_dynamodb_table", TABLE.name),
    ("aws_s3_bucket", BUCKET.name),
    ("aws_s3_bucket_versioning", BUCKET.name),
    ("aws_s3_bucket_server_side_encryption_configuration", BUCKET.name),
    ("aws_s3_bucket_public_access_block", BUCKET.name),
    ("aws_s3_bucket_ownership_controls", BUCKET.name),
    ("aws_s3_bucket_lifecycle_configuration", BUCKET.name),
    ("aws_secretsmanager_secret", secretsmanager::SECRET.name),
    ("aws_secretsmanager_secret_version", secretsmanager::SECRET.name),
    ("aws_instance", ec2::INSTANCE.name),
    ("aws_launch_template", ec2::LAUNCH_TEMPLATE.name),
    ("aws_autoscaling_group", autoscaling::GROUP.name),
    ("aws_lb", elbv2::LOAD_BALANCER.name),
    ("aws_alb", elbv2::LOAD_BALANCER.name),
    ("aws_lb_listener", elbv2::LOAD_BALANCER.name),
    ("aws_alb_listener", elbv2::LOAD_BALANCER.name),
    ("aws_lb_target_group", elbv2::TARGET_GROUP.name),
    ("aws_alb_target_group", elbv2::TARGET_GROUP.name),
    (
        "aws_elasticache_replication_group",
        elasticache::REPLICATION_GROUP.name,
    ),
    ("aws_lambda_function", lambda::FUNCTION.name),
    ("aws_lambda_event_source_mapping", lambda::FUNCTION.name),
    ("aws_ecs_service", ecs::SERVICE.name),
    ("aws_ecs_task_definition", ecs::TASK_DEFINITION.name),
    ("aws_eks_cluster", eks::CLUSTER.name),
    ("aws_eks_fargate_profile", eks::CLUSTER.name),
    ("aws_eks_node_group", eks::NODEGROUP.name),
];

/// What a state cannot know of a kind, by path (a path ending in `.` names everything below it): what the live
/// collector learns from another call (an AMI's name, an instance's architecture, the running instances), or
/// what AWS reports more of than the provider keeps (a load balancer's attributes). A state leaves these out,
/// and a state against the live environment compares them only where the state has them.
pub const UNKNOWN_TO_STATE: &[(&str, &[&str])] = &[
    (ec2::INSTANCE.name, &["image", "architecture"]),
    (ec2::LAUNCH_TEMPLATE.name, &["image"]),
    (
        autoscaling::GROUP.name,
        &["instance_count", "availability_zone_count"],
    ),
    (
        elbv2::LOAD_BALANCER.name,
        &["attributes.", "availability_zone_count"],
    ),
    (elbv2::TARGET_GROUP.name, &["attributes."]),
];

/// Whether a path of a kind is one a state cannot know ([`UNKNOWN_TO_STATE`]).
pub fn unknown_to_state(kind: &str, path: &str) -> bool {
    UNKNOWN_TO_STATE
        .iter()
        .filter(|(k, _)| *k == kind)
        .flat_map(|(_, paths)| paths.iter())
        .any(|p| match p.strip_suffix('.') {
            Some(parent) => path
                .strip_prefix(parent)
                .is_some_and(|rest| rest.starts_with('.')),
            None => path == *p,
        })
}

/// The Terraform types that feed a kind (`aws_db_instance` feeds `aws.rds.instance`), for `envparity kinds`.
pub fn types_feeding(kind: &str) -> Vec<&'static str> {
    TYPES
        .iter()
        .filter(|(_, k)| *k == kind)
        .map(|(t, _)| *t)
        .collect()
}

/// The kinds a state or plan feeds: what a state that cannot be read leaves unknown, and what a state can say
/// is managed.
pub fn fed_kinds() -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = TYPES.iter().map(|(_, k)| *k).collect();
    kinds.push(OTHER.name);
    kinds.sort();
    kinds.dedup();
    kinds
}

/// The kinds of Terraform state alone.
pub const KINDS: &[Kind] = &[OTHER];
