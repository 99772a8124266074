//! Faults between envparity and AWS: throttling is retried away, denials and failures become gaps for exactly
//! the affected service, and nothing unseen is ever reported as missing or passed.

use std::sync::atomic::Ordering;

use serde_json::Value;

use crate::proxy::{Faults, Proxy};
use crate::support::{TEST_KEY, envparity, envparity_toml, seeded, write};

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The snapshot's bytes without the collection time, which differs between any two runs.
fn without_time(path: &std::path::Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"collected_at\""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn gap_services(snapshot: &Value) -> Vec<String> {
    snapshot["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["service"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn thirty_percent_throttled_gives_the_same_snapshot_as_no_faults() {
    let (moto, dir) = seeded(&["two-accounts", "many-parameters"]);
    let proxy = Proxy::start(
        &moto.address(),
        Faults {
            throttle_percent: 30,
            ..Faults::default()
        },
    );
    let config =
        // Standard retries: adaptive ones (the default) would slow the client down under this much throttling, as
        // they should against AWS, and make the test slow without proving more.
        |endpoint: &str| {
            envparity_toml(endpoint, "", "")
                .replace("max_attempts = 4", "max_attempts = 10\nretry_mode = \"standard\"")
        };
    write(dir.path(), "direct.toml", &config(&moto.endpoint));
    write(dir.path(), "throttled.toml", &config(&proxy.endpoint));

    envparity(dir.path())
        .args([
            "collect",
            "prod",
            "--config",
            "direct.toml",
            "--output",
            "direct.json",
        ])
        .assert()
        .code(0);
    envparity(dir.path())
        .args([
            "collect",
            "prod",
            "--config",
            "throttled.toml",
            "--output",
            "throttled.json",
        ])
        .assert()
        .code(0);
    let throttled = proxy.counts.throttled.load(Ordering::Relaxed);
    let requests = proxy.counts.requests.load(Ordering::Relaxed);
    // The proxy throttles a fixed 30% of its rolls; how many requests there are depends on the services.
    assert!(
        throttled >= 5 && throttled * 100 >= requests * 15,
        "{throttled} of {requests} requests throttled"
    );
    // Queue URLs name the endpoint they were asked through: the proxy's, in the throttled run.
    assert_eq!(
        without_time(&dir.path().join("direct.json")),
        without_time(&dir.path().join("throttled.json")).replace(&proxy.endpoint, &moto.endpoint)
    );
}

#[test]
fn rds_denied_is_an_rds_gap_and_the_audit_exits_3_naming_it() {
    let (moto, dir) = seeded(&["two-accounts"]);
    let proxy = Proxy::start(
        &moto.address(),
        Faults {
            deny: vec![("rds".into(), None)],
            ..Faults::default()
        },
    );
    write(
        dir.path(),
        "envparity.toml",
        &envparity_toml(&proxy.endpoint, "", ""),
    );

    let out = envparity(dir.path())
        .env("ENVPARITY_FINGERPRINT_KEY", TEST_KEY)
        .args([
            "audit",
            "--decrypt-secrets",
            "--snapshots",
            "s",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("staging: aws rds 111111111111 eu-west-1: NOT COLLECTED: AccessDenied"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["status"], "incomplete");
    let findings = report["findings"].as_array().unwrap();
    let incomplete: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f["severity"] == "incomplete")
        .map(|f| (f["kind"].as_str().unwrap(), f["key"].as_str().unwrap()))
        .collect();
    // One finding per side for the one cause, listing the four kinds it leaves unknown.
    assert_eq!(
        incomplete,
        [
            ("aws.rds", "prod:222222222222 eu-west-1"),
            ("aws.rds", "staging:111111111111 eu-west-1"),
        ]
    );
    let kinds: Vec<&Value> = findings
        .iter()
        .filter(|f| f["severity"] == "incomplete")
        .map(|f| &f["affected"][0]["kinds"])
        .collect();
    let rds = serde_json::json!([
        "aws.rds.cluster",
        "aws.rds.cluster_parameter_group",
        "aws.rds.instance",
        "aws.rds.parameter_group"
    ]);
    assert_eq!(kinds, [&rds, &rds]);
    assert!(
        findings
            .iter()
            .all(|f| f["severity"] == "incomplete" || !f["kind"].as_str().unwrap().starts_with("aws.rds")),
        "nothing is claimed about RDS"
    );
    assert!(!findings.iter().any(|f| f["rule"] == "engine-version"));
    // Everything else was read completely.
    for env in ["staging", "prod"] {
        let snapshot = read_json(&dir.path().join(format!("s/{env}.json")));
        assert_eq!(gap_services(&snapshot), ["rds"]);
        assert_eq!(
            snapshot["sources"].as_array().unwrap().len(),
            envparity_collect::SERVICES.len() + 1,
            "every AWS service but RDS, what was not audited, and the config files"
        );
    }
    // diff of the kept snapshots says the same.
    envparity(dir.path())
        .args(["diff", "s/staging.json", "s/prod.json"])
        .assert()
        .code(3)
        .stdout(predicates::str::contains(
            "aws rds in staging (111111111111 eu-west-1): AccessDenied",
        ));
}

#[test]
fn a_connection_cut_mid_pagination_is_a_gap_not_a_short_list() {
    let (moto, dir) = seeded(&["two-accounts", "many-parameters"]);
    let proxy = Proxy::start(
        &moto.address(),
        Faults {
            cut_next_pages: vec![("ssm".into(), "GetParametersByPath".into())],
            ..Faults::default()
        },
    );
    write(
        dir.path(),
        "envparity.toml",
        &envparity_toml(&proxy.endpoint, "", "").replace("config_files", "# config_files"),
    );
    envparity(dir.path())
        .args(["collect", "prod", "--output", "prod.json"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(
            "prod: aws ssm 222222222222 eu-west-1: NOT COLLECTED: ",
        ));
    assert!(proxy.counts.cut.load(Ordering::Relaxed) >= 1);
    let snapshot = read_json(&dir.path().join("prod.json"));
    assert_eq!(gap_services(&snapshot), ["ssm"]);
    let ssm = snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "aws.ssm.parameter")
        .count();
    assert_eq!(ssm, 0, "no half-collected list of parameters");
}

/// A loopback port nothing listens on: privileged, so no test's server takes it (a port freed by another test
/// could be taken again between its release and its use).
pub(crate) const CLOSED_PORT: u16 = 1;

#[test]
fn failing_and_unreachable_endpoints_are_gaps() {
    let (moto, dir) = seeded(&["two-accounts"]);
    let proxy = Proxy::start(
        &moto.address(),
        Faults {
            fail: vec![("elasticache".into(), Some("DescribeCacheClusters".into()))],
            ..Faults::default()
        },
    );
    let config = envparity_toml(&proxy.endpoint, "", "").replace("config_files", "# config_files");
    write(
        dir.path(),
        "envparity.toml",
        &config.replace("max_attempts = 4", "max_attempts = 2"),
    );
    envparity(dir.path())
        .args(["collect", "staging", "--output", "staging.json"])
        .assert()
        .code(3);
    assert_eq!(
        gap_services(&read_json(&dir.path().join("staging.json"))),
        ["elasticache"]
    );
    assert_eq!(
        proxy.counts.failed.load(Ordering::Relaxed),
        2,
        "retried up to max_attempts"
    );

    // Nothing listens there: every service of the environment is unknown, and the snapshot says so.
    let closed = CLOSED_PORT;
    write(
        dir.path(),
        "closed.toml",
        &config.replace(&proxy.endpoint, &format!("http://127.0.0.1:{closed}")),
    );
    envparity(dir.path())
        .args([
            "collect",
            "staging",
            "--config",
            "closed.toml",
            "--output",
            "closed.json",
        ])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(format!(
            "): http://127.0.0.1:{closed} did not answer: "
        )));
    let snapshot = read_json(&dir.path().join("closed.json"));
    assert_eq!(
        gap_services(&snapshot),
        envparity_collect::SERVICES
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
    );
    assert!(snapshot["resources"].as_array().unwrap().is_empty());
}

#[test]
fn an_unreachable_endpoint_is_a_gap_for_every_service_within_seconds_said_once_naming_the_endpoint() {
    let (_moto, dir) = seeded(&["two-accounts"]);
    let closed = CLOSED_PORT;
    // The default retry and timeout settings, as a new user has them.
    let config = format!(
        "[environments.staging]\nprofile = \"staging\"\nregions = [\"eu-west-1\"]\nendpoint_url = \"http://127.0.0.1:{closed}\"\n"
    );
    write(dir.path(), "envparity.toml", &config);
    let started = std::time::Instant::now();
    let out = envparity(dir.path())
        .args(["collect", "staging", "--output", "closed.json"])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(elapsed < std::time::Duration::from_secs(15), "took {elapsed:?}");
    // One cause, said once: the endpoint that did not answer, and every service it cost.
    assert_eq!(stderr.matches("NOT COLLECTED").count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "NOT COLLECTED ({} parts: aws autoscaling eu-west-1, ",
            envparity_collect::SERVICES.len()
        )) && stderr.contains(&format!("http://127.0.0.1:{closed} did not answer")),
        "{stderr}"
    );
    let gaps = read_json(&dir.path().join("closed.json"))["gaps"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        gaps,
        envparity_collect::SERVICES.len(),
        "each part is a gap of its own in the snapshot"
    );
    assert!(
        !stderr.contains("WARN"),
        "each gap said once, without a log line: {stderr}"
    );
}

