//! ELBv2: load balancers (with listeners and attributes) and target groups (with health checks and attributes).

use serde_json::Value;

use crate::catalog::Kind;
use crate::catalog::typed::{Map, OrNull, Typed};

/// The load balancer attributes AWS documents: a policy key one slip away from one of these is a typo.
const LOAD_BALANCER_ATTRIBUTES: &[&str] = &[
    "access_logs.s3.enabled",
    "client_keep_alive.seconds",
    "deletion_protection.enabled",
    "idle_timeout.timeout_seconds",
    "load_balancing.cross_zone.enabled",
    "routing.http.desync_mitigation_mode",
    "routing.http.drop_invalid_header_fields.enabled",
    "routing.http.preserve_host_header.enabled",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
    "routing.http.xff_client_port.enabled",
    "routing.http.xff_header_processing.mode",
    "routing.http2.enabled",
    "waf.fail_open.enabled",
];

/// The target group attributes AWS documents.
const TARGET_GROUP_ATTRIBUTES: &[&str] = &[
    "deregistration_delay.connection_termination.enabled",
    "deregistration_delay.timeout_seconds",
    "load_balancing.algorithm.type",
    "load_balancing.cross_zone.enabled",
    "preserve_client_ip.enabled",
    "proxy_protocol_v2.enabled",
    "slow_start.duration_seconds",
    "stickiness.app_cookie.cookie_name",
    "stickiness.enabled",
    "stickiness.lb_cookie.duration_seconds",
    "stickiness.type",
];

crate::attributes! {
    /// The attributes of `aws.elbv2.load_balancer`.
    pub struct LoadBalancer {
        /// application, network or gateway.
        pub r#type as "type": Option<String>,
        /// internet-facing or internal.
        pub scheme: Option<String>,
        /// ipv4 or dualstack.
        pub ip_address_type: Option<String>,
        /// How many availability zones it spans.
        pub availability_zone_count: u64,
        /// Its attributes as AWS names them (idle_timeout.timeout_seconds), typed.
        #[keys = LOAD_BALANCER_ATTRIBUTES]
        pub attributes: Map,
        /// Its listeners (port, protocol, ssl_policy, default_actions with target groups by key), sorted by port.
        pub listeners: Vec<Value>,
        /// Its security groups by logical key, sorted.
        pub security_groups: Vec<String>,
    }
}

/// `aws.elbv2.load_balancer`.
pub const LOAD_BALANCER: Kind = Kind {
    name: "aws.elbv2.load_balancer",
    provider: "aws",
    service: "elbv2",
    tagged: true,
    tagging_types: &["elasticloadbalancing:loadbalancer"],
    doc: "An application, network or gateway load balancer with its listeners and attributes.",
    attributes: Typed::of::<LoadBalancer>(),
};

crate::attributes! {
    /// The attributes of `aws.elbv2.target_group`.
    pub struct TargetGroup {
        /// HTTP, HTTPS, TCP, ...
        pub protocol: Option<String>,
        /// HTTP1, HTTP2 or GRPC.
        pub protocol_version: Option<String>,
        /// The port targets receive traffic on.
        pub port: Option<i32>,
        /// instance, ip, lambda or alb.
        pub target_type: Option<String>,
        /// See the fields of `health_check`.
        pub health_check: HealthCheck,
        /// Its attributes as AWS names them (deregistration_delay.timeout_seconds), typed.
        #[keys = TARGET_GROUP_ATTRIBUTES]
        pub attributes: Map,
    }
}

/// `aws.elbv2.target_group`.
pub const TARGET_GROUP: Kind = Kind {
    name: "aws.elbv2.target_group",
    provider: "aws",
    service: "elbv2",
    tagged: true,
    tagging_types: &["elasticloadbalancing:targetgroup"],
    doc: "A target group with its health check and attributes.",
    attributes: Typed::of::<TargetGroup>(),
};

crate::attributes! {
    /// The `health_check` object.
    pub struct HealthCheck at "health_check" {
        /// The health check's protocol.
        pub protocol: OrNull<String>,
        /// The health check's path.
        pub path: OrNull<String>,
        /// The health check's port, or traffic-port.
        pub port: OrNull<String>,
        /// Seconds between health checks.
        pub interval_seconds: OrNull<i32>,
        /// Seconds before a check fails.
        pub timeout_seconds: OrNull<i32>,
        /// Passes before a target is healthy.
        pub healthy_threshold: OrNull<i32>,
        /// Failures before a target is unhealthy.
        pub unhealthy_threshold: OrNull<i32>,
        /// The HTTP or gRPC codes that count as healthy.
        pub matcher: OrNull<String>,
    }
}

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[LOAD_BALANCER, TARGET_GROUP];
