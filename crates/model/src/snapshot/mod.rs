//! The snapshot model, schema `envparity/snapshot/v1`: what one environment looked like at one moment.

mod attributes;
mod io;
mod merge;
mod tags;
mod value;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use attributes::{Attributes, AttributesError};
pub use io::{SnapshotError, parse, to_json};
pub use merge::{MergeError, merge};
pub use tags::Tags;
pub use value::{is_redacted, redacted_fingerprint, redacted_masked, short, type_name};

/// The service of the sources and gaps that record what was not audited (the Resource Groups Tagging API): it
/// holds no resources of its own.
pub const COVERAGE_SERVICE: &str = "tagging";

/// The schema string this version of envparity reads and writes.
pub const SCHEMA: &str = "envparity/snapshot/v1";

/// One environment's resources, the sources they came from, and the gaps where collection failed.
///
/// Unknown fields are ignored, so that a v1 snapshot written by a newer envparity with extra fields still reads;
/// a snapshot of another schema version is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "envparity snapshot v1")]
pub struct Snapshot {
    /// Always `envparity/snapshot/v1`.
    pub schema: String,
    /// The environment's name, such as `staging` or `prod`.
    pub environment: String,
    /// When collection finished, RFC 3339 in UTC.
    pub collected_at: String,
    /// An identifier of the key secrets were fingerprinted with (derived from it, revealing nothing about it);
    /// absent when no key was set, or in snapshots written before it was recorded (an unknown key).
    /// Fingerprints made under different or unknown keys prove equal secrets, never different ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint_key_id: Option<String>,
    /// Where the resources came from, one entry per (provider, service, account, region) read completely.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// What could not be read. Kinds named here are unknown, never absent.
    #[serde(default)]
    pub gaps: Vec<Gap>,
    /// The resources, sorted by kind, key, account, region and id.
    #[serde(default)]
    pub resources: Vec<Resource>,
    /// Resource types found in the environment that no configured collector reads, with counts, per account
    /// and region (from the Resource Groups Tagging API, which sees resources that carry or carried tags).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unaudited: Vec<Unaudited>,
    /// The AWS accounts and regions the environment spans, as collection found them: for an organisation, the
    /// accounts discovery found and the unit each was found in. With `shard`, this snapshot is one part of a
    /// sharded collection, for `envparity merge`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet: Option<Fleet>,
}

/// The accounts and regions of an AWS environment: its (account, region) units are their product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Fleet {
    /// Sorted by id.
    pub accounts: Vec<FleetAccount>,
    pub regions: Vec<String>,
    /// Which part of a sharded collection this snapshot is; absent in a whole (or merged) snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// The tags every tagged resource had to carry to be collected (the environment's `tags`): a resource
    /// without them is not in the snapshot, whether or not it exists.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl Fleet {
    /// Whether collection could have seen a resource of this kind with these tags: an untagged kind, or all of the
    /// filter's tags.
    pub fn could_see(&self, kind: &str, tags: &Tags) -> bool {
        crate::catalog::CATALOGUE.kind(kind).is_some_and(|k| !k.tagged)
            || self.tags.iter().all(|(k, v)| tags.get(k) == Some(v))
    }
}

/// One account of an environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FleetAccount {
    pub id: String,
    /// The account's name in the organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The configured organizational unit (or one of its children) the account was found in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizational_unit: Option<String>,
}

/// The most shards a collection may be split into.
pub const MAX_SHARDS: u32 = 10_000;

/// The most (account, region) units a fleet may have: a thousand accounts in every region is far less.
pub const MAX_UNITS: usize = 1_000_000;

/// Shard `index` of `count` (`--shard INDEX/COUNT`, from 0 as Kubernetes' `JOB_COMPLETION_INDEX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `I/N` with `0 <= I < N`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad =
            || format!("{s:?} is not a shard: write INDEX/COUNT, such as 0/4 (INDEX from 0 to COUNT-1)");
        let (index, count) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            index.trim().parse().map_err(|_| bad())?,
            count.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        if count > MAX_SHARDS {
            return Err(format!("{s:?}: at most {MAX_SHARDS} shards"));
        }
        Ok(Shard { index, count })
    }
}

