//! The catalogue: every kind of resource a snapshot can hold, and every attribute field of each kind.
//!
//! Each source's kinds are declared in a file of their own below (`aws/rds.rs`, `compose.rs`), which its
//! collector fills; this module holds the types, [`CATALOGUE`] and the questions asked of them: which kinds a glob names, whether a field pattern names a field, which field
//! a misspelt pattern meant. Policies are checked against a catalogue, gaps name a service's kinds from it, and
//! `envparity kinds` prints it.

use serde::Serialize;

use crate::diagnostic::closest;
use crate::glob::DottedGlob;

pub mod aws;
pub mod compose;
pub mod files;
pub mod kubernetes;
pub mod terraform;
pub mod typed;

/// Every kind envparity collects: what policies are checked against and `envparity kinds` prints.
pub const CATALOGUE: Catalogue = Catalogue(&[
    aws::KINDS,
    &[files::KINDS, compose::KINDS, kubernetes::KINDS, terraform::KINDS],
]);

/// Kinds named by a prefix and data (`k8s.custom.GROUP/KIND`, `terraform.TYPE`), each one kind of the catalogue,
/// with a name such a kind may have, to try globs on.
const OPEN_KINDS: &[(&str, &Kind, &str)] = &[
    (
        kubernetes::CUSTOM_PREFIX,
        &kubernetes::CUSTOM,
        "k8s.custom.example.com/Kind",
    ),
    (terraform::PREFIX, &terraform::OTHER, "terraform.example_type"),
];

/// One kind of resource, such as `aws.rds.instance`.
#[derive(Debug, Serialize)]
pub struct Kind {
    /// `provider.service.type` (or `provider.type`, as in `file.config`).
    pub name: &'static str,
    /// Who is asked: `aws`, `file`.
    pub provider: &'static str,
    /// The unit of collection within the provider (`rds`, `config`): a gap in it leaves its kinds unknown.
    pub service: &'static str,
    /// Whether resources of this kind carry tags (a tag filter can choose them).
    pub tagged: bool,
    /// The Resource Groups Tagging API's types (`service:resourceType`, as in `ec2:instance`) whose resources
    /// this kind reads: what is left is reported as not audited.
    #[serde(skip)]
    pub tagging_types: &'static [&'static str],
    /// What one resource of this kind is, in a line.
    pub doc: &'static str,
    /// The typed attributes its collector fills, whose fields are every attribute the collector writes. Objects
    /// hold their own fields; [`Kind::leaves`] lists them all as dotted paths.
    #[serde(rename = "fields", serialize_with = "serialize_leaves")]
    pub attributes: typed::Typed,
}

fn serialize_leaves<S: serde::Serializer>(typed: &typed::Typed, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(leaves(typed.fields))
}

/// The fields below `fields` that are not objects, depth first, in the order declared.
fn leaves(fields: &'static [Field]) -> Box<dyn Iterator<Item = &'static Field>> {
    Box::new(fields.iter().flat_map(|f| match f.ty {
        FieldType::Object(inner) => leaves(inner),
        _ => Box::new(std::iter::once(f)),
    }))
}

/// One attribute of a kind.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The dotted path, as policies name it: `engine_version`, `health_check.interval_seconds`.
    pub path: &'static str,
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// What it means, in a line: a doc comment's text, read with [`Field::doc`].
    #[serde(serialize_with = "serialize_trimmed")]
    pub doc: &'static str,
}

impl Field {
    /// What the field means, in a line (a doc comment's lines, joined).
    pub fn doc(&self) -> &'static str {
        self.doc.trim()
    }
}

fn serialize_trimmed<S: serde::Serializer>(doc: &&'static str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(doc.trim())
}

/// The JSON type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    String,
    Integer,
    Number,
    Boolean,
    /// A list, compared as a whole (a set when sorted by the collector).
    List,
    /// An object whose keys are data (RDS parameters, load balancer attributes): any key below it is a valid
    /// path. The keys listed are the well-known ones, used to catch misspellings of them.
    Map(#[serde(skip)] &'static [&'static str]),
    /// A value that is stored redacted when it is or looks secret (`{"redacted": true, "fingerprint": ...}`),
    /// and compared as a whole.
    Secret,
    /// An object with fields of its own (`root_volume`), listed by [`Kind::leaves`] as `root_volume.size_gb`.
    Object(#[serde(skip)] &'static [Field]),
}

impl FieldType {
    /// The name `envparity kinds` shows.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::List => "list",
            FieldType::Map(_) => "map",
            FieldType::Secret => "value or secret",
            FieldType::Object(_) => "object",
        }
    }
}

