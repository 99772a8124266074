//! Amazon EC2: instances and launch templates.

use serde_json::Value;

use super::{States, blocks, boolish, first, flag, int, strings, text};

pub(super) fn ec2_instance(
    a: &Value,
    states: &States,
    key_of: &dyn Fn(&str) -> String,
) -> envparity_model::catalog::aws::ec2::Instance {
    use aws_sdk_ec2::types as ec2;
    let monitoring = flag(a, "monitoring").map(|on| {
        ec2::Monitoring::builder()
            .state(match on {
                true => ec2::MonitoringState::Enabled,
                false => ec2::MonitoringState::Disabled,
            })
            .build()
    });
    let metadata = first(a, "metadata_options")
        .and_then(|m| text(m, "http_tokens"))
        .map(|t| {
            ec2::InstanceMetadataOptionsResponse::builder()
                .http_tokens(ec2::HttpTokensState::from(t))
                .build()
        });
    // Groups by name, as DescribeInstances names them: a VPC's groups by id through the state's groups.
    let groups = strings(a, "vpc_security_group_ids")
        .into_iter()
        .map(|id| states.security_group(id, &|name| name.to_owned()))
        .chain(strings(a, "security_groups").into_iter().map(str::to_owned))
        .map(|name| ec2::GroupIdentifier::builder().group_name(name).build());
    let instance = ec2::Instance::builder()
        .set_instance_type(text(a, "instance_type").map(ec2::InstanceType::from))
        .set_ebs_optimized(flag(a, "ebs_optimized"))
        .set_monitoring(monitoring)
        .set_metadata_options(metadata)
        .set_security_groups(Some(groups.collect()))
        .build();
    let mut attributes = crate::aws::ec2::instance_attributes(&instance, key_of);
    attributes.root_volume =
        first(a, "root_block_device").map(|r| envparity_model::catalog::aws::ec2::RootVolume {
            r#type: text(r, "volume_type").map(str::to_owned).into(),
            size_gb: int(r, "volume_size").into(),
            encrypted: flag(r, "encrypted").into(),
        });
    attributes
}

pub(super) fn launch_template(a: &Value) -> aws_sdk_ec2::types::ResponseLaunchTemplateData {
    use aws_sdk_ec2::types as ec2;
    let devices = blocks(a, "block_device_mappings").iter().map(|m| {
        let ebs = first(m, "ebs").map(|e| {
            ec2::LaunchTemplateEbsBlockDevice::builder()
                .set_volume_type(text(e, "volume_type").map(ec2::VolumeType::from))
                .set_volume_size(int(e, "volume_size"))
                .set_encrypted(boolish(e, "encrypted"))
                .build()
        });
        ec2::LaunchTemplateBlockDeviceMapping::builder()
            .set_device_name(text(m, "device_name").map(str::to_owned))
            .set_ebs(ebs)
            .build()
    });
    let metadata = first(a, "metadata_options")
        .and_then(|m| text(m, "http_tokens"))
        .map(|t| {
            ec2::LaunchTemplateInstanceMetadataOptions::builder()
                .http_tokens(ec2::LaunchTemplateHttpTokensState::from(t))
                .build()
        });
    ec2::ResponseLaunchTemplateData::builder()
        .set_instance_type(text(a, "instance_type").map(ec2::InstanceType::from))
        .set_metadata_options(metadata)
        .set_block_device_mappings(Some(devices.collect()))
        .build()
}
