//! Kubernetes manifests (`k8s.*`): what `kustomize build overlays/prod` or `helm template` renders for one
//! environment, read from files or folders of multi-document YAML. No cluster is asked.
//!
//! Workloads, Services, Ingresses, HorizontalPodAutoscalers, ConfigMaps and Secrets are read, `List` documents
//! unwrapped; any other kind (a CRD, a custom resource, RBAC) is counted as not audited. A file that is not YAML,
//! or a document left unrendered (`name: {{ .Release.Name }}`), makes the environment's manifests a gap naming
//! the file: never a crash, never a short list.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::image::ImageRef;
use super::secrets::Redactor;
use super::{CollectError, scalar_text};
use crate::config::Environment;
use crate::source::{Context, Found, Source};
use envparity_files::gateway::Gateway;
use envparity_model::catalog::typed;
use envparity_model::catalog::{Kind, kubernetes as k8s};
use envparity_model::keys::derive_key;
use envparity_model::snapshot::{Attributes, AttributesError, Resource};

/// The environment's rendered Kubernetes manifests (`kubernetes`: files and folders).
pub struct Manifests;

impl Source for Manifests {
    fn provider(&self) -> &'static str {
        "kubernetes"
    }

    fn service(&self) -> &'static str {
        "manifests"
    }

    fn configured(&self, env: &Environment) -> bool {
        !env.kubernetes.is_empty()
    }

    fn collect(&self, cx: &Context) -> Result<Found, CollectError> {
        let configured: Vec<String> = cx.env.kubernetes.iter().map(|f| cx.env.expand(f)).collect();
        collect(cx.gateway, cx.base_dir, &configured, &cx.env.tokens, cx.redactor)
    }
}

/// Reads every configured file, and every `.yaml`/`.yml`/`.json` file below a configured folder, in order.
fn collect(
    gateway: &Gateway,
    base_dir: &Path,
    configured: &[String],
    tokens: &[String],
    redactor: &Redactor,
) -> Result<Found, CollectError> {
    let fail = |message: String| CollectError { code: None, message };
    let mut out = Found::default();
    for shown in configured {
        let path = base_dir.join(shown);
        let files = files_of(gateway, &path).map_err(|e| fail(format!("{shown}: {e}")))?;
        let before = out.resources.len() + out.unaudited.values().sum::<u64>() as usize;
        for file in files {
            let label = match file == path {
                true => shown.clone(),
                false => format!(
                    "{}/{}",
                    shown.trim_end_matches('/'),
                    file.strip_prefix(&path).unwrap_or(&file).display()
                ),
            };
            read_file(gateway, &file, tokens, redactor, &mut out)
                .map_err(|e| fail(format!("{label}: {e}")))?;
        }
        if out.resources.len() + out.unaudited.values().sum::<u64>() as usize == before {
            out.empty.push(shown.clone());
        }
    }
    Ok(out)
}

