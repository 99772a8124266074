//! Earned parity, the cases that come from collection: against moto, each named after the case it pins.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{TEST_KEY, envparity, envparity_toml, seeded, write};

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Both environments, SSM alone, under the paths given (`{env}` expanded).
fn ssm_config(endpoint: &str, regions: &str, staging_paths: &str, prod_paths: &str) -> String {
    let env = |name: &str, paths: &str| {
        format!(
            "[environments.{name}]\nprofile = \"{name}\"\nregions = [{regions}]\nendpoint_url = \"{endpoint}\"\n\
             ssm_paths = [{paths}]\n\n"
        )
    };
    format!(
        "[collect]\nservices = [\"ssm\"]\nmax_attempts = 2\n\n{}{}",
        env("staging", staging_paths),
        env("prod", prod_paths)
    )
}

/// Collects staging and prod, each with its fingerprint key, and diffs the two snapshots: (exit status, report).
fn collect_and_diff(dir: &std::path::Path, keys: [&str; 2]) -> (Option<i32>, Value) {
    for (env, key) in ["staging", "prod"].into_iter().zip(keys) {
        envparity(dir)
            .env("ENVPARITY_FINGERPRINT_KEY", key)
            .args(["collect", env, "--output", &format!("{env}.json")])
            .assert()
            .code(0);
    }
    let out = envparity(dir)
        .args(["diff", "staging.json", "prod.json", "--format", "json"])
        .output()
        .unwrap();
    (out.status.code(), serde_json::from_slice(&out.stdout).unwrap())
}

fn rules_of(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            (s("rule"), s("key"), s("severity"))
        })
        .collect()
}

