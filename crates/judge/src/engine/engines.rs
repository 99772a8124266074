//! Dev parity: a developer's environment (Docker Compose) against a cloud one, where no kind pairs with another.
//! What must agree is the engines (does the laptop run the database prod runs, at its major version?) and the
//! config keys (does the app get every setting prod gives it?). Engines pair by engine, then by name where one
//! engine runs several times; what names cannot settle is reported as ambiguous, never guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::compare::version::Version;
use crate::compare::{Comparator, Granularity, Outcome, Sides};
use envparity_model::catalog::aws::{ecs, elasticache, lambda, rds, ssm};
use envparity_model::catalog::{compose, files, kubernetes as k8s};
use envparity_model::field;
use envparity_model::keys::ENV_PLACEHOLDER;
use envparity_model::snapshot::{Resource, Snapshot};

/// One database or cache one side runs.
pub(super) struct Engine<'s> {
    /// The engine family: postgres, mysql, mariadb, redis, valkey, memcached, mongodb.
    pub family: &'static str,
    pub version: Option<String>,
    pub resource: &'s Resource,
    /// Its key.
    pub key: &'s str,
    /// Its name without environment or separators, for pairing across providers: `orders-{env}-db` and the
    /// compose service `orders-db` both give `ordersdb`.
    pairing_name: String,
}

/// What comparing the engines of two sides found.
pub(super) enum EngineFinding<'s> {
    /// Prod runs an engine no dev engine pairs with.
    Missing { prod: Engine<'s>, dev_count: usize },
    /// Several engines of one family, and names that do not say which pairs with which.
    Ambiguous {
        prod: Engine<'s>,
        candidates: Vec<&'s str>,
    },
    /// A pair apart at the major version, or whose version one side does not say.
    Version {
        dev: Engine<'s>,
        prod: Engine<'s>,
        outcome: Outcome,
    },
}

/// The engine families of the provider-specific names: RDS's `aurora-postgresql` is PostgreSQL.
fn family(engine: &str) -> Option<&'static str> {
    Some(match engine {
        "postgres" | "aurora-postgresql" => "postgres",
        "mysql" | "aurora-mysql" | "aurora" => "mysql",
        "mariadb" => "mariadb",
        "redis" => "redis",
        "valkey" => "valkey",
        "memcached" => "memcached",
        "mongodb" | "docdb" => "mongodb",
        _ => return None,
    })
}

/// The engines a snapshot runs: compose engines, RDS databases and clusters, ElastiCache groups.
pub(super) fn engines<'s>(snapshot: &'s Snapshot, keys: &'s [String]) -> Vec<Engine<'s>> {
    const KINDS: &[&str] = &[
        compose::ENGINE.name,
        rds::INSTANCE.name,
        rds::CLUSTER.name,
        elasticache::REPLICATION_GROUP.name,
    ];
    let mut out = Vec::new();
    for (resource, key) in snapshot.resources.iter().zip(keys) {
        if !KINDS.contains(&resource.kind.as_str()) {
            continue;
        }
        let attributes = resource.attributes.parse();
        let Some(family) = attributes
            .get(field!(rds::Instance, engine))
            .and_then(Value::as_str)
            .and_then(family)
        else {
            continue;
        };
        out.push(Engine {
            family,
            version: attributes
                .get(field!(rds::Instance, engine_version))
                .and_then(Value::as_str)
                .map(str::to_owned),
            resource,
            key,
            pairing_name: pairing_name(key),
        });
    }
    out
}

