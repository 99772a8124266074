//! `empty-source`: a configured source that held nothing (a service in a region, an SSM path, a config file).
//!
//! Two environments: each side's empty sources are said, since a typo looks exactly like an empty source. One
//! environment against its own earlier snapshot (drift): a source empty before and empty now is no change, so
//! only a source that holds nothing now and did not before is said, with both times. A service read only
//! because the config named no services is coverage when it holds nothing, never this finding.

use std::collections::BTreeSet;

use super::{Check, Scene};
use crate::engine::judge::{Decider, Draft, Judge, parenthesized};
use crate::policy::{BuiltinRule, Level, Severity};
use crate::report::Side;
use envparity_model::snapshot::{COVERAGE_SERVICE, Snapshot, Source, SourceStatus, place};

pub(super) struct EmptySource;

impl Check for EmptySource {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>) {
        let Level::Report(severity) = judge.policy.defaults.level(BuiltinRule::EmptySource) else {
            return;
        };
        if scene.over_time() {
            let before: BTreeSet<(String, &str)> = empty_scopes(scene.staging)
                .map(|(source, scope)| (identity(source), scope))
                .collect();
            let held_before: BTreeSet<String> = scene.staging.sources.iter().map(identity).collect();
            for (source, scope) in empty_scopes(scene.prod) {
                let id = identity(source);
                if held_before.contains(&id) && !before.contains(&(id, scope)) {
                    judge.empty_source(severity, source, scope, Side::Prod, Some(scene));
                }
            }
            return;
        }
        for (side, snapshot, _) in scene.sides() {
            for (source, scope) in empty_scopes(snapshot) {
                judge.empty_source(severity, source, scope, side, None);
            }
        }
    }
}

/// A source's identity across two snapshots of one environment.
fn identity(source: &Source) -> String {
    format!(
        "{}.{} {}",
        source.provider,
        source.service,
        place(&source.account, &source.region)
    )
}

/// Every configured scope of `snapshot` that held nothing, by source: a scope of a source (an SSM path, a
/// config file), or the whole source (`""`) when the config asked for it by name.
fn empty_scopes(snapshot: &Snapshot) -> impl Iterator<Item = (&Source, &str)> {
    snapshot
        .sources
        .iter()
        .filter(|s| s.status == SourceStatus::Complete && s.service != COVERAGE_SERVICE)
        .flat_map(|source| {
            let whole =
                (source.resources == 0 && source.empty.is_empty() && !source.by_default).then_some("");
            source
                .empty
                .iter()
                .map(String::as_str)
                .chain(whole)
                .map(move |scope| (source, scope))
        })
}

impl<'p, 's> Judge<'p, 's> {
    /// One empty scope of a source, on `side`; `drift` names the two snapshots when it emptied between them.
    fn empty_source(
        &mut self,
        severity: Severity,
        source: &Source,
        scope: &str,
        side: Side,
        drift: Option<&Scene<'_>>,
    ) {
        let place = place(&source.account, &source.region);
        let kind = format!("{}.{}", source.provider, source.service);
        let at = [place.as_str(), scope]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>();
        let key = format!("{}:{}", side.name(), at.join(" "));
        let what = match scope {
            "" => format!("{} {}", source.provider, source.service),
            scope => scope.to_owned(),
        };
        let detail = match (drift, scope) {
            (Some(scene), _) => format!(
                "{what}{} held nothing at {}, unlike at {}",
                parenthesized(&place),
                scene.prod.collected_at,
                scene.staging.collected_at
            ),
            (None, "") => format!("{what} in {} ({place}) found nothing", side.name()),
            (None, _) => format!("{what} held nothing in {}{}", side.name(), parenthesized(&place)),
        };
        self.push(
            Draft::whole(
                Decider::Builtin(BuiltinRule::EmptySource),
                severity,
                &kind,
                &key,
                detail,
            )
            .on(side),
        );
    }
}
