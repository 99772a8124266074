//! Collectors, `collect` and `audit` against a real moto server, seeded through the AWS API.

mod faults;
mod fleet;
mod proxy;
mod support;
mod terraform;
mod trust;

use envparity_testkit::{ReportRow, report_row, report_rows};
use predicates::prelude::*;
use serde_json::Value;
use support::{TEST_KEY, envparity, envparity_toml, seeded, write};

const AS_OF: &str = "2026-12-01";
/// The value seeded into both environments' SESSION_SECRET: it must never appear in any output.
const CANARY: &str = "canary-session-secret-do-not-leak";

/// The rows of every finding of a JSON report, sorted.
fn findings(report: &Value) -> Vec<ReportRow> {
    let mut rows = report_rows(report);
    rows.sort();
    rows
}

/// What seed.py plants between staging and prod, judged by the default policy. A smaller fleet in staging,
/// a smaller instance of one family and fewer cache replicas are expected and raise nothing.
fn planted() -> Vec<ReportRow> {
    let mut rows = vec![
        report_row(
            "engine-version",
            "aws.rds.instance",
            "orders-{env}-db",
            "engine_version",
            "error",
        ),
        report_row(
            "instance-family",
            "aws.rds.instance",
            "orders-{env}-db",
            "instance_class",
            "error",
        ),
        report_row(
            "load-balancer-setup",
            "aws.elbv2.load_balancer",
            "shop-{env}-alb",
            "listeners",
            "error",
        ),
        report_row(
            "load-balancer-setup",
            "aws.elbv2.target_group",
            "shop-web-{env}-tg",
            "health_check.interval_seconds",
            "error",
        ),
        report_row(
            "load-balancer-attributes",
            "aws.elbv2.load_balancer",
            "shop-{env}-alb",
            "attributes.idle_timeout.timeout_seconds",
            "warning",
        ),
        report_row(
            "function-limits",
            "aws.lambda.function",
            "orders-{env}-worker",
            "timeout_seconds",
            "error",
        ),
        report_row(
            "function-environment",
            "aws.lambda.function",
            "orders-{env}-worker",
            "environment_names",
            "error",
        ),
        report_row(
            "queue-delivery",
            "aws.sqs.queue",
            "orders-{env}-jobs",
            "max_receive_count",
            "error",
        ),
        // Prod's worker timeout was raised (60 s), its queue's visibility timeout (180 s) was not.
        report_row(
            "queue-visibility",
            "aws.sqs.queue",
            "orders-{env}-jobs",
            "visibility_timeout_seconds",
            "warning",
        ),
        // Once, on the parameter group: the database only names its group.
        report_row(
            "database-parameters",
            "aws.rds.parameter_group",
            "orders-{env}-pg",
            "parameters.max_connections",
            "warning",
        ),
        report_row(
            "missing-in-staging",
            "aws.ssm.parameter",
            "/orders/{env}/FEATURE_NEW_CHECKOUT",
            "",
            "error",
        ),
        report_row(
            "missing-in-staging",
            "file.config",
            "config/{env}/shop.yaml:features.recommendations",
            "",
            "error",
        ),
        report_row(
            "secret-reused",
            "aws.ssm.parameter",
            "/shop/{env}/SESSION_SECRET",
            "value",
            "error",
        ),
        report_row(
            "extra-in-staging",
            "aws.ec2.instance",
            "debug-{env}",
            "",
            "warning",
        ),
        report_row(
            "container-environment",
            "aws.ecs.task_definition",
            "web-{env}",
            "containers.web.environment_names",
            "error",
        ),
        report_row(
            "encryption",
            "aws.sns.topic",
            "orders-{env}-events",
            "encryption",
            "error",
        ),
        report_row(
            "secret-rotation",
            "aws.secretsmanager.secret",
            "shop/{env}/stripe-key",
            "rotation",
            "error",
        ),
        report_row(
            "table-shape",
            "aws.dynamodb.table",
            "orders-{env}-carts",
            "global_secondary_indexes",
            "error",
        ),
        report_row(
            "encryption",
            "aws.s3.bucket",
            "shop-{env}-assets",
            "encryption",
            "error",
        ),
        report_row(
            "kubernetes-version",
            "aws.eks.cluster",
            "shop-{env}",
            "version",
            "error",
        ),
    ];
    rows.sort();
    rows
}

