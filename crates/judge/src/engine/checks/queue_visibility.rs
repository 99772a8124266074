//! `queue-visibility`: settings of one environment that must agree with each other (see
//! [`crate::engine::relations`]).

use std::collections::BTreeSet;

use super::{Check, Scene};
use crate::engine::judge::{Decider, Draft, Judge};
use crate::engine::relations;
use crate::policy::BuiltinRule;
use crate::report::Side;
use envparity_model::catalog::aws::sqs;
use envparity_model::field;
use envparity_model::snapshot::Snapshot;
use serde_json::Value;

pub(super) struct QueueVisibility;

impl Check for QueueVisibility {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>) {
        if scene.over_time() {
            // A queue that was already short is no change.
            let before: BTreeSet<&str> = relations::short_visibility(scene.staging, scene.staging_keys)
                .into_iter()
                .map(|short| scene.staging_keys[short.queue].as_str())
                .collect();
            judge.relations(scene.prod, scene.prod_keys, Side::Prod, &|key| {
                !before.contains(key)
            });
            return;
        }
        for (side, snapshot, keys) in scene.sides() {
            judge.relations(snapshot, keys, side, &|_| true);
        }
    }
}

impl<'p, 's> Judge<'p, 's> {
    /// Settings of one environment that must agree with each other (see [`relations`]), for the queues whose key
    /// `said` takes.
    fn relations(&mut self, snapshot: &Snapshot, keys: &[String], side: Side, said: &dyn Fn(&str) -> bool) {
        for short in relations::short_visibility(snapshot, keys) {
            if !said(&keys[short.queue]) {
                continue;
            }
            let queue = &snapshot.resources[short.queue];
            let visibility = Value::from(short.visibility);
            let (staging, prod) = match side {
                Side::Staging => (Some(&visibility), None),
                Side::Prod => (None, Some(&visibility)),
            };
            self.push(Draft {
                by: Decider::Builtin(BuiltinRule::QueueVisibility),
                severity: short.severity,
                kind: &queue.kind,
                key: &keys[short.queue],
                field: Some(field!(sqs::Queue, visibility_timeout_seconds)),
                side: Some(side),
                staging,
                prod,
                detail: Some(short.detail),
            });
        }
    }
}
