//! The engine as a specification: a snapshot pair, a policy, the expected findings.

use envparity_judge::engine::{self, Options};
use envparity_judge::policy::{Policy, Severity};
use envparity_judge::report::{Report, Status};
use envparity_model::catalog::CATALOGUE;
use envparity_testkit::{brief, policy, rds, report, row, run, snapshot, today};
use serde_json::{Value, json};

const VERSION_RULE: &str = r#"
[[rule]]
id = "db-version"
kinds = ["aws.rds.*"]
fields = ["engine_version"]
expect = "version"
granularity = "major"
why = "Same major version."
"#;

#[test]
fn names_pair_across_environments_and_presence_is_judged() {
    let staging = snapshot(
        "staging",
        json!([
            rds("orders-staging-db", json!({"engine_version": "14.11"})),
            rds("debug-staging-db", json!({})),
        ]),
        json!([]),
    );
    let prod = snapshot(
        "prod",
        json!([
            rds("orders-prod-db", json!({"engine_version": "15.6"})),
            rds("reporting-production-db", json!({})),
        ]),
        json!([]),
    );
    let e = run(&staging, &prod, &policy(VERSION_RULE));
    assert_eq!(
        (e.paired, e.only_in_staging, e.only_in_prod, e.ambiguous),
        (1, 1, 1, 0)
    );
    assert_eq!(
        brief(&e.findings),
        [
            row(
                "db-version",
                "orders-{env}-db",
                Some("engine_version"),
                "error",
                false
            ),
            row("missing-in-staging", "reporting-{env}-db", None, "error", false),
            row("extra-in-staging", "debug-{env}-db", None, "warning", false),
        ]
    );
    let f = &e.findings[0];
    assert_eq!(
        (f.staging.clone(), f.prod.clone()),
        (Some(json!("14.11")), Some(json!("15.6")))
    );
    assert_eq!(f.message, "Same major version.");
    assert_eq!(
        f.detail.as_deref(),
        Some("14.11 and 15.6 differ at major version")
    );
}

/// Many pairs are judged in two halves side by side: every pair's findings are found once, in report order, and
/// a rule of the policy file that decides only in the second half is not called unused.
#[test]
fn pairs_judged_in_two_halves_find_each_pair_s_findings_once_and_know_every_rule_that_decided() {
    const LAST_RULE: &str = r#"
[[rule]]
id = "last-db-class"
kinds = ["aws.rds.instance"]
keys = ["zz-{env}-db"]
fields = ["instance_class"]
expect = "equal"
"#;
    let dbs = |env: &str, version: &str, class: &str| {
        let mut dbs: Vec<Value> = (0..3000)
            .map(|i| rds(&format!("db{i:04}-{env}"), json!({"engine_version": version})))
            .collect();
        dbs.push(rds(&format!("zz-{env}-db"), json!({"instance_class": class})));
        Value::Array(dbs)
    };
    let staging = snapshot("staging", dbs("staging", "14.11", "db.t3.small"), json!([]));
    let prod = snapshot("prod", dbs("prod", "15.6", "db.r6g.large"), json!([]));
    let e = run(&staging, &prod, &policy(&format!("{VERSION_RULE}{LAST_RULE}")));
    assert_eq!(e.paired, 3001);
    let mut expected: Vec<_> = (0..3000)
        .map(|i| {
            row(
                "db-version",
                &format!("db{i:04}-{{env}}"),
                Some("engine_version"),
                "error",
                false,
            )
        })
        .collect();
    expected.push(row(
        "last-db-class",
        "zz-{env}-db",
        Some("instance_class"),
        "error",
        false,
    ));
    assert_eq!(brief(&e.findings), expected);
}

