//! The policy's own rules on the pairs: every attribute compared under the rule that decides it, the values one
//! environment must hold, differences no rule names, and the rules that decided nothing.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::judge::{Decider, Draft, Judge, fingerprints_differ};
use super::rego::RegoFinding;
use crate::compare::{self, Outcome, expect_value, same_value};
use crate::matching::{Pair, Pairing};
use crate::policy::{BuiltinRule, Check, Level, Rule, Severity};
use crate::report::Side;
use envparity_model::catalog::terraform;
use envparity_model::snapshot::{Resource, flatten, is_redacted, short};

/// How many pairs are judged in two halves side by side. Not tuned: a round number far above the pairs of a
/// hand-made example, which a second thread would not speed up, and below the benchmark's 10,000.
const HALVED_FROM: usize = 2048;

impl<'p, 's> Judge<'p, 's> {
    /// The policy's rules on every pair and on the resources of one side only.
    pub(in crate::engine) fn rules(&mut self, pairing: &'s Pairing<'s>) {
        // Only a comparison rule of the policy file can go unused unnoticed in a pair skipped unparsed.
        let may_report_unused = self
            .policy
            .rules
            .iter()
            .any(|r| !r.origin.is_shipped() && matches!(r.check, Check::Compare(_)));
        // Many pairs are judged in two halves side by side, the second by a judge of its own whose findings follow
        // the first's, as one pass would have made them.
        let half = match pairing.paired.len() {
            n if n >= HALVED_FROM => n / 2,
            n => n,
        };
        let (first, second) = pairing.paired.split_at(half);
        std::thread::scope(|scope| {
            let second = (!second.is_empty()).then(|| {
                let mut fork = self.fork();
                scope.spawn(move || {
                    fork.pairs(second, may_report_unused);
                    fork
                })
            });
            self.pairs(first, may_report_unused);
            if let Some(second) = second {
                self.absorb(
                    second
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
            }
        });
        for u in &pairing.only_in_staging {
            self.at = [u.resource.account.as_deref(), None];
            self.expectations(u.resource, &u.key, Side::Staging, None);
        }
        for u in &pairing.only_in_prod {
            self.at = [None, u.resource.account.as_deref()];
            self.expectations(u.resource, &u.key, Side::Prod, None);
        }
        self.at = [None, None];
    }

    /// The policy's rules on these pairs.
    fn pairs(&mut self, pairs: &'s [Pair<'s>], may_report_unused: bool) {
        for pair in pairs {
            let (staging_attributes, prod_attributes) = (&pair.staging.attributes, &pair.prod.attributes);
            // Most pairs are identical: when no rule can object to equal values, identical text needs no parsing.
            if staging_attributes.text() == prod_attributes.text()
                && !staging_attributes.may_hold_secret()
                && self.equal_values_pass(&pair.staging.kind)
            {
                if may_report_unused {
                    self.unparsed.push((pair.staging, &pair.key));
                }
                continue;
            }
            let (s, p) = (staging_attributes.parse(), prod_attributes.parse());
            let (s, mut p) = (flatten(&s), flatten(&p));
            if self.desired_actual {
                // What a state cannot know is compared only where the state has it.
                p.retain(|path, _| {
                    s.contains_key(path) || !terraform::unknown_to_state(&pair.prod.kind, path)
                });
            }
            self.at = [pair.staging.account.as_deref(), pair.prod.account.as_deref()];
            self.attributes(&pair.staging.kind, &pair.key, &s, &p);
            self.expectations(pair.staging, &pair.key, Side::Staging, Some(&s));
            self.expectations(pair.prod, &pair.key, Side::Prod, Some(&p));
        }
    }

    /// What the policy's Rego rules found.
    pub(in crate::engine) fn rego(&mut self, findings: Vec<RegoFinding>) {
        for f in findings {
            self.push(Draft {
                by: Decider::Rego {
                    id: &f.rule_id,
                    message: &f.message,
                },
                severity: f.severity,
                kind: &f.kind,
                key: &f.key,
                field: f.field.as_deref(),
                side: None,
                staging: f.staging.as_ref(),
                prod: f.prod.as_ref(),
                detail: f.detail,
            });
        }
    }

