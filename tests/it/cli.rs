//! The command line as a user meets it: exit statuses, stdout, stderr and the bytes of reports.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const STAGING: &str = "snapshots/staging.json";
const PROD: &str = "snapshots/prod.json";
const DEMO_POLICY: &str = "snapshots/policy.toml";
/// Waivers are judged on a fixed day so that the outputs below do not change with the calendar.
const AS_OF: &str = "2026-12-01";

fn envparity() -> Command {
    envparity_testkit::envparity(Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn demo(extra: &[&str]) -> Command {
    let mut cmd = envparity();
    cmd.args(["diff", STAGING, PROD, "--policy", DEMO_POLICY, "--as-of", AS_OF])
        .args(extra);
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

#[test]
fn the_demo_prints_a_table_and_exits_1() {
    let out = demo(&[]).assert().code(1).stderr("");
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(!text.contains('\x1b'), "no colour when stdout is not a terminal");
    insta::assert_snapshot!("demo_table", text);
}

#[test]
fn the_demo_without_a_policy_uses_the_embedded_default_from_any_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::cargo_bin("envparity")
        .unwrap()
        .current_dir(dir.path())
        .args(["diff", "--as-of", AS_OF])
        .arg(root.join(STAGING))
        .arg(root.join(PROD))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("policy staging-mirrors-prod"))
        .stdout(predicate::str::contains(
            "VIOLATIONS: 10 errors, 6 warnings, 0 waived",
        ));
}

#[test]
fn json_report_is_report_v1_and_validates_against_its_schema() {
    let text = stdout_of(&mut demo(&["--format", "json"]));
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&stdout_of(envparity().args(["schema", "report"]))).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(report["schema"], "envparity/report/v1");
    assert_eq!(report["summary"]["status"], "violations");
    insta::assert_snapshot!("demo_json", text);
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!("demo_markdown", stdout_of(&mut demo(&["--format", "markdown"])));
}

#[test]
fn every_format_is_byte_identical_across_runs() {
    for format in ["table", "json", "markdown"] {
        let a = demo(&["--format", format]).output().unwrap().stdout;
        let b = demo(&["--format", format]).output().unwrap().stdout;
        assert_eq!(a, b, "{format}");
    }
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, "previous").unwrap();
    demo(&["--format", "json", "--output"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("report.json: violations"));
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written, stdout_of(&mut demo(&["--format", "json"])));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn fail_on_sets_the_threshold() {
    demo(&["--fail-on", "never"]).assert().code(0);
    demo(&["--fail-on", "warning"]).assert().code(1);
    // Only warnings left once the errors are ignored: an error gate passes, a warning gate fails.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("warn.toml");
    std::fs::write(
        &policy,
        "[policy]\nname = \"warn\"\n[defaults]\nunlisted_difference = \"warning\"\nmissing_in_staging = \"ignore\"\nextra_in_staging = \"ignore\"\n",
    )
    .unwrap();
    let run = |fail_on: &str| {
        let mut cmd = envparity();
        cmd.args(["diff", STAGING, PROD, "--fail-on", fail_on, "--policy"])
            .arg(&policy);
        cmd.assert()
    };
    run("error")
        .code(0)
        .stdout(predicate::str::contains("PARITY: 0 errors"));
    run("warning").code(1);
}

#[test]
fn a_gap_exits_3_and_names_the_service_even_when_nothing_fails() {
    for fail_on in ["error", "never"] {
        let out = envparity()
            .args([
                "diff",
                "tests/fixtures/staging-rds-denied.json",
                PROD,
                "--as-of",
                AS_OF,
                "--fail-on",
                fail_on,
            ])
            .assert()
            .code(3);
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(
            text.contains("aws rds in staging (111111111111 eu-west-1): AccessDenied"),
            "{text}"
        );
        assert!(text.contains("INCOMPLETE"), "{text}");
        assert!(
            !text
                .lines()
                .any(|l| l.contains("aws.rds") && l.contains("missing-in-staging")),
            "rds is unknown, not missing:\n{text}"
        );
    }
    let md = stdout_of(envparity().args([
        "diff",
        "tests/fixtures/staging-rds-denied.json",
        PROD,
        "--format",
        "markdown",
    ]));
    assert!(md.contains("### Incomplete"), "{md}");
}

#[test]
fn malformed_snapshots_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(STAGING).unwrap();
    let cases: &[(&str, String, &str)] = &[
        ("empty.json", String::new(), "empty.json: the file is empty"),
        (
            "truncated.json",
            good[..good.len() / 2].to_owned(),
            "truncated.json:",
        ),
        (
            "invalid.json",
            "{\"schema\": envparity}".into(),
            "invalid.json:1:12: not valid JSON",
        ),
        ("trailing.json", format!("{good}}}"), "trailing.json:"),
        (
            "array.json",
            "[]".into(),
            "array.json: expected a JSON object (an envparity snapshot), found a list",
        ),
        (
            "v2.json",
            good.replace("snapshot/v1", "snapshot/v2"),
            "v2.json: schema is \"envparity/snapshot/v2\", but this envparity reads \"envparity/snapshot/v1\" (written by a newer envparity: upgrade envparity to read it)",
        ),
        (
            "foreign.json",
            "{\"schema\": \"something/else\", \"resources\": 3}".into(),
            "foreign.json: schema is \"something/else\"",
        ),
        (
            "types.json",
            good.replacen("\"api_calls\": 1", "\"api_calls\": \"one\"", 1),
            "types.json:14:24: at sources[0].api_calls: invalid type: string \"one\", expected u64",
        ),
        (
            "kind.json",
            good.replacen("aws.autoscaling.group", "AWS::AutoScaling", 1),
            "kind.json: at resources[0].kind: \"AWS::AutoScaling\" is not a kind",
        ),
        (
            "time.json",
            good.replace("2026-11-27T06:00:00Z", "yesterday"),
            "time.json: at collected_at: \"yesterday\" is not an RFC 3339 time",
        ),
        (
            "nokey.json",
            good.replacen(
                "\"key\": \"orders-api-{env}-asg\",\n      \"name\": \"orders-api-staging-asg\",\n",
                "",
                1,
            ),
            "nokey.json: at resources[0]: a resource needs a `key` or a `name`",
        ),
    ];
    for (name, content, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let out = envparity().args(["diff"]).arg(&path).arg(PROD).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(expected),
            "{name}:\n got: {stderr}\nwant: {expected}"
        );
        assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
    }
    envparity()
        .args(["diff", "does-not-exist.json", PROD])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: does-not-exist.json: cannot read snapshot: No such file",
        ));
}

