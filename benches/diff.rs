//! The diff benchmark: envparity's end-to-end `diff` against the parse floor and against deepdiff.
//!
//!     ./scripts/bench            (installs deepdiff into .venv, then runs this)
//!     cargo bench --bench diff -- 1000 10000 100000
//!
//! For each size N (resources per side) it generates a pair with `examples/gen_snapshots.rs`, then reports the
//! medians of several runs of:
//! - envparity: the release binary's `diff --policy default --format json --output FILE` (read both files, pair,
//!   evaluate the default policy, write the JSON report), with its peak resident memory;
//! - the floor: reading both files and parsing them into `serde_json::Value`, nothing else;
//! - deepdiff: `benches/peer_deepdiff.py`, when deepdiff is installed in .venv.
//!
//! Then, on the largest size, the same diff under the default policy extended with three of the shipped Rego
//! modules (`policies/rego/`: queue visibility, plain HTTP, bucket versioning) against the diff without them,
//! times and peak memory.
//!
//! Last, two Terraform states of 10,000 resources each (the example states' resources, repeated under other
//! names): `audit` of the two environments (both read, both snapshots written, judged, one process), and
//! `collect` of each then `diff` (three processes), against parsing both states.
//!
//! Under `cargo test` it runs once on a small pair, so that it keeps building and working, and times nothing.

#[allow(dead_code)]
#[path = "../examples/gen_snapshots.rs"]
mod gen_snapshots;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs envparity's diff once; returns its wall time and peak resident memory in bytes.
///
/// The memory comes from GNU time (`/usr/bin/time`, Debian's `time` package): a process spawned from this one
/// would report this process's own peak too, since Linux carries the peak across fork and exec.
fn envparity_diff(dir: &Path, policy: &str) -> (Duration, Option<u64>) {
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "%M"]).arg(env!("CARGO_BIN_EXE_envparity"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_envparity"))
    };
    cmd.args(["diff", "--policy", policy, "--format", "json", "--output"])
        .arg(dir.join("report.json"))
        .arg(dir.join("staging.json"))
        .arg(dir.join("prod.json"));
    let start = Instant::now();
    let out = cmd.output().expect("envparity runs");
    let elapsed = start.elapsed();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "diff failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kilobytes = stderr.lines().last().and_then(|l| l.trim().parse::<u64>().ok());
    (elapsed, kilobytes.map(|k| k * 1024))
}

fn floor(dir: &Path) -> Duration {
    let start = Instant::now();
    for side in ["staging.json", "prod.json"] {
        let bytes = std::fs::read(dir.join(side)).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        std::hint::black_box(value);
    }
    start.elapsed()
}

