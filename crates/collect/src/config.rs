//! `envparity.toml`: the environments to collect and how. Unknown keys are errors with line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_span::de_helpers::TableHelper;
use toml_span::{Spanned, Value};

use super::Service;
use envparity_model::diagnostic::{Diagnostic, FileError, Subject, TomlReader};

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The folder the file is in: relative `config_files` are read from there.
    pub base_dir: PathBuf,
    /// The policy `audit` applies when `--policy` is not given, relative to `base_dir`.
    pub policy: Option<PathBuf>,
    pub collect: CollectSettings,
    pub environments: BTreeMap<String, Environment>,
    /// How `s3://` places (`--history`, `--snapshots`, shards) are reached.
    pub store: StoreSettings,
}

/// `[store]`: the profile, endpoint and region `s3://` places are reached with. Without the table, the profile
/// and the endpoint every environment shares, if they share one, where `AWS_PROFILE` and `AWS_ENDPOINT_URL(_S3)`
/// do not say otherwise; else the standard credential chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreSettings {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    /// Taken from the environments, not written in `[store]`: the AWS variables win over it.
    pub shared: bool,
}

/// `[collect]`: what to collect and how hard to try.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectSettings {
    pub services: Vec<Service>,
    /// Whether the config names the services (`services = [...]`) rather than leaving them to all: a service
    /// read by default that holds nothing is coverage, not a finding.
    pub services_named: bool,
    /// How many (service, region) collections run at once per environment.
    pub concurrency: usize,
    /// How many calls one (service, region) collection makes at once (per-resource calls such as attributes).
    pub calls_per_service: usize,
    /// Attempts per API call, including the first, for throttling and transient faults.
    pub max_attempts: u32,
    /// `standard` or `adaptive` retries (jittered exponential backoff; adaptive also rate-limits the client).
    pub retry_mode: RetryMode,
    /// The longest one (service, region) collection may take before it becomes a gap.
    pub service_timeout_secs: u64,
    /// The longest one API call attempt may take.
    pub attempt_timeout_secs: u64,
    /// The longest a connection to an endpoint may take to open.
    pub connect_timeout_secs: u64,
    /// The longest an answer may take to start arriving once a request is sent.
    pub read_timeout_secs: u64,
    /// Read SecureString values (to fingerprint them, never to store them).
    pub decrypt_secrets: bool,
    /// Ask the Resource Groups Tagging API, per region, which resource types no collector reads.
    pub coverage: bool,
    /// Calls per second per (account, region, service): the defaults of [`super::RATE_LIMITS`], overridden by
    /// `[collect.rate_limits]`.
    pub rate_limits: BTreeMap<&'static str, u32>,
    /// Files or folders outside the config's folder that local sources may read (relative to that folder).
    pub read_outside: Vec<PathBuf>,
    /// The largest local file read, in MiB.
    pub max_file_mib: u64,
}

