//! Earned parity: each case where a green verdict was given on what was not really compared, named after the
//! case, on snapshot pairs. (The cases that come from collection are tested against moto in `tests/aws/`.)

use envparity_judge::policy::{FailOn, Policy};
use envparity_judge::report::{self, Format, RenderOptions, Status};
use envparity_model::catalog::CATALOGUE;
use serde_json::json;

use envparity_testkit::{brief, default_policy, parse, policy, rds, report, row, run, secret, ssm_source};

#[test]
fn both_environments_in_an_empty_region_is_incomplete_not_parity() {
    let staging = parse(
        "staging",
        json!([]),
        json!({"sources": ssm_source("111111111111", 0, json!([]))}),
    );
    let prod = parse(
        "prod",
        json!([]),
        json!({"sources": ssm_source("222222222222", 0, json!([]))}),
    );
    let r = report(&staging, &prod, &default_policy(), FailOn::Error);
    assert_eq!(r.summary.status, Status::Incomplete);
    assert_eq!(
        brief(&r.findings),
        [
            row("nothing-compared", "*", None, "incomplete", false),
            row(
                "empty-source",
                "prod:222222222222 eu-west-1",
                None,
                "warning",
                false
            ),
            row(
                "empty-source",
                "staging:111111111111 eu-west-1",
                None,
                "warning",
                false
            ),
        ]
    );
    assert_eq!(
        r.findings[0].detail.as_deref(),
        Some("neither snapshot holds a resource")
    );
    assert_eq!(
        r.findings[2].detail.as_deref(),
        Some("aws ssm in staging (111111111111 eu-west-1) found nothing")
    );
}

#[test]
fn nothing_paired_while_both_sides_hold_resources_is_incomplete_and_says_why() {
    let staging = parse("staging", json!([rds("orders-stg2-db", json!({}))]), json!({}));
    let prod = parse("prod", json!([rds("orders-prod-db", json!({}))]), json!({}));
    let r = report(&staging, &prod, &default_policy(), FailOn::Error);
    assert_eq!(r.summary.status, Status::Incomplete);
    let nothing = r.findings.iter().find(|f| f.rule == "nothing-compared").unwrap();
    assert_eq!(
        nothing.detail.as_deref(),
        Some(
            "no resource of staging (1) paired with one of prod (1): the environment tokens (--staging-tokens, \
             --prod-tokens) or the key tag most likely do not match the resources' names"
        )
    );
}

#[test]
fn an_ssm_path_with_a_typo_is_an_empty_source_naming_the_path_it_tried() {
    let param = |name: &str| json!({"kind": "aws.ssm.parameter", "name": name, "attributes": {"type": "String", "value": "info"}});
    let staging = parse(
        "staging",
        json!([param("/shop/staging/LOG_LEVEL")]),
        json!({"sources": ssm_source("111111111111", 1, json!(["/shpo/staging/"]))}),
    );
    let prod = parse(
        "prod",
        json!([param("/shop/prod/LOG_LEVEL")]),
        json!({"sources": ssm_source("222222222222", 1, json!([]))}),
    );
    let r = report(&staging, &prod, &default_policy(), FailOn::Error);
    assert_eq!(
        brief(&r.findings),
        [row(
            "empty-source",
            "staging:111111111111 eu-west-1 /shpo/staging/",
            None,
            "warning",
            false
        )]
    );
    assert_eq!(
        r.findings[0].detail.as_deref(),
        Some("/shpo/staging/ held nothing in staging (111111111111 eu-west-1)")
    );
    assert_eq!(r.findings[0].kind, "aws.ssm");
    // A policy may make it fail the gate.
    let strict = policy("extends = \"default\"\n[defaults]\nempty_source = \"error\"\n");
    let r = report(&staging, &prod, &strict, FailOn::Error);
    assert_eq!(r.summary.status, Status::Violations);
}