/// A file, or the manifest files below a folder, sorted: every folder and file through the gateway.
fn files_of(gateway: &Gateway, path: &Path) -> Result<Vec<PathBuf>, String> {
    if !gateway.is_dir(path).map_err(|e| e.to_string())? {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut folders = vec![path.to_path_buf()];
    // Each folder once, however many links lead to it (a link to a parent would make the walk endless).
    let mut seen = BTreeSet::new();
    while let Some(folder) = folders.pop() {
        if !seen.insert(gateway.identity(&folder).map_err(|e| e.to_string())?) {
            continue;
        }
        for (p, is_dir) in gateway.list(&folder).map_err(|e| e.to_string())? {
            if is_dir {
                folders.push(p);
            } else if p
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn read_file(
    gateway: &Gateway,
    path: &Path,
    tokens: &[String],
    redactor: &Redactor,
    out: &mut Found,
) -> Result<(), String> {
    let text = gateway.read_to_string(path).map_err(|e| e.to_string())?;
    let text = envparity_model::diagnostic::without_bom(&text);
    let hint = match text.contains("{{") {
        true => " (a template left unrendered? give the output of `helm template` or `kustomize build`)",
        false => "",
    };
    super::yaml::check_depth(text)?;
    for (index, document) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let yaml =
            serde_yaml_ng::Value::deserialize(document).map_err(|e| format!("not valid YAML: {e}{hint}"))?;
        if yaml.is_null() {
            continue;
        }
        let value: Value =
            serde_json::to_value(&yaml).map_err(|e| format!("document {}: {e}{hint}", index + 1))?;
        let items = match value.get("items").and_then(Value::as_array) {
            Some(items) if kind_of(&value).is_some_and(|k| k.ends_with("List")) => items.clone(),
            _ => vec![value],
        };
        for item in items {
            read_object(&item, tokens, redactor, out).map_err(|e| format!("document {}: {e}", index + 1))?;
        }
    }
    Ok(())
}

fn kind_of(value: &Value) -> Option<&str> {
    value.get("kind").and_then(Value::as_str)
}

/// One object: a resource of a kind envparity reads, or a count of what it does not.
/// One object as a reader sees it.
struct Object<'v> {
    value: &'v Value,
    metadata: &'v Value,
    spec: &'v Value,
    tokens: &'v [String],
    redactor: &'v Redactor,
}

/// One Kubernetes kind envparity reads: its `kind`, the first part of its `apiVersion` (the API group, or `v1`
/// for the core group), the envparity kind it becomes, and how its attributes are read.
struct Reader {
    kind: &'static str,
    api: &'static str,
    becomes: &'static Kind,
    read: fn(&Object) -> Result<Attributes, SettingError>,
}

/// Every kind envparity reads; any other is counted as not audited.
const READERS: &[Reader] = &[
    Reader {
        kind: "Deployment",
        api: "apps",
        becomes: &k8s::DEPLOYMENT,
        read: replicated,
    },
    Reader {
        kind: "StatefulSet",
        api: "apps",
        becomes: &k8s::STATEFULSET,
        read: replicated,
    },
    Reader {
        kind: "DaemonSet",
        api: "apps",
        becomes: &k8s::DAEMONSET,
        read: daemon_set,
    },
    Reader {
        kind: "Job",
        api: "batch",
        becomes: &k8s::JOB,
        read: job,
    },
    Reader {
        kind: "CronJob",
        api: "batch",
        becomes: &k8s::CRONJOB,
        read: cron_job,
    },
    Reader {
        kind: "Service",
        api: "v1",
        becomes: &k8s::SERVICE,
        read: service,
    },
    Reader {
        kind: "Ingress",
        api: "networking.k8s.io",
        becomes: &k8s::INGRESS,
        read: ingress,
    },
    Reader {
        kind: "Ingress",
        api: "extensions",
        becomes: &k8s::INGRESS,
        read: ingress,
    },
    Reader {
        kind: "HorizontalPodAutoscaler",
        api: "autoscaling",
        becomes: &k8s::HPA,
        read: hpa,
    },
    Reader {
        kind: "ConfigMap",
        api: "v1",
        becomes: &k8s::CONFIGMAP,
        read: config_map,
    },
    Reader {
        kind: "Secret",
        api: "v1",
        becomes: &k8s::SECRET,
        read: secret,
    },
];

fn read_object(value: &Value, tokens: &[String], redactor: &Redactor, out: &mut Found) -> Result<(), String> {
    let text = |v: Option<&Value>, what: &str| -> Result<Option<String>, String> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.contains("{{") => {
                Err(format!("{what} {s:?} is an unrendered template"))
            }
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("{what} is not a string: an unrendered template?")),
        }
    };
    let Some(kind) = text(value.get("kind"), "kind")? else {
        return Err("an object without `kind`".into());
    };
    let api_version = text(value.get("apiVersion"), "apiVersion")?.unwrap_or_default();
    let metadata = value.get("metadata").unwrap_or(&Value::Null);
    let name = text(metadata.get("name"), "metadata.name")?.unwrap_or_default();
    let namespace =
        text(metadata.get("namespace"), "metadata.namespace")?.unwrap_or_else(|| "default".into());
    let api = api_version.split('/').next().unwrap_or_default();
    let full = format!("{namespace}/{name}");
    let object = Object {
        value,
        metadata,
        spec: value.get("spec").unwrap_or(&Value::Null),
        tokens,
        redactor,
    };
    let (becomes, attributes) = match READERS.iter().find(|r| r.kind == kind && r.api == api) {
        Some(reader) => (reader.becomes.name.to_owned(), (reader.read)(&object)),
        None => match api_version.rsplit_once('/') {
            Some((group, version)) if is_custom(group) => {
                let custom = format!("{}{group}/{kind}", k8s::CUSTOM_PREFIX);
                // What the API server would refuse as a group or a kind is never a kind of a snapshot.
                if !envparity_model::snapshot::is_valid_kind(&custom) {
                    return Err("apiVersion and kind are not a custom resource's API group and kind".into());
                }
                (custom, custom_resource(&object, version))
            }
            // Kubernetes' own kinds envparity does not read, and its plumbing (RBAC, service accounts, the
            // definitions of custom resources): counted as not audited.
            group => {
                let label = group.map_or_else(|| kind.clone(), |(group, _)| format!("{kind}.{group}"));
                *out.unaudited.entry(label).or_insert(0) += 1;
                return Ok(());
            }
        },
    };
    let attributes = attributes.map_err(|e| format!("{kind} {full}: {e}"))?;
    out.resources.push(Resource {
        kind: becomes,
        key: Some(derive_key(&full, tokens)),
        name: Some(full.clone()),
        id: Some(format!("{kind}/{full}")),
        account: None,
        region: None,
        tags: Default::default(),
        identifiers: Vec::new(),
        attributes,
    });
    Ok(())
}