#[test]
fn a_duplicate_resource_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(STAGING).unwrap()).unwrap();
    let first = doc["resources"][0].clone();
    doc["resources"].as_array_mut().unwrap().push(first);
    let path = dir.path().join("dup.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    envparity()
        .args(["show"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "duplicate resource: aws.autoscaling.group \"orders-api-staging-asg\" appears twice",
        ));
}

#[test]
fn a_bad_policy_exits_2_with_every_problem_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[policy]\nname = \"x\"\nfail_on = \"eror\"\n\n[[rule]]\nid = \"r\"\nkinds = [\"aws.rds.*\"]\nfields = [\"engine\"]\nexpect = \"same\"\n").unwrap();
    for args in [vec!["policy", "check"], vec!["diff", STAGING, PROD, "--policy"]] {
        let out = envparity().args(&args).arg(&path).assert().code(2);
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains("bad.toml:3:12"), "{stderr}");
        assert!(stderr.contains("bad.toml:9:11"), "{stderr}");
        assert!(stderr.contains("did you mean `error`?"), "{stderr}");
        assert!(stderr.contains("2 problems in the policy"), "{stderr}");
    }
    envparity()
        .args(["diff", STAGING, PROD, "--policy", "no-such-policy.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read policy no-such-policy.toml (give a policy file, or a shipped policy: default, drift, dev-parity)"));
}

#[test]
fn policy_check_accepts_the_shipped_policies() {
    for policy in [
        "policies/default.toml",
        "policies/drift.toml",
        "policies/dev-parity.toml",
        DEMO_POLICY,
        "drift",
    ] {
        envparity()
            .args(["policy", "check", policy, "--as-of", AS_OF])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(": ok: policy"));
    }
}

#[test]
fn the_example_snapshots_validate_against_the_snapshot_schema_and_are_canonical() {
    let schema: serde_json::Value =
        serde_json::from_str(&stdout_of(envparity().args(["schema", "snapshot"]))).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for path in [STAGING, PROD, "tests/fixtures/staging-rds-denied.json"] {
        let text = std::fs::read_to_string(path).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(validator.is_valid(&doc), "{path}");
        let mut snapshot = envparity_model::snapshot::parse(text.as_bytes(), path.as_ref()).unwrap();
        assert_eq!(
            envparity_model::snapshot::to_json(&mut snapshot),
            text,
            "{path} is in canonical form"
        );
    }
}

#[test]
fn the_snapshot_schema_holds_each_kind_to_its_typed_attributes() {
    let schema: serde_json::Value =
        serde_json::from_str(&stdout_of(envparity().args(["schema", "snapshot"]))).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let snapshot = |kind: &str, attributes: serde_json::Value| {
        serde_json::json!({"schema": "envparity/snapshot/v1", "environment": "prod",
            "collected_at": "2026-12-01T00:00:00Z", "sources": [], "gaps": [],
            "resources": [{"kind": kind, "name": "jobs", "attributes": attributes}]})
    };
    let queue = |attributes| validator.is_valid(&snapshot("aws.sqs.queue", attributes));
    assert!(queue(
        serde_json::json!({"visibility_timeout_seconds": 30, "dead_letter_target": null})
    ));
    assert!(
        !queue(serde_json::json!({"visibility_timeout": 30})),
        "a field the kind does not declare"
    );
    assert!(
        !queue(serde_json::json!({"visibility_timeout_seconds": "30"})),
        "a value of another type"
    );
    // A kind the catalogue does not know is held to nothing more than an object.
    assert!(validator.is_valid(&snapshot("custom.thing", serde_json::json!({"any": 1}))));
}

/// The demo's prod snapshot, unchanged, collected a day later.
fn prod_a_day_later(dir: &Path) -> std::path::PathBuf {
    let later = dir.join("later.json");
    let text = std::fs::read_to_string(PROD).unwrap();
    std::fs::write(
        &later,
        text.replace("2026-11-27T06:00:04Z", "2026-11-28T06:00:04Z"),
    )
    .unwrap();
    later
}