/// Seeds a scenario (`seed.py` arguments), runs `envparity audit` as a user would, with a fingerprint key and
/// decryption, and returns (exit status, report, stderr, folder).
fn audit(
    seed: &[&str],
    staging_extra: &str,
    prod_extra: &str,
) -> (Option<i32>, Value, String, tempfile::TempDir) {
    let (moto, dir) = seeded(seed);
    write(
        dir.path(),
        "envparity.toml",
        &envparity_toml(&moto.endpoint, staging_extra, prod_extra),
    );
    let out = envparity(dir.path())
        .env("ENVPARITY_FINGERPRINT_KEY", TEST_KEY)
        .args([
            "audit",
            "--decrypt-secrets",
            "--snapshots",
            "snapshots",
            "--history",
            "history",
            "--format",
            "json",
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{stderr}"));
    (out.status.code(), report, stderr, dir)
}

#[test]
fn audit_two_accounts_finds_exactly_the_planted_differences() {
    let (code, report, stderr, dir) = audit(&["two-accounts"], "", "");
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(findings(&report), planted(), "{stderr}");
    assert_eq!(report["summary"]["incomplete"], 0);
    // What was not audited: the clusters the ECS services run in, which no collector reads.
    for side in ["staging", "prod"] {
        let coverage = &report["coverage"][side];
        assert_eq!(
            coverage["unaudited"],
            serde_json::json!({"ecs:cluster": 1}),
            "{side}"
        );
        assert_eq!(coverage["audited"]["aws.ecs.task_definition"], 1, "{side}");
        assert_eq!(coverage["audited"]["aws.s3.bucket"], 1, "{side}");
    }

    // The listener difference is the TLS policy, and nothing else.
    let listeners = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "listeners")
        .unwrap();
    let https = |side: &str| {
        listeners[side]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["port"] == 443)
            .unwrap()
            .clone()
    };
    assert_eq!(
        https("staging")["ssl_policy"],
        "ELBSecurityPolicy-TLS13-1-2-2021-06"
    );
    assert_eq!(
        https("prod")["ssl_policy"],
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    );
    let mut s = https("staging");
    s["ssl_policy"] = https("prod")["ssl_policy"].clone();
    assert_eq!(s, https("prod"));

    // Both snapshots were kept, each from its own account, complete.
    for (env, account) in [("staging", "111111111111"), ("prod", "222222222222")] {
        let text = std::fs::read_to_string(dir.path().join(format!("snapshots/{env}.json"))).unwrap();
        // Every collector wrote exactly its kinds' typed attributes.
        envparity_testkit::assert_typed(
            &envparity_model::snapshot::parse(text.as_bytes(), env.as_ref()).unwrap(),
        );
        let snapshot: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(snapshot["environment"], env);
        assert_eq!(snapshot["gaps"], Value::Array(vec![]), "{env}");
        let services: Vec<&str> = snapshot["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["service"].as_str().unwrap())
            .collect();
        assert_eq!(
            services,
            [
                "autoscaling",
                "dynamodb",
                "ec2",
                "ecs",
                "eks",
                "elasticache",
                "elbv2",
                "lambda",
                "rds",
                "s3",
                "secretsmanager",
                "sns",
                "sqs",
                "ssm",
                "tagging",
                "config"
            ],
            "{env}"
        );
        assert!(
            snapshot["sources"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["provider"] == "aws")
                .all(|s| s["account"] == account)
        );
        assert!(!text.contains(CANARY), "a secret leaked into {env}.json");
        assert!(
            stderr.contains(&format!("{env}: aws rds {account} eu-west-1: 2 resources")),
            "{stderr}"
        );
    }
    assert!(!report.to_string().contains(CANARY));

    // The history keeps both snapshots, named by time, with a pointer to the newest, and the report.
    let names = |folder: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.path().join(folder))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    for env in ["staging", "prod"] {
        let names = names(&format!("history/{env}"));
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(names[1], "latest.json");
        let latest: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("history/{env}/latest.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(latest["snapshot"], names[0].as_str());
    }
    assert_eq!(names("history/reports").len(), 1);
}

#[test]
fn audit_one_account_told_apart_by_tags_finds_the_same_differences_reading_tags_once_per_region() {
    let tags = "tags = { Environment = \"staging\" }";
    let (code, report, stderr, dir) = audit(&["one-account"], tags, &tags.replace("staging", "prod"));
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(findings(&report), planted(), "{stderr}");
    let staging = std::fs::read_to_string(dir.path().join("snapshots/staging.json")).unwrap();
    assert!(
        !staging.contains("orders-prod"),
        "no prod resource in staging's snapshot"
    );
    assert!(
        staging.contains("\"orders-staging-pg\""),
        "the parameter group staging uses is kept"
    );
    // Tags come from one tagging-API read per region, not from a call per queue, topic, function, table or
    // bucket; those calls are the tagging source's, whichever service asked first.
    let snapshot: Value = serde_json::from_str(&staging).unwrap();
    let calls = |service: &str| {
        snapshot["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service"] == service)
            .map(|s| s["api_calls"].as_u64().unwrap())
    };
    // The account holds both environments: 4 queues, 2 topics, 2 functions, 2 tables, 2 buckets.
    assert_eq!(
        calls("sqs"),
        Some(1 + 4),
        "ListQueues, GetQueueAttributes per queue"
    );
    assert_eq!(
        calls("sns"),
        Some(2 + 2),
        "ListTopics, ListSubscriptions, GetTopicAttributes per topic"
    );
    assert_eq!(
        calls("lambda"),
        Some(2 + 2),
        "two lists, GetFunctionConcurrency per function"
    );
    assert_eq!(calls("dynamodb"), Some(1 + 3 * 2), "ListTables, three per table");
    assert_eq!(calls("s3"), Some(1 + 6 * 2), "ListBuckets, six per bucket");
    assert_eq!(
        calls("tagging"),
        Some(1),
        "one read, shared by the coverage and the services' tags"
    );
}