#[test]
fn duplicate_keys_are_ambiguous_and_never_paired_at_random() {
    let staging = snapshot(
        "staging",
        json!([
            {"kind": "aws.rds.instance", "name": "a", "key": "db", "attributes": {"engine_version": "14"}},
            {"kind": "aws.rds.instance", "name": "b", "key": "db", "attributes": {"engine_version": "15"}},
            {"kind": "aws.rds.instance", "name": "x", "key": "other", "attributes": {}},
        ]),
        json!([]),
    );
    let prod = snapshot(
        "prod",
        json!([
            {"kind": "aws.rds.instance", "key": "db", "name": "c", "attributes": {"engine_version": "15"}},
            {"kind": "aws.rds.instance", "name": "x", "key": "other", "attributes": {}},
        ]),
        json!([]),
    );
    let e = run(&staging, &prod, &policy(VERSION_RULE));
    assert_eq!((e.paired, e.ambiguous), (1, 1));
    // Nothing was compared, so the version rule decided nothing, and says so.
    assert_eq!(
        brief(&e.findings),
        [
            row("ambiguous-key", "db", None, "error", false),
            row("rule-unused", "db-version", None, "warning", false)
        ]
    );
    assert_eq!(
        e.findings[0].detail.as_deref(),
        Some("staging: [a, b]; prod: [c]")
    );
}

#[test]
fn a_gap_makes_its_kinds_incomplete_never_missing() {
    let gap = json!([{"provider": "aws", "service": "rds", "account": "111111111111", "region": "eu-west-1",
                      "kinds": ["aws.rds.instance"], "error": "AccessDenied: not authorized to rds:DescribeDBInstances"}]);
    let staging = snapshot("staging", json!([]), gap);
    let prod = snapshot("prod", json!([rds("orders-prod-db", json!({}))]), json!([]));
    let p = policy("");
    let e = run(&staging, &prod, &p);
    assert_eq!(
        brief(&e.findings),
        [row(
            "incomplete",
            "staging:111111111111 eu-west-1",
            None,
            "incomplete",
            false
        )]
    );
    assert!(e.findings[0].detail.as_deref().unwrap().contains("AccessDenied"));

    let report = Report::new(
        &staging,
        &prod,
        &p.name,
        envparity_judge::policy::FailOn::Never,
        e,
    );
    assert_eq!(
        report.summary.status,
        Status::Incomplete,
        "even fail_on = never does not pass unseen data"
    );
}

#[test]
fn unlisted_differences_reach_into_nested_attributes() {
    let staging = snapshot(
        "staging",
        json!([rds(
            "a-staging",
            json!({"parameters": {"max_connections": "200", "work_mem": "4MB"}, "tags_only": 1})
        )]),
        json!([]),
    );
    let prod = snapshot(
        "prod",
        json!([rds(
            "a-prod",
            json!({"parameters": {"max_connections": "800", "work_mem": "4MB", "extra": "x"}})
        )]),
        json!([]),
    );
    let e = run(
        &staging,
        &prod,
        &policy("[defaults]\nunlisted_difference = \"error\"\n"),
    );
    assert_eq!(
        brief(&e.findings),
        [
            row(
                "unlisted-difference",
                "a-{env}",
                Some("parameters.extra"),
                "error",
                false
            ),
            row(
                "unlisted-difference",
                "a-{env}",
                Some("parameters.max_connections"),
                "error",
                false
            ),
            row(
                "unlisted-difference",
                "a-{env}",
                Some("tags_only"),
                "error",
                false
            ),
        ]
    );
    assert_eq!(e.findings[0].staging, None, "absent, not null");
    assert_eq!(e.findings[0].detail.as_deref(), Some("absent in staging"));

    let quiet = run(
        &staging,
        &prod,
        &policy("[defaults]\nunlisted_difference = \"ignore\"\n"),
    );
    assert!(quiet.findings.is_empty());
}

