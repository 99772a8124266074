//! ECS services (`aws.ecs.service`) and the task definitions they run (`aws.ecs.task_definition`).
//!
//! Clusters and their services are listed, then described ten at a time (DescribeServices' batch, tags
//! included). Only the task definition a service runs is read, one DescribeTaskDefinition per distinct revision
//! (ECS has no batch call for it): other revisions are history, not the environment.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecs::types::{ContainerDefinition, Service, ServiceField, TaskDefinition};
use serde_json::{Map, Value, json};

use super::{RegionContext, each, name_in_arn, string_set, tag_map};
use crate::CollectError;
use envparity_model::catalog::typed::map_of;
use crate::image::ImageRef;
use envparity_model::catalog::aws::ecs::{self, SERVICE, TASK_DEFINITION};
use envparity_model::snapshot::Resource;

/// DescribeServices takes at most this many services per call.
const DESCRIBE_BATCH: usize = 10;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_ecs, ctx);
    let clusters = ctx
        .pages("ListClusters", client.list_clusters().max_results(100).into_paginator().send())
        .await?;
    let clusters: Vec<&str> = clusters.iter().flat_map(|p| p.cluster_arns()).map(String::as_str).collect();
    let listed = each(ctx, &clusters, |cluster| async {
        let pages = ctx
            .pages(
                "ListServices",
                client.list_services().cluster(*cluster).max_results(100).into_paginator().send(),
            )
            .await?;
        let arns: Vec<String> = pages.iter().flat_map(|p| p.service_arns()).cloned().collect();
        Ok(arns.chunks(DESCRIBE_BATCH).map(|c| (*cluster, c.to_vec())).collect::<Vec<_>>())
    })
    .await?;
    let batches: Vec<(&str, Vec<String>)> = listed.into_iter().flatten().collect();
    let described = each(ctx, &batches, |(cluster, arns)| {
        ctx.send(
            "DescribeServices",
            client
                .describe_services()
                .cluster(*cluster)
                .set_services(Some(arns.clone()))
                .include(ServiceField::Tags)
                .send(),
        )
    })
    .await?;
    if let Some(failure) = described.iter().flat_map(|d| d.failures()).next() {
        return Err(CollectError {
            code: failure.reason().map(str::to_owned),
            message: format!("DescribeServices: {}", failure.arn().unwrap_or_default()),
        });
    }
    let services: Vec<&Service> = described.iter().flat_map(|d| d.services()).collect();

    let revisions: Vec<&str> = services
        .iter()
        .filter_map(|s| s.task_definition())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let definitions = each(ctx, &revisions, |arn| {
        ctx.send(
            "DescribeTaskDefinition",
            client.describe_task_definition().task_definition(*arn).send(),
        )
    })
    .await?;

    let mut out: Vec<Resource> = services.iter().map(|s| service(ctx, s)).collect();
    // Two services on two revisions of one family: both are kept, and the pairing reports the ambiguity.
    out.extend(definitions.iter().filter_map(|d| d.task_definition()).map(|d| task_definition(ctx, d)));
    Ok(out)
}

