//! `incomplete`: every kind a gap names is unknown on that side, never a pass.

use super::{Check, Scene};
use crate::engine::judge::{Decider, Draft, Judge, parenthesized};
use crate::policy::{BuiltinRule, Severity};
use crate::report::Side;
use envparity_model::snapshot::{Snapshot, place};

pub(super) struct Incomplete;

impl Check for Incomplete {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>) {
        for (side, snapshot, _) in scene.sides() {
            judge.gaps(snapshot, side);
        }
    }
}

impl<'p, 's> Judge<'p, 's> {
    /// Every kind a gap names is unknown on that side: an `incomplete` finding, never a pass.
    fn gaps(&mut self, snapshot: &Snapshot, side: Side) {
        for gap in &snapshot.gaps {
            let place = place(&gap.account, &gap.region);
            let key = format!("{}:{}", side.name(), if place.is_empty() { "*" } else { &place });
            let detail = format!(
                "{} {} in {}{}: {}",
                gap.provider,
                gap.service,
                side.name(),
                parenthesized(&place),
                gap.error
            );
            // A gap that leaves no kind unknown (what was not audited) is still not seen.
            let whole = format!("{}.{}", gap.provider, gap.service);
            let kinds = match gap.kinds.is_empty() {
                true => std::slice::from_ref(&whole),
                false => &gap.kinds[..],
            };
            for kind in kinds {
                self.push(
                    Draft::whole(
                        Decider::Builtin(BuiltinRule::Incomplete),
                        Severity::Incomplete,
                        kind,
                        &key,
                        detail.clone(),
                    )
                    .on(side),
                );
            }
        }
    }
}