#[test]
fn collect_writes_a_snapshot_of_normalized_attributes_without_ids() {
    let (moto, dir) = seeded(&["two-accounts"]);
    write(
        dir.path(),
        "envparity.toml",
        &envparity_toml(&moto.endpoint, "", ""),
    );

    envparity(dir.path())
        .args(["collect", "prod", "--output", "prod.json"])
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "prod: aws ec2 222222222222 eu-west-1: 2 resources, 4 API calls",
        ))
        .stderr(predicates::str::contains("prod: wrote prod.json"))
        // Not a terminal: no progress display, only whole lines.
        .stderr(predicates::str::contains("\r").not())
        .stderr(predicates::str::contains("\x1b").not());
    let text = std::fs::read_to_string(dir.path().join("prod.json")).unwrap();
    envparity_testkit::assert_typed(
        &envparity_model::snapshot::parse(text.as_bytes(), "prod.json".as_ref()).unwrap(),
    );
    let snapshot: Value = serde_json::from_str(&text).unwrap();
    let mut kinds: Vec<&str> = snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "aws.autoscaling.group",
            "aws.dynamodb.table",
            "aws.ec2.instance",
            "aws.ec2.launch_template",
            "aws.ecs.service",
            "aws.ecs.task_definition",
            "aws.eks.cluster",
            "aws.eks.nodegroup",
            "aws.elasticache.replication_group",
            "aws.elbv2.load_balancer",
            "aws.elbv2.target_group",
            "aws.lambda.function",
            "aws.rds.instance",
            "aws.rds.parameter_group",
            "aws.s3.bucket",
            "aws.secretsmanager.secret",
            "aws.sns.topic",
            "aws.sqs.queue",
            "aws.ssm.parameter",
            "file.config",
        ]
    );
    // Ids that differ by design never appear in compared attributes.
    for r in snapshot["resources"].as_array().unwrap() {
        let attributes = r["attributes"].to_string();
        for id in [
            "arn:aws",
            "\"i-",
            "ami-",
            "sg-",
            "subnet-",
            "vpc-",
            "lt-",
            "222222222222",
        ] {
            assert!(!attributes.contains(id), "{id} in {}: {attributes}", r["key"]);
        }
    }
    let by_key = |key: &str| {
        snapshot["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap()["attributes"]
            .clone()
    };
    let asg = by_key("shop-web-{env}-asg");
    assert_eq!(asg["instance_types"], serde_json::json!(["m6i.xlarge"]));
    assert_eq!(asg["instance_count"], 3);
    assert_eq!(asg["launch_template"], "shop-web-{env}-lt");
    assert_eq!(asg["target_groups"], serde_json::json!(["shop-web-{env}-tg"]));
    // Parameters live on the group alone, so one difference is one finding; the database names its group.
    let db = by_key("orders-{env}-db");
    assert_eq!(db["parameters"], Value::Null);
    assert_eq!(db["parameter_group"], "orders-{env}-pg");
    assert_eq!(
        by_key("orders-{env}-pg")["parameters"],
        serde_json::json!({"max_connections": "800"})
    );
    assert_eq!(by_key("bastion-{env}")["image"], "bastion-2026.11.14");
    // A queue names its dead-letter queue by key, never by ARN (which holds the account).
    let jobs = by_key("orders-{env}-jobs");
    assert_eq!(jobs["dead_letter_target"], "orders-{env}-jobs-dlq");
    assert_eq!(jobs["max_receive_count"], 3);
    assert_eq!(jobs["visibility_timeout_seconds"], 180);
    assert_eq!(
        by_key("/shop/{env}/SESSION_SECRET")["value"],
        serde_json::json!({"redacted": true})
    );

    // Collecting twice gives the same bytes but for the collection time.
    envparity(dir.path())
        .args(["collect", "prod", "--output", "again.json"])
        .assert()
        .code(0);
    let again = std::fs::read_to_string(dir.path().join("again.json")).unwrap();
    let strip = |t: &str| {
        t.lines()
            .filter(|l| !l.contains("collected_at"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&text), strip(&again));
}

#[test]
fn bad_configs_and_credentials_exit_2_with_one_clear_message() {
    let (moto, dir) = seeded(&["two-accounts"]);
    let good = envparity_toml(&moto.endpoint, "", "");
    write(dir.path(), "envparity.toml", &good);

    envparity(dir.path())
        .args(["collect", "qa"])
        .assert()
        .code(2)
        .stderr("error: no environment named \"qa\" in the config; configured: prod, staging\n");
    envparity(dir.path())
        .args(["collect", "staging", "--config", "missing.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "error: cannot read config missing.toml",
        ));

    write(dir.path(), "typo.toml", &good.replacen("regions", "region", 1));
    let line = 1 + good.lines().position(|l| l.starts_with("regions")).unwrap();
    envparity(dir.path())
        .args(["collect", "staging", "--config", "typo.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!("typo.toml:{line}:1")))
        .stderr(predicates::str::contains("unknown key `region`"))
        .stderr(predicates::str::contains("did you mean `regions`?"));

    write(
        dir.path(),
        "profile.toml",
        &good.replacen("profile = \"staging\"", "profile = \"stagin\"", 1),
    );
    envparity(dir.path())
        .args(["collect", "staging", "--config", "profile.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "error: environment staging: the AWS profile \"stagin\" is defined neither in ",
        ))
        .stderr(predicates::str::contains("(did you mean \"staging\"?)"))
        .stderr(predicates::str::contains("IMDS").not());

    envparity(dir.path())
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .args(["collect", "staging"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "error: environment staging: no usable AWS credentials",
        ));
}

#[test]
fn secrets_never_reach_a_snapshot_a_report_or_a_log() {
    use support::FILE_CANARY;
    let (moto, dir) = seeded(&["two-accounts"]);
    write(
        dir.path(),
        "envparity.toml",
        &envparity_toml(&moto.endpoint, "", ""),
    );

    let mut outputs = Vec::new();
    let mut keyed_report = Vec::new();
    for with_key in [false, true] {
        let mut cmd = envparity(dir.path());
        if with_key {
            cmd.env("ENVPARITY_FINGERPRINT_KEY", TEST_KEY);
        }
        // Trace-level logging of everything, the AWS SDK included, while secrets are decrypted (which needs a
        // key to fingerprint them with).
        cmd.args(["-vvv", "audit", "--snapshots", "s", "--format", "json"]);
        if with_key {
            cmd.arg("--decrypt-secrets");
        }
        let out = cmd.output().unwrap();
        assert!(out.stderr.len() > 10_000, "trace logging is on");
        if with_key {
            keyed_report = out.stdout.clone();
        }
        outputs.push(out.stdout);
        outputs.push(out.stderr);
        for format in ["table", "markdown", "json"] {
            let out = envparity(dir.path())
                .args([
                    "-vvv",
                    "diff",
                    "s/staging.json",
                    "s/prod.json",
                    "--format",
                    format,
                ])
                .output()
                .unwrap();
            outputs.push(out.stdout);
            outputs.push(out.stderr);
        }
        for env in ["staging", "prod"] {
            outputs.push(std::fs::read(dir.path().join(format!("s/{env}.json"))).unwrap());
        }
    }
    for (i, bytes) in outputs.iter().enumerate() {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains(CANARY),
            "the SSM SecureString leaked into output {i}"
        );
        assert!(
            !text.contains(FILE_CANARY),
            "the config file password leaked into output {i}"
        );
    }
    // With the key, the secrets are fingerprinted: the reused SSM secret is caught, the file passwords differ.
    let report: Value = serde_json::from_slice(&keyed_report).unwrap();
    let secret_findings: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secret-reused")
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(secret_findings, ["/shop/{env}/SESSION_SECRET"]);
}

#[test]
fn a_role_to_assume_reaches_the_other_account() {
    let (moto, dir) = seeded(&["two-accounts"]);
    let config = format!(
        "[collect]\nservices = [\"rds\"]\n\n[environments.prod]\nprofile = \"staging\"\n\
         role_arn = \"arn:aws:iam::222222222222:role/envparity-audit\"\nexternal_id = \"envparity\"\n\
         regions = [\"eu-west-1\"]\nendpoint_url = \"{}\"\n",
        moto.endpoint
    );
    write(dir.path(), "role.toml", &config);
    envparity(dir.path())
        .args([
            "collect",
            "prod",
            "--config",
            "role.toml",
            "--output",
            "prod.json",
        ])
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "prod: aws rds 222222222222 eu-west-1: 2 resources",
        ));
    let text = std::fs::read_to_string(dir.path().join("prod.json")).unwrap();
    assert!(
        text.contains("\"orders-prod-db\"") && !text.contains("orders-staging"),
        "{text}"
    );
}

