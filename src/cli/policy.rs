//! `envparity policy check FILE`: validate a policy and say what it holds; `envparity policy test DIR`: run it on
//! fixture pairs, each with the findings it must give.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::{Context, Exit, load_policy, print, read_snapshot, today_utc};
use envparity_judge::compare;
use envparity_judge::policy::Check;
use envparity_model::diagnostic::closest;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Validate a policy file (or a shipped policy by name); every problem is reported with line and column.
    #[command(
        after_help = "Examples:\n  envparity policy check policy.toml\n  envparity policy check default"
    )]
    Check {
        /// The policy file.
        file: PathBuf,
        /// Judge waiver expiry as of this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_name = "DATE", value_parser = super::date)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Run a policy on fixture pairs, each with the findings it must give (as `opa test` and `conftest verify` do):
    /// every folder of DIR holding staging.json and prod.json is a case, and its expected.toml lists the findings
    /// (`[[finding]]` with `rule` and `key`, and optionally `field` and `severity`). Exits 1 when a case gives a
    /// finding it does not list, or lacks one it lists.
    #[command(
        after_help = "Examples:\n  envparity policy test tests/policy --policy policy.toml\n\nA case, tests/policy/short-visibility/expected.toml:\n  [[finding]]\n  rule = \"rego:envparity.queues.queue-visibility-6x\"\n  key = \"jobs-{env}\"\n  field = \"visibility_timeout_seconds\""
    )]
    Test {
        /// The folder of cases.
        dir: PathBuf,
        /// The policy: a file, or a shipped policy by name (default: default).
        #[arg(long, value_name = "FILE|NAME")]
        policy: Option<PathBuf>,
        /// Judge waiver expiry as of this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_name = "DATE", value_parser = super::date)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Explain a comparator (`expect = "..."`): what it checks, why, and an example rule. Without a name, list them.
    #[command(after_help = "Examples:\n  envparity policy explain\n  envparity policy explain version")]
    Explain {
        /// The comparator, such as version or staging_at_most_prod.
        comparator: Option<String>,
    },
}

pub(super) fn run(cmd: Command, _ctx: &Context) -> anyhow::Result<Exit> {
    match cmd {
        Command::Check { file, as_of } => check(&file, as_of),
        Command::Explain { comparator } => explain(comparator.as_deref()),
        Command::Test { dir, policy, as_of } => test(&dir, policy.as_deref(), as_of),
    }
}

/// One finding a case expects: `field` and `severity` are checked when given.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    key: String,
    field: Option<String>,
    severity: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFile {
    #[serde(default)]
    finding: Vec<Expected>,
}

impl Expected {
    fn matches(&self, f: &envparity_judge::report::Finding) -> bool {
        self.rule == f.rule
            && self.key == f.key
            && self
                .field
                .as_ref()
                .is_none_or(|field| f.field.as_ref() == Some(field))
            && self.severity.as_ref().is_none_or(|s| s == f.severity.as_str())
    }
}

/// `rule key field (severity)`, as a case's report lists a finding.
fn line(rule: &str, key: &str, field: Option<&str>, severity: Option<&str>) -> String {
    let mut out = format!("{rule} {key}");
    if let Some(field) = field {
        out.push_str(&format!(" {field}"));
    }
    if let Some(severity) = severity {
        out.push_str(&format!(" ({severity})"));
    }
    envparity_judge::report::escape::terminal(&out).into_owned()
}

