//! The collection benchmark: `envparity audit` of two environments in two regions against a local moto server,
//! behind a loopback proxy that adds a fixed latency to every request.
//!
//!     cargo bench --bench collect
//!
//! Reports the wall time (median of 3 runs), the API calls per service, and the critical path: the longest chain
//! of calls that depend on each other (a page on the page before it, a per-resource call on the list that named
//! the resource), computed from the resources found and the page sizes and concurrency envparity uses. With
//! every independent call side by side, the wall time approaches critical path x latency.
//! Under `cargo test` it only says how to run it: it needs moto (./scripts/test installs it).

#[allow(dead_code)]
#[path = "../tests/aws/proxy.rs"]
mod proxy;
#[allow(dead_code)]
#[path = "../tests/aws/support.rs"]
mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The latencies the proxy adds, one row each: none (moto's own service time), 50 ms, 200 ms.
const LATENCIES_MS: [u64; 3] = [0, 50, 200];
const REGIONS: [&str; 2] = ["eu-west-1", "us-east-1"];
/// `calls_per_service` in the benchmark's config (the default).
const CALLS_PER_SERVICE: u64 = 8;

fn pages(items: u64, page_size: u64) -> u64 {
    items.div_ceil(page_size).max(1)
}

/// The longest chain of dependent calls of one service in one (environment, region), from what was found.
fn chain(service: &str, count: &dyn Fn(&str) -> u64, tagged: u64) -> u64 {
    let rounds = |n: u64| n.div_ceil(CALLS_PER_SERVICE);
    match service {
        // instances | launch template versions, then AMI names | root volumes | template tags
        "ec2" => pages(count("aws.ec2.instance"), 1000).max(pages(count("aws.ec2.launch_template"), 200)) + 1,
        "autoscaling" => pages(count("aws.autoscaling.group"), 100),
        // instances | clusters | parameter groups, then each group's parameters
        "rds" => {
            let lists = pages(count("aws.rds.instance"), 100).max(pages(count("aws.rds.cluster"), 100));
            lists.max(pages(count("aws.rds.parameter_group"), 100))
                + rounds(count("aws.rds.parameter_group")).max(1)
        }
        // load balancers | target groups, then attributes and listeners per load balancer | per target group
        "elbv2" => {
            let (lbs, tgs) = (count("aws.elbv2.load_balancer"), count("aws.elbv2.target_group"));
            pages(lbs, 400).max(pages(tgs, 400)) + rounds(lbs).max(rounds(tgs)).max(1)
        }
        // functions | event source mappings, then each function's reserved concurrency
        "lambda" => pages(count("aws.lambda.function"), 50) + rounds(count("aws.lambda.function")),
        // queues, then each queue's attributes
        "sqs" => pages(count("aws.sqs.queue"), 1000) + rounds(count("aws.sqs.queue")),
        // replication groups | cache clusters
        "elasticache" => pages(count("aws.elasticache.replication_group"), 100),
        // clusters, then each cluster's services, then ten services a call, then each task definition
        "ecs" => {
            let services = count("aws.ecs.service");
            2 + rounds(services.div_ceil(10)) + rounds(count("aws.ecs.task_definition"))
        }
        // clusters, then per cluster its description | node groups | Fargate profiles, then each node group
        "eks" => 2 + rounds(count("aws.eks.nodegroup")),
        // buckets, then each bucket's settings side by side
        "s3" => 1 + rounds(count("aws.s3.bucket")),
        // tables, then each table's description | backups | TTL side by side
        "dynamodb" => pages(count("aws.dynamodb.table"), 100) + rounds(count("aws.dynamodb.table")),
        // topics | subscriptions, then each topic's attributes
        "sns" => 1 + rounds(count("aws.sns.topic")),
        "secretsmanager" => pages(count("aws.secretsmanager.secret"), 100),
        // resources by tag, a hundred a page (what was not audited)
        "tagging" => pages(tagged, 100),
        other => panic!("no chain for {other}: add the service's dependent calls here"),
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("collect: a benchmark against moto; run it with `cargo bench --bench collect`");
        return;
    }
    let moto = support::Moto::start();
    let dir = tempfile::tempdir().unwrap();
    moto.seed_with(dir.path(), &["bench"]);
    let mut rows = Vec::new();
    let mut baseline = None;
    for ms in LATENCIES_MS {
        let latency = Duration::from_millis(ms);
        let (wall, calls, resources, critical) = measure(dir.path(), &moto, latency, Limits::Lifted);
        let base = *baseline.get_or_insert(wall);
        let critical_time = latency * critical as u32;
        let total: u64 = calls.values().sum();
        let ratio = |t: Duration| match ms {
            0 => "-".to_owned(),
            _ => format!("{:.2}x", t.as_secs_f64() / critical_time.as_secs_f64()),
        };
        rows.push(format!(
            "| {ms} ms | {resources} | {total} ({}) | {critical} calls | {} ms | {} ms | {} | {} |",
            calls
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            critical_time.as_millis(),
            wall.as_millis(),
            ratio(wall),
            ratio(wall.saturating_sub(base)),
        ));
    }
    println!(
        "| added latency | resources | API calls | critical path | critical path x latency | wall time | wall / critical | (wall - wall at 0 ms) / critical |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }
    // What the default rate limits cost here: every (account, region, service) at 5 or 10 calls a second.
    for ms in LATENCIES_MS {
        let (wall, ..) = measure(dir.path(), &moto, Duration::from_millis(ms), Limits::Default);
        println!(
            "with the default rate limits, {ms} ms added: wall time {} ms",
            wall.as_millis()
        );
    }
    // One (account, region) of the shop, every service, the default limits, 50 ms added: its jobs one after
    // another (the work a unit puts on a process's concurrency) and side by side (the unit's own wall time).
    for concurrency in [1, 16] {
        let wall = one_unit(dir.path(), &moto, Duration::from_millis(50), concurrency);
        println!(
            "one (account, region), default limits, 50 ms added, concurrency {concurrency}: {} ms",
            wall.as_millis()
        );
    }
}

/// `collect staging` of one region through a proxy adding `latency`: the median wall time of three.
fn one_unit(dir: &std::path::Path, moto: &support::Moto, latency: Duration, concurrency: u32) -> Duration {
    let proxy = proxy::Proxy::start(
        &moto.address(),
        proxy::Faults {
            delay: latency,
            ..Default::default()
        },
    );
    let config = format!(
        "[collect]\nconcurrency = {concurrency}\n\n[environments.staging]\nprofile = \"staging\"\n\
         regions = [\"eu-west-1\"]\nendpoint_url = \"{}\"\nssm_paths = [\"/shop/{{env}}/\", \"/orders/{{env}}/\"]\n",
        proxy.endpoint
    );
    support::write(dir, "unit.toml", &config);
    let mut walls: Vec<Duration> = (0..3)
        .map(|_| {
            let start = Instant::now();
            let out = support::envparity(dir)
                .args([
                    "collect",
                    "staging",
                    "--config",
                    "unit.toml",
                    "--output",
                    "unit.json",
                ])
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            start.elapsed()
        })
        .collect();
    walls.sort();
    walls[1]
}

/// The rate limits of a run: envparity's defaults, or lifted far above what a service is asked.
#[derive(Clone, Copy, PartialEq)]
enum Limits {
    Default,
    Lifted,
}

/// Audits both environments through a proxy adding `latency`: (median wall time, calls per service, resources,
/// critical path in calls).
fn measure(
    dir: &std::path::Path,
    moto: &support::Moto,
    latency: Duration,
    limits: Limits,
) -> (Duration, BTreeMap<String, u64>, usize, u64) {
    let proxy = proxy::Proxy::start(
        &moto.address(),
        proxy::Faults {
            delay: latency,
            ..Default::default()
        },
    );
    let env = |name: &str| {
        format!(
            "[environments.{name}]\nprofile = \"{name}\"\nregions = [\"eu-west-1\", \"us-east-1\"]\nendpoint_url = \"{}\"\n\
             ssm_paths = [\"/shop/{{env}}/\", \"/orders/{{env}}/\"]\n\n",
            proxy.endpoint
        )
    };
    // Twelve (service, region) collections per environment, all at once.
    let lifted = match limits {
        Limits::Default => String::new(),
        Limits::Lifted => support::lifted_rate_limits(),
    };
    let config = format!(
        "[collect]\nconcurrency = 12\n{lifted}\n{}{}",
        env("staging"),
        env("prod")
    );
    support::write(dir, "envparity.toml", &config);

    let mut walls = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let out = support::envparity(dir)
            .args(["audit", "--snapshots", "s", "--format", "json"])
            .output()
            .unwrap();
        walls.push(start.elapsed());
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    walls.sort();
    let wall = walls[1];

    let mut calls: BTreeMap<String, u64> = BTreeMap::new();
    let mut resources = 0;
    let mut longest = 0;
    for env in ["staging", "prod"] {
        let text = std::fs::read_to_string(dir.join(format!("s/{env}.json"))).unwrap();
        let snapshot: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            snapshot["gaps"],
            Value::Array(vec![]),
            "{env} collected completely"
        );
        for s in snapshot["sources"].as_array().unwrap() {
            *calls
                .entry(s["service"].as_str().unwrap().to_owned())
                .or_default() += s["api_calls"].as_u64().unwrap();
        }
        let all = snapshot["resources"].as_array().unwrap();
        resources += all.len();
        for region in REGIONS {
            let here: Vec<&Value> = all.iter().filter(|r| r["region"] == region).collect();
            let count = |kind: &str| here.iter().filter(|r| r["kind"] == kind).count() as u64;
            // What the tagging API lists: every resource with a tag, a generous bound on its pages.
            let tagged = here.iter().filter(|r| r["tags"].is_object()).count() as u64;
            // SSM's page sizes are the server's to choose (moto serves 10 parameters a page where AWS serves 50,
            // and ends with an empty page): its chain is the pages it took, metadata and values side by side.
            let ssm_calls = snapshot["sources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["service"] == "ssm" && s["region"] == region)
                .map_or(0, |s| s["api_calls"].as_u64().unwrap());
            let ssm_chain = ssm_calls.div_ceil(2 * 2);
            for service in calls.keys() {
                longest = longest.max(if service == "ssm" {
                    ssm_chain
                } else {
                    chain(service, &count, tagged)
                });
            }
        }
    }
    // GetCallerIdentity comes first.
    (wall, calls, resources, 1 + longest)
}
