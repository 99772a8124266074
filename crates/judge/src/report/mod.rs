//! Reports, schema `envparity/report/v1`: the findings and the verdict, rendered in one of several formats.
//!
//! Renderers only render: every decision (severity, waived, status) was made by the engine and [`Report::new`].

pub mod escape;
mod finding;
mod html;
mod junit;
mod markdown;
mod sarif;
mod table;

pub use finding::{Accounts, Affected, Baseline, Evaluation, Finding, Side, WaiverNote};

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::policy::{FailOn, Severity};
use envparity_model::snapshot::short;
use envparity_model::snapshot::{COVERAGE_SERVICE, Snapshot, SourceStatus};

/// The schema string of the JSON report.
pub const SCHEMA: &str = "envparity/report/v1";

/// The verdict on two snapshots under a policy.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "envparity report v1")]
pub struct Report {
    /// Always `envparity/report/v1`.
    pub schema: String,
    pub staging: SnapshotRef,
    pub prod: SnapshotRef,
    /// The policy's name.
    pub policy: String,
    /// The severity from which the run fails: `error`, `warning` or `never`.
    pub fail_on: FailOn,
    pub summary: Summary,
    /// Sorted by severity (incomplete, error, warning), then kind, key, field and rule.
    pub findings: Vec<Finding>,
    /// What each side's snapshot covered: the kinds read, and the resource types no collector reads.
    pub coverage: Coverage,
    /// Against a baseline report: its findings that are gone now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved: Vec<Resolved>,
    /// Every compared (kind, key), for formats that list what passed too (JUnit). Not part of report v1.
    #[serde(skip)]
    pub resources: Vec<(String, String)>,
    /// The first side is an environment's Terraform state, the second the same environment live.
    #[serde(skip)]
    pub desired_actual: bool,
    /// With a history (`audit --history`): the unwaived findings of the last runs and of this one, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trend: Vec<TrendPoint>,
}

/// One run's unwaived findings by severity, for the trend of an audit's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TrendPoint {
    /// When prod was collected for that run.
    pub collected_at: String,
    pub errors: usize,
    pub warnings: usize,
    pub incomplete: usize,
}

/// A finding of the baseline report that this run no longer has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Resolved {
    pub fingerprint: String,
    pub rule: String,
    pub kind: String,
    pub key: String,
    #[serde(default)]
    pub field: Option<String>,
}

impl Report {
    /// Marks each finding `new` or `known` against an earlier report's findings, by fingerprint, and lists the
    /// earlier findings that are gone as resolved. Waived findings count as findings on both sides.
    pub fn mark_baseline(&mut self, earlier: &[Resolved]) {
        let before: std::collections::HashSet<&str> =
            earlier.iter().map(|f| f.fingerprint.as_str()).collect();
        for f in &mut self.findings {
            f.baseline = Some(match before.contains(f.fingerprint.as_str()) {
                true => Baseline::Known,
                false => Baseline::New,
            });
        }
        let now: std::collections::HashSet<&str> =
            self.findings.iter().map(|f| f.fingerprint.as_str()).collect();
        let resolved = earlier
            .iter()
            .filter(|f| !now.contains(f.fingerprint.as_str()))
            .cloned()
            .collect();
        self.resolved = resolved;
    }

    /// "since the baseline: 2 new, 5 known, 1 resolved", when a baseline was given.
    pub fn baseline_line(&self) -> Option<String> {
        let marked: Vec<Baseline> = self.findings.iter().filter_map(|f| f.baseline).collect();
        if marked.is_empty() && self.resolved.is_empty() {
            return None;
        }
        let new = marked.iter().filter(|m| **m == Baseline::New).count();
        Some(format!(
            "since the baseline: {new} new, {} known, {} resolved",
            marked.len() - new,
            self.resolved.len()
        ))
    }
}

/// What was and was not audited, per environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Coverage {
    pub staging: EnvironmentCoverage,
    pub prod: EnvironmentCoverage,
}

/// One environment's coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct EnvironmentCoverage {
    /// Resources read, by kind.
    pub audited: BTreeMap<String, u64>,
    /// Resources of types that no collector read, by type (`states:stateMachine`), summed over accounts and
    /// regions; `null` when unknown: not asked (coverage off, no AWS service collected) or not answered.
    pub unaudited: Option<BTreeMap<String, u64>>,
    /// Services read only because the config names no services (`[collect] services` left to all) that held
    /// nothing anywhere (`aws.ecs`): said here, not as findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_resources: Vec<String>,
}

