//! `unaudited`: resource types the environment runs that no collector read, when the policy reports them.

use super::{Check, Scene};
use crate::engine::judge::{Decider, Draft, Judge, parenthesized};
use crate::policy::{BuiltinRule, Level};
use crate::report::Side;
use std::collections::BTreeSet;

use envparity_model::snapshot::{self, Snapshot, place};

pub(super) struct Unaudited;

impl Check for Unaudited {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>) {
        if scene.over_time() {
            // A type that was already there, unaudited, is no change.
            let before: BTreeSet<(&str, &str, String)> = scene
                .staging
                .unaudited
                .iter()
                .map(|u| {
                    (
                        u.provider.as_str(),
                        u.resource_type.as_str(),
                        place(&u.account, &u.region),
                    )
                })
                .collect();
            let new = |u: &snapshot::Unaudited| {
                !before.contains(&(
                    u.provider.as_str(),
                    u.resource_type.as_str(),
                    place(&u.account, &u.region),
                ))
            };
            judge.unaudited(scene.prod, Side::Prod, &new);
            return;
        }
        for (side, snapshot, _) in scene.sides() {
            judge.unaudited(snapshot, side, &|_| true);
        }
    }
}

impl<'p, 's> Judge<'p, 's> {
    /// Resource types the environment runs that no collector read, when the policy reports them.
    fn unaudited(&mut self, snapshot: &Snapshot, side: Side, said: &dyn Fn(&snapshot::Unaudited) -> bool) {
        let Level::Report(severity) = self.policy.defaults.level(BuiltinRule::Unaudited) else {
            return;
        };
        for u in snapshot.unaudited.iter().filter(|u| said(u)) {
            let place = place(&u.account, &u.region);
            let detail = format!(
                "{} {} resource{} of type {} in {}{} that no collector reads",
                u.count,
                u.provider,
                if u.count == 1 { "" } else { "s" },
                u.resource_type,
                side.name(),
                parenthesized(&place)
            );
            let key = format!("{}:{} {place}", side.name(), u.resource_type);
            let kind = format!("{}.unaudited", u.provider);
            self.push(
                Draft::whole(
                    Decider::Builtin(BuiltinRule::Unaudited),
                    severity,
                    &kind,
                    key.trim_end(),
                    detail,
                )
                .on(side),
            );
        }
    }
}
