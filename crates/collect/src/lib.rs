//! Collection: live environments into snapshots.
//!
//! One collector per AWS service ([`aws`]) and one per local source ([`files`], [`compose`], [`kubernetes`]).
//! Each fills the kinds the catalogue declares for it (`envparity_model::catalog`). A unit of collection (a service in an account and region, the config files) ends
//! as one [`Collected`], which [`Collected::record`] turns into a source with resources or into a gap: unknown
//! is never absent.

mod aws;
mod compose;
pub mod config;
pub mod egress;
mod files;
pub mod fleet;
pub mod https;
mod image;
mod kubernetes;
pub mod secrets;
pub mod source;
pub mod store;
mod terraform;
mod yaml;

use std::collections::BTreeSet;
use std::time::Duration;

use futures::future::join_all;
use tokio::sync::Semaphore;

pub use aws::{ConnectError, Pacing, RATE_LIMITS, RateLimit, SERVICES, Service};
use config::{Config, Environment};
use secrets::{FingerprintKey, Redactor};

use envparity_model::catalog::CATALOGUE;
use envparity_model::keys::KeyRule;
use envparity_model::snapshot::{
    COVERAGE_SERVICE, Fleet, FleetAccount, Gap, Resource, Shard, Snapshot, Source, SourceStatus, Unaudited,
};

/// What one unit of collection ended with: the one shape every collector's result takes on its way into the
/// snapshot.
#[derive(Debug)]
pub struct Collected {
    pub provider: &'static str,
    pub service: &'static str,
    pub account: Option<String>,
    pub region: Option<String>,
    pub api_calls: u64,
    /// The configured scopes (an SSM path, a config file) that held nothing.
    pub empty: Vec<String>,
    /// Read because the config named no services, not this one.
    pub by_default: bool,
    /// The kinds a gap in it leaves unknown.
    pub kinds: Vec<&'static str>,
    pub result: Result<Vec<Resource>, CollectError>,
}

impl Collected {
    /// A unit read from local files (config files, compose files, manifests): no account, region or API call.
    fn local(
        source: &dyn source::Source,
        empty: Vec<String>,
        result: Result<Vec<Resource>, CollectError>,
    ) -> Collected {
        Collected {
            provider: source.provider(),
            service: source.service(),
            account: None,
            region: None,
            api_calls: 0,
            empty,
            by_default: false,
            kinds: source.kinds(),
            result,
        }
    }

    /// Adds it to the snapshot: a complete source and its resources, or a gap that leaves every kind of the
    /// service unknown.
    pub fn record(self, snapshot: &mut Snapshot) {
        match self.result {
            Ok(resources) => {
                snapshot.sources.push(Source {
                    provider: self.provider.into(),
                    service: self.service.into(),
                    account: self.account,
                    region: self.region,
                    status: SourceStatus::Complete,
                    resources: resources.len() as u64,
                    api_calls: self.api_calls,
                    empty: self.empty,
                    by_default: self.by_default,
                });
                gather(&mut snapshot.resources, resources);
            }
            Err(error) => snapshot.gaps.push(Gap {
                kinds: self.kinds.into_iter().map(str::to_owned).collect(),
                provider: self.provider.into(),
                service: self.service.into(),
                account: self.account,
                region: self.region,
                error: error.to_string(),
            }),
        }
    }
}

/// `more` added to `all`: taken whole when `all` is empty, not copied (a source may find tens of thousands).
pub(crate) fn gather<T>(all: &mut Vec<T>, more: Vec<T>) {
    match all.is_empty() {
        true => *all = more,
        false => all.extend(more),
    }
}

/// Why one (service, region) could not be read: the provider's error code and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default())]
pub struct CollectError {
    pub code: Option<String>,
    pub message: String,
}

/// One (service, region) finished: what a progress display shows.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    pub environment: &'a str,
    pub service: Service,
    pub region: &'a str,
    /// Resources found, or `None` when it became a gap.
    pub resources: Option<usize>,
}

/// Called as each (service, region) finishes.
pub type ProgressFn = dyn Fn(Progress<'_>) + Send + Sync;

/// What collection needs besides the configuration.
#[derive(Clone, Default)]
pub struct Options {
    /// The HMAC key for secret fingerprints (`ENVPARITY_FINGERPRINT_KEY`).
    pub fingerprint_key: Option<FingerprintKey>,
    /// Told of each (service, region) as it finishes.
    pub progress: Option<std::sync::Arc<ProgressFn>>,
    /// The part of a sharded collection to collect; `None` collects everything.
    pub shard: Option<Shard>,
    /// Rate limits per (account, region, service), shared by every environment collected at once.
    pub pacing: std::sync::Arc<Pacing>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("progress", &self.progress.is_some())
            .field("shard", &self.shard)
            .finish_non_exhaustive()
    }
}

