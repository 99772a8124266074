//! ELBv2: load balancers (with listeners and attributes) and target groups (with health checks and attributes).
//!
//! AWS has no batch call for attributes or listeners: they are read once per load balancer or target group.
//! Tags come in batches of 20 resources, and only when a tag filter or key tag needs them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{Action, Listener, TargetGroupAttribute};
use serde_json::{Value, json};

use super::{RegionContext, each, name_in_arn, string_set, tag_map, typed};
use crate::CollectError;
use envparity_model::catalog::aws::elbv2::{HealthCheck, LOAD_BALANCER, LoadBalancer, TARGET_GROUP, TargetGroup};
use envparity_model::catalog::typed::Map;
use envparity_model::snapshot::Resource;

/// Resources per DescribeTags call, the API's limit.
const TAGS_PER_CALL: usize = 20;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_elasticloadbalancingv2, ctx);
    let (lbs, tgs) = tokio::try_join!(
        ctx.pages(
            "DescribeLoadBalancers",
            client
                .describe_load_balancers()
                .page_size(400)
                .into_paginator()
                .send()
        ),
        ctx.pages(
            "DescribeTargetGroups",
            client
                .describe_target_groups()
                .page_size(400)
                .into_paginator()
                .send()
        ),
    )?;
    let lbs: Vec<_> = lbs.iter().flat_map(|p| p.load_balancers()).collect();
    let tgs: Vec<_> = tgs.iter().flat_map(|p| p.target_groups()).collect();

    let arns: Vec<&str> = lbs
        .iter()
        .filter_map(|l| l.load_balancer_arn())
        .chain(tgs.iter().filter_map(|t| t.target_group_arn()))
        .collect();
    let group_ids: BTreeSet<&str> = lbs
        .iter()
        .flat_map(|l| l.security_groups())
        .map(String::as_str)
        .collect();

    // Everything below depends only on the two lists: one round of calls, run side by side.
    let lb_details = each(ctx, &lbs, |lb| {
        let arn = lb.load_balancer_arn().unwrap_or_default();
        let client = &client;
        async move {
            tokio::try_join!(
                ctx.send(
                    "DescribeLoadBalancerAttributes",
                    client
                        .describe_load_balancer_attributes()
                        .load_balancer_arn(arn)
                        .send(),
                ),
                ctx.pages(
                    "DescribeListeners",
                    client
                        .describe_listeners()
                        .load_balancer_arn(arn)
                        .page_size(400)
                        .into_paginator()
                        .send(),
                ),
            )
        }
    });
    let tg_attributes = each(ctx, &tgs, |tg| {
        let arn = tg.target_group_arn().unwrap_or_default();
        let client = &client;
        async move {
            ctx.send(
                "DescribeTargetGroupAttributes",
                client
                    .describe_target_group_attributes()
                    .target_group_arn(arn)
                    .send(),
            )
            .await
        }
    });
    let tags = async {
        match ctx.needs_tags {
            true => tags(ctx, &client, &arns).await,
            false => Ok(HashMap::new()),
        }
    };
    let (lb_details, tg_attributes, tags, group_names) = tokio::try_join!(
        lb_details,
        tg_attributes,
        tags,
        security_group_names(ctx, group_ids)
    )?;

    let mut out = Vec::new();
    for (lb, (attributes_out, listeners)) in lbs.iter().zip(lb_details) {
        let arn = lb.load_balancer_arn().unwrap_or_default();
        let mut listeners: Vec<Value> = listeners
            .iter()
            .flat_map(|p| p.listeners())
            .map(|l| listener(l, &|name: &str| ctx.key_of_name(name)))
            .collect();
        listeners.sort_by_key(|l| (l["port"].as_i64(), l["protocol"].as_str().map(str::to_owned)));
        let security_groups = string_set(lb.security_groups().iter().map(|id| {
            group_names
                .get(id)
                .map_or_else(|| id.clone(), |n| ctx.key_of_name(n))
        }));
        let attributes = LoadBalancer {
            r#type: lb.r#type().map(|t| t.as_str().to_owned()),
            scheme: lb.scheme().map(|s| s.as_str().to_owned()),
            ip_address_type: lb.ip_address_type().map(|t| t.as_str().to_owned()),
            availability_zone_count: lb.availability_zones().len() as u64,
            attributes: key_values(attributes_out.attributes().iter().map(|a| (a.key(), a.value()))),
            listeners,
            security_groups,
        };
        let name = lb.load_balancer_name().unwrap_or_default();
        let tags = tags.get(arn).cloned().unwrap_or_default();
        out.push(ctx.reachable_resource(
            LOAD_BALANCER.name,
            name,
            Some(arn),
            tags,
            attributes,
            [lb.dns_name()],
        ));
    }

    for (tg, attributes_out) in tgs.iter().zip(tg_attributes) {
        let arn = tg.target_group_arn().unwrap_or_default();
        let attributes = target_group_attributes(tg, attributes_out.attributes());
        let name = tg.target_group_name().unwrap_or_default();
        let tags = tags.get(arn).cloned().unwrap_or_default();
        out.push(ctx.resource(TARGET_GROUP.name, name, Some(arn), tags, attributes));
    }
    Ok(out)
}

