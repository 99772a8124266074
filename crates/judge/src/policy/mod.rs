//! Policies: which differences matter, how much, and which are waived.
//!
//! A policy is TOML (`[policy]`, `[defaults]`, `[[rule]]`, `[[waiver]]`). Rules are tried in file order and the
//! first rule whose `kinds` and `fields` cover an attribute decides how it is compared; a policy that
//! `extends` a shipped one has its own rules tried before the shipped rules. Rules that set `staging` or
//! `prod` values assert what one environment must hold and are all checked, independently of comparisons.

mod builtin;
mod parse;
pub mod rego;

use serde_json::Value;

use crate::compare::{self, Comparator};
use envparity_model::catalog::Catalogue;
use envparity_model::diagnostic::{FileError, Subject};
use envparity_model::glob::{DottedGlob, Wildcard};

pub use builtin::BuiltinRule;

/// The shipped policies, embedded so they work from any folder: (name, TOML).
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../../../policies/default.toml")),
    ("drift", include_str!("../../../../policies/drift.toml")),
    ("dev-parity", include_str!("../../../../policies/dev-parity.toml")),
];

/// Where a rule or waiver was written: findings it decides point back here (SARIF, `why`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Origin {
    /// The policy file as given, or `builtin:NAME` for a shipped policy.
    pub path: String,
    /// The 1-based line of its `[[rule]]` or `[[waiver]]` header.
    pub line: usize,
}

impl Origin {
    /// True for rules and waivers of a shipped policy.
    pub fn is_shipped(&self) -> bool {
        self.path.starts_with("builtin:")
    }
}

/// A parsed, validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub fail_on: FailOn,
    pub defaults: Defaults,
    pub rules: Vec<Rule>,
    pub waivers: Vec<Waiver>,
    /// Custom rules in Rego, compiled (`rego = [...]`).
    pub rego: Option<rego::Rego>,
}

/// From which severity on a run fails (exit status 1).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    schemars::JsonSchema,
    strum::EnumString,
    strum::VariantNames,
    strum::IntoStaticStr,
    strum::EnumIter,
    strum::EnumMessage,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// True when a finding of this severity fails the run.
    pub fn fails_on(self, severity: Severity) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::Error => severity == Severity::Error,
            FailOn::Warning => matches!(severity, Severity::Error | Severity::Warning),
        }
    }
}

/// How serious a finding is. `incomplete` is not a policy choice: it marks what could not be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Severity {
    Incomplete,
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A severity a policy assigns to a class of differences, or `ignore` to report nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Report(Severity),
    Ignore,
}

impl Level {
    pub const NAMES: &[&str] = &["error", "warning", "ignore"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "error" => Some(Level::Report(Severity::Error)),
            "warning" => Some(Level::Report(Severity::Warning)),
            "ignore" => Some(Level::Ignore),
            _ => None,
        }
    }
}

/// The level of each built-in rule a policy's `[defaults]` sets (differences no rule names, resources on one side
/// only, ...), keyed by rule: the keys and the levels when nothing sets them are the rules' own
/// ([`BuiltinRule::default`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults(std::collections::BTreeMap<BuiltinRule, Level>);

impl Default for Defaults {
    fn default() -> Self {
        let levels = BuiltinRule::ALL
            .iter()
            .filter_map(|&rule| Some((rule, rule.default()?.1)));
        Defaults(levels.collect())
    }
}

impl Defaults {
    /// The `[defaults]` keys, each once, in the order of the rules.
    pub fn keys() -> impl Iterator<Item = &'static str> {
        let mut keys: Vec<&'static str> = BuiltinRule::ALL
            .iter()
            .filter_map(|r| Some(r.default()?.0))
            .collect();
        let mut seen = std::collections::HashSet::new();
        keys.retain(|k| seen.insert(*k));
        keys.into_iter()
    }

    /// The level of a rule; rules no `[defaults]` key sets are `ignore` here (their checks decide).
    pub fn level(&self, rule: BuiltinRule) -> Level {
        self.0.get(&rule).copied().unwrap_or(Level::Ignore)
    }

    /// Sets the level of every rule `key` names (`engine_missing` names two).
    pub fn set(&mut self, key: &str, level: Level) {
        for &rule in BuiltinRule::ALL {
            if rule.default().is_some_and(|(k, _)| k == key) {
                self.0.insert(rule, level);
            }
        }
    }
}

