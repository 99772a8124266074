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
use crate::secrets::Redactor;
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

    let key_of = |name: &str| ctx.key_of_name(name);
    let mut out: Vec<Resource> = services
        .iter()
        .map(|s| {
            let cluster = s.cluster_arn().map(name_in_arn).unwrap_or_default();
            let name = format!("{cluster}/{}", s.service_name().unwrap_or_default());
            let tags = tag_map(s.tags().iter().map(|t| (t.key(), t.value())));
            ctx.resource(SERVICE.name, &name, s.service_arn(), tags, service_attributes(s, &key_of))
        })
        .collect();
    // Two services on two revisions of one family: both are kept, and the pairing reports the ambiguity.
    out.extend(definitions.iter().filter_map(|d| d.task_definition()).map(|d| {
        let attributes = task_definition_attributes(d, ctx.redactor, &key_of);
        ctx.resource(
            TASK_DEFINITION.name,
            d.family().unwrap_or_default(),
            d.task_definition_arn(),
            BTreeMap::new(),
            attributes,
        )
    }));
    Ok(out)
}

/// A service's attributes from what DescribeServices returned; `key_of` gives a target group's or task family's
/// logical key from its name. No call: the conversion alone, tested without AWS.
pub(crate) fn service_attributes(s: &Service, key_of: &dyn Fn(&str) -> String) -> ecs::Service {
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
            key_of(target),
            lb.container_name().unwrap_or_default(),
            lb.container_port().unwrap_or_default()
        )
    });
    let family = s.task_definition().map(|arn| {
        let family_revision = arn.rsplit('/').next().unwrap_or(arn);
        let family = family_revision.rsplit_once(':').map_or(family_revision, |(f, _)| f);
        key_of(family)
    });
    ecs::Service {
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
    }
}

/// A task definition's attributes, its containers by name; environment values pass the redactor, and secrets
/// are references by logical key (`key_of`).
pub(crate) fn task_definition_attributes(
    d: &TaskDefinition,
    redactor: &Redactor,
    key_of: &dyn Fn(&str) -> String,
) -> ecs::TaskDefinition {
    let containers: envparity_model::catalog::typed::Map = d
        .container_definitions()
        .iter()
        .map(|c| (c.name().unwrap_or_default().to_owned(), container(c, redactor, key_of)))
        .collect();
    let number = |text: Option<&str>| text.and_then(|t| t.parse::<u64>().ok());
    ecs::TaskDefinition {
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
    }
}

fn container(c: &ContainerDefinition, redactor: &Redactor, key_of: &dyn Fn(&str) -> String) -> Value {
    let environment: BTreeMap<&str, &str> = c
        .environment()
        .iter()
        .filter_map(|kv| Some((kv.name()?, kv.value().unwrap_or_default())))
        .collect();
    let values: Map<String, Value> = environment
        .iter()
        .map(|(k, v)| ((*k).to_owned(), redactor.named(k, v)))
        .collect();
    let secrets: Map<String, Value> = c
        .secrets()
        .iter()
        .map(|s| {
            let reference = secret_reference(s.value_from(), key_of);
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
    use aws_sdk_ecs::types::{
        ContainerDefinition, DeploymentCircuitBreaker, DeploymentConfiguration, KeyValuePair, LaunchType,
        LoadBalancer, Secret,
    };
    use envparity_model::keys::derive_key;
    use serde_json::json;

    use super::*;

    #[test]
    fn service_attributes_from_what_ecs_returns() {
        let service = Service::builder()
            .launch_type(LaunchType::Fargate)
            .desired_count(3)
            .task_definition("arn:aws:ecs:eu-west-1:1:task-definition/web-prod:42")
            .deployment_configuration(
                DeploymentConfiguration::builder()
                    .maximum_percent(200)
                    .minimum_healthy_percent(100)
                    .deployment_circuit_breaker(
                        DeploymentCircuitBreaker::builder().enable(true).rollback(true).build(),
                    )
                    .build(),
            )
            .load_balancers(
                LoadBalancer::builder()
                    .target_group_arn("arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web-prod-tg/7")
                    .container_name("web")
                    .container_port(8080)
                    .build(),
            )
            .build();
        let key_of = |name: &str| name.replace("prod", "{env}");
        let value = serde_json::to_value(service_attributes(&service, &key_of)).unwrap();
        assert_eq!(value["launch_type"], "FARGATE");
        assert_eq!(value["task_definition"], "web-{env}");
        assert_eq!(value["load_balancers"], json!(["web-{env}-tg -> web:8080"]));
        assert_eq!(
            value["deployment"],
            json!({"controller": null, "maximum_percent": 200, "minimum_healthy_percent": 100,
                   "circuit_breaker": true, "rollback": true})
        );
    }

    #[test]
    fn task_definition_attributes_redact_secret_values_and_name_secrets_by_reference() {
        let container = ContainerDefinition::builder()
            .name("web")
            .image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2")
            .environment(KeyValuePair::builder().name("API_TOKEN").value("tok_live_abcdef0123456789").build())
            .secrets(
                Secret::builder()
                    .name("DB_PASSWORD")
                    .value_from("arn:aws:ssm:eu-west-1:1:parameter/web/prod/DB_PASSWORD")
                    .build()
                    .unwrap(),
            )
            .build();
        let definition = TaskDefinition::builder().cpu("512").memory("1024").container_definitions(container).build();
        let key_of = |name: &str| name.replace("prod", "{env}");
        let value =
            serde_json::to_value(task_definition_attributes(&definition, &Redactor::new(None), &key_of)).unwrap();
        assert_eq!((value["cpu"].as_u64(), value["memory"].as_u64()), (Some(512), Some(1024)));
        let web = &value["containers"]["web"];
        assert_eq!(web["environment"]["API_TOKEN"]["redacted"], true, "{web}");
        assert_eq!(web["secrets"]["DB_PASSWORD"], "ssm:/web/{env}/DB_PASSWORD");
    }

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
