//! ECS services (`aws.ecs.service`) and the task definitions they run (`aws.ecs.task_definition`).

use crate::catalog::Kind;
use crate::catalog::typed::{Map, OrNull, Typed};

crate::attributes! {
    /// The attributes of `aws.ecs.service`.
    pub struct Service {
        /// FARGATE, EC2 or EXTERNAL; null when capacity providers decide.
        pub launch_type: OrNull<String>,
        /// The capacity provider strategy, as NAME weight W base B.
        pub capacity_providers: Vec<String>,
        /// The Fargate platform version.
        pub platform_version: Option<String>,
        /// REPLICA or DAEMON.
        pub scheduling_strategy: Option<String>,
        /// How many tasks the service keeps running.
        pub desired_count: i32,
        /// How new revisions roll out: controller, percentages, circuit breaker and rollback.
        #[keys = &[
                    "controller",
                    "maximum_percent",
                    "minimum_healthy_percent",
                    "circuit_breaker",
                    "rollback",
                ]]
        pub deployment: Map,
        /// ENABLED or DISABLED for awsvpc tasks.
        pub assign_public_ip: Option<String>,
        /// The task definition family the service runs, by logical key.
        pub task_definition: Option<String>,
        /// Target groups by logical key, with the container and port they reach.
        pub load_balancers: Vec<String>,
        /// How long load balancer health checks are ignored after a task starts.
        pub health_check_grace_period_seconds: Option<i32>,
        /// Whether ECS Exec is on.
        pub enable_execute_command: bool,
    }
}

/// `aws.ecs.service`.
pub const SERVICE: Kind = Kind {
    name: "aws.ecs.service",
    provider: "aws",
    service: "ecs",
    tagged: true,
    tagging_types: &["ecs:service"],
    doc: "An ECS service, named CLUSTER/SERVICE, with its placement and deployment settings.",
    attributes: Typed::of::<Service>(),
};

crate::attributes! {
    /// The attributes of `aws.ecs.task_definition`.
    pub struct TaskDefinition {
        /// The task's CPU units.
        pub cpu: Option<u64>,
        /// The task's memory in MiB.
        pub memory: Option<u64>,
        /// awsvpc, bridge, host or none.
        pub network_mode: Option<String>,
        /// FARGATE, EC2, EXTERNAL.
        pub requires_compatibilities: Vec<String>,
        /// The CPU architecture and operating system the task runs on.
        #[keys = &["cpu_architecture", "operating_system_family"]]
        pub runtime_platform: Option<Map>,
        /// Per container by name: image (repository, tag, digest), cpu, memory, essential, environment_names,
        /// environment (values through secret detection), secrets (references by name), port_mappings, health_check,
        /// log_driver.
        pub containers: Map,
    }
}

/// `aws.ecs.task_definition`.
pub const TASK_DEFINITION: Kind = Kind {
    name: "aws.ecs.task_definition",
    provider: "aws",
    service: "ecs",
    tagged: false,
    tagging_types: &["ecs:task-definition"],
    doc: "The task definition revision a service runs, by family, with its containers.",
    attributes: Typed::of::<TaskDefinition>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[SERVICE, TASK_DEFINITION];
