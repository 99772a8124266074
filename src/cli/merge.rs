//! `envparity merge --output OUT SNAPSHOT...`: one environment's snapshots, collected separately, as one.

use std::path::PathBuf;

use anyhow::Context as _;

use super::{Context, Exit, read_snapshot};
use crate::snapshot;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  envparity merge --output prod.json prod-111111111111-eu-west-1.json prod-222222222222-eu-west-1.json"
)]
pub struct Args {
    /// Where to write the merged snapshot: never one of the parts.
    #[arg(long, short)]
    output: PathBuf,
    /// The snapshots to merge, all of one environment.
    #[arg(required = true)]
    snapshots: Vec<PathBuf>,
}

pub(super) fn run(args: Args, ctx: &Context) -> anyhow::Result<Exit> {
    let parts: Vec<&std::path::Path> = args.snapshots.iter().map(PathBuf::as_path).collect();
    super::output::check(&args.output, &parts)?;
    let inputs = args
        .snapshots
        .iter()
        .map(|p| read_snapshot(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut merged = crate::collect::fleet::merge_parts(inputs)?;
    snapshot::write(&args.output, &mut merged)
        .with_context(|| format!("cannot write snapshot {}", args.output.display()))?;
    note!(
        ctx,
        "wrote {}: {} resources from {} sources{}",
        args.output.display(),
        merged.resources.len(),
        merged.sources.len(),
        if merged.gaps.is_empty() {
            String::new()
        } else {
            format!(", {} gaps", merged.gaps.len())
        }
    );
    Ok(if merged.gaps.is_empty() {
        Exit::Parity
    } else {
        Exit::Incomplete
    })
}
