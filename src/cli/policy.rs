//! `envparity policy check FILE`: validate a policy and say what it holds.

use std::path::PathBuf;

use super::{Context, Exit, load_policy, print, today_utc};
use crate::policy::Check;

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
}

pub(super) fn run(cmd: Command, _ctx: &Context) -> anyhow::Result<Exit> {
    let Command::Check { file, as_of } = cmd;
    let policy = load_policy(Some(&file))?;
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
    text.push('\n');
    print(&text)?;
    Ok(Exit::Parity)
}
