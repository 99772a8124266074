//! Evaluating a policy's Rego modules on a pair: each module's `deny` and `warn` rules, with the two snapshots
//! as `input.staging` and `input.prod`. What a rule returns becomes findings; a rule that raises, panics, runs
//! past its time or its memory, is an `incomplete` finding naming the module and the rule, never a silent pass,
//! and every other rule is still evaluated.
//!
//! Rules run in a box: worker processes (envparity itself, `envparity rego-worker`, see [`worker`]) under the
//! operating system's limits. regorus checks its time limit between steps, not inside a builtin (`upper` of
//! 100 MB), and an allocation failure aborts a process: only a process of its own can be stopped from outside
//! (killed one second past `rego_timeout_seconds`) and held to a memory ceiling (`RLIMIT_AS`) without taxing the
//! rest of envparity. A worker evaluates several rules at once (see [`drive`]); one that dies takes only the
//! rule that took it down with it (rules beside it run again, alone), and the next rules get a new worker.

mod input;
pub mod worker;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use serde_json::Value;

use crate::policy::Severity;
use crate::policy::rego::{self, Module, Rego};
use envparity_model::snapshot::Snapshot;

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

/// What the modules gave: findings in the modules' order, and what their `print` calls wrote (each line
/// `file:line: text`, as data: shown escaped).
#[derive(Default)]
pub(super) struct Evaluated {
    pub findings: Vec<RegoFinding>,
    pub prints: Vec<String>,
}

/// At most this many results of one rule become findings; more is a mistake in the rule, reported as such.
const MAX_RESULTS: usize = 10_000;

/// How long past `rego_timeout_seconds` a worker may take to answer before it is killed: regorus stops a rule
/// itself at the limit when it can, with a clearer message.
const GRACE: Duration = Duration::from_secs(1);

/// The envparity binary that evaluates rules: this one, or beside it when this is a test or benchmark binary of
/// the package (`target/debug/deps/it-...` finds `target/debug/envparity`).
pub fn default_worker() -> PathBuf {
    let current = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("envparity"));
    let named = |p: &Path| p.file_stem().is_some_and(|s| s == "envparity");
    if named(&current) {
        return current;
    }
    current
        .ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join("envparity"))
        .find(|p| p.is_file())
        .unwrap_or(current)
}

/// One rule of one module: what a worker is asked to evaluate.
#[derive(Debug, Clone, Copy)]
struct Job {
    module: usize,
    rule: &'static str,
    severity: Severity,
}

/// Evaluates every module's rules on the pair, in worker processes of `worker` (see [`default_worker`]).
pub(super) fn evaluate(rego: &Rego, staging: &Snapshot, prod: &Snapshot, worker: &Path) -> Evaluated {
    let started = std::time::Instant::now();
    let jobs: VecDeque<(usize, Job)> = rego
        .modules
        .iter()
        .enumerate()
        .flat_map(|(module, m)| {
            crate::policy::rego::RULES
                .iter()
                .filter(|(r, _)| m.rules.contains(r))
                .map(move |&(rule, severity)| Job {
                    module,
                    rule,
                    severity,
                })
        })
        .enumerate()
        .collect();
    if jobs.is_empty() {
        return Evaluated::default();
    }
    // A worker per two cores (and no more than modules): each reads the whole pair again, beside the built-in
    // judging of this process, so on two cores one worker is faster than two (measured: 2.03x against 2.46x the
    // plain diff of the 100k pair). Each evaluates rules on as many threads as there are cores per worker, so
    // that the rules left once this process has judged use every core.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let workers = (cores / 2).min(rego.modules.len()).max(1);
    let lanes = (cores / workers).max(1);
    let queue: Mutex<VecDeque<Queued>> = Mutex::new(
        jobs.into_iter()
            .map(|(index, job)| Queued {
                index,
                job,
                solo: false,
            })
            .collect(),
    );
    let mut done: Vec<(usize, Vec<RegoFinding>, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let queue = &queue;
                scope.spawn(move || drive(queue, worker, rego, [staging, prod], lanes))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker's thread only waits on its process"))
            .collect()
    });
    done.sort_by_key(|(i, _, _)| *i);
    tracing::debug!(elapsed = ?started.elapsed(), modules = rego.modules.len(), "Rego rules evaluated");
    let mut evaluated = Evaluated::default();
    for (_, findings, prints) in done {
        evaluated.findings.extend(findings);
        evaluated.prints.extend(prints);
    }
    evaluated
}