#[test]
fn drift_compares_a_snapshot_with_an_earlier_one() {
    // The same environment a day later, unchanged: no drift at all.
    let dir = tempfile::tempdir().unwrap();
    let later = prod_a_day_later(dir.path());
    envparity()
        .args(["diff", PROD])
        .arg(&later)
        .args(["--policy", "drift"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No findings."))
        .stdout(predicate::str::contains(
            "PARITY: 0 errors, 0 warnings, 0 waived, 0 incomplete; 21 paired, 0 removed and 0 added since \
             2026-11-27T06:00:04Z",
        ));
}

#[test]
fn diff_of_a_snapshot_with_itself_warns() {
    for policy in ["default", "drift"] {
        envparity()
            .args(["diff", PROD, PROD, "--policy", policy, "--format", "json"])
            .assert()
            .stdout(predicate::str::contains(
                "both sides are the snapshot of prod collected at 2026-11-27T06:00:04Z: nothing can differ",
            ))
            .stdout(predicate::str::contains("\"rule\": \"same-environment\""));
    }
}

#[test]
fn two_snapshots_of_one_environment_under_a_parity_policy_warn() {
    let dir = tempfile::tempdir().unwrap();
    let later = prod_a_day_later(dir.path());
    envparity()
        .args(["diff", PROD])
        .arg(&later)
        .args(["--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "both sides are prod (collected at 2026-11-27T06:00:04Z and 2026-11-28T06:00:04Z): for changes over \
             time use --policy drift",
        ));
}

#[test]
fn show_summarises_a_snapshot_and_filters_by_kind() {
    let text = stdout_of(envparity().args(["show", PROD]));
    assert!(
        text.starts_with(
            "snapshots/prod.json: environment prod, collected 2026-11-27T06:00:04Z, 21 resources, 0 gaps"
        ),
        "{text}"
    );
    assert!(text.contains("aws.rds.instance"));
    let rds = stdout_of(envparity().args(["show", PROD, "--kind", "aws.rds.*"]));
    assert!(rds.contains("resources of kind aws.rds.* (4)"), "{rds}");
    assert!(
        rds.contains("orders-prod-db") && !rds.contains("/shop/prod/SESSION_SECRET"),
        "{rds}"
    );
    let gaps = stdout_of(envparity().args(["show", "tests/fixtures/staging-rds-denied.json"]));
    assert!(
        gaps.contains("gaps: these kinds are unknown, not absent"),
        "{gaps}"
    );
    envparity()
        .args(["show", PROD, "--kind", "aws..rds"])
        .assert()
        .code(2);
}

#[test]
fn bad_invocations_exit_2() {
    envparity().args(["diff", STAGING]).assert().code(2);
    envparity()
        .args(["diff", STAGING, PROD, "--format", "yaml"])
        .assert()
        .code(2);
    envparity().args(["frobnicate"]).assert().code(2);
    envparity()
        .args(["diff", STAGING, PROD, "--as-of", "tomorrow"])
        .assert()
        .code(2);
    envparity()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit status: 0 parity"));
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let coloured = stdout_of(&mut demo(&["--color", "always"]));
    assert!(coloured.contains("\x1b["));
    let plain = stdout_of(demo(&[]).env("NO_COLOR", "1"));
    assert!(!plain.contains("\x1b["));
}

#[test]
fn the_example_config_documents_every_key_and_parses() {
    let text = std::fs::read_to_string("examples/envparity.toml").unwrap();
    let config =
        envparity_collect::config::Config::parse(&text, "examples/envparity.toml", "examples".into())
            .unwrap_or_else(|e| panic!("{}", e.render(false)));
    let staging = config.environment("staging").unwrap();
    assert_eq!(
        staging.role_arn.as_deref(),
        Some("arn:aws:iam::111111111111:role/envparity-audit")
    );
    assert_eq!(config.collect.max_attempts, 10);
    // Every key the parser knows appears in the example, commented out or not.
    for key in [
        "policy",
        "services",
        "concurrency",
        "max_attempts",
        "retry_mode",
        "service_timeout_seconds",
        "attempt_timeout_seconds",
        "decrypt_secrets",
        "profile",
        "role_arn",
        "external_id",
        "regions",
        "endpoint_url",
        "tags",
        "tokens",
        "key_tag",
        "ssm_paths",
        "config_files",
        "coverage",
        "kubernetes",
        "compose",
        "compose_profiles",
        "calls_per_service",
        "rate_limits",
        "organizational_units",
        "recursive",
        "account_tags",
        "role_name",
    ] {
        assert!(
            text.contains(&format!("\n{key} ="))
                || text.contains(&format!("# {key} ="))
                || text.contains(&format!("[collect.{key}]")),
            "{key}"
        );
    }
}

/// A snapshot of `n` parameters whose values all differ from the other side's, as JSON text.
fn big_snapshot(environment: &str, n: usize) -> String {
    let mut text = format!(
        "{{\"schema\": \"envparity/snapshot/v1\", \"environment\": \"{environment}\", \
         \"collected_at\": \"2026-11-27T12:00:00Z\", \"resources\": ["
    );
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            "{{\"kind\": \"aws.ssm.parameter\", \"key\": \"/app/{{env}}/P{i}\", \"attributes\": {{\"tier\": \"{environment}-{i}\"}}}}"
        ));
    }
    text.push_str("]}");
    text
}

#[test]
fn a_run_killed_while_writing_leaves_the_previous_report_intact() {
    let dir = tempfile::tempdir().unwrap();
    let (staging, prod) = (dir.path().join("staging.json"), dir.path().join("prod.json"));
    std::fs::write(&staging, big_snapshot("staging", 60_000)).unwrap();
    std::fs::write(&prod, big_snapshot("prod", 60_000)).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let report = out_dir.join("report.json");
    std::fs::write(&report, "{\"previous\": true}\n").unwrap();

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("envparity"))
        .args(["diff", "--format", "json", "--output"])
        .arg(&report)
        .arg(&staging)
        .arg(&prod)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it as soon as the temporary file appears: mid-write or mid-fsync, before the rename.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let caught = loop {
        let temp = std::fs::read_dir(&out_dir)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with(".envparity-"));
        if temp {
            child.kill().unwrap();
            break true;
        }
        if child.try_wait().unwrap().is_some() || std::time::Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    };
    let _ = child.wait();
    assert!(caught, "the write was not caught in progress");
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        "{\"previous\": true}\n"
    );
}

