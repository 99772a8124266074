//! ELBv2: load balancers (with listeners and attributes) and target groups (with health checks and attributes).

use crate::catalog::{Field, FieldType, Kind};

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

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "aws.elbv2.load_balancer",
        provider: "aws",
        service: "elbv2",
        tagged: true,
        tagging_types: &["elasticloadbalancing:loadbalancer"],
        doc: "An application, network or gateway load balancer with its listeners and attributes.",
        fields: &[
            Field {
                path: "type",
                ty: FieldType::String,
                doc: "application, network or gateway.",
            },
            Field {
                path: "scheme",
                ty: FieldType::String,
                doc: "internet-facing or internal.",
            },
            Field {
                path: "ip_address_type",
                ty: FieldType::String,
                doc: "ipv4 or dualstack.",
            },
            Field {
                path: "availability_zone_count",
                ty: FieldType::Integer,
                doc: "How many availability zones it spans.",
            },
            Field {
                path: "attributes",
                ty: FieldType::Map(LOAD_BALANCER_ATTRIBUTES),
                doc: "Its attributes as AWS names them (idle_timeout.timeout_seconds), typed.",
            },
            Field {
                path: "listeners",
                ty: FieldType::List,
                doc: "Its listeners (port, protocol, ssl_policy, default_actions with target groups by key), sorted by port.",
            },
            Field {
                path: "security_groups",
                ty: FieldType::List,
                doc: "Its security groups by logical key, sorted.",
            },
        ],
    },
    Kind {
        name: "aws.elbv2.target_group",
        provider: "aws",
        service: "elbv2",
        tagged: true,
        tagging_types: &["elasticloadbalancing:targetgroup"],
        doc: "A target group with its health check and attributes.",
        fields: &[
            Field {
                path: "protocol",
                ty: FieldType::String,
                doc: "HTTP, HTTPS, TCP, ...",
            },
            Field {
                path: "protocol_version",
                ty: FieldType::String,
                doc: "HTTP1, HTTP2 or GRPC.",
            },
            Field {
                path: "port",
                ty: FieldType::Integer,
                doc: "The port targets receive traffic on.",
            },
            Field {
                path: "target_type",
                ty: FieldType::String,
                doc: "instance, ip, lambda or alb.",
            },
            Field {
                path: "health_check.protocol",
                ty: FieldType::String,
                doc: "The health check's protocol.",
            },
            Field {
                path: "health_check.path",
                ty: FieldType::String,
                doc: "The health check's path.",
            },
            Field {
                path: "health_check.port",
                ty: FieldType::String,
                doc: "The health check's port, or traffic-port.",
            },
            Field {
                path: "health_check.interval_seconds",
                ty: FieldType::Integer,
                doc: "Seconds between health checks.",
            },
            Field {
                path: "health_check.timeout_seconds",
                ty: FieldType::Integer,
                doc: "Seconds before a check fails.",
            },
            Field {
                path: "health_check.healthy_threshold",
                ty: FieldType::Integer,
                doc: "Passes before a target is healthy.",
            },
            Field {
                path: "health_check.unhealthy_threshold",
                ty: FieldType::Integer,
                doc: "Failures before a target is unhealthy.",
            },
            Field {
                path: "health_check.matcher",
                ty: FieldType::String,
                doc: "The HTTP or gRPC codes that count as healthy.",
            },
            Field {
                path: "attributes",
                ty: FieldType::Map(TARGET_GROUP_ATTRIBUTES),
                doc: "Its attributes as AWS names them (deregistration_delay.timeout_seconds), typed.",
            },
        ],
    },
];
