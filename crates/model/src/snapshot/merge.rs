//! Merging snapshots of one environment collected separately (per account or region, as a CI matrix or
//! Kubernetes Jobs) into one.

use super::{Snapshot, SnapshotError, place};

/// Why snapshots cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give at least one snapshot")]
    Empty,
    #[error("snapshots of different environments cannot be merged: {0:?} and {1:?}")]
    Environments(String, String),
    #[error(
        "{provider} {service} {place} is in more than one snapshot: collect each (service, account, region) once"
    )]
    Overlap {
        provider: String,
        service: String,
        place: String,
    },
    #[error(
        "snapshots whose secrets were fingerprinted with different keys cannot be merged ({0} and {1}): collect \
         every part with the same ENVPARITY_FINGERPRINT_KEY"
    )]
    FingerprintKeys(String, String),
    #[error(
        "shards of different splits cannot be merged ({0} and {1}): merge the parts of one sharded collection"
    )]
    ShardCounts(super::Shard, super::Shard),
    #[error("shard {0} is given twice: merge each part once")]
    ShardTwice(super::Shard),
    #[error(
        "a part was collected with ENVPARITY_FINGERPRINT_KEY ({0}) and another without one: collect every part with \
         the same key (its secrets could not be compared)"
    )]
    FingerprintKeyMissing(String),
    #[error(
        "{kind} {key:?} in {place} of a part is not covered by any source or gap of that part: a part holds only \
         what it collected"
    )]
    Uncovered {
        kind: String,
        key: String,
        place: String,
    },
    #[error(transparent)]
    Invalid(#[from] SnapshotError),
}

/// The gaps, with those of no account that name the same (provider, service, region) made one: each shard of an
/// environment whose accounts could not be learned records the same unknown. Their errors are joined when they
/// differ. A gap of an account is a unit's, and two of one unit stay two (merging refuses them).
fn one_per_place(gaps: Vec<super::Gap>) -> Vec<super::Gap> {
    let mut out: Vec<super::Gap> = Vec::with_capacity(gaps.len());
    let mut places: std::collections::HashMap<(String, String, Option<String>), usize> = Default::default();
    for gap in gaps {
        if gap.account.is_some() {
            out.push(gap);
            continue;
        }
        let place = (gap.provider.clone(), gap.service.clone(), gap.region.clone());
        match places.get(&place) {
            Some(&i) => {
                let kept = &mut out[i];
                if !kept.error.split("; ").any(|e| e == gap.error) {
                    kept.error = format!("{}; {}", kept.error, gap.error);
                }
                kept.kinds.extend(gap.kinds);
            }
            None => {
                places.insert(place, out.len());
                out.push(gap);
            }
        }
    }
    out
}

/// Refuses a part holding a resource of an account and region that none of its sources or gaps covers (for an
/// AWS kind, of its service too): merged, it would be taken for another part's.
fn covered_by_its_sources(part: &Snapshot) -> Result<(), MergeError> {
    let units: std::collections::HashSet<(&str, &str, &str, &str)> = part
        .sources
        .iter()
        .map(|s| (&s.provider, &s.service, &s.account, &s.region))
        .chain(
            part.gaps
                .iter()
                .map(|g| (&g.provider, &g.service, &g.account, &g.region)),
        )
        .filter_map(|(p, s, a, r)| Some((p.as_str(), s.as_str(), a.as_deref()?, r.as_deref()?)))
        .collect();
    for r in &part.resources {
        let (Some(account), Some(region)) = (r.account.as_deref(), r.region.as_deref()) else {
            continue;
        };
        let mut segments = r.kind.split('.');
        let (provider, service) = (
            segments.next().unwrap_or_default(),
            segments.next().unwrap_or_default(),
        );
        let covered = units.iter().any(|&(p, s, a, reg)| {
            a == account && reg == region && p == provider && (provider != "aws" || s == service)
        });
        if !covered {
            return Err(MergeError::Uncovered {
                kind: r.kind.clone(),
                key: r.label().to_owned(),
                place: place(&r.account, &r.region),
            });
        }
    }
    Ok(())
}

