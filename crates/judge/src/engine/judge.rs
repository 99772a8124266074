//! The judge: where every finding of a judgement is pushed, with what is shared by the checks and the rules
//! (the policy, the accounts being judged, whether both sides are one environment over time).

use std::collections::HashMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::compare::Sides;
use crate::policy::{BuiltinRule, Policy, Rule, Severity, Waiver};
use crate::report::{Accounts, Finding, Side};
use envparity_model::snapshot::{Resource, Snapshot, is_redacted, redacted_fingerprint};

pub(super) struct Judge<'p, 's> {
    pub(super) policy: &'p Policy,
    pub(super) findings: Vec<Finding>,
    /// Rule lookups repeat for every resource of a kind: [plain, secret] -> kind -> path -> the rules that may
    /// decide it (see [`Policy::comparison_candidates`]; mostly one). Looked up by borrowed strings, so a hit
    /// allocates nothing.
    pub(super) comparison_cache: [HashMap<String, HashMap<String, Vec<usize>>>; 2],
    /// Per kind: whether equal values always pass (see [`Judge::equal_values_pass`]).
    pub(super) equal_pass_cache: HashMap<String, bool>,
    /// Per kind: the rules of values one environment must hold that cover it, in the policy's order.
    pub(super) expect_cache: HashMap<String, Vec<usize>>,
    /// Per policy rule: whether it decided at least one attribute.
    pub(super) decided: Vec<bool>,
    /// Paired resources known equal without being parsed: the rules they would have met are found afterwards,
    /// and only for rules that decided nothing elsewhere.
    pub(super) unparsed: Vec<(&'s Resource, &'s str)>,
    /// Why different fingerprints prove nothing here (the sides' keys differ or are unknown), if they do not.
    pub(super) incomparable_secrets: Option<String>,
    /// Both sides are one environment, the earlier snapshot first: differences are changes since.
    pub(super) over_time: bool,
    /// The first side is a Terraform state, the second the live environment: differences are changes made
    /// outside Terraform.
    pub(super) desired_actual: bool,
    /// The accounts of the resources being judged (staging's, prod's), for the findings about them.
    pub(super) at: [Option<&'s str>; 2],
    /// Dev parity: engines paired across providers, which count as compared.
    pub(super) engines_paired: usize,
    /// Whether either side spans several accounts: a finding's detail then names its accounts, for people.
    pub(super) name_accounts: bool,
}

/// Why two fingerprints that differ cannot be taken for two different secrets: the snapshots' fingerprint keys
/// differ, or one is unknown. `None` when both were made with one known key.
fn incomparable_secrets(staging: &Snapshot, prod: &Snapshot) -> Option<String> {
    let (s, p) = (&staging.fingerprint_key_id, &prod.fingerprint_key_id);
    if s.is_some() && s == p {
        return None;
    }
    let key = |id: &Option<String>| id.clone().unwrap_or_else(|| "unknown (not recorded)".into());
    Some(format!(
        "the fingerprints differ, but staging's were made with key {} and prod's with key {}: only fingerprints \
         of one key tell different secrets apart; collect both with the same ENVPARITY_FINGERPRINT_KEY",
        key(s),
        key(p)
    ))
}

/// True when both values are secrets with fingerprints, and the fingerprints differ.
pub(super) fn fingerprints_differ(s: Option<&Value>, p: Option<&Value>) -> bool {
    fn fingerprint(v: Option<&Value>) -> Option<&str> {
        v.filter(|v| is_redacted(v)).and_then(redacted_fingerprint)
    }
    matches!((fingerprint(s), fingerprint(p)), (Some(a), Some(b)) if a != b)
}

/// Who decided a finding: one of envparity's own rules, a rule of the policy, or envparity about a rule of the
/// policy that decided nothing.
#[derive(Clone, Copy)]
pub(super) enum Decider<'p> {
    Builtin(BuiltinRule),
    Rule(&'p Rule),
    Unused(&'p Rule),
    /// A Rego rule's result: its namespaced id and its `why`.
    Rego {
        id: &'p str,
        message: &'p str,
    },
}

/// The parts of a finding that vary; the rest is filled in by [`Judge::push`].
pub(super) struct Draft<'a> {
    pub(super) by: Decider<'a>,
    pub(super) severity: Severity,
    pub(super) kind: &'a str,
    pub(super) key: &'a str,
    pub(super) field: Option<&'a str>,
    pub(super) side: Option<Side>,
    pub(super) staging: Option<&'a Value>,
    pub(super) prod: Option<&'a Value>,
    pub(super) detail: Option<String>,
}

impl<'a> Draft<'a> {
    /// A rule's finding on one attribute, at the rule's severity; values and side are set by the caller.
    pub(super) fn attribute(rule: &'a Rule, kind: &'a str, key: &'a str, path: &'a str) -> Self {
        Draft {
            by: Decider::Rule(rule),
            severity: rule.severity,
            kind,
            key,
            field: Some(path),
            side: None,
            staging: None,
            prod: None,
            detail: None,
        }
    }

