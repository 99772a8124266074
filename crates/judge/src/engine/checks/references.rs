//! `references-prod` and `references-staging`: values of one side that name a resource or an account of the other.
//! The scan ([`crate::engine::references`]) runs on a thread of its own beside the other checks, so this one
//! runs last, with what the scan found.

use crate::engine::judge::{Decider, Draft, Judge};
use crate::engine::references::Crossing;
use crate::policy::{BuiltinRule, Level};
use crate::report::Side;
use envparity_model::snapshot::Snapshot;

impl<'p, 's> Judge<'p, 's> {
    /// Values of one side that name a resource or an account of the other: staging reading prod's database.
    pub(in crate::engine) fn references(
        &mut self,
        scanned: &Snapshot,
        keys: &[String],
        side: Side,
        crossings: Vec<Crossing>,
    ) {
        let rule = match side {
            Side::Staging => BuiltinRule::ReferencesProd,
            Side::Prod => BuiltinRule::ReferencesStaging,
        };
        let Level::Report(severity) = self.policy.defaults.level(rule) else {
            return;
        };
        let other_name = side.other().name();
        for c in crossings {
            let resource = &scanned.resources[c.index];
            let (staging, prod) = match side {
                Side::Staging => (Some(&c.value), None),
                Side::Prod => (None, Some(&c.value)),
            };
            self.push(Draft {
                by: Decider::Builtin(rule),
                severity,
                kind: &resource.kind,
                key: &keys[c.index],
                field: Some(&c.path),
                side: Some(side),
                staging,
                prod,
                detail: Some(format!("names {other_name}'s {}", c.names)),
            });
        }
    }
}
