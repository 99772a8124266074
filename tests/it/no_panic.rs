//! No input makes the parsers panic: random, truncated and mutated snapshots and policies.

use envparity_judge::policy::Policy;
use envparity_model::catalog::CATALOGUE;
use envparity_model::snapshot;
use proptest::prelude::*;

const STAGING: &str = include_str!("../../snapshots/staging.json");
const POLICY: &str = include_str!("../../policies/default.toml");
const DEMO_POLICY: &str = include_str!("../../snapshots/policy.toml");

/// A byte string with one change: a cut, a deletion, or a replaced byte.
fn mutate(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    (0..len, 0..len, any::<u8>(), 0..3u8).prop_map(move |(a, b, byte, op)| {
        let mut bytes = base.as_bytes().to_vec();
        let (lo, hi) = (a.min(b), a.max(b));
        match op {
            0 => bytes.truncate(lo),
            1 => {
                bytes.drain(lo..hi);
            }
            _ => bytes[lo] = byte,
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn snapshot_parser_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = snapshot::parse(&bytes, "random.json".as_ref());
    }

    #[test]
    fn snapshot_parser_never_panics_on_mutated_snapshots(bytes in mutate(STAGING)) {
        match snapshot::parse(&bytes, "mutated.json".as_ref()) {
            Err(e) => prop_assert!(e.to_string().starts_with("mutated.json"), "{e}"),
            Ok(s) => every_later_parse_succeeds(s),
        }
    }

    #[test]
    fn deep_nesting_and_huge_numbers_anywhere_are_refused_or_read_whole(
        at in 0..STAGING.len(),
        depth in 90..140usize,
        number in prop_oneof![Just("1e400"), Just("-1e999"), Just("1e308"), Just("12345678901234567890123")],
    ) {
        // Inserted at any byte: most results are not JSON at all, the rest must be refused or read in full.
        let mut text = STAGING.to_owned();
        let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        text.insert_str(at, &format!("{}{number}{}", "[".repeat(depth), "]".repeat(depth)));
        match snapshot::parse(text.as_bytes(), "hostile.json".as_ref()) {
            Err(e) => prop_assert!(e.to_string().starts_with("hostile.json"), "{e}"),
            Ok(s) => every_later_parse_succeeds(s),
        }
    }

    #[test]
    fn policy_parser_never_panics_on_random_text(text in "\\PC{0,300}") {
        if let Err(e) = Policy::parse(&text, "random.toml", &CATALOGUE) {
            let _ = e.render(false);
            let _ = e.to_string();
        }
    }

    #[test]
    fn policy_parser_never_panics_on_mutated_policies(bytes in mutate(POLICY)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Policy::parse(&text, "mutated.toml", &CATALOGUE) {
            prop_assert!(!e.diagnostics.is_empty());
            let _ = e.render(true);
            prop_assert!(e.to_string().starts_with("mutated.toml"));
        }
    }

    #[test]
    fn policy_parser_never_panics_on_mutated_waivers(bytes in mutate(DEMO_POLICY)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Policy::parse(&text, "mutated.toml", &CATALOGUE) {
            let _ = e.render(false);
        }
    }
}

/// What later commands do with a snapshot that was read: parse each resource's attributes, write it out.
fn every_later_parse_succeeds(mut s: snapshot::Snapshot) {
    for r in &s.resources {
        let _ = snapshot::flatten(&r.attributes.parse());
    }
    let text = snapshot::to_json(&mut s);
    snapshot::parse(text.as_bytes(), "written.json".as_ref()).expect("what was written reads back");
}

const CONFIG: &str = include_str!("../../examples/envparity.toml");

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn config_parser_never_panics_on_mutated_configs(bytes in mutate(CONFIG)) {
        use envparity_collect::config::Config;
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Config::parse(&text, "mutated.toml", Default::default()) {
            prop_assert!(!e.diagnostics.is_empty());
            let _ = e.render(false);
        }
    }
}

/// A snapshot with one attribute replaced by `value` (JSON text).
fn hostile_snapshot(dir: &std::path::Path, name: &str, value: &str) -> std::path::PathBuf {
    let text = STAGING.replacen("\"engine\": \"postgres\"", &format!("\"engine\": {value}"), 1);
    assert_ne!(text, STAGING);
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_snapshot_nested_130_levels_or_holding_1e400_exits_2_in_diff_show_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let deep = hostile_snapshot(
        dir.path(),
        "deep.json",
        &format!("{}1{}", "[".repeat(130), "]".repeat(130)),
    );
    let huge = hostile_snapshot(dir.path(), "huge.json", "1e400");
    for (path, message) in [
        (&deep, "nested deeper than 100 levels"),
        (&huge, "the number 1e400 is out of range"),
    ] {
        let out_path = dir.path().join("merged.json");
        let runs: [Vec<&std::ffi::OsStr>; 3] = [
            vec!["diff".as_ref(), path.as_os_str(), "snapshots/prod.json".as_ref()],
            vec!["show".as_ref(), path.as_os_str()],
            vec![
                "merge".as_ref(),
                "--output".as_ref(),
                out_path.as_os_str(),
                path.as_os_str(),
            ],
        ];
        for args in runs {
            let out = assert_cmd::Command::cargo_bin("envparity")
                .unwrap()
                .args(&args)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.starts_with("error: ") && stderr.contains(".attributes: ") && stderr.contains(message),
                "{args:?}: {stderr}"
            );
        }
    }
}

