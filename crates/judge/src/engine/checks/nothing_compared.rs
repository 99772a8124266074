//! `nothing-compared` and `same-environment`: a run that compared nothing earns no verdict, and one environment
//! against itself is said.

use super::{Check, Scene};
use crate::engine::judge::{Decider, Draft, Judge};
use crate::matching::Pairing;
use crate::policy::{BuiltinRule, Level, Severity};
use envparity_model::snapshot::Snapshot;

pub(super) struct NothingCompared;

impl Check for NothingCompared {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>) {
        judge.coverage(scene.pairing, scene.staging, scene.prod);
    }
}

impl<'p, 's> Judge<'p, 's> {
    /// A run that compared nothing earns no verdict: neither side holds a resource, or nothing paired although
    /// both do. Both sides being one environment (or one snapshot) is said too.
    fn coverage(&mut self, pairing: &Pairing<'_>, staging: &Snapshot, prod: &Snapshot) {
        let (s, p) = (staging.resources.len(), prod.resources.len());
        let nothing = if s == 0 && p == 0 {
            Some("neither snapshot holds a resource".to_owned())
        } else if pairing.paired.is_empty() && self.engines_paired == 0 && s > 0 && p > 0 {
            Some(format!(
                "no resource of {} ({s}) paired with one of {} ({p}): the environment tokens (--staging-tokens, \
                 --prod-tokens) or the key tag most likely do not match the resources' names",
                staging.environment, prod.environment
            ))
        } else {
            None
        };
        if let Some(detail) = nothing {
            let draft = Draft::whole(
                Decider::Builtin(BuiltinRule::NothingCompared),
                Severity::Incomplete,
                "snapshot",
                "*",
                detail,
            );
            self.push(draft);
        }
        // A state against the live environment is one environment as two things, not one snapshot twice.
        if staging.environment != prod.environment || self.desired_actual {
            return;
        }
        let (severity, detail) = if staging.collected_at == prod.collected_at {
            // Whatever the policy: one snapshot against itself can show no difference.
            (
                Severity::Warning,
                format!(
                    "both sides are the snapshot of {} collected at {}: nothing can differ",
                    staging.environment, staging.collected_at
                ),
            )
        } else if let Level::Report(severity) = self.policy.defaults.level(BuiltinRule::SameEnvironment) {
            (
                severity,
                format!(
                    "both sides are {} (collected at {} and {}): for changes over time use --policy drift",
                    staging.environment, staging.collected_at, prod.collected_at
                ),
            )
        } else {
            return;
        };
        let draft = Draft::whole(
            Decider::Builtin(BuiltinRule::SameEnvironment),
            severity,
            "snapshot",
            &staging.environment,
            detail,
        );
        self.push(draft);
    }
}
