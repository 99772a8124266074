//! RDS: instances, clusters and parameter groups (`aws.rds.instance`, `aws.rds.cluster`,
//! `aws.rds.parameter_group`, `aws.rds.cluster_parameter_group`).
//!
//! Instances that belong to a cluster fold into it (`member_instance_classes`, `member_count`). Parameters are
//! the user-modified ones, read once per parameter group and kept on the group alone (a database names its
//! group), so that one difference is one finding; `default.*` groups cannot be modified and are not read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_rds::Client;
use aws_sdk_rds::types::Parameter;
use serde_json::{Value, json};

use super::{RegionContext, attrs, each, string_set, tag_map};
use crate::CollectError;
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
    let parameters: HashMap<String, Value> = group_names
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
        let group = i
            .db_parameter_groups()
            .first()
            .and_then(|g| g.db_parameter_group_name());
        let attributes = attrs([
            ("engine", i.engine().map(Value::from)),
            ("engine_version", i.engine_version().map(Value::from)),
            ("instance_class", i.db_instance_class().map(Value::from)),
            ("multi_az", i.multi_az().map(Value::from)),
            ("storage_type", i.storage_type().map(Value::from)),
            ("allocated_storage", i.allocated_storage().map(Value::from)),
            ("iops", Some(i.iops().map_or(Value::Null, Value::from))),
            ("storage_encrypted", i.storage_encrypted().map(Value::from)),
            ("deletion_protection", i.deletion_protection().map(Value::from)),
            (
                "backup_retention_period",
                i.backup_retention_period().map(Value::from),
            ),
            ("publicly_accessible", i.publicly_accessible().map(Value::from)),
            (
                "auto_minor_version_upgrade",
                i.auto_minor_version_upgrade().map(Value::from),
            ),
            ("parameter_group", group.map(|g| Value::from(ctx.key_of_name(g)))),
        ]);
        let tags = tag_map(i.tag_list().iter().map(|t| (t.key(), t.value())));
        let name = i.db_instance_identifier().unwrap_or_default();
        out.push(ctx.reachable_resource(
            "aws.rds.instance",
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
        let group = c.db_cluster_parameter_group();
        let scaling = c
            .serverless_v2_scaling_configuration()
            .map(|s| json!({"min": s.min_capacity(), "max": s.max_capacity()}));
        let attributes = attrs([
            ("engine", c.engine().map(Value::from)),
            ("engine_version", c.engine_version().map(Value::from)),
            ("engine_mode", c.engine_mode().map(Value::from)),
            ("member_instance_classes", Some(string_set(classes))),
            ("member_count", Some(Value::from(c.db_cluster_members().len()))),
            ("serverless_v2_scaling", scaling),
            ("deletion_protection", c.deletion_protection().map(Value::from)),
            ("storage_encrypted", c.storage_encrypted().map(Value::from)),
            (
                "backup_retention_period",
                c.backup_retention_period().map(Value::from),
            ),
            ("parameter_group", group.map(|g| Value::from(ctx.key_of_name(g)))),
        ]);
        let tags = tag_map(c.tag_list().iter().map(|t| (t.key(), t.value())));
        out.push(ctx.reachable_resource(
            "aws.rds.cluster",
            name,
            c.db_cluster_arn(),
            tags,
            attributes,
            [c.endpoint(), c.reader_endpoint()],
        ));
    }

    for (name, params) in cluster_group_names.iter().zip(cluster_group_values) {
        let attributes = attrs([("parameters", Some(params))]);
        out.push(ctx.resource(
            "aws.rds.cluster_parameter_group",
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
        let attributes = attrs([
            ("family", g.db_parameter_group_family().map(Value::from)),
            ("parameters", Some(params.clone())),
        ]);
        out.push(ctx.resource(
            "aws.rds.parameter_group",
            name,
            g.db_parameter_group_arn(),
            BTreeMap::new(),
            attributes,
        ));
    }
    Ok(out)
}

fn is_default(group: &str) -> bool {
    group.starts_with("default.") || group.starts_with("default:")
}

/// The user-modified parameters of a DB parameter group, name -> value.
async fn group_parameters(
    ctx: &RegionContext<'_>,
    client: &Client,
    group: &str,
) -> Result<Value, CollectError> {
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
) -> Result<Value, CollectError> {
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

fn parameter_map<'p>(parameters: impl Iterator<Item = &'p Parameter>) -> Value {
    parameters
        .filter_map(|p| Some((p.parameter_name()?.to_owned(), Value::from(p.parameter_value()?))))
        .collect::<serde_json::Map<_, _>>()
        .into()
}
