//! envparity's built-in checks: what a judgement finds besides the policy's own rules, one file per check,
//! behind [`Check`]. Each reports through [`Judge::push`] at the level its rule's declaration and the policy's
//! `[defaults]` give ([`crate::policy::BuiltinRule`]).

mod dev_parity;
mod empty_source;
mod foreign_environment;
mod incomplete;
mod nothing_compared;
mod presence;
mod queue_visibility;
mod references;
mod unaudited;

use envparity_model::snapshot::Snapshot;

use super::Options;
use super::judge::Judge;
use crate::matching::Pairing;
use crate::report::Side;

/// What every check sees: both snapshots, their resources' keys, how they paired, the engine's options.
pub(super) struct Scene<'s> {
    pub staging: &'s Snapshot,
    pub prod: &'s Snapshot,
    pub staging_keys: &'s [String],
    pub prod_keys: &'s [String],
    pub pairing: &'s Pairing<'s>,
    pub options: &'s Options,
}

impl<'s> Scene<'s> {
    /// Whether the two snapshots are one environment at two times (`drift`, or a diff against last week's), the
    /// first the earlier: then what a side's own check finds on both is no change, and only what the newer side
    /// has and the earlier had not is said.
    pub fn over_time(&self) -> bool {
        self.staging.environment == self.prod.environment
    }

    /// Each side: which one, its snapshot and its resources' keys.
    pub fn sides(&self) -> [(Side, &'s Snapshot, &'s [String]); 2] {
        [
            (Side::Staging, self.staging, self.staging_keys),
            (Side::Prod, self.prod, self.prod_keys),
        ]
    }
}

/// One built-in check.
pub(super) trait Check: Sync {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>);
}

/// The checks that need only the pair, in the order they run: dev parity before `nothing-compared`, since the
/// engines it pairs count as compared. (`references-*` runs last, when the scan beside them is done.)
pub(super) const CHECKS: &[&dyn Check] = &[
    &incomplete::Incomplete,
    &empty_source::EmptySource,
    &unaudited::Unaudited,
    &dev_parity::DevParity,
    &nothing_compared::NothingCompared,
    &foreign_environment::ForeignEnvironment,
    &presence::Presence,
    &queue_visibility::QueueVisibility,
];