/// Collects one environment: every configured service in every region, concurrently (bounded by
/// `collect.concurrency`), plus its config files. Fails only when the environment cannot be reached at all.
pub async fn collect_environment(
    config: &Config,
    env: &Environment,
    options: &Options,
) -> Result<Snapshot, ConnectError> {
    let settings = &config.collect;
    let redactor = Redactor::new(options.fingerprint_key.clone());
    let mut snapshot = Snapshot::new(&env.name, now());
    snapshot.fingerprint_key_id = redactor.key_id();

    if !settings.services.is_empty() && env.uses_aws() {
        let session = aws::Session::connect(env, settings).await?;
        let shared = aws::Shared {
            env,
            settings,
            redactor: &redactor,
            pacing: &options.pacing,
        };
        collect_aws(&session, shared, options, &mut snapshot).await;
    }

    if fleet::collects_local(options.shard) {
        collect_local(config, env, &redactor, &mut snapshot);
    }
    egress::check(&mut snapshot, &redactor);

    let keys = KeyRule {
        key_tag: env.key_tag.clone(),
        tokens: env.tokens.clone(),
        rekey: false,
    };
    for r in &mut snapshot.resources {
        if r.key.is_none() {
            r.key = Some(keys.derive(r));
        }
    }
    // Made of texts the egress check has passed.
    snapshot.gap_unreadable_resources();
    snapshot.normalize();
    Ok(snapshot)
}

/// An environment's (account, region) units and the shard of each: what `envparity plan` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    pub environment: String,
    pub shards: u32,
    pub accounts: Vec<FleetAccount>,
    pub regions: Vec<String>,
    /// Every unit, by account then region, with the shard (`I/N`) that collects it.
    pub units: Vec<PlannedUnit>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PlannedUnit {
    pub account: String,
    pub region: String,
    pub shard: String,
}

/// Why no plan could be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("environment {0}: the accounts are unknown: {1}")]
    Accounts(String, CollectError),
}

/// Finds the environment's accounts (discovery, for an organisation) and splits its units into `shards`, as
/// `collect --shard` will. Makes no call for an environment without AWS (it has no units).
pub async fn plan(config: &Config, env: &Environment, shards: u32) -> Result<Plan, PlanError> {
    let mut plan = Plan {
        environment: env.name.clone(),
        shards,
        accounts: Vec::new(),
        regions: Vec::new(),
        units: Vec::new(),
    };
    if config.collect.services.is_empty() || !env.uses_aws() {
        return Ok(plan);
    }
    let session = aws::Session::connect(env, &config.collect).await?;
    let redactor = Redactor::new(None);
    let pacing = Pacing::new(config.collect.rate_limits.clone());
    let shared = aws::Shared {
        env,
        settings: &config.collect,
        redactor: &redactor,
        pacing: &pacing,
    };
    plan.accounts = accounts(&session, shared)
        .await
        .map_err(|e| PlanError::Accounts(env.name.clone(), e))?;
    plan.regions = session.regions.clone();
    let units: Vec<(&str, &str)> = plan
        .accounts
        .iter()
        .flat_map(|a| plan.regions.iter().map(move |r| (a.id.as_str(), r.as_str())))
        .collect();
    let assigned = fleet::assign(&units, shards);
    plan.units = units
        .iter()
        .zip(assigned)
        .map(|(&(account, region), index)| PlannedUnit {
            account: account.to_owned(),
            region: region.to_owned(),
            shard: Shard { index, count: shards }.to_string(),
        })
        .collect();
    Ok(plan)
}

/// The sources of no account or region: config files, Compose files, manifests.
fn collect_local(config: &Config, env: &Environment, redactor: &Redactor, snapshot: &mut Snapshot) {
    let gateway = config.gateway();
    let cx = source::Context {
        gateway: &gateway,
        base_dir: &config.base_dir,
        env,
        redactor,
    };
    for source in source::LOCAL.iter().filter(|s| s.configured(env)) {
        let (result, empty) = match source.collect(&cx) {
            Ok(found) => {
                let unaudited = unaudited(source.provider(), None, None, found.unaudited);
                snapshot.unaudited.extend(unaudited);
                (Ok(found.resources), found.empty)
            }
            Err(e) => (Err(e), Vec::new()),
        };
        Collected::local(*source, empty, result).record(snapshot);
    }
}

