//! Custom rules in Rego: the shipped example modules on fixture pairs (a case that fires, a case that does
//! not), their findings like any other (formats, waivers, baselines), located compile errors, and evaluation
//! errors and time-outs as incomplete findings.

use std::path::Path;

use envparity_judge::policy::Policy;
use envparity_model::catalog::CATALOGUE;
use envparity_model::snapshot::Snapshot;
use serde_json::{Value, json};

use envparity_testkit::{brief, parse, run};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A policy with only the Rego modules `patterns` name (relative to the repository).
fn rego_policy(patterns: &[&str], extra: &str) -> Policy {
    let list: Vec<String> = patterns.iter().map(|p| format!("{p:?}")).collect();
    let text = format!(
        "[policy]\nname = \"rego\"\nrego = [{}]\n{extra}\n[defaults]\nmissing_in_staging = \"ignore\"\nextra_in_staging = \"ignore\"\nunlisted_difference = \"ignore\"\n",
        list.join(", ")
    );
    let path = repository().join("rego-policy.toml");
    Policy::parse(&text, path.to_str().unwrap(), &CATALOGUE).unwrap_or_else(|e| panic!("{e}"))
}

fn rules_of(
    staging: Value,
    prod: Value,
    module: &str,
) -> Vec<(String, String, Option<String>, &'static str)> {
    let policy = rego_policy(&[&format!("policies/rego/{module}")], "");
    let found = run(
        &parse("staging", staging, json!({})),
        &parse("prod", prod, json!({})),
        &policy,
    );
    brief(&found.findings)
        .into_iter()
        .filter(|(rule, ..)| rule.starts_with("rego:"))
        .map(|(rule, key, field, severity, _)| (rule, key, field, severity))
        .collect()
}

fn queue(env: &str, visibility: u64) -> Value {
    json!({"kind": "aws.sqs.queue", "name": format!("jobs-{env}"), "key": "jobs-{env}",
           "attributes": {"visibility_timeout_seconds": visibility}})
}

fn function(env: &str, timeout: u64) -> Value {
    json!({"kind": "aws.lambda.function", "name": format!("worker-{env}"), "key": "worker-{env}",
           "attributes": {"timeout_seconds": timeout,
                          "event_sources": [{"source_kind": "sqs", "source": "jobs-{env}"}]}})
}

#[test]
fn queue_visibility_fires_below_six_times_the_timeout_on_either_side() {
    let found = rules_of(
        json!([queue("staging", 180), function("staging", 30)]),
        json!([queue("prod", 180), function("prod", 60)]),
        "queue_visibility.rego",
    );
    assert_eq!(
        found,
        [(
            "rego:envparity.queues.queue-visibility-6x".into(),
            "jobs-{env}".into(),
            Some("visibility_timeout_seconds".into()),
            "error"
        )]
    );
    assert_eq!(
        rules_of(
            json!([queue("staging", 360), function("staging", 60)]),
            json!([queue("prod", 360), function("prod", 60)]),
            "queue_visibility.rego"
        ),
        []
    );
}

/// A pair whose prod queue hides a message for less than six times its function's timeout: what
/// `queue_visibility.rego` finds.
fn short_visibility_pair() -> [Snapshot; 2] {
    [
        parse(
            "staging",
            json!([queue("staging", 180), function("staging", 30)]),
            json!({}),
        ),
        parse(
            "prod",
            json!([queue("prod", 180), function("prod", 60)]),
            json!({}),
        ),
    ]
}

