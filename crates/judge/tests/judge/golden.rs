//! Golden outputs: every report format of the demo (with the command line's `cli.rs`) and of a pair with a gap,
//! and the built-in rule ids, so that any change of wording or shape shows in review. And the property that the order of
//! resources and of attribute keys in the input never changes a byte of the output.

use envparity_judge::Settings;
use envparity_judge::engine::Options;
use envparity_judge::policy::{BuiltinRule, Policy};
use envparity_judge::report::{self, Format, RenderOptions};
use envparity_model::catalog::CATALOGUE;
use envparity_model::snapshot::{self, Snapshot};
use envparity_testkit::{repository, today};
use proptest::prelude::*;

const FORMATS: [(&str, Format); 6] = [
    ("table", Format::Table),
    ("json", Format::Json),
    ("markdown", Format::Markdown),
    ("sarif", Format::Sarif),
    ("junit", Format::Junit),
    ("html", Format::Html),
];

fn read(path: &str) -> Snapshot {
    let bytes = std::fs::read(repository().join(path)).expect("the fixture reads");
    snapshot::parse(&bytes, path.as_ref()).expect("the fixture is a snapshot")
}

fn demo_policy() -> Policy {
    let text = std::fs::read_to_string(repository().join("snapshots/policy.toml")).unwrap();
    Policy::parse(&text, "snapshots/policy.toml", &CATALOGUE).unwrap()
}

/// The report of a pair, rendered in a format, as `envparity diff` renders it to a file.
fn render(staging: &Snapshot, prod: &Snapshot, policy: &Policy, format: Format) -> String {
    let settings = Settings {
        policy,
        fail_on: policy.fail_on,
        options: Options::for_snapshots(staging, prod, today()),
        formats: &[format],
        baseline: None,
    };
    let judged = envparity_judge::judge(staging, prod, &settings);
    report::render(&judged.report, format, RenderOptions::default())
}

#[test]
fn every_format_of_the_demo() {
    let (staging, prod) = (read("snapshots/staging.json"), read("snapshots/prod.json"));
    let policy = demo_policy();
    // The table, JSON and markdown of the demo are pinned through the command line in `cli.rs`.
    for (name, format) in &FORMATS[3..] {
        let (name, format) = (*name, *format);
        insta::assert_snapshot!(format!("demo_{name}"), render(&staging, &prod, &policy, format));
    }
}

#[test]
fn every_format_of_a_pair_with_a_gap() {
    // Staging's RDS could not be read: its kinds are incomplete, never missing.
    let (staging, prod) = (
        read("tests/fixtures/staging-rds-denied.json"),
        read("snapshots/prod.json"),
    );
    let policy = Policy::builtin("default", &CATALOGUE).unwrap();
    for (name, format) in FORMATS {
        insta::assert_snapshot!(format!("gap_{name}"), render(&staging, &prod, &policy, format));
    }
}

#[test]
fn the_built_in_rule_ids() {
    let rows: Vec<String> = BuiltinRule::ALL
        .iter()
        .map(|r| {
            let waivable = if r.waivable() { "waivable" } else { "not waivable" };
            format!("{} ({waivable}): {}", r.id(), r.message())
        })
        .collect();
    insta::assert_snapshot!(rows.join("\n"));
}