#[test]
fn an_endpoint_that_stops_answering_mid_collect_is_a_gap_within_seconds() {
    let (moto, dir) = seeded(&["two-accounts"]);
    // It answers the account and the first few calls, then refuses every connection.
    let proxy = Proxy::start(
        &moto.address(),
        Faults {
            stop_after: Some(6),
            ..Faults::default()
        },
    );
    // The default retries: ten attempts a call, which without the breaker take about a minute to give up.
    let config = format!(
        "[environments.staging]\nprofile = \"staging\"\nregions = [\"eu-west-1\"]\nendpoint_url = \"{}\"\n",
        proxy.endpoint
    );
    write(dir.path(), "envparity.toml", &config);
    let started = std::time::Instant::now();
    let out = envparity(dir.path())
        .args(["collect", "staging", "--output", "stopped.json"])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        elapsed < std::time::Duration::from_secs(15),
        "took {elapsed:?}: {stderr}"
    );
    assert!(!gap_services(&read_json(&dir.path().join("stopped.json"))).is_empty());
}

#[test]
fn denied_tagging_s3_and_ecs_are_gaps_and_what_was_not_audited_is_unknown() {
    let (moto, dir) = seeded(&["two-accounts"]);
    let proxy = Proxy::start(
        &moto.address(),
        Faults {
            deny: ["tagging", "s3", "ecs"].map(|s| (s.to_owned(), None)).to_vec(),
            ..Faults::default()
        },
    );
    write(
        dir.path(),
        "envparity.toml",
        &envparity_toml(&proxy.endpoint, "", ""),
    );
    let out = envparity(dir.path())
        .args([
            "audit",
            "--snapshots",
            "s",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    for env in ["staging", "prod"] {
        assert_eq!(
            gap_services(&read_json(&dir.path().join(format!("s/{env}.json")))),
            ["ecs", "s3", "tagging"]
        );
    }
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // A gap that leaves no kind unknown is still said, once per side.
    let tagging: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "aws.tagging")
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        tagging,
        ["prod:222222222222 eu-west-1", "staging:111111111111 eu-west-1"]
    );
    assert_eq!(report["coverage"]["prod"]["unaudited"], Value::Null);
    assert!(report["coverage"]["prod"]["audited"]["aws.s3.bucket"].is_null());
}
