//! Custom rules in Rego (`rego = ["rules/*.rego"]` in `[policy]`): modules loaded and compiled once, with the
//! embedded regorus engine, for the checks a comparator table cannot express.
//!
//! Each module's `deny` and `warn` rules see `input.staging` and `input.prod` (the snapshots as stored) and
//! produce objects with at least `msg` (or plain strings). Their findings are namespaced `rego:PACKAGE.ID`, so
//! that they can never shadow a built-in or TOML rule.

use envparity_files::gateway::{Gateway, Refused};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;

use envparity_model::glob::{GlobError, Wildcard};

mod calls;
pub mod names;
mod negation;
mod sprintf;

/// The rules of a module that produce findings, and the severity of each by default.
pub const RULES: &[(&str, super::Severity)] = &[
    ("deny", super::Severity::Error),
    ("warn", super::Severity::Warning),
];

/// The prefix of every Rego finding's rule id.
pub const PREFIX: &str = "rego:";

/// What the rules of a policy may use: past either, the rule is stopped (an `incomplete` finding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long one rule (a module's `deny` or `warn`) may evaluate (`rego_timeout_seconds`).
    pub timeout: Duration,
    /// How much memory the rules may take beyond what their worker process holds when they start, in MiB
    /// (`rego_memory_mib`): the operating system's limit of the worker (see `engine::rego`).
    pub memory_mib: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30),
            memory_mib: 1024,
        }
    }
}

/// The compiled modules of a policy: checked when the policy loads, evaluated by worker processes that compile
/// the same sources again (see `engine::rego`).
#[derive(Debug, Clone)]
pub struct Rego {
    pub modules: Vec<Module>,
    pub sources: Sources,
    pub limits: Limits,
}

/// What an engine is built from: the texts of the modules and of the `data` documents, and how modules are read.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sources {
    /// Each module's path as the policy names it and its text.
    pub modules: Vec<(String, String)>,
    /// Each data document's path as the policy names it (`.json`, `.yaml` or `.yml`) and its text: its
    /// top-level object is merged into `data`, as `opa eval -d FILE` does.
    pub data: Vec<(String, String)>,
    /// Whether modules are Rego v0 (`rego_v0 = true`), as OPA before 1.0 wrote them.
    pub v0: bool,
}

/// One loaded module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// The path as the policy names it (relative to the policy file).
    pub path: String,
    /// Its package, as a data path: `data.envparity.queues`.
    pub package: String,
    /// Which of [`RULES`] it declares.
    pub rules: Vec<&'static str>,
}

impl Module {
    /// The rule id a finding of this module gets: `rego:envparity.queues.deny`, or with the finding's own `id`,
    /// `rego:envparity.queues.visibility`.
    pub fn rule_id(&self, id: Option<&str>, rule: &str) -> String {
        let package = self.package.strip_prefix("data.").unwrap_or(&self.package);
        format!("{PREFIX}{package}.{}", id.unwrap_or(rule))
    }
}

/// Why a policy's `rego` pattern names no module. Each message starts with the pattern as written.
#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    #[error("{0:?}: `*` may only stand in the file name")]
    WildcardInFolder(String),
    /// Any other file (an `.env`, a key) would be quoted by the parser's errors.
    #[error("{pattern:?}: {what}'s name ends in {}", one_of(endings))]
    Ending {
        pattern: String,
        what: &'static str,
        endings: &'static [&'static str],
    },
    #[error("{pattern:?}: {error}")]
    BadWildcard { pattern: String, error: GlobError },
    #[error("{pattern:?}: {}: {error}", folder.display())]
    Unlisted {
        pattern: String,
        folder: PathBuf,
        error: Refused,
    },
    #[error("{0:?} names no file")]
    NoFile(String),
}

