//! Fleets: an environment's (account, region) units, split into shards that separate processes collect, and the
//! parts merged back into one snapshot.
//!
//! A unit's shard is chosen by rendezvous hashing of the unit alone: adding an account moves none of the other
//! units, and going from N to N+1 shards moves only the units the new shard wins (about 1 in N+1).

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use super::SERVICES;
use envparity_model::catalog::CATALOGUE;
use envparity_model::snapshot::{self, Gap, MergeError, Shard, Snapshot};

/// One (account, region) of an environment: what a shard is made of.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Unit {
    pub account: String,
    pub region: String,
}

/// The shard (from 0 to `count - 1`) that collects a unit: the shard whose hash with the unit is highest.
pub fn shard_of(account: &str, region: &str, count: u32) -> u32 {
    (0..count)
        .max_by_key(|shard| {
            let digest = Sha256::digest(format!("{account}/{region}/{shard}"));
            u64::from_be_bytes(digest[..8].try_into().expect("a digest is 32 bytes"))
        })
        .unwrap_or(0)
}

/// Whether `shard` (or a whole collection, `None`) collects the unit.
pub fn collects(shard: Option<Shard>, account: &str, region: &str) -> bool {
    shard.is_none_or(|s| shard_of(account, region, s.count) == s.index)
}

/// Whether `shard` collects the sources of no account or region (config files, Compose files, manifests): the
/// first shard does.
pub fn collects_local(shard: Option<Shard>) -> bool {
    shard.is_none_or(|s| s.index == 0)
}