/// Audit judges the pair while the snapshots are written, and writes its report only once both are.
#[test]
fn an_audit_whose_snapshot_cannot_be_written_exits_2_naming_it_once_and_writes_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let state = r#"{"version": 4, "resources": [{"mode": "managed", "type": "aws_sqs_queue", "name": "jobs",
        "instances": [{"attributes": {"name": "jobs", "visibility_timeout_seconds": 30}}]}]}"#;
    std::fs::write(d.join("app.tfstate"), state).unwrap();
    std::fs::write(
        d.join("envparity.toml"),
        "[environments.staging]\nterraform = [\"app.tfstate\"]\n\n[environments.prod]\nterraform = [\"app.tfstate\"]\n",
    )
    .unwrap();
    // A folder where prod's snapshot goes.
    std::fs::create_dir_all(d.join("out/prod.json")).unwrap();
    let out = envparity_testkit::envparity(d)
        .args([
            "audit",
            "--snapshots",
            "out",
            "--format",
            "json",
            "--output",
            "report.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.lines().next(),
        Some("error: cannot write snapshot: out/prod.json: it is a folder; give a file name"),
        "{stderr}"
    );
    assert!(!d.join("report.json").exists());
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_fields_are_ignored_and_a_folder_is_not_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(STAGING).unwrap()).unwrap();
    doc["written_by"] = "envparity 1.4".into();
    doc["collected_at"] = "2026-11-28T06:00:00Z".into();
    doc["resources"][0]["annotations"] = serde_json::json!({"owner": "web"});
    let path = dir.path().join("newer.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    envparity()
        .args(["diff"])
        .arg(&path)
        .arg(STAGING)
        .args(["--policy", "drift"])
        .assert()
        .code(0);

    envparity()
        .args(["diff"])
        .arg(dir.path())
        .arg(PROD)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read snapshot: Is a directory"));
    envparity()
        .args(["policy", "check"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read policy"));
}

/// Splits a snapshot by service, as separately collected parts would be.
fn split(path: &str, dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let part = |keep: &dyn Fn(&str) -> bool, name: &str| {
        let mut d = doc.clone();
        for (list, field) in [("sources", "service"), ("gaps", "service")] {
            d[list]
                .as_array_mut()
                .unwrap()
                .retain(|s| keep(s[field].as_str().unwrap()));
        }
        d["resources"].as_array_mut().unwrap().retain(|r| {
            let kind = r["kind"].as_str().unwrap();
            keep(kind.split('.').nth(1).unwrap())
        });
        let p = dir.join(name);
        std::fs::write(&p, d.to_string()).unwrap();
        p
    };
    let config = |s: &str| matches!(s, "ssm" | "config");
    (part(&config, "a.json"), part(&|s| !config(s), "b.json"))
}

#[test]
fn merge_joins_separately_collected_parts_and_refuses_overlaps() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = split(PROD, dir.path());
    let merged = dir.path().join("merged.json");
    envparity()
        .args(["merge", "--output"])
        .arg(&merged)
        .arg(&b)
        .arg(&a)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("21 resources from 7 sources"));
    assert_eq!(
        std::fs::read_to_string(&merged).unwrap(),
        std::fs::read_to_string(PROD).unwrap()
    );

    envparity()
        .args(["merge", "--output"])
        .arg(dir.path().join("twice.json"))
        .arg(&a)
        .arg(&a)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "aws ssm 222222222222 eu-west-1 is in more than one snapshot",
        ));
    envparity()
        .args(["merge", "--output"])
        .arg(dir.path().join("mixed.json"))
        .arg(&a)
        .arg(STAGING)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("different environments"));

    // Gaps are kept, and the merged snapshot is incomplete.
    let gap_dir = tempfile::tempdir().unwrap();
    let (a, b) = split("tests/fixtures/staging-rds-denied.json", gap_dir.path());
    envparity()
        .args(["merge", "--output"])
        .arg(gap_dir.path().join("m.json"))
        .arg(&a)
        .arg(&b)
        .assert()
        .code(3);
    let m = std::fs::read_to_string(gap_dir.path().join("m.json")).unwrap();
    assert!(m.contains("AccessDenied"));
}

#[test]
fn merge_with_the_output_forgotten_refuses_to_overwrite_the_first_part() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = split(PROD, dir.path());
    let before = std::fs::read(&a).unwrap();
    // The old form `merge OUT PARTS...` with OUT forgotten: the first part would have been overwritten.
    envparity()
        .args(["merge"])
        .arg(&a)
        .arg(&b)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--output"));
    envparity()
        .args(["merge", "--output"])
        .arg(&a)
        .arg(&a)
        .arg(&b)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("it is also an input of this command"));
    assert_eq!(std::fs::read(&a).unwrap(), before);
}

#[test]
fn an_output_that_is_an_input_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let staging = dir.path().join("staging.json");
    std::fs::copy(STAGING, &staging).unwrap();
    let before = std::fs::read(&staging).unwrap();
    envparity()
        .args(["diff"])
        .arg(&staging)
        .arg(PROD)
        .arg("--output")
        .arg(&staging)
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: refusing to write"));
    // The same file through a symlink.
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&staging, &link).unwrap();
    envparity()
        .args(["diff"])
        .arg(&staging)
        .arg(PROD)
        .arg("--output")
        .arg(&link)
        .assert()
        .code(2);
    assert_eq!(std::fs::read(&staging).unwrap(), before);
}

#[test]
fn output_to_dev_null_as_root_writes_through_the_device() {
    envparity()
        .args(["diff", STAGING, PROD, "--output", "/dev/null"])
        .assert()
        .code(1);
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
}

#[test]
fn output_to_a_symlink_writes_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.md");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("latest.md");
    std::os::unix::fs::symlink("report.md", &link).unwrap();
    envparity()
        .args(["diff", STAGING, PROD, "--format", "markdown", "--output"])
        .arg(&link)
        .assert()
        .code(1);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .starts_with("## envparity")
    );
}

#[test]
fn an_output_in_a_missing_folder_is_refused_before_any_work() {
    envparity()
        .args(["diff", STAGING, PROD, "--output", "no/such/folder/report.json"])
        .assert()
        .code(2)
        .stderr("error: cannot write no/such/folder/report.json: the folder no/such/folder does not exist\n");
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let text = stdout_of(&mut demo(&["--format", "sarif"]));
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The OASIS schema, with the one fix its errata made: the `language` pattern had an unbalanced `]`.
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/sarif-2.1.0.schema.json").unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let engine_version = rules.iter().find(|r| r["id"] == "engine-version").unwrap();
    assert!(
        engine_version["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Staging must run the database version")
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 16, "every finding, the waived one suppressed");
    let waived: Vec<_> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(waived.len(), 1);
    assert!(
        results
            .iter()
            .all(|r| r["partialFingerprints"]["envparity/v1"].as_str().unwrap().len() == 32)
    );
}