/// A target group's attributes from what DescribeTargetGroups and DescribeTargetGroupAttributes returned. No call:
/// the conversion alone, tested without AWS.
pub(crate) fn target_group_attributes(
    tg: &aws_sdk_elasticloadbalancingv2::types::TargetGroup,
    attributes: &[TargetGroupAttribute],
) -> TargetGroup {
    let matcher = tg.matcher().and_then(|m| m.http_code().or(m.grpc_code()));
    TargetGroup {
        protocol: tg.protocol().map(|p| p.as_str().to_owned()),
        protocol_version: tg.protocol_version().map(str::to_owned),
        port: tg.port(),
        target_type: tg.target_type().map(|t| t.as_str().to_owned()),
        health_check: HealthCheck {
            protocol: tg.health_check_protocol().map(|p| p.as_str().to_owned()).into(),
            path: tg.health_check_path().map(str::to_owned).into(),
            port: tg.health_check_port().map(str::to_owned).into(),
            interval_seconds: tg.health_check_interval_seconds().into(),
            timeout_seconds: tg.health_check_timeout_seconds().into(),
            healthy_threshold: tg.healthy_threshold_count().into(),
            unhealthy_threshold: tg.unhealthy_threshold_count().into(),
            matcher: matcher.map(str::to_owned).into(),
        },
        attributes: key_values(attributes.iter().map(|a| (a.key(), a.value()))),
    }
}

/// A listener as compared: port, protocol, TLS policy (secure listeners only), and its default actions with
/// target groups by logical key (`key_of` gives one from a name), in their order (written when there are several).
pub(crate) fn listener(l: &Listener, key_of: &dyn Fn(&str) -> String) -> Value {
    let protocol = l.protocol().map(|p| p.as_str().to_owned());
    // Only secure listeners have a TLS policy; anything else reported there is noise.
    let ssl_policy = match protocol.as_deref() {
        Some("HTTPS" | "TLS") => l.ssl_policy(),
        _ => None,
    };
    let mut actions: Vec<Value> = l.default_actions().iter().map(|a| action(a, key_of)).collect();
    actions.sort_by_key(|a| a["order"].as_i64());
    // An order tells several actions apart; one action's (which AWS may give or not) says nothing.
    if let [only] = actions.as_mut_slice()
        && let Some(action) = only.as_object_mut()
    {
        action.remove("order");
    }
    let mut out = json!({
        "port": l.port(),
        "protocol": protocol,
        "default_actions": actions,
    });
    if let Some(policy) = ssl_policy {
        out["ssl_policy"] = json!(policy);
    }
    out
}

fn action(a: &Action, key_of: &dyn Fn(&str) -> String) -> Value {
    let tg_key = |arn: &str| key_of(name_in_arn(arn));
    let mut out = json!({"type": a.r#type().map(|t| t.as_str())});
    if let Some(order) = a.order() {
        out["order"] = json!(order);
    }
    let mut groups: Vec<String> = a.target_group_arn().map(tg_key).into_iter().collect();
    if let Some(forward) = a.forward_config() {
        groups.extend(
            forward
                .target_groups()
                .iter()
                .filter_map(|t| t.target_group_arn())
                .map(tg_key),
        );
    }
    groups.sort();
    groups.dedup();
    if !groups.is_empty() {
        out["target_groups"] = json!(groups);
    }
    if let Some(r) = a.redirect_config() {
        out["redirect"] = json!({
            "protocol": r.protocol(), "port": r.port(), "host": r.host(), "path": r.path(),
            "query": r.query(), "status_code": r.status_code().map(|s| s.as_str()),
        });
    }
    if let Some(f) = a.fixed_response_config() {
        out["fixed_response"] = json!({"status_code": f.status_code(), "content_type": f.content_type()});
    }
    out
}

/// Attribute pairs as an object of typed values.
pub(crate) fn key_values<'a>(pairs: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>) -> Map {
    pairs
        .filter_map(|(k, v)| Some((k?.to_owned(), typed(v.unwrap_or_default()))))
        .collect()
}

async fn tags(
    ctx: &RegionContext<'_>,
    client: &Client,
    arns: &[&str],
) -> Result<HashMap<String, BTreeMap<String, String>>, CollectError> {
    let chunks: Vec<&[&str]> = arns.chunks(TAGS_PER_CALL).collect();
    let results = each(ctx, &chunks, |chunk| {
        let request = client
            .describe_tags()
            .set_resource_arns(Some(chunk.iter().map(|s| s.to_string()).collect()));
        ctx.send("DescribeTags", request.send())
    })
    .await?;
    Ok(results
        .iter()
        .flat_map(|r| r.tag_descriptions())
        .map(|d| {
            let tags = tag_map(d.tags().iter().map(|t| (t.key(), t.value())));
            (d.resource_arn().unwrap_or_default().to_owned(), tags)
        })
        .collect())
}

/// Security group names by id, in one EC2 call, so that groups compare by key rather than by id.
async fn security_group_names(
    ctx: &RegionContext<'_>,
    ids: BTreeSet<&str>,
) -> Result<HashMap<String, String>, CollectError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ec2 = client!(aws_sdk_ec2, ctx);
    let request = ec2
        .describe_security_groups()
        .set_group_ids(Some(ids.iter().map(|s| s.to_string()).collect()));
    let result = ctx.send("DescribeSecurityGroups", request.send()).await?;
    Ok(result
        .security_groups()
        .iter()
        .filter_map(|g| Some((g.group_id()?.to_owned(), g.group_name()?.to_owned())))
        .collect())
}