#[test]
fn a_password_reused_under_different_fingerprint_keys_is_incomplete_not_passed() {
    let keys = |s: &str, p: &str| {
        (
            parse(
                "staging",
                json!([secret("/shop/staging/DB_PASSWORD", "hmac-sha256:aa")]),
                json!({"fingerprint_key_id": s}),
            ),
            parse(
                "prod",
                json!([secret("/shop/prod/DB_PASSWORD", "hmac-sha256:bb")]),
                json!({"fingerprint_key_id": p}),
            ),
        )
    };
    let (staging, prod) = keys("hmac-sha256:1111111111111111", "hmac-sha256:2222222222222222");
    let r = report(&staging, &prod, &default_policy(), FailOn::Error);
    assert_eq!(
        brief(&r.findings),
        [row(
            "secret-reused",
            "/shop/{env}/DB_PASSWORD",
            Some("value"),
            "incomplete",
            false
        )]
    );
    assert_eq!(r.summary.status, Status::Incomplete);
    let detail = r.findings[0].detail.as_deref().unwrap();
    assert!(
        detail.contains("hmac-sha256:1111111111111111")
            && detail.contains("hmac-sha256:2222222222222222")
            && detail.contains("collect both with the same ENVPARITY_FINGERPRINT_KEY"),
        "{detail}"
    );
    // Under one key, different fingerprints prove different secrets.
    let (staging, prod) = keys("hmac-sha256:1111111111111111", "hmac-sha256:1111111111111111");
    assert_eq!(brief(&run(&staging, &prod, &default_policy()).findings), []);
}

#[test]
fn equal_fingerprints_prove_the_same_secret_whatever_the_key_ids_say() {
    let staging = parse(
        "staging",
        json!([secret("/shop/staging/DB_PASSWORD", "hmac-sha256:aa")]),
        json!({}),
    );
    let prod = parse(
        "prod",
        json!([secret("/shop/prod/DB_PASSWORD", "hmac-sha256:aa")]),
        json!({"fingerprint_key_id": "hmac-sha256:2222222222222222"}),
    );
    assert_eq!(
        brief(&run(&staging, &prod, &default_policy()).findings),
        [row(
            "secret-reused",
            "/shop/{env}/DB_PASSWORD",
            Some("value"),
            "error",
            false
        )]
    );
}

