//! The engine: two snapshots, paired, judged under a policy -> findings.
//!
//! Rules never print and reporters never decide: this module only produces the report's findings, in an
//! [`Evaluation`]. [`evaluate`] pairs the resources, runs the built-in checks (`checks/`, one file each) and the
//! policy's rules (`rules.rs`) into the judge (`judge.rs`), then applies the waivers (`waivers.rs`).

mod checks;
mod engines;
mod judge;
mod references;
pub mod rego;
mod relations;
mod rules;
mod waivers;

use crate::matching;
use crate::policy::{BuiltinRule, Level, Policy};
use crate::report::Evaluation;
use envparity_model::keys::KeyRule;
use envparity_model::snapshot::Snapshot;

/// What the engine needs besides the snapshots and the policy.
#[derive(Debug, Clone)]
pub struct Options {
    pub staging_keys: KeyRule,
    pub prod_keys: KeyRule,
    /// The date waivers are judged against.
    pub today: jiff::civil::Date,
    /// List every compared (kind, key) in [`Evaluation::resources`] (only formats that show passes need it).
    pub list_resources: bool,
    /// The envparity binary whose `rego-worker` evaluates Rego rules in a process of their own.
    pub rego_worker: std::path::PathBuf,
}

impl Options {
    /// Keys from each snapshot's environment name, waivers judged on `today`.
    pub fn for_snapshots(staging: &Snapshot, prod: &Snapshot, today: jiff::civil::Date) -> Self {
        Options {
            staging_keys: KeyRule::for_environment(&staging.environment),
            prod_keys: KeyRule::for_environment(&prod.environment),
            today,
            list_resources: false,
            rego_worker: rego::default_worker(),
        }
    }
}

/// Pairs the snapshots and judges every difference under the policy.
pub fn evaluate(staging: &Snapshot, prod: &Snapshot, policy: &Policy, options: &Options) -> Evaluation {
    std::thread::scope(|scope| {
        // Cross-environment references read every value of both sides: on a thread of their own, beside the
        // rest of the judging.
        let defaults = &policy.defaults;
        let wanted = |level| staging.environment != prod.environment && level != Level::Ignore;
        let directions = [
            wanted(defaults.level(BuiltinRule::ReferencesProd)).then_some((staging, prod)),
            wanted(defaults.level(BuiltinRule::ReferencesStaging)).then_some((prod, staging)),
        ];
        let scan = scope.spawn(move || {
            directions.map(|d| d.map(|(scanned, other)| references::crossings(scanned, other)))
        });
        let crossings = move || scan.join().expect("the reference scan does not panic");
        // Rego modules read both snapshots whole: also beside the judging.
        let rego = policy
            .rego
            .as_ref()
            .map(|modules| scope.spawn(move || rego::evaluate(modules, staging, prod, &options.rego_worker)));
        let rego = move || {
            rego.map(|r| r.join().expect("Rego evaluation does not panic"))
                .unwrap_or_default()
        };
        judge_pair(staging, prod, policy, options, crossings, rego)
    })
}

/// Everything but the reference scans and the Rego modules, whose results `crossings` and `rego` wait for.
fn judge_pair(
    staging: &Snapshot,
    prod: &Snapshot,
    policy: &Policy,
    options: &Options,
    crossings: impl FnOnce() -> [Option<Vec<references::Crossing>>; 2],
    rego: impl FnOnce() -> rego::Evaluated,
) -> Evaluation {
    let (staging_keys, prod_keys) = match staging.is_desired_of(prod) {
        // The state and the live environment are one environment: a resource is itself by its identifier.
        true => (
            matching::identifiers_of(staging, prod),
            matching::identifiers_of(prod, staging),
        ),
        false => (
            matching::keys_of(staging, &options.staging_keys),
            matching::keys_of(prod, &options.prod_keys),
        ),
    };
    let pairing = matching::pair(staging, &staging_keys, prod, &prod_keys);
    let scene = checks::Scene {
        staging,
        prod,
        staging_keys: &staging_keys,
        prod_keys: &prod_keys,
        pairing: &pairing,
        options,
    };

    let mut judge = judge::Judge::new(policy, staging, prod);
    for check in checks::CHECKS {
        check.check(&scene, &mut judge);
    }
    judge.rules(&pairing);
    let rego = rego();
    judge.rego(rego.findings);
    judge.unused_rules();
    let [staging_crossings, prod_crossings] = crossings();
    for ((side, snapshot, keys), crossings) in
        scene.sides().into_iter().zip([staging_crossings, prod_crossings])
    {
        judge.references(snapshot, keys, side, crossings.unwrap_or_default());
    }

    let engines_paired = judge.engines_paired;
    let findings = judge.into_findings(&policy.waivers, options.today);
    Evaluation {
        resources: match options.list_resources {
            true => listed(&pairing),
            false => Vec::new(),
        },
        findings,
        paired: pairing.paired.len(),
        only_in_staging: pairing.only_in_staging.len(),
        only_in_prod: pairing.only_in_prod.len(),
        ambiguous: pairing.ambiguous.len(),
        engines_paired,
        rego_prints: rego.prints,
    }
}

/// Every (kind, key) either side holds, sorted.
fn listed(pairing: &matching::Pairing<'_>) -> Vec<(String, String)> {
    let paired = pairing.paired.iter().map(|p| (&p.staging.kind, p.key.as_ref()));
    let one_sided = (pairing.only_in_staging.iter().chain(&pairing.only_in_prod))
        .map(|u| (&u.resource.kind, u.key.as_ref()));
    let ambiguous = pairing.ambiguous.iter().map(|a| (a.kind, a.key));
    let mut listed: Vec<(String, String)> = paired
        .map(|(k, key)| (k.to_owned(), key.to_owned()))
        .chain(one_sided.map(|(k, key)| (k.to_owned(), key.to_owned())))
        .chain(ambiguous.map(|(k, key)| (k.to_owned(), key.to_owned())))
        .collect();
    listed.sort();
    listed
}