#[cfg(test)]
mod tests {
    use aws_sdk_elasticloadbalancingv2::types::{
        ActionTypeEnum, Matcher, ProtocolEnum, TargetGroupTuple, TargetTypeEnum,
    };

    use super::*;

    #[test]
    fn target_group_attributes_from_what_elbv2_returns() {
        let tg = aws_sdk_elasticloadbalancingv2::types::TargetGroup::builder()
            .protocol(ProtocolEnum::Http)
            .port(8080)
            .target_type(TargetTypeEnum::Ip)
            .health_check_path("/healthz")
            .health_check_interval_seconds(15)
            .matcher(Matcher::builder().http_code("200-299").build())
            .build();
        let attributes = [
            TargetGroupAttribute::builder().key("deregistration_delay.timeout_seconds").value("30").build(),
            TargetGroupAttribute::builder().key("stickiness.enabled").value("false").build(),
        ];
        assert_eq!(
            serde_json::to_value(target_group_attributes(&tg, &attributes)).unwrap(),
            json!({
                "protocol": "HTTP", "port": 8080, "target_type": "ip",
                "health_check": {"protocol": null, "path": "/healthz", "port": null, "interval_seconds": 15,
                                 "timeout_seconds": null, "healthy_threshold": null, "unhealthy_threshold": null,
                                 "matcher": "200-299"},
                "attributes": {"deregistration_delay.timeout_seconds": 30, "stickiness.enabled": false},
            })
        );
    }

    #[test]
    fn a_listener_names_its_target_groups_by_key_and_keeps_a_tls_policy_only_when_secure() {
        let forward = |protocol: ProtocolEnum| {
            Listener::builder()
                .port(443)
                .protocol(protocol)
                .ssl_policy("ELBSecurityPolicy-TLS13-1-2-2021-06")
                .default_actions(
                    Action::builder()
                        .r#type(ActionTypeEnum::Forward)
                        .target_group_arn("arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web-prod-tg/73e2")
                        .forward_config(
                            aws_sdk_elasticloadbalancingv2::types::ForwardActionConfig::builder()
                                .target_groups(
                                    TargetGroupTuple::builder()
                                        .target_group_arn("arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web-prod-tg/73e2")
                                        .build(),
                                )
                                .build(),
                        )
                        .build(),
                )
                .build()
        };
        let key_of = |name: &str| name.replace("prod", "{env}");
        assert_eq!(
            listener(&forward(ProtocolEnum::Https), &key_of),
            json!({"port": 443, "protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                   "default_actions": [{"type": "forward", "target_groups": ["web-{env}-tg"]}]})
        );
        assert_eq!(listener(&forward(ProtocolEnum::Http), &key_of).get("ssl_policy"), None);
    }

    #[test]
    fn one_default_action_has_no_order_and_several_keep_theirs() {
        let action = |order: i32, kind: ActionTypeEnum| Action::builder().r#type(kind).order(order).build();
        let one = Listener::builder().port(80).default_actions(action(1, ActionTypeEnum::Forward)).build();
        assert_eq!(listener(&one, &str::to_owned)["default_actions"], json!([{"type": "forward"}]));
        let two = Listener::builder()
            .port(80)
            .default_actions(action(2, ActionTypeEnum::Forward))
            .default_actions(action(1, ActionTypeEnum::AuthenticateOidc))
            .build();
        assert_eq!(
            listener(&two, &str::to_owned)["default_actions"],
            json!([{"type": "authenticate-oidc", "order": 1}, {"type": "forward", "order": 2}])
        );
    }
}
