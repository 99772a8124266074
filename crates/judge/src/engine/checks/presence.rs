//! `missing-in-staging`, `extra-in-staging` and `ambiguous-key`: resources found on one side only, and keys
//! several resources of one side share.

use super::{Check, Scene};
use crate::engine::judge::{Decider, Draft, Judge};
use crate::matching::{Pairing, Unpaired};
use crate::policy::{BuiltinRule, Level};
use crate::report::Side;
use envparity_model::catalog::terraform;
use envparity_model::snapshot::{Resource, Snapshot};

pub(super) struct Presence;

impl Check for Presence {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>) {
        judge.presence(scene.pairing, scene.staging, scene.prod);
    }
}

impl<'p, 's> Judge<'p, 's> {
    fn presence(&mut self, pairing: &Pairing<'s>, staging: &Snapshot, prod: &Snapshot) {
        let defaults = &self.policy.defaults;
        let one_sided = [
            (
                BuiltinRule::MissingInStaging,
                defaults.level(BuiltinRule::MissingInStaging),
                &pairing.only_in_prod,
                staging,
                Side::Prod,
            ),
            (
                BuiltinRule::ExtraInStaging,
                defaults.level(BuiltinRule::ExtraInStaging),
                &pairing.only_in_staging,
                prod,
                Side::Staging,
            ),
        ];
        for (rule, level, unpaired, other, present) in one_sided {
            let Level::Report(severity) = level else { continue };
            for Unpaired { key, resource } in unpaired {
                // Not seen is not missing: a gap on the other side for this kind makes it unknown.
                if other.has_gap_for(&resource.kind) {
                    continue;
                }
                let detail = match (self.desired_actual, present) {
                    // A state speaks only of the kinds its types feed; the live side only of those it read.
                    (true, Side::Prod) if terraform::types_feeding(&resource.kind).is_empty() => continue,
                    (true, Side::Staging) if !other.reads(&resource.kind) => continue,
                    // The live side's tag filter would not have shown it: unknown, not deleted.
                    (true, Side::Staging)
                        if other
                            .fleet
                            .as_ref()
                            .is_some_and(|f| !f.could_see(&resource.kind, &resource.tags)) =>
                    {
                        continue;
                    }
                    (true, Side::Prod) => Some(format!("unmanaged: {}", resource.label())),
                    (true, Side::Staging) => Some(format!("deleted outside Terraform: {}", resource.label())),
                    (false, _) => None,
                };
                let detail = detail.unwrap_or_else(|| match (self.over_time, present) {
                    (true, Side::Prod) => {
                        format!("added since {}: {}", staging.collected_at, resource.label())
                    }
                    (true, Side::Staging) => {
                        format!("removed since {}: {}", staging.collected_at, resource.label())
                    }
                    (false, _) => format!("{} has {}", present.name(), resource.label()),
                });
                let account = resource.account.as_deref();
                self.at = match present {
                    Side::Staging => [account, None],
                    Side::Prod => [None, account],
                };
                self.push(Draft::whole(
                    Decider::Builtin(rule),
                    severity,
                    &resource.kind,
                    key,
                    detail,
                ));
            }
        }
        self.at = [None, None];
        if let Level::Report(severity) = defaults.level(BuiltinRule::AmbiguousKey) {
            for a in &pairing.ambiguous {
                let names = |rs: &[&Resource]| rs.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
                let detail = format!("staging: [{}]; prod: [{}]", names(&a.staging), names(&a.prod));
                self.push(Draft::whole(
                    Decider::Builtin(BuiltinRule::AmbiguousKey),
                    severity,
                    a.kind,
                    a.key,
                    detail,
                ));
            }
        }
    }
}