#[test]
fn junit_parses_back_with_a_case_per_compared_resource() {
    let text = stdout_of(&mut demo(&["--format", "junit"]));
    let junit = quick_junit::Report::deserialize_from_str(&text).unwrap();
    let cases: Vec<_> = junit
        .test_suites
        .iter()
        .flat_map(|s| s.test_cases.iter())
        .collect();
    assert_eq!(
        cases.len(),
        24,
        "20 paired, 1 only in staging, 1 only in prod, and the coverage of each side"
    );
    let status = |key: &str| {
        let case = cases.iter().find(|c| c.name.as_str() == key).unwrap();
        match &case.status {
            quick_junit::TestCaseStatus::Success { .. } => "success",
            quick_junit::TestCaseStatus::NonSuccess { kind, .. } => match kind {
                quick_junit::NonSuccessKind::Failure => "failure",
                quick_junit::NonSuccessKind::Error => "error",
            },
            quick_junit::TestCaseStatus::Skipped { .. } => "skipped",
        }
    };
    assert_eq!(status("orders-{env}-db"), "failure");
    assert_eq!(status("shop-web-{env}-asg"), "success");
    assert_eq!(
        status("/shop/{env}/DEBUG_TOOLBAR"),
        "success",
        "a warning does not fail an error gate"
    );
    assert_eq!(junit.failures, 9, "one per resource with an unwaived error");
}

#[test]
fn a_baseline_marks_findings_new_or_known_and_lists_what_was_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("last-week.json");
    envparity()
        .args([
            "diff",
            "tests/fixtures/staging-rds-denied.json",
            PROD,
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--output",
        ])
        .arg(&baseline)
        .assert()
        .code(3);
    let out = demo(&["--format", "json", "--baseline"])
        .arg(&baseline)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let state = |rule: &str, key: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule && f["key"] == key)
            .unwrap()["baseline"]
            .clone()
    };
    assert_eq!(
        state("engine-version", "orders-{env}-db"),
        "new",
        "RDS was unknown last week"
    );
    assert_eq!(state("instance-family", "orders-api-{env}-asg"), "known");
    let resolved: Vec<&str> = report["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    // Last week's one gap, RDS denied, is one finding for its one cause.
    assert_eq!(resolved, ["aws.rds"]);
    let table = stdout_of(demo(&["--baseline"]).arg(&baseline));
    assert!(
        table.contains("since the baseline: 3 new, 13 known, 1 resolved"),
        "{table}"
    );
    assert!(table.contains("error (new)"), "{table}");

    demo(&["--baseline", "no-such-report.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read baseline report"));
    demo(&["--baseline", PROD])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("an envparity snapshot, not a report"));
}

#[test]
fn drift_compares_the_two_newest_snapshots_in_the_history() {
    let history = tempfile::tempdir().unwrap();
    let folder = history.path().join("prod");
    std::fs::create_dir_all(&folder).unwrap();
    let text = std::fs::read_to_string(PROD).unwrap();
    let at = |day: &str| text.replace("2026-11-27T06:00:04Z", &format!("2026-11-{day}T06:00:00Z"));
    std::fs::write(
        folder.join("2026-11-13T06-00-00Z.json"),
        at("13").replace("\"15.6\"", "\"15.4\""),
    )
    .unwrap();
    std::fs::write(folder.join("2026-11-20T06-00-00Z.json"), at("20")).unwrap();
    // Nothing changed between the two newest: no drift.
    std::fs::write(folder.join("2026-11-27T06-00-00Z.json"), at("27")).unwrap();
    envparity()
        .args(["drift", "prod", "--history"])
        .arg(history.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("policy drift"))
        .stderr(predicate::str::contains("2026-11-20T06-00-00Z.json -> "));
    // The newest changed the database version: drift, under the shipped drift policy.
    std::fs::write(
        folder.join("2026-11-28T06-00-00Z.json"),
        at("28").replace("\"15.6\"", "\"16.1\""),
    )
    .unwrap();
    envparity()
        .args(["drift", "prod", "--history"])
        .arg(history.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("engine-changed"));
    envparity()
        .args(["drift", "staging", "--history"])
        .arg(history.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read history folder"));
}

#[test]
fn drift_reads_only_history_names_and_refuses_another_environments_snapshot() {
    let history = tempfile::tempdir().unwrap();
    let folder = history.path().join("prod");
    std::fs::create_dir_all(&folder).unwrap();
    let text = std::fs::read_to_string(PROD).unwrap();
    let at = |day: &str| text.replace("2026-11-27T06:00:04Z", &format!("2026-11-{day}T06:00:00Z"));
    std::fs::write(folder.join("2026-11-20T06-00-00Z.json"), at("20")).unwrap();
    std::fs::write(folder.join("2026-11-27T06-00-00Z.json"), at("27")).unwrap();
    // Sorted by name, this came last and was taken for the newest snapshot.
    std::fs::write(
        folder.join("zzz-not-a-time.json"),
        std::fs::read(STAGING).unwrap(),
    )
    .unwrap();
    envparity()
        .args(["drift", "prod", "--history"])
        .arg(history.path())
        .assert()
        .code(0)
        .stderr(predicate::str::contains("2026-11-20T06-00-00Z.json -> "));
    // A staging snapshot under a history name of prod's folder is refused, not taken for prod's past.
    std::fs::write(
        folder.join("2026-11-28T06-00-00Z.json"),
        std::fs::read_to_string(STAGING).unwrap(),
    )
    .unwrap();
    envparity()
        .args(["drift", "prod", "--history"])
        .arg(history.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a snapshot of \"staging\", not of \"prod\"",
        ));
    envparity()
        .args(["drift", "../prod", "--history"])
        .arg(history.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not an environment name"));
}

#[test]
fn a_source_marked_incomplete_is_a_gap_and_the_diff_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let staging = dir.path().join("staging.json");
    let text = std::fs::read_to_string(STAGING).unwrap();
    let first = text.find("\"status\": \"complete\"").unwrap();
    let marked = format!(
        "{}\"status\": \"incomplete\"{}",
        &text[..first],
        &text[first + "\"status\": \"complete\"".len()..]
    );
    std::fs::write(&staging, marked).unwrap();
    envparity()
        .args(["diff"])
        .arg(&staging)
        .args([STAGING, "--format", "json"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains(
            "the snapshot marks this source incomplete",
        ));
}

#[test]
fn merge_history_refuses_a_part_whose_environment_is_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    std::fs::create_dir_all(&history).unwrap();
    for environment in ["../../../escaped", "/tmp/escaped-absolute"] {
        let part = dir.path().join("part.json");
        std::fs::write(
            &part,
            std::fs::read_to_string(PROD).unwrap().replace(
                "\"environment\": \"prod\"",
                &format!("\"environment\": {environment:?}"),
            ),
        )
        .unwrap();
        envparity()
            .args(["merge", "--output"])
            .arg(dir.path().join("merged.json"))
            .arg("--history")
            .arg(&history)
            .arg(&part)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot name a folder"));
        assert_eq!(std::fs::read_dir(&history).unwrap().count(), 0, "{environment}");
    }
    assert!(!dir.path().join("escaped").exists() && !Path::new("/tmp/escaped-absolute").exists());
}

