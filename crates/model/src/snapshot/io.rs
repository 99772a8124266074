//! Snapshot bytes: parsed with validation, written in one canonical form. Where the bytes come from and go
//! (files, S3) is the store's business.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Resource, SCHEMA, Snapshot, is_valid_kind};

/// Why a snapshot file could not be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The OS error is part of the message, said once (not again as a cause).
    #[error("{path}: cannot read snapshot: {error}")]
    Io { path: PathBuf, error: std::io::Error },
    #[error(
        "{path}: not an envparity snapshot: it has no \"schema\": \"{SCHEMA}\" (envparity collect writes snapshots)"
    )]
    NotASnapshot { path: PathBuf },
    #[error(
        "{path}: a Terraform state, not an envparity snapshot: name it in an environment's `terraform = [...]` and \
         `envparity collect` that environment"
    )]
    TerraformState { path: PathBuf },
    #[error("{path}: the file is empty; expected an envparity snapshot (JSON)")]
    Empty { path: PathBuf },
    #[error("{path}:{line}:{column}: not valid JSON: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: expected a JSON object (an envparity snapshot), found {found}")]
    NotAnObject { path: PathBuf, found: &'static str },
    #[error("{path}:{line}:{column}: at {json_path}: {message}")]
    Shape {
        path: PathBuf,
        line: usize,
        column: usize,
        json_path: String,
        message: String,
    },
    #[error(
        "{path}: schema is {found:?}, but this envparity reads {SCHEMA:?}{hint}",
        hint = schema_hint(found)
    )]
    Schema { path: PathBuf, found: String },
    #[error("{path}: at {json_path}: {message}")]
    Invalid {
        path: PathBuf,
        json_path: String,
        message: String,
    },
}

fn schema_hint(found: &str) -> &'static str {
    match found.strip_prefix("envparity/snapshot/v") {
        Some(v) if v.parse::<u32>().is_ok_and(|v| v > 1) => {
            " (written by a newer envparity: upgrade envparity to read it)"
        }
        _ => "",
    }
}

/// Parses and validates snapshot bytes; `path` only names the file in errors.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Snapshot, SnapshotError> {
    // A byte-order mark, as some editors on Windows write, is not part of the JSON.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(SnapshotError::Empty {
            path: path.to_owned(),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let snapshot: Snapshot = match serde_path_to_error::deserialize(&mut de) {
        Ok(s) => s,
        Err(err) => return Err(shape_error(bytes, path, err)),
    };
    if let Err(e) = de.end() {
        return Err(SnapshotError::Syntax {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        });
    }
    validate(snapshot, path)
}

/// Names the most useful cause: a foreign schema outranks a type error it probably caused.
fn shape_error(
    bytes: &[u8],
    path: &Path,
    err: serde_path_to_error::Error<serde_json::Error>,
) -> SnapshotError {
    #[derive(Deserialize)]
    struct Probe {
        schema: Option<String>,
    }
    if let Ok(Probe { schema: Some(found) }) = serde_json::from_slice::<Probe>(bytes)
        && found != SCHEMA
    {
        return SnapshotError::Schema {
            path: path.to_owned(),
            found,
        };
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
        if !value.is_object() {
            return SnapshotError::NotAnObject {
                path: path.to_owned(),
                found: super::type_name(&value),
            };
        }
        // Valid JSON without a schema is some other document (a Terraform state, a report): say so first.
        if value.get("schema").is_none() {
            let path = path.to_owned();
            return match value.get("terraform_version").is_some() && value.get("resources").is_some() {
                true => SnapshotError::TerraformState { path },
                false => SnapshotError::NotASnapshot { path },
            };
        }
    }
    let json_path = err.path().to_string();
    let inner = err.into_inner();
    let (line, column) = (inner.line(), inner.column());
    let message = strip_position(&inner.to_string());
    if inner.is_syntax() || inner.is_eof() {
        SnapshotError::Syntax {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    } else {
        SnapshotError::Shape {
            path: path.to_owned(),
            line,
            column,
            json_path: if json_path == "." {
                "the top level".into()
            } else {
                json_path
            },
            message,
        }
    }
}

/// serde_json appends " at line L column C"; the error already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn validate(mut snapshot: Snapshot, path: &Path) -> Result<Snapshot, SnapshotError> {
    let invalid = |json_path: String, message: String| SnapshotError::Invalid {
        path: path.to_owned(),
        json_path,
        message,
    };
    if snapshot.schema != SCHEMA {
        return Err(SnapshotError::Schema {
            path: path.to_owned(),
            found: snapshot.schema,
        });
    }
    if snapshot.environment.trim().is_empty() {
        return Err(invalid("environment".into(), "must not be empty".into()));
    }
    if snapshot.collected_at.parse::<jiff::Timestamp>().is_err() {
        return Err(invalid(
            "collected_at".into(),
            format!(
                "{:?} is not an RFC 3339 time such as \"2026-11-27T12:00:00Z\"",
                snapshot.collected_at
            ),
        ));
    }
    // envparity writes what it could not read as a gap; a source another tool marked incomplete is one too, so that
    // no reader takes it for complete (its gap names no kind: the verdict is incomplete whatever else it holds).
    let (complete, incomplete): (Vec<_>, Vec<_>) = std::mem::take(&mut snapshot.sources)
        .into_iter()
        .partition(|s| s.status == super::SourceStatus::Complete);
    snapshot.sources = complete;
    snapshot.gaps.extend(incomplete.into_iter().map(|s| super::Gap {
        provider: s.provider,
        service: s.service,
        account: s.account,
        region: s.region,
        kinds: Vec::new(),
        error: "the snapshot marks this source incomplete".into(),
    }));
    for (i, gap) in snapshot.gaps.iter().enumerate() {
        if let Some(kind) = gap.kinds.iter().find(|k| !is_valid_kind(k)) {
            return Err(invalid(format!("gaps[{i}].kinds"), bad_kind(kind)));
        }
    }
    if let Some(fleet) = &snapshot.fleet {
        if let Some(shard) = fleet.shard
            && (shard.count == 0 || shard.index >= shard.count || shard.count > super::MAX_SHARDS)
        {
            return Err(invalid(
                "fleet.shard".into(),
                format!(
                    "shard {shard} is not a shard: the index counts from 0 below the count, at most {}",
                    super::MAX_SHARDS
                ),
            ));
        }
        if fleet.accounts.len().saturating_mul(fleet.regions.len()) > super::MAX_UNITS {
            return Err(invalid(
                "fleet".into(),
                format!("more than {} (account, region) units", super::MAX_UNITS),
            ));
        }
    }
    if let Some((i, field, message)) = unreadable_resources(&snapshot.resources).next() {
        return Err(invalid(format!("resources[{i}]{field}"), message));
    }
    snapshot.normalize();
    Ok(snapshot)
}

