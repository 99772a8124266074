//! The fleet benchmark: an AWS Organization in moto with 40 accounts per environment, each holding a queue in two
//! regions, collected behind a loopback proxy that adds 50 ms to every request.
//!
//!     cargo bench --bench fleet
//!
//! Reports, for one process collecting 20, 40 and 80 accounts, and for 40 accounts split into 1, 2 and 4 shards run
//! side by side: wall time, API calls per account and service, peak memory, and the critical path. A unit (an
//! account and region) is ListQueues then GetQueueAttributes: two calls in a row, each taking the added latency
//! plus moto's own time (measured through a proxy that adds nothing). The target is a wall time within 2x of that
//! chain x units / concurrency.
//! Under `cargo test` it only says how to run it: it needs moto (./scripts/test installs it).

#[allow(dead_code)]
#[path = "../tests/aws/proxy.rs"]
mod proxy;
#[allow(dead_code)]
#[path = "../tests/aws/support.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

const ACCOUNTS_PER_ENV: usize = 40;
const LATENCY: Duration = Duration::from_millis(50);
/// `concurrency` in the benchmark's config (the default).
const CONCURRENCY: u64 = 8;
/// ListQueues, then GetQueueAttributes for the one queue.
const UNIT_CHAIN: u64 = 2;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("fleet: a benchmark against moto; run it with `cargo bench --bench fleet`");
        return;
    }
    let moto = support::Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let seeding = Instant::now();
    moto.seed_with(
        dir.path(),
        &["organization", &format!("accounts={ACCOUNTS_PER_ENV}")],
    );
    eprintln!(
        "seeded {} accounts in {:?}",
        2 * ACCOUNTS_PER_ENV,
        seeding.elapsed()
    );
    let made: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("organization.json")).unwrap())
            .unwrap();
    let proxy = proxy::Proxy::start(
        &moto.address(),
        proxy::Faults {
            delay: LATENCY,
            ..Default::default()
        },
    );
    // The same requests with no latency added: moto's and the proxy's own time per call.
    let direct = proxy::Proxy::start(&moto.address(), proxy::Faults::default());
    let unit = |env: &str| made["units"][env].as_str().unwrap().to_owned();
    let environment = |name: &str, units: &[String], recursive: bool, endpoint: &str| {
        let units: Vec<String> = units.iter().map(|u| format!("\"{u}\"")).collect();
        format!(
            "[environments.{name}]\nprofile = \"org\"\norganizational_units = [{}]\nrecursive = {recursive}\n\
             role_name = \"EnvparityAudit\"\nregions = [\"eu-west-1\", \"us-east-1\"]\nendpoint_url = \"{endpoint}\"\n\n",
            units.join(", "),
        )
    };
    for (file, endpoint) in [
        ("envparity.toml", &proxy.endpoint),
        ("direct.toml", &direct.endpoint),
    ] {
        let config = format!(
            "[collect]\nservices = [\"sqs\"]\ncoverage = false\nconcurrency = {CONCURRENCY}\n\n{}{}{}",
            environment("half", &[unit("prod")], false, endpoint),
            environment("prod", &[unit("prod")], true, endpoint),
            environment("both", &[unit("staging"), unit("prod")], true, endpoint),
        );
        support::write(dir.path(), file, &config);
    }

    println!(
        "One process, {} ms added to every request, concurrency {CONCURRENCY}:\n",
        LATENCY.as_millis()
    );
    println!(
        "| accounts | units | API calls: total (per account) | critical path | wall at 0 ms added | unit chain | target: 2 x chain x units / concurrency | wall time | wall / (chain x units / concurrency) | peak memory |"
    );
    println!("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for env in ["half", "prod", "both"] {
        let unloaded = median(|| shards(dir.path(), "direct.toml", env, 1)).wall;
        let before = proxy.counts.requests.load(std::sync::atomic::Ordering::Relaxed);
        let run = median(|| shards(dir.path(), "envparity.toml", env, 1));
        let requests = (proxy.counts.requests.load(std::sync::atomic::Ordering::Relaxed) - before) / 3;
        let snapshot = &run.snapshots[0];
        let accounts = snapshot["fleet"]["accounts"].as_array().unwrap().len() as u64;
        let units = accounts * 2;
        let calls = calls_by_service(&run.snapshots);
        // Every request the proxy saw: the sources' calls, and GetCallerIdentity, discovery and one AssumeRole per
        // account, which no source counts.
        let total = requests;
        let discovery = total - calls.values().sum::<u64>() - accounts - 1;
        let per_account = calls
            .iter()
            .map(|(s, n)| format!("{s} {:.0}", *n as f64 / accounts as f64))
            .chain([format!("sts 1; organizations {discovery} in all")])
            .collect::<Vec<_>>()
            .join(", ");
        // The account, discovery (one call after another), the roles, then the units.
        let critical =
            1 + discovery + accounts.div_ceil(CONCURRENCY) + UNIT_CHAIN * units.div_ceil(CONCURRENCY);
        // A call on the critical path takes the added latency plus moto's own time, at most the unloaded wall
        // time shared out over the critical path's calls.
        let per_call = LATENCY + unloaded / critical as u32;
        let chain = per_call * UNIT_CHAIN as u32;
        let base = chain * units.div_ceil(CONCURRENCY) as u32;
        println!(
            "| {accounts} | {units} | {total} ({per_account}) | {critical} calls | {} ms | {} ms | {} ms | {} ms | {:.2}x | {} MiB |",
            unloaded.as_millis(),
            chain.as_millis(),
            (base * 2).as_millis(),
            run.wall.as_millis(),
            run.wall.as_secs_f64() / base.as_secs_f64(),
            run.peak_kib.iter().max().unwrap() / 1024,
        );
    }

    println!("\nThe {ACCOUNTS_PER_ENV} accounts of prod in shards run side by side (one process each):\n");
    println!("| shards | units per shard | wall time (slowest shard) | peak memory per shard |");
    println!("|---:|---|---:|---:|");
    for n in [1, 2, 4] {
        let run = median(|| shards(dir.path(), "envparity.toml", "prod", n));
        let units: Vec<String> = run
            .snapshots
            .iter()
            .map(|s| s["sources"].as_array().unwrap().len().to_string())
            .collect();
        println!(
            "| {n} | {} | {} ms | {} MiB |",
            units.join(", "),
            run.wall.as_millis(),
            run.peak_kib.iter().max().unwrap() / 1024
        );
    }
}