/// The environment's accounts (one, or an organisation's), then every unit of them the shard collects: each
/// account's regions, concurrently, at most `collect.concurrency` (service, account, region) at once in all.
async fn collect_aws(
    session: &aws::Session,
    shared: aws::Shared<'_>,
    options: &Options,
    snapshot: &mut Snapshot,
) {
    let env = shared.env;
    let settings = shared.settings;
    let accounts = match accounts(session, shared).await {
        Ok(accounts) => accounts,
        Err(error) => {
            // A part that knows no account still says it is a part, so that merging sees the split.
            snapshot.fleet = Some(Fleet {
                tags: env.tags.clone(),
                accounts: Vec::new(),
                regions: session.regions.clone(),
                shard: options.shard,
            });
            // Every shard records it: no shard knows which units it had. Merging makes the shards' copies one.
            match &env.organization {
                // The accounts are unknown, so is every kind of every configured service.
                Some(_) => snapshot.gaps.push(Gap {
                    provider: "aws".into(),
                    service: aws::organizations::SERVICE.into(),
                    account: None,
                    region: None,
                    kinds: settings
                        .services
                        .iter()
                        .flat_map(|s| CATALOGUE.kinds_of("aws", s.name()))
                        .map(str::to_owned)
                        .collect(),
                    error: error.to_string(),
                }),
                None => {
                    let regions: Vec<&String> = session.regions.iter().collect();
                    unknown_units(None, &regions, settings, &error, snapshot);
                }
            }
            return;
        }
    };
    snapshot.fleet = Some(Fleet {
        tags: env.tags.clone(),
        accounts: accounts.clone(),
        regions: session.regions.clone(),
        shard: options.shard,
    });
    let permits = Semaphore::new(settings.concurrency);
    // The units this collection reads, of every (account, region) of the environment.
    let units: Vec<(&str, &str)> = accounts
        .iter()
        .flat_map(|a| session.regions.iter().map(move |r| (a.id.as_str(), r.as_str())))
        .collect();
    let ours: std::collections::BTreeSet<(&str, &str)> = units
        .iter()
        .zip(fleet::collected_by(options.shard, &units))
        .filter_map(|(unit, ours)| ours.then_some(*unit))
        .collect();
    let parts = accounts.iter().filter_map(|account| {
        let regions: Vec<&String> = session
            .regions
            .iter()
            .filter(|r| ours.contains(&(account.id.as_str(), r.as_str())))
            .collect();
        (!regions.is_empty()).then(|| {
            let permits = &permits;
            async move {
                let mut part = Snapshot::new(&env.name, "");
                let assumed;
                let account_session = match &env.organization {
                    None => Ok(session),
                    Some(organization) => {
                        let _permit = permits.acquire().await.expect("the semaphore is never closed");
                        assumed = session.assume(&account.id, &organization.role_name, env).await;
                        assumed.as_ref()
                    }
                };
                match account_session {
                    Ok(account_session) => {
                        collect_account(
                            account_session,
                            &account.id,
                            &regions,
                            shared,
                            options,
                            permits,
                            &mut part,
                        )
                        .await
                    }
                    // Every unit of the account is unknown, the account named.
                    Err(error) => unknown_units(Some(&account.id), &regions, settings, error, &mut part),
                }
                part
            }
        })
    });
    for part in join_all(parts).await {
        snapshot.sources.extend(part.sources);
        snapshot.gaps.extend(part.gaps);
        snapshot.resources.extend(part.resources);
        snapshot.unaudited.extend(part.unaudited);
    }
}

/// Every configured service of the regions of an account (or of an unknown account) as a gap: the account could not
/// be reached.
fn unknown_units(
    account: Option<&str>,
    regions: &[&String],
    settings: &config::CollectSettings,
    error: &CollectError,
    snapshot: &mut Snapshot,
) {
    for region in regions {
        for &service in &settings.services {
            aws_collected(service, account, region, 0, Vec::new(), Err(error.clone())).record(snapshot);
        }
    }
}

