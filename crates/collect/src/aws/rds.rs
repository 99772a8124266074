//! RDS: instances, clusters and parameter groups (`aws.rds.instance`, `aws.rds.cluster`,
//! `aws.rds.parameter_group`, `aws.rds.cluster_parameter_group`).
//!
//! Instances that belong to a cluster fold into it (`member_instance_classes`, `member_count`). Parameters are
//! the user-modified ones, read once per parameter group and kept on the group alone (a database names its
//! group), so that one difference is one finding; `default.*` groups cannot be modified and are not read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_rds::Client;
use aws_sdk_rds::types::{DbCluster, DbInstance, Parameter};

use super::{RegionContext, each, string_set, tag_map};
use crate::CollectError;
use envparity_model::catalog::aws::rds::{
    self, CLUSTER, CLUSTER_PARAMETER_GROUP, ClusterParameterGroup, INSTANCE, PARAMETER_GROUP, ParameterGroup,
    ServerlessV2Scaling,
};
use envparity_model::catalog::typed::Map;
use envparity_model::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_rds, ctx);
    let (instances, clusters, groups) = tokio::try_join!(
        ctx.pages(
            "DescribeDBInstances",
            client
                .describe_db_instances()
                .max_records(100)
                .into_paginator()
                .send()
        ),
        ctx.pages(
            "DescribeDBClusters",
            client
                .describe_db_clusters()
                .max_records(100)
                .into_paginator()
                .send()
        ),
        ctx.pages(
            "DescribeDBParameterGroups",
            client
                .describe_db_parameter_groups()
                .max_records(100)
                .into_paginator()
                .send(),
        ),
    )?;

    // The modified parameters of every non-default group, instance and cluster groups side by side.
    let group_names: Vec<&str> = groups
        .iter()
        .flat_map(|p| p.db_parameter_groups())
        .filter_map(|g| g.db_parameter_group_name())
        .filter(|n| !is_default(n))
        .collect();
    let cluster_group_names: Vec<&str> = clusters
        .iter()
        .flat_map(|p| p.db_clusters())
        .filter_map(|c| c.db_cluster_parameter_group())
        .filter(|n| !is_default(n))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (group_values, cluster_group_values) = tokio::try_join!(
        each(ctx, &group_names, |name| group_parameters(ctx, &client, name)),
        each(ctx, &cluster_group_names, |name| cluster_group_parameters(
            ctx, &client, name
        )),
    )?;
    let parameters: HashMap<String, Map> = group_names
        .iter()
        .map(|n| n.to_string())
        .zip(group_values)
        .collect();

    let mut out = Vec::new();
    let mut member_classes: HashMap<&str, Vec<String>> = HashMap::new();
    for i in instances.iter().flat_map(|p| p.db_instances()) {
        if let Some(cluster) = i.db_cluster_identifier() {
            member_classes
                .entry(cluster)
                .or_default()
                .push(i.db_instance_class().unwrap_or_default().to_owned());
            continue;
        }
        let attributes = instance_attributes(i, |name| ctx.key_of_name(name));
        let tags = tag_map(i.tag_list().iter().map(|t| (t.key(), t.value())));
        let name = i.db_instance_identifier().unwrap_or_default();
        out.push(ctx.reachable_resource(
            INSTANCE.name,
            name,
            i.db_instance_arn(),
            tags,
            attributes,
            [i.endpoint().and_then(|e| e.address())],
        ));
    }

    for c in clusters.iter().flat_map(|p| p.db_clusters()) {
        let name = c.db_cluster_identifier().unwrap_or_default();
        let classes = member_classes.get(name).cloned().unwrap_or_default();
        let attributes = cluster_attributes(c, classes, |name| ctx.key_of_name(name));
        let tags = tag_map(c.tag_list().iter().map(|t| (t.key(), t.value())));
        out.push(ctx.reachable_resource(
            CLUSTER.name,
            name,
            c.db_cluster_arn(),
            tags,
            attributes,
            [c.endpoint(), c.reader_endpoint()],
        ));
    }

    for (name, params) in cluster_group_names.iter().zip(cluster_group_values) {
        let attributes = ClusterParameterGroup { parameters: params };
        out.push(ctx.resource(
            CLUSTER_PARAMETER_GROUP.name,
            name,
            None,
            BTreeMap::new(),
            attributes,
        ));
    }
    for g in groups.iter().flat_map(|p| p.db_parameter_groups()) {
        let name = g.db_parameter_group_name().unwrap_or_default();
        let Some(params) = parameters.get(name) else {
            continue;
        };
        let attributes = ParameterGroup {
            family: g.db_parameter_group_family().map(str::to_owned),
            parameters: params.clone(),
        };
        out.push(ctx.resource(
            PARAMETER_GROUP.name,
            name,
            g.db_parameter_group_arn(),
            BTreeMap::new(),
            attributes,
        ));
    }
    Ok(out)
}