/// Resources of one type in one (account, region) that no configured collector reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Unaudited {
    pub provider: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The provider's type, as the tagging API names it: `states:stateMachine`, `ec2:volume`, `sqs`.
    #[serde(rename = "type")]
    pub resource_type: String,
    pub count: u64,
}

/// A (provider, service, account, region) that was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Source {
    pub provider: String,
    pub service: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `complete` when every call succeeded.
    pub status: SourceStatus,
    /// How many resources this source produced.
    #[serde(default)]
    pub resources: u64,
    /// How many API calls collecting it took.
    #[serde(default)]
    pub api_calls: u64,
    /// The configured scopes of this source that held nothing: an SSM path, a config file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub empty: Vec<String>,
    /// Read because the config named no services (`[collect] services` left to all), not because it named this
    /// one: when it holds nothing, that is coverage ("no resources"), not an `empty-source` finding.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_default: bool,
}

/// Whether a source was read completely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    Complete,
    Incomplete,
}

/// A part of the environment that could not be read: its kinds are unknown on this side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Gap {
    pub provider: String,
    pub service: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The kinds this gap leaves unknown.
    pub kinds: Vec<String>,
    /// The error that caused it, with its provider error code.
    pub error: String,
}

impl Gap {
    /// The error without the operation that met it (`DescribeInstances: x` is `x`): gaps of one cause (an
    /// unreachable endpoint, denied credentials, a broken file) have the same.
    pub fn cause(&self) -> &str {
        match self.error.split_once(": ") {
            Some((operation, rest))
                if operation.starts_with(|c: char| c.is_ascii_uppercase())
                    && operation.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                rest
            }
            _ => &self.error,
        }
    }
}

/// One normalized resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Resource {
    /// `provider.service.type`, such as `aws.rds.instance`.
    pub kind: String,
    /// The logical key that pairs this resource with its counterpart; derived from `name` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The provider's identifier (an ARN, a file path). Never compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Where other resources and applications reach it: endpoint hostnames, DNS names, addresses, URLs. Never
    /// compared; a value of the other environment that holds one is reported (`references-prod`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<String>,
    /// Normalized, comparable values: scalars, sorted arrays for sets, and objects.
    #[serde(default)]
    pub attributes: Attributes,
}

impl Resource {
    /// The best human label: the name, else the key, else the id.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .or(self.key.as_deref())
            .or(self.id.as_deref())
            .unwrap_or("")
    }
}