/// The environment's accounts: the credentials' one, or those discovery finds in the organisation. An empty
/// organisation is an error: most likely a wrong unit or tag, and no verdict may rest on it.
async fn accounts(
    session: &aws::Session,
    shared: aws::Shared<'_>,
) -> Result<Vec<FleetAccount>, CollectError> {
    let env = shared.env;
    match &env.organization {
        None => session.account.clone().map(|id| {
            vec![FleetAccount {
                id,
                name: None,
                organizational_unit: None,
            }]
        }),
        Some(organization) => {
            let (accounts, api_calls) = aws::organizations::discover(session, organization, shared).await;
            tracing::info!(environment = %env.name, api_calls, "discovered the organisation's accounts");
            accounts.and_then(|accounts| match accounts.is_empty() {
                false => Ok(accounts),
                true => Err(CollectError {
                    code: None,
                    message: format!(
                        "no active account of the organisation is in {}{}",
                        match organization.units.is_empty() {
                            true => "the organisation".to_owned(),
                            false => organization.units.join(", "),
                        },
                        match organization.account_tags.is_empty() {
                            true => String::new(),
                            false => format!(" with the tags {:?}", organization.account_tags),
                        }
                    ),
                }),
            })
        }
    }
}

/// Every configured service in the given regions of one account, concurrently but within `permits`.
async fn collect_account(
    session: &aws::Session,
    account: &str,
    regions: &[&String],
    shared: aws::Shared<'_>,
    options: &Options,
    permits: &Semaphore,
    snapshot: &mut Snapshot,
) {
    let (env, settings) = (shared.env, shared.settings);
    let timeout = Duration::from_secs(settings.service_timeout_secs);
    let work: Vec<(Service, &String)> = regions
        .iter()
        .flat_map(|&region| settings.services.iter().map(move |&service| (service, region)))
        .collect();
    let region_tags: std::collections::HashMap<&String, aws::RegionTags> =
        regions.iter().map(|&r| (r, Default::default())).collect();
    let region_tags = &region_tags;
    let context = |region: &String, service: &'static str| {
        aws::RegionContext::new(
            shared,
            session,
            account,
            region,
            region_tags[region].clone(),
            service,
        )
    };
    let jobs = work.into_iter().map(|(service, region)| async move {
        let _permit = permits.acquire().await.expect("the semaphore is never closed");
        let ctx = context(region, service.name());
        let result = within(timeout, service.name(), aws::collect(service, &ctx)).await;
        if let Some(progress) = &options.progress {
            progress(Progress {
                environment: &env.name,
                service,
                region,
                resources: result.as_ref().ok().map(Vec::len),
            });
        }
        (service, region, ctx.api_calls(), ctx.empty_scopes(), result)
    });
    let audited: BTreeSet<&str> = settings
        .services
        .iter()
        .flat_map(|s| CATALOGUE.kinds_of("aws", s.name()))
        .filter_map(|k| CATALOGUE.kind(k))
        .flat_map(|k| k.tagging_types.iter().copied())
        .collect();
    let audited = &audited;
    let regions = if settings.coverage { regions } else { &[] };
    let coverage = regions.iter().map(|&region| async move {
        let _permit = permits.acquire().await.expect("the semaphore is never closed");
        let ctx = context(region, COVERAGE_SERVICE);
        (
            region,
            within(timeout, COVERAGE_SERVICE, aws::unaudited(&ctx, audited)).await,
        )
    });
    let (collected, coverage) = tokio::join!(join_all(jobs), join_all(coverage));
    for (region, result) in coverage {
        // The one read of the region's tags, shared with the services that need tags, is this source's: counted
        // once every job is done, whichever job read them.
        let api_calls = region_tags[region].api_calls();
        let (account, region) = (Some(account.to_owned()), Some(region.clone()));
        match result {
            Ok(counts) => {
                // A source of no resources of its own: it records that the question was asked.
                snapshot.sources.push(Source {
                    provider: "aws".into(),
                    service: COVERAGE_SERVICE.into(),
                    account: account.clone(),
                    region: region.clone(),
                    status: SourceStatus::Complete,
                    resources: 0,
                    api_calls,
                    empty: Vec::new(),
                    by_default: false,
                });
                snapshot
                    .unaudited
                    .extend(unaudited("aws", account, region, counts));
            }
            // What was not audited is unknown: a gap, which leaves no kind unknown.
            Err(error) => snapshot.gaps.push(Gap {
                provider: "aws".into(),
                service: COVERAGE_SERVICE.into(),
                account,
                region,
                kinds: Vec::new(),
                error: error.to_string(),
            }),
        }
    }
    for (service, region, api_calls, empty, result) in collected {
        match &result {
            Ok(resources) => tracing::info!(
                environment = %env.name, service = service.name(), %region, resources = resources.len(), api_calls,
                "collected"
            ),
            // Said once, by the summary (`NOT COLLECTED`); the log line is for -v, through the egress check as the
            // gap will be.
            Err(error) => {
                let error = shared.redactor.scrub_text(&error.to_string()).into_owned();
                tracing::info!(environment = %env.name, service = service.name(), %region, %error, "gap")
            }
        }
        let result = result.map(|resources| belonging_to(env, resources));
        let mut unit = aws_collected(service, Some(account), region, api_calls, empty, result);
        unit.by_default = !settings.services_named;
        unit.record(snapshot);
    }
}