/// Whether an API group is a custom resource's, not one of Kubernetes' own (the core group, `apps`, `batch`,
/// `autoscaling`, `policy`, `extensions` and every `*.k8s.io`).
fn is_custom(group: &str) -> bool {
    !(matches!(group, "apps" | "batch" | "autoscaling" | "policy" | "extensions")
        || group.ends_with(".k8s.io"))
}

/// A custom resource: its API version and its `spec` (or, without one, its top-level fields but `status`), with
/// the environment's tokens replaced in every text, as in names.
fn custom_resource(o: &Object, version: &str) -> Result<Attributes, SettingError> {
    let spec = match o.value.get("spec") {
        Some(Value::Object(spec)) => spec.clone(),
        _ => o
            .value
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "status"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    let spec = spec
        .into_iter()
        .map(|(k, v)| (k, with_tokens_replaced(v, o.tokens)))
        .collect();
    typed(&k8s::CustomResource {
        version: version.to_owned(),
        spec,
    })
}

/// A value with the environment's tokens replaced in every text (`shop-prod-db` is `shop-{env}-db`).
fn with_tokens_replaced(value: Value, tokens: &[String]) -> Value {
    match value {
        Value::String(s) => Value::String(derive_key(&s, tokens)),
        Value::Array(items) => items
            .into_iter()
            .map(|v| with_tokens_replaced(v, tokens))
            .collect(),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, with_tokens_replaced(v, tokens)))
                .collect(),
        ),
        other => other,
    }
}