/// Every kind of every collector.
#[derive(Debug, Clone, Copy)]
/// Groups (one per provider) of collectors' kind lists.
pub struct Catalogue(pub &'static [&'static [&'static [Kind]]]);

impl Catalogue {
    fn all(&self) -> impl Iterator<Item = &'static Kind> {
        self.0
            .iter()
            .flat_map(|group| group.iter())
            .flat_map(|kinds| kinds.iter())
    }

    /// The kinds, sorted by name.
    pub fn kinds(&self) -> Vec<&'static Kind> {
        let mut kinds: Vec<&'static Kind> = self.all().collect();
        kinds.sort_by_key(|k| k.name);
        kinds
    }

    /// The kind of that name; every custom resource's kind (`k8s.custom.GROUP/KIND`) is the one
    /// [`kubernetes::CUSTOM`], every other Terraform type's (`terraform.TYPE`) [`terraform::OTHER`].
    pub fn kind(&self, name: &str) -> Option<&'static Kind> {
        if let Some(&(_, kind, _)) = OPEN_KINDS.iter().find(|(prefix, ..)| name.starts_with(prefix)) {
            return Some(kind);
        }
        self.all().find(|k| k.name == name)
    }

    /// The names of the kinds of one provider's service: what a gap in it leaves unknown.
    pub fn kinds_of(&self, provider: &str, service: &str) -> Vec<&'static str> {
        self.kinds()
            .into_iter()
            .filter(|k| k.provider == provider && k.service == service)
            .map(|k| k.name)
            .collect()
    }

    /// The kinds a glob such as `aws.rds.*` names; a glob that names custom resources
    /// (`k8s.custom.monitoring.coreos.com/*`, `k8s.custom.**`) names [`kubernetes::CUSTOM`], one that names other
    /// Terraform types (`terraform.aws_iam_*`) [`terraform::OTHER`].
    pub fn matching(&self, glob: &DottedGlob) -> Vec<&'static Kind> {
        self.kinds()
            .into_iter()
            .filter(
                |k| match OPEN_KINDS.iter().find(|(_, open, _)| open.name == k.name) {
                    Some((prefix, _, example)) => glob.as_str().starts_with(prefix) || glob.matches(example),
                    None => glob.matches(k.name),
                },
            )
            .collect()
    }

    /// The closest kind name to a misspelt one.
    pub fn closest_kind(&self, found: &str) -> Option<&'static str> {
        let names: Vec<&str> = self.kinds().iter().map(|k| k.name).collect();
        closest(found, &names)
    }
}

/// Why a field pattern names nothing a kind has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldMiss {
    /// No such path. `near_miss` is a well-known map key one slip away; [`Kind::closest_path`] finds other
    /// suggestions, only when an error is reported (it is the costly part).
    Unknown { near_miss: Option<String> },
    /// A path inside a redacted secret (`value.fingerprint`): secrets are compared whole.
    InsideSecret { field: &'static str },
}

impl Kind {
    /// Checks that attributes are exactly what this kind's typed attributes write: no field it does not declare,
    /// no value of another type, nothing written differently. `Err` says what differs.
    pub fn check_typed(&self, attributes: &crate::snapshot::Attributes) -> Result<(), String> {
        let written = (self.attributes.roundtrip)(attributes.text())?;
        if written == attributes.text() {
            Ok(())
        } else {
            Err(format!("written back as {written}"))
        }
    }