/// The resources a snapshot cannot hold, in order: each one's index, the field at fault (`.kind`, or `""` for the
/// whole resource), and why. A kind not of the documented form, a resource with neither key nor name, and the
/// second listing of one resource (the same kind, account, region, id and name): equal keys are not duplicates
/// but ambiguities, found by pairing.
fn unreadable_resources(resources: &[Resource]) -> impl Iterator<Item = (usize, &'static str, String)> + '_ {
    let mut seen = BTreeSet::new();
    resources.iter().enumerate().filter_map(move |(i, r)| {
        if !is_valid_kind(&r.kind) {
            return Some((i, ".kind", bad_kind(&r.kind)));
        }
        if r.key.is_none() && r.name.is_none() {
            return Some((i, "", "a resource needs a `key` or a `name` to be paired".into()));
        }
        let identity = (
            r.kind.as_str(),
            r.account.as_deref(),
            r.region.as_deref(),
            r.id.as_deref(),
            r.name.as_deref().or(r.key.as_deref()),
        );
        match seen.insert(identity) {
            true => None,
            false => Some((
                i,
                "",
                format!("duplicate resource: {} {:?} appears twice", r.kind, r.label()),
            )),
        }
    })
}

impl Snapshot {
    /// Takes out every resource [`parse`] would refuse and records a gap saying why in its place, so that what
    /// envparity writes it reads back, whatever a source yielded: a duplicate leaves its first listing, and its
    /// kind unknown. For collections, once their keys are made and their texts have passed the egress check,
    /// which the gaps' messages are made of.
    pub fn gap_unreadable_resources(&mut self) {
        let unreadable: Vec<(usize, String)> = unreadable_resources(&self.resources)
            .map(|(i, _, why)| (i, why))
            .collect();
        if unreadable.is_empty() {
            return;
        }
        for &(i, ref why) in &unreadable {
            let r = &self.resources[i];
            let valid = is_valid_kind(&r.kind);
            let mut segments = r.kind.split('.');
            self.gaps.push(super::Gap {
                provider: segments.next().unwrap_or_default().to_owned(),
                service: segments.next().unwrap_or_default().to_owned(),
                account: r.account.clone(),
                region: r.region.clone(),
                // A gap names only kinds a snapshot may hold; one naming none leaves the verdict incomplete.
                kinds: valid.then(|| r.kind.clone()).into_iter().collect(),
                error: why.clone(),
            });
        }
        let mut index = 0;
        let mut next = unreadable.iter().map(|&(i, _)| i).peekable();
        self.resources.retain(|_| {
            let drop = next.next_if_eq(&index).is_some();
            index += 1;
            !drop
        });
    }
}

fn bad_kind(kind: &str) -> String {
    format!(
        "{kind:?} is not a kind of the form provider.service.type in lowercase, such as \"aws.rds.instance\", \
         or a custom resource's k8s.custom.GROUP/Kind"
    )
}

/// The canonical bytes of a snapshot: normalized order, pretty JSON, trailing newline.
pub fn to_json(snapshot: &mut Snapshot) -> String {
    snapshot.normalize();
    // Room for what it will hold, about (the attributes' text and each resource's other fields, indented): a
    // large snapshot is written once, not copied as its buffer doubles.
    let room: usize = snapshot
        .resources
        .iter()
        .map(|r| r.attributes.text().len() + 512)
        .sum();
    let mut out = Vec::with_capacity(room + 4096);
    serde_json::to_writer_pretty(&mut out, snapshot).expect("a snapshot always serializes");
    out.push(b'\n');
    String::from_utf8(out).expect("JSON is UTF-8")
}
