//! `incomplete`: every kind a gap names is unknown on that side, never a pass.
//!
//! Gaps that share a cause (one unreachable endpoint, one set of denied credentials, one broken file) are one
//! finding that names the cause once and lists what it cost: the services, places and kinds, each part in
//! `affected` of the JSON report. A gap's cause is its error without the operation that met it
//! ([`Gap::cause`]: `GetCallerIdentity: ...` and `DescribeInstances: ...` met the same refused connection).

use std::collections::{BTreeMap, BTreeSet};

use super::{Check, Scene};
use crate::engine::judge::{Decider, Draft, Judge, parenthesized};
use crate::policy::{BuiltinRule, Severity};
use crate::report::{Affected, Side};
use envparity_model::snapshot::{Gap, Snapshot, place};

pub(super) struct Incomplete;

impl Check for Incomplete {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>) {
        for (side, snapshot, _) in scene.sides() {
            judge.gaps(snapshot, side);
        }
    }
}

/// Distinct items in the order first seen.
fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = BTreeSet::new();
    items.filter(|item| seen.insert(*item)).collect()
}

impl<'p, 's> Judge<'p, 's> {
    /// The gaps of one side, a finding per cause: the kinds they leave unknown are `incomplete`, never a pass.
    fn gaps(&mut self, snapshot: &Snapshot, side: Side) {
        let mut causes: BTreeMap<&str, Vec<&Gap>> = BTreeMap::new();
        for gap in &snapshot.gaps {
            causes.entry(gap.cause()).or_default().push(gap);
        }
        for (cause, gaps) in causes {
            let all_places: Vec<String> = gaps.iter().map(|g| place(&g.account, &g.region)).collect();
            let places = distinct(all_places.iter().map(String::as_str));
            let providers = distinct(gaps.iter().map(|g| g.provider.as_str()));
            let services = distinct(gaps.iter().map(|g| g.service.as_str()));
            // One service names its kind family; several of one provider, the provider.
            let kind = match (providers.as_slice(), services.as_slice()) {
                ([provider], [service]) => format!("{provider}.{service}"),
                ([provider], _) => (*provider).to_owned(),
                _ => "*".to_owned(),
            };
            let at = match places.as_slice() {
                [one] if !one.is_empty() => one,
                _ => "*",
            };
            let key = format!("{}:{at}", side.name());
            let kinds: Vec<&str> = distinct(gaps.iter().flat_map(|g| g.kinds.iter().map(String::as_str)));
            let detail = match gaps.as_slice() {
                [gap] => format!(
                    "{} {} in {}{}: {}",
                    gap.provider,
                    gap.service,
                    side.name(),
                    parenthesized(places[0]),
                    gap.error
                ),
                _ => format!(
                    "{} {} in {}{}: {cause}",
                    providers.join(", "),
                    services.join(", "),
                    side.name(),
                    parenthesized(
                        &places
                            .iter()
                            .filter(|p| !p.is_empty())
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            };
            let detail = match kinds.len() {
                0 | 1 => detail,
                n => format!("{detail} ({n} kinds unknown)"),
            };
            self.push(
                Draft::whole(
                    Decider::Builtin(BuiltinRule::Incomplete),
                    Severity::Incomplete,
                    &kind,
                    &key,
                    detail,
                )
                .on(side),
            );
            let affected = gaps
                .iter()
                .map(|g| Affected {
                    provider: g.provider.clone(),
                    service: g.service.clone(),
                    account: g.account.clone(),
                    region: g.region.clone(),
                    kinds: g.kinds.clone(),
                })
                .collect();
            if let Some(finding) = self.findings.last_mut() {
                finding.affected = affected;
            }
        }
    }
}
