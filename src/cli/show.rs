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
#[command(
    after_help = "Examples:\n  envparity show snapshots/prod.json --kind 'aws.rds.*'\n  \
                         envparity show snapshots/prod.json --key 'orders-{env}-db' --format json"
)]
pub struct Args {
    /// The snapshot file.
    snapshot: PathBuf,
    /// List only resources whose kind matches this glob, such as 'aws.rds.*'.
    #[arg(long, short)]
    kind: Option<String>,
    /// Show the attributes of the resources with this logical key (as reports name them, `orders-{env}-db`) or
    /// name (`orders-prod-db`).
    #[arg(long)]
    key: Option<String>,
    /// With --key: `table` (the attributes as indented JSON under each resource) or `json` (the resources as the
    /// snapshot holds them, each with its key).
    #[arg(long, value_enum, default_value = "table", requires = "key")]
    format: ShowFormat,
}

/// How `show --key` prints resources.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ShowFormat {
    Table,
    Json,
}

/// The `--kind` glob, if given.
fn kind_filter(args: &Args) -> anyhow::Result<Option<DottedGlob>> {
    args.kind
        .as_deref()
        .map(DottedGlob::new)
        .transpose()
        .map_err(|e| anyhow::anyhow!("bad --kind glob: {e}"))
}

/// `show --key`: the resources of the snapshot with that key or name, attributes whole.
fn show_key(args: &Args, key: &str) -> anyhow::Result<Exit> {
    let snapshot = read_snapshot(&args.snapshot)?;
    let keys = envparity_model::keys::KeyRule::for_environment(&snapshot.environment);
    let filter = kind_filter(args)?;
    let candidates: Vec<(String, &envparity_model::snapshot::Resource)> = snapshot
        .resources
        .iter()
        .filter(|r| filter.as_ref().is_none_or(|g| g.matches(&r.kind)))
        .map(|r| (keys.key_of(r), r))
        .collect();
    let found: Vec<&(String, &envparity_model::snapshot::Resource)> = candidates
        .iter()
        .filter(|(k, r)| k == key || r.name.as_deref() == Some(key))
        .collect();
    if found.is_empty() {
        let known: Vec<&str> = candidates.iter().map(|(k, _)| k.as_str()).collect();
        let hint = match envparity_model::diagnostic::closest(key, &known) {
            Some(close) => format!(" (did you mean {}?)", terminal(close)),
            None => String::new(),
        };
        anyhow::bail!(
            "no resource with key or name {} in {}{hint}",
            terminal(key),
            args.snapshot.display()
        );
    }
    let mut out = String::new();
    match args.format {
        ShowFormat::Json => {
            let shown: Vec<serde_json::Value> = found
                .iter()
                .map(|(k, r)| {
                    let mut value = serde_json::to_value(r).expect("a resource is JSON");
                    value["key"] = serde_json::Value::from(k.as_str());
                    value
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&shown)?)?;
        }
        ShowFormat::Table => {
            for (k, r) in found {
                let at = [r.name.as_deref(), r.account.as_deref(), r.region.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
                // Each line through the terminal escape (JSON already escapes what is inside its strings).
                let attributes = serde_json::to_string_pretty(&r.attributes.parse())?;
                let attributes: Vec<String> = attributes.lines().map(|l| terminal(l).into_owned()).collect();
                writeln!(
                    out,
                    "{} {} ({})\n{}\n",
                    terminal(&r.kind),
                    terminal(k),
                    terminal(&at),
                    attributes.join("\n")
                )?;
            }
        }
    }
    print(&out)?;
    Ok(Exit::Parity)
}

pub(super) fn run(args: Args, ctx: &Context) -> anyhow::Result<Exit> {
    if let Some(key) = args.key.clone() {
        return show_key(&args, &key);
    }
    let filter = kind_filter(&args)?;
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
