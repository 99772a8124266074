//! `envparity schema snapshot|report`: the JSON Schemas of the file formats, generated from the types.

use serde_json::{Value, json};

use super::{Context, Exit, print};
use envparity_judge::report::Report;
use envparity_model::catalog::CATALOGUE;
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
        Which::Snapshot => snapshot_schema(),
        Which::Report => schemars::schema_for!(Report),
    };
    let mut text = serde_json::to_string_pretty(&schema)?;
    text.push('\n');
    print(&text)?;
    Ok(Exit::Parity)
}

/// The snapshot's schema, in which a resource of a kind of the catalogue holds that kind's typed attributes.
fn snapshot_schema() -> schemars::Schema {
    let mut generator = schemars::SchemaGenerator::default();
    let mut root = generator.root_schema_for::<Snapshot>();
    let by_kind: Vec<Value> = CATALOGUE
        .kinds()
        .into_iter()
        .map(|kind| {
            let attributes = (kind.attributes.schema)(&mut generator);
            json!({
                "if": {"properties": {"kind": {"const": kind.name}}, "required": ["kind"]},
                "then": {"properties": {"attributes": attributes}},
            })
        })
        .collect();
    let definitions = root.ensure_object().entry("$defs").or_insert_with(|| json!({}));
    for (name, schema) in generator.definitions() {
        definitions[name] = schema.clone();
    }
    definitions["Resource"]["allOf"] = Value::Array(by_kind);
    root
}
