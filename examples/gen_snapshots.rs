//! Writes a deterministic synthetic staging/prod snapshot pair for benchmarks:
//!
//!     cargo run --release --example gen_snapshots -- 100000 DIR
//!
//! N resources per side (prod has N, staging about 0.5% fewer: those are only in prod), across every kind, with
//! about 1% of prod's resources carrying a planted difference. The same N gives the same bytes.

use std::collections::BTreeMap;
use std::path::Path;

use envparity_model::snapshot::{Resource, Snapshot};
use serde_json::{Value, json};

/// A stateless hash of an index: the same index always draws the same numbers.
fn draw(i: u64, salt: u64) -> u64 {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    x
}

/// The kinds and how many of every 100 resources are of each.
const MIX: &[(&str, u64)] = &[
    ("aws.ssm.parameter", 40),
    ("file.config", 15),
    ("aws.ec2.instance", 10),
    ("aws.autoscaling.group", 5),
    ("aws.ec2.launch_template", 5),
    ("aws.rds.instance", 5),
    ("aws.rds.cluster", 2),
    ("aws.rds.parameter_group", 3),
    ("aws.elbv2.load_balancer", 5),
    ("aws.elbv2.target_group", 5),
    ("aws.elasticache.replication_group", 5),
];

fn kind_of(i: u64) -> &'static str {
    let mut slot = draw(i, 1) % 100;
    for (kind, share) in MIX {
        if slot < *share {
            return kind;
        }
        slot -= share;
    }
    MIX[0].0
}

/// Whether resources of the kind have an endpoint that applications connect to.
fn reachable(kind: &str) -> bool {
    matches!(
        kind,
        "aws.rds.instance"
            | "aws.rds.cluster"
            | "aws.elbv2.load_balancer"
            | "aws.elasticache.replication_group"
    )
}

/// The endpoint hostname of the resource at index `i` of an environment.
fn endpoint(i: u64, env: &str) -> String {
    format!("res-{i}-{env}.c9akciq32.eu-west-1.rds.amazonaws.com")
}