    /// Every field that holds a value, as dotted paths (`root_volume.size_gb`), in the order declared.
    pub fn leaves(&self) -> impl Iterator<Item = &'static Field> {
        leaves(self.attributes.fields)
    }

    /// Checks that `pattern` names a field of this kind, a parent of one, or a key inside a map.
    pub fn check_field(&self, pattern: &DottedGlob) -> Result<(), FieldMiss> {
        let source = pattern.as_str();
        let mut near_miss_path = None;
        for field in self.leaves() {
            if pattern.covers(field.path) {
                return Ok(());
            }
            match field.ty {
                FieldType::Secret
                    if source
                        .strip_prefix(field.path)
                        .is_some_and(|r| r.starts_with('.')) =>
                {
                    return Err(FieldMiss::InsideSecret { field: field.path });
                }
                // Keys of a map are data; only a near miss of a well-known key is taken for a typo.
                FieldType::Map(known) => match below(source, field.path).map(|rest| near_miss(rest, known)) {
                    Some(None) => return Ok(()),
                    Some(Some(close)) => near_miss_path = Some(format!("{}.{close}", field.path)),
                    None => {}
                },
                _ => {}
            }
        }
        Err(FieldMiss::Unknown {
            near_miss: near_miss_path,
        })
    }

    /// The path of this kind closest to `pattern`, if one is close enough to be a typo of it.
    pub fn closest_path(&self, pattern: &str) -> Option<String> {
        let paths: Vec<String> = self.paths().collect();
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        closest(pattern, &paths).map(str::to_owned)
    }

    /// Every path a policy may name: the fields, their parents, and the well-known keys of maps.
    pub fn paths(&self) -> impl Iterator<Item = String> + '_ {
        self.leaves().flat_map(|f| {
            let parents = f.path.match_indices('.').map(|(i, _)| f.path[..i].to_owned());
            let keys: &[&str] = match f.ty {
                FieldType::Map(known) => known,
                _ => &[],
            };
            parents
                .chain(std::iter::once(f.path.to_owned()))
                .chain(keys.iter().map(|k| format!("{}.{k}", f.path)))
        })
    }
}

/// The rest of `pattern` below `field` (`parameters.max_connections` below `parameters` is `max_connections`),
/// when the pattern's leading segments name the field; a leading `**` may name any field.
fn below<'p>(pattern: &'p str, field: &str) -> Option<&'p str> {
    if let Some(rest) = pattern.strip_prefix("**.") {
        return Some(rest);
    }
    let depth = field.split('.').count();
    let mut cut = pattern.match_indices('.').map(|(i, _)| i);
    let end = cut.nth(depth - 1)?;
    let head = DottedGlob::new(&pattern[..end]).ok()?;
    head.matches(field).then(|| &pattern[end + 1..])
}

/// The well-known map key a literal key is one slip away from, if it is not itself well-known. Stricter than
/// [`closest`]: map keys are data, and a key two edits from a well-known one may be another real key.
fn near_miss<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    if key.contains('*') || known.contains(&key) {
        return None;
    }
    known
        .iter()
        .find(|k| strsim::damerau_levenshtein(key, k) <= 1 + usize::from(k.len() >= 16))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RDS: Kind = Kind {
        name: "aws.rds.instance",
        provider: "aws",
        service: "rds",
        tagged: true,
        tagging_types: &["rds:db"],
        doc: "",
        attributes: typed::Typed::of::<Rds>(),
    };

    crate::attributes! {
        pub struct Rds {
            pub engine_version: Option<String>,
            #[keys = &["max_connections"]]
            pub parameters: Option<typed::Map>,
            pub metadata: Option<Metadata>,
            pub value: Option<typed::Secret>,
        }
    }

    crate::attributes! {
        pub struct Metadata at "metadata" {
            pub http_tokens: Option<String>,
        }
    }

    fn check(pattern: &str) -> Result<(), FieldMiss> {
        RDS.check_field(&DottedGlob::new(pattern).unwrap())
    }

    fn suggestion(pattern: &str) -> Option<String> {
        match check(pattern) {
            Err(FieldMiss::Unknown { near_miss }) => near_miss.or_else(|| RDS.closest_path(pattern)),
            other => panic!("{pattern}: {other:?}"),
        }
    }

    #[test]
    fn fields_parents_and_map_keys_are_valid_paths() {
        for ok in [
            "engine_version",
            "engine_*",
            "metadata",
            "metadata.http_tokens",
            "parameters",
            "parameters.*",
            "parameters.max_connections",
            "parameters.anything_else",
            "parameters.a.b",
            "**.enabled",
            "value",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn misspelt_paths_get_the_closest_field() {
        assert_eq!(suggestion("engin_version").as_deref(), Some("engine_version"));
        assert_eq!(suggestion("valeu").as_deref(), Some("value"));
        assert_eq!(
            suggestion("parameters.max_conections").as_deref(),
            Some("parameters.max_connections")
        );
        assert_eq!(
            suggestion("metadata.http_token").as_deref(),
            Some("metadata.http_tokens")
        );
        assert_eq!(suggestion("zzz"), None);
    }

    #[test]
    fn paths_inside_a_secret_are_refused_with_the_field_to_name() {
        assert_eq!(
            check("value.fingerprint"),
            Err(FieldMiss::InsideSecret { field: "value" })
        );
    }
}