fn load_balancer(env: &str, scheme: &str, redirect: bool) -> Value {
    let actions = match redirect {
        true => json!([{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443"}}]),
        false => json!([{"type": "forward", "target_group": "web-{env}-tg"}]),
    };
    json!({"kind": "aws.elbv2.load_balancer", "name": format!("web-{env}"), "key": "web-{env}",
           "attributes": {"scheme": scheme, "listeners": [{"port": 80, "protocol": "HTTP", "default_actions": actions}]}})
}

#[test]
fn staging_plain_http_fires_only_for_an_internet_facing_listener_that_does_not_redirect() {
    let prod = json!([load_balancer("prod", "internet-facing", true)]);
    assert_eq!(
        rules_of(
            json!([load_balancer("staging", "internet-facing", false)]),
            prod.clone(),
            "plain_http.rego"
        ),
        [(
            "rego:envparity.load_balancers.staging-plain-http".into(),
            "web-{env}".into(),
            Some("listeners".into()),
            "error"
        )]
    );
    for staging in [
        load_balancer("staging", "internet-facing", true),
        load_balancer("staging", "internal", false),
    ] {
        assert_eq!(rules_of(json!([staging]), prod.clone(), "plain_http.rego"), []);
    }
}

fn bucket(env: &str, name: &str, versioning: &str) -> Value {
    json!({"kind": "aws.s3.bucket", "name": format!("{name}-{env}"), "key": format!("{name}-{{env}}"),
           "attributes": {"versioning": versioning}})
}

#[test]
fn prod_bucket_versioned_fires_for_a_shared_bucket_only() {
    let found = rules_of(
        json!([bucket("staging", "assets", "Off")]),
        json!([
            bucket("prod", "assets", "Suspended"),
            bucket("prod", "exports", "Off")
        ]),
        "bucket_versioning.rego",
    );
    // exports-prod is not versioned either, but staging has no such bucket.
    assert_eq!(
        found,
        [(
            "rego:envparity.buckets.prod-bucket-versioned".into(),
            "assets-{env}".into(),
            Some("versioning".into()),
            "error"
        )]
    );
    assert_eq!(
        rules_of(
            json!([bucket("staging", "assets", "Off")]),
            json!([bucket("prod", "assets", "Enabled")]),
            "bucket_versioning.rego"
        ),
        []
    );
}

fn encrypted_queue(env: &str, key: &str) -> Value {
    json!({"kind": "aws.sqs.queue", "name": format!("jobs-{env}"), "key": "jobs-{env}",
           "identifiers": [format!("arn:aws:kms:eu-west-1:111111111111:key/{key}")],
           "attributes": {"encryption": "kms"}})
}

#[test]
fn shared_kms_key_fires_when_both_sides_name_one_key() {
    assert_eq!(
        rules_of(
            json!([encrypted_queue("staging", "k1")]),
            json!([encrypted_queue("prod", "k1")]),
            "shared_kms_key.rego"
        ),
        [(
            "rego:envparity.kms.shared-kms-key".into(),
            "arn:aws:kms:eu-west-1:111111111111:key/k1".into(),
            None,
            "error"
        )]
    );
    assert_eq!(
        rules_of(
            json!([encrypted_queue("staging", "k1")]),
            json!([encrypted_queue("prod", "k2")]),
            "shared_kms_key.rego"
        ),
        []
    );
}

/// `envparity policy check` of a policy whose `rules/*.rego` are these fixtures: its exit status and stderr.
fn policy_check(fixtures: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    for name in fixtures {
        std::fs::copy(
            repository().join("tests/fixtures/rego").join(name),
            dir.path().join("rules").join(name),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("policy.toml"),
        "[policy]\nname = \"bad\"\nrego = [\"rules/*.rego\"]\n",
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("envparity")
        .unwrap()
        .current_dir(dir.path())
        .args(["policy", "check", "policy.toml"])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_rego_is_reported_with_file_line_and_column_all_at_once_exit_2() {
    let (status, stderr) = policy_check(&["broken_syntax.rego", "broken_name.rego"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("Rego: rules/broken_name.rego:4:"), "{stderr}");
    assert!(stderr.contains("Rego: rules/broken_syntax.rego:4:"), "{stderr}");
}

#[test]
fn a_rule_that_raises_or_runs_too_long_is_incomplete_naming_module_and_rule() {
    let policy = rego_policy(
        &["tests/fixtures/rego/raises.rego", "tests/fixtures/rego/slow.rego"],
        "rego_timeout_seconds = 1\n",
    );
    let pair = (
        parse("staging", json!([queue("staging", 1)]), json!({})),
        parse("prod", json!([queue("prod", 1)]), json!({})),
    );
    let found = run(&pair.0, &pair.1, &policy);
    let incomplete: Vec<(String, String)> = found
        .findings
        .iter()
        .filter(|f| f.severity.as_str() == "incomplete")
        .map(|f| (f.rule.clone(), f.key.clone()))
        .collect();
    assert_eq!(
        incomplete,
        [
            (
                "rego:raises.at.evaluation.deny".into(),
                "tests/fixtures/rego/raises.rego:deny".into()
            ),
            (
                "rego:slow.loop.deny".into(),
                "tests/fixtures/rego/slow.rego:deny".into()
            ),
        ]
    );
    let slow = found
        .findings
        .iter()
        .find(|f| f.rule == "rego:slow.loop.deny")
        .unwrap();
    assert_eq!(
        slow.detail.as_deref(),
        Some(
            "tests/fixtures/rego/slow.rego deny: stopped after 1 s, the `rego_timeout_seconds` of the policy"
        )
    );
}

#[test]
fn a_rule_past_its_memory_ceiling_is_stopped_and_incomplete_naming_the_limit() {
    let policy = rego_policy(&["tests/fixtures/rego/hungry.rego"], "rego_memory_mib = 64\n");
    let started = std::time::Instant::now();
    let found = run(
        &parse("staging", json!([queue("staging", 1)]), json!({})),
        &parse("prod", json!([queue("prod", 1)]), json!({})),
        &policy,
    );
    let rego: Vec<(&str, &str, Option<&str>)> = found
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("rego:"))
        .map(|f| (f.rule.as_str(), f.severity.as_str(), f.detail.as_deref()))
        .collect();
    assert_eq!(
        rego,
        [(
            "rego:hungry.memory.deny",
            "incomplete",
            Some(
                "tests/fixtures/rego/hungry.rego deny: stopped past 64 MiB, the `rego_memory_mib` of the policy"
            )
        )]
    );
    // Stopped at the ceiling, long before the 30 s time limit.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn a_rule_that_takes_its_worker_down_beside_another_is_the_only_one_incomplete() {
    // The worker evaluates rules side by side (one per core): the hungry rule's death must not cost the queue
    // rule its finding, nor be blamed on it.
    let policy = rego_policy(
        &[
            "policies/rego/queue_visibility.rego",
            "tests/fixtures/rego/hungry.rego",
        ],
        "rego_memory_mib = 64\n",
    );
    let [staging, prod] = short_visibility_pair();
    let found = run(&staging, &prod, &policy);
    let mut rego: Vec<(&str, &str, Option<&str>)> = found
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("rego:"))
        .map(|f| (f.rule.as_str(), f.severity.as_str(), f.detail.as_deref()))
        .collect();
    rego.sort();
    let hungry =
        "tests/fixtures/rego/hungry.rego deny: stopped past 64 MiB, the `rego_memory_mib` of the policy";
    let queue =
        "prod: jobs-{env} hides a message for 180 s, less than six times the 60 s timeout of worker-{env}";
    assert_eq!(
        rego,
        [
            ("rego:envparity.queues.queue-visibility-6x", "error", Some(queue)),
            ("rego:hungry.memory.deny", "incomplete", Some(hungry)),
        ]
    );
}

#[test]
fn a_rule_computing_on_its_own_costs_nothing_when_the_policy_loads() {
    // slow.rego needs minutes whatever its input; loading it once tried it for the whole 30 s timeout.
    let started = std::time::Instant::now();
    let policy = rego_policy(&["tests/fixtures/rego/slow.rego"], "");
    assert!(policy.rego.is_some());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_misspelt_function_is_a_located_error_at_policy_check_even_where_no_empty_input_reaches_it() {
    let (status, stderr) = policy_check(&["misspelt.rego", "broken_name.rego", "lib.rego", "uses_lib.rego"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains("Rego: rules/misspelt.rego:7:9: could not find function sprintff"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Rego: rules/broken_name.rego:4:9: could not find function undefined_function"),
        "{stderr}"
    );
    // Imports, aliases, full paths, a module's own and default functions, builtins and print are all found.
    assert!(
        !stderr.contains("uses_lib.rego") && !stderr.contains("lib.rego:"),
        "{stderr}"
    );
    // In a negated call, whose arguments are bound before the `not` for evaluation, the place is still the file's.
    let (negated, stderr) = policy_check(&["negated_misspelt.rego"]);
    assert_eq!(negated, Some(2), "{stderr}");
    assert!(
        stderr.contains("Rego: rules/negated_misspelt.rego:7:6: could not find function startswiht"),
        "{stderr}"
    );
}

#[test]
fn every_builtin_family_regorus_provides_evaluates_but_the_network() {
    let policy = rego_policy(&["tests/fixtures/rego/builtins.rego"], "");
    let [staging, prod] = short_visibility_pair();
    let found = run(&staging, &prod, &policy);
    let rego: Vec<(&str, Option<&str>)> = found
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("rego:"))
        .map(|f| (f.rule.as_str(), f.detail.as_deref()))
        .collect();
    assert_eq!(
        rego,
        [("rego:builtins.enabled.deny", Some("every builtin answered"))]
    );
}

#[test]
fn a_builtin_left_out_is_named_as_such_and_a_misspelt_one_gets_a_suggestion() {
    let (status, stderr) = policy_check(&["left_out.rego"]);
    assert_eq!(status, Some(2), "{stderr}");
    for expected in [
        "rules/left_out.rego:4:6: http.send is not available in envparity: it reaches the network",
        "rules/left_out.rego:9:8: crypto.sha256 is not available in envparity: regorus, the Rego engine envparity \
         embeds, does not provide it",
        "rules/left_out.rego:14:9: could not find function sprnitf (did you mean sprintf?)",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
}

/// The details of a policy's Rego findings on a pair.
fn rego_details(policy: &Policy, staging: Value, prod: Value) -> Vec<String> {
    let found = run(
        &parse("staging", staging, json!({})),
        &parse("prod", prod, json!({})),
        policy,
    );
    found
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("rego:"))
        .map(|f| f.detail.clone().unwrap_or_default())
        .collect()
}

/// The details of a policy's Rego findings on a pair of buckets and on a pair of queues.
fn on_a_bucket_pair_and_a_queue_pair(policy: &Policy) -> [Vec<String>; 2] {
    [
        rego_details(
            policy,
            json!([bucket("staging", "assets", "Enabled")]),
            json!([bucket("prod", "assets", "Enabled")]),
        ),
        rego_details(
            policy,
            json!([queue("staging", 180)]),
            json!([queue("prod", 180)]),
        ),
    ]
}

#[test]
fn rego_data_gives_rules_the_policy_s_json_and_yaml_documents() {
    let policy = rego_policy(
        &["tests/fixtures/rego/data/allow_list.rego"],
        "rego_data = [\"tests/fixtures/rego/data/*.json\", \"tests/fixtures/rego/data/owners.yaml\"]\n",
    );
    // Fires on a kind the allow-list lacks, with the owner the YAML document gives; quiet on allowed kinds (not
    // `not r.kind in undefined`, which fires on everything).
    assert_eq!(
        on_a_bucket_pair_and_a_queue_pair(&policy),
        [
            vec!["aws.s3.bucket is not an allowed kind (owner of queues: team-jobs)".to_owned()],
            vec![]
        ]
    );
}

#[test]
fn rego_v0_reads_modules_as_opa_wrote_them_before_1_0_and_without_it_the_error_names_the_option() {
    let policy = rego_policy(&["tests/fixtures/rego/v0/old.rego"], "rego_v0 = true\n");
    assert_eq!(
        on_a_bucket_pair_and_a_queue_pair(&policy),
        [vec!["bucket assets-{env}".to_owned()], vec![]]
    );
    let text = "[policy]\nname = \"v1\"\nrego = [\"tests/fixtures/rego/v0/old.rego\"]\n";
    let path = repository().join("rego-policy.toml");
    let error = Policy::parse(text, path.to_str().unwrap(), &CATALOGUE)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("tests/fixtures/rego/v0/old.rego: this module is Rego v0")
            && error.contains("rego_v0 = true"),
        "{error}"
    );
}

#[test]
fn calls_through_imports_aliases_and_other_modules_load_and_evaluate() {
    let policy = rego_policy(
        &[
            "tests/fixtures/rego/lib.rego",
            "tests/fixtures/rego/uses_lib.rego",
        ],
        "",
    );
    let web =
        json!({"kind": "aws.elbv2.load_balancer", "name": "web-prod", "key": "web-{env}", "attributes": {}});
    let found = run(
        &parse("staging", json!([]), json!({})),
        &parse("prod", json!([web]), json!({})),
        &policy,
    );
    let details: Vec<_> = found
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("rego:"))
        .map(|f| (f.rule.as_str(), f.detail.as_deref()))
        .collect();
    assert_eq!(details, [("rego:uses.lib.deny", Some("web-prod WEB-PROD"))]);
}

#[test]
fn a_null_deny_is_incomplete_not_a_pass() {
    let policy = rego_policy(&["tests/fixtures/rego/null_deny.rego"], "");
    let found = run(
        &parse("staging", json!([queue("staging", 1)]), json!({})),
        &parse("prod", json!([queue("prod", 1)]), json!({})),
        &policy,
    );
    let rego: Vec<(String, &str)> = found
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("rego:"))
        .map(|f| (f.rule.clone(), f.severity.as_str()))
        .collect();
    assert_eq!(rego, [("rego:nulls.deny.deny".to_owned(), "incomplete")]);
}

/// Writes `ENV.json` in `dir`: the snapshot of `resources`, as envparity writes it.
fn write_snapshot(dir: &Path, env: &str, resources: Value) {
    let text = envparity_model::snapshot::to_json(&mut parse(env, resources, json!({})));
    std::fs::write(dir.join(format!("{env}.json")), text).unwrap();
}

/// `envparity diff staging.json prod.json --policy policy.toml ARGS`, run in `dir`.
fn diff_in(dir: &Path, args: &[&str]) -> std::process::Output {
    envparity_testkit::envparity(dir)
        .args(["diff", "staging.json", "prod.json", "--policy", "policy.toml"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn rego_findings_are_waived_baselined_and_rendered_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
    write_snapshot(
        dir.path(),
        "staging",
        json!([
            load_balancer("staging", "internet-facing", false),
            bucket("staging", "assets", "Off")
        ]),
    );
    write_snapshot(
        dir.path(),
        "prod",
        json!([
            load_balancer("prod", "internet-facing", true),
            bucket("prod", "assets", "Off")
        ]),
    );
    let rules = repository().join("policies/rego");
    let policy = |waiver: &str| {
        format!(
            "[policy]\nname = \"custom\"\nextends = \"default\"\nrego = [\"{0}/*.rego\"]\n\
             rego_read_outside = [\"{0}\"]\n{waiver}",
            rules.display()
        )
    };
    write("policy.toml", policy(""));
    let diff = |extra: &[&str]| diff_in(dir.path(), &[&["--as-of", "2026-12-01"], extra].concat());
    let out = diff(&["--format", "json", "--output", "before.json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("before.json")).unwrap()).unwrap();
    let rego: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str().filter(|r| r.starts_with("rego:")))
        .collect();
    assert_eq!(
        rego,
        [
            "rego:envparity.load_balancers.staging-plain-http",
            "rego:envparity.buckets.prod-bucket-versioned"
        ]
    );
    for format in ["table", "markdown", "sarif", "junit", "html"] {
        let out = diff(&["--format", format]);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("staging-plain-http"),
            "{format}"
        );
    }
    // Baselined like any finding: both known against the earlier report.
    let out = diff(&["--format", "json", "--baseline", "before.json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"].as_str().unwrap().starts_with("rego:"))
            .all(|f| f["baseline"] == "known")
    );
    // Waived like any finding.
    write(
        "policy.toml",
        policy(
            "\n[[waiver]]\nrule = \"rego:envparity.load_balancers.staging-plain-http\"\nkey = \"web-{env}\"\n\
             reason = \"demo endpoint, no login\"\nowner = \"platform\"\nexpires = \"2027-01-31\"\n",
        ),
    );
    let report: Value = serde_json::from_slice(&diff(&["--format", "json"]).stdout).unwrap();
    let plain = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "rego:envparity.load_balancers.staging-plain-http")
        .unwrap();
    assert_eq!(plain["waived"], true);
}

#[test]
fn a_rego_timeout_or_memory_ceiling_of_zero_is_refused_where_it_is_written() {
    let text = "[policy]\nname = \"t\"\nrego_timeout_seconds = 0\nrego_memory_mib = 0\n";
    let error = Policy::parse(text, "p.toml", &CATALOGUE).unwrap_err().to_string();
    assert!(
        error.contains("p.toml:3:24: `rego_timeout_seconds` must be at least 1"),
        "{error}"
    );
    assert!(
        error.contains("p.toml:4:19: `rego_memory_mib` must be at least 1"),
        "{error}"
    );
}

#[test]
fn a_rego_finding_shows_the_values_its_rule_gives_and_leaves_the_others_blank_not_absent() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
    for (env, versioning) in [("staging", "Off"), ("prod", "Suspended")] {
        write_snapshot(dir.path(), env, json!([bucket(env, "assets", versioning)]));
    }
    // bucket_versioning gives prod's value, not staging's.
    let module = repository().join("policies/rego/bucket_versioning.rego");
    write(
        "policy.toml",
        format!(
            "[policy]\nname = \"r\"\nrego = [{0:?}]\nrego_read_outside = [{0:?}]\n",
            module.display().to_string()
        ),
    );
    let diff = |format: &str| {
        let out = diff_in(dir.path(), &["--format", format]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let report: Value = serde_json::from_str(&diff("json")).unwrap();
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "rego:envparity.buckets.prod-bucket-versioned")
        .unwrap();
    assert_eq!(finding["prod"], "Suspended");
    assert!(finding.get("staging").is_none(), "{finding}");
    for format in ["table", "markdown"] {
        let text = diff(format);
        let row = text
            .lines()
            .find(|l| l.contains("rego:envparity.buckets.prod-bucket-versioned"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            row.contains("Suspended") && !row.contains("(absent)"),
            "{format}: {row}"
        );
    }
    let html = diff("html");
    assert!(html.contains("Suspended") && !html.contains("(absent)"), "{html}");
}

#[test]
fn hand_written_snapshot_files_give_the_rules_the_input_of_the_snapshots_they_parse_to() {
    // Hand-written JSON in another order and layout than envparity writes, prod's file with a byte-order mark (as
    // some editors write): the rules see the snapshots the files parse to.
    let staging_text = r#"{ "resources": [ {"attributes": {"timeout_seconds": 60,
        "event_sources": [{"source": "jobs-{env}", "source_kind": "sqs"}]}, "key": "worker-{env}",
        "name": "worker-staging", "kind": "aws.lambda.function"},
        {"kind": "aws.sqs.queue", "name": "jobs-staging", "key": "jobs-{env}",
         "attributes": {"visibility_timeout_seconds": 30}} ],
      "collected_at": "2026-11-27T12:00:00Z", "environment": "staging", "schema": "envparity/snapshot/v1" }"#;
    let prod_text = format!("\u{feff}{}", staging_text.replace("staging", "prod"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("staging.json"), staging_text).unwrap();
    std::fs::write(dir.path().join("prod.json"), &prod_text).unwrap();
    let module = repository().join("policies/rego/queue_visibility.rego");
    std::fs::write(
        dir.path().join("policy.toml"),
        format!(
            "[policy]\nname = \"r\"\nrego = [{0:?}]\nrego_read_outside = [{0:?}]\n",
            module.display().to_string()
        ),
    )
    .unwrap();
    let out = diff_in(dir.path(), &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let from_files: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("rego:"))
        .map(|f| format!("{} {} {}", f["rule"], f["key"], f["detail"]))
        .collect();
    assert_eq!(from_files.len(), 2, "{from_files:?}");
    // The same pair evaluated in memory.
    let read = |text: &str| envparity_model::snapshot::parse(text.as_bytes(), Path::new("s.json")).unwrap();
    let policy = rego_policy(&["policies/rego/queue_visibility.rego"], "");
    let in_memory: Vec<String> = run(&read(staging_text), &read(&prod_text), &policy)
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("rego:"))
        .map(|f| format!("{} {} {}", json!(f.rule), json!(f.key), json!(f.detail)))
        .collect();
    assert_eq!(from_files, in_memory);
}

/// The Rego findings of `module` (under `extra` policy settings) beside the shipped queue-visibility module, on
/// a pair it fires on: (rule, severity, detail) each, and how long the evaluation took.
fn boxed(module: &str, extra: &str) -> (Vec<(String, String, String)>, std::time::Duration) {
    let policy = rego_policy(
        &[
            &format!("tests/fixtures/rego/box/{module}"),
            "policies/rego/queue_visibility.rego",
        ],
        extra,
    );
    let started = std::time::Instant::now();
    let [staging, prod] = short_visibility_pair();
    let found = run(&staging, &prod, &policy);
    let rego = found
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("rego:"))
        .map(|f| {
            let detail = f.detail.clone().unwrap_or_default();
            (f.rule.clone(), f.severity.as_str().to_owned(), detail)
        })
        .collect();
    (rego, started.elapsed())
}

