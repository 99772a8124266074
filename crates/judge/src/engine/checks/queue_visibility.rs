//! `queue-visibility`: settings of one environment that must agree with each other (see
//! [`crate::engine::relations`]).

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
        for (side, snapshot, keys) in scene.sides() {
            judge.relations(snapshot, keys, side);
        }
    }
}

impl<'p, 's> Judge<'p, 's> {
    /// Settings of one environment that must agree with each other (see [`relations`]).
    fn relations(&mut self, snapshot: &Snapshot, keys: &[String], side: Side) {
        for short in relations::short_visibility(snapshot, keys) {
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
