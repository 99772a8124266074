//! Docker Compose files (`compose.service`, `compose.engine`): a developer's environment, read the way Compose
//! reads it.
//!
//! The files are merged in order as Compose merges them (mappings key by key, `command`, `entrypoint` and a
//! health check's `test` replaced, other lists joined), after `${VAR}` interpolation from the `.env` file beside
//! the first one, `extends` resolved and anchors and merge keys (`<<: *defaults`) applied. Services of a profile
//! are read only when the environment enables the profile (`compose_profiles`). A service whose image is a
//! known database or cache is also an engine, with the version its tag pins.
//!
//! The process environment is not used for interpolation, unlike `docker compose`: a snapshot must not depend
//! on (nor copy) the environment of the machine that collects it. Variables not in `.env` take their default.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::{Map, Value, json};

use super::image::ImageRef;
use super::secrets::Redactor;
use super::{CollectError, scalar_text};
use crate::config::Environment;
use crate::source::{Context, Found, Source};
use envparity_files::gateway::Gateway;
use envparity_model::catalog::compose;
use envparity_model::catalog::typed::map_of;
use envparity_model::keys::derive_key;
use envparity_model::snapshot::{Attributes, AttributesError, Resource};

/// Images of known engines, by the last segment of their repository.
const ENGINES: &[(&str, &str)] = &[
    ("postgres", "postgres"),
    ("postgresql", "postgres"),
    ("postgis", "postgres"),
    ("mysql", "mysql"),
    ("mariadb", "mariadb"),
    ("redis", "redis"),
    ("redis-stack", "redis"),
    ("redis-stack-server", "redis"),
    ("valkey", "valkey"),
    ("memcached", "memcached"),
    ("mongo", "mongodb"),
    ("mongodb", "mongodb"),
];

/// Keys whose list a later file replaces rather than joins (Compose's merge rules).
const REPLACED: &[&str] = &["command", "entrypoint", "test"];

/// How deep merge keys may nest (`<<: *a` where `a` has `<<: *b`...).
const MERGE_DEPTH: usize = 16;

/// How deep `extends` may chain before it is taken for a cycle.
const EXTENDS_DEPTH: usize = 16;

/// The environment's Compose files (`compose`, with `compose_profiles`), merged as `docker compose` merges them.
pub struct Compose;

impl Source for Compose {
    fn provider(&self) -> &'static str {
        "compose"
    }

    fn service(&self) -> &'static str {
        "compose"
    }

    fn configured(&self, env: &Environment) -> bool {
        !env.compose.is_empty()
    }

    fn collect(&self, cx: &Context) -> Result<Found, CollectError> {
        let files: Vec<String> = cx.env.compose.iter().map(|f| cx.env.expand(f)).collect();
        let resources = collect(
            cx.gateway,
            cx.base_dir,
            &files,
            &cx.env.compose_profiles,
            &cx.env.tokens,
            cx.redactor,
        )?;
        Ok(Found {
            resources,
            ..Found::default()
        })
    }
}

/// Reads an environment's compose files into resources. `files` are the configured paths (`{env}` expanded),
/// relative to `base_dir`; `profiles` the enabled profiles. Every file is read through the `gateway`.
fn collect(
    gateway: &Gateway,
    base_dir: &Path,
    files: &[String],
    profiles: &[String],
    tokens: &[String],
    redactor: &Redactor,
) -> Result<Vec<Resource>, CollectError> {
    let fail = |message: String| CollectError { code: None, message };
    let Some(first) = files.first() else {
        return Ok(Vec::new());
    };
    let project = base_dir.join(first);
    let project_dir = project.parent().map(Path::to_path_buf).unwrap_or_default();
    // No `.env` is no variable; an unreadable one is a gap.
    let dot_env = project_dir.join(".env");
    let mut reader = Reader::new(gateway, &project_dir);
    if gateway.exists(&dot_env) {
        reader.variables = reader
            .env_file(&dot_env)
            .map_err(|e| fail(format!(".env beside {first}: {e}")))?
            .as_ref()
            .clone();
    }

    let mut merged = Value::Object(Map::new());
    for shown in files {
        let path = base_dir.join(shown);
        let mut document = Value::clone(
            &*reader
                .document(&path)
                .map_err(|e| fail(format!("{shown}: {e}")))?,
        );
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        reader
            .include(&mut document, &dir, 0)
            .map_err(|e| fail(format!("{shown}: {e}")))?;
        merge(&mut merged, document);
    }
    // A file without `services:` (Compose's old version-1 format, or a typo) would otherwise give nothing, and
    // an environment of nothing reads as parity.
    let Some(services) = merged.get("services").and_then(Value::as_object).cloned() else {
        return Err(fail(format!(
            "{}: no `services:`: envparity reads the Compose specification's format (version 1 files, with the \
             services at the top level, are not read)",
            files.join(", ")
        )));
    };

    let mut out = Vec::new();
    for (name, _) in &services {
        let service = reader
            .resolve(&services, name, 0)
            .map_err(|e| fail(format!("service {name}: {e}")))?;
        let enabled = match service.get("profiles").and_then(Value::as_array) {
            Some(wanted) => wanted
                .iter()
                .filter_map(Value::as_str)
                .any(|p| profiles.iter().any(|q| q == p)),
            None => true,
        };
        if !enabled {
            continue;
        }
        out.extend(resources(&reader, name, &service, &project_dir, first, tokens, redactor).map_err(fail)?);
    }
    Ok(out)
}