/// Combines snapshots of one environment: sources and resources are joined, every gap is kept, and the result
/// carries the latest collection time. A (provider, service, account, region) read, or failed, in two inputs
/// is refused: one of them would silently win.
pub fn merge(snapshots: Vec<Snapshot>) -> Result<Snapshot, MergeError> {
    let mut shards: Vec<super::Shard> = snapshots.iter().filter_map(|s| s.fleet.as_ref()?.shard).collect();
    shards.sort();
    for pair in shards.windows(2) {
        match (pair[0], pair[1]) {
            (a, b) if a.count != b.count => return Err(MergeError::ShardCounts(a, b)),
            (a, b) if a == b => return Err(MergeError::ShardTwice(a)),
            _ => {}
        }
    }
    for part in &snapshots {
        covered_by_its_sources(part)?;
    }
    let mut inputs = snapshots.into_iter();
    let mut merged = inputs.next().ok_or(MergeError::Empty)?;
    for next in inputs {
        if next.environment != merged.environment {
            return Err(MergeError::Environments(merged.environment, next.environment));
        }
        merged.collected_at = merged.collected_at.max(next.collected_at);
        // One key for all, or none for all: a part without a key id may hold fingerprints of any key.
        match (&merged.fingerprint_key_id, next.fingerprint_key_id) {
            (Some(a), Some(b)) if *a != b => return Err(MergeError::FingerprintKeys(a.clone(), b)),
            (Some(a), None) => return Err(MergeError::FingerprintKeyMissing(a.clone())),
            (None, Some(b)) => return Err(MergeError::FingerprintKeyMissing(b)),
            _ => {}
        }
        merged.sources.extend(next.sources);
        merged.gaps.extend(next.gaps);
        merged.resources.extend(next.resources);
        merged.unaudited.extend(next.unaudited);
        merged.fleet = match (merged.fleet.take(), next.fleet) {
            (Some(mut a), Some(b)) => {
                a.accounts.extend(b.accounts);
                a.regions.extend(b.regions);
                Some(a)
            }
            (a, b) => a.or(b),
        };
    }
    // What the whole merged snapshot spans; each part's shard is no longer what it is.
    if let Some(fleet) = &mut merged.fleet {
        fleet.shard = None;
    }
    merged.gaps = one_per_place(std::mem::take(&mut merged.gaps));
    let mut seen = std::collections::HashSet::new();
    let covered = merged
        .sources
        .iter()
        .map(|s| (&s.provider, &s.service, &s.account, &s.region))
        .chain(
            merged
                .gaps
                .iter()
                .map(|g| (&g.provider, &g.service, &g.account, &g.region)),
        );
    for (provider, service, account, region) in covered {
        if !seen.insert((provider, service, account, region)) {
            return Err(MergeError::Overlap {
                provider: provider.clone(),
                service: service.clone(),
                place: place(account, region),
            });
        }
    }
    drop(seen);
    // The joined resources are validated like a file read from disk (kinds, duplicates) and put in order.
    let text = serde_json::to_vec(&merged).expect("a snapshot always serializes");
    Ok(super::parse(&text, "merged snapshot".as_ref())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Resource, Source, SourceStatus};

    fn part(account: &str, key: Option<&str>) -> Snapshot {
        let mut s = Snapshot::new("prod", "2026-12-01T00:00:00Z");
        s.fingerprint_key_id = key.map(str::to_owned);
        s.sources.push(Source {
            provider: "aws".into(),
            service: "ssm".into(),
            account: Some(account.into()),
            region: Some("eu-west-1".into()),
            status: SourceStatus::Complete,
            resources: 1,
            api_calls: 1,
            empty: Vec::new(),
            by_default: false,
        });
        s.resources.push(resource("aws.ssm.parameter", account));
        s
    }

    fn resource(kind: &str, account: &str) -> Resource {
        Resource {
            kind: kind.into(),
            key: Some(format!("/shop/{account}")),
            name: None,
            id: None,
            account: Some(account.into()),
            region: Some("eu-west-1".into()),
            tags: Default::default(),
            identifiers: Vec::new(),
            attributes: Default::default(),
        }
    }

    #[test]
    fn a_part_with_a_fingerprint_key_and_a_part_without_one_are_refused_not_given_the_key() {
        let key = Some("hmac-sha256:0011223344556677");
        for (a, b) in [(key, None), (None, key)] {
            let error = merge(vec![part("111111111111", a), part("222222222222", b)]).unwrap_err();
            assert!(matches!(error, MergeError::FingerprintKeyMissing(_)), "{error}");
        }
        let merged = merge(vec![part("111111111111", key), part("222222222222", key)]).unwrap();
        assert_eq!(merged.fingerprint_key_id.as_deref(), key);
        assert_eq!(
            merge(vec![part("111111111111", None), part("222222222222", None)])
                .unwrap()
                .fingerprint_key_id,
            None
        );
    }

    #[test]
    fn a_resource_its_part_did_not_collect_is_refused() {
        let mut smuggled = part("111111111111", None);
        smuggled
            .resources
            .push(resource("aws.ssm.parameter", "333333333333"));
        let error = merge(vec![smuggled, part("222222222222", None)]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("333333333333 eu-west-1 of a part is not covered"),
            "{error}"
        );
        // Of a covered account and region, but of a service the part did not read.
        let mut other_service = part("111111111111", None);
        other_service
            .resources
            .push(resource("aws.rds.instance", "111111111111"));
        assert!(matches!(
            merge(vec![other_service]).unwrap_err(),
            MergeError::Uncovered { .. }
        ));
    }

    #[test]
    fn a_source_marked_incomplete_is_read_as_a_gap() {
        let mut p = part("111111111111", None);
        p.sources[0].status = SourceStatus::Incomplete;
        let text = serde_json::to_vec(&p).unwrap();
        let read = crate::snapshot::parse(&text, "part.json".as_ref()).unwrap();
        assert!(read.sources.is_empty());
        assert_eq!(read.gaps.len(), 1);
        assert_eq!(read.gaps[0].service, "ssm");
        assert_eq!(read.gaps[0].error, "the snapshot marks this source incomplete");
    }
}