    /// A finding about a whole resource (or a whole source), with no values.
    pub(super) fn whole(
        by: Decider<'a>,
        severity: Severity,
        kind: &'a str,
        key: &'a str,
        detail: String,
    ) -> Self {
        Draft {
            by,
            severity,
            kind,
            key,
            field: None,
            side: None,
            staging: None,
            prod: None,
            detail: Some(detail),
        }
    }

    /// The same finding, about one environment.
    pub(super) fn on(self, side: Side) -> Self {
        Draft {
            side: Some(side),
            ..self
        }
    }
}

impl<'p, 's> Judge<'p, 's> {
    /// The judge of one pair under `policy`.
    pub(super) fn new(policy: &'p Policy, staging: &Snapshot, prod: &Snapshot) -> Self {
        Judge {
            policy,
            findings: Vec::new(),
            comparison_cache: Default::default(),
            equal_pass_cache: HashMap::new(),
            expect_cache: HashMap::new(),
            decided: vec![false; policy.rules.len()],
            unparsed: Vec::new(),
            incomparable_secrets: incomparable_secrets(staging, prod),
            over_time: staging.environment == prod.environment,
            desired_actual: staging.is_desired_of(prod),
            at: [None, None],
            engines_paired: 0,
            name_accounts: [staging, prod]
                .iter()
                .any(|s| s.fleet.as_ref().is_some_and(|f| f.accounts.len() > 1)),
        }
    }

    /// A judge of the same snapshots under the same policy that has judged nothing yet: for pairs judged beside
    /// this one, then [absorbed](Judge::absorb).
    pub(super) fn fork(&self) -> Self {
        Judge {
            policy: self.policy,
            findings: Vec::new(),
            comparison_cache: Default::default(),
            equal_pass_cache: HashMap::new(),
            expect_cache: HashMap::new(),
            decided: vec![false; self.policy.rules.len()],
            unparsed: Vec::new(),
            incomparable_secrets: self.incomparable_secrets.clone(),
            over_time: self.over_time,
            desired_actual: self.desired_actual,
            at: [None, None],
            engines_paired: 0,
            name_accounts: self.name_accounts,
        }
    }

    /// What a [fork](Judge::fork) judged, taken in as if this judge had judged it after what it has.
    pub(super) fn absorb(&mut self, fork: Self) {
        self.findings.extend(fork.findings);
        for (decided, by_fork) in self.decided.iter_mut().zip(fork.decided) {
            *decided |= by_fork;
        }
        self.unparsed.extend(fork.unparsed);
        self.engines_paired += fork.engines_paired;
    }