/// An instance's attributes from what DescribeDBInstances returned; `key_of` gives a parameter group's logical key
/// from its name. No call: the conversion alone, tested without AWS.
pub(crate) fn instance_attributes(i: &DbInstance, key_of: impl Fn(&str) -> String) -> rds::Instance {
    let group = i
        .db_parameter_groups()
        .first()
        .and_then(|g| g.db_parameter_group_name());
    rds::Instance {
        engine: i.engine().map(str::to_owned),
        engine_version: i.engine_version().map(str::to_owned),
        instance_class: i.db_instance_class().map(str::to_owned),
        multi_az: i.multi_az(),
        storage_type: i.storage_type().map(str::to_owned),
        allocated_storage: i.allocated_storage(),
        iops: i.iops().into(),
        storage_encrypted: i.storage_encrypted(),
        deletion_protection: i.deletion_protection(),
        backup_retention_period: i.backup_retention_period(),
        publicly_accessible: i.publicly_accessible(),
        auto_minor_version_upgrade: i.auto_minor_version_upgrade(),
        parameter_group: group.map(|g| group_key(g, key_of)),
    }
}

/// A parameter group as compared: by logical key, and `default` for the engine's own default group, whose family
/// follows the engine version (compared on its own): `default.postgres15` against `default.postgres16` is the
/// version difference again, not a second one.
fn group_key(name: &str, key_of: impl Fn(&str) -> String) -> String {
    match is_default(name) {
        true => "default".to_owned(),
        false => key_of(name),
    }
}

/// A cluster's attributes from what DescribeDBClusters returned, with its member instances' classes; `key_of` as
/// for instances.
pub(crate) fn cluster_attributes(c: &DbCluster, classes: Vec<String>, key_of: impl Fn(&str) -> String) -> rds::Cluster {
    rds::Cluster {
        engine: c.engine().map(str::to_owned),
        engine_version: c.engine_version().map(str::to_owned),
        engine_mode: c.engine_mode().map(str::to_owned),
        member_instance_classes: string_set(classes),
        member_count: c.db_cluster_members().len() as u64,
        serverless_v2_scaling: c.serverless_v2_scaling_configuration().map(|s| ServerlessV2Scaling {
            min: s.min_capacity().into(),
            max: s.max_capacity().into(),
        }),
        deletion_protection: c.deletion_protection(),
        storage_encrypted: c.storage_encrypted(),
        backup_retention_period: c.backup_retention_period(),
        parameter_group: c.db_cluster_parameter_group().map(|g| group_key(g, key_of)),
    }
}

fn is_default(group: &str) -> bool {
    group.starts_with("default.") || group.starts_with("default:")
}

/// The user-modified parameters of a DB parameter group, name -> value.
async fn group_parameters(
    ctx: &RegionContext<'_>,
    client: &Client,
    group: &str,
) -> Result<Map, CollectError> {
    let request = client
        .describe_db_parameters()
        .db_parameter_group_name(group)
        .source("user")
        .max_records(100);
    let pages = ctx
        .pages("DescribeDBParameters", request.into_paginator().send())
        .await?;
    Ok(parameter_map(pages.iter().flat_map(|p| p.parameters())))
}