/// One `[[rule]]`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub kinds: Vec<DottedGlob>,
    pub fields: Vec<DottedGlob>,
    /// The logical keys the rule applies to (`*` wildcards); empty for every key.
    pub keys: Vec<Wildcard>,
    pub check: Check,
    pub severity: Severity,
    pub why: Option<String>,
    /// Applies only to values stored redacted (secrets).
    pub secrets_only: bool,
    pub origin: Origin,
}

/// What a rule checks.
#[derive(Debug, Clone)]
pub enum Check {
    /// Compares staging with prod.
    Compare(Comparator),
    /// Each environment given must itself hold this value, wherever the field exists.
    Expect {
        staging: Option<Value>,
        prod: Option<Value>,
    },
}

impl Rule {
    /// Whether two equal values can fail this rule, so that identical resources of its kinds must be judged.
    pub fn can_fail_on_equal(&self) -> bool {
        match &self.check {
            Check::Expect { .. } => true,
            // Limited to secrets, which are never skipped unparsed.
            Check::Compare(comparator) if comparator.is(&compare::differ::SPEC) && self.secrets_only => false,
            Check::Compare(comparator) => comparator.spec().can_fail_on_equal,
        }
    }

    /// True when the rule names this kind.
    pub fn covers_kind(&self, kind: &str) -> bool {
        self.kinds.iter().any(|k| k.matches(kind))
    }

    /// True when the rule applies to resources with this logical key.
    pub fn covers_key(&self, key: &str) -> bool {
        self.keys.is_empty() || self.keys.iter().any(|k| k.matches(key))
    }

    /// True when the rule names this attribute path (or one of its ancestors).
    pub fn covers_field(&self, path: &str) -> bool {
        self.fields.iter().any(|f| f.covers(path))
    }
}

/// One `[[waiver]]`: silences the findings of one rule on matching keys until it expires.
#[derive(Debug, Clone)]
pub struct Waiver {
    pub rule: String,
    pub key: Wildcard,
    pub kind: Option<DottedGlob>,
    pub field: Option<DottedGlob>,
    pub reason: String,
    pub owner: String,
    pub expires: jiff::civil::Date,
    pub origin: Origin,
}

impl Waiver {
    /// True when the waiver is still in force on `today` (it lapses the day after `expires`).
    pub fn in_force(&self, today: jiff::civil::Date) -> bool {
        today <= self.expires
    }
}

impl Policy {
    /// Parses and validates policy text against the kinds and fields of `catalogue`; `path` names the file in
    /// diagnostics and in the origin of each rule.
    pub fn parse(text: &str, path: &str, catalogue: &Catalogue) -> Result<Policy, FileError> {
        parse::parse(text, path, catalogue).map_err(|diagnostics| FileError {
            subject: Subject::Policy,
            path: path.to_owned(),
            source_text: text.to_owned(),
            diagnostics,
        })
    }

    /// One of the shipped policies by name (`default`, `drift`).
    pub fn builtin(name: &str, catalogue: &Catalogue) -> Option<Policy> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let policy = Policy::parse(text, &format!("builtin:{name}"), catalogue);
        Some(policy.expect("shipped policies are valid"))
    }

    /// The comparison rules that may decide this attribute, in policy order: every one that covers it, up to
    /// and including the first that applies to every key. The first of them that covers the resource's key
    /// decides.
    pub fn comparison_candidates(&self, kind: &str, path: &str, secret: bool) -> Vec<usize> {
        let mut out = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            if matches!(rule.check, Check::Compare(_))
                && (secret || !rule.secrets_only)
                && rule.covers_kind(kind)
                && rule.covers_field(path)
            {
                out.push(index);
                if rule.keys.is_empty() {
                    break;
                }
            }
        }
        out
    }

    /// The index in `rules` of the comparison rule that decides this attribute of the resource with this key.
    pub fn comparison_for(&self, kind: &str, key: &str, path: &str, secret: bool) -> Option<usize> {
        self.comparison_candidates(kind, path, secret)
            .into_iter()
            .find(|&index| self.rules[index].covers_key(key))
    }
}

#[cfg(test)]
mod tests;
