//! EC2 Auto Scaling: groups, with the instance types their launch templates give them.

use serde_json::Value;

use super::{States, blocks, first, int, strings, text};

pub(super) fn auto_scaling_group(
    a: &Value,
    states: &States,
    key_of: &dyn Fn(&str) -> String,
) -> envparity_model::catalog::aws::autoscaling::Group {
    use aws_sdk_autoscaling::types as asg;
    let mixed = first(a, "mixed_instances_policy").and_then(|m| first(m, "launch_template"));
    let spec =
        first(a, "launch_template").or_else(|| mixed.and_then(|m| first(m, "launch_template_specification")));
    // The template as the state holds it, by id or name: its name and instance type.
    let template = spec.and_then(|s| {
        let by = |attribute: &str| {
            states
                .configuring("aws_launch_template", text(s, attribute))
                .first()
                .copied()
        };
        by("id")
            .or_else(|| by("name"))
            .or_else(|| by("launch_template_id"))
            .or_else(|| by("launch_template_name"))
    });
    let template_name = spec
        .and_then(|s| text(s, "name").or_else(|| text(s, "launch_template_name")))
        .or_else(|| template.and_then(|t| text(&t.attributes, "name")));
    let overrides: Vec<String> = mixed
        .map(|m| blocks(m, "override"))
        .unwrap_or_default()
        .iter()
        .filter_map(|o| text(o, "instance_type").map(str::to_owned))
        .collect();
    let instance_types = match overrides.is_empty() {
        false => Some(crate::aws::string_set(overrides)),
        true => template
            .and_then(|t| text(&t.attributes, "instance_type"))
            .map(|t| vec![t.to_owned()]),
    };
    let group = asg::AutoScalingGroup::builder()
        .set_desired_capacity(int(a, "desired_capacity"))
        .set_min_size(int(a, "min_size"))
        .set_max_size(int(a, "max_size"))
        .set_health_check_type(text(a, "health_check_type").map(str::to_owned))
        .set_health_check_grace_period(int(a, "health_check_grace_period"))
        .set_launch_template(template_name.map(|n| {
            asg::LaunchTemplateSpecification::builder()
                .launch_template_name(n)
                .build()
        }))
        .set_target_group_arns(Some(
            strings(a, "target_group_arns")
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ))
        .build();
    crate::aws::autoscaling::group_attributes(&group, instance_types, key_of)
}