fn attributes(kind: &str, i: u64, env: &str) -> BTreeMap<String, Value> {
    let prod = env == "prod";
    let size = |small: &str, large: &'static str| if prod { large.to_owned() } else { small.to_owned() };
    let value = match kind {
        // One in five points at a database of its own environment, as connection settings do.
        "aws.ssm.parameter" if i.is_multiple_of(5) => {
            json!({"type": "String", "tier": "Standard", "data_type": "text",
            "value": format!("postgres://app@{}:5432/app", endpoint(i - i % 40, env))})
        }
        "aws.ssm.parameter" => {
            json!({"type": "String", "tier": "Standard", "data_type": "text", "value": format!("v{}", i % 97)})
        }
        "file.config" => json!({"value": i % 13}),
        "aws.ec2.instance" => json!({
            "instance_type": size("m6i.large", "m6i.2xlarge"), "image": "app-2026.11.20", "architecture": "x86_64",
            "ebs_optimized": true, "monitoring": false, "metadata": {"http_tokens": "required"},
            "root_volume": {"type": "gp3", "size_gb": 30, "encrypted": true}, "security_groups": [format!("app-{{env}}-sg-{}", i % 7)],
        }),
        "aws.autoscaling.group" => json!({
            "instance_types": [size("c6i.large", "c6i.xlarge")], "desired_capacity": if prod { 12 } else { 2 },
            "min_size": 2, "max_size": if prod { 24 } else { 4 }, "instance_count": if prod { 12 } else { 2 },
            "health_check_type": "ELB", "health_check_grace_period": 120, "availability_zone_count": 3,
            "launch_template": format!("svc{i}-{{env}}-lt"), "target_groups": [format!("svc{i}-{{env}}-tg")],
        }),
        "aws.ec2.launch_template" => json!({
            "instance_type": size("c6i.large", "c6i.xlarge"), "image": "svc-2026.11.20", "metadata": {"http_tokens": "required"},
            "block_devices": [{"device": "/dev/xvda", "type": "gp3", "size_gb": 30, "encrypted": true}],
        }),
        "aws.rds.instance" => json!({
            "engine": "postgres", "engine_version": "15.6", "instance_class": size("db.r6g.large", "db.r6g.2xlarge"),
            "multi_az": prod, "storage_type": "gp3", "allocated_storage": if prod { 500 } else { 100 }, "iops": 3000,
            "storage_encrypted": true, "deletion_protection": prod, "backup_retention_period": if prod { 14 } else { 1 },
            "publicly_accessible": false, "auto_minor_version_upgrade": true, "parameter_group": format!("db{i}-{{env}}-pg"),
        }),
        "aws.rds.cluster" => json!({
            "engine": "aurora-postgresql", "engine_version": "15.4", "engine_mode": "provisioned",
            "member_instance_classes": [size("db.r6g.large", "db.r6g.xlarge")], "member_count": if prod { 3 } else { 1 },
            "deletion_protection": prod, "storage_encrypted": true, "backup_retention_period": 7,
            "parameter_group": format!("cl{i}-{{env}}-pg"),
        }),
        "aws.rds.parameter_group" => {
            json!({"family": "postgres15", "parameters": {"max_connections": "400"}})
        }
        "aws.elbv2.load_balancer" => json!({
            "type": "application", "scheme": "internet-facing", "ip_address_type": "ipv4", "availability_zone_count": 3,
            "attributes": {"idle_timeout.timeout_seconds": 60, "deletion_protection.enabled": prod, "routing.http2.enabled": true},
            "listeners": [{"port": 443, "protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                           "default_actions": [{"type": "forward", "target_groups": [format!("svc{i}-{{env}}-tg")]}]}],
            "security_groups": ["alb-{env}-sg"],
        }),
        "aws.elbv2.target_group" => json!({
            "protocol": "HTTP", "protocol_version": "HTTP1", "port": 8080, "target_type": "instance",
            "health_check": {"protocol": "HTTP", "path": "/healthz", "port": "traffic-port", "interval_seconds": 15,
                             "timeout_seconds": 5, "healthy_threshold": 3, "unhealthy_threshold": 3, "matcher": "200"},
            "attributes": {"deregistration_delay.timeout_seconds": 30, "stickiness.enabled": false},
        }),
        _ => json!({
            "engine": "redis", "engine_version": "7.1", "node_type": size("cache.r7g.large", "cache.r7g.xlarge"),
            "num_node_groups": 1, "replicas_per_node_group": if prod { 2 } else { 1 }, "automatic_failover": true,
            "multi_az": prod, "at_rest_encryption": true, "transit_encryption": true, "cluster_mode": "disabled",
        }),
    };
    serde_json::from_value(value).expect("an object")
}

/// A planted difference: one attribute changed in prod.
fn plant(kind: &str, attributes: &mut BTreeMap<String, Value>) {
    let (field, value) = match kind {
        "aws.ssm.parameter" => ("type", json!("SecureString")),
        "file.config" => ("value", json!("changed")),
        "aws.ec2.instance" | "aws.ec2.launch_template" => ("image", json!("app-2026.12.01")),
        "aws.autoscaling.group" => ("health_check_type", json!("EC2")),
        "aws.rds.instance" | "aws.rds.cluster" => ("engine_version", json!("16.1")),
        "aws.rds.parameter_group" => ("family", json!("postgres16")),
        "aws.elbv2.load_balancer" => ("scheme", json!("internal")),
        "aws.elbv2.target_group" => ("port", json!(9090)),
        _ => ("engine_version", json!("7.2")),
    };
    attributes.insert(field.to_owned(), value);
}

fn resource(kind: &str, i: u64, env: &str, account: &str, prod: bool) -> Resource {
    let name = match kind {
        "aws.ssm.parameter" => format!("/svc{}/{env}/KEY_{i}", i % 50),
        "file.config" => format!("config/{env}/app.yaml:key{i}"),
        _ => format!(
            "{}-{i}-{env}",
            kind.rsplit('.').next().unwrap_or("r").replace('_', "-")
        ),
    };
    let mut attributes = attributes(kind, i, env);
    if prod && draw(i, 2).is_multiple_of(100) {
        plant(kind, &mut attributes);
    }
    // About one staging parameter in a thousand points at prod's database: the breach `references-prod` finds.
    if !prod && kind == "aws.ssm.parameter" && draw(i, 4).is_multiple_of(1000) {
        let database = (i..).find(|&j| reachable(kind_of(j))).expect("kinds repeat");
        let url = format!("postgres://app@{}:5432/app", endpoint(database, "prod"));
        attributes.insert("value".into(), json!(url));
    }
    let service = kind.split('.').nth(1).unwrap_or("config");
    Resource {
        kind: kind.to_owned(),
        key: Some(envparity_model::keys::derive_key(&name, &[env.to_owned()])),
        id: Some(match kind {
            "file.config" => format!("config/{env}/app.yaml"),
            _ => format!("arn:aws:{service}:eu-west-1:{account}:{name}"),
        }),
        name: Some(name),
        account: (kind != "file.config").then(|| account.to_owned()),
        region: (kind != "file.config").then(|| "eu-west-1".to_owned()),
        tags: BTreeMap::from([("Environment".to_owned(), env.to_owned())]).into(),
        identifiers: if reachable(kind) {
            vec![endpoint(i, env)]
        } else {
            Vec::new()
        },
        attributes: attributes.into(),
    }
}

/// The pair for `n` resources per side.
pub fn generate(n: u64) -> (Snapshot, Snapshot) {
    let mut staging = Snapshot::new("staging", "2026-11-27T12:00:00Z");
    let mut prod = Snapshot::new("prod", "2026-11-27T12:00:00Z");
    for i in 0..n {
        let kind = kind_of(i);
        prod.resources
            .push(resource(kind, i, "prod", "222222222222", true));
        // About 0.5% exist only in prod.
        if !draw(i, 3).is_multiple_of(200) {
            staging
                .resources
                .push(resource(kind, i, "staging", "111111111111", false));
        }
    }
    (staging, prod)
}

/// Writes `staging.json` and `prod.json` for `n` resources into `dir`.
pub fn write_pair(n: u64, dir: &Path) -> std::io::Result<()> {
    let (mut staging, mut prod) = generate(n);
    std::fs::create_dir_all(dir)?;
    for (name, snapshot) in [("staging.json", &mut staging), ("prod.json", &mut prod)] {
        envparity_collect::store::write_snapshot(&dir.join(name), snapshot).map_err(std::io::Error::other)?;
    }
    Ok(())
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(dir)) = (args.first().and_then(|n| n.parse::<u64>().ok()), args.get(1)) else {
        eprintln!("usage: gen_snapshots N DIR");
        std::process::exit(2);
    };
    if let Err(e) = write_pair(n, Path::new(dir)) {
        eprintln!("gen_snapshots: {e}");
        std::process::exit(1);
    }
    eprintln!("wrote {dir}/staging.json and {dir}/prod.json ({n} resources per side)");
}
