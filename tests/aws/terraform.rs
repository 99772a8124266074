//! Terraform states as environments, against moto: the shop of `examples/terraform` created on moto as its
//! states describe it (`seed.py terraform`), the states read from moto's S3 as the S3 backend lays out
//! workspaces.

use std::path::Path;

use serde_json::Value;

use super::support::{TEST_KEY, envparity, seeded, write};

/// The services the example's states hold.
const SERVICES: &str = r#"services = ["rds", "sqs", "sns", "ssm", "s3", "dynamodb", "secretsmanager", "ec2",
"autoscaling", "elbv2", "lambda", "ecs", "eks"]"#;

/// The services the states of tests/terraform/ hold.
const REAL_SERVICES: &str =
    r#"services = ["sqs", "sns", "ssm", "s3", "dynamodb", "secretsmanager", "ec2", "elbv2", "autoscaling"]"#;

/// A config reading both environments' `services` live from moto, and one reading them from their states in
/// moto's S3.
fn configs(dir: &Path, endpoint: &str, services: &str) {
    let live = |env: &str| {
        format!(
            "[environments.{env}]\nprofile = \"{env}\"\nregions = [\"eu-west-1\"]\nendpoint_url = \"{endpoint}\"\n\
             ssm_paths = [\"/shop/{{env}}/\"]\n"
        )
    };
    write(
        dir,
        "live.toml",
        &format!(
            "[collect]\n{services}\nconcurrency = 8\n\n{}\n{}",
            live("staging"),
            live("prod")
        ),
    );
    let state = |env: &str| {
        format!("[environments.{env}]\nterraform = [\"s3://shop-tfstate/env:/{{env}}/shop.tfstate\"]\n")
    };
    write(
        dir,
        "state.toml",
        &format!(
            "[store]\nprofile = \"tfstate\"\nendpoint_url = \"{endpoint}\"\nregion = \"eu-west-1\"\n\n{}\n{}",
            state("staging"),
            state("prod")
        ),
    );
}