#[test]
fn waivers_active_expired_and_unused() {
    let staging = snapshot(
        "staging",
        json!([
            rds("a-staging", json!({"engine_version": "14"})),
            rds("b-staging", json!({"engine_version": "14"}))
        ]),
        json!([]),
    );
    let prod = snapshot(
        "prod",
        json!([
            rds("a-prod", json!({"engine_version": "15"})),
            rds("b-prod", json!({"engine_version": "15"}))
        ]),
        json!([]),
    );
    let waivers = r#"
[[waiver]]
rule = "db-version"
key = "a-{env}"
reason = "upgrade in progress"
owner = "data"
expires = "2026-12-31"

[[waiver]]
rule = "db-version"
key = "b-*"
reason = "old"
owner = "data"
expires = "2026-11-30"

[[waiver]]
rule = "missing-in-staging"
key = "nothing-matches"
reason = "stale"
owner = "ops"
expires = "2027-06-30"
"#;
    let e = run(&staging, &prod, &policy(&format!("{VERSION_RULE}{waivers}")));
    assert_eq!(
        brief(&e.findings),
        [
            row("db-version", "a-{env}", Some("engine_version"), "error", true),
            row("db-version", "b-{env}", Some("engine_version"), "error", false),
            row("waiver-expired", "db-version@b-*", None, "warning", false),
            row(
                "waiver-unused",
                "missing-in-staging@nothing-matches",
                None,
                "warning",
                false
            ),
        ]
    );
    let note = e.findings[0].waiver.as_ref().unwrap();
    assert_eq!(
        (note.owner.as_str(), note.expires.as_str()),
        ("data", "2026-12-31")
    );

    // The day after a waiver's date it lapses.
    let later = engine::evaluate(
        &staging,
        &prod,
        &policy(&format!("{VERSION_RULE}{waivers}")),
        &Options::for_snapshots(&staging, &prod, jiff::civil::date(2027, 1, 1)),
    );
    assert!(later.findings.iter().all(|f| !f.waived));
    assert_eq!(
        later
            .findings
            .iter()
            .filter(|f| f.rule == "waiver-expired")
            .count(),
        2
    );
}

#[test]
fn per_environment_values_are_checked_on_every_resource_where_the_field_exists() {
    let rule = r#"
[[rule]]
id = "prod-deletion-protection"
kinds = ["aws.rds.*"]
fields = ["deletion_protection"]
prod = true
"#;
    let staging = snapshot(
        "staging",
        json!([rds("a-staging", json!({"deletion_protection": false}))]),
        json!([]),
    );
    let prod = snapshot(
        "prod",
        json!([
            rds("a-prod", json!({"deletion_protection": false})),
            rds("b-prod", json!({"deletion_protection": false})),
            rds("c-prod", json!({"deletion_protection": true})),
            rds("d-prod", json!({})),
        ]),
        json!([]),
    );
    let e = run(
        &staging,
        &prod,
        &policy(&format!("{rule}[defaults]\nmissing_in_staging = \"ignore\"\n")),
    );
    assert_eq!(
        brief(&e.findings),
        [
            row(
                "prod-deletion-protection",
                "a-{env}",
                Some("deletion_protection"),
                "error",
                false
            ),
            row(
                "prod-deletion-protection",
                "b-{env}",
                Some("deletion_protection"),
                "error",
                false
            ),
        ]
    );
    assert_eq!(e.findings[0].side, Some(envparity_judge::report::Side::Prod));
    assert_eq!(
        e.findings[0].detail.as_deref(),
        Some("prod must be true, is false")
    );
}

#[test]
fn secrets_without_fingerprints_are_incomplete_under_differ() {
    let param = |name: &str, value: Value| json!({"kind": "aws.ssm.parameter", "name": name, "attributes": {"type": "SecureString", "value": value}});
    let staging = snapshot(
        "staging",
        json!([param("/a/staging/K", json!({"redacted": true}))]),
        json!([]),
    );
    let prod = snapshot(
        "prod",
        json!([param("/a/prod/K", json!({"redacted": true}))]),
        json!([]),
    );
    let default = Policy::builtin("default", &CATALOGUE).unwrap();
    let e = run(&staging, &prod, &default);
    assert_eq!(
        brief(&e.findings),
        [row(
            "secret-reused",
            "/a/{env}/K",
            Some("value"),
            "incomplete",
            false
        )]
    );
    // Both steps that give a fingerprint are named: the key, and asking for SecureString values at all.
    let detail = e.findings[0].detail.as_deref().unwrap_or_default();
    assert!(
        detail.contains("ENVPARITY_FINGERPRINT_KEY set") && detail.contains("--decrypt-secrets"),
        "{detail}"
    );

    let reused = json!({"redacted": true, "fingerprint": "hmac-sha256:ab"});
    let staging = snapshot(
        "staging",
        json!([param("/a/staging/K", reused.clone())]),
        json!([]),
    );
    let prod = snapshot("prod", json!([param("/a/prod/K", reused)]), json!([]));
    let e = run(&staging, &prod, &default);
    assert_eq!(
        brief(&e.findings),
        [row("secret-reused", "/a/{env}/K", Some("value"), "error", false)]
    );
}

