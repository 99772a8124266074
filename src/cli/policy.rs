//! `envparity policy check FILE`: validate a policy and say what it holds.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::{Context, Exit, load_policy, print, today_utc};
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
        #[arg(long, value_name = "DATE")]
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
    }
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
