//! Auto Scaling groups (`aws.autoscaling.group`): fleets compared as fleets.
//!
//! `instance_types` is the set of types the group runs: the mixed instances policy's overrides if it has them,
//! else the types of its instances, else (for an empty group) its launch template's.

use std::collections::BTreeMap;

use super::{RegionContext, name_in_arn, string_set, tag_map};
use crate::CollectError;
use envparity_model::catalog::aws::autoscaling::{GROUP, Group};
use envparity_model::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_autoscaling, ctx);
    let pages = ctx
        .pages(
            "DescribeAutoScalingGroups",
            client
                .describe_auto_scaling_groups()
                .max_records(100)
                .into_paginator()
                .send(),
        )
        .await?;
    let ec2 = client!(aws_sdk_ec2, ctx);
    let mut template_types: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
    let mut out = Vec::new();
    for g in pages.iter().flat_map(|p| p.auto_scaling_groups()) {
        let name = g.auto_scaling_group_name().unwrap_or_default();
        let mixed = g.mixed_instances_policy().and_then(|m| m.launch_template());
        let spec = g
            .launch_template()
            .or_else(|| mixed.and_then(|m| m.launch_template_specification()));
        let template_name = spec.and_then(|s| s.launch_template_name());

        let overrides: Vec<String> = mixed
            .map(|m| m.overrides())
            .unwrap_or_default()
            .iter()
            .filter_map(|o| o.instance_type().map(str::to_owned))
            .collect();
        let running: Vec<String> = g
            .instances()
            .iter()
            .filter_map(|i| i.instance_type().map(str::to_owned))
            .collect();
        let instance_types = if !overrides.is_empty() {
            Some(string_set(overrides))
        } else if !running.is_empty() {
            Some(string_set(running))
        } else if let (Some(id), version) = (
            spec.and_then(|s| s.launch_template_id()),
            spec.and_then(|s| s.version()),
        ) {
            let version = version.unwrap_or("$Default").to_owned();
            let cache_key = (id.to_owned(), version.clone());
            if !template_types.contains_key(&cache_key) {
                let found = ctx
                    .send(
                        "DescribeLaunchTemplateVersions",
                        ec2.describe_launch_template_versions()
                            .launch_template_id(id)
                            .versions(version)
                            .send(),
                    )
                    .await?
                    .launch_template_versions()
                    .first()
                    .and_then(|v| v.launch_template_data())
                    .and_then(|d| d.instance_type())
                    .map(|t| t.as_str().to_owned());
                template_types.insert(cache_key.clone(), found);
            }
            template_types[&cache_key].clone().map(|t| vec![t])
        } else {
            None
        };

        let target_groups = string_set(
            g.target_group_arns()
                .iter()
                .map(|arn| ctx.key_of_name(name_in_arn(arn))),
        );
        let attributes = Group {
            instance_types,
            desired_capacity: g.desired_capacity(),
            min_size: g.min_size(),
            max_size: g.max_size(),
            instance_count: g.instances().len() as u64,
            health_check_type: g.health_check_type().map(str::to_owned),
            health_check_grace_period: g.health_check_grace_period(),
            availability_zone_count: g.availability_zones().len() as u64,
            launch_template: template_name.map(|n| ctx.key_of_name(n)),
            target_groups,
        };
        let tags = tag_map(g.tags().iter().map(|t| (t.key(), t.value())));
        out.push(ctx.resource(
            GROUP.name,
            name,
            g.auto_scaling_group_arn(),
            tags,
            attributes,
        ));
    }
    Ok(out)
}
