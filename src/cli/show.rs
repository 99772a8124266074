//! `envparity show SNAPSHOT`: what a snapshot holds.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::{Context, Exit, print, read_snapshot};
use envparity_judge::report::escape::terminal;
use envparity_model::glob::DottedGlob;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  envparity show snapshots/prod.json --kind 'aws.rds.*'")]
pub struct Args {
    /// The snapshot file.
    snapshot: PathBuf,
    /// List only resources whose kind matches this glob, such as 'aws.rds.*'.
    #[arg(long, short)]
    kind: Option<String>,
}

pub(super) fn run(args: Args, ctx: &Context) -> anyhow::Result<Exit> {
    let filter = args
        .kind
        .as_deref()
        .map(DottedGlob::new)
        .transpose()
        .map_err(|e| anyhow::anyhow!("bad --kind glob: {e}"))?;
    let snapshot = read_snapshot(&args.snapshot)?;
    let width = ctx.render_options().width;
    let table = |header: &[&str]| {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED)
            .force_no_tty()
            .set_header(header.to_vec());
        if let Some(w) = width {
            t.set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(w);
        }
        t
    };

    let mut out = String::new();
    writeln!(
        out,
        "{}: environment {}, collected {}, {} resources, {} gaps",
        terminal(&args.snapshot.display().to_string()),
        terminal(&snapshot.environment),
        terminal(&snapshot.collected_at),
        snapshot.resources.len(),
        snapshot.gaps.len()
    )?;
    if let Some(fleet) = &snapshot.fleet {
        writeln!(out, "{}", terminal(&super::collect::fleet_line(fleet)))?;
    }

    if !snapshot.sources.is_empty() {
        let mut t = table(&[
            "provider",
            "service",
            "account",
            "region",
            "status",
            "resources",
            "api calls",
        ]);
        for s in &snapshot.sources {
            t.add_row(shown_row(vec![
                s.provider.clone(),
                s.service.clone(),
                s.account.clone().unwrap_or_default(),
                s.region.clone().unwrap_or_default(),
                format!("{:?}", s.status).to_lowercase(),
                s.resources.to_string(),
                s.api_calls.to_string(),
            ]));
        }
        writeln!(out, "\nsources\n{t}")?;
    }
    if !snapshot.gaps.is_empty() {
        let mut t = table(&[
            "provider",
            "service",
            "account",
            "region",
            "unknown kinds",
            "error",
        ]);
        for g in &snapshot.gaps {
            t.add_row(shown_row(vec![
                g.provider.clone(),
                g.service.clone(),
                g.account.clone().unwrap_or_default(),
                g.region.clone().unwrap_or_default(),
                g.kinds.join(", "),
                g.error.clone(),
            ]));
        }
        writeln!(out, "\ngaps: these kinds are unknown, not absent\n{t}")?;
    }

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &snapshot.resources {
        *counts.entry(&r.kind).or_default() += 1;
    }
    let mut t = table(&["kind", "resources"]);
    for (kind, n) in &counts {
        t.add_row(shown_row(vec![kind.to_string(), n.to_string()]));
    }
    writeln!(out, "\nkinds\n{t}")?;

    let shown: Vec<_> = snapshot
        .resources
        .iter()
        .filter(|r| filter.as_ref().is_none_or(|g| g.matches(&r.kind)))
        .collect();
    let mut t = table(&["kind", "key", "name", "account", "region", "attributes"]);
    for r in &shown {
        t.add_row(shown_row(vec![
            r.kind.clone(),
            r.key.clone().unwrap_or_default(),
            r.name.clone().unwrap_or_default(),
            r.account.clone().unwrap_or_default(),
            r.region.clone().unwrap_or_default(),
            r.attributes.parse().len().to_string(),
        ]));
    }
    match &args.kind {
        Some(k) => writeln!(out, "\nresources of kind {} ({})\n{t}", terminal(k), shown.len())?,
        None => writeln!(out, "\nresources ({})\n{t}", shown.len())?,
    }
    print(&out)?;
    Ok(Exit::Parity)
}

/// A table row as a terminal may show it: every control character in the data visible.
fn shown_row(cells: Vec<String>) -> Vec<String> {
    cells.into_iter().map(|c| terminal(&c).into_owned()).collect()
}
