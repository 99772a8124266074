//! The engine: two snapshots, paired, judged under a policy -> findings.
//!
//! Rules never print and reporters never decide: this module only produces the report's [`Finding`]s, in an
//! [`Evaluation`].

mod engines;
mod references;
pub mod rego;
mod relations;

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::compare::{self, Outcome, expect_value, same_value};
use crate::matching::{self, Pairing, Unpaired};
use crate::policy::{BuiltinRule, Check, Level, Policy, Rule, Severity, Waiver};
use crate::report::{Accounts, Evaluation, Finding, Side, WaiverNote};
use envparity_model::keys::{self, KeyRule};
use envparity_model::snapshot::{
    COVERAGE_SERVICE, Resource, Snapshot, SourceStatus, flatten, is_redacted, place, redacted_fingerprint,
    short,
};
use references::Crossing;

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
    let staging_keys = matching::keys_of(staging, &options.staging_keys);
    let prod_keys = matching::keys_of(prod, &options.prod_keys);
    let pairing = matching::pair(staging, &staging_keys, prod, &prod_keys);

    let mut judge = Judge {
        policy,
        findings: Vec::new(),
        comparison_cache: Default::default(),
        equal_pass_cache: HashMap::new(),
        decided: vec![false; policy.rules.len()],
        unparsed: Vec::new(),
        incomparable_secrets: incomparable_secrets(staging, prod),
        over_time: staging.environment == prod.environment,
        at: [None, None],
        name_accounts: [staging, prod]
            .iter()
            .any(|s| s.fleet.as_ref().is_some_and(|f| f.accounts.len() > 1)),
    };
    // Only a comparison rule of the policy file can go unused unnoticed in a pair skipped unparsed.
    let may_report_unused = policy
        .rules
        .iter()
        .any(|r| !r.origin.is_shipped() && matches!(r.check, Check::Compare(_)));
    judge.gaps(staging, Side::Staging);
    judge.gaps(prod, Side::Prod);
    judge.empty_sources(staging, Side::Staging);
    judge.empty_sources(prod, Side::Prod);
    judge.unaudited(staging, Side::Staging);
    judge.unaudited(prod, Side::Prod);
    let engine_pairs = judge.dev_parity(staging, &staging_keys, prod, &prod_keys);
    judge.coverage(&pairing, engine_pairs, staging, prod);
    if staging.environment != prod.environment {
        let (staging_tokens, prod_tokens) = (&options.staging_keys.tokens, &options.prod_keys.tokens);
        judge.foreign(staging, &staging_keys, Side::Staging, staging_tokens, prod_tokens);
        judge.foreign(prod, &prod_keys, Side::Prod, prod_tokens, staging_tokens);
    }
    judge.presence(&pairing, staging, prod);
    judge.relations(staging, &staging_keys, Side::Staging);
    judge.relations(prod, &prod_keys, Side::Prod);
    for pair in &pairing.paired {
        let (staging_attributes, prod_attributes) = (&pair.staging.attributes, &pair.prod.attributes);
        // Most pairs are identical: when no rule can object to equal values, identical text needs no parsing.
        if staging_attributes.text() == prod_attributes.text()
            && !staging_attributes.may_hold_secret()
            && judge.equal_values_pass(&pair.staging.kind)
        {
            if may_report_unused {
                judge.unparsed.push((pair.staging, &pair.key));
            }
            continue;
        }
        let (s, p) = (staging_attributes.parse(), prod_attributes.parse());
        let (s, p) = (flatten(&s), flatten(&p));
        judge.at = [pair.staging.account.as_deref(), pair.prod.account.as_deref()];
        judge.attributes(&pair.staging.kind, &pair.key, &s, &p);
        judge.expectations(pair.staging, &pair.key, Side::Staging, Some(&s));
        judge.expectations(pair.prod, &pair.key, Side::Prod, Some(&p));
    }
    for u in &pairing.only_in_staging {
        judge.at = [u.resource.account.as_deref(), None];
        judge.expectations(u.resource, &u.key, Side::Staging, None);
    }
    for u in &pairing.only_in_prod {
        judge.at = [None, u.resource.account.as_deref()];
        judge.expectations(u.resource, &u.key, Side::Prod, None);
    }
    judge.at = [None, None];
    let rego = rego();
    for f in rego.findings {
        judge.push(Draft {
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
    judge.unused_rules();
    let [staging_crossings, prod_crossings] = crossings();
    judge.references(
        staging,
        &staging_keys,
        Side::Staging,
        staging_crossings.unwrap_or_default(),
    );
    judge.references(prod, &prod_keys, Side::Prod, prod_crossings.unwrap_or_default());

    let mut findings = judge.findings;
    apply_waivers(&mut findings, &policy.waivers, options.today);
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
    let mut resources: Vec<(String, String)> = if !options.list_resources {
        Vec::new()
    } else {
        pairing
            .paired
            .iter()
            .map(|p| (p.staging.kind.clone(), p.key.to_string()))
            .chain(
                pairing
                    .only_in_staging
                    .iter()
                    .chain(&pairing.only_in_prod)
                    .map(|u| (u.resource.kind.clone(), u.key.to_string())),
            )
            .chain(
                pairing
                    .ambiguous
                    .iter()
                    .map(|a| (a.kind.to_owned(), a.key.to_owned())),
            )
            .collect()
    };
    resources.sort();
    Evaluation {
        resources,
        findings,
        paired: pairing.paired.len(),
        only_in_staging: pairing.only_in_staging.len(),
        only_in_prod: pairing.only_in_prod.len(),
        ambiguous: pairing.ambiguous.len(),
        engines_paired: engine_pairs,
        rego_prints: rego.prints,
    }
}

struct Judge<'p, 's> {
    policy: &'p Policy,
    findings: Vec<Finding>,
    /// Rule lookups repeat for every resource of a kind: [plain, secret] -> kind -> path -> the rules that may
    /// decide it (see [`Policy::comparison_candidates`]; mostly one). Looked up by borrowed strings, so a hit
    /// allocates nothing.
    comparison_cache: [HashMap<String, HashMap<String, Vec<usize>>>; 2],
    /// Per kind: whether equal values always pass (see [`Judge::equal_values_pass`]).
    equal_pass_cache: HashMap<String, bool>,
    /// Per policy rule: whether it decided at least one attribute.
    decided: Vec<bool>,
    /// Paired resources known equal without being parsed: the rules they would have met are found afterwards,
    /// and only for rules that decided nothing elsewhere.
    unparsed: Vec<(&'s Resource, &'s str)>,
    /// Why different fingerprints prove nothing here (the sides' keys differ or are unknown), if they do not.
    incomparable_secrets: Option<String>,
    /// Both sides are one environment, the earlier snapshot first: differences are changes since.
    over_time: bool,
    /// The accounts of the resources being judged (staging's, prod's), for the findings about them.
    at: [Option<&'s str>; 2],
    /// Whether either side spans several accounts: a finding's detail then names its accounts, for people.
    name_accounts: bool,
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
fn fingerprints_differ(s: Option<&Value>, p: Option<&Value>) -> bool {
    fn fingerprint(v: Option<&Value>) -> Option<&str> {
        v.filter(|v| is_redacted(v)).and_then(redacted_fingerprint)
    }
    matches!((fingerprint(s), fingerprint(p)), (Some(a), Some(b)) if a != b)
}

/// Who decided a finding: one of envparity's own rules, a rule of the policy, or envparity about a rule of the
/// policy that decided nothing.
#[derive(Clone, Copy)]
enum Decider<'p> {
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
struct Draft<'a> {
    by: Decider<'a>,
    severity: Severity,
    kind: &'a str,
    key: &'a str,
    field: Option<&'a str>,
    side: Option<Side>,
    staging: Option<&'a Value>,
    prod: Option<&'a Value>,
    detail: Option<String>,
}

impl<'a> Draft<'a> {
    /// A rule's finding on one attribute, at the rule's severity; values and side are set by the caller.
    fn attribute(rule: &'a Rule, kind: &'a str, key: &'a str, path: &'a str) -> Self {
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
    fn whole(by: Decider<'a>, severity: Severity, kind: &'a str, key: &'a str, detail: String) -> Self {
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
    fn on(self, side: Side) -> Self {
        Draft {
            side: Some(side),
            ..self
        }
    }
}

impl<'p, 's> Judge<'p, 's> {
    fn push(&mut self, d: Draft<'_>) {
        let (rule, message, decided_by) = match d.by {
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
                let named = [("staging", &accounts.staging), ("prod", &accounts.prod)]
                    .into_iter()
                    .filter_map(|(side, account)| Some(format!("{side} account {}", account.as_deref()?)))
                    .collect::<Vec<_>>()
                    .join(", ");
                Some(match d.detail {
                    Some(detail) => format!("{detail} ({named})"),
                    None => named,
                })
            }
            _ => d.detail,
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
        });
    }

    /// Every kind a gap names is unknown on that side: an `incomplete` finding, never a pass.
    fn gaps(&mut self, snapshot: &Snapshot, side: Side) {
        for gap in &snapshot.gaps {
            let place = place(&gap.account, &gap.region);
            let key = format!("{}:{}", side.name(), if place.is_empty() { "*" } else { &place });
            let detail = format!(
                "{} {} in {}{}: {}",
                gap.provider,
                gap.service,
                side.name(),
                parenthesized(&place),
                gap.error
            );
            // A gap that leaves no kind unknown (what was not audited) is still not seen.
            let whole = format!("{}.{}", gap.provider, gap.service);
            let kinds = match gap.kinds.is_empty() {
                true => std::slice::from_ref(&whole),
                false => &gap.kinds[..],
            };
            for kind in kinds {
                self.push(
                    Draft::whole(
                        Decider::Builtin(BuiltinRule::Incomplete),
                        Severity::Incomplete,
                        kind,
                        &key,
                        detail.clone(),
                    )
                    .on(side),
                );
            }
        }
    }

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

    /// Resource types the environment runs that no collector read, when the policy reports them.
    fn unaudited(&mut self, snapshot: &Snapshot, side: Side) {
        let Level::Report(severity) = self.policy.defaults.level(BuiltinRule::Unaudited) else {
            return;
        };
        for u in &snapshot.unaudited {
            let place = place(&u.account, &u.region);
            let detail = format!(
                "{} {} resource{} of type {} in {}{} that no collector reads",
                u.count,
                u.provider,
                if u.count == 1 { "" } else { "s" },
                u.resource_type,
                side.name(),
                parenthesized(&place)
            );
            let key = format!("{}:{} {place}", side.name(), u.resource_type);
            let kind = format!("{}.unaudited", u.provider);
            self.push(
                Draft::whole(
                    Decider::Builtin(BuiltinRule::Unaudited),
                    severity,
                    &kind,
                    key.trim_end(),
                    detail,
                )
                .on(side),
            );
        }
    }

    /// A run that compared nothing earns no verdict: neither side holds a resource, or nothing paired although
    /// both do. Both sides being one environment (or one snapshot) is said too.
    fn coverage(&mut self, pairing: &Pairing<'_>, engine_pairs: usize, staging: &Snapshot, prod: &Snapshot) {
        let (s, p) = (staging.resources.len(), prod.resources.len());
        let nothing = if s == 0 && p == 0 {
            Some("neither snapshot holds a resource".to_owned())
        } else if pairing.paired.is_empty() && engine_pairs == 0 && s > 0 && p > 0 {
            Some(format!(
                "no resource of {} ({s}) paired with one of {} ({p}): the environment tokens (--staging-tokens, \
                 --prod-tokens) or the key tag most likely do not match the resources' names",
                staging.environment, prod.environment
            ))
        } else {
            None
        };
        if let Some(detail) = nothing {
            let draft = Draft::whole(
                Decider::Builtin(BuiltinRule::NothingCompared),
                Severity::Incomplete,
                "snapshot",
                "*",
                detail,
            );
            self.push(draft);
        }
        if staging.environment != prod.environment {
            return;
        }
        let (severity, detail) = if staging.collected_at == prod.collected_at {
            // Whatever the policy: one snapshot against itself can show no difference.
            (
                Severity::Warning,
                format!(
                    "both sides are the snapshot of {} collected at {}: nothing can differ",
                    staging.environment, staging.collected_at
                ),
            )
        } else if let Level::Report(severity) = self.policy.defaults.level(BuiltinRule::SameEnvironment) {
            (
                severity,
                format!(
                    "both sides are {} (collected at {} and {}): for changes over time use --policy drift",
                    staging.environment, staging.collected_at, prod.collected_at
                ),
            )
        } else {
            return;
        };
        let draft = Draft::whole(
            Decider::Builtin(BuiltinRule::SameEnvironment),
            severity,
            "snapshot",
            &staging.environment,
            detail,
        );
        self.push(draft);
    }

    /// Resources of one side whose name or tags carry the other side's environment token.
    fn foreign(
        &mut self,
        snapshot: &Snapshot,
        keys: &[String],
        side: Side,
        own: &[String],
        other: &[String],
    ) {
        let Level::Report(severity) = self.policy.defaults.level(BuiltinRule::ForeignEnvironment) else {
            return;
        };
        for (resource, key) in snapshot.resources.iter().zip(keys) {
            let Some(mark) = keys::foreign_mark(resource, own, other) else {
                continue;
            };
            let detail = format!(
                "in the {} snapshot, its {} {} carries the other environment's token `{}`",
                side.name(),
                mark.place,
                mark.text,
                mark.token
            );
            self.push(
                Draft::whole(
                    Decider::Builtin(BuiltinRule::ForeignEnvironment),
                    severity,
                    &resource.kind,
                    key,
                    detail,
                )
                .on(side),
            );
        }
    }

    /// Values of one side that name a resource or an account of the other: staging reading prod's database.
    fn references(&mut self, scanned: &Snapshot, keys: &[String], side: Side, crossings: Vec<Crossing>) {
        let rule = match side {
            Side::Staging => BuiltinRule::ReferencesProd,
            Side::Prod => BuiltinRule::ReferencesStaging,
        };
        let Level::Report(severity) = self.policy.defaults.level(rule) else {
            return;
        };
        let other_name = side.other().name();
        for c in crossings {
            let resource = &scanned.resources[c.index];
            let (staging, prod) = match side {
                Side::Staging => (Some(&c.value), None),
                Side::Prod => (None, Some(&c.value)),
            };
            self.push(Draft {
                by: Decider::Builtin(rule),
                severity,
                kind: &resource.kind,
                key: &keys[c.index],
                field: Some(&c.path),
                side: Some(side),
                staging,
                prod,
                detail: Some(format!("names {other_name}'s {}", c.names)),
            });
        }
    }

    /// Dev parity, when the policy asks for it (see [`engines`]): the engines and config keys of the development
    /// side (staging) against prod's. Returns how many engine pairs were compared.
    fn dev_parity(
        &mut self,
        dev: &Snapshot,
        dev_keys: &[String],
        prod: &Snapshot,
        prod_keys: &[String],
    ) -> usize {
        let d = &self.policy.defaults;
        let mut compared = 0;
        if d.level(BuiltinRule::EngineMissing) != Level::Ignore
            || d.level(BuiltinRule::EngineMajorVersion) != Level::Ignore
        {
            let (findings, pairs) =
                engines::compare(engines::engines(dev, dev_keys), engines::engines(prod, prod_keys));
            compared = pairs;
            for finding in findings {
                match finding {
                    engines::EngineFinding::Missing { prod, dev_count } => {
                        let Level::Report(severity) = d.level(BuiltinRule::EngineMissing) else {
                            continue;
                        };
                        let detail = format!(
                            "prod runs {} {} ({}); the development environment runs {}",
                            prod.family,
                            prod.version.as_deref().unwrap_or("of an unknown version"),
                            prod.resource.label(),
                            match dev_count {
                                0 => format!("no {}", prod.family),
                                n => format!("{n} {}, each paired with another", prod.family),
                            }
                        );
                        self.push(
                            Draft::whole(
                                Decider::Builtin(BuiltinRule::EngineMissing),
                                severity,
                                &prod.resource.kind,
                                prod.key,
                                detail,
                            )
                            .on(Side::Prod),
                        );
                    }
                    engines::EngineFinding::Ambiguous { prod, candidates } => {
                        let Level::Report(severity) = d.level(BuiltinRule::EngineAmbiguous) else {
                            continue;
                        };
                        let detail = format!(
                            "prod's {} {} could pair with any of {}",
                            prod.family,
                            prod.resource.label(),
                            candidates.join(", ")
                        );
                        self.push(
                            Draft::whole(
                                Decider::Builtin(BuiltinRule::EngineAmbiguous),
                                severity,
                                &prod.resource.kind,
                                prod.key,
                                detail,
                            )
                            .on(Side::Prod),
                        );
                    }
                    engines::EngineFinding::Version { dev, prod, outcome } => {
                        let (severity, why) = match outcome {
                            Outcome::Unknown(why) => (Severity::Incomplete, why),
                            Outcome::Fail(why) => match d.level(BuiltinRule::EngineMajorVersion) {
                                Level::Report(severity) => (severity, why),
                                Level::Ignore => continue,
                            },
                            Outcome::Pass => continue,
                        };
                        let (dv, pv) = (
                            dev.version.clone().map_or(Value::Null, Value::from),
                            prod.version.clone().map_or(Value::Null, Value::from),
                        );
                        let detail = format!(
                            "{} in {} ({}) and in {} ({}): {why}",
                            prod.family,
                            dev.resource.label(),
                            dev.resource.kind,
                            prod.resource.label(),
                            prod.resource.kind
                        );
                        self.push(Draft {
                            by: Decider::Builtin(BuiltinRule::EngineMajorVersion),
                            severity,
                            kind: &prod.resource.kind,
                            key: prod.key,
                            field: Some("engine_version"),
                            side: None,
                            staging: Some(&dv),
                            prod: Some(&pv),
                            detail: Some(detail),
                        });
                    }
                }
            }
        }
        if let Level::Report(severity) = d.level(BuiltinRule::ConfigKeyMissing) {
            let have = engines::config_keys(dev, dev_keys);
            for (name, (kind, key)) in engines::missing_keys(&have, engines::config_keys(prod, prod_keys)) {
                let detail = format!("prod sets {name} ({kind} {key}); no development service does");
                self.push(
                    Draft::whole(
                        Decider::Builtin(BuiltinRule::ConfigKeyMissing),
                        severity,
                        "config",
                        &name,
                        detail,
                    )
                    .on(Side::Prod),
                );
            }
        }
        compared
    }

    /// Settings of one environment that must agree with each other (see [`relations`]).
    fn relations(&mut self, snapshot: &Snapshot, keys: &[String], side: Side) {
        for short in relations::short_visibility(snapshot, keys) {
            let queue = &snapshot.resources[short.queue];
            let visibility = Value::from(short.visibility);
            let (staging, prod) = match side {
                Side::Staging => (Some(&visibility), None),
                Side::Prod => (None, Some(&visibility)),
            };
            self.push(Draft {
                by: Decider::Builtin(BuiltinRule::QueueVisibility),
                severity: short.severity,
                kind: &queue.kind,
                key: &keys[short.queue],
                field: Some("visibility_timeout_seconds"),
                side: Some(side),
                staging,
                prod,
                detail: Some(short.detail),
            });
        }
    }

    fn presence(&mut self, pairing: &Pairing<'s>, staging: &Snapshot, prod: &Snapshot) {
        let defaults = &self.policy.defaults;
        let one_sided = [
            (
                BuiltinRule::MissingInStaging,
                defaults.level(BuiltinRule::MissingInStaging),
                &pairing.only_in_prod,
                staging,
                Side::Prod,
            ),
            (
                BuiltinRule::ExtraInStaging,
                defaults.level(BuiltinRule::ExtraInStaging),
                &pairing.only_in_staging,
                prod,
                Side::Staging,
            ),
        ];
        for (rule, level, unpaired, other, present) in one_sided {
            let Level::Report(severity) = level else { continue };
            for Unpaired { key, resource } in unpaired {
                // Not seen is not missing: a gap on the other side for this kind makes it unknown.
                if other.has_gap_for(&resource.kind) {
                    continue;
                }
                let detail = match (self.over_time, present) {
                    (true, Side::Prod) => {
                        format!("added since {}: {}", staging.collected_at, resource.label())
                    }
                    (true, Side::Staging) => {
                        format!("removed since {}: {}", staging.collected_at, resource.label())
                    }
                    (false, _) => format!("{} has {}", present.name(), resource.label()),
                };
                let account = resource.account.as_deref();
                self.at = match present {
                    Side::Staging => [account, None],
                    Side::Prod => [None, account],
                };
                self.push(Draft::whole(
                    Decider::Builtin(rule),
                    severity,
                    &resource.kind,
                    key,
                    detail,
                ));
            }
        }
        self.at = [None, None];
        if let Level::Report(severity) = defaults.level(BuiltinRule::AmbiguousKey) {
            for a in &pairing.ambiguous {
                let names = |rs: &[&Resource]| rs.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
                let detail = format!("staging: [{}]; prod: [{}]", names(&a.staging), names(&a.prod));
                self.push(Draft::whole(
                    Decider::Builtin(BuiltinRule::AmbiguousKey),
                    severity,
                    a.kind,
                    a.key,
                    detail,
                ));
            }
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
                _ => comparator.judge(s, p),
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
            (None, Some(_)) => Some("absent in staging".to_owned()),
            (Some(_), None) => Some("absent in prod".to_owned()),
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
        let rules: Vec<(usize, &Rule, &Value)> = policy
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| match &rule.check {
                Check::Expect { staging, prod } => {
                    let expected = match side {
                        Side::Staging => staging.as_ref(),
                        Side::Prod => prod.as_ref(),
                    }?;
                    (rule.covers_kind(&resource.kind) && rule.covers_key(key))
                        .then_some((index, rule, expected))
                }
                Check::Compare(_) => None,
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
    fn unused_rules(&mut self) {
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

/// A stable identity for a finding, so a later run can tell what is new.
fn fingerprint(rule: &str, kind: &str, key: &str, field: Option<&str>, side: Option<Side>) -> String {
    let mut h = Sha256::new();
    for part in [rule, kind, key, field.unwrap_or(""), side.map_or("", Side::name)] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Marks waived findings; reports expired waivers and waivers that matched nothing.
fn apply_waivers(findings: &mut Vec<Finding>, waivers: &[Waiver], today: jiff::civil::Date) {
    let mut used = vec![false; waivers.len()];
    for f in findings.iter_mut() {
        // What was not seen cannot be waived. (No waiver names another unwaivable id: the policy refuses it.)
        if f.severity == Severity::Incomplete {
            continue;
        }
        let matching = waivers.iter().enumerate().filter(|(_, w)| {
            w.rule == f.rule
                && w.key.matches(&f.key)
                && w.kind.as_ref().is_none_or(|k| k.matches(&f.kind))
                && w.field
                    .as_ref()
                    .is_none_or(|g| f.field.as_deref().is_some_and(|field| g.covers(field)))
        });
        let mut in_force = None;
        for (i, w) in matching {
            used[i] = true;
            if in_force.is_none() && w.in_force(today) {
                in_force = Some(w);
            }
        }
        if let Some(w) = in_force {
            f.waived = true;
            f.waiver = Some(WaiverNote {
                reason: w.reason.clone(),
                owner: w.owner.clone(),
                expires: w.expires.to_string(),
            });
        }
    }
    for (w, used) in waivers.iter().zip(used) {
        let (rule, detail) = if !w.in_force(today) {
            let still = if used {
                ""
            } else {
                "; it no longer matches anything"
            };
            (
                BuiltinRule::WaiverExpired,
                format!("expired on {}{still}; owner {}: {}", w.expires, w.owner, w.reason),
            )
        } else if !used {
            (
                BuiltinRule::WaiverUnused,
                format!("owner {}: {}", w.owner, w.reason),
            )
        } else {
            continue;
        };
        let kind = "policy.waiver";
        let key = format!("{}@{}", w.rule, w.key.as_str());
        findings.push(Finding {
            fingerprint: fingerprint(rule.id(), kind, &key, None, None),
            rule: rule.id().to_owned(),
            severity: Severity::Warning,
            kind: kind.to_owned(),
            key,
            field: None,
            staging: None,
            prod: None,
            side: None,
            message: rule.message().to_owned(),
            detail: Some(detail),
            waived: false,
            waiver: None,
            baseline: None,
            decided_by: Some(w.origin.clone()),
            accounts: None,
        });
    }
}

/// " (111111111111 eu-west-1)" after a side's name, or nothing where there is no place.
fn parenthesized(place: &str) -> String {
    match place.is_empty() {
        true => String::new(),
        false => format!(" ({place})"),
    }
}