/// Whether an environment name can name a file and a folder (`ENV.json`, `--history DIR/ENV/`): letters,
/// digits, `-`, `_` and `.`, not starting with `.`, at most 100 bytes. The config holds its names to it, and a
/// name read from a snapshot is checked against it before it becomes a path.
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl Snapshot {
    /// An empty snapshot of `environment` taken at `collected_at`.
    pub fn new(environment: impl Into<String>, collected_at: impl Into<String>) -> Self {
        Snapshot {
            schema: SCHEMA.to_owned(),
            environment: environment.into(),
            collected_at: collected_at.into(),
            fingerprint_key_id: None,
            sources: Vec::new(),
            gaps: Vec::new(),
            resources: Vec::new(),
            unaudited: Vec::new(),
            fleet: None,
        }
    }

    /// Puts sources, gaps and resources in their canonical order, so equal content gives equal bytes.
    pub fn normalize(&mut self) {
        self.sources.sort_by(|a, b| {
            (&a.provider, &a.service, &a.account, &a.region).cmp(&(
                &b.provider,
                &b.service,
                &b.account,
                &b.region,
            ))
        });
        for gap in &mut self.gaps {
            gap.kinds.sort();
            gap.kinds.dedup();
        }
        self.gaps.sort_by(|a, b| {
            (&a.provider, &a.service, &a.account, &a.region, &a.kinds).cmp(&(
                &b.provider,
                &b.service,
                &b.account,
                &b.region,
                &b.kinds,
            ))
        });
        // Resources are large: their order is found among their positions, then made by swaps in place.
        let mut order: Vec<usize> = (0..self.resources.len()).collect();
        order.sort_by(|&a, &b| sort_key(&self.resources[a]).cmp(&sort_key(&self.resources[b])));
        permute(&mut self.resources, order);
        if let Some(fleet) = &mut self.fleet {
            fleet.accounts.sort_by(|a, b| a.id.cmp(&b.id));
            fleet.accounts.dedup_by(|a, b| a.id == b.id);
            fleet.regions.sort();
            fleet.regions.dedup();
        }
        self.unaudited.sort_by(|a, b| {
            (&a.provider, &a.resource_type, &a.account, &a.region).cmp(&(
                &b.provider,
                &b.resource_type,
                &b.account,
                &b.region,
            ))
        });
    }

    /// Whether this snapshot is an environment as Terraform says it is and `actual` the same environment as it was
    /// found (`diff prod-terraform.json prod-live.json`): resources pair by identifier, and differences are changes
    /// made outside Terraform.
    pub fn is_desired_of(&self, actual: &Snapshot) -> bool {
        self.environment == actual.environment && self.from_terraform() && !actual.from_terraform()
    }

    /// True when every source of the snapshot is a Terraform state or plan: the environment as Terraform says it
    /// is, not as it was found.
    pub fn from_terraform(&self) -> bool {
        !self.sources.is_empty() && self.sources.iter().all(|s| s.provider == "terraform")
    }

    /// True when a complete source of the snapshot reads the kind: its absence there is known.
    pub fn reads(&self, kind: &str) -> bool {
        self.sources.iter().any(|s| {
            crate::catalog::CATALOGUE
                .kinds_of(&s.provider, &s.service)
                .contains(&kind)
        })
    }

    /// True when the kind is named by one of this snapshot's gaps, itself or as the catalogue's kind of every
    /// custom resource or other Terraform type it is one of.
    pub fn has_gap_for(&self, kind: &str) -> bool {
        if self.gaps.is_empty() {
            return false;
        }
        let open = crate::catalog::CATALOGUE.kind(kind).map(|k| k.name);
        self.gaps
            .iter()
            .any(|gap| gap.kinds.iter().any(|k| k == kind || Some(k.as_str()) == open))
    }
}