impl EnvironmentCoverage {
    pub fn of(snapshot: &Snapshot) -> Self {
        // Counted by borrowed kind: one allocation per kind, not per resource.
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for r in &snapshot.resources {
            *counts.entry(&r.kind).or_insert(0) += 1;
        }
        let audited = counts.into_iter().map(|(k, n)| (k.to_owned(), n)).collect();
        // Unknown when AWS was read without asking the tagging API, or one region could not answer it. Manifests
        // and compose files are read whole: what they hold that no collector reads is known.
        let aws_read = snapshot
            .sources
            .iter()
            .any(|s| s.provider == "aws" && s.service != COVERAGE_SERVICE);
        let asked = snapshot.sources.iter().any(|s| s.service == COVERAGE_SERVICE);
        let failed = snapshot.gaps.iter().any(|g| g.service == COVERAGE_SERVICE);
        let known = !snapshot.sources.is_empty() && !failed && (asked || !aws_read);
        let unaudited = known.then(|| {
            let mut counts = BTreeMap::new();
            // Counts come from a file: two huge ones saturate rather than overflow.
            for u in &snapshot.unaudited {
                let n: &mut u64 = counts.entry(u.resource_type.clone()).or_insert(0);
                *n = n.saturating_add(u.count);
            }
            counts
        });
        // A service read by default counts as empty only when none of its sources held anything.
        let mut held: BTreeMap<String, bool> = BTreeMap::new();
        for s in snapshot.sources.iter().filter(|s| s.by_default) {
            *held.entry(format!("{}.{}", s.provider, s.service)).or_default() |=
                s.resources > 0 || s.status != SourceStatus::Complete;
        }
        let no_resources = held
            .into_iter()
            .filter(|(_, held)| !held)
            .map(|(s, _)| s)
            .collect();
        EnvironmentCoverage {
            audited,
            unaudited,
            no_resources,
        }
    }

    /// One line for people: "24 resources of 14 kinds audited; not audited: states:stateMachine (3)". Types
    /// come from the account: callers escape the line for their medium.
    pub fn line(&self) -> String {
        let total = self.audited.values().fold(0u64, |a, n| a.saturating_add(*n));
        let kinds = self.audited.len();
        let audited = format!(
            "{total} resource{} of {kinds} kind{} audited",
            if total == 1 { "" } else { "s" },
            if kinds == 1 { "" } else { "s" }
        );
        let unaudited = match &self.unaudited {
            None => "what was not audited is unknown".to_owned(),
            Some(types) if types.is_empty() => "no other resource types found".to_owned(),
            Some(types) => format!(
                "not audited: {}",
                types
                    .iter()
                    .map(|(t, n)| format!("{t} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        match self.no_resources.is_empty() {
            true => format!("{audited}; {unaudited}"),
            false => format!(
                "{audited}; {unaudited}; no resources in {} (read because `[collect] services` names none)",
                self.no_resources.join(", ")
            ),
        }
    }
}

/// Which snapshot a side of the report came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SnapshotRef {
    pub environment: String,
    pub collected_at: String,
}

/// How the two sides of a report relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Two environments: staging against prod.
    Parity,
    /// One environment, an earlier snapshot against a newer one (drift).
    OverTime,
    /// One environment's Terraform state against the environment live.
    DesiredActual,
}

/// Counts and the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Summary {
    pub status: Status,
    /// Findings not waived, by severity.
    pub errors: usize,
    pub warnings: usize,
    pub incomplete: usize,
    pub waived: usize,
    pub paired: usize,
    pub only_in_staging: usize,
    pub only_in_prod: usize,
    pub ambiguous: usize,
    /// Dev parity: engines paired across providers (a compose engine with an RDS database); absent when none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub engines_paired: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// `parity` (exit 0), `violations` (exit 1) or `incomplete` (exit 3, outranks violations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Parity,
    Violations,
    Incomplete,
}

impl Summary {
    /// The counts with their headings, in the order every format shows them. Over time (one environment
    /// against its earlier snapshot), the one-sided counts are what was removed and added since; a state against
    /// its live environment, what is only in the state and only live.
    pub fn columns(&self, relation: Relation) -> [(&'static str, usize); 8] {
        let (staging, prod) = match relation {
            Relation::OverTime => ("removed since", "added since"),
            Relation::DesiredActual => ("only in the state", "only live"),
            Relation::Parity => ("only in staging", "only in prod"),
        };
        [
            ("errors", self.errors),
            ("warnings", self.warnings),
            ("incomplete", self.incomplete),
            ("waived", self.waived),
            ("paired", self.paired),
            (staging, self.only_in_staging),
            (prod, self.only_in_prod),
            ("ambiguous", self.ambiguous),
        ]
    }
}

/// The verdict as people read it. It follows the status, except that errors that do not fail the run
/// (`fail_on = never`) are never called parity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Headline {
    Parity,
    NotFailing,
    Violations,
    Incomplete,
}

