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

/// `audit` into `out/`, with a JSON report: the output and its stderr.
fn audit(dir: &Path) -> (std::process::Output, String) {
    let out = envparity(dir)
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
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stderr)
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn an_audit_over_organizational_units_names_the_one_account_with_the_difference() {
    let (moto, dir, made) = organization(3);
    let proxy = Proxy::start(&moto.address(), Faults::default());
    write(dir.path(), "envparity.toml", &fleet_toml(&proxy.endpoint, &made));
    let (out, stderr) = audit(dir.path());
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
    // Said for people too: the detail names the accounts when an environment spans several.
    let detail = report["findings"][0]["detail"].as_str().unwrap();
    assert!(detail.ends_with(&format!("prod account {planted}")), "{detail}");
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

/// How many AssumeRole calls the proxy has seen.
fn assume_roles(proxy: &Proxy) -> u64 {
    let operations = proxy.counts.operations.lock().unwrap();
    operations
        .get(&("sts".to_owned(), "AssumeRole".to_owned()))
        .copied()
        .unwrap_or(0)
}

#[test]
fn a_role_is_assumed_once_for_all_of_an_accounts_services_and_regions() {
    let (moto, dir, made) = organization(2);
    let proxy = Proxy::start(&moto.address(), Faults::default());
    let role_account = made["accounts"]["prod"][0].as_str().unwrap();
    let config = fleet_toml(&proxy.endpoint, &made)
        .replace("services = [\"sqs\"]", "services = [\"sqs\", \"sns\"]")
        + &format!(
            "[environments.one]\nprofile = \"org\"\nrole_arn = \"arn:aws:iam::{role_account}:role/EnvparityAudit\"\n\
             regions = [\"eu-west-1\", \"us-east-1\"]\nendpoint_url = \"{}\"\n",
            proxy.endpoint
        );
    write(dir.path(), "envparity.toml", &config);
    // Two accounts of the organisation, each read in two regions by two services.
    envparity(dir.path()).args(["collect", "prod"]).assert().code(0);
    assert_eq!(assume_roles(&proxy), 2);
    // One account through `role_arn`: its credentials were once asked for twice.
    envparity(dir.path()).args(["collect", "one"]).assert().code(0);
    assert_eq!(assume_roles(&proxy), 3);
}

#[test]
fn shards_of_an_environment_whose_account_is_unknown_merge_into_its_gaps() {
    let (moto, dir, made) = organization(1);
    let proxy = Proxy::start(
        &moto.address(),
        Faults {
            deny: vec![("sts".into(), Some("GetCallerIdentity".into()))],
            ..Faults::default()
        },
    );
    let config = fleet_toml(&proxy.endpoint, &made)
        + &format!(
            "[environments.single]\nprofile = \"org\"\nregions = [\"eu-west-1\", \"us-east-1\"]\n\
             endpoint_url = \"{}\"\n",
            proxy.endpoint
        );
    write(dir.path(), "envparity.toml", &config);
    for i in 0..2 {
        envparity(dir.path())
            .args([
                "collect",
                "single",
                "--shard",
                &format!("{i}/2"),
                "--output",
                &format!("part-{i}.json"),
            ])
            .assert()
            .code(3);
    }
    // Each shard records the same gaps, which merge used to refuse as collected twice (exit 2).
    envparity(dir.path())
        .args(["merge", "--output", "merged.json", "part-0.json", "part-1.json"])
        .assert()
        .code(3);
    let merged = json(&dir.path().join("merged.json"));
    let gaps: Vec<(&str, &str)> = merged["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["service"].as_str().unwrap(), g["region"].as_str().unwrap()))
        .collect();
    assert_eq!(gaps, [("sqs", "eu-west-1"), ("sqs", "us-east-1")]);
    assert!(
        merged["gaps"][0]["error"]
            .as_str()
            .unwrap()
            .contains("GetCallerIdentity")
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
    let (omitted, units) = plan["shards_list"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s["units"].as_u64().unwrap()))
        .find(|(_, units)| *units > 0)
        .unwrap();
    let mut merge = envparity(dir.path());
    merge.args(["merge", "--output", "partial.json"]);
    merge.args(
        parts
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != omitted)
            .map(|(_, p)| p),
    );
    merge.assert().code(3);
    let partial = json(&dir.path().join("partial.json"));
    let gaps = partial["gaps"].as_array().unwrap();
    assert_eq!(gaps.len() as u64, units, "one per unit (one service): {gaps:?}");
    assert!(
        gaps.iter().all(|g| g["error"]
            .as_str()
            .unwrap()
            .contains(&format!("shard {omitted}/3"))),
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
    let (out, stderr) = audit(dir.path());
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

/// envparity with the organisation's profile and moto as every endpoint, as a pod or CI job would run it.
fn with_s3(dir: &Path, endpoint: &str) -> assert_cmd::Command {
    let mut cmd = envparity(dir);
    cmd.env("AWS_PROFILE", "org").env("AWS_ENDPOINT_URL", endpoint);
    cmd
}

/// Runs `statement` with `s3`, a boto3 client of moto's S3, and gives what it printed.
fn boto3_s3(moto: &Moto, statement: &str) -> String {
    let script = format!(
        "import boto3\ns3 = boto3.client('s3', endpoint_url='{}', region_name='us-east-1', \
         aws_access_key_id='a', aws_secret_access_key='b')\n{statement}",
        moto.endpoint
    );
    let out = std::process::Command::new(super::support::python())
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `audit` into `out/` and the history `history`, S3 reached at `endpoint`: the output and its stderr.
fn history_audit(
    dir: &Path,
    endpoint: &str,
    history: &str,
    extra: &[&str],
) -> (std::process::Output, String) {
    let out = with_s3(dir, endpoint)
        .args(["audit", "--snapshots", "out", "--history", history])
        .args(["--format", "json", "--as-of", AS_OF])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stderr)
}

/// An object of moto's S3, read with boto3.
fn s3_object(moto: &Moto, key: &str) -> String {
    boto3_s3(
        moto,
        &format!("print(s3.get_object(Bucket='envparity-history', Key='{key}')['Body'].read().decode())"),
    )
}

#[test]
fn shards_write_parts_to_s3_and_merge_with_or_without_the_prefix_s_slash_and_diff_read_them_from_there() {
    let (moto, dir, made) = organization(3);
    write(dir.path(), "envparity.toml", &fleet_toml(&moto.endpoint, &made));
    let bucket = "s3://envparity-history";
    for env in ["staging", "prod"] {
        for i in 0..3 {
            with_s3(dir.path(), &moto.endpoint)
                .args(["collect", env, "--shard", &format!("{i}/3")])
                .args(["--output", &format!("{bucket}/parts/{env}/shard-{i}.json.gz")])
                .assert()
                .code(0);
        }
        // Prod's prefix is given without its `/`: still the prefix it names, not an object that is not there.
        let slash = if env == "staging" { "/" } else { "" };
        with_s3(dir.path(), &moto.endpoint)
            .args(["merge", "--output", &format!("{bucket}/fleet/{env}.json")])
            .arg(format!("{bucket}/parts/{env}{slash}"))
            .assert()
            .code(0);
    }
    let out = with_s3(dir.path(), &moto.endpoint)
        .args([
            "diff",
            &format!("{bucket}/fleet/staging.json"),
            &format!("{bucket}/fleet/prod.json"),
        ])
        .args(["--format", "json", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["queue-delivery"]);
}

#[test]
fn history_in_s3_keeps_a_latest_pointer_and_drift_reads_it() {
    let (moto, dir, made) = organization(2);
    write(dir.path(), "envparity.toml", &fleet_toml(&moto.endpoint, &made));
    let history = "s3://envparity-history/audits";
    // A bucket that is not there costs nothing: refused before anything is collected.
    let (out, stderr) = history_audit(dir.path(), &moto.endpoint, "s3://no-such-bucket/audits", &[]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot write into s3://no-such-bucket/audits: HeadBucket"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
    let audit = || history_audit(dir.path(), &moto.endpoint, history, &["--gzip", "--quiet"]).0;
    assert_eq!(audit().status.code(), Some(1));
    // History names are to the second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(audit().status.code(), Some(1));
    let latest: Value = serde_json::from_str(&s3_object(&moto, "audits/prod/latest.json")).unwrap();
    let newest = latest["snapshot"].as_str().unwrap();
    assert!(newest.ends_with(".json.gz"), "{latest}");

    let out = with_s3(dir.path(), &moto.endpoint)
        .args([
            "drift",
            "prod",
            "--history",
            history,
            "--format",
            "json",
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("{history}/prod/")) && stderr.contains(newest),
        "{stderr}"
    );

    // A pointer at a newer snapshot (another audit that finished later) is never moved back.
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(10);
    let (name, at) = (
        format!("{}.json.gz", later.strftime("%Y-%m-%dT%H-%M-%SZ")),
        later.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    );
    let newer = format!(r#"{{"snapshot": "{name}", "collected_at": "{at}"}}"#);
    boto3_s3(
        &moto,
        &format!("s3.put_object(Bucket='envparity-history', Key='audits/prod/latest.json', Body={newer:?})"),
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_, stderr) = history_audit(dir.path(), &moto.endpoint, history, &[]);
    assert!(
        stderr.contains(&format!("latest.json stays on {name}")),
        "{stderr}"
    );
    let latest: Value = serde_json::from_str(&s3_object(&moto, "audits/prod/latest.json")).unwrap();
    assert_eq!(latest["collected_at"], at.as_str());

    // A planted pointer at a time to come, or at a name envparity never writes, is replaced by the next audit.
    for planted in [
        r#"{"snapshot": "2099-01-01T00-00-00Z.json.gz", "collected_at": "2099-01-01T00:00:00Z"}"#,
        r#"{"snapshot": "../../etc/passwd", "collected_at": "2000-01-01T00:00:00Z"}"#,
    ] {
        boto3_s3(
            &moto,
            &format!(
                "s3.put_object(Bucket='envparity-history', Key='audits/prod/latest.json', Body={planted:?})"
            ),
        );
        history_audit(dir.path(), &moto.endpoint, history, &[]);
        let latest: Value = serde_json::from_str(&s3_object(&moto, "audits/prod/latest.json")).unwrap();
        let named = latest["snapshot"].as_str().unwrap();
        assert!(
            envparity_collect::store::history_time(named).is_some(),
            "{latest}"
        );
        assert!(!named.starts_with("2099"), "{latest}");
    }
}

#[test]
fn a_rate_limit_holds_a_service_to_its_calls_per_second_in_an_account_and_region() {
    let (moto, dir) = super::support::seeded(&["secrets"]);
    let config = super::support::envparity_toml(&moto.endpoint, "", "").replace(
        &super::support::lifted_rate_limits(),
        "services = [\"ssm\"]\ncoverage = false\nrate_limits = { ssm = 1 }",
    );
    write(dir.path(), "envparity.toml", &config);
    let start = std::time::Instant::now();
    envparity(dir.path())
        .args(["collect", "staging", "--output", "staging.json"])
        .assert()
        .code(0);
    let elapsed = start.elapsed();
    let snapshot = json(&dir.path().join("staging.json"));
    let calls = snapshot["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "ssm")
        .unwrap()["api_calls"]
        .as_u64()
        .unwrap();
    // One at once, then one a second.
    assert!(calls >= 3, "enough calls to be paced: {calls}");
    let least = std::time::Duration::from_millis((calls - 1) * 1000);
    assert!(
        elapsed >= least,
        "{calls} calls in {elapsed:?}, less than {least:?}"
    );
}

#[test]
fn a_latest_pointer_changed_under_an_audit_is_read_again_and_then_advanced() {
    let (moto, dir, made) = organization(1);
    write(dir.path(), "envparity.toml", &fleet_toml(&moto.endpoint, &made));
    // History goes through a proxy whose first PUT of prod's pointer fails its precondition.
    let proxy = Proxy::start(
        &moto.address(),
        Faults {
            conflict_once: Some("audits/prod/latest.json".into()),
            ..Faults::default()
        },
    );
    let (out, stderr) = history_audit(dir.path(), &proxy.endpoint, "s3://envparity-history/audits", &[]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    assert!(proxy.counts.conflicts.load(std::sync::atomic::Ordering::Relaxed) >= 1);
    let latest: Value = serde_json::from_str(&s3_object(&moto, "audits/prod/latest.json")).unwrap();
    let prod = json(&dir.path().join("out/prod.json"));
    assert_eq!(latest["collected_at"], prod["collected_at"], "{stderr}");
}

/// The history in S3 is reached as the environments are: their shared profile and endpoint, or `[store]`, with
/// no AWS variable set; a store that cannot be reached says what it used and how to change it.
#[test]
fn history_in_s3_is_reached_with_the_config_s_profile_and_endpoint_or_its_store_settings() {
    let (moto, dir, made) = organization(2);
    let config = fleet_toml(&moto.endpoint, &made);
    write(dir.path(), "envparity.toml", &config);
    let audit = || {
        envparity(dir.path())
            .args([
                "audit",
                "--snapshots",
                "out",
                "--history",
                "s3://envparity-history/by-config",
            ])
            .args(["--format", "json", "--as-of", AS_OF, "--quiet"])
            .output()
            .unwrap()
    };
    let out = audit();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(s3_object(&moto, "by-config/prod/latest.json").contains("snapshot"));

    write(
        dir.path(),
        "envparity.toml",
        &format!(
            "[store]\nendpoint_url = \"http://127.0.0.1:{}\"\n\n{config}",
            super::faults::CLOSED_PORT
        ),
    );
    let out = audit();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the store used the default credential chain and http://127.0.0.1:{}: set `[store]` profile, \
             endpoint_url and region in envparity.toml",
            super::faults::CLOSED_PORT
        )),
        "{stderr}"
    );
}
