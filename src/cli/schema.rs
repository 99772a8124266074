//! `envparity schema snapshot|report`: the JSON Schemas of the file formats, generated from the types.

use super::{Context, Exit, print};
use envparity_judge::report::Report;
use envparity_model::snapshot::Snapshot;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which format.
    #[arg(value_enum)]
    which: Which,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Which {
    /// envparity/snapshot/v1
    Snapshot,
    /// envparity/report/v1
    Report,
}

pub(super) fn run(args: Args, _ctx: &Context) -> anyhow::Result<Exit> {
    let schema = match args.which {
        Which::Snapshot => schemars::schema_for!(Snapshot),
        Which::Report => schemars::schema_for!(Report),
    };
    let mut text = serde_json::to_string_pretty(&schema)?;
    text.push('\n');
    print(&text)?;
    Ok(Exit::Parity)
}