fn service(ctx: &RegionContext<'_>, s: &Service) -> Resource {
    let cluster = s.cluster_arn().map(name_in_arn).unwrap_or_default();
    let name = format!("{cluster}/{}", s.service_name().unwrap_or_default());
    let capacity = s.capacity_provider_strategy().iter().map(|c| {
        format!(
            "{} weight {} base {}",
            c.capacity_provider(),
            c.weight(),
            c.base()
        )
    });
    let deployment = s.deployment_configuration();
    let breaker = deployment.and_then(|d| d.deployment_circuit_breaker());
    let deployment = map_of(json!({
        "controller": s.deployment_controller().map(|c| c.r#type().as_str()),
        "maximum_percent": deployment.and_then(|d| d.maximum_percent()),
        "minimum_healthy_percent": deployment.and_then(|d| d.minimum_healthy_percent()),
        "circuit_breaker": breaker.map(|b| b.enable()),
        "rollback": breaker.map(|b| b.rollback()),
    }));
    let load_balancers = s.load_balancers().iter().map(|lb| {
        let target = lb
            .target_group_arn()
            .map(name_in_arn)
            .or(lb.load_balancer_name())
            .unwrap_or_default();
        format!(
            "{} -> {}:{}",
            ctx.key_of_name(target),
            lb.container_name().unwrap_or_default(),
            lb.container_port().unwrap_or_default()
        )
    });
    let family = s.task_definition().map(|arn| {
        let family_revision = arn.rsplit('/').next().unwrap_or(arn);
        let family = family_revision.rsplit_once(':').map_or(family_revision, |(f, _)| f);
        ctx.key_of_name(family)
    });
    let attributes = ecs::Service {
        launch_type: s.launch_type().map(|l| l.as_str().to_owned()).into(),
        capacity_providers: string_set(capacity),
        platform_version: s.platform_version().map(str::to_owned),
        scheduling_strategy: s.scheduling_strategy().map(|s| s.as_str().to_owned()),
        desired_count: s.desired_count(),
        deployment,
        assign_public_ip: s
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .and_then(|a| a.assign_public_ip())
            .map(|a| a.as_str().to_owned()),
        task_definition: family,
        load_balancers: string_set(load_balancers),
        health_check_grace_period_seconds: s.health_check_grace_period_seconds(),
        enable_execute_command: s.enable_execute_command(),
    };
    let tags = tag_map(s.tags().iter().map(|t| (t.key(), t.value())));
    ctx.resource(SERVICE.name, &name, s.service_arn(), tags, attributes)
}

fn task_definition(ctx: &RegionContext<'_>, d: &TaskDefinition) -> Resource {
    let containers: envparity_model::catalog::typed::Map = d
        .container_definitions()
        .iter()
        .map(|c| (c.name().unwrap_or_default().to_owned(), container(ctx, c)))
        .collect();
    let number = |text: Option<&str>| text.and_then(|t| t.parse::<u64>().ok());
    let attributes = ecs::TaskDefinition {
        cpu: number(d.cpu()),
        memory: number(d.memory()),
        network_mode: d.network_mode().map(|m| m.as_str().to_owned()),
        requires_compatibilities: string_set(d.requires_compatibilities().iter().map(|c| c.as_str().to_owned())),
        runtime_platform: d.runtime_platform().map(|p| {
            map_of(json!({
                "cpu_architecture": p.cpu_architecture().map(|a| a.as_str()),
                "operating_system_family": p.operating_system_family().map(|o| o.as_str()),
            }))
        }),
        containers,
    };
    let family = d.family().unwrap_or_default();
    ctx.resource(
        TASK_DEFINITION.name,
        family,
        d.task_definition_arn(),
        BTreeMap::new(),
        attributes,
    )
}

fn container(ctx: &RegionContext<'_>, c: &ContainerDefinition) -> Value {
    let environment: BTreeMap<&str, &str> = c
        .environment()
        .iter()
        .filter_map(|kv| Some((kv.name()?, kv.value().unwrap_or_default())))
        .collect();
    let values: Map<String, Value> = environment
        .iter()
        .map(|(k, v)| ((*k).to_owned(), ctx.redactor.text(k, v)))
        .collect();
    let secrets: Map<String, Value> = c
        .secrets()
        .iter()
        .map(|s| {
            let reference = secret_reference(s.value_from(), |name| ctx.key_of_name(name));
            (s.name().to_owned(), Value::from(reference))
        })
        .collect();
    let ports = c.port_mappings().iter().map(|p| {
        format!(
            "{}/{}",
            p.container_port().unwrap_or_default(),
            p.protocol().map_or("tcp", |p| p.as_str())
        )
    });
    let health = c.health_check().map(|h| {
        json!({
            "command": h.command(),
            "interval_seconds": h.interval(),
            "timeout_seconds": h.timeout(),
            "retries": h.retries(),
            "start_period_seconds": h.start_period(),
        })
    });
    json!({
        "image": c.image().map(|i| ImageRef::parse(i).to_value()),
        "cpu": c.cpu(),
        "memory": c.memory(),
        "memory_reservation": c.memory_reservation(),
        "essential": c.essential().unwrap_or(true),
        "environment_names": environment.keys().collect::<Vec<_>>(),
        "environment": values,
        "secrets": secrets,
        "port_mappings": string_set(ports),
        "health_check": health,
        "log_driver": c.log_configuration().map(|l| l.log_driver().as_str()),
    })
}

/// A container secret's source by name, never by ARN (whose account differs by design): `ssm:/shop/{env}/db`,
/// `secretsmanager:shop/{env}/api-key`. A Secrets Manager ARN's random six-character suffix is dropped, and so
/// is a JSON key or version after the name. `key` gives a name's logical key.
fn secret_reference(value_from: &str, key: impl Fn(&str) -> String) -> String {
    let Some((service, resource)) = super::split_arn(value_from) else {
        // A bare name: a parameter of the task's own account and region.
        return format!("ssm:{}", key(value_from));
    };
    let name = match service {
        "ssm" => resource.strip_prefix("parameter").unwrap_or(resource).to_owned(),
        "secretsmanager" => {
            let name = resource.strip_prefix("secret:").unwrap_or(resource);
            let name = name.split(':').next().unwrap_or(name);
            without_secret_suffix(name).to_owned()
        }
        _ => resource.to_owned(),
    };
    format!("{service}:{}", key(&name))
}

/// A secret's name without the `-AbCdEf` that Secrets Manager appends in its ARNs.
fn without_secret_suffix(name: &str) -> &str {
    match name.rsplit_once('-') {
        Some((base, suffix)) if suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()) => base,
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::secret_reference;
    use envparity_model::keys::derive_key;

    fn reference(value_from: &str) -> String {
        secret_reference(value_from, |name| derive_key(name, &["staging".into(), "prod".into()]))
    }

    #[test]
    fn secret_references_by_name_without_account_or_suffix() {
        assert_eq!(
            reference("arn:aws:ssm:eu-west-1:111111111111:parameter/shop/staging/DB_PASSWORD"),
            "ssm:/shop/{env}/DB_PASSWORD"
        );
        assert_eq!(
            reference("arn:aws:secretsmanager:eu-west-1:222222222222:secret:shop/prod/stripe-key-AbC123"),
            "secretsmanager:shop/{env}/stripe-key"
        );
        assert_eq!(
            reference("arn:aws:secretsmanager:eu-west-1:2:secret:shop/prod/db-Xy9z8w:password::"),
            "secretsmanager:shop/{env}/db"
        );
        assert_eq!(reference("/shop/prod/API_KEY"), "ssm:/shop/{env}/API_KEY");
    }
}