/// The files of one collection (compose files, `.env`, `env_file`s): each read through the gateway and parsed
/// once, however many files and services name it.
struct Reader<'g> {
    gateway: &'g Gateway,
    /// The folder of the first compose file: relative paths of every file read are rewritten relative to it.
    project_dir: PathBuf,
    /// The variables of the `.env` beside the first compose file, for interpolation.
    variables: BTreeMap<String, String>,
    /// Parsed compose files by resolved path.
    documents: RefCell<BTreeMap<PathBuf, Rc<Value>>>,
    /// Parsed `.env` files by resolved path.
    env_files: RefCell<BTreeMap<PathBuf, Rc<BTreeMap<String, String>>>>,
}

impl<'g> Reader<'g> {
    fn new(gateway: &'g Gateway, project_dir: &Path) -> Self {
        Reader {
            gateway,
            project_dir: project_dir.to_path_buf(),
            variables: BTreeMap::new(),
            documents: RefCell::default(),
            env_files: RefCell::default(),
        }
    }

    /// The variables of a file in `.env` format (`.env`, an `env_file`), as Compose reads them: a value that is
    /// not single-quoted is interpolated with the variables the file set before it, then the project's
    /// (`IMAGE=${REGISTRY}/api:${TAG}`); never with the process environment.
    fn env_file(&self, path: &Path) -> Result<Rc<BTreeMap<String, String>>, String> {
        self.once(&self.env_files, path, || {
            let text = self.gateway.read_to_string(path).map_err(|e| e.to_string())?;
            let mut variables = self.variables.clone();
            let mut out = BTreeMap::new();
            for entry in super::files::dotenv_entries(&text)? {
                let value = match entry.literal {
                    true => entry.value,
                    false => {
                        interpolate(&entry.value, &variables).map_err(|e| format!("{}: {e}", entry.name))?
                    }
                };
                variables.insert(entry.name.clone(), value.clone());
                out.insert(entry.name, value);
            }
            Ok(out)
        })
    }

    /// One compose file: YAML with anchors and merge keys applied, interpolated with the project's variables,
    /// its relative paths taken from its own folder.
    fn document(&self, path: &Path) -> Result<Rc<Value>, String> {
        self.once(&self.documents, path, || {
            let dir = path.parent().unwrap_or(Path::new(""));
            self.parse(path, dir, &self.variables)
        })
    }

    /// A compose file interpolated with `variables`, its relative paths (`env_file`, `extends.file`) taken from
    /// `dir` and rewritten relative to the project's folder, so that every path of every document read is
    /// relative to the one folder.
    fn parse(&self, path: &Path, dir: &Path, variables: &BTreeMap<String, String>) -> Result<Value, String> {
        let text = self.gateway.read_to_string(path).map_err(|e| e.to_string())?;
        let text = envparity_model::diagnostic::without_bom(&text);
        super::yaml::check_depth(text)?;
        let mut yaml: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
        // One pass leaves the merge keys of what it merges in (`<<: *defaults` where `defaults` has its own
        // `<<: [*a, *b]`), so it runs until none is left, a level a pass.
        let mut passes = 0;
        while passes == 0 || has_merge_key(&yaml) {
            if passes == MERGE_DEPTH {
                return Err(format!("merge keys (`<<`) nest deeper than {MERGE_DEPTH} levels"));
            }
            yaml.apply_merge().map_err(|e| format!("not valid YAML: {e}"))?;
            passes += 1;
        }
        let yaml = with_merge_tags(yaml);
        let mut value: Value = serde_json::to_value(&yaml).map_err(|e| format!("not a compose file: {e}"))?;
        if !value.is_object() {
            return Err("not a compose file: expected a mapping at the top".into());
        }
        interpolate_all(&mut value, variables)?;
        self.rebase_paths(&mut value, dir);
        Ok(value)
    }