fn deepdiff(dir: &Path) -> Option<Duration> {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer_deepdiff.py");
    let out = Command::new(python)
        .arg(script)
        .arg(dir.join("staging.json"))
        .arg(dir.join("prod.json"))
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let seconds: f64 = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(Duration::from_secs_f64(seconds))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A peak memory, when GNU time measured it.
fn megabytes(peak: Option<u64>) -> String {
    peak.map_or("n/a (no /usr/bin/time)".into(), |p| {
        format!("{:.1} MB", p as f64 / 1e6)
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benchmarking = args.iter().any(|a| a == "--bench");
    let mut sizes: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = if benchmarking {
            vec![1_000, 10_000, 100_000]
        } else {
            vec![200]
        };
    }
    let runs = if benchmarking { 5 } else { 1 };

    let largest = *sizes.iter().max().expect("at least one size");
    println!(
        "| resources per side | files | floor (parse to Value) | envparity diff | ratio | deepdiff | deepdiff / envparity | peak memory | memory / files |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let dir = tempfile::tempdir().unwrap();
        gen_snapshots::write_pair(n, dir.path()).unwrap();
        let files: u64 = ["staging.json", "prod.json"]
            .iter()
            .map(|f| std::fs::metadata(dir.path().join(f)).unwrap().len())
            .sum();
        let floor = median((0..runs).map(|_| floor(dir.path())).collect());
        let mut peak: Option<u64> = None;
        let diff = median(
            (0..runs)
                .map(|_| {
                    let (t, m) = envparity_diff(dir.path(), "default");
                    peak = peak.max(m);
                    t
                })
                .collect(),
        );
        let peer = if benchmarking && n <= 100_000 {
            deepdiff(dir.path())
        } else {
            None
        };
        println!(
            "| {n} | {:.1} MB | {} | {} | {:.2}x | {} | {} | {} | {} |",
            files as f64 / 1e6,
            ms(floor),
            ms(diff),
            diff.as_secs_f64() / floor.as_secs_f64(),
            peer.map_or("not installed".into(), ms),
            peer.map_or("-".into(), |p| format!(
                "{:.0}x",
                p.as_secs_f64() / diff.as_secs_f64()
            )),
            megabytes(peak),
            peak.map_or("-".into(), |p| format!("{:.2}x", p as f64 / files as f64)),
        );
    }
    rego_row(largest, runs);
    terraform_row(if benchmarking { 10_000 } else { 200 }, runs);
}

/// Runs the release binary with `args` in `dir`, with a fingerprint key (secrets compared); returns its wall time.
fn envparity(dir: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_envparity"))
        .args(args)
        .current_dir(dir)
        .env("ENVPARITY_FINGERPRINT_KEY", "bench-fingerprint-key-0123456789")
        .output()
        .expect("envparity runs");
    let elapsed = start.elapsed();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}

/// Writes the example's staging and prod states grown to about `n` resources each, in its workspace layout, with
/// its envparity.toml: the example's resources again and again, each copy under names of its own.
fn write_states(n: u64, dir: &Path) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/terraform");
    std::fs::copy(example.join("envparity.toml"), dir.join("envparity.toml")).unwrap();
    for env in ["staging", "prod"] {
        let workspace = Path::new("infra/terraform.tfstate.d").join(env);
        let text = std::fs::read_to_string(example.join(&workspace).join("terraform.tfstate")).unwrap();
        let mut state: serde_json::Value = serde_json::from_str(&text).unwrap();
        let resources: Vec<serde_json::Value> = state["resources"].as_array().unwrap().clone();
        let per_copy = resources.len() as u64;
        let mut grown = Vec::new();
        for copy in 0..n.div_ceil(per_copy) {
            for r in &resources {
                // Names of their own, the environment's token still a whole segment.
                let text = r
                    .to_string()
                    .replace(&format!("-{env}"), &format!("-{env}-{copy}"))
                    .replace(&format!("/{env}/"), &format!("/{env}/{copy}/"));
                let mut r: serde_json::Value = serde_json::from_str(&text).unwrap();
                r["name"] = format!("{}_{copy}", r["name"].as_str().unwrap()).into();
                grown.push(r);
            }
        }
        state["resources"] = grown.into();
        std::fs::create_dir_all(dir.join(&workspace)).unwrap();
        std::fs::write(dir.join(&workspace).join("terraform.tfstate"), state.to_string()).unwrap();
    }
}

/// Two states of `n` resources: `audit`, and `collect` of both then `diff`, against parsing both states.
fn terraform_row(n: u64, runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    write_states(n, dir.path());
    let states: Vec<_> = ["staging", "prod"]
        .iter()
        .map(|env| {
            dir.path()
                .join(format!("infra/terraform.tfstate.d/{env}/terraform.tfstate"))
        })
        .collect();
    let size: u64 = states.iter().map(|s| std::fs::metadata(s).unwrap().len()).sum();
    let parse_both = || {
        let start = Instant::now();
        for state in &states {
            let value: serde_json::Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
            std::hint::black_box(value);
        }
        start.elapsed()
    };
    let audit = || {
        envparity(
            dir.path(),
            &["audit", "--quiet", "--format", "json", "--output", "report.json"],
        )
    };
    let separately = || {
        envparity(dir.path(), &["collect", "staging", "--quiet"])
            + envparity(dir.path(), &["collect", "prod", "--quiet"])
            + envparity(
                dir.path(),
                &[
                    "diff",
                    "staging.json",
                    "prod.json",
                    "--format",
                    "json",
                    "--output",
                    "report.json",
                ],
            )
    };
    // The three in turn, round after round, so that a slow spell of the machine falls on all of them.
    let rounds: Vec<[Duration; 3]> = (0..runs * 2 - 1)
        .map(|_| [parse_both(), audit(), separately()])
        .collect();
    let [floor, audited, separately] =
        [0, 1, 2].map(|k| median(rounds.iter().map(|round| round[k]).collect()));
    let ratio = |t: Duration| t.as_secs_f64() / floor.as_secs_f64();
    println!();
    println!(
        "| resources per state | states | floor (parse both) | audit | ratio | collect both + diff | ratio |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {n} | {:.1} MB | {} | {} | {:.2}x | {} | {:.2}x |",
        size as f64 / 1e6,
        ms(floor),
        ms(audited),
        ratio(audited),
        ms(separately),
        ratio(separately),
    );
}

/// The diff of `n` resources per side with and without three Rego modules.
fn rego_row(n: u64, runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    gen_snapshots::write_pair(n, dir.path()).unwrap();
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/rego");
    let modules: Vec<String> = [
        "queue_visibility.rego",
        "plain_http.rego",
        "bucket_versioning.rego",
    ]
    .iter()
    .map(|m| format!("{:?}", rules.join(m).display().to_string()))
    .collect();
    let policy = dir.path().join("rego.toml");
    std::fs::write(
        &policy,
        format!(
            "[policy]\nname = \"default with Rego\"\nextends = \"default\"\nrego = [{}]\nrego_read_outside = [{:?}]\n",
            modules.join(", "),
            rules.display().to_string()
        ),
    )
    .unwrap();
    // The median time of several runs, and the highest peak memory among them.
    let measure = |policy: &str| {
        let runs: Vec<_> = (0..runs).map(|_| envparity_diff(dir.path(), policy)).collect();
        let peak = runs.iter().filter_map(|(_, m)| *m).max();
        (median(runs.into_iter().map(|(t, _)| t).collect()), peak)
    };
    let (without, without_peak) = measure("default");
    let (with, with_peak) = measure(policy.to_str().unwrap());
    println!();
    println!(
        "| resources per side | envparity diff | with 3 Rego modules | ratio | peak memory | with 3 Rego modules |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {n} | {} | {} | {:.2}x | {} | {} |",
        ms(without),
        ms(with),
        with.as_secs_f64() / without.as_secs_f64(),
        megabytes(without_peak),
        megabytes(with_peak)
    );
}
