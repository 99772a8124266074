//! `envparity merge --output OUT SNAPSHOT...`: one environment's snapshots, collected separately, as one.

use std::path::PathBuf;

use super::{Context, Exit, read_snapshot};
use envparity_collect::store;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  envparity merge --output prod.json prod-111111111111-eu-west-1.json prod-222222222222-eu-west-1.json"
)]
pub struct Args {
    /// Where to write the merged snapshot: never one of the parts.
    #[arg(long, short)]
    output: PathBuf,
    /// The snapshots to merge, all of one environment: files or S3 objects, or folders and S3 prefixes ending in
    /// `/` whose `.json` and `.json.gz` files are the parts (the shards of a fleet).
    #[arg(required = true)]
    snapshots: Vec<PathBuf>,
    /// Also keep the merged snapshot in this history folder or S3 prefix (as `audit --history` does), for
    /// `envparity drift` and `--baseline`.
    #[arg(long, value_name = "DIR")]
    history: Option<PathBuf>,
}

/// The parts named: files and objects as given, folders and prefixes expanded to the snapshots they hold.
fn parts(given: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut parts = Vec::new();
    for path in given {
        // An S3 name that is no snapshot file's (`s3://b/parts`, without its `/`) is the prefix it names.
        let name = path.to_string_lossy();
        let is_prefix = store::s3(path)?.is_some()
            && (name.ends_with('/')
                || !super::collect::is_snapshot_file(name.rsplit('/').next().unwrap_or("")));
        if !(is_prefix || path.is_dir()) {
            parts.push(path.clone());
            continue;
        }
        let found: Vec<PathBuf> = store::list(path)?
            .into_iter()
            .filter(|name| super::collect::is_snapshot_file(name))
            .map(|name| store::join(path, &name))
            .collect();
        if found.is_empty() {
            anyhow::bail!(
                "{} holds no snapshot (.json or .json.gz) to merge",
                path.display()
            );
        }
        parts.extend(found);
    }
    Ok(parts)
}

pub(super) fn run(args: Args, ctx: &Context) -> anyhow::Result<Exit> {
    let snapshots = parts(&args.snapshots)?;
    if let Some(history) = &args.history {
        super::output::folder(history)?;
    }
    let parts: Vec<&std::path::Path> = snapshots.iter().map(PathBuf::as_path).collect();
    super::output::check(&args.output, &parts)?;
    let inputs = snapshots
        .iter()
        .map(|p| read_snapshot(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut merged = envparity_collect::fleet::merge_parts(inputs)?;
    super::collect::write_snapshot(&args.output, &mut merged)?;
    if let Some(history) = &args.history {
        super::collect::keep_snapshot(history, "json", &mut merged, ctx)?;
    }
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