/// The snapshot with its resources in another order and each resource's attribute keys written in another
/// order (reversed when `reverse_keys`).
fn reordered(snapshot: &Snapshot, order: &[usize], reverse_keys: bool) -> Snapshot {
    let mut doc: serde_json::Value = serde_json::from_str(&snapshot::to_json(&mut snapshot.clone())).unwrap();
    let resources = doc["resources"].as_array().unwrap().clone();
    doc["resources"] = order.iter().map(|&i| resources[i].clone()).collect();
    let mut text = doc.to_string();
    if reverse_keys {
        // serde_json writes keys sorted; write each attributes object by hand in reverse order.
        for r in &resources {
            let attributes = r["attributes"].as_object().unwrap();
            let sorted = serde_json::to_string(attributes).unwrap();
            let reversed: Vec<String> = attributes
                .iter()
                .rev()
                .map(|(k, v)| format!("{}:{v}", serde_json::Value::from(k.as_str())))
                .collect();
            text = text.replacen(&sorted, &format!("{{{}}}", reversed.join(",")), 1);
        }
    }
    snapshot::parse(text.as_bytes(), "reordered.json".as_ref()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn shuffled_resources_and_keys_give_byte_identical_reports(
        staging_order in Just((0..read("snapshots/staging.json").resources.len()).collect::<Vec<_>>()).prop_shuffle(),
        prod_order in Just((0..read("snapshots/prod.json").resources.len()).collect::<Vec<_>>()).prop_shuffle(),
        reverse_keys in any::<bool>(),
    ) {
        let (staging, prod) = (read("snapshots/staging.json"), read("snapshots/prod.json"));
        let policy = demo_policy();
        let (s, p) = (reordered(&staging, &staging_order, reverse_keys), reordered(&prod, &prod_order, false));
        for format in [Format::Json, Format::Markdown, Format::Sarif] {
            prop_assert_eq!(render(&s, &p, &policy, format), render(&staging, &prod, &policy, format));
        }
    }
}

/// The findings of the engine's specification cases, one line each, so that a change of wording or of what is
/// found shows in review: rule, severity, kind, key, field, detail and message.
#[test]
fn the_engine_findings_of_the_specification_cases() {
    use envparity_testkit::{default_policy, parse, rds, run, secret, ssm_source};
    use serde_json::json;

    let asg = |name: &str| json!({"kind": "aws.autoscaling.group", "name": name, "attributes": {}});
    let url = |env: &str, target: &str| {
        json!({"kind": "aws.ssm.parameter", "name": format!("/shop/{env}/DATABASE_URL"),
               "attributes": {"type": "String", "value": format!("postgres://app@orders-{target}-db.abc.eu-west-1.rds.amazonaws.com/app")}})
    };
    let db = |env: &str| {
        json!({"kind": "aws.rds.instance", "name": format!("orders-{env}-db"),
               "identifiers": [format!("orders-{env}-db.abc.eu-west-1.rds.amazonaws.com")],
               "attributes": {"engine": "postgres", "engine_version": if env == "prod" { "15.6" } else { "14.11" }}})
    };
    let cases: Vec<(&str, Snapshot, Snapshot)> = vec![
        (
            "versions, presence and a reference to prod",
            parse(
                "staging",
                json!([
                    db("staging"),
                    url("staging", "prod"),
                    rds("debug-staging-db", json!({}))
                ]),
                json!({}),
            ),
            parse(
                "prod",
                json!([
                    db("prod"),
                    url("prod", "prod"),
                    rds("reporting-prod-db", json!({}))
                ]),
                json!({}),
            ),
        ),
        (
            "an empty region",
            parse(
                "staging",
                json!([]),
                json!({"sources": ssm_source("111111111111", 0, json!(["/shpo/staging/"]))}),
            ),
            parse(
                "prod",
                json!([]),
                json!({"sources": ssm_source("222222222222", 0, json!([]))}),
            ),
        ),
        (
            "fingerprints of different keys, a foreign resource",
            parse(
                "staging",
                json!([
                    secret("/shop/staging/DB_PASSWORD", "hmac-sha256:aa"),
                    asg("web-prod-asg"),
                    asg("web-staging-asg")
                ]),
                json!({"fingerprint_key_id": "hmac-sha256:1111111111111111"}),
            ),
            parse(
                "prod",
                json!([
                    secret("/shop/prod/DB_PASSWORD", "hmac-sha256:bb"),
                    asg("web-prod-asg")
                ]),
                json!({"fingerprint_key_id": "hmac-sha256:2222222222222222"}),
            ),
        ),
        (
            "one environment over time",
            parse(
                "prod",
                json!([db("prod"), rds("old-prod-db", json!({}))]),
                json!({}),
            ),
            parse(
                "prod",
                json!([db("prod"), rds("new-prod-db", json!({}))]),
                json!({"collected_at": "2026-11-28T12:00:00Z"}),
            ),
        ),
    ];
    let mut out = String::new();
    for (name, staging, prod) in &cases {
        let evaluation = run(staging, prod, &default_policy());
        out.push_str(&format!("## {name}\n"));
        for f in evaluation.findings {
            out.push_str(&format!(
                "{} | {} | {} | {} | {} | {} | {}\n",
                f.rule,
                f.severity.as_str(),
                f.kind,
                f.key,
                f.field.as_deref().unwrap_or("-"),
                f.detail.as_deref().unwrap_or("-"),
                f.message
            ));
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn the_html_side_by_side_marks_the_differing_line_and_word_and_the_page_shows_each_rule_s_why() {
    let (staging, prod) = (read("snapshots/staging.json"), read("snapshots/prod.json"));
    let html = render(&staging, &prod, &demo_policy(), Format::Html);
    // Of the listeners' thirty lines, the TLS policy's is marked, and in it the value, on each side.
    for policy in [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    ] {
        assert!(
            html.contains(&format!(
                "<span class=\"line changed\">    &quot;ssl_policy&quot;: <mark>&quot;{policy}&quot;</mark></span>"
            )),
            "{policy}"
        );
    }
    assert!(
        html.contains("<span class=\"line\">    &quot;port&quot;: 443,</span>"),
        "an equal line is not marked"
    );
    // Each rule's why is in the page, once, and the rule's cell links to it; badges do not wrap.
    assert!(html.contains("<h2>Rules</h2>"));
    assert_eq!(
        html.matches("<td class=\"why\">").count(),
        html.matches("<tr id=\"why-").count()
    );
    assert!(html.contains("<a href=\"#why-0\"><code"));
    assert!(
        html.contains(
            ".sev { font-weight: 600; border-radius: 4px; padding: 0 .4rem; white-space: nowrap; }"
        )
    );
}
