//! Elastic Load Balancing: load balancers with their listeners and attributes, and target groups.

use serde_json::Value;

use super::{States, blocks, first, flag, int, strings, text};

/// The provider's load balancer settings by the attribute keys DescribeLoadBalancerAttributes returns.
const LOAD_BALANCER_ATTRIBUTES: &[(&str, &str)] = &[
    ("idle_timeout", "idle_timeout.timeout_seconds"),
    ("enable_deletion_protection", "deletion_protection.enabled"),
    ("enable_http2", "routing.http2.enabled"),
    (
        "drop_invalid_header_fields",
        "routing.http.drop_invalid_header_fields.enabled",
    ),
    (
        "enable_cross_zone_load_balancing",
        "load_balancing.cross_zone.enabled",
    ),
    ("desync_mitigation_mode", "routing.http.desync_mitigation_mode"),
    (
        "preserve_host_header",
        "routing.http.preserve_host_header.enabled",
    ),
    ("enable_waf_fail_open", "waf.fail_open.enabled"),
    (
        "xff_header_processing_mode",
        "routing.http.xff_header_processing.mode",
    ),
    ("enable_xff_client_port", "routing.http.xff_client_port.enabled"),
    ("client_keep_alive", "client_keep_alive.seconds"),
];

pub(super) fn load_balancer(
    a: &Value,
    states: &States,
    key_of: &dyn Fn(&str) -> String,
) -> envparity_model::catalog::aws::elbv2::LoadBalancer {
    let attributes = LOAD_BALANCER_ATTRIBUTES.iter().filter_map(|(attribute, key)| {
        let value = match a.get(*attribute)? {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        Some((Some(*key), value))
    });
    let attributes: Vec<(Option<&str>, String)> = attributes.collect();
    let access_logs = first(a, "access_logs").map(|l| {
        [
            (
                "access_logs.s3.enabled",
                flag(l, "enabled").unwrap_or(false).to_string(),
            ),
            (
                "access_logs.s3.bucket",
                text(l, "bucket").unwrap_or_default().to_owned(),
            ),
            (
                "access_logs.s3.prefix",
                text(l, "prefix").unwrap_or_default().to_owned(),
            ),
        ]
    });
    let pairs = attributes.iter().map(|(k, v)| (*k, Some(v.as_str()))).chain(
        access_logs
            .iter()
            .flatten()
            .map(|(k, v)| (Some(*k), Some(v.as_str()))),
    );
    let mut listeners: Vec<Value> = ["aws_lb_listener", "aws_alb_listener"]
        .iter()
        .flat_map(|t| states.configuring(t, text(a, "arn")))
        .map(|l| crate::aws::elbv2::listener(&listener(&l.attributes), key_of))
        .collect();
    listeners.sort_by_key(|l| (l["port"].as_i64(), l["protocol"].as_str().map(str::to_owned)));
    envparity_model::catalog::aws::elbv2::LoadBalancer {
        r#type: text(a, "load_balancer_type").map(str::to_owned),
        scheme: flag(a, "internal").map(|internal| match internal {
            true => "internal".to_owned(),
            false => "internet-facing".to_owned(),
        }),
        ip_address_type: text(a, "ip_address_type").map(str::to_owned),
        availability_zone_count: 0,
        attributes: crate::aws::elbv2::key_values(pairs),
        listeners,
        security_groups: crate::aws::string_set(
            strings(a, "security_groups")
                .into_iter()
                .map(|id| states.security_group(id, key_of)),
        ),
    }
}

fn listener(a: &Value) -> aws_sdk_elasticloadbalancingv2::types::Listener {
    use aws_sdk_elasticloadbalancingv2::types as elb;
    let actions = blocks(a, "default_action").iter().map(|d| {
        let forward = first(d, "forward").map(|f| {
            elb::ForwardActionConfig::builder()
                .set_target_groups(Some(
                    blocks(f, "target_group")
                        .iter()
                        .map(|t| {
                            elb::TargetGroupTuple::builder()
                                .set_target_group_arn(text(t, "arn").map(str::to_owned))
                                .build()
                        })
                        .collect(),
                ))
                .build()
        });
        let redirect = first(d, "redirect").map(|r| {
            elb::RedirectActionConfig::builder()
                .set_protocol(text(r, "protocol").map(str::to_owned))
                .set_port(text(r, "port").map(str::to_owned))
                .set_host(text(r, "host").map(str::to_owned))
                .set_path(text(r, "path").map(str::to_owned))
                .set_query(text(r, "query").map(str::to_owned))
                .set_status_code(text(r, "status_code").map(elb::RedirectActionStatusCodeEnum::from))
                .build()
        });
        let fixed = first(d, "fixed_response").map(|f| {
            elb::FixedResponseActionConfig::builder()
                .set_status_code(text(f, "status_code").map(str::to_owned))
                .set_content_type(text(f, "content_type").map(str::to_owned))
                .build()
        });
        elb::Action::builder()
            .set_type(text(d, "type").map(elb::ActionTypeEnum::from))
            .set_order(int(d, "order").filter(|o| *o > 0))
            .set_target_group_arn(text(d, "target_group_arn").map(str::to_owned))
            .set_forward_config(forward)
            .set_redirect_config(redirect)
            .set_fixed_response_config(fixed)
            .build()
    });
    elb::Listener::builder()
        .set_port(int(a, "port"))
        .set_protocol(text(a, "protocol").map(elb::ProtocolEnum::from))
        .set_ssl_policy(text(a, "ssl_policy").map(str::to_owned))
        .set_default_actions(Some(actions.collect()))
        .build()
}

pub(super) fn target_group(a: &Value) -> envparity_model::catalog::aws::elbv2::TargetGroup {
    use aws_sdk_elasticloadbalancingv2::types as elb;
    let health = first(a, "health_check");
    let health_text = |name: &str| health.and_then(|h| text(h, name)).map(str::to_owned);
    let health_int = |name: &str| health.and_then(|h| int(h, name));
    let group = elb::TargetGroup::builder()
        .set_protocol(text(a, "protocol").map(elb::ProtocolEnum::from))
        .set_protocol_version(text(a, "protocol_version").map(str::to_owned))
        .set_port(int(a, "port"))
        .set_target_type(text(a, "target_type").map(elb::TargetTypeEnum::from))
        .set_health_check_protocol(health_text("protocol").map(|p| elb::ProtocolEnum::from(p.as_str())))
        .set_health_check_path(health_text("path"))
        .set_health_check_port(health_text("port"))
        .set_health_check_interval_seconds(health_int("interval"))
        .set_health_check_timeout_seconds(health_int("timeout"))
        .set_healthy_threshold_count(health_int("healthy_threshold"))
        .set_unhealthy_threshold_count(health_int("unhealthy_threshold"))
        .set_matcher(health_text("matcher").map(|m| elb::Matcher::builder().http_code(m).build()))
        .build();
    let stickiness = first(a, "stickiness");
    let settings: Vec<elb::TargetGroupAttribute> = [
        (
            "deregistration_delay.timeout_seconds",
            a.get("deregistration_delay"),
        ),
        ("slow_start.duration_seconds", a.get("slow_start")),
        (
            "load_balancing.algorithm.type",
            a.get("load_balancing_algorithm_type"),
        ),
        ("stickiness.enabled", stickiness.and_then(|s| s.get("enabled"))),
        ("stickiness.type", stickiness.and_then(|s| s.get("type"))),
        (
            "stickiness.lb_cookie.duration_seconds",
            stickiness.and_then(|s| s.get("cookie_duration")),
        ),
    ]
    .into_iter()
    .filter_map(|(key, value)| {
        let value = match value? {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        Some(elb::TargetGroupAttribute::builder().key(key).value(value).build())
    })
    .collect();
    crate::aws::elbv2::target_group_attributes(&group, &settings)
}
