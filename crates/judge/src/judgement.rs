//! One judgement: two snapshots and settled settings in, the report out. `diff`, `audit`, `drift`, the golden
//! tests and the benchmarks all judge through [`judge`].

use envparity_model::snapshot::Snapshot;

use crate::engine::{self, Options};
use crate::policy::{FailOn, Policy};
use crate::report::{Format, Report, Resolved};

/// Everything a judgement needs besides the two snapshots, settled before any work.
#[derive(Debug, Clone)]
pub struct Settings<'a> {
    pub policy: &'a Policy,
    /// From which severity on the verdict fails (the policy's `fail_on`, or what the command line said).
    pub fail_on: FailOn,
    /// How resources are keyed, the date waivers are judged on, the Rego worker.
    pub options: Options,
    /// The formats the report is rendered in: they say what the report must hold.
    pub formats: &'a [Format],
    /// The findings of an earlier report: each finding is marked new or known, and what went is listed.
    pub baseline: Option<&'a [Resolved]>,
}

/// A judged pair: the report, and what the policy's Rego rules printed (for their authors; data, to be shown
/// escaped).
#[derive(Debug)]
pub struct Judged {
    pub report: Report,
    pub prints: Vec<String>,
}

/// Judges `staging` against `prod` under the settings.
pub fn judge(staging: &Snapshot, prod: &Snapshot, settings: &Settings) -> Judged {
    let options = Options {
        list_resources: settings.formats.iter().any(|f| f.lists_resources()),
        ..settings.options.clone()
    };
    let mut evaluation = engine::evaluate(staging, prod, settings.policy, &options);
    let prints = std::mem::take(&mut evaluation.rego_prints);
    let mut report = Report::new(staging, prod, &settings.policy.name, settings.fail_on, evaluation);
    if let Some(earlier) = settings.baseline {
        report.mark_baseline(earlier);
    }
    Judged { report, prints }
}
