//! The CI and cron examples: valid YAML, and every envparity command in them parses with today's command line.

use clap::Parser;
use envparity::cli::Cli;

/// The envparity invocations in a shell snippet, without redirections, pipes and fallbacks.
fn invocations(script: &str) -> Vec<Vec<String>> {
    script
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
                if matches!(key, "run" | "script" | "after_script" | "before_script") {
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