impl Headline {
    /// The headline's words, in capitals as the verdict line starts.
    pub fn text(self) -> &'static str {
        match self {
            Headline::Parity => "PARITY",
            Headline::NotFailing => "ERRORS FOUND, NOT FAILING (fail on never)",
            Headline::Violations => "VIOLATIONS",
            Headline::Incomplete => "INCOMPLETE",
        }
    }
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Parity => "parity",
            Status::Violations => "violations",
            Status::Incomplete => "incomplete",
        }
    }
}

impl Report {
    /// Builds the report and its verdict: incomplete if anything could not be judged, else violations if an
    /// unwaived finding is at or above `fail_on`, else parity.
    pub fn new(
        staging: &Snapshot,
        prod: &Snapshot,
        policy_name: &str,
        fail_on: FailOn,
        evaluation: Evaluation,
    ) -> Report {
        let live = || evaluation.findings.iter().filter(|f| !f.waived);
        let count = |s: Severity| live().filter(|f| f.severity == s).count();
        let incomplete = count(Severity::Incomplete);
        let status = if incomplete > 0 {
            Status::Incomplete
        } else if live().any(|f| fail_on.fails_on(f.severity)) {
            Status::Violations
        } else {
            Status::Parity
        };
        let summary = Summary {
            status,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            incomplete,
            waived: evaluation.findings.iter().filter(|f| f.waived).count(),
            paired: evaluation.paired,
            only_in_staging: evaluation.only_in_staging,
            only_in_prod: evaluation.only_in_prod,
            ambiguous: evaluation.ambiguous,
            engines_paired: evaluation.engines_paired,
        };
        Report {
            schema: SCHEMA.to_owned(),
            staging: SnapshotRef {
                environment: staging.environment.clone(),
                collected_at: staging.collected_at.clone(),
            },
            prod: SnapshotRef {
                environment: prod.environment.clone(),
                collected_at: prod.collected_at.clone(),
            },
            policy: policy_name.to_owned(),
            fail_on,
            summary,
            findings: evaluation.findings,
            coverage: Coverage {
                staging: EnvironmentCoverage::of(staging),
                prod: EnvironmentCoverage::of(prod),
            },
            resolved: Vec::new(),
            trend: Vec::new(),
            resources: evaluation.resources,
            desired_actual: staging.is_desired_of(prod),
        }
    }

    /// How the two sides relate: two environments, one over time, or one's state against it live.
    pub fn relation(&self) -> Relation {
        match (
            self.desired_actual,
            self.staging.environment == self.prod.environment,
        ) {
            (true, _) => Relation::DesiredActual,
            (false, true) => Relation::OverTime,
            (false, false) => Relation::Parity,
        }
    }

    pub(crate) fn headline(&self) -> Headline {
        match self.summary.status {
            Status::Parity if self.summary.errors > 0 => Headline::NotFailing,
            Status::Parity => Headline::Parity,
            Status::Violations => Headline::Violations,
            Status::Incomplete => Headline::Incomplete,
        }
    }

    /// Each side's label with its coverage line, for the human-readable formats (unescaped).
    pub(crate) fn coverage_lines(&self) -> [(String, String); 2] {
        let (staging, prod) = self.side_labels();
        [
            (staging, self.coverage.staging.line()),
            (prod, self.coverage.prod.line()),
        ]
    }

    /// The column headings for the two sides: the environment names, made distinct when they are equal
    /// (one environment against its own earlier snapshot).
    pub fn side_labels(&self) -> (String, String) {
        if self.staging.environment == self.prod.environment {
            (
                format!("{} {}", self.staging.environment, self.staging.collected_at),
                format!("{} {}", self.prod.environment, self.prod.collected_at),
            )
        } else {
            (self.staging.environment.clone(), self.prod.environment.clone())
        }
    }
}

