//! `envparity drift ENV --history DIR`: the newest snapshot of one environment against the one before it.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::diff::{self, Judgement};
use super::{Context, Exit, read_snapshot};
use envparity_judge::engine::Options;

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
    if !envparity_model::snapshot::is_safe_name(&args.environment) {
        anyhow::bail!(
            "{:?} is not an environment name: letters, digits, `-`, `_` and `.`, not starting with `.`",
            args.environment
        );
    }
    // Drift is judged by the shipped drift policy unless another is given.
    let (earlier, newest) = two_newest(&envparity_collect::store::join(&args.history, &args.environment))?;
    let settled = args
        .judgement
        .settle(Some(Path::new("drift")), &[&earlier, &newest])?;
    let (before, after) = (read_snapshot(&earlier)?, read_snapshot(&newest)?);
    // A snapshot put in the wrong folder is another environment's, not this one's past.
    for (path, snapshot) in [(&earlier, &before), (&newest, &after)] {
        if snapshot.environment != args.environment {
            anyhow::bail!(
                "{}: a snapshot of {:?}, not of {:?}: drift compares one environment with itself",
                path.display(),
                snapshot.environment,
                args.environment
            );
        }
    }
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

/// The two newest snapshots in a history folder or prefix of `TIME.json` (or `TIME.json.gz`) files: names
/// envparity writes only, by the time they carry (another `*.json` is no snapshot of the history).
fn two_newest(folder: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let mut timed: Vec<(jiff::Timestamp, String)> = envparity_collect::store::list(folder)
        .context("cannot read history folder")?
        .into_iter()
        .filter_map(|name| Some((envparity_collect::store::history_time(&name)?, name)))
        .collect();
    timed.sort();
    let files: Vec<PathBuf> = timed
        .into_iter()
        .map(|(_, name)| envparity_collect::store::join(folder, &name))
        .collect();
    match files.as_slice() {
        [.., earlier, newest] => Ok((earlier.clone(), newest.clone())),
        _ => anyhow::bail!(
            "{} holds {} snapshot(s): drift needs two (run `envparity audit --history` at least twice)",
            folder.display(),
            files.len()
        ),
    }
}
