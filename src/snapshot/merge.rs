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
    let mut inputs = snapshots.into_iter();
    let mut merged = inputs.next().ok_or(MergeError::Empty)?;
    for next in inputs {
        if next.environment != merged.environment {
            return Err(MergeError::Environments(merged.environment, next.environment));
        }
        merged.collected_at = merged.collected_at.max(next.collected_at);
        match (&merged.fingerprint_key_id, next.fingerprint_key_id) {
            (Some(a), Some(b)) if *a != b => return Err(MergeError::FingerprintKeys(a.clone(), b)),
            (None, b) => merged.fingerprint_key_id = b,
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