/// Why an object's settings cannot be read as its kind's attributes.
#[derive(Debug, thiserror::Error)]
enum SettingError {
    /// A setting of another type than the API server takes (it would refuse the object).
    #[error("{0} is not an integer")]
    NotAnInteger(&'static str),
    #[error("{0} is not a string")]
    NotAString(&'static str),
    /// Data nested too deeply to be held.
    #[error(transparent)]
    Attributes(#[from] AttributesError),
}

/// Attributes from a kind's typed attributes.
fn typed(attributes: &impl serde::Serialize) -> Result<Attributes, SettingError> {
    Ok(Attributes::try_of(attributes)?)
}

/// An integer setting (`spec.replicas`), `default` when it is not set.
fn integer(map: &Value, key: &'static str, default: Option<i64>) -> Result<Option<i64>, SettingError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_i64().map(Some).ok_or(SettingError::NotAnInteger(key)),
    }
}

/// A text setting (`spec.type`), `default` when it is not set.
fn string(map: &Value, key: &'static str, default: Option<&str>) -> Result<Option<String>, SettingError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(default.map(str::to_owned)),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(SettingError::NotAString(key)),
    }
}

/// Deployments and StatefulSets.
fn replicated(o: &Object) -> Result<Attributes, SettingError> {
    typed(&k8s::ReplicatedWorkload {
        replicas: integer(o.spec, "replicas", Some(1))?.unwrap_or(1),
        containers: containers(o.spec.pointer("/template/spec"), o.tokens, o.redactor),
    })
}

fn daemon_set(o: &Object) -> Result<Attributes, SettingError> {
    typed(&k8s::DaemonSet {
        containers: containers(o.spec.pointer("/template/spec"), o.tokens, o.redactor),
    })
}

fn job(o: &Object) -> Result<Attributes, SettingError> {
    typed(&k8s::Job {
        parallelism: integer(o.spec, "parallelism", Some(1))?.unwrap_or(1),
        completions: integer(o.spec, "completions", None)?.into(),
        backoff_limit: integer(o.spec, "backoffLimit", Some(6))?.unwrap_or(6),
        containers: containers(o.spec.pointer("/template/spec"), o.tokens, o.redactor),
    })
}

fn cron_job(o: &Object) -> Result<Attributes, SettingError> {
    typed(&k8s::CronJob {
        schedule: string(o.spec, "schedule", None)?.into(),
        concurrency_policy: string(o.spec, "concurrencyPolicy", Some("Allow"))?.unwrap_or_default(),
        containers: containers(
            o.spec.pointer("/jobTemplate/spec/template/spec"),
            o.tokens,
            o.redactor,
        ),
    })
}

fn service(o: &Object) -> Result<Attributes, SettingError> {
    let ports = list(o.spec, "ports").iter().map(|p| {
        format!(
            "{}->{}/{}",
            scalar_text(p.get("port")),
            scalar_text(p.get("targetPort").or(p.get("port"))),
            p.get("protocol").and_then(Value::as_str).unwrap_or("TCP")
        )
    });
    typed(&k8s::Service {
        r#type: string(o.spec, "type", Some("ClusterIP"))?.unwrap_or_default(),
        ports: sorted(ports),
    })
}

fn ingress(o: &Object) -> Result<Attributes, SettingError> {
    let annotation = o.metadata.pointer("/annotations").unwrap_or(&Value::Null);
    let class = match string(o.spec, "ingressClassName", None)? {
        Some(class) => Some(class),
        None => string(annotation, "kubernetes.io/ingress.class", None)?,
    };
    let mut rules = Vec::new();
    let mut hosts = Vec::new();
    for rule in list(o.spec, "rules") {
        hosts.push(derive_key(
            rule.get("host").and_then(Value::as_str).unwrap_or("*"),
            o.tokens,
        ));
        for path in rule
            .pointer("/http/paths")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (service, port) = backend(path.get("backend"));
            rules.push(format!(
                "{} -> {}:{}",
                path.get("path").and_then(Value::as_str).unwrap_or("/"),
                derive_key(service.unwrap_or(""), o.tokens),
                scalar_text(port)
            ));
        }
    }
    typed(&k8s::Ingress {
        ingress_class: class.into(),
        tls: !list(o.spec, "tls").is_empty(),
        hosts: sorted(hosts.into_iter()),
        rules: sorted(rules.into_iter()),
    })
}

