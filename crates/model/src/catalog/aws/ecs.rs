//! ECS services (`aws.ecs.service`) and the task definitions they run (`aws.ecs.task_definition`).

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "aws.ecs.service",
        provider: "aws",
        service: "ecs",
        tagged: true,
        tagging_types: &["ecs:service"],
        doc: "An ECS service, named CLUSTER/SERVICE, with its placement and deployment settings.",
        fields: &[
            Field {
                path: "launch_type",
                ty: FieldType::String,
                doc: "FARGATE, EC2 or EXTERNAL; null when capacity providers decide.",
            },
            Field {
                path: "capacity_providers",
                ty: FieldType::List,
                doc: "The capacity provider strategy, as NAME weight W base B.",
            },
            Field {
                path: "platform_version",
                ty: FieldType::String,
                doc: "The Fargate platform version.",
            },
            Field {
                path: "scheduling_strategy",
                ty: FieldType::String,
                doc: "REPLICA or DAEMON.",
            },
            Field {
                path: "desired_count",
                ty: FieldType::Integer,
                doc: "How many tasks the service keeps running.",
            },
            Field {
                path: "deployment",
                ty: FieldType::Map(&[
                    "controller",
                    "maximum_percent",
                    "minimum_healthy_percent",
                    "circuit_breaker",
                    "rollback",
                ]),
                doc: "How new revisions roll out: controller, percentages, circuit breaker and rollback.",
            },
            Field {
                path: "assign_public_ip",
                ty: FieldType::String,
                doc: "ENABLED or DISABLED for awsvpc tasks.",
            },
            Field {
                path: "task_definition",
                ty: FieldType::String,
                doc: "The task definition family the service runs, by logical key.",
            },
            Field {
                path: "load_balancers",
                ty: FieldType::List,
                doc: "Target groups by logical key, with the container and port they reach.",
            },
            Field {
                path: "health_check_grace_period_seconds",
                ty: FieldType::Integer,
                doc: "How long load balancer health checks are ignored after a task starts.",
            },
            Field {
                path: "enable_execute_command",
                ty: FieldType::Boolean,
                doc: "Whether ECS Exec is on.",
            },
        ],
    },
    Kind {
        name: "aws.ecs.task_definition",
        provider: "aws",
        service: "ecs",
        tagged: false,
        tagging_types: &["ecs:task-definition"],
        doc: "The task definition revision a service runs, by family, with its containers.",
        fields: &[
            Field {
                path: "cpu",
                ty: FieldType::Integer,
                doc: "The task's CPU units.",
            },
            Field {
                path: "memory",
                ty: FieldType::Integer,
                doc: "The task's memory in MiB.",
            },
            Field {
                path: "network_mode",
                ty: FieldType::String,
                doc: "awsvpc, bridge, host or none.",
            },
            Field {
                path: "requires_compatibilities",
                ty: FieldType::List,
                doc: "FARGATE, EC2, EXTERNAL.",
            },
            Field {
                path: "runtime_platform",
                ty: FieldType::Map(&["cpu_architecture", "operating_system_family"]),
                doc: "The CPU architecture and operating system the task runs on.",
            },
            Field {
                path: "containers",
                ty: FieldType::Map(&[]),
                doc: "Per container by name: image (repository, tag, digest), cpu, memory, essential, \
                      environment_names, environment (values through secret detection), secrets (references by \
                      name), port_mappings, health_check, log_driver.",
            },
        ],
    },
];