fn pairing_name(key: &str) -> String {
    key.replace(ENV_PLACEHOLDER, "")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Pairs dev's engines with prod's, family by family, and judges each pair's major version. Returns the findings
/// and how many pairs were compared.
pub(super) fn compare<'s>(dev: Vec<Engine<'s>>, prod: Vec<Engine<'s>>) -> (Vec<EngineFinding<'s>>, usize) {
    let mut by_family: BTreeMap<&str, (Vec<Engine<'s>>, Vec<Engine<'s>>)> = BTreeMap::new();
    for e in dev {
        by_family.entry(e.family).or_default().0.push(e);
    }
    for e in prod {
        by_family.entry(e.family).or_default().1.push(e);
    }
    let mut findings = Vec::new();
    let mut pairs = Vec::new();
    for (_, (mut dev, prod)) in by_family {
        let dev_count = dev.len();
        let mut unpaired = Vec::new();
        for p in prod {
            match dev.iter().position(|d| d.pairing_name == p.pairing_name) {
                Some(i) => pairs.push((dev.remove(i), p)),
                None => unpaired.push(p),
            }
        }
        // What names did not pair: one of each left pairs; anything else is ambiguous or missing.
        if unpaired.len() == 1 && dev.len() == 1 {
            pairs.push((dev.remove(0), unpaired.remove(0)));
        }
        for p in unpaired {
            match dev.is_empty() {
                true => findings.push(EngineFinding::Missing { prod: p, dev_count }),
                false => findings.push(EngineFinding::Ambiguous {
                    candidates: dev.iter().map(|d| d.key).collect(),
                    prod: p,
                }),
            }
        }
    }
    let compared = pairs.len();
    let major = Comparator::new(Version(Granularity::Major));
    for (d, p) in pairs {
        let outcome = match (&d.version, &p.version) {
            (Some(dv), Some(pv)) => major.judge(
                Some(&Value::from(dv.as_str())),
                Some(&Value::from(pv.as_str())),
                Sides::DEV_PROD,
            ),
            (None, _) => Outcome::Fail("dev's image pins no version".into()),
            (_, None) => Outcome::Unknown("prod's version is unknown".into()),
        };
        if outcome != Outcome::Pass {
            findings.push(EngineFinding::Version {
                dev: d,
                prod: p,
                outcome,
            });
        }
    }
    (findings, compared)
}

/// The config keys a snapshot's applications get, normalized (`cache.ttl_seconds` is `CACHE_TTL_SECONDS`), each
/// with where it was first found (kind and key).
pub(super) fn config_keys<'s>(
    snapshot: &'s Snapshot,
    keys: &'s [String],
) -> BTreeMap<String, (&'s str, &'s str)> {
    let mut out = BTreeMap::new();
    let mut add = |name: &str, resource: &'s Resource, key: &'s str| {
        let normalized = normalize(name);
        if !normalized.is_empty() {
            out.entry(normalized).or_insert((resource.kind.as_str(), key));
        }
    };
    let with_environment = [lambda::FUNCTION.name, compose::SERVICE.name];
    let with_containers = [
        ecs::TASK_DEFINITION.name,
        k8s::DEPLOYMENT.name,
        k8s::STATEFULSET.name,
        k8s::DAEMONSET.name,
        k8s::JOB.name,
        k8s::CRONJOB.name,
    ];
    for (r, key) in snapshot.resources.iter().zip(keys) {
        match r.kind.as_str() {
            kind if kind == ssm::PARAMETER.name => {
                add(r.label().rsplit('/').next().unwrap_or_default(), r, key)
            }
            kind if kind == files::CONFIG.name => {
                add(key.rsplit_once(':').map_or(key.as_str(), |(_, k)| k), r, key)
            }
            kind if with_environment.contains(&kind) => {
                let attributes = r.attributes.parse();
                for name in names(attributes.get(field!(lambda::Function, environment_names))) {
                    add(name, r, key);
                }
            }
            kind if with_containers.contains(&kind) => {
                let attributes = r.attributes.parse();
                for container in attributes
                    .get(field!(ecs::TaskDefinition, containers))
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let (_, c) = container;
                    for field in ["environment_names", "env_names"] {
                        for name in names(c.get(field)) {
                            add(name, r, key);
                        }
                    }
                    for name in c
                        .get("secrets")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(k, _)| k)
                    {
                        add(name, r, key);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn names(value: Option<&Value>) -> impl Iterator<Item = &str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn normalize(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '.' | '-' | '/' | ' ' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect::<String>()
        .trim_matches('_')
        .to_owned()
}

/// The prod config keys that no dev application gets.
pub(super) fn missing_keys<'s>(
    dev: &BTreeMap<String, (&'s str, &'s str)>,
    prod: BTreeMap<String, (&'s str, &'s str)>,
) -> Vec<(String, (&'s str, &'s str))> {
    let have: BTreeSet<&String> = dev.keys().collect();
    prod.into_iter().filter(|(k, _)| !have.contains(k)).collect()
}

#[cfg(test)]
mod tests {
    use super::{normalize, pairing_name};

    #[test]
    fn names_across_providers() {
        assert_eq!(pairing_name("orders-{env}-db"), pairing_name("orders-db"));
        assert_eq!(pairing_name("sessions_{env}_redis"), "sessionsredis");
        assert_eq!(normalize("cache.ttl_seconds"), "CACHE_TTL_SECONDS");
        assert_eq!(normalize("LOG_LEVEL"), "LOG_LEVEL");
    }
}
