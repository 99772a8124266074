//! Terraform and OpenTofu resources of types no envparity kind reads (`terraform.TYPE`, as in
//! `terraform.aws_iam_role`): their state attributes, compared whole. The types behind envparity's own kinds
//! (`aws_db_instance` behind `aws.rds.instance`) become those kinds instead.

use crate::catalog::Kind;
use crate::catalog::aws::{
    dynamodb::TABLE, rds as rds_kinds, s3::BUCKET, secretsmanager, sns, sqs, ssm as ssm_kinds,
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
];

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
