//! The worker side of evaluating Rego (`envparity rego-worker`, started by [`super::evaluate`], never by hand):
//! it reads the policy's modules and the pair from stdin, builds the input once, limits its own address space to
//! what it holds plus `rego_memory_mib`, then evaluates one rule per command and answers with one JSON line.
//!
//! Protocol, one line each: the header (modules, limits, lanes), staging's snapshot, prod's snapshot (compact
//! JSON); then the worker says [`READY`]; then each command `JOB MODULE_INDEX RULE` gets an answer `{"job",
//! "result", "error", "prints"}`, as soon as its rule is evaluated: up to `lanes` rules are evaluated at once,
//! each on a thread of its own with its own engine over the one input. An empty line or the end of stdin ends
//! it.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::policy::rego::{Limits, Rego};
use envparity_model::snapshot::Snapshot;

/// The hidden subcommand a worker runs as.
pub const SUBCOMMAND: &str = "rego-worker";

/// What a worker says once its input is built.
pub const READY: &str = "ready";

/// The first line: what to compile and under which limits.
#[derive(Serialize, Deserialize)]
struct Header {
    sources: crate::policy::rego::Sources,
    timeout_seconds: u64,
    memory_mib: u64,
    /// How many rules it evaluates at once.
    lanes: usize,
}

/// Writes what a worker starts with: the header, then both snapshots (compact JSON), a line each. Written as a
/// stream: the worker parses staging's while prod's is still being written.
pub(super) fn write_preamble(
    to: impl Write,
    rego: &Rego,
    [staging, prod]: [&Snapshot; 2],
    lanes: usize,
) -> std::io::Result<()> {
    let header = Header {
        sources: rego.sources.clone(),
        timeout_seconds: rego.limits.timeout.as_secs(),
        memory_mib: rego.limits.memory_mib,
        lanes,
    };
    let mut to = std::io::BufWriter::with_capacity(1 << 20, to);
    serde_json::to_writer(&mut to, &header)?;
    for snapshot in [staging, prod] {
        to.write_all(b"\n")?;
        serde_json::to_writer(&mut to, snapshot)?;
    }
    to.write_all(b"\n")?;
    to.flush()
}

/// Why a rule stopped at `rego_timeout_seconds`.
pub(super) fn past_time(limits: &Limits) -> String {
    format!(
        "stopped after {} s, the `rego_timeout_seconds` of the policy",
        limits.timeout.as_secs()
    )
}

/// Why a rule stopped at `rego_memory_mib`.
pub(super) fn past_memory(limits: &Limits) -> String {
    format!(
        "stopped past {} MiB, the `rego_memory_mib` of the policy",
        limits.memory_mib
    )
}

/// The largest answer a worker gives: a rule's results past it are a mistake in the rule.
const MAX_ANSWER: usize = 64 << 20;