/// What a local collection reads, by the name the test's config gives it: a Compose file and its env file,
/// rendered Kubernetes manifests, a Terraform state and plan, and config files.
const LOCAL_INPUTS: &[(&str, &str)] = &[
    (
        "docker-compose.yml",
        include_str!("../../examples/dev/docker-compose.yml"),
    ),
    ("app.env", include_str!("../../examples/dev/app.env")),
    (
        "helm.yaml",
        include_str!("../fixtures/manifests/staging/helm-template.yaml"),
    ),
    (
        "kustomize.yaml",
        include_str!("../fixtures/manifests/staging/kustomize-build.yaml"),
    ),
    (
        "terraform.tfstate",
        include_str!("../../examples/terraform/infra/terraform.tfstate.d/prod/terraform.tfstate"),
    ),
    (
        "plan.json",
        include_str!("../../examples/terraform/plans/staging.json"),
    ),
    (
        "shop.toml",
        "[db]\nhost = \"orders-prod-db\"\npool = 20\n[features]\nflags = [\"a\", \"b\"]\n",
    ),
    (
        "shop.json",
        "{\"db\": {\"host\": \"orders-prod-db\", \"pool\": 20}, \"flags\": [\"a\", {\"b\": null}]}\n",
    ),
];

const LOCAL_CONFIG: &str = r#"
[environments.prod]
compose = ["docker-compose.yml"]
kubernetes = ["helm.yaml", "kustomize.yaml"]
terraform = ["terraform.tfstate"]
terraform_plan = ["plan.json"]
config_files = ["shop.toml", "shop.json"]
"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Every local source (Compose, Kubernetes, Terraform state and plan, config files) reads a mutated file
    /// into a snapshot, with a gap where it cannot, never a panic; and what it collected writes and reads back.
    #[test]
    fn local_collectors_never_panic_on_mutated_inputs(
        (input, bytes) in (0..LOCAL_INPUTS.len()).prop_flat_map(|i| (Just(i), mutate(LOCAL_INPUTS[i].1)))
    ) {
        every_later_parse_succeeds(collect_local(Some((input, &bytes))));
    }
}