#[test]
fn fingerprints_are_stable_and_distinct() {
    let staging = snapshot(
        "staging",
        json!([rds("a-staging", json!({"x": 1, "y": 1}))]),
        json!([]),
    );
    let prod = snapshot("prod", json!([rds("a-prod", json!({"x": 2, "y": 2}))]), json!([]));
    let p = policy("");
    let first = run(&staging, &prod, &p);
    let second = run(&staging, &prod, &p);
    assert_eq!(first.findings, second.findings);
    assert_ne!(first.findings[0].fingerprint, first.findings[1].fingerprint);
    assert_eq!(first.findings[0].fingerprint.len(), 32);
}

#[test]
fn a_key_tag_pairs_resources_whose_names_differ() {
    let tagged = |name: &str| json!({"kind": "aws.rds.instance", "name": name, "tags": {"Service": "orders"}, "attributes": {}});
    let staging = snapshot("staging", json!([tagged("orders-db-stg-2")]), json!([]));
    let prod = snapshot("prod", json!([tagged("orders-primary")]), json!([]));
    let mut options = Options::for_snapshots(&staging, &prod, today());
    let e = engine::evaluate(&staging, &prod, &policy(""), &options);
    assert_eq!(e.paired, 0);
    options.staging_keys.key_tag = Some("Service".into());
    options.prod_keys.key_tag = Some("Service".into());
    let e = engine::evaluate(&staging, &prod, &policy(""), &options);
    assert_eq!((e.paired, e.findings.len()), (1, 0));
}

#[test]
fn the_verdict_follows_fail_on() {
    let staging = snapshot("staging", json!([rds("a-staging", json!({"x": 1}))]), json!([]));
    let prod = snapshot("prod", json!([rds("a-prod", json!({"x": 2}))]), json!([]));
    let p = policy("");
    let status = |fail_on| report(&staging, &prod, &p, fail_on).summary.status;
    use envparity_judge::policy::FailOn;
    assert_eq!(
        status(FailOn::Error),
        Status::Parity,
        "a warning does not fail an error gate"
    );
    assert_eq!(status(FailOn::Warning), Status::Violations);
    assert_eq!(status(FailOn::Never), Status::Parity);
    let _ = Severity::Warning;
}

#[test]
fn a_policy_narrows_custom_resources_per_kind_and_the_default_warns_on_any_spec_difference() {
    let prometheus = |env: &str, retention: &str, replicas: u64| {
        json!({"kind": "k8s.custom.monitoring.coreos.com/Prometheus", "name": format!("shop-{env}/main"),
               "key": "shop-{env}/main",
               "attributes": {"version": "v1", "spec": {"retention": retention, "replicas": replicas}}})
    };
    let staging = snapshot("staging", json!([prometheus("staging", "7d", 1)]), json!([]));
    let prod = snapshot("prod", json!([prometheus("prod", "30d", 2)]), json!([]));
    let default = envparity_testkit::default_policy();
    let fields = |policy: &Policy| -> Vec<(String, Option<String>)> {
        run(&staging, &prod, policy)
            .findings
            .iter()
            .filter(|f| f.kind.starts_with("k8s.custom."))
            .map(|f| (f.rule.clone(), f.field.clone()))
            .collect()
    };
    assert_eq!(
        fields(&default),
        [
            ("custom-resources".to_owned(), Some("spec.replicas".to_owned())),
            ("custom-resources".to_owned(), Some("spec.retention".to_owned())),
        ]
    );
    // A rule names the kind as resources carry it; its fields are checked against the custom resources' own.
    let narrowed = policy(
        "extends = \"default\"\n[[rule]]\nid = \"retention\"\nkinds = [\"k8s.custom.monitoring.coreos.com/Prometheus\"]\n\
         fields = [\"spec.retention\"]\nexpect = \"ignore\"\n",
    );
    assert_eq!(
        fields(&narrowed),
        [("custom-resources".to_owned(), Some("spec.replicas".to_owned()))]
    );
    let misspelt = Policy::parse(
        "[policy]\nname = \"t\"\n[[rule]]\nid = \"r\"\nkinds = [\"k8s.custom.monitoring.coreos.com/Prometheus\"]\n\
         fields = [\"sepc.retention\"]\nexpect = \"ignore\"\n",
        "t.toml",
        &CATALOGUE,
    );
    assert!(
        misspelt.is_err(),
        "a field custom resources do not have is an error"
    );
}