/// A YAML or JSON scalar as the text a file meant: strings bare, null as nothing, numbers and booleans as written.
fn scalar_text(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Counts by type of what no collector reads, as the snapshot records them.
fn unaudited(
    provider: &str,
    account: Option<String>,
    region: Option<String>,
    counts: std::collections::BTreeMap<String, u64>,
) -> impl Iterator<Item = Unaudited> {
    let provider = provider.to_owned();
    counts.into_iter().map(move |(resource_type, count)| Unaudited {
        provider: provider.clone(),
        account: account.clone(),
        region: region.clone(),
        resource_type,
        count,
    })
}

/// A unit of collection, or a `Timeout` gap naming `what` when it takes longer than `timeout`.
async fn within<T>(
    timeout: Duration,
    what: &str,
    work: impl std::future::Future<Output = Result<T, CollectError>>,
) -> Result<T, CollectError> {
    tokio::time::timeout(timeout, work).await.unwrap_or_else(|_| {
        Err(CollectError {
            code: Some("Timeout".into()),
            message: format!("{what} did not finish within {}s", timeout.as_secs()),
        })
    })
}

/// One (service, account, region) of AWS, collected or not.
fn aws_collected(
    service: Service,
    account: Option<&str>,
    region: &str,
    api_calls: u64,
    empty: Vec<String>,
    result: Result<Vec<Resource>, CollectError>,
) -> Collected {
    Collected {
        provider: "aws",
        service: service.name(),
        account: account.map(str::to_owned),
        region: Some(region.to_owned()),
        api_calls,
        empty,
        by_default: false,
        kinds: CATALOGUE.kinds_of("aws", service.name()),
        result,
    }
}

/// Untagged kinds that a tagged resource uses by reference: (the users' kinds, the attribute naming the used
/// resource by logical key, the used kinds).
const USED_BY: &[(&[&str], &str, &[&str])] = &[
    (
        &["aws.rds.instance", "aws.rds.cluster"],
        "parameter_group",
        &["aws.rds.parameter_group", "aws.rds.cluster_parameter_group"],
    ),
    (
        &["aws.ecs.service"],
        "task_definition",
        &["aws.ecs.task_definition"],
    ),
];

/// With a tag filter (environments sharing an account), keeps the tagged resources that carry every filter tag,
/// and the untagged resources that a kept one uses ([`USED_BY`]: parameter groups, task definitions). Other
/// untagged kinds (SSM paths, files) are chosen by path.
fn belonging_to(env: &Environment, resources: Vec<Resource>) -> Vec<Resource> {
    if env.tags.is_empty() {
        return resources;
    }
    let mut kept: Vec<Resource> = resources
        .into_iter()
        .filter(|r| {
            CATALOGUE.kind(&r.kind).is_some_and(|k| !k.tagged)
                || env.tags.iter().all(|(k, v)| r.tags.get(k) == Some(v))
        })
        .collect();
    for (users, attribute, used_kinds) in USED_BY {
        let used: BTreeSet<String> = kept
            .iter()
            .filter(|r| users.contains(&r.kind.as_str()))
            .filter_map(|r| r.attributes.parse().get(*attribute)?.as_str().map(str::to_owned))
            .collect();
        let tokens = &env.tokens;
        kept.retain(|r| {
            !used_kinds.contains(&r.kind.as_str())
                || used.contains(&envparity_model::keys::derive_key(r.label(), tokens))
        });
    }
    kept
}

/// Now, to the second, in RFC 3339 UTC.
fn now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