struct Run {
    wall: Duration,
    peak_kib: Vec<u64>,
    snapshots: Vec<Value>,
}

/// The run of median wall time of three.
fn median(mut run: impl FnMut() -> Run) -> Run {
    let mut runs: Vec<Run> = (0..3).map(|_| run()).collect();
    runs.sort_by_key(|r| r.wall);
    runs.swap_remove(1)
}

/// Collects `env` in `n` shards at once, one process each, under /usr/bin/time for the peak memory.
fn shards(dir: &Path, config: &str, env: &str, n: u32) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("envparity");
    let start = Instant::now();
    let children: Vec<_> = (0..n)
        .map(|i| {
            let mut cmd = std::process::Command::new("/usr/bin/time");
            cmd.args(["-f", "%M", "-o"])
                .arg(dir.join(format!("rss-{i}")))
                .arg(&bin)
                .args([
                    "--quiet",
                    "collect",
                    env,
                    "--config",
                    config,
                    "--shard",
                    &format!("{i}/{n}"),
                ])
                .args(["--output", &format!("part-{i}.json")])
                .current_dir(dir)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
                .env("AWS_CONFIG_FILE", dir.join("aws-config"))
                .env("AWS_EC2_METADATA_DISABLED", "true");
            cmd.spawn().unwrap()
        })
        .collect();
    for mut child in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "a shard of {env} failed: {status}");
    }
    let wall = start.elapsed();
    let read = |name: String| std::fs::read_to_string(dir.join(name)).unwrap();
    Run {
        wall,
        peak_kib: (0..n)
            .map(|i| read(format!("rss-{i}")).trim().parse().unwrap())
            .collect(),
        snapshots: (0..n)
            .map(|i| serde_json::from_str(&read(format!("part-{i}.json"))).unwrap())
            .collect(),
    }
}

fn calls_by_service(snapshots: &[Value]) -> BTreeMap<String, u64> {
    let mut calls = BTreeMap::new();
    for snapshot in snapshots {
        assert_eq!(snapshot["gaps"], Value::Array(vec![]), "collected completely");
        for s in snapshot["sources"].as_array().unwrap() {
            *calls
                .entry(s["service"].as_str().unwrap().to_owned())
                .or_default() += s["api_calls"].as_u64().unwrap();
        }
    }
    calls
}
