//! Auto Scaling groups (`aws.autoscaling.group`): fleets compared as fleets.
//!
//! `instance_types` is the set of types the group runs: the mixed instances policy's overrides if it has them,
//! else the types of its instances, else (for an empty group) its launch template's.

use std::collections::BTreeMap;

use super::{RegionContext, name_in_arn, string_set, tag_map};
use crate::CollectError;
use aws_sdk_autoscaling::types::AutoScalingGroup;
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
        let instance_types = if let Some(types) = own_instance_types(g) {
            Some(types)
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

        let attributes = group_attributes(g, instance_types, |name| ctx.key_of_name(name));
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

/// The instance types a group names itself: its mixed-instances overrides, else the types of its instances; none
/// for an empty group without overrides (its launch template's are then read).
fn own_instance_types(g: &AutoScalingGroup) -> Option<Vec<String>> {
    let overrides: Vec<String> = g
        .mixed_instances_policy()
        .and_then(|m| m.launch_template())
        .map(|m| m.overrides())
        .unwrap_or_default()
        .iter()
        .filter_map(|o| o.instance_type().map(str::to_owned))
        .collect();
    let running = || g.instances().iter().filter_map(|i| i.instance_type().map(str::to_owned));
    match overrides.is_empty() {
        false => Some(string_set(overrides)),
        true => Some(string_set(running())).filter(|types| !types.is_empty()),
    }
}

/// A group's attributes from what DescribeAutoScalingGroups returned, with its instance types; `key_of` gives a
/// launch template's or target group's logical key from its name. No call: the conversion alone, tested without
/// AWS.
pub(crate) fn group_attributes(
    g: &AutoScalingGroup,
    instance_types: Option<Vec<String>>,
    key_of: impl Fn(&str) -> String,
) -> Group {
    let template = g.launch_template().or_else(|| {
        g.mixed_instances_policy()
            .and_then(|m| m.launch_template())
            .and_then(|m| m.launch_template_specification())
    });
    Group {
        instance_types,
        desired_capacity: g.desired_capacity(),
        min_size: g.min_size(),
        max_size: g.max_size(),
        instance_count: g.instances().len() as u64,
        health_check_type: g.health_check_type().map(str::to_owned),
        health_check_grace_period: g.health_check_grace_period(),
        availability_zone_count: g.availability_zones().len() as u64,
        launch_template: template.and_then(|s| s.launch_template_name()).map(&key_of),
        target_groups: string_set(g.target_group_arns().iter().map(|arn| key_of(name_in_arn(arn)))),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_autoscaling::types::{
        Instance, LaunchTemplate, LaunchTemplateOverrides, LaunchTemplateSpecification, MixedInstancesPolicy,
    };
    use serde_json::json;

    use super::*;

    #[test]
    fn group_attributes_from_what_auto_scaling_returns() {
        let instance = |t: &str| Instance::builder().instance_type(t).build();
        let group = AutoScalingGroup::builder()
            .desired_capacity(3)
            .min_size(2)
            .max_size(6)
            .instances(instance("m6i.large"))
            .instances(instance("m6i.large"))
            .availability_zones("eu-west-1a")
            .availability_zones("eu-west-1b")
            .launch_template(LaunchTemplateSpecification::builder().launch_template_name("web-prod-lt").build())
            .target_group_arns("arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web-prod-tg/73e2")
            .build();
        let types = own_instance_types(&group);
        assert_eq!(
            serde_json::to_value(group_attributes(&group, types, |n| n.replace("prod", "{env}"))).unwrap(),
            json!({
                "instance_types": ["m6i.large"], "desired_capacity": 3, "min_size": 2, "max_size": 6,
                "instance_count": 2, "availability_zone_count": 2, "launch_template": "web-{env}-lt",
                "target_groups": ["web-{env}-tg"],
            })
        );
    }

    #[test]
    fn overrides_outrank_running_instances_and_an_empty_group_names_none() {
        let mixed = MixedInstancesPolicy::builder()
            .launch_template(
                LaunchTemplate::builder()
                    .overrides(LaunchTemplateOverrides::builder().instance_type("m7g.large").build())
                    .overrides(LaunchTemplateOverrides::builder().instance_type("m6g.large").build())
                    .build(),
            )
            .build();
        let group = AutoScalingGroup::builder()
            .mixed_instances_policy(mixed)
            .instances(Instance::builder().instance_type("m6g.large").build())
            .build();
        assert_eq!(own_instance_types(&group), Some(vec!["m6g.large".to_owned(), "m7g.large".to_owned()]));
        assert_eq!(own_instance_types(&AutoScalingGroup::builder().build()), None);
    }
}