#[test]
fn completions_and_the_man_page_are_generated_from_the_command_line() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = stdout_of(envparity().args(["completions", shell]));
        assert!(
            text.contains("envparity") && text.contains("audit") && text.len() > 1000,
            "{shell}"
        );
    }
    let man = stdout_of(envparity().arg("man"));
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq") || man.contains(".TH envparity"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("diff") && man.contains("audit"));
    envparity().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn init_writes_a_config_and_a_policy_that_work() {
    let dir = tempfile::tempdir().unwrap();
    envparity()
        .args(["init", "--dir"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr(predicate::str::contains("envparity.toml"));
    let config = std::fs::read_to_string(dir.path().join("envparity.toml")).unwrap();
    let parsed =
        envparity_collect::config::Config::parse(&config, "envparity.toml", dir.path().into()).unwrap();
    // No live placeholder: editing the profiles alone never audits the example's account or its paths.
    assert!(
        !config
            .lines()
            .any(|l| l.starts_with("role_arn") || l.starts_with("ssm_paths")),
        "{config}"
    );
    assert!(!config.contains("\n[environments.prod-fleet]"), "{config}");
    assert_eq!(
        parsed.environments.keys().map(String::as_str).collect::<Vec<_>>(),
        ["prod", "staging"],
        "{config}"
    );
    envparity()
        .args(["policy", "check"])
        .arg(dir.path().join("policy.toml"))
        .assert()
        .code(0);
    // It never overwrites without being told to.
    envparity()
        .args(["init", "--dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exists; keep it, or pass --force"));
    envparity()
        .args(["init", "--force", "--quiet", "--dir"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn quiet_leaves_only_the_report() {
    let dir = tempfile::tempdir().unwrap();
    demo(&["--quiet", "--format", "json", "--output"])
        .arg(dir.path().join("r.json"))
        .assert()
        .code(1)
        .stdout("")
        .stderr("");
}

#[test]
fn sarif_results_point_at_the_policy_line_that_decided_them() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[policy]\nname = \"mine\"\nextends = \"default\"\n\n[[rule]]\nid = \"pool-size\"\nkinds = [\"aws.rds.*\"]\nfields = [\"parameters.max_connections\"]\nexpect = \"equal\"\n",
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let text = stdout_of(envparity().args(["diff", STAGING, PROD, "--policy", policy, "--format", "sarif"]));
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let location = |rule: &str| {
        let result = results.iter().find(|r| r["ruleId"] == rule).unwrap();
        let physical = &result["locations"][0]["physicalLocation"];
        (
            physical["artifactLocation"]["uri"].as_str().unwrap().to_owned(),
            physical["region"]["startLine"].as_i64().unwrap(),
        )
    };
    assert_eq!(
        location("pool-size"),
        (policy.to_owned(), 5),
        "the [[rule]] header"
    );
    // Findings of a shipped rule have no file of the user's to point at.
    assert_eq!(location("engine-version"), ("envparity.toml".to_owned(), 1));
}

#[test]
fn policy_check_rejects_a_misspelt_field_with_the_closest_one() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[policy]\nname = \"t\"\n[[rule]]\nid = \"v\"\nkinds = [\"aws.rds.*\"]\nfields = [\"engin_version\"]\nexpect = \"equal\"\n",
    )
    .unwrap();
    envparity()
        .args(["policy", "check"])
        .arg(&policy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`engin_version` matches no field of aws.rds.cluster",
        ))
        .stderr(predicate::str::contains(":6:12"))
        .stderr(predicate::str::contains("did you mean `engine_version`?"));
}

#[test]
fn the_shipped_snapshots_hold_exactly_their_kinds_typed_attributes() {
    for env in ["staging", "prod"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("snapshots/{env}.json"));
        let text = std::fs::read_to_string(&path).unwrap();
        envparity_testkit::assert_typed(&envparity_model::snapshot::parse(text.as_bytes(), &path).unwrap());
    }
}

