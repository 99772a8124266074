//! Fleets: an environment's (account, region) units, split into shards that separate processes collect, and the
//! parts merged back into one snapshot.
//!
//! Shards are balanced by rendezvous hashing with bounded loads: every shard gets ⌊units/N⌋ or ⌈units/N⌉
//! units, never more than one apart. Units are placed one at a time, in an order fixed by their own hash, each on
//! the shard it ranks highest among those with room. The order and each unit's ranking depend on the unit alone,
//! so adding an account moves few other units: only those whose shard filled up before their turn.

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

/// A stable 64-bit hash of some text.
fn hash(text: &str) -> u64 {
    let digest = Sha256::digest(text);
    u64::from_be_bytes(digest[..8].try_into().expect("a digest is 32 bytes"))
}

/// The shard (from 0 to `count - 1`) of each unit, in the order given: balanced to within one unit (see the
/// module's documentation). Every collector of the environment sees the same units, so each agrees on the whole
/// assignment.
pub fn assign(units: &[(&str, &str)], count: u32) -> Vec<u32> {
    let count = count.max(1);
    let (floor, extra) = (units.len() / count as usize, units.len() % count as usize);
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&i| (hash(&format!("{}/{}", units[i].0, units[i].1)), i));
    let mut loads = vec![0usize; count as usize];
    let mut full = 0; // Shards holding floor + 1: at most `extra` of them.
    let mut shards = vec![0u32; units.len()];
    for i in order {
        let (account, region) = units[i];
        let mut ranked: Vec<u32> = (0..count).collect();
        ranked.sort_by_key(|shard| std::cmp::Reverse(hash(&format!("{account}/{region}/{shard}"))));
        let shard = ranked
            .into_iter()
            .find(|&s| {
                let load = loads[s as usize];
                load < floor || (load == floor && full < extra)
            })
            .expect("the shards' room is the number of units");
        if loads[shard as usize] == floor {
            full += 1;
        }
        loads[shard as usize] += 1;
        shards[i] = shard;
    }
    shards
}

/// The units a shard (or a whole collection, `None`) collects, of the environment's `units`.
pub fn collected_by(shard: Option<Shard>, units: &[(&str, &str)]) -> Vec<bool> {
    match shard {
        None => vec![true; units.len()],
        Some(s) => assign(units, s.count).into_iter().map(|i| i == s.index).collect(),
    }
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
    let units: Vec<(&str, &str)> = fleet
        .accounts
        .iter()
        .flat_map(|a| fleet.regions.iter().map(move |r| (a.id.as_str(), r.as_str())))
        .collect();
    let mut missing = Vec::new();
    for (&(account, region), index) in units.iter().zip(assign(&units, count)) {
        if covered.contains(&(account, region)) {
            continue;
        }
        let shard = Shard { index, count };
        for service in &services {
            missing.push(Gap {
                provider: "aws".into(),
                service: (*service).to_owned(),
                account: Some(account.to_owned()),
                region: Some(region.to_owned()),
                kinds: CATALOGUE
                    .kinds_of("aws", service)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                error: format!("not collected: no part of shard {shard} holds this account and region"),
            });
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

    fn refs(units: &[(String, String)]) -> Vec<(&str, &str)> {
        units.iter().map(|(a, r)| (a.as_str(), r.as_str())).collect()
    }

    #[test]
    fn every_shard_holds_within_one_unit_of_every_other() {
        for accounts in [1, 2, 3, 5, 7, 50, 101] {
            for regions in [&["eu-west-1"][..], &["eu-west-1", "us-east-1"][..]] {
                let units = units(accounts, regions);
                for count in [1, 2, 3, 4, 7, 16] {
                    let mut sizes = vec![0usize; count as usize];
                    for shard in assign(&refs(&units), count) {
                        sizes[shard as usize] += 1;
                    }
                    let (least, most) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                    assert!(
                        most - least <= 1,
                        "{accounts} accounts, {count} shards: {sizes:?}"
                    );
                    assert_eq!(sizes.iter().sum::<usize>(), units.len());
                }
            }
        }
        // The case the README was wrong about: 6 units over 3 shards left shard 1 empty.
        let six = units(3, &["eu-west-1", "us-east-1"]);
        let mut sizes = [0; 3];
        for shard in assign(&refs(&six), 3) {
            sizes[shard as usize] += 1;
        }
        assert_eq!(sizes, [2, 2, 2]);
    }

    #[test]
    fn each_unit_is_collected_by_exactly_one_shard() {
        let units = units(20, &["eu-west-1", "us-east-1"]);
        let claims: Vec<usize> = (0..units.len())
            .map(|i| {
                (0..4)
                    .filter(|&index| collected_by(Some(Shard { index, count: 4 }), &refs(&units))[i])
                    .count()
            })
            .collect();
        assert!(claims.iter().all(|&n| n == 1), "{claims:?}");
    }

    #[test]
    fn adding_an_account_moves_few_other_units() {
        // Over many fleets: an account of two regions joins 100 accounts on 4 shards.
        let regions = ["eu-west-1", "us-east-1"];
        let before = units(100, &regions);
        let assigned = assign(&refs(&before), 4);
        let after = units(101, &regions);
        let reassigned = assign(&refs(&after), 4);
        let moved = assigned.iter().zip(&reassigned).filter(|(a, b)| a != b).count();
        // Rendezvous hashing alone would move none, but leaves shards uneven; with bounded loads, few move.
        assert!(moved <= 8, "{moved} of {} units moved", before.len());
    }

    /// A part of shard `index` of 2 over accounts 1 and 2 in one region, holding the units it collects.
    fn part(index: u32, gaps: Vec<Gap>) -> Snapshot {
        let mut part = Snapshot::new("prod", "2026-12-01T00:00:00Z");
        let shard = Shard { index, count: 2 };
        part.fleet = Some(envparity_model::snapshot::Fleet {
            tags: Default::default(),
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
        let units = [("1", "eu-west-1"), ("2", "eu-west-1")];
        for ((account, _), ours) in units.iter().zip(collected_by(Some(shard), &units)) {
            if ours {
                part.sources.push(envparity_model::snapshot::Source {
                    provider: "aws".into(),
                    service: "sqs".into(),
                    account: Some((*account).into()),
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

        let units = [("1", "eu-west-1"), ("2", "eu-west-1")];
        let held: Vec<&str> = units
            .iter()
            .zip(collected_by(Some(Shard { index: 1, count: 2 }), &units))
            .filter_map(|((account, _), ours)| ours.then_some(*account))
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
