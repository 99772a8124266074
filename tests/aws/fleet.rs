//! Fleets against moto: an AWS Organization with several accounts per environment, discovered by organizational
//! unit, collected whole and in shards, with one account whose role cannot be assumed.

use std::path::Path;

use serde_json::Value;

use super::proxy::{Faults, Proxy};
use super::support::{Moto, envparity, write};

const AS_OF: &str = "2026-12-01";

/// A moto organisation of `accounts` accounts per environment (see seed.py), and what it made.
fn organization(accounts: usize) -> (Moto, tempfile::TempDir, Value) {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    moto.seed_with(dir.path(), &["organization", &format!("accounts={accounts}")]);
    let made: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("organization.json")).unwrap())
            .unwrap();
    (moto, dir, made)
}

/// Both environments by organizational unit, through the role EnvparityAudit, in two regions.
fn fleet_toml(endpoint: &str, made: &Value) -> String {
    let env = |name: &str| {
        format!(
            "[environments.{name}]\nprofile = \"org\"\norganizational_units = [\"{}\"]\nrole_name = \"EnvparityAudit\"\n\
             regions = [\"eu-west-1\", \"us-east-1\"]\nendpoint_url = \"{endpoint}\"\n\n",
            made["units"][name].as_str().unwrap()
        )
    };
    format!(
        "[collect]\nservices = [\"sqs\"]\ncoverage = false\nmax_attempts = 3\nattempt_timeout_seconds = 10\n\n{}{}",
        env("staging"),
        env("prod")
    )
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn an_audit_over_organizational_units_names_the_one_account_with_the_difference() {
    let (moto, dir, made) = organization(3);
    write(dir.path(), "envparity.toml", &fleet_toml(&moto.endpoint, &made));
    let out = envparity(dir.path())
        .args([
            "audit",
            "--snapshots",
            "out",
            "--format",
            "json",
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings: Vec<(&str, &str, &str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["key"].as_str().unwrap(),
                f["field"].as_str().unwrap_or(""),
                f["accounts"]["prod"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let planted = made["accounts"]["prod"][2].as_str().unwrap();
    assert_eq!(
        findings,
        [(
            "queue-delivery",
            "svc2-{env}-jobs@eu-west-1",
            "visibility_timeout_seconds",
            planted
        )],
        "{stderr}"
    );
    // Every account discovered, the recursive child unit's included, with the unit each was found in.
    let prod = json(&dir.path().join("out/prod.json"));
    let accounts: Vec<&str> = prod["fleet"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = made["accounts"]["prod"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    expected.sort();
    assert_eq!(accounts, expected);
    assert!(
        prod["fleet"]["accounts"][0]["name"]
            .as_str()
            .unwrap()
            .starts_with("shop-prod-")
    );
    assert!(
        prod["fleet"]["accounts"][0]["organizational_unit"]
            .as_str()
            .unwrap()
            .starts_with("ou-")
    );
    assert_eq!(
        prod["sources"].as_array().unwrap().len(),
        6,
        "3 accounts x 2 regions"
    );
}

#[test]
fn three_shards_merged_equal_the_unsharded_snapshot() {
    let (moto, dir, made) = organization(3);
    write(dir.path(), "envparity.toml", &fleet_toml(&moto.endpoint, &made));
    envparity(dir.path())
        .args(["collect", "prod", "--output", "whole.json"])
        .assert()
        .code(0);
    let mut parts = Vec::new();
    for i in 0..3 {
        let part = format!("part-{i}.json");
        envparity(dir.path())
            .args(["collect", "prod", "--shard", &format!("{i}/3"), "--output", &part])
            .assert()
            .code(0);
        let text = json(&dir.path().join(&part));
        assert_eq!(text["fleet"]["shard"]["index"], i);
        parts.push(part);
    }
    // The plan says which shard collects each unit, as the parts did.
    let plan = envparity(dir.path())
        .args(["plan", "prod", "--shards", "3", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(0));
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["units"].as_array().unwrap().len(), 6);
    for unit in plan["units"].as_array().unwrap() {
        let shard = unit["shard"].as_str().unwrap();
        let index = shard.split('/').next().unwrap();
        let part = json(&dir.path().join(format!("part-{index}.json")));
        assert!(
            part["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["account"] == unit["account"] && s["region"] == unit["region"]),
            "{unit} is not in part {index}"
        );
    }
    let mut merge = envparity(dir.path());
    merge.args(["merge", "--output", "merged.json"]).args(&parts);
    merge.assert().code(0);
    // Byte for byte, but for the time each was collected at.
    let read = |name: &str| {
        let mut v = json(&dir.path().join(name));
        v["collected_at"] = Value::Null;
        serde_json::to_string_pretty(&v).unwrap()
    };
    assert_eq!(read("merged.json"), read("whole.json"));

    // A missing part is a gap per unit it held, naming its shard: never a smaller fleet.
    envparity(dir.path())
        .args(["merge", "--output", "partial.json", &parts[0], &parts[2]])
        .assert()
        .code(3);
    let partial = json(&dir.path().join("partial.json"));
    let gaps = partial["gaps"].as_array().unwrap();
    assert!(!gaps.is_empty());
    assert!(
        gaps.iter()
            .all(|g| g["error"].as_str().unwrap().contains("shard 1/3")),
        "{gaps:?}"
    );
}

#[test]
fn a_denied_assume_role_in_one_account_is_a_gap_naming_it() {
    let (moto, dir, made) = organization(3);
    let denied = made["accounts"]["prod"][1].as_str().unwrap().to_owned();
    let proxy = Proxy::start(
        &moto.address(),
        Faults {
            deny_containing: vec![("sts".into(), denied.clone())],
            ..Faults::default()
        },
    );
    write(dir.path(), "envparity.toml", &fleet_toml(&proxy.endpoint, &made));
    let out = envparity(dir.path())
        .args([
            "audit",
            "--snapshots",
            "out",
            "--format",
            "json",
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let prod = json(&dir.path().join("out/prod.json"));
    let gaps = prod["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 2, "one per region: {gaps:?}");
    for gap in gaps {
        assert_eq!(gap["account"], denied.as_str());
        let error = gap["error"].as_str().unwrap();
        assert!(
            error.contains(&format!("arn:aws:iam::{denied}:role/EnvparityAudit")),
            "{error}"
        );
    }
    assert!(stderr.contains(&denied), "{stderr}");
    // The other accounts were read.
    assert_eq!(prod["sources"].as_array().unwrap().len(), 4);
}
