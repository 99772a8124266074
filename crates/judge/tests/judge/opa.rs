//! Rego as OPA evaluates it, measured with OPA's own test format: YAML files of `cases`, each with `modules`,
//! `data`, `input`, a `query` and the `want_result` (or `want_error`) OPA gives. Every case runs through
//! envparity's Rego layer (`policy::rego::engine`: the builtins envparity enables, its `sprintf`, the negated
//! calls bound as OPA binds them), not through a bare regorus.
//!
//! `tests/fixtures/rego/conformance/` holds envparity's own cases, in OPA's format, for each deviation from OPA
//! that envparity fixed: all must pass. OPA's suite itself (`test/cases/testdata/v1` of OPA's repository) is not
//! copied here; with a checkout of it, `ENVPARITY_OPA_CASES=PATH/test/cases/testdata/v1 cargo test -p
//! envparity-judge --test judge opa:: -- --nocapture` runs it too and prints the pass rate by folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use envparity_judge::policy::rego::{Limits, Sources, engine};
use regorus::Value;

/// One case's outcome.
#[derive(Debug, PartialEq)]
enum Outcome {
    Passed,
    Failed(String),
}

/// Runs one case as OPA's test runner does: the query's results, each as its bindings (or its last expression's
/// value when it binds nothing), against `want_result`; an error against `want_error`.
fn run_case(case: &Value) -> Outcome {
    let text = |key: &str| case[key].as_string().ok().map(|s| s.to_string());
    let Some(query) = text("query") else {
        return Outcome::Failed("no query".into());
    };
    let modules: Vec<(String, String)> = match case["modules"].as_array() {
        Ok(modules) => modules
            .iter()
            .enumerate()
            .filter_map(|(i, m)| Some((format!("case{i}.rego"), m.as_string().ok()?.to_string())))
            .collect(),
        Err(_) => Vec::new(),
    };
    let wants_error = case["want_error"] != Value::Undefined || case["want_error_code"] != Value::Undefined;
    let sources = Sources {
        modules,
        data: Vec::new(),
        v0: false,
    };
    let evaluated = (|| -> Result<Value, String> {
        let (mut engine, _) = engine(&sources, Limits::default()).map_err(|e| e.join("; "))?;
        if case["data"] != Value::Undefined {
            engine.add_data(case["data"].clone()).map_err(|e| e.to_string())?;
        }
        if case["input"] != Value::Undefined {
            engine.set_input(case["input"].clone());
        }
        if case["strict_error"] == Value::from(true) {
            engine.set_strict_builtin_errors(true);
        }
        let results = engine.eval_query(query, false).map_err(|e| e.to_string())?;
        let sort = case["sort_bindings"] == Value::from(true);
        let mut values = Vec::new();
        for result in results.result {
            let bindings = result.bindings.clone();
            let bound = bindings.as_object().map(|b| !b.is_empty()).unwrap_or(false);
            values.push(match bound {
                true if sort => sorted(&bindings),
                true => bindings,
                false => result
                    .expressions
                    .last()
                    .map(|e| e.value.clone())
                    .unwrap_or(Value::Undefined),
            });
        }
        Ok(Value::from(values))
    })();
    match (evaluated, wants_error) {
        (Err(_), true) => Outcome::Passed,
        (Err(e), false) => Outcome::Failed(format!("error: {e}")),
        (Ok(got), true) => Outcome::Failed(format!("wanted an error, got {got}")),
        (Ok(got), false) => {
            let want = &case["want_result"];
            // Both through JSON, as OPA's runner compares them (numbers of one value compare equal).
            let json = |v: &Value| v.to_json_str().ok();
            match (want == &Value::Undefined && got == Value::from(Vec::<Value>::new()))
                || json(&got) == json(want)
            {
                true => Outcome::Passed,
                false => Outcome::Failed(format!("want {want}, got {got}")),
            }
        }
    }
}

/// Bindings with each array's items in order (`sort_bindings`: OPA's set results in no set order).
fn sorted(bindings: &Value) -> Value {
    let Ok(map) = bindings.as_object() else {
        return bindings.clone();
    };
    let mut out = Value::new_object();
    for (name, value) in map.iter() {
        let value = match value.as_array() {
            Ok(items) => {
                let mut items = items.to_vec();
                items.sort();
                Value::from(items)
            }
            Err(_) => value.clone(),
        };
        out.as_object_mut()
            .expect("a new object")
            .insert(name.clone(), value);
    }
    out
}

/// Every YAML file under `root`, in order.
fn yaml_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Runs every case under `root`: per folder, (passed, failed notes).
fn run_suite(root: &Path) -> BTreeMap<String, (usize, Vec<String>)> {
    let mut folders: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    for file in yaml_files(root) {
        let folder = file
            .parent()
            .and_then(|p| p.strip_prefix(root).ok())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&file).unwrap();
        let cases = Value::from_yaml_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let entry = folders.entry(folder).or_default();
        for case in cases["cases"].as_array().map(|c| c.to_vec()).unwrap_or_default() {
            if case["skip"] == Value::from(true) {
                continue;
            }
            match run_case(&case) {
                Outcome::Passed => entry.0 += 1,
                Outcome::Failed(why) => entry
                    .1
                    .push(format!("{}: {}: {why}", file.display(), case["note"])),
            }
        }
    }
    folders
}

#[test]
fn envparity_s_own_cases_in_opa_s_format_all_pass() {
    let root = envparity_testkit::repository().join("tests/fixtures/rego/conformance");
    let folders = run_suite(&root);
    let failed: Vec<&String> = folders.values().flat_map(|(_, f)| f).collect();
    let passed: usize = folders.values().map(|(p, _)| p).sum();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(passed >= 10, "only {passed} cases ran");
}

/// OPA's own suite, when a checkout of it is given (`ENVPARITY_OPA_CASES`): the pass rate by folder and in all.
#[test]
fn opa_s_suite_when_given_prints_its_pass_rate() {
    let Some(root) = std::env::var_os("ENVPARITY_OPA_CASES") else {
        return;
    };
    let folders = run_suite(Path::new(&root));
    let (mut passed, mut total) = (0, 0);
    for (folder, (p, failed)) in &folders {
        println!("{folder}: {p} of {}", p + failed.len());
        for why in failed {
            println!("    {why}");
        }
        passed += p;
        total += p + failed.len();
    }
    println!("OPA conformance: {passed} of {total} cases pass");
    assert!(total > 0, "no case under {}", root.to_string_lossy());
}
