//! `empty-source`: a configured source that held nothing (a service in a region, an SSM path, a config file).

use super::{Check, Scene};
use crate::engine::judge::{Decider, Draft, Judge, parenthesized};
use crate::policy::{BuiltinRule, Level};
use crate::report::Side;
use envparity_model::snapshot::{COVERAGE_SERVICE, Snapshot, SourceStatus, place};

pub(super) struct EmptySource;

impl Check for EmptySource {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>) {
        for (side, snapshot, _) in scene.sides() {
            judge.empty_sources(snapshot, side);
        }
    }
}

impl<'p, 's> Judge<'p, 's> {
    /// Every configured source that held nothing (a service in a region, an SSM path, a config file): a typo
    /// looks exactly like an empty source, so it is said.
    fn empty_sources(&mut self, snapshot: &Snapshot, side: Side) {
        let Level::Report(severity) = self.policy.defaults.level(BuiltinRule::EmptySource) else {
            return;
        };
        for source in snapshot
            .sources
            .iter()
            .filter(|s| s.status == SourceStatus::Complete && s.service != COVERAGE_SERVICE)
        {
            let place = place(&source.account, &source.region);
            let kind = format!("{}.{}", source.provider, source.service);
            let whole = (source.resources == 0 && source.empty.is_empty()).then_some("");
            for scope in source.empty.iter().map(String::as_str).chain(whole) {
                let at = [place.as_str(), scope]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>();
                let key = format!("{}:{}", side.name(), at.join(" "));
                let detail = match scope {
                    "" => format!(
                        "{} {} in {} ({place}) found nothing",
                        source.provider,
                        source.service,
                        side.name()
                    ),
                    scope => format!("{scope} held nothing in {}{}", side.name(), parenthesized(&place)),
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
    }
}
