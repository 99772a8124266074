//! EC2: standalone instances (`aws.ec2.instance`) and launch templates (`aws.ec2.launch_template`).
//!
//! Instances launched by an Auto Scaling group fold into the group and are left out here. AMI ids become AMI
//! names and security group ids become keys, because ids differ between environments by design.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, InstanceStateName, ResponseLaunchTemplateData};
use serde_json::{Value, json};

use super::{RegionContext, string_set, tag_map};
use crate::CollectError;
use envparity_model::catalog::aws::ec2::{self, INSTANCE, LAUNCH_TEMPLATE, LaunchTemplate, Metadata, RootVolume};
use envparity_model::snapshot::Resource;

/// The tag AWS puts on instances an Auto Scaling group launched.
const ASG_TAG: &str = "aws:autoscaling:groupName";
/// Ids per DescribeImages / DescribeVolumes call.
const IDS_PER_CALL: usize = 200;

struct Instance {
    id: String,
    name: String,
    tags: BTreeMap<String, String>,
    attributes: ec2::Instance,
    image_id: Option<String>,
    root_volume_id: Option<String>,
    /// Its public DNS name and address. (Private ones repeat across VPCs and accounts: they tell nothing apart.)
    identifiers: [Option<String>; 2],
}

struct Template {
    id: String,
    name: String,
    attributes: LaunchTemplate,
    image_id: Option<String>,
}

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_ec2, ctx);
    let (instances, templates) = tokio::try_join!(instances(ctx, &client), templates(ctx, &client))?;

    let image_ids: BTreeSet<&str> = instances
        .iter()
        .filter_map(|i| i.image_id.as_deref())
        .chain(templates.iter().filter_map(|t| t.image_id.as_deref()))
        .collect();
    let volume_ids: BTreeSet<&str> = instances
        .iter()
        .filter_map(|i| i.root_volume_id.as_deref())
        .collect();
    let template_tags = async {
        match ctx.needs_tags && !templates.is_empty() {
            true => template_tags(ctx, &client).await,
            false => Ok(HashMap::new()),
        }
    };
    let (images, volumes, template_tags) = tokio::try_join!(
        image_names(ctx, &client, image_ids),
        root_volumes(ctx, &client, volume_ids),
        template_tags,
    )?;

    // An AMI that can no longer be described has no name to compare: null, never its id.
    let image = |id: &Option<String>| id.as_deref().and_then(|id| images.get(id).cloned()).into();
    let mut out = Vec::new();
    for mut i in instances {
        i.attributes.image = image(&i.image_id);
        i.attributes.root_volume = i.root_volume_id.as_deref().and_then(|v| volumes.get(v)).cloned();
        let identifiers = i.identifiers.each_ref().map(Option::as_deref);
        out.push(ctx.reachable_resource(
            INSTANCE.name,
            &i.name,
            Some(&i.id),
            i.tags,
            i.attributes,
            identifiers,
        ));
    }
    for mut t in templates {
        t.attributes.image = image(&t.image_id);
        let tags = template_tags.get(&t.id).cloned().unwrap_or_default();
        out.push(ctx.resource(
            LAUNCH_TEMPLATE.name,
            &t.name,
            Some(&t.id),
            tags,
            t.attributes,
        ));
    }
    Ok(out)
}

async fn instances(ctx: &RegionContext<'_>, client: &Client) -> Result<Vec<Instance>, CollectError> {
    let pages = ctx
        .pages(
            "DescribeInstances",
            client
                .describe_instances()
                .max_results(1000)
                .into_paginator()
                .send(),
        )
        .await?;
    let mut out = Vec::new();
    for page in &pages {
        for i in page.reservations().iter().flat_map(|r| r.instances()) {
            let state = i.state().and_then(|s| s.name());
            if matches!(
                state,
                Some(InstanceStateName::Terminated | InstanceStateName::ShuttingDown)
            ) {
                continue;
            }
            let tags = tag_map(i.tags().iter().map(|t| (t.key(), t.value())));
            if tags.contains_key(ASG_TAG) {
                continue;
            }
            let id = i.instance_id().unwrap_or_default().to_owned();
            let name = tags.get("Name").cloned().unwrap_or_else(|| id.clone());
            let root_volume_id = i
                .block_device_mappings()
                .iter()
                .find(|m| m.device_name() == i.root_device_name())
                .and_then(|m| m.ebs())
                .and_then(|e| e.volume_id())
                .map(str::to_owned);
            let attributes = instance_attributes(i, |name| ctx.key_of_name(name));
            out.push(Instance {
                id,
                name,
                tags,
                attributes,
                image_id: i.image_id().map(str::to_owned),
                root_volume_id,
                identifiers: [i.public_dns_name(), i.public_ip_address()].map(|x| x.map(str::to_owned)),
            });
        }
    }
    Ok(out)
}