/// Serves one parent: returns when its stdin ends; an error when the preamble is not what a parent writes.
pub fn serve(input: impl BufRead, output: impl Write + Send) -> Result<(), String> {
    let mut lines = input.lines();
    let mut next = || -> Result<String, String> {
        lines
            .next()
            .ok_or("the parent closed the input early")?
            .map_err(|e| e.to_string())
    };
    let header: Header = serde_json::from_str(&next()?).map_err(|e| format!("header: {e}"))?;
    let limits = Limits {
        timeout: std::time::Duration::from_secs(header.timeout_seconds),
        memory_mib: header.memory_mib,
    };
    let (mut template, modules) =
        crate::policy::rego::engine(&header.sources, limits).map_err(|e| e.join("\n"))?;
    {
        // The parent wrote both as it read and checked them: staging's is parsed while prod's arrives.
        let parse = |line: String| serde_json::from_str::<Snapshot>(&line).map_err(|e| e.to_string());
        let staging_line = next()?;
        let staging = std::thread::spawn(move || parse(staging_line));
        let prod = parse(next()?)?;
        let staging = staging
            .join()
            .map_err(|_| "parsing staging's snapshot panicked")??;
        template.set_input(super::input::input(&staging, &prod));
    }
    let lanes = header.lanes.clamp(1, MAX_LANES);
    let (jobs, queue) = std::sync::mpsc::channel::<String>();
    let queue = std::sync::Mutex::new(queue);
    let output = std::sync::Mutex::new(output);
    // Each lane's thread starts, with its engine, before the address space is limited: its stack and its first
    // allocations are then part of what the worker holds, and the limit is what rules may add.
    let started = std::sync::Barrier::new(lanes + 1);
    std::thread::scope(|scope| -> Result<(), String> {
        for _ in 0..lanes {
            let (template, queue, output, started, modules) =
                (template.clone(), &queue, &output, &started, &modules);
            std::thread::Builder::new()
                .stack_size(LANE_STACK)
                .spawn_scoped(scope, move || {
                    lane(template, queue, output, started, modules, &limits)
                })
                .map_err(|e| format!("cannot start a thread: {e}"))?;
        }
        started.wait();
        limit_memory(limits.memory_mib)?;
        {
            let mut output = output.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            writeln!(output, "{READY}")
                .and_then(|()| output.flush())
                .map_err(|e| e.to_string())?;
        }
        loop {
            match next() {
                Ok(command) if !command.is_empty() => {
                    if jobs.send(command).is_err() {
                        return Err("the worker's threads ended".to_owned());
                    }
                }
                // Dropping the sender ends the lanes once they are idle.
                _ => return Ok(()),
            }
        }
    })
}

/// At most this many rules at once, whatever the parent asks.
const MAX_LANES: usize = 16;

/// A lane's stack: as large as a main thread's, so that a rule recurses as deep on a lane as it would alone.
const LANE_STACK: usize = 8 << 20;

/// One lane: evaluates the commands it takes from `queue` on its own engine, and writes each answer whole.
fn lane(
    template: regorus::Engine,
    queue: &std::sync::Mutex<std::sync::mpsc::Receiver<String>>,
    output: &std::sync::Mutex<impl Write + Send>,
    started: &std::sync::Barrier,
    modules: &[crate::policy::rego::Module],
    limits: &Limits,
) {
    // Rules run on a clone (the input is shared, not copied): after a panic, which may leave an engine half-way
    // through a rule, the next rule gets a fresh one.
    let mut engine = template.clone();
    started.wait();
    loop {
        let command = match queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .recv()
        {
            Ok(command) => command,
            Err(_) => return,
        };
        let answer = match parse_command(&command, modules) {
            Ok((job, module, rule)) => {
                let path = format!("{}.{rule}", module.package);
                let evaluated =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| engine.eval_rule(path)));
                let prints = engine.take_prints().unwrap_or_default();
                let (result, error) = match evaluated {
                    // Compact JSON: the answer is one line.
                    Ok(Ok(value)) => match serde_json::value::to_raw_value(&value) {
                        Ok(raw) if raw.get().len() > MAX_ANSWER => (
                            None,
                            Some(format!("its results are larger than {} MiB", MAX_ANSWER >> 20)),
                        ),
                        Ok(raw) => (Some(raw), None),
                        Err(e) => (None, Some(e.to_string())),
                    },
                    Ok(Err(e)) => (None, Some(stopped(&e, limits))),
                    Err(panic) => {
                        engine = template.clone();
                        let what = panic
                            .downcast_ref::<String>()
                            .map(String::as_str)
                            .or_else(|| panic.downcast_ref::<&str>().copied())
                            .unwrap_or("no message");
                        (None, Some(format!("regorus panicked: {what}")))
                    }
                };
                super::Answer {
                    job,
                    result,
                    error,
                    prints,
                }
            }
            // A command the parent did not write: answered as a job no one asked, which the parent takes for a
            // broken worker.
            Err(e) => super::Answer {
                job: usize::MAX,
                result: None,
                error: Some(e.to_owned()),
                prints: Vec::new(),
            },
        };
        let line = serde_json::to_string(&answer).unwrap_or_default();
        let mut output = output.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if writeln!(output, "{line}").and_then(|()| output.flush()).is_err() {
            return;
        }
    }
}