/// A rule waiting for a worker.
#[derive(Debug, Clone, Copy)]
struct Queued {
    /// Its place among the jobs: findings are reported in this order.
    index: usize,
    job: Job,
    /// Whether it must run alone: a worker died while it ran beside another rule, and only a rule evaluated alone
    /// can be told to be the one that took its worker down.
    solo: bool,
}

/// A rule a worker is evaluating, since when.
struct InFlight {
    queued: Queued,
    sent: std::time::Instant,
}

/// One worker process's share of the jobs: keeps up to `lanes` rules in flight in one worker (a rule queued
/// `solo` alone), answers them as they come, and restarts the worker when one died or ran past its time. A rule
/// past its time is reported as such; the rules beside it go back to the queue; when a worker dies, the rules
/// in flight go back to run alone, so that the death is the rule's that caused it.
fn drive(
    queue: &Mutex<VecDeque<Queued>>,
    program: &Path,
    rego: &Rego,
    pair: [&Snapshot; 2],
    lanes: usize,
) -> Vec<(usize, Vec<RegoFinding>, Vec<String>)> {
    let limits = &rego.limits;
    let mut process: Option<Worker> = None;
    let mut in_flight: Vec<InFlight> = Vec::new();
    let mut out = Vec::new();
    let lock = || queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let report = |out: &mut Vec<_>, queued: Queued, error: &str| {
        let module = &rego.modules[queued.job.module];
        out.push((
            queued.index,
            vec![failure(module, queued.job.rule, error)],
            Vec::new(),
        ));
    };
    loop {
        while in_flight.len() < lanes && !in_flight.iter().any(|f| f.queued.solo) {
            let queued = {
                let mut queue = lock();
                match queue.front() {
                    Some(next) if !next.solo || in_flight.is_empty() => queue.pop_front(),
                    _ => None,
                }
            };
            let Some(queued) = queued else { break };
            let w = match process.take() {
                Some(w) => w,
                None => match Worker::start(program, rego, pair, lanes) {
                    Ok(w) => w,
                    Err(e) => {
                        report(&mut out, queued, &e);
                        continue;
                    }
                },
            };
            let w = process.insert(w);
            let command = format!("{} {} {}\n", queued.index, queued.job.module, queued.job.rule);
            // A worker that can no longer be written to has died: seen below, by its answers ending.
            let _ = w
                .stdin
                .write_all(command.as_bytes())
                .and_then(|()| w.stdin.flush());
            in_flight.push(InFlight {
                queued,
                sent: std::time::Instant::now(),
            });
        }
        let Some(w) = process.as_ref().filter(|_| !in_flight.is_empty()) else {
            break;
        };
        let first_deadline = in_flight
            .iter()
            .map(|f| f.sent)
            .min()
            .expect("rules are in flight")
            + limits.timeout
            + GRACE;
        let answer = w
            .answers
            .recv_timeout(first_deadline.saturating_duration_since(std::time::Instant::now()));
        let answer = match answer {
            Ok(line) => {
                serde_json::from_str::<Answer>(&line).map_err(|e| format!("the Rego worker's answer: {e}"))
            }
            Err(RecvTimeoutError::Timeout) => {
                process.take().expect("a worker is running").stop();
                let now = std::time::Instant::now();
                for f in std::mem::take(&mut in_flight) {
                    if f.sent + limits.timeout + GRACE <= now {
                        report(&mut out, f.queued, &worker::past_time(limits));
                    } else {
                        lock().push_front(f.queued);
                    }
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err(process.take().expect("a worker is running").died(limits))
            }
        };
        let position = answer
            .as_ref()
            .ok()
            .and_then(|a| in_flight.iter().position(|f| f.queued.index == a.job));
        match (answer, position) {
            (Ok(answer), Some(i)) => {
                let queued = in_flight.swap_remove(i).queued;
                let module = &rego.modules[queued.job.module];
                let findings = match answer.error {
                    None => results(module, queued.job, answer.result),
                    Some(e) => vec![failure(module, queued.job.rule, &e)],
                };
                out.push((queued.index, findings, answer.prints));
            }
            // A worker that died, or answered what it was not asked: the rule in flight alone is the cause; rules
            // beside each other run again, alone.
            (answer, _) => {
                let error = answer
                    .err()
                    .unwrap_or_else(|| "the Rego worker answered a rule it was not asked".to_owned());
                if let Some(w) = process.take() {
                    w.stop();
                }
                match in_flight.len() {
                    1 => report(&mut out, in_flight.remove(0).queued, &error),
                    _ => {
                        let mut queue = lock();
                        for f in in_flight.drain(..) {
                            queue.push_front(Queued {
                                solo: true,
                                ..f.queued
                            });
                        }
                    }
                }
            }
        }
    }
    if let Some(p) = process {
        p.stop();
    }
    out
}

/// A worker's answer for one rule.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Answer {
    /// The job it answers (its index among the jobs).
    job: usize,
    /// The rule's value as JSON, when it evaluated: passed through as the worker wrote it.
    result: Option<Box<serde_json::value::RawValue>>,
    /// Why it did not, when it did not.
    error: Option<String>,
    prints: Vec<String>,
}