/// The default version of every launch template, in one paginated call.
async fn templates(ctx: &RegionContext<'_>, client: &Client) -> Result<Vec<Template>, CollectError> {
    let pages = ctx
        .pages(
            "DescribeLaunchTemplateVersions",
            client
                .describe_launch_template_versions()
                .versions("$Default")
                .max_results(200)
                .into_paginator()
                .send(),
        )
        .await?;
    let mut out = Vec::new();
    for v in pages.iter().flat_map(|p| p.launch_template_versions()) {
        let data = v.launch_template_data();
        out.push(Template {
            id: v.launch_template_id().unwrap_or_default().to_owned(),
            name: v.launch_template_name().unwrap_or_default().to_owned(),
            attributes: data.map(template_attributes).unwrap_or_default(),
            image_id: data.and_then(|d| d.image_id()).map(str::to_owned),
        });
    }
    Ok(out)
}

async fn image_names(
    ctx: &RegionContext<'_>,
    client: &Client,
    ids: BTreeSet<&str>,
) -> Result<HashMap<String, String>, CollectError> {
    let ids: Vec<&str> = ids.into_iter().collect();
    let mut names = HashMap::new();
    for chunk in ids.chunks(IDS_PER_CALL) {
        let filter = Filter::builder()
            .name("image-id")
            .set_values(Some(chunk.iter().map(|s| s.to_string()).collect()))
            .build();
        let out = ctx
            .send("DescribeImages", client.describe_images().filters(filter).send())
            .await?;
        for image in out.images() {
            if let (Some(id), Some(name)) = (image.image_id(), image.name()) {
                names.insert(id.to_owned(), name.to_owned());
            }
        }
    }
    Ok(names)
}

async fn root_volumes(
    ctx: &RegionContext<'_>,
    client: &Client,
    ids: BTreeSet<&str>,
) -> Result<HashMap<String, RootVolume>, CollectError> {
    let ids: Vec<&str> = ids.into_iter().collect();
    let mut volumes = HashMap::new();
    for chunk in ids.chunks(IDS_PER_CALL) {
        let filter = Filter::builder()
            .name("volume-id")
            .set_values(Some(chunk.iter().map(|s| s.to_string()).collect()))
            .build();
        let pages = ctx
            .pages(
                "DescribeVolumes",
                client
                    .describe_volumes()
                    .filters(filter)
                    .max_results(500)
                    .into_paginator()
                    .send(),
            )
            .await?;
        for v in pages.iter().flat_map(|p| p.volumes()) {
            volumes.insert(
                v.volume_id().unwrap_or_default().to_owned(),
                RootVolume {
                    r#type: v.volume_type().map(|t| t.as_str().to_owned()).into(),
                    size_gb: v.size().into(),
                    encrypted: v.encrypted().into(),
                },
            );
        }
    }
    Ok(volumes)
}

/// An instance's attributes from what DescribeInstances returned, its image and root volume still to come;
/// `key_of` gives a security group's logical key from its name. No call: the conversion alone, tested without AWS.
pub(crate) fn instance_attributes(i: &aws_sdk_ec2::types::Instance, key_of: impl Fn(&str) -> String) -> ec2::Instance {
    ec2::Instance {
        instance_type: i.instance_type().map(|t| t.as_str().to_owned()),
        architecture: i.architecture().map(|a| a.as_str().to_owned()),
        ebs_optimized: i.ebs_optimized(),
        monitoring: i.monitoring().and_then(|m| m.state()).map(|s| s.as_str() == "enabled"),
        metadata: metadata(i.metadata_options().and_then(|m| m.http_tokens())),
        security_groups: string_set(i.security_groups().iter().filter_map(|g| g.group_name()).map(key_of)),
        ..ec2::Instance::default()
    }
}