fn hpa(o: &Object) -> Result<Attributes, SettingError> {
    let target = o.spec.get("scaleTargetRef").map(|t| {
        format!(
            "{}/{}",
            t.get("kind").and_then(Value::as_str).unwrap_or_default(),
            derive_key(
                t.get("name").and_then(Value::as_str).unwrap_or_default(),
                o.tokens
            )
        )
    });
    let metrics = list(o.spec, "metrics").iter().map(|m| {
        let kind = m.get("type").and_then(Value::as_str).unwrap_or_default();
        let detail = m.get(kind.to_ascii_lowercase().as_str()).or_else(|| {
            m.as_object()
                .and_then(|o| o.iter().find(|(k, _)| *k != "type").map(|(_, v)| v))
        });
        format!("{kind} {}", detail.map(Value::to_string).unwrap_or_default())
    });
    // autoscaling/v1 names its one metric differently.
    let mut metrics = sorted(metrics);
    if let Some(cpu) = o.spec.get("targetCPUUtilizationPercentage") {
        metrics.push(format!("Resource cpu {cpu}%"));
    }
    typed(&k8s::Hpa {
        target: target.into(),
        min_replicas: integer(o.spec, "minReplicas", Some(1))?.unwrap_or(1),
        max_replicas: integer(o.spec, "maxReplicas", None)?.into(),
        metrics,
    })
}

fn config_map(o: &Object) -> Result<Attributes, SettingError> {
    let mut data = typed::Map::new();
    for (k, v) in entries(o.value, "data") {
        data.insert(k.clone(), o.redactor.named(k, &scalar_text(Some(v))));
    }
    let mut keys: Vec<String> = data.keys().cloned().collect();
    keys.extend(entries(o.value, "binaryData").map(|(k, _)| k.clone()));
    keys.sort();
    typed(&k8s::ConfigMap { keys, data })
}

fn secret(o: &Object) -> Result<Attributes, SettingError> {
    let mut data = typed::Map::new();
    for (k, v) in entries(o.value, "data") {
        let decoded = v
            .as_str()
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s.trim()).ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        data.insert(k.clone(), o.redactor.redact(decoded.as_deref()));
    }
    for (k, v) in entries(o.value, "stringData") {
        data.insert(k.clone(), o.redactor.redact(Some(&scalar_text(Some(v)))));
    }
    let keys: Vec<String> = data.keys().cloned().collect();
    typed(&k8s::Secret {
        r#type: string(o.value, "type", Some("Opaque"))?.unwrap_or_default(),
        keys,
        data,
    })
}

/// The entries of an object-valued key (a ConfigMap's `data`), none when it is absent or not an object.
fn entries<'v>(value: &'v Value, key: &str) -> impl Iterator<Item = (&'v String, &'v Value)> {
    value.get(key).and_then(Value::as_object).into_iter().flatten()
}

fn list<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn sorted(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v
}

/// An Ingress backend's service and port: `{service: {name, port: {number | name}}}` (networking.k8s.io/v1), or
/// `{serviceName, servicePort}` (v1beta1, and extensions/v1beta1).
fn backend(backend: Option<&Value>) -> (Option<&str>, Option<&Value>) {
    let Some(backend) = backend else {
        return (None, None);
    };
    match backend.get("service") {
        Some(service) => (
            service.get("name").and_then(Value::as_str),
            service.pointer("/port/number").or(service.pointer("/port/name")),
        ),
        None => (
            backend.get("serviceName").and_then(Value::as_str),
            backend.get("servicePort"),
        ),
    }
}

