//! Relations inside one environment, where a parity problem is a pair of settings: an SQS queue that feeds a
//! Lambda function must hide a message for longer than the function may take with it, or a message still being
//! processed is handed out again. Checked on each side on its own, so that a prod raise of a function's timeout
//! without its queue shows before release.

use std::collections::HashMap;

use serde_json::Value;

use crate::policy::Severity;
use envparity_model::catalog::aws::{lambda, sqs};
use envparity_model::field;
use envparity_model::keys::NameIndex;
use envparity_model::snapshot::Snapshot;

/// How many times a function's timeout AWS recommends for the visibility timeout of the queue that feeds it.
pub(super) const RECOMMENDED_FACTOR: u64 = 6;

/// A queue whose visibility timeout is too short for a function it feeds.
pub(super) struct ShortVisibility {
    /// The queue's index in its snapshot.
    pub queue: usize,
    pub visibility: u64,
    pub severity: Severity,
    pub detail: String,
}

/// Every queue of the snapshot that feeds a function with a timeout its visibility timeout does not cover: an
/// error below the function's timeout, a warning below [`RECOMMENDED_FACTOR`] times it. A function names its
/// queue by the logical key of the queue's name: the queue's own key, unless it has another (a Terraform
/// address, a key tag), when the key names the queue's name ([`envparity_model::keys::names`]).
pub(super) fn short_visibility(snapshot: &Snapshot, keys: &[String]) -> Vec<ShortVisibility> {
    let of_kind = |kind: &'static str| {
        snapshot
            .resources
            .iter()
            .zip(keys)
            .enumerate()
            .filter(move |(_, (r, _))| r.kind == kind)
    };
    let queues: Vec<(&str, &str, usize, u64)> = of_kind(sqs::QUEUE.name)
        .filter_map(|(i, (r, key))| {
            let visibility = r
                .attributes
                .parse()
                .get(field!(sqs::Queue, visibility_timeout_seconds))?
                .as_u64()?;
            Some((key.as_str(), r.label(), i, visibility))
        })
        .collect();
    let by_key: HashMap<&str, (usize, u64)> = queues.iter().map(|&(key, _, i, v)| (key, (i, v))).collect();
    let by_name = NameIndex::new(queues.iter().map(|&(_, name, ..)| name));
    let queue = |source: &str| {
        by_key.get(source).copied().or_else(|| {
            let (_, _, i, v) = queues[by_name.find(source)?];
            Some((i, v))
        })
    };
    let mut out = Vec::new();
    for (_, (function, _)) in of_kind(lambda::FUNCTION.name) {
        let attributes = function.attributes.parse();
        let Some(timeout) = attributes
            .get(field!(lambda::Function, timeout_seconds))
            .and_then(Value::as_u64)
        else {
            continue;
        };
        let sources = attributes
            .get(field!(lambda::Function, event_sources))
            .and_then(Value::as_array);
        for source in sources.into_iter().flatten() {
            if source["source_kind"] != "sqs" {
                continue;
            }
            let Some((queue, visibility)) = source["source"].as_str().and_then(queue) else {
                continue;
            };
            let severity = match visibility {
                v if v < timeout => Severity::Error,
                v if v < RECOMMENDED_FACTOR * timeout => Severity::Warning,
                _ => continue,
            };
            out.push(ShortVisibility {
                queue,
                visibility,
                severity,
                detail: format!(
                    "visibility timeout {visibility} s, for {} whose timeout is {timeout} s (at least {} s \
                     recommended)",
                    function.label(),
                    RECOMMENDED_FACTOR * timeout
                ),
            });
        }
    }
    out
}
