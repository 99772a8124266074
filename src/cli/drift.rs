//! `envparity drift ENV --history DIR`: the newest snapshot of one environment against the one before it.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::diff::{self, Judgement};
use super::{Context, Exit, read_snapshot};
use crate::engine::Options;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  envparity drift prod --history audit-history/ --format markdown")]
pub struct Args {
    /// The environment, as named in the history folder.
    environment: String,
    /// The history folder `envparity audit --history` keeps.
    #[arg(long, value_name = "DIR")]
    history: PathBuf,
    #[command(flatten)]
    judgement: Judgement,
}

pub(super) fn run(args: Args, ctx: &Context) -> anyhow::Result<Exit> {
    // Drift is judged by the shipped drift policy unless another is given.
    let (earlier, newest) = two_newest(&args.history.join(&args.environment))?;
    let settled = args
        .judgement
        .settle(Some(Path::new("drift")), &[&earlier, &newest])?;
    let (before, after) = (read_snapshot(&earlier)?, read_snapshot(&newest)?);
    note!(
        ctx,
        "drift of {}: {} -> {}",
        args.environment,
        earlier.display(),
        newest.display()
    );
    let options = Options::for_snapshots(&before, &after, settled.today);
    Ok(diff::judge(&before, &after, &options, &settled, ctx)?.exit)
}

/// The two newest snapshots in a folder of `TIME.json` files.
fn two_newest(folder: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("cannot read history folder {}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    match files.as_slice() {
        [.., earlier, newest] => Ok((earlier.clone(), newest.clone())),
        _ => anyhow::bail!(
            "{} holds {} snapshot(s): drift needs two (run `envparity audit --history` at least twice)",
            folder.display(),
            files.len()
        ),
    }
}
