//! The Compose corpus (`tests/compose/CASE/`): each case's files, and what a reference made of them
//! (`reference.yml`: docker-compose 1.29.2's `config`, written by `scripts/compose-reference`, or by hand from the
//! Compose specification for what 1.29.2 does not read). envparity must read a case's files exactly as it reads
//! the reference, which is the same project with every merge, `extends`, `include` and interpolation done; a case
//! that the reference refuses (`reference.error`) must be a gap.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use envparity_testkit::envparity;
use serde_json::Value;

/// The resources of one environment of a case, by (kind, key): the attributes of each.
fn collect(case: &Path, environment: &str, out: &Path) -> BTreeMap<(String, String), Value> {
    let output = out.join(format!("{environment}.json"));
    envparity(case)
        .args(["collect", environment, "--quiet", "--output"])
        .arg(&output)
        .assert()
        .code(0);
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = |field: &str| r[field].as_str().unwrap().to_owned();
            ((name("kind"), name("key")), r["attributes"].clone())
        })
        .collect()
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compose");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

/// What differs between the two readings, a line per resource and field.
fn differences(
    source: &BTreeMap<(String, String), Value>,
    reference: &BTreeMap<(String, String), Value>,
) -> Vec<String> {
    let mut out = Vec::new();
    for key in source
        .keys()
        .chain(reference.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (source.get(key), reference.get(key)) {
            (Some(s), Some(r)) if s == r => {}
            (Some(s), Some(r)) => {
                let (s, r) = (s.as_object().unwrap(), r.as_object().unwrap());
                for field in s
                    .keys()
                    .chain(r.keys())
                    .collect::<std::collections::BTreeSet<_>>()
                {
                    if s.get(field) != r.get(field) {
                        out.push(format!(
                            "{key:?} {field}: source {} reference {}",
                            s.get(field).unwrap_or(&Value::Null),
                            r.get(field).unwrap_or(&Value::Null)
                        ));
                    }
                }
            }
            (s, _) => out.push(format!(
                "{key:?} only in the {}",
                if s.is_some() { "source" } else { "reference" }
            )),
        }
    }
    out
}

#[test]
fn compose_corpus_reads_every_case_as_the_reference_does() {
    let out = tempfile::tempdir().unwrap();
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let error = case.join("reference.error");
        if error.exists() {
            continue;
        }
        assert!(
            case.join("reference.yml").exists(),
            "{name}: no reference.yml (scripts/compose-reference writes it)"
        );
        let folder = out.path().join(&name);
        std::fs::create_dir(&folder).unwrap();
        let source = collect(&case, "source", &folder);
        let reference = collect(&case, "reference", &folder);
        assert!(!source.is_empty(), "{name}: the case gave no resources");
        disagreements.extend(
            differences(&source, &reference)
                .into_iter()
                .map(|line| format!("{name}: {line}")),
        );
        compared += 1;
    }
    assert!(
        disagreements.is_empty(),
        "envparity reads these cases otherwise than the reference:\n{}",
        disagreements.join("\n")
    );
    assert!(compared >= 15, "only {compared} cases compared");
}

#[test]
fn compose_corpus_cases_the_reference_refuses_are_gaps_naming_the_cause() {
    let out = tempfile::tempdir().unwrap();
    let mut refused = 0;
    for case in cases() {
        let Ok(reason) = std::fs::read_to_string(case.join("reference.error")) else {
            continue;
        };
        // docker-compose's message ends with the case's own: the gap names it too.
        let cause = reason.trim().rsplit(": ").next().unwrap().to_owned();
        envparity(&case)
            .args(["collect", "source", "--output"])
            .arg(out.path().join("source.json"))
            .assert()
            .code(3)
            .stderr(predicates::str::contains(cause));
        refused += 1;
    }
    assert!(refused >= 1, "no refused case");
}
