//! Amazon EKS: clusters and node groups.

use serde_json::Value;

use super::{blocks, first, flag, int, strings, text};

pub(super) fn eks_cluster(a: &Value) -> aws_sdk_eks::types::Cluster {
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

pub(super) fn nodegroup(a: &Value) -> aws_sdk_eks::types::Nodegroup {
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
