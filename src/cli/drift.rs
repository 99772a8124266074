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
    /// The history `envparity audit --history` keeps: a folder or an S3 prefix (s3://BUCKET/PREFIX).
    #[arg(long, value_name = "DIR")]
    history: PathBuf,
    #[command(flatten)]
    judgement: Judgement,
}

pub(super) fn run(args: Args, ctx: &Context) -> anyhow::Result<Exit> {
    // Drift is judged by the shipped drift policy unless another is given.
    let (earlier, newest) = two_newest(&crate::store::join(&args.history, &args.environment))?;
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

/// The two newest snapshots in a history folder or prefix of `TIME.json` (or `TIME.json.gz`) files.
fn two_newest(folder: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let mut files: Vec<PathBuf> = crate::store::list(folder)
        .context("cannot read history folder")?
        .into_iter()
        .filter(|name| super::collect::is_history_snapshot(name))
        .map(|name| crate::store::join(folder, &name))
        .collect();
    // Names start with the time: sorted by name is sorted by time, whether gzipped or not.
    files.sort_by(|a, b| {
        a.to_string_lossy()
            .trim_end_matches(".gz")
            .cmp(b.to_string_lossy().trim_end_matches(".gz"))
    });
    match files.as_slice() {
        [.., earlier, newest] => Ok((earlier.clone(), newest.clone())),
        _ => anyhow::bail!(
            "{} holds {} snapshot(s): drift needs two (run `envparity audit --history` at least twice)",
            folder.display(),
            files.len()
        ),
    }
}