/// A pod spec's containers by name: its app containers, and its init containers with their `role`: `init`, or
/// `sidecar` for a native sidecar (an init container that restarts always, Kubernetes 1.29+).
fn containers(pod: Option<&Value>, tokens: &[String], redactor: &Redactor) -> typed::Map {
    let mut out = typed::Map::new();
    let app = pod
        .map(|p| list(p, "containers"))
        .unwrap_or_default()
        .iter()
        .map(|c| (c, None));
    let init = pod
        .map(|p| list(p, "initContainers"))
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let sidecar = c.get("restartPolicy").and_then(Value::as_str) == Some("Always");
            (c, Some(if sidecar { "sidecar" } else { "init" }))
        });
    for (c, role) in app.chain(init) {
        let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
        let mut env = Map::new();
        for e in list(c, "env") {
            let Some(key) = e.get("name").and_then(Value::as_str) else {
                continue;
            };
            let value = match (e.get("value"), e.get("valueFrom")) {
                (Some(v), _) => redactor.named(key, &scalar_text(Some(v))),
                (None, Some(from)) => Value::from(reference(from, tokens)),
                (None, None) => Value::from(""),
            };
            env.insert(key.to_owned(), value);
        }
        let env_names: Vec<String> = env.keys().cloned().collect();
        let env_from = list(c, "envFrom").iter().map(|from| env_source(from, tokens));
        let (resources, set) = resources(c.get("resources"));
        let probes: Map<String, Value> = [
            ("liveness", "livenessProbe"),
            ("readiness", "readinessProbe"),
            ("startup", "startupProbe"),
        ]
        .into_iter()
        .map(|(short, key)| (short.to_owned(), c.get(key).map_or(Value::Null, probe)))
        .collect();
        let ports = list(c, "ports").iter().map(|p| {
            format!(
                "{}/{}",
                scalar_text(p.get("containerPort")),
                p.get("protocol").and_then(Value::as_str).unwrap_or("TCP")
            )
        });
        let mut container = json!({
            "image": c.get("image").and_then(Value::as_str).map(|i| ImageRef::parse(i).to_value()),
            "resources": resources,
            "resources_set": set,
            "probes": probes,
            "env_names": env_names,
            "env": env,
            "env_from": sorted(env_from),
            "ports": sorted(ports),
            "command": c.get("command"),
            "args": c.get("args"),
        });
        if let Some(role) = role {
            container["role"] = Value::from(role);
        }
        out.insert(name.to_owned(), container);
    }
    out
}

/// An `envFrom` source, comparable across environments: `configMapRef:shop-{env}-config`, with the prefix its
/// variables get when it has one (`secretRef:shop-{env}-db prefix DB_`).
fn env_source(from: &Value, tokens: &[String]) -> String {
    let source = ["configMapRef", "secretRef"]
        .into_iter()
        .find_map(|kind| from.get(kind).map(|r| (kind, r)));
    let source = match source {
        Some((kind, r)) => match r.get("name").and_then(Value::as_str) {
            Some(name) => format!("{kind}:{}", derive_key(name, tokens)),
            None => kind.to_owned(),
        },
        None => String::new(),
    };
    match from.get("prefix").and_then(Value::as_str) {
        Some(prefix) if !prefix.is_empty() => format!("{source} prefix {prefix}"),
        _ => source,
    }
}

/// A variable's reference, comparable across environments: `secretKeyRef:shop-{env}-db/password`.
fn reference(from: &Value, tokens: &[String]) -> String {
    let Some((kind, r)) = from.as_object().and_then(|o| o.iter().next()) else {
        return String::new();
    };
    let name = r
        .get("name")
        .and_then(Value::as_str)
        .map(|n| derive_key(n, tokens));
    let key = r
        .get("key")
        .or_else(|| r.get("fieldPath"))
        .or_else(|| r.get("resource"))
        .and_then(Value::as_str);
    match (name, key) {
        (Some(name), Some(key)) => format!("{kind}:{name}/{key}"),
        (None, Some(key)) => format!("{kind}:{key}"),
        (Some(name), None) => format!("{kind}:{name}"),
        (None, None) => kind.clone(),
    }
}