/// The user-modified parameters of a DB cluster parameter group, name -> value.
async fn cluster_group_parameters(
    ctx: &RegionContext<'_>,
    client: &Client,
    group: &str,
) -> Result<Map, CollectError> {
    let request = client
        .describe_db_cluster_parameters()
        .db_cluster_parameter_group_name(group)
        .source("user")
        .max_records(100);
    let pages = ctx
        .pages("DescribeDBClusterParameters", request.into_paginator().send())
        .await?;
    Ok(parameter_map(pages.iter().flat_map(|p| p.parameters())))
}

fn parameter_map<'p>(parameters: impl Iterator<Item = &'p Parameter>) -> Map {
    parameters
        .filter_map(|p| Some((p.parameter_name()?.to_owned(), p.parameter_value()?.into())))
        .collect()
}

#[cfg(test)]
mod tests {
    use aws_sdk_rds::types::{DbClusterMember, DbParameterGroupStatus, ServerlessV2ScalingConfigurationInfo};
    use envparity_model::catalog::typed::OrNull;
    use serde_json::json;

    use super::*;

    #[test]
    fn instance_attributes_from_what_rds_returns() {
        let instance = DbInstance::builder()
            .engine("postgres")
            .engine_version("16.3")
            .db_instance_class("db.r6g.large")
            .multi_az(true)
            .storage_type("gp3")
            .allocated_storage(100)
            .storage_encrypted(true)
            .deletion_protection(true)
            .backup_retention_period(7)
            .publicly_accessible(false)
            .auto_minor_version_upgrade(true)
            .db_parameter_groups(DbParameterGroupStatus::builder().db_parameter_group_name("orders-prod-pg").build())
            .build();
        let attributes = instance_attributes(&instance, |name| name.replace("prod", "{env}"));
        assert_eq!(
            serde_json::to_value(attributes).unwrap(),
            json!({
                "engine": "postgres", "engine_version": "16.3", "instance_class": "db.r6g.large", "multi_az": true,
                "storage_type": "gp3", "allocated_storage": 100, "iops": null, "storage_encrypted": true,
                "deletion_protection": true, "backup_retention_period": 7, "publicly_accessible": false,
                "auto_minor_version_upgrade": true, "parameter_group": "orders-{env}-pg",
            })
        );
        // The engine's default group is `default`, whatever its family: the version says that.
        let on_default = DbInstance::builder()
            .db_parameter_groups(DbParameterGroupStatus::builder().db_parameter_group_name("default.postgres16").build())
            .build();
        assert_eq!(instance_attributes(&on_default, str::to_owned).parameter_group.as_deref(), Some("default"));
        // What RDS leaves out is left out, but provisioned IOPS is always written: null when there are none.
        let bare = serde_json::to_value(instance_attributes(&DbInstance::builder().build(), str::to_owned)).unwrap();
        assert_eq!(bare, json!({"iops": null}));
    }

    #[test]
    fn cluster_attributes_fold_in_their_members() {
        let cluster = DbCluster::builder()
            .engine("aurora-postgresql")
            .engine_version("16.2")
            .engine_mode("provisioned")
            .db_cluster_members(DbClusterMember::builder().db_instance_identifier("a").build())
            .db_cluster_members(DbClusterMember::builder().db_instance_identifier("b").build())
            .serverless_v2_scaling_configuration(
                ServerlessV2ScalingConfigurationInfo::builder().min_capacity(0.5).max_capacity(8.0).build(),
            )
            .build();
        let classes = vec!["db.serverless".to_owned(), "db.r6g.large".to_owned(), "db.serverless".to_owned()];
        let attributes = cluster_attributes(&cluster, classes, str::to_owned);
        assert_eq!(attributes.member_count, 2);
        assert_eq!(attributes.member_instance_classes, ["db.r6g.large", "db.serverless"]);
        let scaling = attributes.serverless_v2_scaling.unwrap();
        assert_eq!((scaling.min, scaling.max), (OrNull(Some(0.5)), OrNull(Some(8.0))));
        assert_eq!(attributes.parameter_group, None);
    }
}