/// A launch template version's attributes, its image still to come: block devices sorted by device.
pub(crate) fn template_attributes(data: &ResponseLaunchTemplateData) -> LaunchTemplate {
    let mut devices: Vec<Value> = data
        .block_device_mappings()
        .iter()
        .map(|m| {
            let ebs = m.ebs();
            json!({
                "device": m.device_name(),
                "type": ebs.and_then(|e| e.volume_type()).map(|t| t.as_str()),
                "size_gb": ebs.and_then(|e| e.volume_size()),
                "encrypted": ebs.and_then(|e| e.encrypted()),
            })
        })
        .collect();
    devices.sort_by(|a, b| a["device"].as_str().cmp(&b["device"].as_str()));
    LaunchTemplate {
        instance_type: data.instance_type().map(|t| t.as_str().to_owned()),
        metadata: metadata(data.metadata_options().and_then(|m| m.http_tokens())),
        block_devices: devices,
        image: None.into(),
    }
}

/// The instance metadata options, when their HTTP tokens setting is known.
fn metadata(http_tokens: Option<&impl AsRef<str>>) -> Option<Metadata> {
    http_tokens.map(|t| Metadata {
        http_tokens: t.as_ref().to_owned(),
    })
}

async fn template_tags(
    ctx: &RegionContext<'_>,
    client: &Client,
) -> Result<HashMap<String, BTreeMap<String, String>>, CollectError> {
    let pages = ctx
        .pages(
            "DescribeLaunchTemplates",
            client
                .describe_launch_templates()
                .max_results(200)
                .into_paginator()
                .send(),
        )
        .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.launch_templates())
        .map(|t| {
            (
                t.launch_template_id().unwrap_or_default().to_owned(),
                tag_map(t.tags().iter().map(|t| (t.key(), t.value()))),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use aws_sdk_ec2::types::{
        GroupIdentifier, HttpTokensState, InstanceMetadataOptionsResponse, InstanceType,
        LaunchTemplateBlockDeviceMapping, LaunchTemplateEbsBlockDevice, Monitoring, MonitoringState, VolumeType,
    };

    use super::*;

    #[test]
    fn instance_attributes_from_what_ec2_returns() {
        let instance = aws_sdk_ec2::types::Instance::builder()
            .instance_type(InstanceType::M6iLarge)
            .ebs_optimized(true)
            .monitoring(Monitoring::builder().state(MonitoringState::Disabled).build())
            .metadata_options(
                InstanceMetadataOptionsResponse::builder().http_tokens(HttpTokensState::Required).build(),
            )
            .security_groups(GroupIdentifier::builder().group_name("web-prod").group_id("sg-1").build())
            .security_groups(GroupIdentifier::builder().group_name("admin").group_id("sg-2").build())
            .build();
        let attributes = instance_attributes(&instance, |name| name.replace("prod", "{env}"));
        assert_eq!(
            serde_json::to_value(attributes).unwrap(),
            json!({
                "instance_type": "m6i.large", "ebs_optimized": true, "monitoring": false,
                "metadata": {"http_tokens": "required"}, "security_groups": ["admin", "web-{env}"],
                "image": null,
            })
        );
    }

    #[test]
    fn template_attributes_sort_block_devices_by_device() {
        let device = |name: &str, size: i32| {
            LaunchTemplateBlockDeviceMapping::builder()
                .device_name(name)
                .ebs(LaunchTemplateEbsBlockDevice::builder().volume_type(VolumeType::Gp3).volume_size(size).build())
                .build()
        };
        let data = ResponseLaunchTemplateData::builder()
            .block_device_mappings(device("/dev/xvdb", 100))
            .block_device_mappings(device("/dev/xvda", 8))
            .build();
        assert_eq!(
            serde_json::to_value(template_attributes(&data)).unwrap(),
            json!({
                "block_devices": [
                    {"device": "/dev/xvda", "type": "gp3", "size_gb": 8, "encrypted": null},
                    {"device": "/dev/xvdb", "type": "gp3", "size_gb": 100, "encrypted": null},
                ],
                "image": null,
            })
        );
    }
}