    /// True when no rule of the policy can find fault with a resource of this kind whose values are equal on
    /// both sides and hold no secret.
    fn equal_values_pass(&mut self, kind: &str) -> bool {
        if let Some(&known) = self.equal_pass_cache.get(kind) {
            return known;
        }
        let passes = !self
            .policy
            .rules
            .iter()
            .any(|rule| rule.covers_kind(kind) && rule.can_fail_on_equal());
        self.equal_pass_cache.insert(kind.to_owned(), passes);
        passes
    }

    /// The index of the comparison rule that decides this attribute of the resource with this key, if any.
    fn comparison_rule(&mut self, kind: &str, key: &str, path: &str, secret: bool) -> Option<usize> {
        let policy = self.policy;
        let kinds = &mut self.comparison_cache[usize::from(secret)];
        if !kinds.contains_key(kind) {
            kinds.insert(kind.to_owned(), HashMap::new());
        }
        let paths = kinds.get_mut(kind).expect("inserted above");
        if !paths.contains_key(path) {
            paths.insert(path.to_owned(), policy.comparison_candidates(kind, path, secret));
        }
        paths[path]
            .iter()
            .copied()
            .find(|&index| policy.rules[index].covers_key(key))
    }

    /// Compares every attribute path present on either side of a pair.
    fn attributes(
        &mut self,
        kind: &str,
        key: &str,
        staging: &BTreeMap<String, &Value>,
        prod: &BTreeMap<String, &Value>,
    ) {
        let mut paths: Vec<&String> = staging.keys().chain(prod.keys()).collect();
        paths.sort_unstable();
        paths.dedup();
        for path in paths {
            let (s, p) = (staging.get(path).copied(), prod.get(path).copied());
            let secret = s.is_some_and(is_redacted) || p.is_some_and(is_redacted);
            let Some(index) = self.comparison_rule(kind, key, path, secret) else {
                self.unlisted(kind, key, path, s, p);
                continue;
            };
            self.decided[index] = true;
            let rule = &self.policy.rules[index];
            let Check::Compare(comparator) = &rule.check else {
                unreachable!("comparison_candidates returns comparison rules")
            };
            let outcome = match &self.incomparable_secrets {
                Some(why) if fingerprints_differ(s, p) && !comparator.is(&compare::ignore::SPEC) => {
                    Outcome::Unknown(why.clone())
                }
                _ => comparator.judge(s, p, self.sides()),
            };
            let draft = Draft {
                staging: s,
                prod: p,
                ..Draft::attribute(rule, kind, key, path)
            };
            self.judged(outcome, draft);
        }
    }

    fn unlisted(&mut self, kind: &str, key: &str, path: &str, s: Option<&Value>, p: Option<&Value>) {
        let Level::Report(severity) = self.policy.defaults.level(BuiltinRule::UnlistedDifference) else {
            return;
        };
        let detail = match (s, p) {
            // Fingerprints of different keys: not known to differ.
            _ if self.incomparable_secrets.is_some() && fingerprints_differ(s, p) => return,
            (Some(a), Some(b)) => match same_value(a, b) {
                // Equal, or two secrets without fingerprints: nothing is known to differ.
                Some(true) | None => return,
                Some(false) => None,
            },
            (None, Some(_)) => Some(self.sides().absent_in_first()),
            (Some(_), None) => Some(self.sides().absent_in_second()),
            (None, None) => return,
        };
        self.push(Draft {
            by: Decider::Builtin(BuiltinRule::UnlistedDifference),
            severity,
            kind,
            key,
            field: Some(path),
            side: None,
            staging: s,
            prod: p,
            detail,
        });
    }

    /// Records the outcome of a rule on one attribute: nothing for a pass, the draft for a failure, an
    /// incomplete finding when the values could not decide.
    fn judged(&mut self, outcome: Outcome, mut draft: Draft<'_>) {
        let detail = match outcome {
            Outcome::Pass => return,
            Outcome::Fail(detail) => detail,
            Outcome::Unknown(detail) => {
                draft.severity = Severity::Incomplete;
                detail
            }
        };
        draft.detail = (!detail.is_empty()).then_some(detail);
        self.push(draft);
    }