#[test]
fn kinds_lists_the_catalogue_and_a_kind_s_fields() {
    let text = stdout_of(envparity().args(["kinds"]));
    assert!(text.lines().any(|l| l.starts_with("aws.rds.instance ")), "{text}");
    let text = stdout_of(envparity().args(["kinds", "aws.rds.instance"]));
    assert!(
        text.lines()
            .any(|l| l.starts_with("engine_version ") && l.contains("string")),
        "{text}"
    );
    envparity()
        .args(["kinds", "aws.rds.instnace"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean aws.rds.instance?"));
}

#[test]
fn policy_explain_prints_what_why_and_an_example() {
    let text = stdout_of(envparity().args(["policy", "explain", "staging_at_most_prod"]));
    assert!(
        text.starts_with("expect = \"staging_at_most_prod\"\n\nWhat: "),
        "{text}"
    );
    assert!(
        text.contains("\nWhy: ") && text.contains("\nExample:\n[[rule]]"),
        "{text}"
    );
    envparity()
        .args(["policy", "explain", "versoin"])
        .assert()
        .code(2);
}

/// The README's table of kinds is generated from the catalogue; `ENVPARITY_BLESS=1` writes it anew.
#[test]
fn the_readme_lists_the_catalogue() {
    let table = stdout_of(envparity().args(["kinds", "--format", "markdown"]));
    readme_section("kinds", &table, "`envparity kinds --format markdown`");
}

#[test]
fn the_readme_lists_the_default_rate_limits() {
    let mut table = String::from("| service | calls per second | why |\n| --- | ---: | --- |\n");
    for l in envparity_collect::RATE_LIMITS {
        table.push_str(&format!("| `{}` | {} | {} |\n", l.service, l.per_second, l.why));
    }
    readme_section("rate-limits", &table, "RATE_LIMITS");
}

/// Checks that the README's text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` is `expected`, or writes
/// it there with ENVPARITY_BLESS set.
fn readme_section(name: &str, expected: &str, source: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = (format!("<!-- {name}:begin -->\n"), format!("<!-- {name}:end -->"));
    let start = readme.find(&begin).expect("the README marks the section") + begin.len();
    let stop = readme.find(&end).expect("the README marks the section's end");
    if std::env::var_os("ENVPARITY_BLESS").is_some() {
        std::fs::write(
            &path,
            format!("{}{expected}{}", &readme[..start], &readme[stop..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        &readme[start..stop],
        expected,
        "the README's {name} differ from {source}: run the test with ENVPARITY_BLESS=1"
    );
}

#[test]
fn a_terraform_state_given_as_a_snapshot_says_it_is_not_one() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("terraform.tfstate");
    std::fs::write(
        &state,
        r#"{"version": 4, "terraform_version": "1.9.0", "resources": [{"mode": "managed"}]}"#,
    )
    .unwrap();
    envparity().args(["show"]).arg(&state).assert().code(2).stderr(
        predicate::str::starts_with("error: ").and(predicate::str::contains(
            "terraform.tfstate: a Terraform state, not an envparity snapshot: name it in an environment's \
             `terraform = [...]` and `envparity collect` that environment",
        )),
    );
}

#[test]
fn a_snapshot_with_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.json");
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(std::fs::read(STAGING).unwrap());
    std::fs::write(&path, bytes).unwrap();
    envparity().args(["show"]).arg(&path).assert().code(0);
}

#[test]
fn a_folder_or_a_missing_file_names_the_os_error_once() {
    for path in ["snapshots", "no-such-file.json"] {
        let out = envparity().args(["show", path]).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn a_part_with_an_impossible_shard_or_an_outsized_fleet_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(STAGING).unwrap()).unwrap();
    let regions: Vec<String> = (0..1001).map(|i| format!("r{i}")).collect();
    let accounts: Vec<serde_json::Value> = (0..1000)
        .map(|i| serde_json::json!({"id": i.to_string()}))
        .collect();
    for (fleet, field) in [
        (
            serde_json::json!({"accounts": [], "regions": [], "shard": {"index": 3, "count": 3}}),
            "fleet.shard",
        ),
        (
            serde_json::json!({"accounts": [], "regions": [], "shard": {"index": 0, "count": 4_000_000_000u32}}),
            "fleet.shard",
        ),
        (
            serde_json::json!({"accounts": accounts, "regions": regions}),
            "at fleet:",
        ),
    ] {
        snapshot["fleet"] = fleet;
        let path = dir.path().join("part.json");
        std::fs::write(&path, snapshot.to_string()).unwrap();
        let out = envparity().args(["show"]).arg(&path).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(field), "{stderr}");
    }
}

#[test]
fn a_shard_outside_its_count_is_refused_before_anything_is_read() {
    let out = envparity()
        .args([
            "collect",
            "dev",
            "--config",
            "examples/dev/envparity.toml",
            "--shard",
            "3/3",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("\"3/3\" is not a shard"),
    );
}

#[test]
fn the_plan_of_an_environment_without_aws_has_no_units_and_makes_no_call() {
    let plan = |format: &str| {
        stdout_of(envparity().args([
            "plan",
            "dev",
            "--config",
            "examples/dev/envparity.toml",
            "--shards",
            "2",
            "--format",
            format,
        ]))
    };
    let table = plan("table");
    assert!(
        table.starts_with("dev: 0 units (0 accounts x 0 regions) in 2 shards\n"),
        "{table}"
    );
    assert!(
        table.contains("no AWS units: shard 0 collects the environment's files"),
        "{table}"
    );
    let json: serde_json::Value = serde_json::from_str(&plan("json")).unwrap();
    assert_eq!(json["units"], serde_json::json!([]));
    assert_eq!(json["shards_list"][1]["shard"], "1/2");
}

/// Two snapshots whose stored keys were decided with other tokens (`blue` and `green` name the environments).
fn blue_green(dir: &Path) {
    for (env, color, timeout) in [("staging", "blue", 30), ("prod", "green", 60)] {
        let snapshot = serde_json::json!({
            "schema": "envparity/snapshot/v1", "environment": env, "collected_at": "2026-12-01T00:00:00Z",
            "sources": [], "gaps": [],
            "resources": [{"kind": "aws.sqs.queue", "key": format!("jobs-{color}"), "name": format!("jobs-{color}"),
                           "attributes": {"visibility_timeout_seconds": timeout}}],
        });
        std::fs::write(dir.join(format!("{env}.json")), snapshot.to_string()).unwrap();
    }
}

/// The keys of a JSON report's findings on resources (not the run's, keyed `*`), sorted and de-duplicated.
fn finding_keys(report: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(report).unwrap();
    let mut keys: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["key"].as_str().filter(|k| *k != "*").map(str::to_owned))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

#[test]
fn diff_key_flags_re_key_snapshots_that_store_keys() {
    let dir = tempfile::tempdir().unwrap();
    blue_green(dir.path());
    let diff = |flags: &[&str]| {
        let out = envparity()
            .current_dir(dir.path())
            .args([
                "diff",
                "staging.json",
                "prod.json",
                "--format",
                "json",
                "--as-of",
                AS_OF,
            ])
            .args(flags)
            .output()
            .unwrap();
        finding_keys(&String::from_utf8(out.stdout).unwrap())
    };
    // The stored keys differ: the queue is one-sided on each side.
    assert_eq!(diff(&[]), ["jobs-blue", "jobs-green"]);
    // The flags apply the key rule again: the queue pairs, and its difference is found.
    assert_eq!(
        diff(&["--staging-tokens", "blue", "--prod-tokens", "green"]),
        ["jobs-{env}"]
    );
    // Each flag re-keys the side it names only.
    assert_eq!(diff(&["--staging-tokens", "blue"]), ["jobs-green", "jobs-{env}"]);
}

#[test]
fn policy_test_fails_a_case_that_lacks_an_expected_finding_or_gives_an_unlisted_one() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("cases/wrong");
    std::fs::create_dir_all(&case).unwrap();
    let snapshot = |env: &str, versioning: &str| {
        serde_json::json!({"schema": "envparity/snapshot/v1", "environment": env,
            "collected_at": "2026-11-27T12:00:00Z",
            "resources": [{"kind": "aws.s3.bucket", "key": "assets-{env}", "attributes": {"versioning": versioning}}]})
        .to_string()
    };
    std::fs::write(case.join("staging.json"), snapshot("staging", "Enabled")).unwrap();
    std::fs::write(case.join("prod.json"), snapshot("prod", "Suspended")).unwrap();
    std::fs::write(
        case.join("expected.toml"),
        "[[finding]]\nrule = \"bucket-encryption\"\nkey = \"assets-{env}\"\n",
    )
    .unwrap();
    let out = envparity()
        .current_dir(dir.path())
        .args(["policy", "test", "cases", "--as-of", AS_OF])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL  wrong\n  missing:    bucket-encryption assets-{env}\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  unexpected: prod-versioning assets-{env} versioning (error)\n"),
        "{stdout}"
    );
    assert!(stdout.ends_with("1 cases: 0 passed, 1 failed\n"), "{stdout}");
    // No case is bad input, never a pass.
    envparity()
        .current_dir(dir.path())
        .args(["policy", "test", "."])
        .assert()
        .code(2);
    // Nor is a case without its expected.toml: it is not a case that expects nothing.
    std::fs::remove_file(case.join("expected.toml")).unwrap();
    envparity()
        .current_dir(dir.path())
        .args(["policy", "test", "cases"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected.toml (an empty file expects no finding)",
        ));
}

#[test]
fn a_date_not_yyyy_mm_dd_a_policy_given_as_a_snapshot_and_a_missing_config_each_say_the_fix() {
    envparity()
        .args(["diff", STAGING, PROD, "--as-of", "2027-4-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected a date as YYYY-MM-DD, such as 2026-12-01",
        ));
    envparity()
        .args(["diff", DEMO_POLICY, PROD])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "snapshots/policy.toml: not a snapshot but a TOML file: a policy is given with --policy",
        ));
    let dir = tempfile::tempdir().unwrap();
    envparity()
        .current_dir(dir.path())
        .args(["collect", "prod"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("create one with `envparity init`"));
}

