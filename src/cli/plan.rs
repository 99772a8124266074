//! `envparity plan ENV --shards N`: the environment's (account, region) units and the shard that collects each,
//! for generating a CI matrix or sizing a Kubernetes Indexed Job.

use std::path::PathBuf;

use super::collect::{DEFAULT_CONFIG, runtime};
use super::{Context, Exit};
use envparity_collect as collect;
use envparity_collect::config::Config;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  envparity plan prod --shards 4\n  envparity plan prod --shards 4 --format json \
                        | jq -c '[.shards_list[].shard]'"
)]
pub struct Args {
    /// The environment, as named in the config file.
    environment: String,
    /// The config file describing the environments.
    #[arg(long, short, default_value = DEFAULT_CONFIG)]
    config: PathBuf,
    /// How many shards to split the units into.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    shards: u32,
    /// table (for people) or json (for generating a matrix).
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    format: PlanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PlanFormat {
    Table,
    Json,
}

/// The plan as JSON: the plan itself, plus one entry per shard with its `--shard` argument and its unit count.
#[derive(serde::Serialize)]
struct JsonPlan<'p> {
    #[serde(flatten)]
    plan: &'p collect::Plan,
    shards_list: Vec<ShardEntry>,
}

#[derive(serde::Serialize)]
struct ShardEntry {
    shard: String,
    units: usize,
}

pub(super) fn run(args: Args, _ctx: &Context) -> anyhow::Result<Exit> {
    let config = Config::read(&args.config)?;
    let env = config.environment(&args.environment)?;
    let plan = match runtime()?.block_on(collect::plan(&config, env, args.shards)) {
        Ok(plan) => plan,
        // Accounts that cannot be listed leave the plan unknown, as they would leave a collection incomplete.
        Err(error @ collect::PlanError::Accounts(..)) => {
            eprintln!(
                "error: {}",
                envparity_judge::report::escape::terminal(&error.to_string())
            );
            return Ok(Exit::Incomplete);
        }
        Err(e) => return Err(e.into()),
    };
    let mut units = std::collections::HashMap::<&str, usize>::new();
    for unit in &plan.units {
        *units.entry(unit.shard.as_str()).or_default() += 1;
    }
    let shards: Vec<ShardEntry> = (0..args.shards)
        .map(|index| {
            let shard = format!("{index}/{}", args.shards);
            let units = units.get(shard.as_str()).copied().unwrap_or(0);
            ShardEntry { shard, units }
        })
        .collect();
    let text = match args.format {
        PlanFormat::Json => {
            let mut text = serde_json::to_string_pretty(&JsonPlan {
                plan: &plan,
                shards_list: shards,
            })
            .expect("a plan always serializes");
            text.push('\n');
            text
        }
        // Account names are the organisation's data: control characters are shown, never acted on.
        PlanFormat::Table => table(&plan, &shards)
            .lines()
            .map(|line| format!("{}\n", envparity_judge::report::escape::terminal(line)))
            .collect(),
    };
    super::print(&text)?;
    Ok(Exit::Parity)
}

fn table(plan: &collect::Plan, shards: &[ShardEntry]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} units ({} accounts x {} regions) in {} shards",
        plan.environment,
        plan.units.len(),
        plan.accounts.len(),
        plan.regions.len(),
        plan.shards
    );
    for s in shards {
        let plural = if s.units == 1 { "" } else { "s" };
        let _ = writeln!(out, "  shard {}: {} unit{plural}", s.shard, s.units);
    }
    if plan.units.is_empty() {
        let _ = writeln!(out, "  (no AWS units: shard 0 collects the environment's files)");
        return out;
    }
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::NOTHING)
        .force_no_tty()
        .set_header(["SHARD", "ACCOUNT", "NAME", "ORGANIZATIONAL UNIT", "REGION"]);
    for unit in &plan.units {
        let account = plan.accounts.iter().find(|a| a.id == unit.account);
        table.add_row([
            unit.shard.as_str(),
            unit.account.as_str(),
            account.and_then(|a| a.name.as_deref()).unwrap_or("-"),
            account
                .and_then(|a| a.organizational_unit.as_deref())
                .unwrap_or("-"),
            unit.region.as_str(),
        ]);
    }
    let _ = writeln!(out, "{table}");
    out
}
