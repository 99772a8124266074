//! Evaluating a policy's Rego modules on a pair: each module's `deny` and `warn` rules, with the two snapshots
//! as `input.staging` and `input.prod`. What a rule returns becomes findings; a rule that raises, panics, runs
//! past its time or its memory, is an `incomplete` finding naming the module and the rule, never a silent pass,
//! and every other rule is still evaluated.
//!
//! Rules run in a box: worker processes (envparity itself, `envparity rego-worker`, see [`worker`]) under the
//! operating system's limits. regorus checks its time limit between steps, not inside a builtin (`upper` of
//! 100 MB), and an allocation failure aborts a process: only a process of its own can be stopped from outside
//! (killed one second past `rego_timeout_seconds`) and held to a memory ceiling (`RLIMIT_AS`) without taxing the
//! rest of envparity. A worker that dies takes only the rule it was evaluating with it; the next rule gets a new
//! worker.

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
    // plain diff of the 100k pair). Each takes the next rule when done with one.
    let workers = (std::thread::available_parallelism().map_or(1, usize::from) / 2)
        .min(rego.modules.len())
        .max(1);
    let queue = Mutex::new(jobs);
    let mut done: Vec<(usize, Vec<RegoFinding>, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let queue = &queue;
                scope.spawn(move || {
                    let mut process: Option<Worker> = None;
                    let mut out = Vec::new();
                    loop {
                        let next = queue
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .pop_front();
                        let Some((index, job)) = next else { break };
                        let module = &rego.modules[job.module];
                        let (findings, prints) = match run(&mut process, worker, job, rego, [staging, prod]) {
                            Ok(Answer {
                                result,
                                error: None,
                                prints,
                            }) => (results(module, job, result), prints),
                            Ok(Answer {
                                error: Some(e),
                                prints,
                                ..
                            }) => (vec![failure(module, job.rule, &e)], prints),
                            Err(e) => (vec![failure(module, job.rule, &e)], Vec::new()),
                        };
                        out.push((index, findings, prints));
                    }
                    if let Some(p) = process {
                        p.stop();
                    }
                    out
                })
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

/// A worker's answer for one rule.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Answer {
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
    fn start(program: &Path, rego: &Rego, [staging, prod]: [&Snapshot; 2]) -> Result<Worker, String> {
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
        let _ = worker::write_preamble(&mut stdin, rego, staging, prod);
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

/// Evaluates one rule in the worker, starting one if there is none (or the last one died).
fn run(
    process: &mut Option<Worker>,
    program: &Path,
    job: Job,
    rego: &Rego,
    pair: [&Snapshot; 2],
) -> Result<Answer, String> {
    let limits = &rego.limits;
    let mut w = match process.take() {
        Some(w) => w,
        None => Worker::start(program, rego, pair)?,
    };
    let command = format!("{} {}\n", job.module, job.rule);
    if w.stdin
        .write_all(command.as_bytes())
        .and_then(|()| w.stdin.flush())
        .is_err()
    {
        return Err(w.died(limits));
    }
    match w.answers.recv_timeout(limits.timeout + GRACE) {
        Ok(line) => {
            *process = Some(w);
            serde_json::from_str(&line).map_err(|e| format!("the Rego worker's answer: {e}"))
        }
        Err(RecvTimeoutError::Timeout) => {
            w.stop();
            Err(worker::past_time(limits))
        }
        Err(RecvTimeoutError::Disconnected) => Err(w.died(limits)),
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