#[test]
fn show_key_prints_a_resource_s_attributes_and_names_the_closest_key_when_none_matches() {
    let table = stdout_of(envparity().args(["show", PROD, "--key", "orders-{env}-db"]));
    assert!(
        table.starts_with("aws.rds.instance orders-{env}-db (orders-prod-db, 222222222222, eu-west-1)\n{\n"),
        "{table}"
    );
    assert!(table.contains("\n  \"engine_version\": \"15.6\",\n"), "{table}");
    // By name too, and as JSON: the resource as the snapshot holds it, with its key.
    let out = envparity()
        .args(["show", PROD, "--key", "orders-prod-db", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown[0]["key"], "orders-{env}-db");
    assert_eq!(shown[0]["attributes"]["engine_version"], "15.6");
    assert_eq!(shown.as_array().unwrap().len(), 1);
    envparity()
        .args(["show", PROD, "--key", "orders-{env}-dbb"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no resource with key or name orders-{env}-dbb in snapshots/prod.json (did you mean orders-{env}-db?)",
        ));
}

#[test]
fn one_run_writes_several_formats_with_report_format_path_each_as_its_own_run_would() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let out = demo(&["--format", "json", "--output", &at("report.json")])
        .args(["--report", &format!("sarif={}", at("report.sarif"))])
        .args(["--report", &format!("html={}", at("report.html"))])
        .args(["--report", &format!("markdown={}", at("report.md"))])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Each file holds exactly what a run of that one format writes.
    for (format, name) in [
        ("json", "report.json"),
        ("sarif", "report.sarif"),
        ("html", "report.html"),
        ("markdown", "report.md"),
    ] {
        let alone = at(&format!("alone-{name}"));
        demo(&["--format", format, "--output", &alone]).assert().code(1);
        assert_eq!(
            std::fs::read(at(name)).unwrap(),
            std::fs::read(&alone).unwrap(),
            "{format}"
        );
    }
    // A report may not overwrite another, nor an input, and a format is one of the six.
    demo(&[
        "--output",
        &at("same.json"),
        "--report",
        &format!("json={}", at("same.json")),
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("is named as the output of two reports"));
    demo(&["--report", &format!("json={PROD}")]).assert().code(2);
    demo(&["--report", "pdf=report.pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "\"pdf\" is not a format: table, json, markdown, sarif, junit, html",
        ));
}

/// The README's report example shows the demo's own summary: counts that drift from the demo are caught here.
#[test]
fn the_readme_report_example_carries_the_demo_s_summary() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("  \"summary\": {")
        .expect("the README shows a summary")
        + "  \"summary\": ".len();
    let end = start + readme[start..].find('}').unwrap() + 1;
    let shown: serde_json::Value = serde_json::from_str(&readme[start..end]).unwrap();
    let out = demo(&["--format", "json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown, report["summary"]);
}