#[test]
fn snapshots_without_a_key_id_have_an_unknown_key() {
    // Older v1 snapshots carry no key id: their differing fingerprints prove nothing.
    let staging = parse(
        "staging",
        json!([secret("/shop/staging/DB_PASSWORD", "hmac-sha256:aa")]),
        json!({}),
    );
    let prod = parse(
        "prod",
        json!([secret("/shop/prod/DB_PASSWORD", "hmac-sha256:bb")]),
        json!({}),
    );
    let e = run(&staging, &prod, &default_policy());
    assert_eq!(
        brief(&e.findings),
        [row(
            "secret-reused",
            "/shop/{env}/DB_PASSWORD",
            Some("value"),
            "incomplete",
            false
        )]
    );
    assert!(
        e.findings[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("unknown (not recorded)")
    );
}

#[test]
fn rds_parameters_held_as_strings_compare_as_numbers() {
    let group = |name: &str, max: &str| {
        json!({"kind": "aws.rds.parameter_group", "name": name,
               "attributes": {"family": "postgres15", "parameters": {"max_connections": max}}})
    };
    let at_most = policy(
        "[[rule]]\nid = \"connections\"\nkinds = [\"aws.rds.parameter_group\"]\nfields = [\"parameters.max_connections\"]\nexpect = \"staging_at_most_prod\"\n",
    );
    let judge = |s: &str, p: &str| {
        let staging = parse("staging", json!([group("orders-staging-pg", s)]), json!({}));
        let prod = parse("prod", json!([group("orders-prod-pg", p)]), json!({}));
        let e = run(&staging, &prod, &at_most);
        e.findings
            .iter()
            .map(|f| f.detail.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(judge("100", "400"), Vec::<String>::new());
    assert_eq!(judge("800", "400"), ["staging 800 exceeds prod 400"]);
}

#[test]
fn a_rule_scoped_to_keys_pins_one_config_key() {
    let param = |name: &str, value: &str| json!({"kind": "aws.ssm.parameter", "name": name, "attributes": {"type": "String", "value": value}});
    let staging = parse(
        "staging",
        json!([
            param("/shop/staging/LOG_LEVEL", "debug"),
            param("/shop/staging/API_URL", "https://a")
        ]),
        json!({}),
    );
    let prod = parse(
        "prod",
        json!([
            param("/shop/prod/LOG_LEVEL", "info"),
            param("/shop/prod/API_URL", "https://b")
        ]),
        json!({}),
    );
    let pinned = policy(
        "extends = \"default\"\n[[rule]]\nid = \"log-level\"\nkinds = [\"aws.ssm.parameter\"]\nfields = [\"value\"]\n\
         keys = [\"/shop/{env}/LOG_LEVEL\", \"orders-*\"]\nexpect = \"equal\"\n",
    );
    // LOG_LEVEL is pinned; API_URL still differs by design under the shipped config-values rule.
    assert_eq!(
        brief(&run(&staging, &prod, &pinned).findings),
        [row(
            "log-level",
            "/shop/{env}/LOG_LEVEL",
            Some("value"),
            "error",
            false
        )]
    );
}

#[test]
fn a_shared_account_without_tags_reports_the_other_environments_resources() {
    let asg = |name: &str| json!({"kind": "aws.autoscaling.group", "name": name, "attributes": {}});
    let staging = parse(
        "staging",
        json!([asg("shop-web-staging-asg"), asg("shop-web-prod-asg")]),
        json!({}),
    );
    let prod = parse("prod", json!([asg("shop-web-prod-asg")]), json!({}));
    let e = run(&staging, &prod, &default_policy());
    let foreign: Vec<_> = e
        .findings
        .iter()
        .filter(|f| f.rule == "foreign-environment")
        .collect();
    assert_eq!(foreign.len(), 1, "{:?}", brief(&e.findings));
    assert_eq!(foreign[0].severity.as_str(), "error");
    assert_eq!(
        foreign[0].detail.as_deref(),
        Some(
            "in the staging snapshot, its name shop-web-prod-asg carries the other environment's token `prod`"
        )
    );
}

#[test]
fn errors_under_fail_on_never_are_not_called_parity() {
    let staging = parse(
        "staging",
        json!([rds("a-staging", json!({"engine": "mysql"}))]),
        json!({}),
    );
    let prod = parse(
        "prod",
        json!([rds("a-prod", json!({"engine": "postgres"}))]),
        json!({}),
    );
    let r = report(&staging, &prod, &default_policy(), FailOn::Never);
    assert_eq!(r.summary.status, Status::Parity, "exit 0: nothing fails the run");
    let table = report::render(&r, Format::Table, RenderOptions::default());
    let last = table.lines().last().unwrap();
    assert!(
        last.starts_with("ERRORS FOUND, NOT FAILING (fail on never): 1 error"),
        "{last}"
    );
    let markdown = report::render(&r, Format::Markdown, RenderOptions::default());
    assert!(
        markdown.starts_with("## envparity: ⚠️ errors found, not failing"),
        "{markdown}"
    );
}

#[test]
fn drift_speaks_of_added_and_removed_since() {
    let earlier = parse(
        "prod",
        json!([rds("old-prod-db", json!({})), rds("kept-prod-db", json!({}))]),
        json!({}),
    );
    let newer = parse(
        "prod",
        json!([
            rds("new-prod-db", json!({})),
            rds("x-prod-db", json!({})),
            rds("kept-prod-db", json!({}))
        ]),
        json!({"collected_at": "2026-11-28T12:00:00Z"}),
    );
    let drift = Policy::builtin("drift", &CATALOGUE).unwrap();
    let r = report(&earlier, &newer, &drift, FailOn::Never);
    let added = r.findings.iter().find(|f| f.key == "new-{env}-db").unwrap();
    assert_eq!(added.message, "Added since the earlier snapshot.");
    assert_eq!(
        added.detail.as_deref(),
        Some("added since 2026-11-27T12:00:00Z: new-prod-db")
    );
    let removed = r.findings.iter().find(|f| f.key == "old-{env}-db").unwrap();
    assert_eq!(removed.message, "Removed since the earlier snapshot.");
    let table = report::render(&r, Format::Table, RenderOptions::default());
    assert!(
        table.contains("1 paired, 1 removed and 2 added since 2026-11-27T12:00:00Z"),
        "{table}"
    );
    assert!(
        !table.contains("only in staging") && !table.contains("staging has"),
        "{table}"
    );
}

#[test]
fn staging_pointing_at_prod_and_prod_pointing_at_staging_are_errors() {
    let db = |env: &str, account: &str| {
        json!({"kind": "aws.rds.instance", "name": format!("orders-{env}-db"), "account": account,
               "identifiers": [format!("orders-{env}-db.abc123.eu-west-1.rds.amazonaws.com")],
               "attributes": {"engine": "postgres"}})
    };
    let url = |env: &str, target: &str| {
        json!({"kind": "aws.ssm.parameter", "name": format!("/shop/{env}/DATABASE_URL"),
               "attributes": {"type": "String",
                              "value": format!("postgres://app@orders-{target}-db.abc123.eu-west-1.rds.amazonaws.com/app")}})
    };
    let queue = |env: &str, account: &str| {
        json!({"kind": "aws.ssm.parameter", "name": format!("/shop/{env}/QUEUE_ARN"),
               "attributes": {"type": "String", "value": format!("arn:aws:sqs:eu-west-1:{account}:jobs")}})
    };
    let staging = parse(
        "staging",
        json!([
            db("staging", "111111111111"),
            url("staging", "prod"),
            queue("staging", "111111111111")
        ]),
        json!({}),
    );
    let prod = parse(
        "prod",
        json!([
            db("prod", "222222222222"),
            url("prod", "prod"),
            queue("prod", "111111111111")
        ]),
        json!({}),
    );
    let e = run(&staging, &prod, &default_policy());
    let crossing: Vec<_> = e
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("references-"))
        .map(|f| (f.rule.as_str(), f.key.as_str(), f.detail.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        crossing,
        [
            (
                "references-prod",
                "/shop/{env}/DATABASE_URL",
                "names prod's aws.rds.instance orders-prod-db: orders-prod-db.abc123.eu-west-1.rds.amazonaws.com"
            ),
            (
                "references-staging",
                "/shop/{env}/QUEUE_ARN",
                "names staging's account 111111111111"
            ),
        ]
    );
}

#[test]
fn one_deployment_per_region_named_alike_pairs_region_by_region() {
    let queue = |env: &str, region: &str, timeout: u64| {
        json!({"kind": "aws.sqs.queue", "name": format!("jobs-{env}"), "region": region,
               "attributes": {"visibility_timeout_seconds": timeout}})
    };
    let staging = parse(
        "staging",
        json!([
            queue("staging", "eu-west-1", 30),
            queue("staging", "us-east-1", 30)
        ]),
        json!({}),
    );
    let prod = parse(
        "prod",
        json!([
            queue("prod", "eu-west-1", 30),
            queue("prod", "us-east-1", 180),
            queue("prod", "ap-south-1", 30)
        ]),
        json!({}),
    );
    let e = run(&staging, &prod, &default_policy());
    assert_eq!((e.paired, e.only_in_prod, e.ambiguous), (2, 1, 0));
    assert_eq!(
        brief(&e.findings),
        [
            row(
                "missing-in-staging",
                "jobs-{env}@ap-south-1",
                None,
                "error",
                false
            ),
            row(
                "queue-delivery",
                "jobs-{env}@us-east-1",
                Some("visibility_timeout_seconds"),
                "error",
                false
            ),
        ]
    );
}

#[test]
fn a_prod_function_timeout_raised_without_its_queue_is_reported_in_prod() {
    let queue = |env: &str, visibility: u64| {
        json!({"kind": "aws.sqs.queue", "name": format!("jobs-{env}"),
               "attributes": {"visibility_timeout_seconds": visibility}})
    };
    let worker = |env: &str, timeout: u64| {
        json!({"kind": "aws.lambda.function", "name": format!("worker-{env}"),
               "attributes": {"timeout_seconds": timeout, "event_sources": [
                   {"source_kind": "sqs", "source": "jobs-{env}", "batch_size": 10}]}})
    };
    let staging = parse(
        "staging",
        json!([queue("staging", 180), worker("staging", 30)]),
        json!({}),
    );
    let prod = parse(
        "prod",
        json!([queue("prod", 180), worker("prod", 200)]),
        json!({}),
    );
    let e = run(&staging, &prod, &default_policy());
    let visibility: Vec<_> = e
        .findings
        .iter()
        .filter(|f| f.rule == "queue-visibility")
        .collect();
    assert_eq!(visibility.len(), 1, "{:?}", brief(&e.findings));
    let f = visibility[0];
    assert_eq!(
        (f.severity.as_str(), f.side.map(|s| s.name()), f.key.as_str()),
        ("error", Some("prod"), "jobs-{env}")
    );
    assert_eq!(
        f.detail.as_deref(),
        Some(
            "visibility timeout 180 s, for worker-prod whose timeout is 200 s (at least 1200 s recommended)"
        )
    );
}

/// A source read only because `[collect] services` names none, as `collect` records it.
fn by_default(service: &str, account: &str, resources: u64) -> serde_json::Value {
    json!({"provider": "aws", "service": service, "account": account, "region": "eu-west-1",
           "status": "complete", "resources": resources, "api_calls": 1, "by_default": true})
}

#[test]
fn a_service_read_by_default_that_holds_nothing_is_coverage_not_an_empty_source() {
    let param = |name: &str| json!({"kind": "aws.ssm.parameter", "name": name, "attributes": {"type": "String", "value": "info"}});
    let sources = |account: &str| {
        json!([
            by_default("ssm", account, 1),
            by_default("ecs", account, 0),
            by_default("eks", account, 0)
        ])
    };
    let staging = parse(
        "staging",
        json!([param("/shop/staging/LOG_LEVEL")]),
        json!({"sources": sources("111111111111")}),
    );
    let prod = parse(
        "prod",
        json!([param("/shop/prod/LOG_LEVEL")]),
        json!({"sources": sources("222222222222")}),
    );
    let r = report(&staging, &prod, &default_policy(), FailOn::Warning);
    assert_eq!(brief(&r.findings), []);
    assert_eq!(r.summary.status, Status::Parity);
    assert_eq!(r.coverage.prod.no_resources, ["aws.ecs", "aws.eks"]);
    assert!(
        r.coverage
            .staging
            .line()
            .ends_with("no resources in aws.ecs, aws.eks (read because `[collect] services` names none)"),
        "{}",
        r.coverage.staging.line()
    );
}

#[test]
fn drift_reports_a_source_only_when_it_emptied_not_when_it_was_empty_before_too() {
    let param = |name: &str| json!({"kind": "aws.ssm.parameter", "name": name, "attributes": {"type": "String", "value": "info"}});
    let at = |time: &str, empty: serde_json::Value| {
        let mut s = parse(
            "prod",
            json!([param("/shop/prod/LOG_LEVEL")]),
            json!({"sources": ssm_source("222222222222", 1, empty)}),
        );
        s.collected_at = time.to_owned();
        s
    };
    let drift = policy("extends = \"drift\"\n");
    // Empty before and empty now: no change, no finding.
    let before = at("2026-12-01T00:00:00Z", json!(["/orders/prod/"]));
    let after = at("2026-12-02T00:00:00Z", json!(["/orders/prod/"]));
    let r = report(&before, &after, &drift, FailOn::Warning);
    assert_eq!(brief(&r.findings), []);
    assert_eq!(r.summary.status, Status::Parity);
    // Emptied since: one finding, on the newer side, with both times.
    let before = at("2026-12-01T00:00:00Z", json!([]));
    let r = report(&before, &after, &drift, FailOn::Warning);
    assert_eq!(
        brief(&r.findings),
        [row(
            "empty-source",
            "prod:222222222222 eu-west-1 /orders/prod/",
            None,
            "warning",
            false
        )]
    );
    assert_eq!(
        r.findings[0].detail.as_deref(),
        Some(
            "/orders/prod/ (222222222222 eu-west-1) held nothing at 2026-12-02T00:00:00Z, unlike at \
             2026-12-01T00:00:00Z"
        )
    );
}

#[test]
fn gaps_of_one_cause_are_one_incomplete_finding_naming_it_and_listing_what_it_cost() {
    let gap = |service: &str, operation: &str| {
        json!({"provider": "aws", "service": service, "account": "111111111111", "region": "eu-west-1",
               "kinds": [format!("aws.{service}.a"), format!("aws.{service}.b")],
               "error": format!("{operation}: http://127.0.0.1:9 did not answer: Connection refused")})
    };
    let staging = parse(
        "staging",
        json!([]),
        json!({"gaps": [gap("ec2", "DescribeInstances"), gap("rds", "DescribeDBInstances"), gap("sqs", "ListQueues")]}),
    );
    let prod = parse("prod", json!([rds("orders-prod-db", json!({}))]), json!({}));
    let r = report(&staging, &prod, &default_policy(), FailOn::Error);
    let incomplete: Vec<_> = r.findings.iter().filter(|f| f.rule == "incomplete").collect();
    assert_eq!(incomplete.len(), 1, "{:#?}", r.findings);
    assert_eq!(
        (incomplete[0].kind.as_str(), incomplete[0].key.as_str()),
        ("aws", "staging:111111111111 eu-west-1")
    );
    assert_eq!(
        incomplete[0].detail.as_deref(),
        Some(
            "aws ec2, rds, sqs in staging (111111111111 eu-west-1): http://127.0.0.1:9 did not answer: Connection \
             refused (6 kinds unknown)"
        )
    );
    let services: Vec<&str> = incomplete[0]
        .affected
        .iter()
        .map(|a| a.service.as_str())
        .collect();
    assert_eq!(services, ["ec2", "rds", "sqs"]);
}

#[test]
fn drift_reasons_name_the_earlier_and_newer_snapshot_not_staging_and_prod() {
    let earlier = parse(
        "prod",
        json!([rds("orders-prod-db", json!({"engine_version": 15}))]),
        json!({}),
    );
    let newer = parse(
        "prod",
        json!([rds(
            "orders-prod-db",
            json!({"engine_version": "15", "storage_type": "gp3"})
        )]),
        json!({"collected_at": "2026-11-28T12:00:00Z"}),
    );
    let r = report(&earlier, &newer, &policy("extends = \"drift\"\n"), FailOn::Never);
    let details: Vec<(&str, &str)> = r
        .findings
        .iter()
        .filter_map(|f| Some((f.field.as_deref()?, f.detail.as_deref()?)))
        .collect();
    assert_eq!(
        details,
        [
            (
                "engine_version",
                "the earlier snapshot holds a number, the newer snapshot holds a string"
            ),
            ("storage_type", "absent in the earlier snapshot"),
        ]
    );
}

#[test]
fn drift_over_a_fleet_names_the_account_once_not_as_staging_and_prod() {
    let fleet =
        json!({"accounts": [{"id": "111111111111"}, {"id": "222222222222"}], "regions": ["eu-west-1"]});
    let at = |time: &str, engine_version: &str| {
        let db = json!({"kind": "aws.rds.instance", "name": "orders-prod-db", "account": "222222222222",
                        "region": "eu-west-1", "attributes": {"engine": "postgres", "engine_version": engine_version}});
        let mut s = parse("prod", json!([db]), json!({"fleet": fleet}));
        s.collected_at = time.to_owned();
        s
    };
    let r = report(
        &at("2026-12-01T00:00:00Z", "15.6"),
        &at("2026-12-02T00:00:00Z", "16.2"),
        &policy("extends = \"drift\"\n"),
        FailOn::Warning,
    );
    let details: Vec<&str> = r.findings.iter().filter_map(|f| f.detail.as_deref()).collect();
    assert!(!details.is_empty(), "{:#?}", r.findings);
    for detail in details {
        assert!(
            detail.ends_with("account 222222222222")
                && !detail.contains("staging")
                && !detail.contains("prod "),
            "{detail}"
        );
    }
}
