//! Amazon RDS: instances, clusters and their parameter groups, as the RDS API returns them.

use aws_sdk_rds::types as rds;
use envparity_model::catalog::typed::Map;
use serde_json::Value;

use super::{blocks, engine_version, first, flag, int, text};

pub(super) fn db_instance(a: &Value) -> rds::DbInstance {
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

pub(super) fn db_cluster(a: &Value, members: usize) -> rds::DbCluster {
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
pub(super) fn parameters(a: &Value) -> Map {
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
pub(super) fn parameter_group(a: &Value) -> envparity_model::catalog::aws::rds::ParameterGroup {
    envparity_model::catalog::aws::rds::ParameterGroup {
        family: text(a, "family").map(str::to_owned),
        parameters: parameters(a),
    }
}
