//! What a judgement finds, as report v1 carries it: the engine fills these, the report renders them.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::policy::{Origin, Severity};

/// One judged difference (or one thing that could not be judged), as report v1 carries it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Finding {
    /// Stable across runs: a hash of rule, kind, key, field (and side, for per-environment checks).
    pub fingerprint: String,
    /// The policy rule's id, or one of envparity's own (`missing-in-staging`, `incomplete`, `references-prod`,
    /// ...: `BuiltinRule` lists them).
    pub rule: String,
    #[schemars(with = "String")]
    #[serde(serialize_with = "serialize_severity")]
    pub severity: Severity,
    pub kind: String,
    pub key: String,
    /// The attribute path; null for findings about a whole resource.
    pub field: Option<String>,
    /// Staging's value; absent when staging has no such attribute (or a Rego rule gave no value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staging: Option<Value>,
    /// Prod's value; absent when prod has no such attribute (or a Rego rule gave no value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prod: Option<Value>,
    /// For a check of one environment's own value (`prod = true`): which environment, `staging` or `prod`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// Why this matters: the rule's `why`.
    pub message: String,
    /// What exactly differs, in a phrase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub waived: bool,
    /// The waiver that silenced this finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
    /// Against a baseline report (`--baseline`): `new` or `known`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// The policy rule or waiver that decided this finding: its file and line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Origin>,
    /// The accounts holding the resources the finding is about, where they have one: in a fleet of accounts,
    /// which one to look at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Accounts>,
    /// For an `incomplete` finding: every part of the environment the one cause left unread.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
}

/// A part of an environment left unread: a (provider, service, account, region) and the kinds it leaves unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Affected {
    pub provider: String,
    pub service: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub kinds: Vec<String>,
}

impl Finding {
    /// What a side's missing value stands for, as reports show it: the attribute is absent, except in a Rego
    /// finding, whose rule gives values only when it chooses to.
    pub fn missing_value(&self) -> &'static str {
        match self.rule.starts_with(crate::policy::rego::PREFIX) {
            true => "",
            false => "(absent)",
        }
    }
}

/// The account of each side's resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Accounts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staging: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prod: Option<String>,
}

/// Whether a finding was in the baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    New,
    Known,
}

/// Who waived a finding, why, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WaiverNote {
    pub reason: String,
    pub owner: String,
    pub expires: String,
}

fn serialize_severity<S: serde::Serializer>(s: &Severity, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

/// The engine's output: findings in report order, and how the resources paired.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub paired: usize,
    pub only_in_staging: usize,
    pub only_in_prod: usize,
    pub ambiguous: usize,
    /// Dev parity: engines paired across providers (a compose engine with an RDS database).
    pub engines_paired: usize,
    /// Every (kind, key) seen on either side, sorted, when [`crate::engine::Options::list_resources`] asked for it.
    pub resources: Vec<(String, String)>,
    /// What the Rego modules' `print` calls wrote, `file:line: text` each: data, for the terminal escaped.
    pub rego_prints: Vec<String>,
}

/// Which environment a per-environment finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Staging,
    Prod,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Staging => "staging",
            Side::Prod => "prod",
        }
    }

    /// The environment on the other side.
    pub fn other(self) -> Side {
        match self {
            Side::Staging => Side::Prod,
            Side::Prod => Side::Staging,
        }
    }
}