    /// Checks the values one environment must hold itself, wherever the field exists.
    fn expectations(
        &mut self,
        resource: &Resource,
        key: &str,
        side: Side,
        flat: Option<&BTreeMap<String, &Value>>,
    ) {
        let policy = self.policy;
        if !self.expect_cache.contains_key(&resource.kind) {
            let covering = policy
                .rules
                .iter()
                .enumerate()
                .filter(|(_, rule)| {
                    matches!(rule.check, Check::Expect { .. }) && rule.covers_kind(&resource.kind)
                })
                .map(|(index, _)| index)
                .collect();
            self.expect_cache.insert(resource.kind.clone(), covering);
        }
        let rules: Vec<(usize, &Rule, &Value)> = self.expect_cache[&resource.kind]
            .iter()
            .filter_map(|&index| {
                let rule = &policy.rules[index];
                let Check::Expect { staging, prod } = &rule.check else {
                    return None;
                };
                let expected = match side {
                    Side::Staging => staging.as_ref(),
                    Side::Prod => prod.as_ref(),
                }?;
                rule.covers_key(key).then_some((index, rule, expected))
            })
            .collect();
        if rules.is_empty() {
            return;
        }
        let parsed;
        let owned;
        let flat = match flat {
            Some(f) => f,
            None => {
                parsed = resource.attributes.parse();
                owned = flatten(&parsed);
                &owned
            }
        };
        for (index, rule, expected) in rules {
            for (path, actual) in flat.iter().filter(|(path, _)| rule.covers_field(path)) {
                if rule.secrets_only && !is_redacted(actual) {
                    continue;
                }
                self.decided[index] = true;
                let outcome = match expect_value(expected, actual) {
                    Outcome::Fail(_) => Outcome::Fail(format!(
                        "{} must be {}, is {}",
                        side.name(),
                        short(expected),
                        short(actual)
                    )),
                    other => other,
                };
                let (staging, prod) = match side {
                    Side::Staging => (Some(*actual), None),
                    Side::Prod => (None, Some(*actual)),
                };
                let draft = Draft {
                    side: Some(side),
                    staging,
                    prod,
                    ..Draft::attribute(rule, &resource.kind, key, path)
                };
                self.judged(outcome, draft);
            }
        }
    }

    /// Reports the rules of the policy file (not of a shipped policy it extends) that decided nothing: a rule
    /// whose kinds or fields name nothing these snapshots hold is most likely a mistake.
    pub(in crate::engine) fn unused_rules(&mut self) {
        let policy = self.policy;
        for (index, rule) in policy.rules.iter().enumerate() {
            if self.decided[index] || rule.origin.is_shipped() || self.decides_unparsed(index) {
                continue;
            }
            let globs = |g: &[envparity_model::glob::DottedGlob]| {
                g.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", ")
            };
            let keys = match rule.keys.is_empty() {
                true => String::new(),
                false => {
                    let keys: Vec<&str> = rule.keys.iter().map(|k| k.as_str()).collect();
                    format!("; keys {}", keys.join(", "))
                }
            };
            let detail = format!(
                "kinds {}; fields {}{keys}; at {}:{}",
                globs(&rule.kinds),
                globs(&rule.fields),
                rule.origin.path,
                rule.origin.line
            );
            self.push(Draft::whole(
                Decider::Unused(rule),
                Severity::Warning,
                "policy.rule",
                &rule.id,
                detail,
            ));
        }
    }

    /// Whether the comparison rule at `index` decides an attribute of a pair that was known equal unparsed.
    fn decides_unparsed(&mut self, index: usize) -> bool {
        let rule = &self.policy.rules[index];
        if !matches!(rule.check, Check::Compare(_)) {
            return false;
        }
        let candidates: Vec<(&Resource, &str)> = self
            .unparsed
            .iter()
            .copied()
            .filter(|(r, key)| rule.covers_kind(&r.kind) && rule.covers_key(key))
            .collect();
        candidates.into_iter().any(|(resource, key)| {
            let attributes = resource.attributes.parse();
            flatten(&attributes).into_iter().any(|(path, value)| {
                self.comparison_rule(&resource.kind, key, &path, is_redacted(value)) == Some(index)
            })
        })
    }
}