/// `` `.json`, `.yaml` or `.yml` ``.
fn one_of(endings: &[&str]) -> String {
    let quoted: Vec<String> = endings.iter().map(|e| format!("`{e}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// What a pattern of `rego` names: modules.
pub const MODULES: (&str, &[&str]) = ("a Rego module", &[".rego"]);
/// What a pattern of `rego_data` names: data documents.
pub const DATA: (&str, &[&str]) = ("a data document", &[".json", ".yaml", ".yml"]);

/// The files a pattern names, relative to `base`: `rules/*.rego` (a `*` in the file name only), sorted; each
/// name ends as `files` (one of [`MODULES`], [`DATA`]) says.
pub fn expand(
    gateway: &Gateway,
    base: &Path,
    pattern: &str,
    (what, endings): (&'static str, &'static [&'static str]),
) -> Result<Vec<(String, PathBuf)>, PatternError> {
    let (folder, name) = match pattern.rsplit_once('/') {
        Some((folder, name)) => (folder, name),
        None => ("", pattern),
    };
    if folder.contains('*') {
        return Err(PatternError::WildcardInFolder(pattern.to_owned()));
    }
    if !endings.iter().any(|e| name.ends_with(e)) {
        return Err(PatternError::Ending {
            pattern: pattern.to_owned(),
            what,
            endings,
        });
    }
    if !name.contains('*') {
        return Ok(vec![(pattern.to_owned(), base.join(pattern))]);
    }
    let wildcard = Wildcard::new(name).map_err(|error| PatternError::BadWildcard {
        pattern: pattern.to_owned(),
        error,
    })?;
    let dir = base.join(folder);
    let entries = gateway.list(&dir).map_err(|error| PatternError::Unlisted {
        pattern: pattern.to_owned(),
        folder: dir.clone(),
        error,
    })?;
    let mut out: Vec<(String, PathBuf)> = entries
        .into_iter()
        .filter(|(_, is_dir)| !is_dir)
        .filter_map(|(p, _)| p.file_name()?.to_str().map(|n| (n.to_owned(), p.clone())))
        .filter(|(n, _)| wildcard.matches(n))
        .map(|(n, p)| match folder {
            "" => (n, p),
            folder => (format!("{folder}/{n}"), p),
        })
        .collect();
    out.sort();
    if out.is_empty() {
        return Err(PatternError::NoFile(pattern.to_owned()));
    }
    Ok(out)
}

/// Loads and compiles modules and data documents, each read through the gateway: every error of every file,
/// each `file:line:col: message` (or `file: message`).
pub fn compile(
    gateway: &Gateway,
    modules: &[(String, PathBuf)],
    data: &[(String, PathBuf)],
    v0: bool,
    limits: Limits,
) -> Result<Rego, Vec<String>> {
    let mut errors = Vec::new();
    let mut read = |files: &[(String, PathBuf)]| -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (shown, path) in files {
            match gateway.read_to_string(path) {
                Ok(text) => out.push((shown.clone(), text)),
                Err(e) => errors.push(format!("{shown}: {e}")),
            }
        }
        out
    };
    let sources = Sources {
        modules: read(modules),
        data: read(data),
        v0,
    };
    match compile_sources(sources, limits) {
        Ok(rego) if errors.is_empty() => Ok(rego),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// Compiles modules and data from their texts, as [`compile`] does.
pub fn compile_sources(sources: Sources, limits: Limits) -> Result<Rego, Vec<String>> {
    let (_, modules) = engine(&sources, limits)?;
    Ok(Rego {
        modules,
        sources,
        limits,
    })
}

/// An engine holding the modules and the data, ready to evaluate under the limits, and what each module
/// declares: every error of every file, each `file:line:col: message`.
///
/// The engine evaluates the modules with the arguments of negated calls bound as OPA binds them ([`negation`]);
/// errors are those of the modules as written, so that every one points into the file. Modules load once: again
/// only when they have errors and were rewritten.
pub fn engine(sources: &Sources, limits: Limits) -> Result<(regorus::Engine, Vec<Module>), Vec<String>> {
    let bound: Vec<(String, String)> = sources
        .modules
        .iter()
        .map(|(shown, text)| {
            let bound = negation::bind_negated_arguments(shown, text, sources.v0);
            (shown.clone(), bound.unwrap_or_else(|| text.clone()))
        })
        .collect();
    match (load(sources, &bound, limits), bound == sources.modules) {
        // The errors as written; the rewriting's own, should the text as written load, never a silent fallback.
        (Err(rewritten), false) => load(sources, &sources.modules, limits).and(Err(rewritten)),
        (loaded, _) => loaded,
    }
}

/// An engine holding `modules` (the texts of `sources`'s, or those texts rewritten) and the data of `sources`.
fn load(
    sources: &Sources,
    texts: &[(String, String)],
    limits: Limits,
) -> Result<(regorus::Engine, Vec<Module>), Vec<String>> {
    let timer = ExecutionTimerConfig {
        limit: limits.timeout,
        check_interval: NonZeroU32::new(64).expect("not zero"),
    };
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(sources.v0);
    // OPA's `sprintf`, Go's flags, widths and precisions included: regorus looks extensions up before its builtins.
    engine
        .add_extension(
            "sprintf".to_owned(),
            2,
            Box::new(|args: Vec<regorus::Value>| {
                let format = args[0].as_string()?;
                let items: Vec<regorus::Value> = args[1].as_array()?.iter().cloned().collect();
                Ok(regorus::Value::from(sprintf::sprintf(format, &items)))
            }),
        )
        .expect("sprintf is added to a new engine once");
    engine.set_execution_timer_config(timer);
    // What `print` writes is gathered and shown escaped, never written raw to the terminal.
    engine.set_gather_prints(true);
    let mut modules = Vec::new();
    let mut errors = Vec::new();
    for (shown, text) in texts {
        // Each module is parsed on its own, so that every module's mistakes are found, not only the first one's.
        let added = engine
            .add_policy(shown.clone(), text.clone())
            .and_then(|package| {
                let mut rules = Vec::new();
                for (rule, _) in RULES {
                    if engine.has_declared_rule_rooted_at(shown, rule)? {
                        rules.push(*rule);
                    }
                }
                Ok(Module {
                    path: shown.clone(),
                    package,
                    rules,
                })
            });
        match added {
            Ok(module) => modules.push(module),
            Err(e) if !sources.v0 && parses_as_v0(shown, text) => errors.push(format!(
                "{shown}: this module is Rego v0, as OPA wrote it before 1.0 (`deny[msg] {{ ... }}`): set \
                 `rego_v0 = true` in [policy] to read it, or rewrite it as v1 (`opa fmt --v1-compatible`); as v1: {}",
                located(&e.to_string())
            )),
            Err(e) => errors.push(located(&e.to_string())),
        }
    }
    for (shown, text) in &sources.data {
        if let Err(e) = add_data(&mut engine, shown, text) {
            errors.push(format!("{shown}: {e}"));
        }
    }
    // regorus looks a function up only when a call is evaluated: every call is checked here instead.
    errors.extend(calls::unknown(engine.get_modules()));
    if errors.is_empty() {
        // Compiles every module together, so that a conflict between them is an error here, not at evaluation.
        if let Err(e) = engine.eval_query("true".to_owned(), false) {
            errors.push(located(&e.to_string()));
        }
    }
    match errors.is_empty() {
        true => Ok((engine, modules)),
        false => Err(errors),
    }
}

/// Visits every expression inside `expr` (itself included), without recursion: references can nest thousands
/// deep. The queries of its comprehensions are gathered in `queries`, for the caller to walk as it walks queries.
fn walk(
    expr: &regorus::unstable::Ref<regorus::unstable::Expr>,
    queries: &mut Vec<regorus::unstable::Ref<regorus::unstable::Query>>,
    mut visit: impl FnMut(&regorus::unstable::Expr),
) {
    use regorus::unstable::Expr;
    let mut pending = vec![expr.clone()];
    while let Some(expr) = pending.pop() {
        visit(expr.as_ref());
        match expr.as_ref() {
            Expr::Call { params, .. } => pending.extend(params.iter().cloned()),
            Expr::Array { items, .. } | Expr::Set { items, .. } => pending.extend(items.iter().cloned()),
            Expr::Object { fields, .. } => {
                for (_, key, value) in fields {
                    pending.extend([key.clone(), value.clone()]);
                }
            }
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                pending.push(term.clone());
                queries.push(query.clone());
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                pending.extend([key.clone(), value.clone()]);
                queries.push(query.clone());
            }
            Expr::UnaryExpr { expr, .. } => pending.push(expr.clone()),
            Expr::RefDot { refr, .. } => pending.push(refr.clone()),
            Expr::RefBrack { refr, index, .. } => pending.extend([refr.clone(), index.clone()]),
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::AssignExpr { lhs, rhs, .. } => pending.extend([lhs.clone(), rhs.clone()]),
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => {
                pending.extend(key.iter().cloned());
                pending.extend([value.clone(), collection.clone()]);
            }
            _ => {}
        }
    }
}

/// Whether a module that is not valid Rego v1 is valid v0: its error then names the option that reads it.
fn parses_as_v0(shown: &str, text: &str) -> bool {
    let mut v0 = regorus::Engine::new();
    v0.set_rego_v0(true);
    v0.add_policy(shown.to_owned(), text.to_owned()).is_ok()
}

/// Merges a data document into the engine's `data`: its top level must be an object, and a key another document
/// already set is a conflict.
fn add_data(engine: &mut regorus::Engine, shown: &str, text: &str) -> Result<(), String> {
    let yaml = shown.ends_with(".yaml") || shown.ends_with(".yml");
    let value = match yaml {
        true => regorus::Value::from_yaml_str(text),
        false => regorus::Value::from_json_str(text),
    }
    .map_err(|e| format!("not valid {}: {e}", if yaml { "YAML" } else { "JSON" }))?;
    if value.as_object().is_err() {
        return Err("a data document is an object at its top level, whose keys become `data.KEY`".to_owned());
    }
    engine
        .add_data(value)
        .map_err(|e| format!("cannot merge it into `data`: {e}"))
}

/// regorus's error (`\n--> file:3:5\n  |\n3 | code\n  |     ^\nerror: message`) as `file:3:5: message`, the
/// source line kept below it. regorus counts a tab as four columns; the column given is in characters, as editors
/// count them.
pub fn located(error: &str) -> String {
    let lines: Vec<&str> = error.lines().filter(|l| !l.trim().is_empty()).collect();
    let place = lines.iter().find_map(|l| l.trim().strip_prefix("--> "));
    let message = lines
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or_else(|| lines.last().copied().unwrap_or(error));
    let code = lines.iter().find_map(|l| {
        let (number, code) = l.split_once('|')?;
        let code = code.strip_prefix(' ').unwrap_or(code);
        (number.trim().parse::<u32>().is_ok() && !code.trim().is_empty()).then_some(code)
    });
    match (place, code) {
        (Some(place), Some(code)) => {
            format!("{}: {message}\n    {}", in_characters(place, code), code.trim())
        }
        (Some(place), None) => format!("{place}: {message}"),
        _ => error.trim().to_owned(),
    }
}

/// `file:line:col` with regorus's column (a tab counts four) turned into the character column of `code`.
fn in_characters(place: &str, code: &str) -> String {
    let Some((file_line, col)) = place.rsplit_once(':') else {
        return place.to_owned();
    };
    let Ok(col) = col.parse::<usize>() else {
        return place.to_owned();
    };
    // The character at regorus's column, or the end of the line when the column is past its last character.
    let mut visual = 1;
    let mut characters = 0;
    for c in code.chars() {
        if visual >= col {
            break;
        }
        visual += if c == '\t' { 4 } else { 1 };
        characters += 1;
    }
    format!("{file_line}:{}", characters + 1)
}

#[cfg(test)]
mod tests {
    use super::located;

    #[test]
    fn a_located_column_counts_a_tab_as_one_character_as_editors_do() {
        let error = "\n--> rules/q.rego:7:12\n  |\n7 | \tmsg := sprintff(\"%s\", [x])\n  |            ^\nerror: could not find function sprintff";
        assert_eq!(
            located(error),
            "rules/q.rego:7:9: could not find function sprintff\n    msg := sprintff(\"%s\", [x])"
        );
        // Past the last character (an unclosed brace): the end of the line, in characters too.
        let error = "\n--> rules/q.rego:3:25\n  |\n3 | \tdeny contains x if {\n  |                        ^\nerror: expecting `}`";
        assert_eq!(
            located(error),
            "rules/q.rego:3:22: expecting `}`\n    deny contains x if {"
        );
    }

    #[test]
    fn regorus_errors_become_one_located_line() {
        let error =
            "\n--> rules/q.rego:3:5\n  |\n3 | deny contains x if {\n  |     ^\nerror: unexpected keyword";
        assert_eq!(
            located(error),
            "rules/q.rego:3:5: unexpected keyword\n    deny contains x if {"
        );
    }
}