impl Default for CollectSettings {
    fn default() -> Self {
        CollectSettings {
            services: super::SERVICES.to_vec(),
            services_named: false,
            concurrency: 8,
            calls_per_service: 8,
            max_attempts: 10,
            retry_mode: RetryMode::Adaptive,
            service_timeout_secs: 300,
            attempt_timeout_secs: 30,
            connect_timeout_secs: 3,
            read_timeout_secs: 20,
            decrypt_secrets: false,
            coverage: true,
            rate_limits: super::RATE_LIMITS
                .iter()
                .map(|l| (l.service, l.per_second))
                .collect(),
            read_outside: Vec::new(),
            max_file_mib: envparity_files::gateway::DEFAULT_MAX_FILE_MIB,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryMode {
    Standard,
    Adaptive,
}

/// `[environments.NAME]`: where one environment lives and how to recognise its resources.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Environment {
    pub name: String,
    /// The AWS profile (from the shared config and credentials files).
    pub profile: Option<String>,
    /// A role to assume, with the profile's (or the default chain's) credentials.
    pub role_arn: Option<String>,
    /// The external id the role (`role_arn`, or the organisation's `role_name`) requires.
    pub external_id: Option<String>,
    /// The accounts of an AWS Organization, found by organizational unit or account tag, each read through a role.
    pub organization: Option<Organization>,
    /// Regions to read; empty means the profile's region.
    pub regions: Vec<String>,
    /// Another endpoint for every AWS service (a local stand-in such as moto).
    pub endpoint_url: Option<String>,
    /// Only resources carrying all these tags belong to the environment (for environments sharing an account).
    pub tags: BTreeMap<String, String>,
    /// Name segments that stand for the environment in resource names.
    pub tokens: Vec<String>,
    /// A tag whose value is the logical key.
    pub key_tag: Option<String>,
    /// SSM parameter paths to read, recursively, in every region; `{env}` stands for the environment's name.
    pub ssm_paths: Vec<String>,
    /// SSM parameter paths by region (`ssm_paths = { "eu-west-1" = [...] }`): a region not named reads none.
    pub ssm_paths_by_region: BTreeMap<String, Vec<String>>,
    /// Config files (.env, JSON, YAML, TOML) whose keys to compare; `{env}` stands for the environment's name.
    pub config_files: Vec<String>,
    /// Docker Compose files, merged in order as Compose merges them; `{env}` stands for the environment's name.
    pub compose: Vec<String>,
    /// The Compose profiles whose services are read (services without a profile always are).
    pub compose_profiles: Vec<String>,
    /// Rendered Kubernetes manifests: files or folders of YAML; `{env}` stands for the environment's name.
    pub kubernetes: Vec<String>,
    /// Terraform or OpenTofu states (format version 4): local files, folders of workspaces, or `s3://` objects;
    /// `{env}` stands for the environment's name.
    pub terraform: Vec<String>,
    /// Plans as `terraform show -json PLAN` writes them: the environment as it will be after apply.
    pub terraform_plan: Vec<String>,
}

/// An environment spread over the accounts of an AWS Organization: the profile's credentials list them, and a
/// role of the same name is assumed in each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Organization {
    /// Organizational units (`ou-...`) or roots (`r-...`) whose accounts belong to the environment.
    pub units: Vec<String>,
    /// Whether the accounts of child units belong too.
    pub recursive: bool,
    /// Only accounts carrying all these tags belong (all accounts of the organisation when `units` is empty).
    pub account_tags: BTreeMap<String, String>,
    /// The role assumed in each account: `arn:aws:iam::ACCOUNT:role/ROLE_NAME`.
    pub role_name: String,
}

impl Environment {
    /// The SSM paths read in `region`: those given by region when `ssm_paths` is a table, else every one.
    pub fn ssm_paths_in(&self, region: &str) -> &[String] {
        match self.ssm_paths_by_region.is_empty() {
            true => &self.ssm_paths,
            false => self.ssm_paths_by_region.get(region).map_or(&[], Vec::as_slice),
        }
    }

    /// Whether AWS is asked: when the environment says anything about AWS, or names no other source. An
    /// environment of compose files, manifests or config files only makes no AWS call and needs no credentials.
    pub fn uses_aws(&self) -> bool {
        self.profile.is_some()
            || self.role_arn.is_some()
            || self.organization.is_some()
            || !self.regions.is_empty()
            || self.endpoint_url.is_some()
            || !self.ssm_paths.is_empty()
            || !self.ssm_paths_by_region.is_empty()
            || !self.tags.is_empty()
            || (self.config_files.is_empty()
                && self.compose.is_empty()
                && self.kubernetes.is_empty()
                && self.terraform.is_empty()
                && self.terraform_plan.is_empty())
    }

    /// `{env}` in a configured path, replaced by the environment's name.
    pub fn expand(&self, template: &str) -> String {
        template.replace(envparity_model::keys::ENV_PLACEHOLDER, &self.name)
    }
}

impl Config {
    /// The gateway local sources read their files through: inside the config's folder or `read_outside`, at
    /// most `max_file_mib`.
    pub fn gateway(&self) -> envparity_files::gateway::Gateway {
        envparity_files::gateway::Gateway::new(
            &self.base_dir,
            envparity_files::gateway::Root::Config,
            &self.collect.read_outside,
            self.collect.max_file_mib,
        )
    }