#[test]
fn both_environments_in_an_empty_region_exit_3_not_parity() {
    let (moto, dir) = seeded(&["secrets"]);
    let paths = "\"/shop/{env}/\"";
    write(
        dir.path(),
        "envparity.toml",
        &ssm_config(&moto.endpoint, "\"us-east-2\"", paths, paths),
    );
    let out = envparity(dir.path())
        .args(["audit", "--format", "json", "--snapshots", "s"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["status"], "incomplete");
    assert_eq!(
        rules_of(&report),
        [
            ("nothing-compared".into(), "*".into(), "incomplete".into()),
            (
                "empty-source".into(),
                "prod:222222222222 us-east-2 /shop/prod/".into(),
                "warning".into()
            ),
            (
                "empty-source".into(),
                "staging:111111111111 us-east-2 /shop/staging/".into(),
                "warning".into()
            ),
        ]
    );
}

#[test]
fn an_ssm_path_with_a_typo_is_recorded_and_reported_as_an_empty_source() {
    let (moto, dir) = seeded(&["secrets"]);
    write(
        dir.path(),
        "envparity.toml",
        &ssm_config(
            &moto.endpoint,
            "\"eu-west-1\"",
            "\"/shop/{env}/\", \"/shpo/{env}/\"",
            "\"/shop/{env}/\"",
        ),
    );
    envparity(dir.path())
        .args(["collect", "staging", "--output", "staging.json"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "staging: aws ssm 111111111111 eu-west-1: /shpo/staging/ held nothing",
        ));
    let snapshot = read_json(&dir.path().join("staging.json"));
    assert_eq!(
        snapshot["sources"][0]["empty"],
        serde_json::json!(["/shpo/staging/"])
    );
    let out = envparity(dir.path())
        .env("ENVPARITY_FINGERPRINT_KEY", TEST_KEY)
        .args(["audit", "--format", "json", "--snapshots", "s"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let empty: Vec<_> = rules_of(&report)
        .into_iter()
        .filter(|(rule, _, _)| rule == "empty-source")
        .collect();
    assert_eq!(
        empty,
        [(
            "empty-source".into(),
            "staging:111111111111 eu-west-1 /shpo/staging/".into(),
            "warning".into()
        )]
    );
    // The reused database password is an error anyway; the empty path is a warning beside it.
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn secrets_found_by_name_or_value_never_reach_a_snapshot() {
    let (moto, dir) = seeded(&["secrets"]);
    let paths = "\"/shop/{env}/\"";
    write(
        dir.path(),
        "envparity.toml",
        &ssm_config(&moto.endpoint, "\"eu-west-1\"", paths, paths),
    );
    envparity(dir.path())
        .env("ENVPARITY_FINGERPRINT_KEY", TEST_KEY)
        .args(["collect", "staging", "--output", "staging.json"])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(dir.path().join("staging.json")).unwrap();
    for plain in [
        "hunter2",
        "canary-secrets",
        "canary-api-keys",
        "canary-db-pass",
        "canary-stripe",
        "canary-session-keys",
        "canary-accesskey",
        "canary-list",
        "canaryslackwebhook",
        "ghp_canary",
    ] {
        assert!(!text.contains(plain), "{plain} reached the snapshot:\n{text}");
    }
    let snapshot: Value = serde_json::from_str(&text).unwrap();
    let value = |name: &str| {
        snapshot["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == format!("/shop/staging/{name}"))
            .unwrap()["attributes"]["value"]
            .clone()
    };
    // A URL keeps all but its password: the host is what parity compares.
    assert_eq!(
        value("DATABASE_URL")["masked"],
        "postgres://shop:<redacted>@orders-staging-db.internal:5432/shop"
    );
    assert_eq!(value("API_KEYS")["redacted"], true);
    assert_eq!(value("LOG_LEVEL"), "info");
    assert!(
        snapshot["fingerprint_key_id"]
            .as_str()
            .unwrap()
            .starts_with("hmac-sha256:")
    );
    assert!(!text.contains(TEST_KEY));
}

#[test]
fn a_password_reused_under_different_fingerprint_keys_is_incomplete_not_passed() {
    let (moto, dir) = seeded(&["secrets"]);
    let paths = "\"/shop/{env}/\"";
    write(
        dir.path(),
        "envparity.toml",
        &ssm_config(&moto.endpoint, "\"eu-west-1\"", paths, paths),
    );
    let (code, report) = collect_and_diff(dir.path(), [TEST_KEY, "another-key-of-enough-bytes"]);
    assert_eq!(code, Some(3));
    let reused = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "secret-reused" && f["key"] == "/shop/{env}/DATABASE_URL")
        .unwrap();
    assert_eq!(reused["severity"], "incomplete");
    assert!(
        reused["detail"]
            .as_str()
            .unwrap()
            .contains("collect both with the same ENVPARITY_FINGERPRINT_KEY")
    );

    // Under one key, the reused database password is found.
    let (_, report) = collect_and_diff(dir.path(), [TEST_KEY, TEST_KEY]);
    let reused: Vec<_> = rules_of(&report)
        .into_iter()
        .filter(|(rule, _, _)| rule == "secret-reused")
        .collect();
    assert_eq!(
        reused,
        [(
            "secret-reused".into(),
            "/shop/{env}/DATABASE_URL".into(),
            "error".into()
        )]
    );
}

#[test]
fn a_fingerprint_key_shorter_than_16_bytes_and_decryption_without_a_key_exit_2() {
    let (moto, dir) = seeded(&["secrets"]);
    write(
        dir.path(),
        "envparity.toml",
        &envparity_toml(&moto.endpoint, "", ""),
    );
    envparity(dir.path())
        .env("ENVPARITY_FINGERPRINT_KEY", "short")
        .args(["collect", "staging"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: ENVPARITY_FINGERPRINT_KEY is 5 bytes long; it must have at least 16",
        ));
    envparity(dir.path())
        .args(["collect", "staging", "--decrypt-secrets"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: decrypting secrets needs ENVPARITY_FINGERPRINT_KEY",
        ));
    assert!(!dir.path().join("staging.json").exists(), "nothing was collected");
}

#[test]
fn a_shared_account_without_tags_reports_the_other_environments_resources() {
    let (code, report, _, _dir) = crate::audit(&["one-account"], "", "");
    let foreign: Vec<(String, String, String)> = rules_of(&report)
        .into_iter()
        .filter(|(rule, _, _)| rule == "foreign-environment")
        .collect();
    assert!(
        foreign.contains(&(
            "foreign-environment".into(),
            "orders-prod-db".into(),
            "error".into()
        )),
        "{foreign:?}"
    );
    assert!(
        foreign.contains(&(
            "foreign-environment".into(),
            "orders-staging-db".into(),
            "error".into()
        )),
        "{foreign:?}"
    );
    assert_eq!(code, Some(1));
}

#[test]
fn staging_pointing_at_the_prod_database_is_reported() {
    let (code, report, _, dir) = crate::audit(&["two-accounts", "staging-reads-prod"], "", "");
    assert_eq!(code, Some(1));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "references-prod")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["key"], "/orders/{env}/DATABASE_URL");
    assert_eq!(finding["field"], "value");
    let detail = finding["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("names prod's aws.rds.instance orders-prod-db: orders-prod-db."),
        "{detail}"
    );
    // The endpoint is kept in prod's snapshot, apart from the compared attributes.
    let prod = read_json(&dir.path().join("snapshots/prod.json"));
    let db = prod["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "orders-prod-db")
        .unwrap();
    assert!(
        db["identifiers"][0]
            .as_str()
            .unwrap()
            .starts_with("orders-prod-db.")
    );
    assert!(!db["attributes"].to_string().contains("rds.amazonaws.com"));
}