    /// A file's `env_file` and `extends.file` paths, relative to `dir`, rewritten relative to the project's
    /// folder: what a service `extends` or `include`s from `sub/` reads `sub/`'s files, as Compose does.
    fn rebase_paths(&self, document: &mut Value, dir: &Path) {
        if dir == self.project_dir {
            return;
        }
        let rebase = |path: &mut String| {
            let joined = dir.join(path.as_str());
            *path = joined
                .strip_prefix(&self.project_dir)
                .unwrap_or(&joined)
                .to_string_lossy()
                .into_owned();
        };
        let services = document.get_mut("services").and_then(Value::as_object_mut);
        for service in services.into_iter().flat_map(|s| s.values_mut()) {
            if let Some(Value::String(path)) = service.pointer_mut("/extends/file") {
                rebase(path);
            }
            match service.get_mut("env_file") {
                Some(Value::String(path)) => rebase(path),
                Some(Value::Array(items)) => {
                    for item in items {
                        match item {
                            Value::String(path) => rebase(path),
                            Value::Object(entry) => {
                                if let Some(Value::String(path)) = entry.get_mut("path") {
                                    rebase(path);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Adds the services of the files `document` includes (`include:`, relative to `dir`), and of the files
    /// those include. A service defined both by a file and by one it includes is an error, as in Compose.
    ///
    /// Each entry is a project of its own, as the Compose specification has it: its first file and the files
    /// merged over it (`path`), its relative paths taken from its `project_directory` (by default the first
    /// file's folder), interpolated with the variables of its `env_file`s (by default the `.env` of its project
    /// directory) where the including project does not set them.
    fn include(&self, document: &mut Value, dir: &Path, depth: usize) -> Result<(), String> {
        let Some(entries) = document.as_object_mut().and_then(|d| d.remove("include")) else {
            return Ok(());
        };
        if depth > EXTENDS_DEPTH {
            return Err(format!(
                "`include` goes deeper than {EXTENDS_DEPTH} files: a cycle?"
            ));
        }
        let entries = match entries {
            Value::Array(entries) => entries,
            other => vec![other],
        };
        for entry in entries {
            let entry = match entry {
                Value::String(path) => Include {
                    paths: vec![path],
                    ..Include::default()
                },
                Value::Object(entry) => Include::of(&entry)?,
                _ => return Err("an `include` entry is a path or a mapping with a `path`".into()),
            };
            let Some(shown) = entry.paths.first().cloned() else {
                return Err("an `include` entry needs a `path`".into());
            };
            let first = dir.join(&shown);
            let folder = match &entry.project_directory {
                Some(project) => dir.join(project),
                None => first.parent().map(Path::to_path_buf).unwrap_or_default(),
            };
            let env_files = match entry.env_files.is_empty() {
                true => Some(folder.join(".env"))
                    .filter(|dot_env| self.gateway.exists(dot_env))
                    .into_iter()
                    .collect(),
                false => entry.env_files.iter().map(|f| dir.join(f)).collect::<Vec<_>>(),
            };
            let mut variables = self.variables.clone();
            for env_file in env_files {
                for (name, value) in self.env_file(&env_file)?.iter() {
                    variables.entry(name.clone()).or_insert_with(|| value.clone());
                }
            }
            let mut included = Value::Object(Map::new());
            for shown in &entry.paths {
                let document = self
                    .parse(&dir.join(shown), &folder, &variables)
                    .map_err(|e| format!("include {shown}: {e}"))?;
                merge(&mut included, document);
            }
            self.include(&mut included, &folder, depth + 1)?;
            let services = included
                .get("services")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let ours = document
                .as_object_mut()
                .expect("a compose file is a mapping")
                .entry("services")
                .or_insert_with(|| json!({}));
            let Some(ours) = ours.as_object_mut() else {
                return Err("`services` is not a mapping".into());
            };
            for (name, service) in services {
                if ours.contains_key(&name) {
                    return Err(format!(
                        "service {name} is defined both here and in the included {shown}"
                    ));
                }
                ours.insert(name, service);
            }
        }
        Ok(())
    }

    /// What `read` gives for `path`, made once per file (as the gateway resolves it) and kept in `made`.
    fn once<T>(
        &self,
        made: &RefCell<BTreeMap<PathBuf, Rc<T>>>,
        path: &Path,
        read: impl FnOnce() -> Result<T, String>,
    ) -> Result<Rc<T>, String> {
        // A path the gateway refuses is its own key: reading it says why.
        let id = self.gateway.identity(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(done) = made.borrow().get(&id) {
            return Ok(Rc::clone(done));
        }
        let value = Rc::new(read()?);
        made.borrow_mut().insert(id, Rc::clone(&value));
        Ok(value)
    }

    /// A service with its `extends` chain resolved: the base first, the service's own keys merged over it.
    fn resolve(&self, services: &Map<String, Value>, name: &str, depth: usize) -> Result<Value, String> {
        if depth > EXTENDS_DEPTH {
            return Err(format!(
                "`extends` goes deeper than {EXTENDS_DEPTH} services: a cycle?"
            ));
        }
        let mut service = services
            .get(name)
            .cloned()
            .ok_or_else(|| format!("extends {name:?}, which is not a service"))?;
        if service.is_null() {
            service = Value::Object(Map::new());
        }
        let Some(extends) = service.as_object_mut().and_then(|s| s.remove("extends")) else {
            return Ok(service);
        };
        let (file, base) = match &extends {
            Value::String(base) => (None, base.clone()),
            Value::Object(e) => (
                e.get("file").and_then(Value::as_str).map(str::to_owned),
                e.get("service")
                    .and_then(Value::as_str)
                    .ok_or("`extends` needs a `service`")?
                    .to_owned(),
            ),
            _ => return Err("`extends` must be a service name or a mapping".into()),
        };
        let mut resolved = match file {
            None => self.resolve(services, &base, depth + 1)?,
            Some(file) => {
                // Relative to the project's folder, as every path of a document read (`rebase_paths`).
                let other = self
                    .document(&self.project_dir.join(&file))
                    .map_err(|e| format!("{file}: {e}"))?;
                let empty = Map::new();
                let others = other.get("services").and_then(Value::as_object).unwrap_or(&empty);
                self.resolve(others, &base, depth + 1)?
            }
        };
        merge(&mut resolved, service);
        Ok(resolved)
    }
}

/// One entry of `include`, its paths as written.
#[derive(Default)]
struct Include {
    /// The first file and the files merged over it.
    paths: Vec<String>,
    project_directory: Option<String>,
    env_files: Vec<String>,
}

impl Include {
    fn of(entry: &Map<String, Value>) -> Result<Include, String> {
        let strings = |key: &str| -> Result<Vec<String>, String> {
            match entry.get(key) {
                None => Ok(Vec::new()),
                Some(Value::String(one)) => Ok(vec![one.clone()]),
                Some(Value::Array(many)) => many
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned))
                    .collect::<Option<_>>()
                    .ok_or_else(|| format!("`include`'s `{key}` is a path or a list of paths")),
                Some(_) => Err(format!("`include`'s `{key}` is a path or a list of paths")),
            }
        };
        Ok(Include {
            paths: strings("path")?,
            project_directory: entry
                .get("project_directory")
                .and_then(Value::as_str)
                .map(str::to_owned),
            env_files: strings("env_file")?,
        })
    }
}

/// Merges `over` into `base` as Compose merges files: mappings key by key, a few lists replaced, other lists
/// joined without repeats, anything else replaced. `environment` and `labels` are made mappings first, so that
/// a list in one file and a mapping in another still merge by name.
fn merge(base: &mut Value, over: Value) {
    merge_at(base, over, "");
    without_merge_tags(base);
}

/// The keys that stand for the Compose spec's merge tags once a file is JSON: `!reset` (the value is removed)
/// and `!override` (the value replaces what it merges with, whole). No compose key starts with a NUL.
const RESET: &str = "\0!reset";
const OVERRIDE: &str = "\0!override";

/// `!reset` and `!override` values as the one-key objects [`merge_at`] acts on; any other tag is dropped, its
/// value kept.
fn with_merge_tags(value: serde_yaml_ng::Value) -> serde_yaml_ng::Value {
    use serde_yaml_ng::Value as Yaml;
    match value {
        Yaml::Tagged(tagged) => {
            let inner = with_merge_tags(tagged.value);
            let marker = |key: &str, inner| {
                Yaml::Mapping([(Yaml::String(key.to_owned()), inner)].into_iter().collect())
            };
            if tagged.tag == "reset" {
                marker(RESET, Yaml::Null)
            } else if tagged.tag == "override" {
                marker(OVERRIDE, inner)
            } else {
                inner
            }
        }
        Yaml::Mapping(map) => Yaml::Mapping(map.into_iter().map(|(k, v)| (k, with_merge_tags(v))).collect()),
        Yaml::Sequence(items) => Yaml::Sequence(items.into_iter().map(with_merge_tags).collect()),
        other => other,
    }
}

/// Whether a merge key (`<<`) is left anywhere in `value`.
fn has_merge_key(value: &serde_yaml_ng::Value) -> bool {
    use serde_yaml_ng::Value as Yaml;
    match value {
        Yaml::Mapping(map) => map
            .iter()
            .any(|(k, v)| k.as_str() == Some("<<") || has_merge_key(v)),
        Yaml::Sequence(items) => items.iter().any(has_merge_key),
        Yaml::Tagged(tagged) => has_merge_key(&tagged.value),
        _ => false,
    }
}

/// The merge tags' marker of a value, and what it holds.
fn merge_tag(value: &Value) -> Option<(&'static str, &Value)> {
    let map = value.as_object().filter(|m| m.len() == 1)?;
    [RESET, OVERRIDE]
        .into_iter()
        .find_map(|tag| map.get(tag).map(|inner| (tag, inner)))
}

/// What is left of the merge tags once every file is merged: `!reset` removes its key, `!override` is its value.
fn without_merge_tags(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| merge_tag(v).is_none_or(|(tag, _)| tag != RESET));
            for v in map.values_mut() {
                if let Some((_, inner)) = merge_tag(v) {
                    *v = inner.clone();
                }
                without_merge_tags(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(without_merge_tags),
        _ => {}
    }
}

/// The keys whose list form is a mapping in disguise: `environment: [A=1]`, `depends_on: [db]`.
fn as_mapping_at(key: &str, value: Value) -> Value {
    match key {
        "environment" | "labels" => as_mapping(value),
        "depends_on" => match value {
            Value::Array(items) => Value::Object(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|service| (service.to_owned(), json!({"condition": "service_started"})))
                    .collect(),
            ),
            other => other,
        },
        _ => value,
    }
}

fn merge_at(base: &mut Value, over: Value, key: &str) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                let v = as_mapping_at(&k, v);
                match (b.get_mut(&k), merge_tag(&v)) {
                    (_, Some((RESET, _))) => {
                        b.remove(&k);
                    }
                    (Some(existing), Some((_, inner))) => *existing = inner.clone(),
                    (Some(existing), None) => {
                        *existing = as_mapping_at(&k, existing.take());
                        merge_at(existing, v, &k)
                    }
                    (None, _) => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(b), Value::Array(o)) if !REPLACED.contains(&key) => {
            for item in o {
                if !b.contains(&item) {
                    b.push(item);
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// `["A=1", "B"]` as `{"A": "1", "B": null}`; a mapping as it is.
fn as_mapping(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Object(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(|item| match item.split_once('=') {
                    Some((k, v)) => (k.to_owned(), Value::from(v)),
                    None => (item.to_owned(), Value::Null),
                })
                .collect(),
        ),
        other => other,
    }
}

/// Interpolates every string of a document.
fn interpolate_all(value: &mut Value, variables: &BTreeMap<String, String>) -> Result<(), String> {
    match value {
        Value::String(s) => *s = interpolate(s, variables)?,
        Value::Array(items) => {
            for item in items {
                interpolate_all(item, variables)?;
            }
        }
        Value::Object(map) => {
            for item in map.values_mut() {
                interpolate_all(item, variables)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Compose's interpolation: `$$` is a `$`; `$VAR` and `${VAR}`; `${VAR:-default}` (unset or empty) and
/// `${VAR-default}` (unset); `${VAR:?message}` and `${VAR?message}` fail; `${VAR:+other}` and `${VAR+other}`.
/// Defaults may themselves hold variables, nested at most [`INTERPOLATION_DEPTH`] deep.
///
/// Errors name the variable, never the text around it: the text may hold a secret from `.env`.
fn interpolate(text: &str, variables: &BTreeMap<String, String>) -> Result<String, String> {
    interpolate_within(text, variables, INTERPOLATION_DEPTH)
}

/// How deep `${A:-${B:-...}}` may nest: far beyond any real file, and short of the stack's limit.
const INTERPOLATION_DEPTH: usize = 32;

fn interpolate_within(
    text: &str,
    variables: &BTreeMap<String, String>,
    depth: usize,
) -> Result<String, String> {
    let Some(depth) = depth.checked_sub(1) else {
        return Err(format!(
            "`${{...}}` nested more than {INTERPOLATION_DEPTH} levels deep"
        ));
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('{') {
            let end = closing_brace(inner).ok_or("a `${` is never closed")?;
            out.push_str(&expand(&inner[..end], variables, depth)?);
            rest = &inner[end + 1..];
        } else {
            let name_len = after
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            match name_len {
                0 => out.push('$'),
                n => out.push_str(variables.get(&after[..n]).map_or("", String::as_str)),
            }
            rest = &after[name_len..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The index of the `}` that closes a `${`, counting nested `${...}`.
fn closing_brace(inner: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = inner.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// One `${...}` expression.
fn expand(expression: &str, variables: &BTreeMap<String, String>, depth: usize) -> Result<String, String> {
    let name_len = expression
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let (name, operation) = expression.split_at(name_len);
    if name.is_empty() {
        return Err("a `${...}` names no variable".into());
    }
    let value = variables.get(name).map(String::as_str);
    let set = value.is_some();
    let non_empty = value.is_some_and(|v| !v.is_empty());
    let (op, argument) = match operation {
        "" => return Ok(value.unwrap_or_default().to_owned()),
        _ if operation.starts_with(":-") || operation.starts_with(":?") || operation.starts_with(":+") => {
            operation.split_at(2)
        }
        _ if operation.starts_with(['-', '?', '+']) => operation.split_at(1),
        _ => {
            return Err(format!(
                "`${{{name}...}}`: unknown operator (use :-, -, :?, ?, :+ or +)"
            ));
        }
    };
    let message = argument;
    let argument = || interpolate_within(argument, variables, depth);
    match op {
        ":-" if non_empty => Ok(value.unwrap_or_default().to_owned()),
        "-" if set => Ok(value.unwrap_or_default().to_owned()),
        ":-" | "-" => argument(),
        ":?" if non_empty => Ok(value.unwrap_or_default().to_owned()),
        "?" if set => Ok(value.unwrap_or_default().to_owned()),
        // The message as the file writes it: interpolated, it could show another variable's secret.
        ":?" | "?" => Err(format!("required variable {name} is missing: {message}")),
        ":+" if non_empty => argument(),
        "+" if set => argument(),
        _ => Ok(String::new()),
    }
}

/// The resources of one enabled service: the service, and the engine its image runs if it is a known one.
fn resources(
    reader: &Reader<'_>,
    name: &str,
    service: &Value,
    project_dir: &Path,
    first_file: &str,
    tokens: &[String],
    redactor: &Redactor,
) -> Result<Vec<Resource>, String> {
    let mut environment: BTreeMap<String, String> = BTreeMap::new();
    // Each `env_file` with whether it must exist (`required: false` lets it be missing).
    let env_files: Vec<(String, bool)> = match service.get("env_file") {
        Some(Value::String(f)) => vec![(f.clone(), true)],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(path) => Some((path.clone(), true)),
                _ => Some((
                    i.get("path").and_then(Value::as_str)?.to_owned(),
                    i.get("required").and_then(Value::as_bool).unwrap_or(true),
                )),
            })
            .collect(),
        _ => Vec::new(),
    };
    for (file, required) in env_files {
        if !required && !reader.gateway.exists(&project_dir.join(&file)) {
            continue;
        }
        environment.extend(
            reader
                .env_file(&project_dir.join(&file))
                .map_err(|e| format!("{file}: {e}"))?
                .as_ref()
                .clone(),
        );
    }
    if let Value::Object(map) = as_mapping(service.get("environment").cloned().unwrap_or(Value::Null)) {
        for (k, v) in map {
            // A name without a value (`- KEY`, `KEY:`) takes the project's variable of that name, as Compose
            // takes it from its environment (of which envparity reads only `.env`).
            let value = match v {
                Value::Null => reader.variables.get(&k).cloned().unwrap_or_default(),
                v => scalar_text(Some(&v)),
            };
            environment.insert(k, value);
        }
    }
    let image = service.get("image").and_then(Value::as_str);
    let parsed = image.map(ImageRef::parse);
    let values: Map<String, Value> = environment
        .iter()
        .map(|(k, v)| (k.clone(), redactor.named(k, v)))
        .collect();
    // A port written short in one file and long in another is one port.
    let ports = service.get("ports").and_then(Value::as_array).map(|ports| {
        let mut out: Vec<String> = ports.iter().map(port).collect();
        out.sort();
        out.dedup();
        out
    });
    let depends_on = match service.get("depends_on") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::<String>::new(),
    };
    let healthcheck = service.get("healthcheck").map(|h| {
        let test = match h.get("test") {
            Some(Value::String(s)) => json!(["CMD-SHELL", s]),
            Some(other) => other.clone(),
            None => Value::Null,
        };
        // `disable: true` and a test of `NONE` both turn the image's health check off.
        if h.get("disable") == Some(&Value::Bool(true)) || test == json!(["NONE"]) {
            return json!({"disable": true});
        }
        let duration = |key: &str| {
            h.get(key)
                .map(|d| duration(d).map_or_else(|| d.clone(), Value::String))
        };
        json!({
            "test": test,
            "interval": duration("interval"),
            "timeout": duration("timeout"),
            "retries": h.get("retries").map(number),
            "start_period": duration("start_period"),
        })
    });
    // A string is split as a shell would (`npm run dev` is three words), as Compose does.
    let command = match service.get("command") {
        Some(Value::String(s)) => Some(match shlex::split(s) {
            Some(words) => words.into_iter().map(Value::String).collect(),
            None => vec![json!(s)],
        }),
        Some(Value::Array(items)) => Some(items.clone()),
        _ => None,
    };
    let attributes = compose::Service {
        image: parsed.as_ref().map(|p| map_of(p.to_value())).into(),
        build: service.get("build").is_some(),
        environment_names: environment.keys().cloned().collect(),
        environment: values.into_iter().collect(),
        ports: ports.into(),
        healthcheck: healthcheck.map(map_of).into(),
        depends_on: depends_on
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        command: command.into(),
    };
    let resource =
        |kind: &str, attributes: Result<Attributes, AttributesError>| -> Result<Resource, String> {
            Ok(Resource {
                kind: kind.to_owned(),
                key: Some(derive_key(name, tokens)),
                name: Some(name.to_owned()),
                id: Some(format!("{first_file}#{name}")),
                account: None,
                region: None,
                tags: Default::default(),
                identifiers: Vec::new(),
                attributes: attributes.map_err(|e| format!("service {name}: {e}"))?,
            })
        };
    let mut out = vec![resource(compose::SERVICE.name, Attributes::try_of(&attributes))?];
    if let Some((engine, version)) = parsed.as_ref().and_then(engine_of) {
        let engine = compose::Engine {
            engine: engine.to_owned(),
            engine_version: version.into(),
        };
        out.push(resource(compose::ENGINE.name, Attributes::try_of(&engine))?);
    }
    Ok(out)
}

/// A number written as text (`retries: ${RETRIES}` once interpolated) as the number Compose reads it as.
fn number(value: &Value) -> Value {
    match value {
        Value::String(text) => text
            .trim()
            .parse::<u64>()
            .map_or_else(|_| value.clone(), Value::from),
        other => other.clone(),
    }
}

/// A port in its short (`"8080:80"`, `"127.0.0.1:5432:5432/tcp"`, `"80"`) or long (`{target, published,
/// protocol}`) syntax, as `PUBLISHED:TARGET/PROTOCOL` (`:TARGET/PROTOCOL` when none is published).
fn port(value: &Value) -> String {
    let (published, target, protocol) = match value {
        Value::Object(p) => (
            scalar_text(p.get("published")),
            scalar_text(p.get("target")),
            p.get("protocol")
                .and_then(Value::as_str)
                .unwrap_or("tcp")
                .to_owned(),
        ),
        other => {
            let text = scalar_text(Some(other));
            let (spec, protocol) = text.split_once('/').unwrap_or((&text, "tcp"));
            let mut parts: Vec<&str> = spec.rsplitn(3, ':').collect();
            parts.reverse();
            let (published, target) = match parts.as_slice() {
                [target] => ("", *target),
                [published, target] => (*published, *target),
                [_host, published, target] => (*published, *target),
                _ => ("", spec),
            };
            (published.to_owned(), target.to_owned(), protocol.to_owned())
        }
    };
    format!("{published}:{target}/{protocol}")
}

/// A duration as Compose reads it (`1m30s`, `90s`, `1h`, `500ms`), written as Go writes it, so that one duration
/// written two ways is one value: `90s` and `1m30s` are both `1m30s`. `None` for what is not a duration.
fn duration(value: &Value) -> Option<String> {
    let text = value.as_str()?.trim();
    let mut nanos: u128 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit: f64 = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        nanos = nanos.checked_add((number * unit) as u128)?;
    }
    if text.is_empty() {
        return None;
    }
    Some(go_duration(nanos))
}

/// Nanoseconds as Go's `time.Duration` prints them: `1h2m3s`, `1m30s`, `1.5s`, `500ms`, `0s`.
fn go_duration(nanos: u128) -> String {
    if nanos == 0 {
        return "0s".to_owned();
    }
    if nanos < 1_000_000_000 {
        let (unit, size) = match nanos {
            n if n < 1_000 => ("ns", 1u128),
            n if n < 1_000_000 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{}{unit}", fraction(nanos, size));
    }
    let (hours, rest) = (nanos / 3_600_000_000_000, nanos % 3_600_000_000_000);
    let (minutes, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let seconds = fraction(rest, 1_000_000_000);
    match (hours, minutes) {
        (0, 0) => format!("{seconds}s"),
        (0, m) => format!("{m}m{seconds}s"),
        (h, m) => format!("{h}h{m}m{seconds}s"),
    }
}

/// `value / size` with its decimals, trailing zeros dropped: 1500 / 1000 is `1.5`.
fn fraction(value: u128, size: u128) -> String {
    let (whole, part) = (value / size, value % size);
    if part == 0 {
        return whole.to_string();
    }
    let width = size.to_string().len() - 1;
    let decimals = format!("{part:0width$}");
    format!("{whole}.{}", decimals.trim_end_matches('0'))
}

/// The engine an image runs and the version its tag pins: `postgres:15.6-alpine` gives (postgres, 15.6);
/// `redis` and `redis:latest` give (redis, None).
fn engine_of(image: &ImageRef<'_>) -> Option<(&'static str, Option<String>)> {
    let last = image.repository.rsplit('/').next()?;
    let engine = ENGINES.iter().find(|(name, _)| *name == last)?.1;
    let version: String = image
        .tag
        .unwrap_or_default()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let version = version.trim_end_matches('.');
    Some((engine, (!version.is_empty()).then(|| version.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn interpolation_as_compose_does_it() {
        let v = vars(&[("TAG", "15"), ("EMPTY", "")]);
        let i = |text: &str| interpolate(text, &v);
        assert_eq!(i("postgres:${TAG}").unwrap(), "postgres:15");
        assert_eq!(i("postgres:$TAG").unwrap(), "postgres:15");
        assert_eq!(i("${MISSING:-16}").unwrap(), "16");
        assert_eq!(i("${EMPTY:-16}").unwrap(), "16");
        assert_eq!(i("${EMPTY-16}").unwrap(), "");
        assert_eq!(i("${MISSING-${TAG}}").unwrap(), "15");
        assert_eq!(i("${TAG:+set}").unwrap(), "set");
        assert_eq!(i("${MISSING:+set}").unwrap(), "");
        assert_eq!(i("$$HOME").unwrap(), "$HOME");
        assert_eq!(i("${MISSING}").unwrap(), "");
        assert_eq!(
            i("${MISSING:?set it}").unwrap_err(),
            "required variable MISSING is missing: set it"
        );
        assert!(i("${UNCLOSED").is_err());
    }

    #[test]
    fn interpolation_errors_name_the_variable_never_the_text_around_it() {
        let v = vars(&[("PW", "Zq7xSecretValue")]);
        for text in [
            "--requirepass Zq7xSecretValue ${UNCLOSED",
            "--requirepass Zq7xSecretValue ${:-x}",
            "--requirepass Zq7xSecretValue ${PW%x}",
            "${MISSING:?${PW}}",
        ] {
            let error = interpolate(text, &v).unwrap_err();
            assert!(!error.contains("Zq7x"), "{error}");
        }
    }

    #[test]
    fn an_extends_chain_over_twelve_files_reads_and_parses_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        // Every service of each level extends a service of the next file.
        for level in 0..12 {
            let mut text = String::from("services:\n");
            for service in 0..20 {
                match level {
                    11 => text.push_str(&format!("  s{service}:\n    image: base:{service}\n")),
                    _ => text.push_str(&format!(
                        "  s{service}:\n    extends: {{file: l{}.yaml, service: s{}}}\n",
                        level + 1,
                        (service + 1) % 20
                    )),
                }
            }
            std::fs::write(dir.path().join(format!("l{level}.yaml")), text).unwrap();
        }
        let gateway = Gateway::new(dir.path(), envparity_files::gateway::Root::Config, &[], 16);
        let reader = Reader::new(&gateway, dir.path());
        let top = reader.document(&dir.path().join("l0.yaml")).unwrap();
        let services = top["services"].as_object().unwrap();
        let resolve_all = || {
            for name in services.keys() {
                let service = reader.resolve(services, name, 0).unwrap();
                assert!(service["image"].as_str().unwrap().starts_with("base:"));
            }
        };
        resolve_all();
        // With the files gone, every later use is served by the one parse of each.
        for level in 0..12 {
            std::fs::remove_file(dir.path().join(format!("l{level}.yaml"))).unwrap();
        }
        resolve_all();
    }

    #[test]
    fn an_env_file_named_by_every_service_is_read_and_parsed_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.env");
        std::fs::write(&path, "A=1\n").unwrap();
        let gateway = Gateway::new(dir.path(), envparity_files::gateway::Root::Config, &[], 16);
        let reader = Reader::new(&gateway, dir.path());
        assert_eq!(reader.env_file(&path).unwrap()["A"], "1");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(reader.env_file(&path).unwrap()["A"], "1");
    }

    /// Found by the corpus against docker-compose on frappe_docker's compose file.
    #[test]
    fn merge_keys_inside_a_merged_in_mapping_are_merged_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("compose.yaml");
        std::fs::write(
            &path,
            "x-image: &image\n  image: app:1\nx-deps: &deps\n  depends_on: [db]\n\
             x-defaults: &defaults\n  <<: [*deps, *image]\n\
             services:\n  api:\n    <<: *defaults\n    command: [serve]\n",
        )
        .unwrap();
        let gateway = Gateway::new(dir.path(), envparity_files::gateway::Root::Config, &[], 16);
        let reader = Reader::new(&gateway, dir.path());
        let api = &reader.document(&path).unwrap()["services"]["api"];
        assert_eq!(
            api,
            &json!({"image": "app:1", "depends_on": ["db"], "command": ["serve"]})
        );
    }

    #[test]
    fn twenty_thousand_nested_defaults_are_an_error_not_a_stack_overflow() {
        let unclosed = "${A:-".repeat(20_000);
        assert!(interpolate(&unclosed, &BTreeMap::new()).is_err());
        let closed = format!("{}x{}", "${A:-".repeat(20_000), "}".repeat(20_000));
        let error = interpolate(&closed, &BTreeMap::new()).unwrap_err();
        assert!(error.contains("nested more than 32 levels"), "{error}");
        let fine = format!("{}x{}", "${A:-".repeat(8), "}".repeat(8));
        assert_eq!(interpolate(&fine, &BTreeMap::new()).unwrap(), "x");
    }

    #[test]
    fn durations_are_one_value_however_written() {
        for (written, normal) in [
            ("90s", "1m30s"),
            ("1m30s", "1m30s"),
            ("1h", "1h0m0s"),
            ("1.5s", "1.5s"),
            ("500ms", "500ms"),
            ("0s", "0s"),
            ("2h45m", "2h45m0s"),
        ] {
            assert_eq!(duration(&json!(written)).as_deref(), Some(normal), "{written}");
        }
        for not_a_duration in [json!("soon"), json!("10"), json!(""), json!(30)] {
            assert_eq!(duration(&not_a_duration), None, "{not_a_duration}");
        }
    }

    #[test]
    fn ports_in_short_and_long_syntax() {
        assert_eq!(port(&json!("8080:80")), "8080:80/tcp");
        assert_eq!(port(&json!("127.0.0.1:5432:5432")), "5432:5432/tcp");
        assert_eq!(port(&json!("53:53/udp")), "53:53/udp");
        assert_eq!(port(&json!(80)), ":80/tcp");
        assert_eq!(port(&json!({"target": 80, "published": "8080"})), "8080:80/tcp");
    }

    #[test]
    fn a_null_published_port_is_not_the_text_null() {
        assert_eq!(port(&json!({"target": 80, "published": null})), ":80/tcp");
    }

    #[test]
    fn engines_and_versions_from_images() {
        let e = |image: &str| engine_of(&ImageRef::parse(image));
        assert_eq!(e("postgres:15"), Some(("postgres", Some("15".into()))));
        assert_eq!(e("postgres:15.6-alpine"), Some(("postgres", Some("15.6".into()))));
        assert_eq!(e("bitnami/postgresql:16"), Some(("postgres", Some("16".into()))));
        assert_eq!(e("redis"), Some(("redis", None)));
        assert_eq!(e("redis:latest"), Some(("redis", None)));
        assert_eq!(e("valkey/valkey:8.0"), Some(("valkey", Some("8.0".into()))));
        assert_eq!(e("nginx:1.27"), None);
    }

    #[test]
    fn later_files_merge_over_earlier_ones() {
        let mut base = json!({"services": {"app": {
            "image": "app:1", "environment": ["A=1", "B=2"], "ports": ["8080:80"], "command": ["serve"]
        }}});
        merge(
            &mut base,
            json!({"services": {"app": {
                "image": "app:2", "environment": {"B": "3", "C": "4"}, "ports": ["9090:90"], "command": ["debug"]
            }}}),
        );
        assert_eq!(
            base["services"]["app"],
            json!({
                "image": "app:2",
                "environment": {"A": "1", "B": "3", "C": "4"},
                "ports": ["8080:80", "9090:90"],
                "command": ["debug"],
            })
        );
    }
}