/// A running worker process: its stdin for commands, its answers line by line, what it wrote to stderr.
struct Worker {
    child: Child,
    stdin: std::process::ChildStdin,
    answers: Receiver<String>,
    /// The start of what it writes to stderr, once it has ended.
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

/// The most of a worker's stderr kept, to tell why it died.
const STDERR_KEPT: usize = 64 * 1024;

impl Worker {
    /// Starts a worker and gives it the modules and the pair; returns once it has built its input.
    fn start(program: &Path, rego: &Rego, pair: [&Snapshot; 2], lanes: usize) -> Result<Worker, String> {
        let mut child = Command::new(program)
            .arg(worker::SUBCOMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start a Rego worker ({}): {e}", program.display()))?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut err = child.stderr.take().expect("stderr is piped");
        let (sender, answers) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let (mut kept, mut buffer) = (Vec::new(), [0u8; 8192]);
            while let Ok(n @ 1..) = err.read(&mut buffer) {
                let room = STDERR_KEPT.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..n.min(room)]);
            }
            kept
        });
        // The worker reads as it goes, so a large pair does not fill the pipe. One that dies reading it is seen
        // below, by its answers ending.
        let _ = worker::write_preamble(&mut stdin, rego, pair, lanes);
        let worker = Worker {
            child,
            stdin,
            answers,
            stderr,
        };
        // Building the input takes as long as the pair is large: no time limit, but a worker that dies is seen.
        match worker.answers.recv() {
            Ok(line) if line == worker::READY => Ok(worker),
            // Data like any other: each report format escapes it for its medium.
            Ok(other) => Err(format!("the Rego worker did not start: {other}")),
            Err(_) => Err(worker.died(&rego.limits)),
        }
    }

    /// Why the worker ended, from its exit status and stderr: past the memory ceiling when an allocation failed.
    fn died(self, limits: &rego::Limits) -> String {
        use std::os::unix::process::ExitStatusExt as _;
        let Worker {
            mut child, stderr, ..
        } = self;
        let status = child.wait().ok();
        // The process is gone, so its stderr has ended: the thread reading it returns.
        let stderr = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
        if stderr.contains("memory allocation of") {
            return worker::past_memory(limits);
        }
        match status {
            Some(s) if s.signal().is_some() => format!(
                "the worker evaluating it ended by signal {}",
                s.signal().unwrap_or_default()
            ),
            Some(s) => format!(
                "the worker evaluating it exited with status {}",
                s.code().unwrap_or_default()
            ),
            None => "the worker evaluating it ended".to_owned(),
        }
    }

    /// Stops it (idle, or past its time) and waits for it.
    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one rule gave, as findings.
fn results(module: &Module, job: Job, result: Option<Box<serde_json::value::RawValue>>) -> Vec<RegoFinding> {
    let rule = job.rule;
    let result = match result
        .map(|raw| serde_json::from_str::<Value>(raw.get()))
        .transpose()
    {
        Ok(result) => result,
        Err(e) => return vec![failure(module, rule, &format!("its value: {e}"))],
    };
    match result {
        Some(Value::Array(items)) if items.len() > MAX_RESULTS => vec![failure(
            module,
            rule,
            &format!(
                "{} results, more than the {MAX_RESULTS} a rule may give",
                items.len()
            ),
        )],
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| finding(module, rule, job.severity, item))
            .collect(),
        // An undefined rule (regorus writes it as this string) gives no finding; `null` is a mistake.
        Some(Value::String(s)) if s == "<undefined>" => Vec::new(),
        Some(other) => vec![failure(
            module,
            rule,
            &format!(
                "`{rule}` must be a set of objects or strings, not {}",
                envparity_model::snapshot::type_name(&other)
            ),
        )],
        None => vec![failure(module, rule, "it gave no value")],
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