/// Two nightly audits of a fleet nothing changed in between: the shipped drift policy finds nothing, even with
/// every service read by default (some hold nothing) and an SSM path empty in both audits.
#[test]
fn drift_of_an_unchanged_fleet_exits_0_under_the_shipped_drift_policy() {
    let (moto, dir) = seeded(&["two-accounts"]);
    let config = envparity_toml(&moto.endpoint, "", "").replace(
        "ssm_paths = [\"/shop/{env}/\", \"/orders/{env}/\"]",
        "ssm_paths = [\"/shop/{env}/\", \"/orders/{env}/\", \"/nothing-here/{env}/\"]",
    );
    assert!(config.contains("/nothing-here/"), "{config}");
    write(dir.path(), "envparity.toml", &config);
    let audit = || {
        envparity(dir.path())
            .env("ENVPARITY_FINGERPRINT_KEY", TEST_KEY)
            .args([
                "audit",
                "--decrypt-secrets",
                "--history",
                "history",
                "--as-of",
                AS_OF,
            ])
            .output()
            .unwrap()
    };
    let first = audit();
    assert_eq!(
        first.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // History names are to the second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(audit().status.code(), Some(1));
    for env in ["staging", "prod"] {
        let out = envparity(dir.path())
            .args([
                "drift",
                env,
                "--history",
                "history",
                "--format",
                "json",
                "--as-of",
                AS_OF,
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{stderr}"));
        assert_eq!(report["findings"], serde_json::json!([]), "{env}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{env}: {stderr}");
    }
}

/// The README's "try it yourself against moto" block, run as written: only its port and folder are this test's
/// own, and `cargo run --` is the built binary.
#[test]
fn the_readme_s_moto_walkthrough_runs_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = &readme[readme.find("To try it yourself against moto").unwrap()..];
    let start = section.find("```sh\n").unwrap() + 6;
    let block = &section[start..start + section[start..].find("```").unwrap()];
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let venv = support::python()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let script = block
        .replace("5000", &port.to_string())
        .replace("/tmp/shop", dir.path().to_str().unwrap())
        .replace(".venv/", &format!("{}/", venv.display()))
        .replace(
            "cargo run --",
            assert_cmd::cargo::cargo_bin("envparity").to_str().unwrap(),
        );
    // The server it starts in the background is stopped with the script.
    let script = format!(
        "{script}\nstatus=$?\nkill %1 2>/dev/null || pkill -f 'moto_server.py -H 127.0.0.1 -p {port}'\nexit $status\n"
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(root)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("VIOLATIONS: "), "{stdout}");
    assert!(
        stdout.contains("secret-reused"),
        "the SecureString is compared, by fingerprint: {stdout}"
    );
}

/// The README's commands that need an AWS account, run as written against moto: `envparity.toml` is the shop's
/// two accounts, and the history holds an earlier audit (with the report the README's `--baseline` names).
#[test]
fn the_readme_s_aws_commands_run_as_written() {
    let (moto, dir) = seeded(&["two-accounts"]);
    write(
        dir.path(),
        "envparity.toml",
        &envparity_toml(&moto.endpoint, "", ""),
    );
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let lines: Vec<String> = envparity_testkit::readme_commands(&readme)
        .into_iter()
        .filter(|line| {
            envparity_testkit::README_AWS_COMMANDS
                .iter()
                .any(|start| line.starts_with(start))
        })
        .collect();
    // The earlier audit, a second later than the README's, and its report under the name the README gives.
    envparity(dir.path())
        .args([
            "audit",
            "--history",
            "history",
            "--snapshots",
            "earlier",
            "--quiet",
        ])
        .assert()
        .code(3);
    let reports = dir.path().join("history/reports");
    let earlier = std::fs::read_dir(&reports)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::copy(&earlier, reports.join("2026-11-27T05-17-00Z.json")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));

    let bin = assert_cmd::cargo::cargo_bin("envparity");
    let path = format!("{}:/usr/bin:/bin", bin.parent().unwrap().display());
    for line in &lines {
        let out = std::process::Command::new("bash")
            .args(["-c", line])
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", &path)
            .env("HOME", dir.path())
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("aws-credentials"))
            .env("AWS_CONFIG_FILE", dir.path().join("aws-config"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        match envparity_testkit::documented_exit(line) {
            Some(expected) => assert_eq!(code, Some(expected), "{line}\n{stderr}"),
            // A verdict (the shop's SecureString cannot be compared without a key: 3), never a usage error.
            None => assert!(matches!(code, Some(0 | 1 | 3)), "{line}: exit {code:?}\n{stderr}"),
        }
    }
    assert!(lines.len() >= 7, "{lines:#?}");
}