    /// The findings in report order, waivers applied (as of `today`).
    pub(super) fn into_findings(self, waivers: &[Waiver], today: jiff::civil::Date) -> Vec<Finding> {
        let mut findings = self.findings;
        super::waivers::apply_waivers(&mut findings, waivers, today);
        findings.sort_by(|a, b| {
            (a.severity, &a.kind, &a.key, &a.field, &a.rule, &a.fingerprint).cmp(&(
                b.severity,
                &b.kind,
                &b.key,
                &b.field,
                &b.rule,
                &b.fingerprint,
            ))
        });
        findings
    }

    /// What a comparator's reason calls the two sides.
    pub(super) fn sides(&self) -> Sides {
        match (self.desired_actual, self.over_time) {
            (true, _) => Sides::DESIRED_ACTUAL,
            (false, true) => Sides::OVER_TIME,
            (false, false) => Sides::STAGING_PROD,
        }
    }

    pub(super) fn push(&mut self, d: Draft<'_>) {
        let (rule, message, decided_by) = match d.by {
            Decider::Builtin(b) if self.desired_actual => {
                (b.id(), b.message_desired_actual().to_owned(), None)
            }
            Decider::Builtin(b) if self.over_time => (b.id(), b.message_over_time().to_owned(), None),
            Decider::Builtin(b) => (b.id(), b.message().to_owned(), None),
            Decider::Rule(rule) => (
                rule.id.as_str(),
                rule.why
                    .clone()
                    .unwrap_or_else(|| format!("Rule {} is not met.", rule.id)),
                Some(rule.origin.clone()),
            ),
            Decider::Rego { id, message } => (id, message.to_owned(), None),
            Decider::Unused(rule) => {
                let unused = BuiltinRule::RuleUnused;
                (
                    unused.id(),
                    unused.message().to_owned(),
                    Some(rule.origin.clone()),
                )
            }
        };
        let accounts = match self.at {
            [None, None] => None,
            [staging, prod] => Some(Accounts {
                staging: staging.map(str::to_owned),
                prod: prod.map(str::to_owned),
            }),
        };
        let detail = match (&accounts, self.name_accounts) {
            (Some(accounts), true) => {
                // One environment over time: its earlier and newer snapshot, one account when they agree.
                let sides = match self.over_time {
                    true => ["before", "after"],
                    false => ["staging", "prod"],
                };
                let named = match (&accounts.staging, &accounts.prod) {
                    (Some(before), Some(after)) if self.over_time && before == after => {
                        format!("account {after}")
                    }
                    _ => sides
                        .into_iter()
                        .zip([&accounts.staging, &accounts.prod])
                        .filter_map(|(side, account)| Some(format!("{side} account {}", account.as_deref()?)))
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                Some(match d.detail {
                    Some(detail) => format!("{detail} ({named})"),
                    None => named,
                })
            }
            _ => d.detail,
        };
        let detail = match (self.desired_actual, d.field, detail) {
            (true, Some(_), None) => Some("changed outside Terraform".to_owned()),
            (_, _, detail) => detail,
        };
        self.findings.push(Finding {
            fingerprint: fingerprint(rule, d.kind, d.key, d.field, d.side),
            rule: rule.to_owned(),
            severity: d.severity,
            kind: d.kind.to_owned(),
            key: d.key.to_owned(),
            field: d.field.map(str::to_owned),
            staging: d.staging.cloned(),
            prod: d.prod.cloned(),
            side: d.side.filter(|_| d.field.is_some()),
            message,
            detail,
            waived: false,
            waiver: None,
            baseline: None,
            decided_by,
            accounts,
            affected: Vec::new(),
        });
    }
}

/// A stable identity for a finding, so a later run can tell what is new.
pub(super) fn fingerprint(
    rule: &str,
    kind: &str,
    key: &str,
    field: Option<&str>,
    side: Option<Side>,
) -> String {
    let mut h = Sha256::new();
    for part in [rule, kind, key, field.unwrap_or(""), side.map_or("", Side::name)] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// " (111111111111 eu-west-1)" after a side's name, or nothing where there is no place.
pub(super) fn parenthesized(place: &str) -> String {
    match place.is_empty() {
        true => String::new(),
        false => format!(" ({place})"),
    }
}