/// Reorders `items` so that the item at position `i` is the one that was at `order[i]` (`order` holds each
/// position once): each cycle of the permutation followed once, by swaps.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut at = start;
        // A position whose item is in place says so (`order[at] == at`), so that each cycle is followed once.
        while order[at] != at {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

fn sort_key(r: &Resource) -> (&str, &str, &Option<String>, &Option<String>, &Option<String>) {
    (
        &r.kind,
        r.key.as_deref().or(r.name.as_deref()).unwrap_or(""),
        &r.account,
        &r.region,
        &r.id,
    )
}

/// Where a source or gap is, for messages: "111111111111 eu-west-1", or "" for sources without either.
pub fn place(account: &Option<String>, region: &Option<String>) -> String {
    [account.as_deref(), region.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Attributes flattened to dotted paths: objects are walked, arrays and redacted secrets are leaves.
///
/// `{"parameters": {"max_connections": "200"}}` gives `parameters.max_connections`.
pub fn flatten(attributes: &BTreeMap<String, Value>) -> BTreeMap<String, &Value> {
    fn walk<'a>(prefix: &mut String, value: &'a Value, out: &mut BTreeMap<String, &'a Value>) {
        match value {
            Value::Object(map) if !map.is_empty() && !is_redacted(value) => {
                for (k, v) in map {
                    let len = prefix.len();
                    prefix.push('.');
                    prefix.push_str(k);
                    walk(prefix, v, out);
                    prefix.truncate(len);
                }
            }
            _ => {
                out.insert(prefix.clone(), value);
            }
        }
    }
    let mut out = BTreeMap::new();
    for (k, v) in attributes {
        let mut prefix = k.clone();
        walk(&mut prefix, v, &mut out);
    }
    out
}

/// True for `provider.service.type` (or `provider.type`, as in `file.config`) in lowercase letters, digits and
/// underscores; and for a custom resource's `k8s.custom.GROUP/Kind`, its API group a DNS name and its kind a
/// Kubernetes kind name (`k8s.custom.monitoring.coreos.com/ServiceMonitor`). A Terraform type's kind
/// (`terraform.aws_iam_role`) is of the first form.
pub fn is_valid_kind(kind: &str) -> bool {
    if let Some(custom) = kind.strip_prefix(crate::catalog::kubernetes::CUSTOM_PREFIX) {
        return custom.split_once('/').is_some_and(|(group, name)| {
            (1..=253).contains(&group.len())
                && group.split('.').all(|label| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                })
                && (1..=63).contains(&name.len())
                && name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    }
    let segments: Vec<&str> = kind.split('.').collect();
    (2..=3).contains(&segments.len())
        && segments.iter().all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::{is_valid_kind, permute};

    #[test]
    fn permuting_by_a_stable_sort_s_order_sorts_as_the_stable_sort_does() {
        // Pairs (key, serial), many keys alike, in a scrambled order: equal keys keep their serials' order.
        let mut seed = 7u64;
        let mut items: Vec<(u64, usize)> = (0..2000)
            .map(|serial| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 58, serial)
            })
            .collect();
        for len in [0, 1, 2, 3, 17, items.len()] {
            let items = &mut items[..len];
            let mut sorted = items.to_vec();
            sorted.sort_by_key(|&(key, _)| key);
            let mut order: Vec<usize> = (0..items.len()).collect();
            order.sort_by_key(|&i| items[i].0);
            permute(items, order);
            assert_eq!(items, &sorted[..]);
        }
    }

    #[test]
    fn kinds_are_dotted_lowercase_or_a_custom_resource_s_group_and_kind() {
        for kind in [
            "aws.rds.instance",
            "file.config",
            "k8s.custom.monitoring.coreos.com/ServiceMonitor",
            "k8s.custom.argoproj.io/Rollout",
        ] {
            assert!(is_valid_kind(kind), "{kind}");
        }
        for kind in [
            "AWS.rds.instance",
            "aws.rds.instance.extra",
            "k8s.custom.monitoring.coreos.com",
            "k8s.custom.Monitoring.io/X",
            "k8s.custom.example.com/lowercase",
            "k8s.custom.example..com/Kind",
            "k8s.custom./Kind",
            "k8s.custom.example.com/Kind<script>",
            "k8s.custom.example.com/Kind/Other",
        ] {
            assert!(!is_valid_kind(kind), "{kind}");
        }
    }

    #[test]
    fn resources_a_snapshot_cannot_hold_become_gaps_and_what_is_left_reads_back() {
        let resource = |kind: &str, name: &str| {
            serde_json::from_value::<super::Resource>(serde_json::json!({
                "kind": kind, "name": name, "id": format!("arn:aws:s3:::{name}"), "attributes": {}
            }))
            .unwrap()
        };
        let mut snapshot = super::Snapshot::new("prod", "2026-12-07T00:00:00Z");
        snapshot.resources = vec![
            resource("aws.s3.bucket", "shop-prod-assets"),
            resource("terraform.<redacted>", "masked"),
            resource("aws.s3.bucket", "shop-prod-assets"),
            resource("aws.s3.bucket", "shop-prod-logs"),
        ];
        snapshot.gap_unreadable_resources();
        let names: Vec<&str> = snapshot.resources.iter().map(super::Resource::label).collect();
        assert_eq!(names, ["shop-prod-assets", "shop-prod-logs"]);
        let gaps: Vec<(&str, &str, &[String], &str)> = snapshot
            .gaps
            .iter()
            .map(|g| {
                (
                    g.provider.as_str(),
                    g.service.as_str(),
                    &g.kinds[..],
                    g.error.as_str(),
                )
            })
            .collect();
        assert_eq!(
            gaps,
            [
                (
                    "terraform",
                    "<redacted>",
                    &[][..],
                    "\"terraform.<redacted>\" is not a kind of the form provider.service.type in lowercase, such as \
                     \"aws.rds.instance\", or a custom resource's k8s.custom.GROUP/Kind"
                ),
                (
                    "aws",
                    "s3",
                    &["aws.s3.bucket".to_owned()][..],
                    "duplicate resource: aws.s3.bucket \"shop-prod-assets\" appears twice"
                ),
            ]
        );
        let text = super::to_json(&mut snapshot);
        super::parse(text.as_bytes(), "written.json".as_ref()).expect("what is left reads back");
    }
}