    /// Reads and validates the file at `path`.
    pub fn read(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "cannot read config {}: {e} (create one with `envparity init`, which writes a commented example)",
                path.display()
            )
        })?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let text = envparity_model::diagnostic::without_bom(&text);
        Ok(Config::parse(text, &path.display().to_string(), base_dir)?)
    }

    /// Parses config text; `label` names the file in errors.
    pub fn parse(text: &str, label: &str, base_dir: PathBuf) -> Result<Config, FileError> {
        let read = || {
            let mut root = TomlReader::parse(text)?;
            let mut reader = Reader {
                toml: TomlReader::new(text),
            };
            let config = reader.config(&mut root, base_dir);
            reader.toml.into_result(config)
        };
        read().map_err(|diagnostics| FileError {
            subject: Subject::Config,
            path: label.to_owned(),
            source_text: text.to_owned(),
            diagnostics,
        })
    }

    /// The named environment, or an error listing the configured ones.
    pub fn environment(&self, name: &str) -> anyhow::Result<&Environment> {
        self.environments.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.environments.keys().map(String::as_str).collect();
            anyhow::anyhow!(
                "no environment named {name:?} in the config; configured: {}",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )
        })
    }
}

/// `ou-ab12-cd34ef56` (an organizational unit) or `r-ab12` (a root): lowercase letters and digits after the
/// prefix.
fn is_organization_unit(id: &str) -> bool {
    let body = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    match (id.strip_prefix("ou-"), id.strip_prefix("r-")) {
        (Some(rest), _) => rest.split_once('-').is_some_and(|(a, b)| body(a) && body(b)),
        (_, Some(rest)) => body(rest),
        _ => false,
    }
}

/// The AWS regions there are: a name one slip away from one of them (`eu-wst-1`) is taken for a typo of it. A
/// well-formed name far from all of them is read as a region this list does not know yet.
const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// The known region a name is a typo of, if it is one (`eu-wst-1` for `eu-west-1`). A new number in a known
/// geography (`ap-southeast-6`) is a new region, not a typo.
fn misspelt_region(name: &str) -> Option<&'static str> {
    let geography = |region: &str| {
        region
            .rsplit_once('-')
            .map_or(region, |(words, _)| words)
            .to_owned()
    };
    if KNOWN_REGIONS
        .iter()
        .any(|known| geography(known) == geography(name))
    {
        return None;
    }
    envparity_model::diagnostic::closest(name, KNOWN_REGIONS)
}

/// `eu-west-1`, `us-gov-west-1`, `ap-southeast-2`: lowercase words joined by dashes, ending in a number.
fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

struct Reader<'t> {
    toml: TomlReader<'t>,
}

