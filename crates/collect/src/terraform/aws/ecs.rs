//! Amazon ECS: services and task definitions.

use serde_json::Value;

use super::{blocks, first, flag, int, strings, text};

pub(super) fn ecs_service(a: &Value) -> aws_sdk_ecs::types::Service {
    use aws_sdk_ecs::types as ecs;
    let capacity = blocks(a, "capacity_provider_strategy").iter().filter_map(|c| {
        ecs::CapacityProviderStrategyItem::builder()
            .set_capacity_provider(text(c, "capacity_provider").map(str::to_owned))
            .weight(int(c, "weight").unwrap_or(0))
            .base(int(c, "base").unwrap_or(0))
            .build()
            .ok()
    });
    let breaker = first(a, "deployment_circuit_breaker").map(|b| {
        ecs::DeploymentCircuitBreaker::builder()
            .enable(flag(b, "enable").unwrap_or(false))
            .rollback(flag(b, "rollback").unwrap_or(false))
            .build()
    });
    let deployment = ecs::DeploymentConfiguration::builder()
        .set_maximum_percent(int(a, "deployment_maximum_percent"))
        .set_minimum_healthy_percent(int(a, "deployment_minimum_healthy_percent"))
        .set_deployment_circuit_breaker(breaker)
        .build();
    let controller = first(a, "deployment_controller")
        .and_then(|c| text(c, "type"))
        .and_then(|t| {
            ecs::DeploymentController::builder()
                .r#type(ecs::DeploymentControllerType::from(t))
                .build()
                .ok()
        });
    let network = first(a, "network_configuration").map(|n| {
        let assign = match flag(n, "assign_public_ip") {
            Some(true) => ecs::AssignPublicIp::Enabled,
            _ => ecs::AssignPublicIp::Disabled,
        };
        let subnets = strings(n, "subnets").into_iter().map(str::to_owned).collect();
        ecs::NetworkConfiguration::builder()
            .set_awsvpc_configuration(
                ecs::AwsVpcConfiguration::builder()
                    .set_subnets(Some(subnets))
                    .assign_public_ip(assign)
                    .build()
                    .ok(),
            )
            .build()
    });
    let load_balancers = blocks(a, "load_balancer").iter().map(|l| {
        ecs::LoadBalancer::builder()
            .set_target_group_arn(text(l, "target_group_arn").map(str::to_owned))
            .set_load_balancer_name(text(l, "elb_name").map(str::to_owned))
            .set_container_name(text(l, "container_name").map(str::to_owned))
            .set_container_port(int(l, "container_port"))
            .build()
    });
    ecs::Service::builder()
        .set_launch_type(text(a, "launch_type").map(ecs::LaunchType::from))
        .set_capacity_provider_strategy(Some(capacity.collect()))
        .set_platform_version(text(a, "platform_version").map(str::to_owned))
        .set_scheduling_strategy(text(a, "scheduling_strategy").map(ecs::SchedulingStrategy::from))
        .desired_count(int(a, "desired_count").unwrap_or(0))
        .deployment_configuration(deployment)
        .set_deployment_controller(controller)
        .set_network_configuration(network)
        .set_task_definition(text(a, "task_definition").map(str::to_owned))
        .set_load_balancers(Some(load_balancers.collect()))
        // The provider writes 0 for none, where AWS gives none.
        .set_health_check_grace_period_seconds(int(a, "health_check_grace_period_seconds").filter(|s| *s > 0))
        .enable_execute_command(flag(a, "enable_execute_command").unwrap_or(false))
        .build()
}

pub(super) fn task_definition(a: &Value) -> aws_sdk_ecs::types::TaskDefinition {
    use aws_sdk_ecs::types as ecs;
    // The containers are JSON text in the API's own shape (camelCase), as RegisterTaskDefinition takes them.
    let containers: Vec<Value> = text(a, "container_definitions")
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    let containers = containers.iter().map(|c| {
        let pairs = |name: &str| {
            blocks(c, name)
                .iter()
                .filter_map(|kv| Some((text(kv, "name")?.to_owned(), kv)))
                .collect::<Vec<_>>()
        };
        let health = c.get("healthCheck").and_then(|h| {
            ecs::HealthCheck::builder()
                .set_command(Some(
                    strings(h, "command").into_iter().map(str::to_owned).collect(),
                ))
                .set_interval(int(h, "interval"))
                .set_timeout(int(h, "timeout"))
                .set_retries(int(h, "retries"))
                .set_start_period(int(h, "startPeriod"))
                .build()
                .ok()
        });
        let log = c
            .get("logConfiguration")
            .and_then(|l| text(l, "logDriver"))
            .and_then(|d| {
                ecs::LogConfiguration::builder()
                    .log_driver(ecs::LogDriver::from(d))
                    .build()
                    .ok()
            });
        ecs::ContainerDefinition::builder()
            .set_name(text(c, "name").map(str::to_owned))
            .set_image(text(c, "image").map(str::to_owned))
            .cpu(int(c, "cpu").unwrap_or(0))
            .set_memory(int(c, "memory"))
            .set_memory_reservation(int(c, "memoryReservation"))
            .set_essential(c.get("essential").and_then(Value::as_bool))
            .set_environment(Some(
                pairs("environment")
                    .into_iter()
                    .map(|(name, kv)| {
                        ecs::KeyValuePair::builder()
                            .name(name)
                            .set_value(text(kv, "value").map(str::to_owned))
                            .build()
                    })
                    .collect(),
            ))
            .set_secrets(Some(
                pairs("secrets")
                    .into_iter()
                    .filter_map(|(name, kv)| {
                        ecs::Secret::builder()
                            .name(name)
                            .value_from(text(kv, "valueFrom").unwrap_or_default())
                            .build()
                            .ok()
                    })
                    .collect(),
            ))
            .set_port_mappings(Some(
                blocks(c, "portMappings")
                    .iter()
                    .map(|p| {
                        ecs::PortMapping::builder()
                            .set_container_port(int(p, "containerPort"))
                            .set_protocol(text(p, "protocol").map(ecs::TransportProtocol::from))
                            .build()
                    })
                    .collect(),
            ))
            .set_health_check(health)
            .set_log_configuration(log)
            .build()
    });
    let platform = first(a, "runtime_platform").map(|p| {
        ecs::RuntimePlatform::builder()
            .set_cpu_architecture(text(p, "cpu_architecture").map(ecs::CpuArchitecture::from))
            .set_operating_system_family(text(p, "operating_system_family").map(ecs::OsFamily::from))
            .build()
    });
    ecs::TaskDefinition::builder()
        .set_family(text(a, "family").map(str::to_owned))
        .set_cpu(text(a, "cpu").map(str::to_owned))
        .set_memory(text(a, "memory").map(str::to_owned))
        .set_network_mode(text(a, "network_mode").map(ecs::NetworkMode::from))
        .set_requires_compatibilities(Some(
            strings(a, "requires_compatibilities")
                .into_iter()
                .map(ecs::Compatibility::from)
                .collect(),
        ))
        .set_runtime_platform(platform)
        .set_container_definitions(Some(containers.collect()))
        .build()
}
