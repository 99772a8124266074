//! What was and was not audited: the coverage section, `defaults.unaudited`, and the default policy's rules for
//! the services of the coverage issue, on snapshot pairs.

use envparity_judge::policy::{FailOn, Policy};
use envparity_judge::report::{self, Format, RenderOptions};
use envparity_model::snapshot::Snapshot;
use serde_json::{Value, json};

use envparity_testkit::{brief, default_policy, parse, policy, report, run};

/// One environment in one account that asked the tagging API, with `unaudited` types found.
fn covered(environment: &str, resources: Value, unaudited: Value) -> Snapshot {
    parse(
        environment,
        resources,
        json!({
            "sources": [{
                "provider": "aws", "service": "tagging", "account": "1", "region": "eu-west-1",
                "status": "complete", "resources": 0, "api_calls": 1,
            }],
            "unaudited": unaudited,
        }),
    )
}

fn queue(name: &str) -> Value {
    json!({"kind": "aws.sqs.queue", "name": name, "attributes": {"visibility_timeout_seconds": 30}})
}

fn machines(count: u64) -> Value {
    json!([{"provider": "aws", "account": "1", "region": "eu-west-1", "type": "states:stateMachine", "count": count}])
}

#[test]
fn unaudited_types_are_not_findings_by_default_but_are_in_the_coverage_section() {
    let staging = covered("staging", json!([queue("jobs-staging")]), machines(2));
    let prod = covered("prod", json!([queue("jobs-prod")]), machines(3));
    let policy = default_policy();
    let report = report(&staging, &prod, &policy, FailOn::Error);
    assert!(report.findings.is_empty(), "{:?}", brief(&report.findings));
    let json: Value = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["coverage"],
        json!({
            "staging": {"audited": {"aws.sqs.queue": 1}, "unaudited": {"states:stateMachine": 2}},
            "prod": {"audited": {"aws.sqs.queue": 1}, "unaudited": {"states:stateMachine": 3}},
        })
    );
    let table = report::render(&report, Format::Table, RenderOptions::default());
    assert!(
        table.contains("  prod: 1 resource of 1 kind audited; not audited: states:stateMachine (3)\n"),
        "{table}"
    );
}

#[test]
fn defaults_unaudited_makes_each_unaudited_type_a_finding_per_side() {
    let staging = covered("staging", json!([queue("jobs-staging")]), machines(2));
    let prod = covered("prod", json!([queue("jobs-prod")]), machines(3));
    let policy = policy("[defaults]\nunaudited = \"warning\"\n");
    let found = run(&staging, &prod, &policy);
    assert_eq!(
        brief(&found.findings),
        [
            (
                "unaudited".into(),
                "prod:states:stateMachine 1 eu-west-1".into(),
                None,
                "warning",
                false
            ),
            (
                "unaudited".into(),
                "staging:states:stateMachine 1 eu-west-1".into(),
                None,
                "warning",
                false
            ),
        ]
    );
    assert_eq!(
        found.findings[0].detail.as_deref(),
        Some("3 aws resources of type states:stateMachine in prod (1 eu-west-1) that no collector reads")
    );
}

#[test]
fn a_snapshot_that_never_asked_has_unknown_coverage_not_none() {
    let staging = parse("staging", json!([queue("jobs-staging")]), json!({}));
    let prod = parse("prod", json!([queue("jobs-prod")]), json!({}));
    let policy = default_policy();
    let report = report(&staging, &prod, &policy, FailOn::Error);
    assert_eq!(report.coverage.prod.unaudited, None);
    assert!(
        report
            .coverage
            .prod
            .line()
            .ends_with("what was not audited is unknown")
    );
}

fn bucket(name: &str, versioning: &str, blocked: bool) -> Value {
    json!({"kind": "aws.s3.bucket", "name": name, "attributes": {
        "versioning": versioning, "public_access_blocked": blocked, "encryption": "AES256",
    }})
}

fn table(name: &str, pitr: bool, protected: bool) -> Value {
    json!({"kind": "aws.dynamodb.table", "name": name, "attributes": {
        "point_in_time_recovery": pitr, "deletion_protection": protected, "key_schema": ["id HASH"],
    }})
}

fn encrypted_queue(name: &str, encrypted: bool) -> Value {
    let encryption = if encrypted { "sse-sqs" } else { "none" };
    json!({"kind": "aws.sqs.queue", "name": name, "attributes": {"encryption": encryption, "encrypted": encrypted}})
}

#[test]
fn prod_needs_versioning_blocked_public_access_pitr_deletion_protection_and_encryption_whatever_staging_does()
{
    let rules = |staging: Vec<Value>, prod: Vec<Value>| {
        let policy: Policy = default_policy();
        let found = run(
            &parse("staging", json!(staging), json!({})),
            &parse("prod", json!(prod), json!({})),
            &policy,
        );
        brief(&found.findings)
            .into_iter()
            .map(|(rule, _, field, severity, _)| (rule, field.unwrap_or_default(), severity))
            .collect::<Vec<_>>()
    };
    // Staging may go without protection (not encryption, compared by the encryption rule): not a finding.
    assert_eq!(
        rules(
            vec![
                bucket("assets-staging", "Off", true),
                table("carts-staging", false, false),
                encrypted_queue("jobs-staging", true),
            ],
            vec![
                bucket("assets-prod", "Enabled", true),
                table("carts-prod", true, true),
                encrypted_queue("jobs-prod", true),
            ],
        ),
        []
    );
    // Prod without them: one finding each, whatever staging does.
    let found = rules(
        vec![
            bucket("assets-staging", "Off", false),
            table("carts-staging", false, false),
            encrypted_queue("jobs-staging", false),
        ],
        vec![
            bucket("assets-prod", "Suspended", false),
            table("carts-prod", false, false),
            encrypted_queue("jobs-prod", false),
        ],
    );
    for rule in [
        "prod-versioning",
        "prod-public-access-blocked",
        "prod-point-in-time-recovery",
        "prod-deletion-protection",
        "prod-encryption",
    ] {
        assert!(
            found.iter().any(|(r, _, s)| r == rule && *s == "error"),
            "{rule}: {found:?}"
        );
    }
}