/// Merges the parts of one environment, whether shards of one collection or snapshots collected apart. When
/// they are shards, every (account, region) of the fleet that no part holds (a shard's part is missing, or its
/// discovery saw an account the others did not) becomes a gap naming the shard that should have collected it.
pub fn merge_parts(parts: Vec<Snapshot>) -> Result<Snapshot, MergeError> {
    let count = parts
        .iter()
        .filter_map(|p| p.fleet.as_ref()?.shard)
        .map(|s| s.count)
        .next();
    let mut merged = snapshot::merge(parts)?;
    let (Some(count), Some(fleet)) = (count, merged.fleet.clone()) else {
        return Ok(merged);
    };
    let covered: BTreeSet<(&str, &str)> = merged
        .sources
        .iter()
        .filter_map(|s| Some((s.account.as_deref()?, s.region.as_deref()?)))
        .chain(
            merged
                .gaps
                .iter()
                .filter_map(|g| Some((g.account.as_deref()?, g.region.as_deref()?))),
        )
        .collect();
    // The services the parts read; every one when no part says.
    let mut services: BTreeSet<&str> = merged
        .sources
        .iter()
        .map(|s| (&s.provider, &s.service))
        .chain(merged.gaps.iter().map(|g| (&g.provider, &g.service)))
        .filter(|(provider, service)| *provider == "aws" && !CATALOGUE.kinds_of("aws", service).is_empty())
        .map(|(_, service)| service.as_str())
        .collect();
    if services.is_empty() {
        services = SERVICES.iter().map(|s| s.name()).collect();
    }
    let mut missing = Vec::new();
    for account in &fleet.accounts {
        for region in &fleet.regions {
            if covered.contains(&(account.id.as_str(), region.as_str())) {
                continue;
            }
            let shard = Shard {
                index: shard_of(&account.id, region, count),
                count,
            };
            for service in &services {
                missing.push(Gap {
                    provider: "aws".into(),
                    service: (*service).to_owned(),
                    account: Some(account.id.clone()),
                    region: Some(region.clone()),
                    kinds: CATALOGUE
                        .kinds_of("aws", service)
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                    error: format!("not collected: no part of shard {shard} holds this account and region"),
                });
            }
        }
    }
    merged.gaps.extend(missing);
    merged.normalize();
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(accounts: u32, regions: &[&str]) -> Vec<(String, String)> {
        (0..accounts)
            .flat_map(|a| {
                regions
                    .iter()
                    .map(move |r| (format!("{:012}", 100 + a), (*r).to_owned()))
            })
            .collect()
    }

    #[test]
    fn every_unit_has_exactly_one_shard_and_shards_are_roughly_even() {
        let units = units(100, &["eu-west-1", "us-east-1"]);
        let mut sizes = [0u32; 4];
        for (account, region) in &units {
            let shard = shard_of(account, region, 4);
            sizes[shard as usize] += 1;
            let claimed = (0..4)
                .filter(|&i| collects(Some(Shard { index: i, count: 4 }), account, region))
                .count();
            assert_eq!(claimed, 1);
        }
        assert!(sizes.iter().all(|&n| (30..=70).contains(&n)), "{sizes:?}");
    }

    #[test]
    fn adding_an_account_moves_no_unit_and_adding_a_shard_moves_few() {
        let before = units(100, &["eu-west-1", "us-east-1"]);
        let assigned: Vec<u32> = before.iter().map(|(a, r)| shard_of(a, r, 4)).collect();
        let after = units(101, &["eu-west-1", "us-east-1"]);
        for ((a, r), shard) in after.iter().zip(&assigned) {
            assert_eq!(shard_of(a, r, 4), *shard);
        }
        let moved = before
            .iter()
            .zip(&assigned)
            .filter(|((a, r), shard)| shard_of(a, r, 5) != **shard)
            .count();
        // Only the units the fifth shard wins move: about a fifth, never more than a third.
        assert!(moved > 0 && moved < before.len() / 3, "{moved}");
        assert!(
            before
                .iter()
                .zip(&assigned)
                .all(|((a, r), shard)| shard_of(a, r, 5) == *shard || shard_of(a, r, 5) == 4)
        );
    }

    /// A part of shard `index` of 2 over accounts 1 and 2 in one region, holding the units it collects.
    fn part(index: u32, gaps: Vec<Gap>) -> Snapshot {
        let mut part = Snapshot::new("prod", "2026-12-01T00:00:00Z");
        let shard = Shard { index, count: 2 };
        part.fleet = Some(envparity_model::snapshot::Fleet {
            accounts: ["1", "2"]
                .map(|id| envparity_model::snapshot::FleetAccount {
                    id: id.into(),
                    name: None,
                    organizational_unit: None,
                })
                .to_vec(),
            regions: vec!["eu-west-1".into()],
            shard: Some(shard),
        });
        for account in ["1", "2"] {
            if collects(Some(shard), account, "eu-west-1") {
                part.sources.push(envparity_model::snapshot::Source {
                    provider: "aws".into(),
                    service: "sqs".into(),
                    account: Some(account.into()),
                    region: Some("eu-west-1".into()),
                    status: envparity_model::snapshot::SourceStatus::Complete,
                    resources: 0,
                    api_calls: 1,
                    empty: Vec::new(),
                    by_default: false,
                });
            }
        }
        part.gaps = gaps;
        part
    }

    #[test]
    fn a_missing_part_leaves_its_units_as_gaps_and_an_environment_wide_gap_is_kept_once() {
        let discovery = Gap {
            provider: "aws".into(),
            service: "organizations".into(),
            account: None,
            region: None,
            kinds: vec!["aws.sqs.queue".into()],
            error: "AccessDenied".into(),
        };
        let whole = merge_parts(vec![
            part(0, vec![discovery.clone()]),
            part(1, vec![discovery.clone()]),
        ])
        .unwrap();
        assert_eq!(whole.gaps, std::slice::from_ref(&discovery));
        // Each shard says it in its own words: one gap, with both.
        let mut denied = discovery.clone();
        denied.error = "Throttling".into();
        let whole = merge_parts(vec![part(0, vec![discovery]), part(1, vec![denied])]).unwrap();
        assert_eq!(whole.gaps.len(), 1);
        assert_eq!(whole.gaps[0].error, "AccessDenied; Throttling");
        assert_eq!(whole.sources.len(), 2);
        assert_eq!(whole.fleet.as_ref().unwrap().shard, None);

        let held: Vec<&str> = ["1", "2"]
            .into_iter()
            .filter(|a| collects(Some(Shard { index: 1, count: 2 }), a, "eu-west-1"))
            .collect();
        assert!(
            !held.is_empty() && held.len() < 2,
            "shard 1 holds one of the two units"
        );
        let partial = merge_parts(vec![part(0, Vec::new())]).unwrap();
        let missing: Vec<(&str, &str)> = partial
            .gaps
            .iter()
            .map(|g| (g.account.as_deref().unwrap(), g.service.as_str()))
            .collect();
        assert_eq!(missing, held.iter().map(|a| (*a, "sqs")).collect::<Vec<_>>());
        assert!(partial.gaps.iter().all(|g| g.error.contains("shard 1/2")));
    }

    #[test]
    fn parts_of_different_splits_or_one_shard_twice_are_refused() {
        let mut other = part(0, Vec::new());
        other.fleet.as_mut().unwrap().shard = Some(Shard { index: 1, count: 3 });
        let e = merge_parts(vec![part(0, Vec::new()), other])
            .unwrap_err()
            .to_string();
        assert!(e.contains("shards of different splits"), "{e}");
        let e = merge_parts(vec![part(1, Vec::new()), part(1, Vec::new())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("shard 1/2 is given twice"), "{e}");
    }

    #[test]
    fn shards_parse_from_index_and_count() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["3/3", "0/0", "1", "-1/3", "a/b", "1/3/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