/// Collects `env` with `config` into `out`, with the test's fingerprint key and decryption.
fn collect(dir: &Path, config: &str, env: &str, out: &str) {
    let run = envparity(dir)
        .env("ENVPARITY_FINGERPRINT_KEY", TEST_KEY)
        .args([
            "collect",
            env,
            "--config",
            config,
            "--decrypt-secrets",
            "--output",
            out,
        ])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "collect {env} with {config}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// `diff` of two snapshots under a policy, as JSON: (exit status, report).
fn diff(dir: &Path, staging: &str, prod: &str, policy: &str) -> (Option<i32>, Value) {
    let out = envparity(dir)
        .args(["diff", staging, prod, "--policy", policy, "--format", "json"])
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

/// The findings as judged, apart from which resource (keys are addresses in a state, names live): rule, kind,
/// field, both values, severity, sorted. `terraform.TYPE` findings are left out: no live collector reads them.
fn judged(report: &Value) -> Vec<String> {
    let mut rows: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["kind"].as_str().unwrap().starts_with("terraform."))
        .map(|f| {
            format!(
                "{} {} {} {} -> {} ({})",
                f["rule"], f["kind"], f["field"], f["staging"], f["prod"], f["severity"]
            )
        })
        .collect();
    rows.sort();
    rows
}

/// A diff's exit status and JSON report.
type Judged = (Option<i32>, Value);

/// A scenario seeded, both environments collected live (`live-ENV.json`) and from their states
/// (`state-ENV.json`), and each pair judged under the default policy: (the folder, the live pair's exit status
/// and report, the states').
fn both_ways(scenario: &str, services: &str) -> (tempfile::TempDir, Judged, Judged) {
    let (moto, dir) = seeded(&[scenario]);
    configs(dir.path(), &moto.endpoint, services);
    for env in ["staging", "prod"] {
        collect(dir.path(), "live.toml", env, &format!("live-{env}.json"));
        collect(dir.path(), "state.toml", env, &format!("state-{env}.json"));
    }
    let live = diff(dir.path(), "live-staging.json", "live-prod.json", "default");
    let state = diff(dir.path(), "state-staging.json", "state-prod.json", "default");
    (dir, live, state)
}

#[test]
fn two_states_judge_as_the_live_environments_they_describe() {
    let (_dir, (live_code, live), (state_code, state)) = both_ways("terraform", SERVICES);
    assert_eq!(judged(&state), judged(&live));
    assert_eq!((state_code, live_code), (Some(1), Some(1)));
    // What the fixture plants, so that the comparison above is of something.
    let rules: Vec<String> = envparity_testkit::report_rows(&state)
        .into_iter()
        .map(|(rule, ..)| rule)
        .collect();
    for planted in [
        "engine-version",
        "queue-delivery",
        "secret-reused",
        "database-parameters",
    ] {
        assert!(rules.iter().any(|r| r == planted), "{planted} not in {rules:?}");
    }
    assert_eq!(state["summary"]["incomplete"], 0, "{state}");
}

#[test]
fn the_readme_s_desired_against_actual_runs_as_written() {
    let (moto, dir) = seeded(&["terraform-drift"]);
    let dir = dir.path();
    configs(dir, &moto.endpoint, SERVICES);
    std::fs::rename(dir.join("live.toml"), dir.join("envparity.toml")).unwrap();
    std::fs::rename(dir.join("state.toml"), dir.join("terraform.toml")).unwrap();
    let readme = std::fs::read_to_string(envparity_testkit::repository().join("README.md")).unwrap();
    let lines: Vec<String> = envparity_testkit::readme_commands(&readme)
        .into_iter()
        .filter(|line| {
            envparity_testkit::README_TERRAFORM_COMMANDS
                .iter()
                .any(|start| line.starts_with(start))
        })
        .collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    for line in &lines {
        let out = std::process::Command::new("bash")
            .args(["-c", line])
            .current_dir(dir)
            .env_clear()
            .env(
                "PATH",
                format!(
                    "{}:/usr/bin:/bin",
                    assert_cmd::cargo::cargo_bin("envparity")
                        .parent()
                        .unwrap()
                        .display()
                ),
            )
            .env("HOME", dir)
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
            .env("AWS_CONFIG_FILE", dir.join("aws-config"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // The README's `export` of the key, which is shell set-up.
            .env("ENVPARITY_FINGERPRINT_KEY", TEST_KEY)
            .output()
            .unwrap();
        let expected = envparity_testkit::documented_exit(line).unwrap_or(0);
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{line}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The states real Terraform and the real AWS provider wrote (`scripts/terraform-reference` applies
/// tests/terraform/shop/ to moto), each environment created on moto as its state describes it: the two states
/// judge as the two live environments, and each state against its live environment is parity.
#[test]
fn states_terraform_wrote_judge_as_the_live_environments_they_describe() {
    let (dir, (_, live), (_, state)) = both_ways("terraform-real", REAL_SERVICES);
    let dir = dir.path();
    assert_eq!(judged(&state), judged(&live));
    let rules: Vec<String> = envparity_testkit::report_rows(&state)
        .into_iter()
        .map(|(rule, ..)| rule)
        .collect();
    for planted in ["queue-delivery", "secret-reused", "terraform-resources"] {
        assert!(rules.iter().any(|r| r == planted), "{planted} not in {rules:?}");
    }
    for env in ["staging", "prod"] {
        let (_, report) = diff(
            dir,
            &format!("state-{env}.json"),
            &format!("live-{env}.json"),
            "drift",
        );
        assert_eq!(beside_moto_quirks(&report), Vec::<&Value>::new(), "{report:#}");
        assert_eq!(report["summary"]["paired"], 13, "{report:#}");
    }
}

/// A report's findings but those of [`moto_quirk`].
fn beside_moto_quirks(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !moto_quirk(f))
        .collect()
}

/// What moto answers differently from AWS (MOTO.md), so that a state differs from moto where it would not from AWS:
/// DescribeServices returns no deployment configuration, and load balancers and target groups have fewer
/// attributes.
fn moto_quirk(finding: &Value) -> bool {
    let field = finding["field"].as_str().unwrap_or_default();
    match finding["kind"].as_str().unwrap_or_default() {
        "aws.ecs.service" => field.starts_with("deployment."),
        "aws.elbv2.target_group" | "aws.elbv2.load_balancer" => {
            finding["detail"] == "absent in the live environment" && field.starts_with("attributes.")
        }
        _ => false,
    }
}

#[test]
fn a_state_against_its_live_environment_finds_exactly_what_was_done_by_hand() {
    let (moto, dir) = seeded(&["terraform-drift"]);
    let dir = dir.path();
    configs(dir, &moto.endpoint, SERVICES);
    collect(dir, "live.toml", "prod", "prod-live.json");
    collect(dir, "state.toml", "prod", "prod-terraform.json");
    let (code, report) = diff(dir, "prod-terraform.json", "prod-live.json", "drift");
    let findings = beside_moto_quirks(&report);
    let rows: Vec<(String, String, String, String, String)> = findings
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (s("rule"), s("kind"), s("key"), s("field"), s("detail"))
        })
        .collect();
    // Paired by ARN where both sides know it; a resource on one side only is keyed by its name.
    let queue = "arn:aws:sqs:eu-west-1:222222222222:jobs-prod-0";
    assert_eq!(
        rows,
        [
            (
                "unlisted-difference".into(),
                "aws.sqs.queue".into(),
                queue.into(),
                "visibility_timeout_seconds".into(),
                "changed outside Terraform".into()
            ),
            (
                "missing-in-staging".into(),
                "aws.sqs.queue".into(),
                "jobs-prod-manual".into(),
                String::new(),
                "unmanaged: jobs-prod-manual".into()
            ),
            (
                "extra-in-staging".into(),
                "aws.ssm.parameter".into(),
                "/shop/prod/LOG_LEVEL".into(),
                String::new(),
                "deleted outside Terraform: /shop/prod/LOG_LEVEL".into()
            ),
        ],
        "{report:#}"
    );
    assert_eq!(code, Some(1));
    let messages: Vec<&str> = findings.iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(
        messages[0].starts_with("Changed outside Terraform"),
        "{messages:?}"
    );
    assert!(messages[1].starts_with("Unmanaged"), "{messages:?}");
    assert!(
        messages[2].starts_with("Deleted outside Terraform"),
        "{messages:?}"
    );
}