/// Asserts the boxed module's rule is one incomplete finding whose detail says `why`, and the other module's
/// finding is still there.
fn assert_stopped(found: &[(String, String, String)], rule: &str, why: &str) {
    let stopped: Vec<_> = found.iter().filter(|(r, ..)| r == rule).collect();
    assert_eq!(stopped.len(), 1, "{found:?}");
    assert_eq!(stopped[0].1, "incomplete", "{found:?}");
    assert!(stopped[0].2.contains(why), "{found:?}");
    assert!(
        found
            .iter()
            .any(|(r, s, _)| r == "rego:envparity.queues.queue-visibility-6x" && s == "error"),
        "the other module's finding is still reported: {found:?}"
    );
}

#[test]
fn a_900_mb_sprintf_width_is_go_s_mistake_text_as_in_opa_never_an_allocation() {
    // Go's fmt, which OPA's sprintf is, takes a width past a million for a mistake: the format's rest is dropped.
    // (regorus's own sprintf made the 900 MB string; the memory ceiling is held by hungry.rego and range.rego.)
    let (found, took) = boxed("wide_sprintf.rego", "rego_memory_mib = 64\n");
    let wide: Vec<_> = found
        .iter()
        .filter(|(rule, ..)| rule == "rego:box.wide.deny")
        .collect();
    assert_eq!(wide.len(), 1, "{found:?}");
    assert_eq!(
        (wide[0].1.as_str(), wide[0].2.as_str()),
        ("error", "%!(NOVERB)%!(EXTRA int=1)")
    );
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_builtin_running_for_seconds_is_stopped_at_the_time_limit_plus_a_second() {
    let (found, took) = boxed(
        "slow_builtin.rego",
        "rego_timeout_seconds = 1\nrego_memory_mib = 4096\n",
    );
    assert_stopped(
        &found,
        "rego:box.slow.deny",
        "stopped after 1 s, the `rego_timeout_seconds` of the policy",
    );
    // The limit, the second of grace, and starting the workers.
    assert!(took < std::time::Duration::from_secs(6), "{took:?}");
}

#[test]
fn ten_trillion_numbers_are_an_incomplete_finding_not_an_aborted_run() {
    let (found, _) = boxed("range.rego", "rego_memory_mib = 256\n");
    assert_stopped(
        &found,
        "rego:box.range.deny",
        "tests/fixtures/rego/box/range.rego deny: ",
    );
}

#[test]
fn what_print_writes_is_shown_escaped_never_run_by_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    for env in ["staging", "prod"] {
        write_snapshot(dir.path(), env, json!([queue(env, 1)]));
    }
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::copy(
        repository().join("tests/fixtures/rego/box/prints.rego"),
        dir.path().join("rules/prints.rego"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("policy.toml"),
        "[policy]\nname = \"p\"\nrego = [\"rules/prints.rego\"]\n",
    )
    .unwrap();
    let out = diff_in(dir.path(), &[]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(
        stderr.contains("print: rules/prints.rego:5: \\u{1b}[2J\\u{1b}[31mred"),
        "{stderr}"
    );
}

/// The README's "Writing and testing a rule in five minutes", run as written: its policy and module, then every
/// line of its shell blocks in bash with envparity on the PATH, each exit status as its comment says.
#[test]
fn the_readme_rego_walkthrough_runs_as_written() {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let section = &readme[readme.find("## Custom rules in Rego").unwrap()..];
    let section = &section[..section
        .find("`policy check` reports every module's errors")
        .unwrap()];
    let block = |fence: &str, from: usize| -> Option<(usize, String)> {
        let start = section[from..].find(&format!("```{fence}\n"))? + from + fence.len() + 4;
        let end = section[start..].find("```\n")? + start;
        Some((end, section[start..end].to_owned()))
    };
    let dir = tempfile::tempdir().unwrap();
    let (_, policy) = block("toml", 0).unwrap();
    std::fs::write(dir.path().join("policy.toml"), policy).unwrap();
    let (_, module) = block("rego", 0).unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/owners.rego"), module).unwrap();
    // The block right after the module names a pair generically; the walkthrough's own pair starts here.
    let after_module = section.find("Test it on a pair").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("envparity");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (mut from, mut commands) = (after_module, 0);
    while let Some((end, script)) = block("sh", from) {
        from = end;
        // A heredoc runs whole; any other line alone, its exit status checked against its `# exit N` comment.
        let mut lines = script.lines().peekable();
        while let Some(line) = lines.next() {
            let mut command = line.to_owned();
            if let Some(marker) = line.split("<<'").nth(1).and_then(|m| m.split('\'').next()) {
                for next in lines.by_ref() {
                    command.push('\n');
                    command.push_str(next);
                    if next == marker {
                        break;
                    }
                }
            }
            let expected = envparity_testkit::documented_exit(line).unwrap_or(0);
            let out = std::process::Command::new("bash")
                .args(["-c", &command])
                .current_dir(dir.path())
                .env("PATH", &path)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(expected),
                "{command}\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            commands += 1;
        }
    }
    assert!(
        commands >= 10,
        "the walkthrough's commands were found: {commands}"
    );
}

#[test]
fn policy_check_warns_of_a_kind_or_attribute_a_module_names_that_the_catalogue_lacks() {
    let (status, stderr) = policy_check(&["typo.rego"]);
    // Warnings, not errors: the module is valid Rego.
    assert_eq!(status, Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "warning: rules/typo.rego:5: names the kind \"aws.s3.buckets\", which envparity does not collect (did \
             you mean aws.s3.bucket?)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: rules/typo.rego:6: reads the attribute \"versionig\", which no kind has (did you mean versioning?)"),
        "{stderr}"
    );
}

#[test]
fn a_negated_call_over_an_undefined_argument_is_undefined_as_in_opa_and_a_negated_reference_is_true() {
    let policy = rego_policy(&["tests/fixtures/rego/negation/missing.rego"], "");
    // Only the plain reference fires: OPA binds a call's arguments before the `not` (OPA issue 1877).
    assert_eq!(
        on_a_bucket_pair_and_a_queue_pair(&policy),
        [
            vec!["absent assets-{env}".to_owned()],
            vec!["absent jobs-{env}".to_owned()]
        ]
    );
}
