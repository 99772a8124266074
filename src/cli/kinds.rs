//! `envparity kinds [KIND]`: the catalogue of kinds and their fields, as `ruff rule` lists ruff's rules.

use std::fmt::Write;

use super::{Context, Exit, print};
use envparity_model::catalog::CATALOGUE;
use envparity_model::catalog::{FieldType, Kind, terraform};
use envparity_model::diagnostic::closest;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  envparity kinds\n  envparity kinds aws.rds.instance\n  envparity kinds --format json"
)]
pub struct Args {
    /// A kind whose fields to list, such as aws.rds.instance.
    kind: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = KindsFormat::Text)]
    format: KindsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum KindsFormat {
    /// Aligned text for people.
    Text,
    /// JSON for scripts.
    Json,
    /// A markdown table, as the README shows it.
    Markdown,
}

pub(super) fn run(args: Args, _ctx: &Context) -> anyhow::Result<Exit> {
    let kinds: Vec<&Kind> = match &args.kind {
        None => CATALOGUE.kinds(),
        Some(name) => match CATALOGUE.kind(name) {
            Some(kind) => vec![kind],
            None => {
                let names: Vec<&str> = CATALOGUE.kinds().iter().map(|k| k.name).collect();
                let hint = closest(name, &names).map_or(String::new(), |c| format!(" (did you mean {c}?)"));
                anyhow::bail!("unknown kind {name:?}{hint}; `envparity kinds` lists them");
            }
        },
    };
    let mut text = match (args.format, &args.kind) {
        (KindsFormat::Json, None) => {
            serde_json::to_string_pretty(&kinds.iter().map(|k| json(k)).collect::<Vec<_>>())?
        }
        (KindsFormat::Json, Some(_)) => serde_json::to_string_pretty(&json(kinds[0]))?,
        (KindsFormat::Markdown, _) => markdown(&kinds),
        (KindsFormat::Text, None) => list(&kinds),
        (KindsFormat::Text, Some(_)) => fields(kinds[0]),
    };
    text.push('\n');
    print(&text)?;
    Ok(Exit::Parity)
}

/// A kind as JSON: the catalogue's, with the Terraform types that feed it.
#[derive(serde::Serialize)]
struct KindJson<'k> {
    #[serde(flatten)]
    kind: &'k Kind,
    terraform_types: Vec<&'static str>,
}

fn json(kind: &Kind) -> KindJson<'_> {
    KindJson {
        kind,
        terraform_types: terraform::types_feeding(kind.name),
    }
}

/// One line per kind.
fn list(kinds: &[&Kind]) -> String {
    let width = kinds.iter().map(|k| k.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for k in kinds {
        let tags = if k.tagged { "" } else { " (untagged)" };
        writeln!(out, "{:width$}  {}{tags}", k.name, k.doc).unwrap();
    }
    out.push_str("\n`envparity kinds KIND` lists a kind's fields.");
    out
}

/// One kind's fields, one per line.
fn fields(kind: &Kind) -> String {
    let mut out = format!(
        "{}: {}\nprovider {}, service {}, {}\n\n",
        kind.name,
        kind.doc,
        kind.provider,
        kind.service,
        if kind.tagged {
            "tagged"
        } else {
            "untagged: a tag filter cannot choose it"
        }
    );
    let types = terraform::types_feeding(kind.name);
    if !types.is_empty() {
        writeln!(out, "From Terraform state: {}", types.join(", ")).unwrap();
        let unknown: Vec<&str> = terraform::UNKNOWN_TO_STATE
            .iter()
            .filter(|(k, _)| *k == kind.name)
            .flat_map(|(_, paths)| paths.iter().map(|p| p.trim_end_matches('.')))
            .collect();
        if !unknown.is_empty() {
            writeln!(out, "Not known to a state: {}", unknown.join(", ")).unwrap();
        }
        out.push('\n');
    }
    let width = kind.leaves().map(|f| f.path.len()).max().unwrap_or(0);
    let type_width = kind.leaves().map(|f| f.ty.name().len()).max().unwrap_or(0);
    for f in kind.leaves() {
        writeln!(out, "{:width$}  {:type_width$}  {}", f.path, f.ty.name(), f.doc()).unwrap();
    }
    if let Some(map) = kind.leaves().find(|f| matches!(f.ty, FieldType::Map(_))) {
        let path = map.path;
        write!(
            out,
            "\nA map's keys are data: `{path}.*` and `{path}.NAME` are valid paths."
        )
        .unwrap();
    }
    out.trim_end().to_owned()
}

/// The README's table: every kind with its fields.
fn markdown(kinds: &[&Kind]) -> String {
    let mut out =
        String::from("| kind | what | tags | fields | from Terraform |\n| --- | --- | --- | --- | --- |\n");
    for k in kinds {
        let fields: Vec<String> = k.leaves().map(|f| format!("`{}`", f.path)).collect();
        let types: Vec<String> = terraform::types_feeding(k.name)
            .iter()
            .map(|t| format!("`{t}`"))
            .collect();
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            k.name,
            k.doc,
            if k.tagged { "yes" } else { "no" },
            fields.join(", "),
            types.join(", ")
        )
        .unwrap();
    }
    out.pop();
    out
}