/// `JOB MODULE_INDEX RULE`: the job's index, its module, and the rule's name.
fn parse_command<'m>(
    command: &str,
    modules: &'m [crate::policy::rego::Module],
) -> Result<(usize, &'m crate::policy::rego::Module, String), &'static str> {
    let mut parts = command.splitn(3, ' ');
    let job = parts
        .next()
        .and_then(|j| j.parse::<usize>().ok())
        .ok_or("a command is JOB MODULE RULE")?;
    let module = parts
        .next()
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|i| modules.get(i))
        .ok_or("no such module")?;
    let rule = parts.next().ok_or("a command is JOB MODULE RULE")?;
    Ok((job, module, rule.to_owned()))
}

/// regorus's error as a finding's reason: the time limit of the policy named, any other error located. (Its
/// memory limit is never set: the worker's address space is the limit.)
fn stopped(error: &anyhow::Error, limits: &Limits) -> String {
    match error.downcast_ref::<regorus::LimitError>() {
        Some(regorus::LimitError::TimeLimitExceeded { .. }) => past_time(limits),
        _ => crate::policy::rego::located(&error.to_string()),
    }
}

/// Limits the process's address space to what it maps now plus `mib`: past it, an allocation fails and the
/// worker ends, which its parent reports as the rule past `rego_memory_mib`.
fn limit_memory(mib: u64) -> Result<(), String> {
    let statm = std::fs::read_to_string("/proc/self/statm").map_err(|e| format!("/proc/self/statm: {e}"))?;
    let pages: u64 = statm
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or("/proc/self/statm: no size")?;
    // SAFETY: sysconf reads a constant of the system.
    let page = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    let bytes = pages
        .saturating_mul(page)
        .saturating_add(mib.saturating_mul(1 << 20));
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: bytes,
    };
    // SAFETY: setrlimit reads the struct given, which lives across the call.
    match unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) } {
        0 => Ok(()),
        _ => Err(format!("setrlimit: {}", std::io::Error::last_os_error())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic inside the engine (regorus has had them: its own `sprintf` panicked on `%99999999999d`) is the rule's
    /// `incomplete` answer, and the lane goes on with a fresh engine.
    #[test]
    fn a_panic_inside_the_engine_is_the_rule_s_answer_and_the_lane_goes_on() {
        let mut template = regorus::Engine::new();
        template
            .add_policy(
                "p.rego".into(),
                "package p\ndeny contains x if { x := boom() }\n".into(),
            )
            .unwrap();
        template
            .add_extension(
                "boom".into(),
                0,
                Box::new(|_: Vec<regorus::Value>| -> anyhow::Result<regorus::Value> { panic!("boom") }),
            )
            .unwrap();
        let modules = [crate::policy::rego::Module {
            path: "p.rego".into(),
            package: "data.p".into(),
            rules: vec!["deny"],
        }];
        let (jobs, queue) = std::sync::mpsc::channel::<String>();
        let queue = std::sync::Mutex::new(queue);
        let output = std::sync::Mutex::new(Vec::<u8>::new());
        let started = std::sync::Barrier::new(1);
        for job in ["0 0 deny", "1 0 deny"] {
            jobs.send(job.to_owned()).unwrap();
        }
        drop(jobs);
        let limits = Limits::default();
        lane(template, &queue, &output, &started, &modules, &limits);
        let output = String::from_utf8(output.into_inner().unwrap()).unwrap();
        let answers: Vec<super::super::Answer> =
            output.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(answers.len(), 2, "{output}");
        for (job, answer) in answers.iter().enumerate() {
            assert_eq!(answer.job, job);
            assert_eq!(
                answer.error.as_deref(),
                Some("regorus panicked: boom"),
                "{output}"
            );
        }
    }
}