/// The output formats.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    strum::EnumString,
    strum::VariantNames,
    strum::IntoStaticStr,
    strum::EnumIter,
    strum::EnumMessage,
)]
#[strum(serialize_all = "snake_case")]
pub enum Format {
    /// A table for people at a terminal or reading a CI log.
    Table,
    /// Report v1, the contract for scripts.
    Json,
    /// For a CI step summary or a pull-request comment.
    Markdown,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// JUnit XML, for CI test result views.
    Junit,
    /// One self-contained HTML page to open in a browser.
    Html,
}

impl Format {
    /// Whether the format lists every compared resource, passes too (JUnit's test cases), so that the
    /// judgement must list them.
    pub fn lists_resources(self) -> bool {
        self == Format::Junit
    }
}

/// How to render, decided by the caller (only the command line knows about terminals).
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
    /// Wrap the table to this many columns.
    pub width: Option<u16>,
}

/// Renders the report; the text ends with a newline.
pub fn render(report: &Report, format: Format, options: RenderOptions) -> String {
    match format {
        Format::Table => table::render(report, options),
        Format::Json => {
            let mut out = serde_json::to_string_pretty(report).expect("a report always serializes");
            out.push('\n');
            out
        }
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Html => html::render(report),
    }
}

/// Values longer than this, or spanning lines, are shown as a unified diff instead of inline.
const INLINE_LIMIT: usize = 40;

/// The staging and prod cells of a finding, or `None` when a value is too long to show inline and goes to a
/// diff below the findings. Whole-resource findings show no values; per-environment checks show one side.
fn shown_values(f: &Finding) -> Option<(String, String)> {
    if f.field.is_none() {
        return Some((String::new(), String::new()));
    }
    let inline = |value| inline(value, f.missing_value());
    match f.side {
        Some(Side::Staging) => Some((inline(f.staging.as_ref())?, String::new())),
        Some(Side::Prod) => Some((String::new(), inline(f.prod.as_ref())?)),
        None => Some((inline(f.staging.as_ref())?, inline(f.prod.as_ref())?)),
    }
}

/// A value as one short line, or `None` when it is too long or structured to show inline; `missing` stands for no
/// value.
fn inline(value: Option<&Value>, missing: &str) -> Option<String> {
    match value {
        None => Some(missing.to_owned()),
        Some(v @ (Value::Array(_) | Value::Object(_))) if !envparity_model::snapshot::is_redacted(v) => {
            let s = v.to_string();
            (s.len() <= INLINE_LIMIT).then_some(s)
        }
        Some(v) => {
            let s = short(v);
            (s.len() <= INLINE_LIMIT && !s.contains('\n')).then_some(s)
        }
    }
}

/// A unified diff of two values, pretty-printed, for values too long to show inline.
fn value_diff(staging: Option<&Value>, prod: Option<&Value>, labels: (&str, &str)) -> String {
    let text = |v: Option<&Value>| match v {
        None => String::new(),
        Some(Value::String(s)) => format!("{s}\n"),
        Some(v) => format!("{}\n", serde_json::to_string_pretty(v).expect("values serialize")),
    };
    let (a, b) = (text(staging), text(prod));
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header(labels.0, labels.1)
        .to_string()
}

/// The one-line verdict that closes every human-readable report.
fn verdict_line(report: &Report) -> String {
    let s = &report.summary;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let one_sided = match report.relation() {
        Relation::OverTime => format!(
            "{} removed and {} added since {}",
            s.only_in_staging, s.only_in_prod, report.staging.collected_at
        ),
        Relation::DesiredActual => format!(
            "{} only in the state, {} only live",
            s.only_in_staging, s.only_in_prod
        ),
        Relation::Parity => format!(
            "{} only in staging, {} only in prod",
            s.only_in_staging, s.only_in_prod
        ),
    };
    format!(
        "{}: {}, {}, {} waived, {} incomplete; {} paired, {one_sided}{}",
        report.headline().text(),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        s.waived,
        s.incomplete,
        s.paired,
        [
            (s.ambiguous > 0).then(|| format!(", {} ambiguous", s.ambiguous)),
            (s.engines_paired > 0)
                .then(|| { format!(", {} engines paired across providers", s.engines_paired) }),
        ]
        .into_iter()
        .flatten()
        .collect::<String>(),
    )
}

/// The distinct failing rules with their reasons, in order of first appearance.
fn rule_reasons(report: &Report) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for f in report.findings.iter().filter(|f| !f.waived) {
        if !out.iter().any(|(r, _)| *r == f.rule) {
            out.push((&f.rule, &f.message));
        }
    }
    out
}
