//! `foreign-environment`: a resource whose name or tags carry the other environment's token.

use super::{Check, Scene};
use crate::engine::judge::{Decider, Draft, Judge};
use crate::policy::{BuiltinRule, Level};
use crate::report::Side;
use envparity_model::keys;
use envparity_model::snapshot::Snapshot;

pub(super) struct ForeignEnvironment;

impl Check for ForeignEnvironment {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>) {
        if scene.staging.environment == scene.prod.environment {
            return;
        }
        let (staging_tokens, prod_tokens) = (
            &scene.options.staging_keys.tokens,
            &scene.options.prod_keys.tokens,
        );
        judge.foreign(
            scene.staging,
            scene.staging_keys,
            Side::Staging,
            staging_tokens,
            prod_tokens,
        );
        judge.foreign(
            scene.prod,
            scene.prod_keys,
            Side::Prod,
            prod_tokens,
            staging_tokens,
        );
    }
}

impl<'p, 's> Judge<'p, 's> {
    /// Resources of one side whose name or tags carry the other side's environment token.
    fn foreign(
        &mut self,
        snapshot: &Snapshot,
        keys: &[String],
        side: Side,
        own: &[String],
        other: &[String],
    ) {
        let Level::Report(severity) = self.policy.defaults.level(BuiltinRule::ForeignEnvironment) else {
            return;
        };
        for (resource, key) in snapshot.resources.iter().zip(keys) {
            let Some(mark) = keys::foreign_mark(resource, own, other) else {
                continue;
            };
            let detail = format!(
                "in the {} snapshot, its {} {} carries the other environment's token `{}`",
                side.name(),
                mark.place,
                mark.text,
                mark.token
            );
            self.push(
                Draft::whole(
                    Decider::Builtin(BuiltinRule::ForeignEnvironment),
                    severity,
                    &resource.kind,
                    key,
                    detail,
                )
                .on(side),
            );
        }
    }
}
