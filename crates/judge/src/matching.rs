//! Pairing: which staging resource is which prod resource.
//!
//! Every resource has a logical key ([`envparity_model::keys`]). Resources of one kind with equal keys pair; two resources of one kind with the same key on one side are an ambiguity, never paired at random.

use std::borrow::Cow;
use std::collections::BTreeMap;

use envparity_model::keys::KeyRule;
use envparity_model::snapshot::{Resource, Snapshot};

/// One resource on each side with the same kind and key. Resources told apart by region only have the region
/// in their key: `jobs-{env}@us-east-1`.
#[derive(Debug, Clone)]
pub struct Pair<'a> {
    pub key: Cow<'a, str>,
    pub staging: &'a Resource,
    pub prod: &'a Resource,
}

/// A resource found on one side only.
#[derive(Debug, Clone)]
pub struct Unpaired<'a> {
    pub key: Cow<'a, str>,
    pub resource: &'a Resource,
}

/// Several resources of one kind share a key on one side: which pairs with which is unknown.
#[derive(Debug, Clone)]
pub struct Ambiguity<'a> {
    pub kind: &'a str,
    pub key: &'a str,
    pub staging: Vec<&'a Resource>,
    pub prod: Vec<&'a Resource>,
}

/// The outcome of pairing two snapshots; every list is sorted by kind, then key.
#[derive(Debug, Default)]
pub struct Pairing<'a> {
    pub paired: Vec<Pair<'a>>,
    pub only_in_staging: Vec<Unpaired<'a>>,
    pub only_in_prod: Vec<Unpaired<'a>>,
    pub ambiguous: Vec<Ambiguity<'a>>,
}

/// The logical keys of one snapshot's resources, in the snapshot's order.
pub fn keys_of(snapshot: &Snapshot, rule: &KeyRule) -> Vec<String> {
    snapshot.resources.iter().map(|r| rule.key_of(r)).collect()
}

/// How one environment's resources pair with themselves (a Terraform state against the live environment): by
/// identifier (ARN, id) where the other snapshot holds a resource of the kind with that identifier, else by name
/// (one side may not know the identifier: an API that does not return it).
pub fn identifiers_of(snapshot: &Snapshot, other: &Snapshot) -> Vec<String> {
    let theirs: std::collections::HashSet<(&str, &str)> = other
        .resources
        .iter()
        .filter_map(|r| Some((r.kind.as_str(), r.id.as_deref()?)))
        .collect();
    snapshot
        .resources
        .iter()
        .map(|r| match &r.id {
            Some(id) if theirs.contains(&(r.kind.as_str(), id.as_str())) => id.clone(),
            _ => r.name.clone().unwrap_or_else(|| r.label().to_owned()),
        })
        .collect()
}

/// Pairs two snapshots whose keys were computed by [`keys_of`].
pub fn pair<'a>(
    staging: &'a Snapshot,
    staging_keys: &'a [String],
    prod: &'a Snapshot,
    prod_keys: &'a [String],
) -> Pairing<'a> {
    type Sides<'a> = (Vec<&'a Resource>, Vec<&'a Resource>);
    let mut groups: BTreeMap<(&'a str, &'a str), Sides<'a>> = BTreeMap::new();
    for (r, key) in staging.resources.iter().zip(staging_keys) {
        groups.entry((&r.kind, key)).or_default().0.push(r);
    }
    for (r, key) in prod.resources.iter().zip(prod_keys) {
        groups.entry((&r.kind, key)).or_default().1.push(r);
    }

    let mut pairing = Pairing::default();
    for ((kind, key), (s, p)) in groups {
        match (s.as_slice(), p.as_slice()) {
            ([staging], [prod]) => pairing.paired.push(Pair {
                key: key.into(),
                staging,
                prod,
            }),
            ([resource], []) => pairing.only_in_staging.push(Unpaired {
                key: key.into(),
                resource,
            }),
            ([], [resource]) => pairing.only_in_prod.push(Unpaired {
                key: key.into(),
                resource,
            }),
            _ if !pair_by_region(key, &s, &p, &mut pairing) => pairing.ambiguous.push(Ambiguity {
                kind,
                key,
                staging: s,
                prod: p,
            }),
            _ => {}
        }
    }
    pairing
}

/// Several resources share a key on one side: when each is in a region of its own (one deployment per region,
/// the same names in each), they pair region by region, and a region one side lacks is one-sided. Returns
/// false, adding nothing, when the regions do not tell them apart.
fn pair_by_region<'a>(
    key: &'a str,
    staging: &[&'a Resource],
    prod: &[&'a Resource],
    pairing: &mut Pairing<'a>,
) -> bool {
    type Sides<'a> = (Option<&'a Resource>, Option<&'a Resource>);
    let mut regions: BTreeMap<&str, Sides<'a>> = BTreeMap::new();
    for (resources, is_staging) in [(staging, true), (prod, false)] {
        for r in resources {
            let Some(region) = r.region.as_deref() else {
                return false;
            };
            let slot = regions.entry(region).or_default();
            let side = if is_staging { &mut slot.0 } else { &mut slot.1 };
            if side.replace(r).is_some() {
                return false; // Two of one key in one region: the region does not tell them apart.
            }
        }
    }
    for (region, (staging, prod)) in regions {
        let key = Cow::Owned(format!("{key}@{region}"));
        match (staging, prod) {
            (Some(staging), Some(prod)) => pairing.paired.push(Pair { key, staging, prod }),
            (Some(resource), None) => pairing.only_in_staging.push(Unpaired { key, resource }),
            (None, Some(resource)) => pairing.only_in_prod.push(Unpaired { key, resource }),
            (None, None) => unreachable!("a region is listed because a resource is in it"),
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_in_several_regions_pairs_region_by_region() {
        let snapshot = |env: &str, regions: &[&str]| -> Snapshot {
            let resources: Vec<_> = regions
                .iter()
                .map(|r| serde_json::json!({"kind": "aws.sqs.queue", "name": format!("jobs-{env}"), "region": r}))
                .collect();
            serde_json::from_value(serde_json::json!({
                "schema": "envparity/snapshot/v1", "environment": env,
                "collected_at": "2026-11-27T12:00:00Z", "resources": resources,
            }))
            .unwrap()
        };
        let staging = snapshot("staging", &["eu-west-1", "us-east-1"]);
        let prod = snapshot("prod", &["eu-west-1", "us-east-1", "ap-south-1"]);
        let (sk, pk) = (
            keys_of(&staging, &KeyRule::for_environment("staging")),
            keys_of(&prod, &KeyRule::for_environment("prod")),
        );
        let pairing = pair(&staging, &sk, &prod, &pk);
        let keys: Vec<&str> = pairing.paired.iter().map(|p| p.key.as_ref()).collect();
        assert_eq!(keys, ["jobs-{env}@eu-west-1", "jobs-{env}@us-east-1"]);
        assert_eq!(pairing.only_in_prod.len(), 1);
        assert!(pairing.ambiguous.is_empty());

        // Two of one name in one region: still ambiguous, never paired at random.
        let twice = snapshot("staging", &["eu-west-1", "eu-west-1"]);
        let tk = keys_of(&twice, &KeyRule::for_environment("staging"));
        let pairing = pair(&twice, &tk, &prod, &pk);
        assert_eq!((pairing.paired.len(), pairing.ambiguous.len()), (0, 1));
    }
}
