//! The CI and cron examples: valid YAML, and every envparity command in them parses with today's command line.

use clap::Parser;
use envparity::cli::Cli;
use serde::Deserialize;

/// A snippet's variables as a run would fill them: the matrix's shard, the Indexed Job's index, a bucket.
fn expand(script: &str) -> String {
    let mut out = script.replace("${{ matrix.shard }}", "0/4");
    // Any other GitHub expression is a plain word.
    while let Some(start) = out.find("${{") {
        let end = out[start..].find("}}").map_or(out.len(), |e| start + e + 2);
        out.replace_range(start..end, "x");
    }
    for (var, value) in [
        ("$JOB_COMPLETION_INDEX", "0"),
        ("$BUCKET", "s3://acme-envparity"),
        ("$RUN", "2026-12-01"),
        ("$SHARDS", "4"),
    ] {
        out = out.replace(var, value);
    }
    out
}

/// The envparity invocations in a shell snippet, without redirections, pipes and fallbacks.
fn invocations(script: &str) -> Vec<Vec<String>> {
    expand(script)
        .lines()
        .flat_map(|line| line.split("&&"))
        .filter_map(|part| {
            let part = part.trim();
            let command = part.strip_prefix("- ").unwrap_or(part);
            if !command.starts_with("envparity ") {
                return None;
            }
            let end = command.find(['>', '|', ';']).unwrap_or(command.len());
            Some(
                command[..end]
                    .split_whitespace()
                    .map(|w| w.trim_matches('"').to_owned())
                    .collect(),
            )
        })
        .filter(|words: &Vec<String>| words.len() > 1)
        .inspect(|words| {
            assert!(
                !words.iter().any(|w| w.contains('$')),
                "a variable left in {words:?}"
            )
        })
        .collect()
}

fn check(path: &str, scripts: Vec<String>) -> usize {
    let mut count = 0;
    for script in scripts {
        for args in invocations(&script) {
            Cli::try_parse_from(&args)
                .unwrap_or_else(|e| panic!("{path}: `{}` does not parse:\n{e}", args.join(" ")));
            count += 1;
        }
    }
    count
}

/// Every string value under a `run` or `script`-like key, recursively.
fn shell_snippets(value: &serde_yaml_ng::Value, out: &mut Vec<String>) {
    match value {
        serde_yaml_ng::Value::Mapping(map) => {
            for (k, v) in map {
                let key = k.as_str().unwrap_or("");
                if matches!(
                    key,
                    "run" | "script" | "after_script" | "before_script" | "command" | "args"
                ) {
                    match v {
                        serde_yaml_ng::Value::String(s) => out.push(s.clone()),
                        serde_yaml_ng::Value::Sequence(items) => {
                            out.extend(items.iter().filter_map(|i| i.as_str().map(str::to_owned)))
                        }
                        _ => {}
                    }
                }
                shell_snippets(v, out);
            }
        }
        serde_yaml_ng::Value::Sequence(items) => items.iter().for_each(|i| shell_snippets(i, out)),
        _ => {}
    }
}

#[test]
fn ci_examples_are_valid_yaml_with_commands_that_exist() {
    for path in [
        "examples/github/nightly-audit.yml",
        "examples/github/release-gate.yml",
        "examples/github/fleet-audit.yml",
        "examples/gitlab/.gitlab-ci.yml",
    ] {
        let text = std::fs::read_to_string(path).unwrap();
        let yaml: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut snippets = Vec::new();
        shell_snippets(&yaml, &mut snippets);
        assert!(check(path, snippets) >= 1, "{path} runs envparity");
    }
}

/// kubernetes-validate from the test virtual environment (beside moto_server), installed by scripts/test.
fn kubernetes_validate() -> std::path::PathBuf {
    let bin = std::env::var_os("ENVPARITY_MOTO_SERVER")
        .map(std::path::PathBuf::from)
        .and_then(|p| p.parent().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| std::path::PathBuf::from(".venv/bin"));
    let path = bin.join("kubernetes-validate");
    assert!(
        path.exists(),
        "kubernetes-validate not found at {}: run ./scripts/test, which installs it into .venv",
        path.display()
    );
    path
}

#[test]
fn the_kubernetes_recipe_is_valid_against_the_kubernetes_schemas_and_its_commands_and_config_parse() {
    let path = "examples/kubernetes/fleet-audit.yaml";
    let out = std::process::Command::new(kubernetes_validate())
        .args(["--strict", "--quiet", path])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut snippets = Vec::new();
    let mut config = None;
    for document in serde_yaml_ng::Deserializer::from_str(&text) {
        let yaml = serde_yaml_ng::Value::deserialize(document).unwrap();
        shell_snippets(&yaml, &mut snippets);
        if let Some(toml) = yaml["data"]["envparity.toml"].as_str() {
            config = Some(toml.to_owned());
        }
    }
    // Both environments' shards in the Indexed Job, two merges and the diff in the judge.
    assert_eq!(check(path, snippets), 5);
    let config = config.expect("the ConfigMap holds envparity.toml");
    let config = envparity_collect::config::Config::parse(&config, "envparity.toml", ".".into())
        .unwrap_or_else(|e| panic!("{}", e.render(false)));
    assert!(config.environments["prod"].organization.is_some());
}

#[test]
fn the_cron_example_parses() {
    let text = std::fs::read_to_string("examples/crontab").unwrap();
    let line = text
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .unwrap();
    assert_eq!(line.split_whitespace().take(5).count(), 5, "five schedule fields");
    let command: String = line.split_whitespace().skip(5).collect::<Vec<_>>().join(" ");
    assert_eq!(check("examples/crontab", vec![command]), 1);
}

#[test]
fn a_wrong_command_would_be_caught() {
    assert_eq!(invocations("envparity audit --formt json > x").len(), 1);
    assert!(Cli::try_parse_from(["envparity", "audit", "--formt", "json"]).is_err());
}
