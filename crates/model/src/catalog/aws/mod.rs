//! The kinds of the AWS services, one file per service, named as the service is in `envparity.toml`.

use crate::catalog::Kind;

pub mod autoscaling;
pub mod dynamodb;
pub mod ec2;
pub mod ecs;
pub mod eks;
pub mod elasticache;
pub mod elbv2;
pub mod lambda;
pub mod rds;
pub mod s3;
pub mod secretsmanager;
pub mod sns;
pub mod sqs;
pub mod ssm;

/// The kinds of every AWS service.
pub const KINDS: &[&[Kind]] = &[
    autoscaling::KINDS,
    dynamodb::KINDS,
    ec2::KINDS,
    ecs::KINDS,
    eks::KINDS,
    elasticache::KINDS,
    elbv2::KINDS,
    lambda::KINDS,
    rds::KINDS,
    s3::KINDS,
    secretsmanager::KINDS,
    sns::KINDS,
    sqs::KINDS,
    ssm::KINDS,
];
