//! Golden outputs: every report format of the demo (with `cli.rs`) and of a pair with a gap, the catalogue, and the built-in
//! rule ids, so that any change of wording or shape shows in review. And the property that the order of
//! resources and of attribute keys in the input never changes a byte of the output.

use assert_cmd::Command;
use envparity::collect::CATALOGUE;
use envparity::engine::{self, Options};
use envparity::policy::{BuiltinRule, Policy};
use envparity::report::{self, Format, RenderOptions, Report};
use envparity::snapshot::{self, Snapshot};
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
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    snapshot::read(&path).expect("the fixture reads")
}

fn demo_policy() -> Policy {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/policy.toml")).unwrap();
    Policy::parse(&text, "snapshots/policy.toml", &CATALOGUE).unwrap()
}

/// The report of a pair, rendered in a format, as `envparity diff` renders it to a file.
fn render(staging: &Snapshot, prod: &Snapshot, policy: &Policy, format: Format) -> String {
    let options = Options {
        list_resources: format == Format::Junit,
        ..Options::for_snapshots(staging, prod, jiff::civil::date(2026, 12, 1))
    };
    let evaluation = engine::evaluate(staging, prod, policy, &options);
    let report = Report::new(staging, prod, &policy.name, policy.fail_on, evaluation);
    report::render(&report, format, RenderOptions::default())
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
fn the_catalogue() {
    let out = Command::cargo_bin("envparity")
        .unwrap()
        .args(["kinds", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
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