fn test(dir: &Path, policy: Option<&Path>, as_of: Option<jiff::civil::Date>) -> anyhow::Result<Exit> {
    use anyhow::Context as _;
    let policy = load_policy(policy)?;
    let today = as_of.unwrap_or_else(today_utc);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the cases in {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|case| case.join("staging.json").is_file() && case.join("prod.json").is_file())
        .collect();
    cases.sort();
    if cases.is_empty() {
        anyhow::bail!(
            "{}: no case (a folder holding staging.json, prod.json and expected.toml)",
            dir.display()
        );
    }
    let (mut text, mut failed) = (String::new(), 0);
    for case in &cases {
        let name = case.file_name().map_or_else(
            || case.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let expected_path = case.join("expected.toml");
        // A case without its expectations is a mistake, not a case that expects nothing (an empty file says that).
        let expected_text = std::fs::read_to_string(&expected_path).with_context(|| {
            format!(
                "cannot read {} (an empty file expects no finding)",
                expected_path.display()
            )
        })?;
        let mut value = envparity_model::diagnostic::TomlReader::parse(&expected_text).map_err(|errors| {
            let first = errors.first().map_or(String::new(), |e| e.message.clone());
            anyhow::anyhow!("{}: not valid TOML: {first}", expected_path.display())
        })?;
        let expected: ExpectedFile = serde_json::from_value(envparity_model::diagnostic::toml_to_json(
            &mut value,
        ))
        .with_context(|| {
            format!(
                "{}: expected [[finding]] tables of rule, key, field, severity",
                expected_path.display()
            )
        })?;
        let (staging, prod) = (
            read_snapshot(&case.join("staging.json"))?,
            read_snapshot(&case.join("prod.json"))?,
        );
        let settings = envparity_judge::Settings {
            policy: &policy,
            fail_on: policy.fail_on,
            options: envparity_judge::engine::Options::for_snapshots(&staging, &prod, today),
            formats: &[envparity_judge::report::Format::Json],
            baseline: None,
        };
        let findings = envparity_judge::judge(&staging, &prod, &settings).report.findings;
        let missing: Vec<&Expected> = expected
            .finding
            .iter()
            .filter(|e| !findings.iter().any(|f| e.matches(f)))
            .collect();
        let unexpected: Vec<_> = findings
            .iter()
            .filter(|f| !expected.finding.iter().any(|e| e.matches(f)))
            .collect();
        if missing.is_empty() && unexpected.is_empty() {
            writeln!(text, "ok    {name} ({} findings)", findings.len()).unwrap();
            continue;
        }
        failed += 1;
        writeln!(text, "FAIL  {name}").unwrap();
        for e in missing {
            writeln!(
                text,
                "  missing:    {}",
                line(&e.rule, &e.key, e.field.as_deref(), e.severity.as_deref())
            )
            .unwrap();
        }
        for f in unexpected {
            writeln!(
                text,
                "  unexpected: {}",
                line(&f.rule, &f.key, f.field.as_deref(), Some(f.severity.as_str()))
            )
            .unwrap();
        }
    }
    writeln!(
        text,
        "{} cases: {} passed, {failed} failed",
        cases.len(),
        cases.len() - failed
    )
    .unwrap();
    print(&text)?;
    Ok(if failed == 0 {
        Exit::Parity
    } else {
        Exit::Violations
    })
}

fn explain(name: Option<&str>) -> anyhow::Result<Exit> {
    let Some(name) = name else {
        let width = compare::SPECS.iter().map(|s| s.name.len()).max().unwrap_or(0);
        let mut text = String::new();
        for spec in compare::SPECS {
            let first = spec
                .what
                .split(". ")
                .next()
                .unwrap_or(spec.what)
                .trim_end_matches('.');
            writeln!(text, "{:width$}  {first}.", spec.name).unwrap();
        }
        text.push_str("\n`envparity policy explain COMPARATOR` says more.\n");
        print(&text)?;
        return Ok(Exit::Parity);
    };
    let Some(spec) = compare::spec(name) else {
        let names = compare::names();
        let hint = closest(name, &names).map_or(String::new(), |c| format!(" (did you mean {c}?)"));
        anyhow::bail!(
            "unknown comparator {name:?}{hint}; expected one of: {}",
            names.join(", ")
        );
    };
    let mut text = format!(
        "expect = \"{}\"\n\nWhat: {}\n\nWhy: {}\n",
        spec.name, spec.what, spec.why
    );
    if !spec.options.is_empty() {
        text.push_str("\nOptions:\n");
        for option in spec.options {
            writeln!(text, "  {}: {}", option.name, option.doc).unwrap();
        }
    }
    writeln!(text, "\nExample:\n{}", spec.example).unwrap();
    print(&text)?;
    Ok(Exit::Parity)
}

fn check(file: &Path, as_of: Option<jiff::civil::Date>) -> anyhow::Result<Exit> {
    let policy = load_policy(Some(file))?;
    let today = as_of.unwrap_or_else(today_utc);
    let comparisons = policy
        .rules
        .iter()
        .filter(|r| matches!(r.check, Check::Compare(_)))
        .count();
    let expired = policy.waivers.iter().filter(|w| !w.in_force(today)).count();
    let mut text = format!(
        "{}: ok: policy {:?}, fails on {}, {} rules ({} comparisons, {} per-environment checks), {} waivers",
        file.display(),
        policy.name,
        policy.fail_on.as_str(),
        policy.rules.len(),
        comparisons,
        policy.rules.len() - comparisons,
        policy.waivers.len(),
    );
    if expired > 0 {
        text.push_str(&format!(" ({expired} expired: their findings are back)"));
    }
    if let Some(rego) = &policy.rego {
        // What a module names that no snapshot holds: its rule would never fire.
        for (shown, text) in &rego.sources.modules {
            for warning in envparity_judge::policy::rego::names::unknown(shown, text) {
                eprintln!("warning: {}", envparity_judge::report::escape::terminal(&warning));
            }
        }
        let modules: Vec<String> = rego
            .modules
            .iter()
            .map(|m| format!("{} ({})", m.path, m.rules.join(", ")))
            .collect();
        text.push_str(&format!(", Rego modules: {}", modules.join("; ")));
    }
    text.push('\n');
    print(&text)?;
    Ok(Exit::Parity)
}