/// Requests and limits as numbers (cpu in millicores, memory in bytes), and which of them are set.
fn resources(value: Option<&Value>) -> (Value, Vec<String>) {
    let mut out = Map::new();
    let mut set = Vec::new();
    for part in ["requests", "limits"] {
        let mut values = Map::new();
        for (resource, quantity) in value
            .and_then(|v| v.get(part))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            set.push(format!("{part}.{resource}"));
            let text = scalar_text(Some(quantity));
            let number = match resource.as_str() {
                "cpu" => quantity_value(&text).map(|v| (v * 1000.0).round()),
                _ => quantity_value(&text).map(f64::round),
            };
            // Whole numbers as integers; a quantity that is not one (`lots`) kept as written.
            let value = match number {
                Some(n) if n.fract() == 0.0 && n.abs() < 9e15 => Value::from(n as i64),
                Some(n) => serde_json::Number::from_f64(n).map_or_else(|| Value::from(text), Value::Number),
                None => Value::from(text),
            };
            values.insert(resource.clone(), value);
        }
        out.insert(part.to_owned(), Value::Object(values));
    }
    set.sort();
    (Value::Object(out), set)
}

/// A Kubernetes quantity in base units: `500m` is 0.5, `1Gi` is 1073741824, `1G` is 1e9, `1e3` is 1000.
fn quantity_value(text: &str) -> Option<f64> {
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("Pi", 1125899906842624.0),
        ("Ei", 1152921504606846976.0),
        ("n", 1e-9),
        ("u", 1e-6),
        ("m", 1e-3),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    let text = text.trim();
    for (suffix, factor) in SUFFIXES {
        if let Some(number) = text.strip_suffix(suffix) {
            return number
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(|n| n * factor);
        }
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A probe's kind, target and timing.
fn probe(p: &Value) -> Value {
    let (kind, target) = if let Some(http) = p.get("httpGet") {
        (
            "http",
            json!({"path": http.get("path"), "port": http.get("port"), "scheme": http.get("scheme")}),
        )
    } else if let Some(tcp) = p.get("tcpSocket") {
        ("tcp", json!({"port": tcp.get("port")}))
    } else if let Some(exec) = p.get("exec") {
        ("exec", json!({"command": exec.get("command")}))
    } else if let Some(grpc) = p.get("grpc") {
        (
            "grpc",
            json!({"port": grpc.get("port"), "service": grpc.get("service")}),
        )
    } else {
        ("none", Value::Null)
    };
    json!({
        "type": kind,
        "target": target,
        "initial_delay_seconds": p.get("initialDelaySeconds").cloned().unwrap_or(json!(0)),
        "period_seconds": p.get("periodSeconds").cloned().unwrap_or(json!(10)),
        "timeout_seconds": p.get("timeoutSeconds").cloned().unwrap_or(json!(1)),
        "failure_threshold": p.get("failureThreshold").cloned().unwrap_or(json!(3)),
        "success_threshold": p.get("successThreshold").cloned().unwrap_or(json!(1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kubernetes_kind_of_the_catalogue_has_a_reader_and_every_reader_a_kind() {
        let mut read: Vec<&str> = READERS.iter().map(|r| r.becomes.name).collect();
        read.sort();
        read.dedup();
        // Custom resources are read generically, by `custom_resource`.
        let declared: Vec<&str> = envparity_model::catalog::CATALOGUE
            .kinds()
            .into_iter()
            .filter(|k| k.provider == "kubernetes" && k.name != k8s::CUSTOM.name)
            .map(|k| k.name)
            .collect();
        assert_eq!(read, declared);
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity_value("500m"), Some(0.5));
        assert_eq!(quantity_value("2"), Some(2.0));
        assert_eq!(quantity_value("512Mi"), Some(536870912.0));
        assert_eq!(quantity_value("1G"), Some(1e9));
        assert_eq!(quantity_value("1e3"), Some(1000.0));
        assert_eq!(quantity_value("lots"), None);
    }
}
