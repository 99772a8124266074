//! Evaluating a policy's Rego modules on a pair: each module's `deny` and `warn` rules, with the two snapshots
//! as `input.staging` and `input.prod`. What a rule returns becomes findings; a rule that raises, or runs past
//! its time, is an `incomplete` finding naming the module and the rule, never a silent pass.

mod input;

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::policy::Severity;
use crate::policy::rego::{self, Module, Rego};
use crate::snapshot::Snapshot;

/// One result of one rule, as the engine turns it into a finding.
pub(super) struct RegoFinding {
    pub rule_id: String,
    pub severity: Severity,
    pub kind: String,
    pub key: String,
    pub field: Option<String>,
    /// The values the rule gave as staging's and prod's, if any.
    pub staging: Option<Value>,
    pub prod: Option<Value>,
    pub message: String,
    pub detail: Option<String>,
}

/// At most this many results of one rule become findings; more is a mistake in the rule, reported as such.
const MAX_RESULTS: usize = 10_000;

/// Evaluates every module's rules on the pair.
pub(super) fn evaluate(rego: &Rego, staging: &Snapshot, prod: &Snapshot) -> Vec<RegoFinding> {
    let started = std::time::Instant::now();
    let mut turn = rego::Turn::take();
    let mut engine = rego.engine.clone();
    engine.set_input(input::input(staging, prod));
    tracing::debug!(elapsed = ?started.elapsed(), "Rego input ready");
    // The modules are shared out among as many workers as there are cores, each with its own engine (the input
    // is shared, not copied): a worker takes the next module as soon as it is done with one. Findings keep the
    // modules' order.
    let _ceiling = turn.ceiling(rego.limits.memory_mib);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(rego.modules.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut per_module: Vec<(usize, Vec<RegoFinding>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (mut engine, next) = (engine.clone(), &next);
                scope.spawn(move || {
                    let mut found = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(module) = rego.modules.get(i) else { break };
                        found.push((i, evaluate_module(&mut engine, module, &rego.limits)));
                    }
                    // What this thread counted reaches the process's count before the thread ends.
                    regorus::flush_thread_memory_counters();
                    found
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("evaluating a module does not panic"))
            .collect()
    });
    per_module.sort_by_key(|(i, _)| *i);
    tracing::debug!(elapsed = ?started.elapsed(), modules = rego.modules.len(), "Rego rules evaluated");
    per_module
        .into_iter()
        .flat_map(|(_, findings)| findings)
        .collect()
}

/// One module's `deny` and `warn` rules, evaluated on the engine's input.
fn evaluate_module(engine: &mut regorus::Engine, module: &Module, limits: &rego::Limits) -> Vec<RegoFinding> {
    let mut out = Vec::new();
    for (rule, severity) in rego::RULES.iter().filter(|(r, _)| module.rules.contains(r)) {
        let path = format!("{}.{rule}", module.package);
        let results = engine
            .eval_rule(path)
            .map_err(|e| stopped(&e, limits).unwrap_or_else(|| rego::located(&e.to_string())))
            .and_then(|v| v.to_json_str().map_err(|e| e.to_string()))
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()));
        match results {
            Ok(Value::Array(items)) if items.len() > MAX_RESULTS => out.push(failure(
                module,
                rule,
                &format!(
                    "{} results, more than the {MAX_RESULTS} a rule may give",
                    items.len()
                ),
            )),
            Ok(Value::Array(items)) => {
                out.extend(items.iter().map(|item| finding(module, rule, *severity, item)));
            }
            // An undefined rule (regorus writes it as this string) gives no finding; `null` is a mistake.
            Ok(Value::String(s)) if s == "<undefined>" => {}
            Ok(other) => out.push(failure(
                module,
                rule,
                &format!(
                    "`{rule}` must be a set of objects or strings, not {}",
                    crate::snapshot::type_name(&other)
                ),
            )),
            Err(e) => out.push(failure(module, rule, &e)),
        }
    }
    out
}

/// Why regorus stopped a rule, when a limit of the policy stopped it.
fn stopped(error: &anyhow::Error, limits: &rego::Limits) -> Option<String> {
    match error.downcast_ref::<regorus::LimitError>()? {
        regorus::LimitError::TimeLimitExceeded { .. } => Some(format!(
            "stopped after {} s, the `rego_timeout_seconds` of the policy",
            limits.timeout.as_secs()
        )),
        regorus::LimitError::MemoryLimitExceeded { .. } => Some(format!(
            "stopped past {} MiB, the `rego_memory_mib` of the policy",
            limits.memory_mib
        )),
        regorus::LimitError::RegexSizeLimitExceeded { .. } => None,
    }
}

/// A result: `{"msg": ..., "kind", "key", "field", "staging", "prod", "severity", "id", "why"}`, or a plain
/// message.
fn finding(module: &Module, rule: &str, severity: Severity, item: &Value) -> RegoFinding {
    let text = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_owned);
    let msg = match item {
        Value::String(s) => s.clone(),
        _ => text("msg").unwrap_or_else(|| item.to_string()),
    };
    let severity = match text("severity").as_deref() {
        Some("error") => Severity::Error,
        Some("warning") => Severity::Warning,
        _ => severity,
    };
    RegoFinding {
        rule_id: module.rule_id(text("id").as_deref(), rule),
        severity,
        kind: text("kind").unwrap_or_else(|| "rego".to_owned()),
        key: text("key").unwrap_or_else(|| msg.clone()),
        field: text("field"),
        staging: item.get("staging").cloned(),
        prod: item.get("prod").cloned(),
        message: text("why")
            .unwrap_or_else(|| format!("Rego rule {}.{rule} of {}.", module.package, module.path)),
        detail: Some(msg),
    }
}

/// A rule that could not be evaluated: unknown, so incomplete.
fn failure(module: &Module, rule: &str, error: &str) -> RegoFinding {
    RegoFinding {
        rule_id: module.rule_id(None, rule),
        severity: Severity::Incomplete,
        kind: "rego".to_owned(),
        key: format!("{}:{rule}", module.path),
        field: None,
        staging: None,
        prod: None,
        message:
            "A Rego rule could not be evaluated, so what it checks is unknown: a gate cannot pass on it."
                .to_owned(),
        detail: Some(format!("{} {rule}: {error}", module.path)),
    }
}