impl Reader<'_> {
    fn config(&mut self, root: &mut Value<'_>, base_dir: PathBuf) -> Option<Config> {
        let mut top = self.toml.table(root, "the config file")?;
        let policy = top.optional::<String>("policy").map(PathBuf::from);
        let collect = match top.take("collect") {
            Some((_, mut v)) => self.collect(&mut v),
            None => CollectSettings::default(),
        };
        let mut environments = BTreeMap::new();
        match top.take("environments") {
            Some((_, mut v)) => {
                if let Some(mut t) = self.toml.table(&mut v, "[environments]") {
                    let names: Vec<String> = t.table.keys().map(|k| k.name.to_string()).collect();
                    for name in names {
                        let (key, mut value) =
                            t.table.remove_entry(name.as_str()).expect("the key was listed");
                        // The name becomes a file name (`ENV.json`) and a folder (`--history DIR/ENV/`).
                        if !envparity_model::snapshot::is_safe_name(&name) {
                            self.toml.error(
                                key.span,
                                format!("environment name {name:?} cannot name a file"),
                                Some(
                                    "use letters, digits, `-`, `_` and `.`, not starting with `.` (such as \
                                     `staging` or `prod-eu`)"
                                        .into(),
                                ),
                            );
                            continue;
                        }
                        if let Some(env) = self.environment(&name, &mut value) {
                            environments.insert(name, env);
                        }
                    }
                    self.toml.finish(t);
                }
            }
            None => self.toml.diagnostics.push(Diagnostic {
                message: "no [environments.NAME] tables: nothing to collect".into(),
                span: None,
                help: Some("add one per environment, as `envparity init` writes: [environments.prod]".into()),
            }),
        }
        let store = match top.take("store") {
            Some((_, mut v)) => match self.toml.table(&mut v, "[store]") {
                Some(mut t) => {
                    let store = StoreSettings {
                        profile: t.optional::<String>("profile"),
                        endpoint_url: t.optional::<String>("endpoint_url"),
                        region: t.optional::<String>("region"),
                        shared: false,
                    };
                    self.toml.finish(t);
                    store
                }
                None => StoreSettings::default(),
            },
            None => {
                // What every environment shares, as the one value: the store is one place for all of them.
                let shared = |of: fn(&Environment) -> Option<&String>| {
                    let mut values = environments.values().map(of);
                    let first = values.next().flatten()?;
                    values.all(|v| v == Some(first)).then(|| first.clone())
                };
                StoreSettings {
                    profile: shared(|e| e.profile.as_ref()),
                    endpoint_url: shared(|e| e.endpoint_url.as_ref()),
                    region: None,
                    shared: true,
                }
            }
        };
        self.toml.finish(top);
        Some(Config {
            base_dir,
            policy,
            collect,
            environments,
            store,
        })
    }

    fn collect(&mut self, value: &mut Value<'_>) -> CollectSettings {
        let mut s = CollectSettings::default();
        let Some(mut t) = self.toml.table(value, "[collect]") else {
            return s;
        };
        if let Some(services) = t.optional::<Vec<Spanned<String>>>("services") {
            s.services_named = true;
            s.services = services
                .iter()
                .filter_map(|name| {
                    let service = Service::parse(&name.value);
                    if service.is_none() {
                        let all: Vec<&str> = super::SERVICES.iter().map(|s| s.name()).collect();
                        self.toml.error(
                            name.span,
                            format!("unknown service `{}`", name.value),
                            Some(format!("expected any of: {}", all.join(", "))),
                        );
                    }
                    service
                })
                .collect();
        }
        if let Some(n) = self.positive(&mut t, "concurrency") {
            s.concurrency = n as usize;
        }
        if let Some(n) = self.positive(&mut t, "calls_per_service") {
            s.calls_per_service = n as usize;
        }
        if let Some(n) = self.positive(&mut t, "max_attempts") {
            s.max_attempts = n.min(u32::MAX as u64) as u32;
        }
        if let Some(n) = self.positive(&mut t, "service_timeout_seconds") {
            s.service_timeout_secs = n;
        }
        if let Some(n) = self.positive(&mut t, "attempt_timeout_seconds") {
            s.attempt_timeout_secs = n;
        }
        if let Some(n) = self.positive(&mut t, "connect_timeout_seconds") {
            s.connect_timeout_secs = n;
        }
        if let Some(n) = self.positive(&mut t, "read_timeout_seconds") {
            s.read_timeout_secs = n;
        }
        if let Some(mode) = t.optional_s::<String>("retry_mode") {
            match mode.value.as_str() {
                "standard" => s.retry_mode = RetryMode::Standard,
                "adaptive" => s.retry_mode = RetryMode::Adaptive,
                other => self.toml.error(
                    mode.span,
                    format!("unknown retry_mode `{other}`"),
                    Some("expected standard or adaptive".into()),
                ),
            }
        }
        if let Some(b) = t.optional::<bool>("decrypt_secrets") {
            s.decrypt_secrets = b;
        }
        if let Some(b) = t.optional::<bool>("coverage") {
            s.coverage = b;
        }
        if let Some(paths) = t.optional::<Vec<String>>("read_outside") {
            s.read_outside = paths.into_iter().map(PathBuf::from).collect();
        }
        if let Some(n) = self.positive(&mut t, "max_file_mib") {
            s.max_file_mib = n;
        }
        if let Some((_, mut limits)) = t.take("rate_limits")
            && let Some(mut lt) = self.toml.table(&mut limits, "[collect.rate_limits]")
        {
            let names: Vec<String> = lt.table.keys().map(|k| k.name.to_string()).collect();
            for name in names {
                let known = super::RATE_LIMITS.iter().find(|l| l.service == name);
                let Some(limit) = known else {
                    let (key, _) = lt.table.remove_entry(name.as_str()).expect("the key was listed");
                    let all: Vec<&str> = super::RATE_LIMITS.iter().map(|l| l.service).collect();
                    self.toml.error(
                        key.span,
                        format!("no rate limit is named `{name}`"),
                        Some(format!("expected any of: {}", all.join(", "))),
                    );
                    continue;
                };
                if let Some(n) = self.positive(&mut lt, limit.service) {
                    s.rate_limits.insert(limit.service, n.min(u32::MAX as u64) as u32);
                }
            }
            self.toml.finish(lt);
        }
        self.toml.finish(t);
        s
    }

    /// Region names, checked for their form; a well-formed name AWS does not know becomes a gap when collected.
    fn regions(&mut self, t: &mut TableHelper<'_>) -> Vec<String> {
        let regions = t.optional::<Vec<Spanned<String>>>("regions").unwrap_or_default();
        for r in &regions {
            if !is_region_name(&r.value) {
                self.toml.error(
                    r.span,
                    format!("`{}` is not an AWS region name", r.value),
                    Some("region names look like eu-west-1 or us-gov-west-1".into()),
                );
            } else if let Some(meant) = misspelt_region(&r.value) {
                self.toml.error(
                    r.span,
                    format!("`{}` is not an AWS region", r.value),
                    Some(format!("did you mean {meant}?")),
                );
            }
        }
        regions.into_iter().map(|r| r.value).collect()
    }

    /// A whole number of at least 1.
    fn positive(&mut self, t: &mut TableHelper<'_>, key: &'static str) -> Option<u64> {
        let v = t.optional_s::<u64>(key)?;
        if v.value == 0 {
            self.toml
                .error(v.span, format!("`{key}` must be at least 1"), None);
            return None;
        }
        Some(v.value)
    }

    /// A table of strings, such as `tags = { Environment = "staging" }`.
    /// `ssm_paths`: a list read in every region, or a table of lists by region (each a configured region).
    fn ssm_paths(
        &mut self,
        t: &mut TableHelper<'_>,
        regions: &[String],
    ) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
        let Some((_, mut value)) = t.take("ssm_paths") else {
            return Default::default();
        };
        if value.as_table().is_none() {
            return match <Vec<String> as toml_span::Deserialize>::deserialize(&mut value) {
                Ok(paths) => (paths, BTreeMap::new()),
                Err(e) => {
                    let text = self.toml.text;
                    self.toml
                        .diagnostics
                        .extend(e.errors.into_iter().map(|e| Diagnostic::from_toml(e, text)));
                    Default::default()
                }
            };
        }
        let mut by_region = BTreeMap::new();
        let Some(mut tt) = self.toml.table(&mut value, "`ssm_paths`") else {
            return Default::default();
        };
        let names: Vec<String> = tt.table.keys().map(|k| k.name.to_string()).collect();
        for region in names {
            let (key, mut v) = tt
                .table
                .remove_entry(region.as_str())
                .expect("the key was listed");
            if !regions.is_empty() && !regions.contains(&region) {
                let names: Vec<&str> = regions.iter().map(String::as_str).collect();
                let help = match envparity_model::diagnostic::closest(&region, &names) {
                    Some(close) => format!(
                        "did you mean {close:?}? the environment's regions: {}",
                        names.join(", ")
                    ),
                    None => format!("the environment's regions: {}", names.join(", ")),
                };
                self.toml.error(
                    key.span,
                    format!("ssm_paths names region {region:?}, which the environment does not read"),
                    Some(help),
                );
                continue;
            }
            match <Vec<String> as toml_span::Deserialize>::deserialize(&mut v) {
                Ok(paths) => {
                    by_region.insert(region, paths);
                }
                Err(e) => {
                    let text = self.toml.text;
                    self.toml
                        .diagnostics
                        .extend(e.errors.into_iter().map(|e| Diagnostic::from_toml(e, text)));
                }
            }
        }
        self.toml.finish(tt);
        (Vec::new(), by_region)
    }

    fn strings(&mut self, t: &mut TableHelper<'_>, key: &'static str) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        let Some((_, mut value)) = t.take(key) else {
            return map;
        };
        let Some(mut tt) = self.toml.table(&mut value, &format!("`{key}`")) else {
            return map;
        };
        let keys: Vec<String> = tt.table.keys().map(|k| k.name.to_string()).collect();
        for key in keys {
            let (_, mut v) = tt.table.remove_entry(key.as_str()).expect("the key was listed");
            match v.take_string(None) {
                Ok(s) => {
                    map.insert(key, s.into_owned());
                }
                Err(e) => self
                    .toml
                    .diagnostics
                    .push(Diagnostic::from_toml(e, self.toml.text)),
            }
        }
        self.toml.finish(tt);
        map
    }

    /// `organizational_units`, `recursive`, `account_tags` and `role_name`: an environment over an organisation's
    /// accounts, or `None` when none of them is set.
    fn organization(&mut self, name: &str, t: &mut TableHelper<'_>) -> Option<Organization> {
        let units = t
            .optional::<Vec<Spanned<String>>>("organizational_units")
            .unwrap_or_default();
        for unit in &units {
            if !is_organization_unit(&unit.value) {
                self.toml.error(
                    unit.span,
                    format!("`{}` is not an organizational unit or root id", unit.value),
                    Some("ids look like ou-ab12-cd34ef56 (a unit) or r-ab12 (the root)".into()),
                );
            }
        }
        let recursive = t.optional_s::<bool>("recursive");
        let account_tags = self.strings(t, "account_tags");
        let role_name = t.optional_s::<String>("role_name");
        if units.is_empty() && account_tags.is_empty() {
            for (key, span) in [
                ("role_name", role_name.as_ref().map(|r| r.span)),
                ("recursive", recursive.as_ref().map(|r| r.span)),
            ] {
                if let Some(span) = span {
                    self.toml.error(
                        span,
                        format!("`{key}` applies to an organisation's accounts, and [environments.{name}] names none"),
                        Some("add `organizational_units = [\"ou-...\"]` or `account_tags = { ... }`".into()),
                    );
                }
            }
            return None;
        }
        let Some(role_name) = role_name else {
            self.toml.diagnostics.push(Diagnostic {
                message: format!(
                    "[environments.{name}] names an organisation's accounts without `role_name`, the role to assume in each"
                ),
                span: None,
                help: Some("such as `role_name = \"EnvparityAudit\"`".into()),
            });
            return None;
        };
        Some(Organization {
            units: units.into_iter().map(|u| u.value).collect(),
            recursive: recursive.is_none_or(|r| r.value),
            account_tags,
            role_name: role_name.value,
        })
    }

    fn environment(&mut self, name: &str, value: &mut Value<'_>) -> Option<Environment> {
        let mut t = self.toml.table(value, &format!("[environments.{name}]"))?;
        let mut env = Environment {
            name: name.to_owned(),
            profile: t.optional("profile"),
            role_arn: t.optional("role_arn"),
            external_id: t.optional("external_id"),
            regions: self.regions(&mut t),
            endpoint_url: t.optional_s::<String>("endpoint_url").and_then(|url| {
                if url.value.starts_with("http://") || url.value.starts_with("https://") {
                    return Some(url.value);
                }
                self.toml.error(
                    url.span,
                    format!("endpoint_url {:?} has no scheme", url.value),
                    Some(format!("write it as a URL: \"http://{}\"", url.value)),
                );
                None
            }),
            tokens: t.optional("tokens").unwrap_or_default(),
            key_tag: t.optional("key_tag"),
            ssm_paths: Vec::new(),
            ssm_paths_by_region: BTreeMap::new(),
            config_files: t.optional("config_files").unwrap_or_default(),
            compose: t.optional("compose").unwrap_or_default(),
            compose_profiles: t.optional("compose_profiles").unwrap_or_default(),
            kubernetes: t.optional("kubernetes").unwrap_or_default(),
            terraform: t.optional("terraform").unwrap_or_default(),
            terraform_plan: t.optional("terraform_plan").unwrap_or_default(),
            tags: self.strings(&mut t, "tags"),
            organization: None,
        };
        (env.ssm_paths, env.ssm_paths_by_region) = self.ssm_paths(&mut t, &env.regions);
        env.organization = self.organization(name, &mut t);
        if let Some(organization) = &env.organization
            && env.role_arn.is_some()
        {
            self.toml.diagnostics.push(Diagnostic {
                message: format!(
                    "[environments.{name}] sets both `role_arn` and `role_name`: the organisation's accounts are \
                     each read through `role_name` ({})",
                    organization.role_name
                ),
                span: None,
                help: Some("drop `role_arn`; the profile's credentials list the accounts and assume the role".into()),
            });
        }
        if env.role_arn.is_none() && env.organization.is_none() && env.external_id.is_some() {
            self.toml.diagnostics.push(Diagnostic {
                message: format!(
                    "[environments.{name}] sets `external_id` without `role_arn` or `role_name`"
                ),
                span: None,
                help: None,
            });
        }
        if env.tokens.is_empty() {
            env.tokens = envparity_model::keys::default_tokens(name);
        }
        self.toml.finish(t);
        Some(env)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_that_cannot_name_a_file_are_refused_with_their_line() {
        for bad in ["\"../../x\"", "\".hidden\"", "\"a/b\"", "\"\""] {
            let text = format!("[environments.{bad}]\nregions = [\"eu-west-1\"]\n");
            let e = Config::parse(&text, "c.toml", PathBuf::from("."))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("c.toml:1:") && e.contains("cannot name a file"),
                "{bad}: {e}"
            );
        }
        let ok = "[environments.prod-eu_1]\nregions = [\"eu-west-1\"]\n";
        assert!(Config::parse(ok, "c.toml", PathBuf::from(".")).is_ok());
    }

    #[test]
    fn ssm_paths_may_be_given_per_region_and_a_region_the_environment_does_not_read_is_refused() {
        let text = "[environments.prod]\nregions = [\"eu-west-1\", \"us-east-1\"]\n\
                    ssm_paths = { \"eu-west-1\" = [\"/shop/{env}/\"] }\n";
        let config = Config::parse(text, "c.toml", PathBuf::from(".")).unwrap();
        let prod = config.environment("prod").unwrap();
        assert_eq!(prod.ssm_paths_in("eu-west-1"), ["/shop/{env}/"]);
        assert!(prod.ssm_paths_in("us-east-1").is_empty());
        let listed =
            "[environments.prod]\nregions = [\"eu-west-1\", \"us-east-1\"]\nssm_paths = [\"/shop/\"]\n";
        let config = Config::parse(listed, "c.toml", PathBuf::from(".")).unwrap();
        assert_eq!(
            config.environment("prod").unwrap().ssm_paths_in("us-east-1"),
            ["/shop/"]
        );
        let typo = text.replace("{ \"eu-west-1\"", "{ \"eu-wset-1\"");
        let e = Config::parse(&typo, "c.toml", PathBuf::from("."))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ssm_paths names region \"eu-wset-1\", which the environment does not read")
                && e.contains("did you mean \"eu-west-1\"?"),
            "{e}"
        );
    }

    #[test]
    fn an_endpoint_without_a_scheme_is_refused_at_load() {
        let text = "[environments.staging]\nendpoint_url = \"127.0.0.1:5842\"\n";
        let e = Config::parse(text, "c.toml", PathBuf::from("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("c.toml:2:17") && e.contains("has no scheme"), "{e}");
    }

    #[test]
    fn an_organisation_environment_needs_units_or_tags_and_a_role_name() {
        let parse = |body: &str| {
            Config::parse(
                &format!("[environments.prod]\n{body}"),
                "c.toml",
                PathBuf::from("."),
            )
            .map_err(|e| e.to_string())
        };
        let config =
            parse("organizational_units = [\"ou-ab12-cd34ef56\", \"r-ab12\"]\nrole_name = \"Audit\"\n")
                .unwrap();
        let organization = config.environments["prod"].organization.clone().unwrap();
        assert_eq!(organization.units, ["ou-ab12-cd34ef56", "r-ab12"]);
        assert!(organization.recursive);
        assert!(config.environments["prod"].uses_aws());
        let e = parse("organizational_units = [\"ou-ab12-cd34ef56\"]\n").unwrap_err();
        assert!(e.contains("without `role_name`"), "{e}");
        let e = parse("role_name = \"Audit\"\n").unwrap_err();
        assert!(
            e.contains("c.toml:2:14: `role_name` applies to an organisation's accounts"),
            "{e}"
        );
        let e = parse("organizational_units = [\"123\"]\nrole_name = \"A\"\n").unwrap_err();
        assert!(
            e.contains("c.toml:2:26: `123` is not an organizational unit"),
            "{e}"
        );
        let e = parse(
            "account_tags = { Stage = \"prod\" }\nrole_name = \"A\"\nrole_arn = \"arn:aws:iam::1:role/x\"\n",
        )
        .unwrap_err();
        assert!(e.contains("sets both `role_arn` and `role_name`"), "{e}");
        let config =
            parse("account_tags = { Stage = \"prod\" }\nrole_name = \"A\"\nexternal_id = \"x\"\n").unwrap();
        assert_eq!(config.environments["prod"].external_id.as_deref(), Some("x"));
    }

    #[test]
    fn rate_limits_override_the_defaults_and_unknown_services_are_refused() {
        let text = "[collect.rate_limits]\nssm = 2\n\n[environments.prod]\n";
        let config = Config::parse(text, "c.toml", PathBuf::from(".")).unwrap();
        assert_eq!(config.collect.rate_limits["ssm"], 2);
        assert_eq!(config.collect.rate_limits["ec2"], 10);
        for (text, expected) in [
            (
                "[collect.rate_limits]\nsms = 2\n",
                "c.toml:2:1: no rate limit is named `sms`",
            ),
            (
                "[collect.rate_limits]\nssm = 0\n",
                "c.toml:2:7: `ssm` must be at least 1",
            ),
        ] {
            let e = Config::parse(
                &format!("{text}[environments.prod]\n"),
                "c.toml",
                PathBuf::from("."),
            )
            .unwrap_err()
            .to_string();
            assert!(e.contains(expected), "{e}");
        }
    }

    #[test]
    fn a_region_one_slip_from_a_known_one_is_a_typo_and_a_new_one_far_from_all_is_read() {
        assert_eq!(misspelt_region("eu-wst-1"), Some("eu-west-1"));
        assert_eq!(misspelt_region("eu-west-1"), None);
        assert_eq!(
            misspelt_region("ap-southeast-6"),
            None,
            "a new number in a known geography"
        );
        // A region added after this list: well-formed and far from every known name.
        assert_eq!(misspelt_region("xx-newregion-1"), None);
    }

    #[test]
    fn region_names() {
        for ok in ["eu-west-1", "us-gov-west-1", "ap-southeast-2", "il-central-1"] {
            assert!(is_region_name(ok), "{ok}");
        }
        for bad in [
            "eu-west",
            "EU-WEST-1",
            "euwest1",
            "eu_west_1",
            "europe-west-1",
            "eu-west-x",
            "",
        ] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }

    #[test]
    fn config_errors_are_all_reported_with_line_and_column() {
        let text = "[collect]\nconcurrency = 0\nservices = [\"ec3\"]\n\n[environments.staging]\nregions = [\"eu-west\"]\nprofle = \"x\"\n";
        let error = Config::parse(text, "e.toml", PathBuf::new()).unwrap_err();
        // The closing line names the config, not a policy.
        assert!(
            error.render(false).ends_with("e.toml: 4 problems in the config"),
            "{}",
            error.render(false)
        );
        let e = error.to_string();
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(lines.len(), 4, "{e}");
        assert!(
            lines[0].starts_with("e.toml:2:15: `concurrency` must be at least 1"),
            "{e}"
        );
        assert!(lines[1].starts_with("e.toml:3:14: unknown service `ec3`"), "{e}");
        assert!(
            lines[2].starts_with("e.toml:6:13: `eu-west` is not an AWS region name"),
            "{e}"
        );
        assert!(
            lines[3].starts_with("e.toml:7:1: unknown key `profle` (did you mean `profile`?"),
            "{e}"
        );
        let e = Config::parse("", "e.toml", PathBuf::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no [environments.NAME] tables"), "{e}");
    }
}