/// A local collection of [`LOCAL_INPUTS`], one of them replaced by other bytes.
fn collect_local(replaced: Option<(usize, &[u8])>) -> snapshot::Snapshot {
    let dir = tempfile::tempdir().unwrap();
    for (i, (name, text)) in LOCAL_INPUTS.iter().enumerate() {
        let bytes = match replaced {
            Some((input, bytes)) if input == i => bytes,
            _ => text.as_bytes(),
        };
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let config = envparity_collect::config::Config::parse(LOCAL_CONFIG, "envparity.toml", dir.path().into())
        .expect("the test's config parses");
    let options = envparity_collect::Options {
        fingerprint_key: None,
        progress: None,
        shard: None,
        pacing: Default::default(),
    };
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(envparity_collect::collect_environment(
            &config,
            &config.environments["prod"],
            &options,
        ))
        .expect("a local collection reaches its files")
}

#[test]
fn the_inputs_the_local_collectors_are_mutated_from_are_read_by_each_whole() {
    let s = collect_local(None);
    assert!(s.gaps.is_empty(), "{:#?}", s.gaps);
    let sources: Vec<(&str, &str, u64)> = s
        .sources
        .iter()
        .map(|s| (s.provider.as_str(), s.service.as_str(), s.resources))
        .collect();
    for (provider, service) in [
        ("compose", "compose"),
        ("file", "config"),
        ("kubernetes", "manifests"),
        ("terraform", "plan"),
        ("terraform", "state"),
    ] {
        assert!(
            sources
                .iter()
                .any(|&(p, s, n)| (p, s) == (provider, service) && n > 0),
            "{provider} {service} read nothing: {sources:?}"
        );
    }
}

/// The documents of a YAML or JSON input, as values.
fn documents(text: &str) -> Vec<serde_json::Value> {
    use serde::Deserialize as _;
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|document| serde_json::Value::deserialize(document).expect("the unmutated input parses"))
        .filter(|document| !document.is_null())
        .collect()
}

/// Replaces the `pick`-th value (in pre-order, counting from 0, modulo how many there are) by `with`.
fn replace_value(documents: &mut [serde_json::Value], pick: usize, with: serde_json::Value) {
    fn count(v: &serde_json::Value) -> usize {
        1 + match v {
            serde_json::Value::Array(items) => items.iter().map(count).sum(),
            serde_json::Value::Object(map) => map.values().map(count).sum(),
            _ => 0,
        }
    }
    fn walk(v: &mut serde_json::Value, pick: &mut usize, with: &mut Option<serde_json::Value>) {
        if *pick == 0 {
            *v = with.take().expect("replaced once");
            return;
        }
        *pick -= 1;
        let children: Vec<&mut serde_json::Value> = match v {
            serde_json::Value::Array(items) => items.iter_mut().collect(),
            serde_json::Value::Object(map) => map.values_mut().collect(),
            _ => Vec::new(),
        };
        for child in children {
            if with.is_none() {
                return;
            }
            let size = count(child);
            if *pick < size {
                return walk(child, pick, with);
            }
            *pick -= size;
        }
    }
    let total: usize = documents.iter().map(count).sum();
    let mut pick = pick % total;
    let mut with = Some(with);
    for document in documents {
        if with.is_some() {
            let size = count(document);
            if pick < size {
                walk(document, &mut pick, &mut with);
            } else {
                pick -= size;
            }
        }
    }
}

/// A value of any JSON type, the odd ones among them: what a file written by hand or by another tool may hold
/// where a collector expects something else.
fn odd_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(18446744073709551615u64)),
        Just(json!(-9223372036854775808i64)),
        Just(json!(1e300)),
        Just(json!("")),
        Just(json!("x")),
        Just(json!("-1")),
        Just(json!("${UNSET:?required}")),
        Just(json!("a.b[\"c\"]")),
        Just(json!([])),
        Just(json!([null, 1, "x", {}])),
        Just(json!({})),
        Just(json!({"": null, "a": [[]]})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Every local source reads a file in which any one value was replaced by a value of another type (a list
    /// where a name was, a number where a list was) into a snapshot, with a gap where it cannot, never a panic.
    #[test]
    fn local_collectors_never_panic_on_a_value_of_another_type_anywhere(
        // Dotenv and TOML files hold no JSON types: their mutations are bytes (above).
        input in (0..LOCAL_INPUTS.len())
            .prop_filter("YAML or JSON", |&i| !LOCAL_INPUTS[i].0.ends_with(".env") && !LOCAL_INPUTS[i].0.ends_with(".toml")),
        pick in any::<usize>(),
        with in odd_value(),
    ) {
        let mut values = documents(LOCAL_INPUTS[input].1);
        replace_value(&mut values, pick, with);
        let written: Vec<String> = values.iter().map(|v| serde_json::to_string_pretty(v).unwrap()).collect();
        every_later_parse_succeeds(collect_local(Some((input, written.join("\n---\n").as_bytes()))));
    }
}
