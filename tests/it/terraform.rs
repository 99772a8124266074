//! Terraform and OpenTofu states and plans as environments, offline: the fixture's staging and prod (one
//! workspace each of the same modules) and staging's plan, and states planted with secrets in every place a
//! state holds them.

use std::path::Path;

use envparity_testkit::{ReportRow, copy_dir, envparity, report_row, report_rows, repository, write};
use predicates::prelude::*;
use serde_json::{Value, json};

const KEY: &str = "test-fingerprint-key-0123456789";

/// The fixture folder, copied where a test may write.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repository().join("examples/terraform"), dir.path());
    dir
}

/// `envparity collect ENV` in `dir` with the test's fingerprint key: (exit status, stderr).
fn collect(dir: &Path, env: &str) -> (Option<i32>, String) {
    let out = envparity(dir)
        .env("ENVPARITY_FINGERPRINT_KEY", KEY)
        .args(["collect", env, "--output", &format!("{env}.json")])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// (rule, kind, key, field, severity) of every finding of `diff STAGING PROD` under the default policy.
fn findings(dir: &Path, staging: &str, prod: &str) -> (Option<i32>, Vec<ReportRow>) {
    let out = envparity(dir)
        .args(["diff", staging, prod, "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code(), report_rows(&report))
}

/// What staging's and prod's states differ in that the policy judges (the rest are expected differences:
/// sizes, protection prod has and staging may lack), keyed by address.
fn planted() -> Vec<ReportRow> {
    let db = "module.db[\"orders\"].aws_db_instance.this";
    vec![
        report_row(
            "cluster-setup",
            "aws.eks.cluster",
            "aws_eks_cluster.shop",
            "endpoint_public_access",
            "error",
        ),
        report_row(
            "kubernetes-version",
            "aws.eks.cluster",
            "aws_eks_cluster.shop",
            "version",
            "error",
        ),
        report_row(
            "kubernetes-version",
            "aws.eks.nodegroup",
            "aws_eks_node_group.general",
            "version",
            "error",
        ),
        report_row(
            "load-balancer-setup",
            "aws.elbv2.target_group",
            "aws_lb_target_group.web",
            "health_check.interval_seconds",
            "error",
        ),
        report_row(
            "function-limits",
            "aws.lambda.function",
            "aws_lambda_function.worker",
            "timeout_seconds",
            "error",
        ),
        report_row(
            "engine-version",
            "aws.rds.instance",
            db,
            "engine_version",
            "error",
        ),
        report_row(
            "queue-visibility",
            "aws.sqs.queue",
            "module.queues.aws_sqs_queue.jobs[0]",
            "visibility_timeout_seconds",
            "error",
        ),
        report_row(
            "queue-delivery",
            "aws.sqs.queue",
            "module.queues.aws_sqs_queue.jobs[1]",
            "visibility_timeout_seconds",
            "error",
        ),
        report_row(
            "secret-reused",
            "aws.ssm.parameter",
            "aws_ssm_parameter.db_url",
            "value",
            "error",
        ),
        report_row(
            "missing-in-staging",
            "terraform.aws_iam_access_key",
            "aws_iam_access_key.deploy",
            "",
            "error",
        ),
        report_row(
            "queue-visibility",
            "aws.sqs.queue",
            "module.queues.aws_sqs_queue.jobs[0]",
            "visibility_timeout_seconds",
            "warning",
        ),
        report_row(
            "load-balancer-attributes",
            "aws.elbv2.load_balancer",
            "aws_lb.web",
            "attributes.idle_timeout.timeout_seconds",
            "warning",
        ),
        report_row(
            "database-parameters",
            "aws.rds.parameter_group",
            "module.db[\"orders\"].aws_db_parameter_group.this",
            "parameters.max_connections",
            "warning",
        ),
        report_row(
            "terraform-resources",
            "terraform.aws_iam_role",
            "aws_iam_role.app",
            "attributes.max_session_duration",
            "warning",
        ),
    ]
}

fn sorted(mut rows: Vec<ReportRow>) -> Vec<ReportRow> {
    rows.sort();
    rows
}

#[test]
fn two_states_are_read_from_their_workspaces_with_no_account_and_judged_by_address() {
    let dir = fixture();
    let dir = dir.path();
    for env in ["staging", "prod"] {
        let (code, stderr) = collect(dir, env);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stderr.contains(&format!("{env}: terraform state:")), "{stderr}");
    }
    let staging = read_json(&dir.join("staging.json"));
    assert_eq!(
        staging["sources"],
        json!([{"provider": "terraform", "service": "state", "status": "complete", "resources": 24, "api_calls": 0}])
    );
    let keys: Vec<&str> = staging["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    for key in [
        "module.db[\"orders\"].aws_db_instance.this",
        "module.queues.aws_sqs_queue.jobs[0]",
        "module.queues.aws_sqs_queue.jobs[1]",
        "aws_s3_bucket.assets",
    ] {
        assert!(keys.contains(&key), "{key} not in {keys:?}");
    }
    // A data source is no resource; helper types fold into the resource they configure.
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("aws_caller_identity") || k.contains("aws_s3_bucket_versioning"))
    );
    let bucket = staging["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "aws.s3.bucket")
        .unwrap();
    assert_eq!(bucket["attributes"]["versioning"], "Suspended", "{bucket}");
    assert_eq!(bucket["name"], "shop-staging-assets");

    let (code, rows) = findings(dir, "staging.json", "prod.json");
    assert_eq!(code, Some(1));
    assert_eq!(sorted(rows), sorted(planted()));
}

#[test]
fn a_plan_is_the_environment_as_it_will_be_after_apply() {
    let dir = fixture();
    let dir = dir.path();
    for env in ["staging-planned", "prod"] {
        let (code, stderr) = collect(dir, env);
        assert_eq!(code, Some(0), "{stderr}");
    }
    let planned = read_json(&dir.join("staging-planned.json"));
    assert_eq!(planned["sources"][0]["service"], "plan");
    // The release takes staging's database to prod's version and its retry queue to prod's visibility timeout:
    // after it, those differences are gone, and the rest remain.
    let (code, rows) = findings(dir, "staging-planned.json", "prod.json");
    assert_eq!(code, Some(1));
    let fixed = ["engine-version", "queue-delivery"];
    let expected: Vec<ReportRow> = planted()
        .into_iter()
        .filter(|r| !fixed.contains(&r.0.as_str()))
        .collect();
    assert_eq!(sorted(rows), sorted(expected));
}

/// Every place a state or a plan holds a secret, each with a canary of its own.
fn hostile_state(env: &str) -> Value {
    let canary = |n: u32| format!("canary-{env}-{n}-Zq9xR7");
    let instance = |attributes: Value, sensitive: Value| {
        json!({"schema_version": 0, "attributes": attributes,
        "sensitive_attributes": sensitive, "private": "Y2FuYXJ5LXByaXZhdGUtMTI="})
    };
    let resource = |r#type: &str, name: &str, instances: Value| json!({"mode": "managed", "type": r#type, "name": name, "provider": "p", "instances": instances});
    let get = |name: &str| json!([{"type": "get_attr", "value": name}]);
    json!({
        "version": 4, "terraform_version": "1.9.5", "serial": 1, "lineage": "x",
        "outputs": {"db_password": {"value": canary(11), "type": "string", "sensitive": true}},
        "resources": [
            resource("aws_db_instance", "db", json!([instance(
                json!({"identifier": format!("orders-{env}-db"), "arn": format!("arn:aws:rds:eu-west-1:1:db:orders-{env}-db"),
                       "engine": "postgres", "password": canary(1), "tags": {"password": canary(10)}}),
                json!([get("password")]))])),
            resource("aws_rds_cluster", "aurora", json!([instance(
                json!({"cluster_identifier": format!("aurora-{env}"), "engine": "aurora-postgresql", "master_password": canary(2)}),
                json!([]))])),
            resource("aws_secretsmanager_secret", "api", json!([instance(
                json!({"arn": format!("arn:aws:secretsmanager:eu-west-1:1:secret:api-{env}-AbCdEf"), "name": format!("api-{env}")}),
                json!([]))])),
            resource("aws_secretsmanager_secret_version", "api", json!([instance(
                json!({"secret_id": format!("arn:aws:secretsmanager:eu-west-1:1:secret:api-{env}-AbCdEf"),
                       "secret_string": "the-same-secret-in-both-Zq9xR7"}),
                json!([]))])),
            resource("aws_iam_access_key", "deploy", json!([instance(
                json!({"user": "deploy", "secret": canary(4), "ses_smtp_password_v4": canary(14)}), json!([]))])),
            resource("aws_ssm_parameter", "db_url", json!([instance(
                json!({"name": format!("/shop/{env}/DB_URL"), "type": "SecureString", "value": canary(5)}),
                json!([get("value")]))])),
            resource("aws_appsync_api_key", "nested", json!([instance(
                json!({"config": [{"token": canary(6), "name": "x"}]}),
                json!([[{"type": "get_attr", "value": "config"}, {"type": "index", "value": {"value": 0, "type": "number"}},
                        {"type": "get_attr", "value": "token"}]]))])),
            resource("aws_glue_connection", "db", json!([instance(
                json!({"name": format!("glue-{env}"), "connection_url": format!("postgres://app:{}@db.internal:5432/shop", canary(7)),
                       "private_key": format!("-----BEGIN RSA PRIVATE KEY-----\nMIIE{}\n-----END RSA PRIVATE KEY-----", canary(15))}),
                json!([]))])),
            resource("aws_lambda_function", "worker", json!([instance(
                json!({"function_name": format!("worker-{env}"), "arn": format!("arn:aws:lambda:eu-west-1:1:function:worker-{env}"),
                       "environment": [{"variables": {"DB_PASSWORD": canary(8), "LOG_LEVEL": "info"}}]}),
                json!([]))])),
            resource("aws_ecs_task_definition", "web", json!([instance(
                json!({"family": format!("web-{env}"), "container_definitions":
                       json!([{"name": "web", "image": "web:1", "environment": [{"name": "API_TOKEN", "value": canary(9)}]}]).to_string()}),
                json!([]))])),
        ]
    })
}

#[test]
fn a_secret_in_any_place_of_a_state_or_a_plan_reaches_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    for env in ["staging", "prod"] {
        write(dir, &format!("{env}.tfstate"), &hostile_state(env).to_string());
    }
    // A plan holds sensitive values in plain text too, marked in `sensitive_values`.
    let plan = json!({"format_version": "1.2", "planned_values": {"root_module": {"resources": [{
        "address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
        "values": {"identifier": "orders-next-db", "password": "canary-plan-13-Zq9xR7", "engine": "postgres"},
        "sensitive_values": {"password": true}}]}}});
    write(dir, "next.json", &plan.to_string());
    write(
        dir,
        "envparity.toml",
        "[environments.staging]\nterraform = [\"{env}.tfstate\"]\n\n[environments.prod]\nterraform = [\"{env}.tfstate\"]\n\n\
         [environments.next]\nterraform_plan = [\"next.json\"]\n",
    );
    let mut outputs = Vec::new();
    for env in ["staging", "prod", "next"] {
        let out = envparity(dir)
            .env("ENVPARITY_FINGERPRINT_KEY", KEY)
            .args(["collect", env, "-vvv", "--output", &format!("{env}.json")])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.extend([out.stdout, out.stderr]);
        outputs.push(std::fs::read(dir.join(format!("{env}.json"))).unwrap());
    }
    for format in ["table", "json", "markdown", "html", "junit", "sarif"] {
        let out = envparity(dir)
            .args([
                "diff",
                "staging.json",
                "prod.json",
                "--format",
                format,
                "--fail-on",
                "never",
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.extend([out.stdout, out.stderr]);
    }
    let show = envparity(dir).args(["show", "prod.json"]).output().unwrap();
    outputs.push(show.stdout);
    for output in &outputs {
        let text = String::from_utf8_lossy(output);
        assert!(!text.contains("canary-"), "a canary leaked:\n{text}");
        assert!(
            !text.contains("the-same-secret-in-both"),
            "a secret leaked:\n{text}"
        );
    }
    // Redacted as live secrets are, fingerprinted with the key: the secret both states share is found reused.
    let report = envparity(dir)
        .args(["diff", "staging.json", "prod.json", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    let reused: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secret-reused")
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(reused, ["aws_secretsmanager_secret.api"]);
}

#[test]
fn a_state_that_cannot_be_read_is_a_gap_that_names_it_and_leaves_its_kinds_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write(
        dir,
        "old.tfstate",
        r#"{"version": 3, "terraform_version": "0.11.14", "modules": []}"#,
    );
    write(
        dir,
        "broken.tfstate",
        r#"{"version": 4, "resources": [{"mode": "managed""#,
    );
    write(
        dir,
        "envparity.toml",
        "[environments.old]\nterraform = [\"old.tfstate\"]\n\n[environments.broken]\nterraform = [\"broken.tfstate\"]\n\n\
         [environments.missing]\nterraform = [\"infra/\"]\n\n[environments.bucket]\nterraform = [\"s3://Bad_Bucket/x\"]\n",
    );
    for (env, message) in [
        (
            "old",
            "old.tfstate: state format version 3: envparity reads version 4",
        ),
        ("broken", "broken.tfstate: not JSON: EOF while parsing"),
        ("missing", "infra/: No such file or directory"),
        // Named once (it was named twice, by the gap and by the store's message).
        ("bucket", "s3://Bad_Bucket/x: an S3 location is s3://BUCKET/KEY"),
    ] {
        let (code, stderr) = collect(dir, env);
        assert_eq!(code, Some(3), "{env}: {stderr}");
        let snapshot = read_json(&dir.join(format!("{env}.json")));
        let gap = &snapshot["gaps"][0];
        assert!(
            gap["error"].as_str().unwrap().starts_with(message),
            "{env}: {gap}"
        );
        let kinds: Vec<&str> = gap["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"aws.rds.instance") && kinds.contains(&"terraform.other"),
            "{kinds:?}"
        );
    }
}

#[test]
fn kinds_names_the_terraform_types_that_feed_a_kind() {
    envparity(Path::new("."))
        .args(["kinds", "aws.s3.bucket"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "From Terraform state: aws_s3_bucket, aws_s3_bucket_versioning, \
             aws_s3_bucket_server_side_encryption_configuration, aws_s3_bucket_public_access_block, \
             aws_s3_bucket_ownership_controls, aws_s3_bucket_lifecycle_configuration",
        ));
    envparity(Path::new("."))
        .args(["kinds", "aws.ec2.instance"])
        .assert()
        .stdout(predicate::str::contains(
            "Not known to a state: image, architecture",
        ));
}

#[test]
fn a_state_against_its_environment_live_is_counted_as_such() {
    let (code, table) = prod_state_against_live(json!({}));
    assert_eq!(code, Some(1), "{table}");
    // One queue pairs by its ARN; the other is not live (the live side read SQS); the kinds it did not read are
    // not judged; the queue made by hand is unmanaged.
    assert!(
        table.contains("1 paired, 24 only in the state, 1 only live"),
        "{table}"
    );
    assert!(table.contains("unmanaged: jobs-manual"), "{table}");
    assert_eq!(table.matches("deleted outside Terraform").count(), 1, "{table}");
}

#[test]
fn a_state_entry_the_live_tag_filter_would_hide_is_not_called_deleted() {
    // The state's queues carry Team=shop: a live collection of Team=payments alone could not have seen them.
    let (_, hidden) = prod_state_against_live(json!({"Team": "payments"}));
    assert_eq!(hidden.matches("deleted outside Terraform").count(), 0, "{hidden}");
    let (_, shown) = prod_state_against_live(json!({"Team": "shop"}));
    assert_eq!(shown.matches("deleted outside Terraform").count(), 1, "{shown}");
}

/// The example's prod from its state against a live snapshot of prod that read SQS under the tag filter `tags`:
/// one of the state's queues and one made by hand. (exit status, the table.)
fn prod_state_against_live(tags: Value) -> (Option<i32>, String) {
    let dir = fixture();
    let dir = dir.path();
    let (code, stderr) = collect(dir, "prod");
    assert_eq!(code, Some(0), "{stderr}");
    // The same resources as a live collection of prod would hold them, its queue made by hand.
    let mut live = read_json(&dir.join("prod.json"));
    let queue = |name: &str| {
        live["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    };
    let mut manual = queue("jobs-prod-0");
    manual["name"] = "jobs-manual".into();
    manual["id"] = "arn:aws:sqs:eu-west-1:222222222222:jobs-manual".into();
    live["resources"] = json!([queue("jobs-prod-0"), manual]);
    live["sources"] = json!([{"provider": "aws", "service": "sqs", "account": "222222222222",
                              "region": "eu-west-1", "status": "complete", "resources": 2}]);
    live["fleet"] = json!({"accounts": [{"id": "222222222222"}], "regions": ["eu-west-1"], "tags": tags});
    write(dir, "prod-live.json", &live.to_string());
    let out = envparity(dir)
        .args(["diff", "prod.json", "prod-live.json", "--policy", "drift"])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_state_listing_one_bucket_twice_or_a_secret_as_a_type_gives_gaps_in_a_snapshot_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let token = "ghp_0a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r";
    let bucket = |name: &str| {
        json!({"mode": "managed", "type": "aws_s3_bucket", "name": name, "instances": [{"attributes": {
            "bucket": "shop-prod-assets", "arn": "arn:aws:s3:::shop-prod-assets", "id": "shop-prod-assets"}}]})
    };
    let state =
        |resources: Value| json!({"version": 4, "terraform_version": "1.11.4", "resources": resources});
    // The same bucket under two addresses: imported twice, or two states naming one bucket.
    write(
        dir,
        "twice.tfstate",
        &state(json!([bucket("assets"), bucket("assets_again")])).to_string(),
    );
    let secret_type =
        json!([{"mode": "managed", "type": token, "name": "x", "instances": [{"attributes": {}}]}]);
    write(dir, "secret.tfstate", &state(secret_type).to_string());
    write(
        dir,
        "envparity.toml",
        "[environments.prod]\nterraform = [\"twice.tfstate\"]\n\n[environments.other]\nterraform = [\"secret.tfstate\"]\n",
    );
    for (env, gap) in [
        (
            "prod",
            "duplicate resource: aws.s3.bucket \"shop-prod-assets\" appears twice",
        ),
        // Masked by the egress check, the type's kind is no kind a snapshot may hold.
        ("other", "is not a kind of the form provider.service.type"),
    ] {
        let (code, stderr) = collect(dir, env);
        assert_eq!(code, Some(3), "{env}: {stderr}");
        let text = std::fs::read_to_string(dir.join(format!("{env}.json"))).unwrap();
        assert!(!text.contains(&token[4..]), "{text}");
        let snapshot: Value = serde_json::from_str(&text).unwrap();
        assert!(
            snapshot["gaps"][0]["error"].as_str().unwrap().contains(gap),
            "{env}: {:#}",
            snapshot["gaps"]
        );
        envparity(dir)
            .args(["show", &format!("{env}.json")])
            .assert()
            .success();
    }
}
