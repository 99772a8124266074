//! AWS collectors: one module per service, each reading one (account, region) fully or not at all.
//!
//! Every list call is paginated to the end with the largest page size the API allows; a failure on any page
//! fails the whole (service, region), which the caller records as a gap: no half-collected lists.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::future::LocalBoxFuture;
use serde_json::Value;

use super::CollectError;
use super::config::{CollectSettings, Environment, RetryMode};
use super::secrets::Redactor;
use envparity_model::diagnostic::error_chain;
use envparity_model::keys::{KeyRule, derive_key};
use envparity_model::snapshot::{Attributes, Resource};
use serde::Serialize;

/// A service's client on the region's configuration, its retries cut short once the endpoint stops answering
/// (see [`EndpointBreaker`]): `client!(aws_sdk_sqs, ctx)`.
macro_rules! client {
    ($sdk:ident, $ctx:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from(&$ctx.sdk)
                .retry_classifier($ctx.breaker.clone())
                .build(),
        )
    };
}

/// Declares the service modules and the registry that lists them: adding a service is its file (its `KINDS` and
/// its `collect` function) plus its name here, which is also its name in `envparity.toml` and snapshots.
macro_rules! services {
    ($($service:ident),* $(,)?) => {
        $(pub(super) mod $service;)*

        /// Every AWS service envparity reads, in the order `envparity.toml` lists them by default.
        pub const SERVICES: &[Service] = &[$(Service(&Collector {
            name: stringify!($service),
            collect: |ctx| Box::pin($service::collect(ctx)),
        })),*];
    };
}

services!(
    autoscaling,
    dynamodb,
    ec2,
    ecs,
    eks,
    elasticache,
    elbv2,
    lambda,
    rds,
    s3,
    secretsmanager,
    sns,
    sqs,
    ssm,
);

pub mod organizations;
mod pacing;
mod tagging;
pub use pacing::{Pacing, RATE_LIMITS, RateLimit};
pub use tagging::unaudited;

/// One AWS service's collector: its name in snapshots and `envparity.toml`, and how it reads one (account,
/// region) completely or fails.
pub struct Collector {
    pub name: &'static str,
    pub collect: CollectFn,
}

/// How a service reads one (account, region): its resources, or why not.
pub type CollectFn =
    for<'c> fn(&'c RegionContext<'c>) -> LocalBoxFuture<'c, Result<Vec<Resource>, CollectError>>;

/// An AWS service envparity reads: a handle on its collector, compared by name.
#[derive(Clone, Copy)]
pub struct Service(&'static Collector);

impl Service {
    /// The name used in snapshots and in `envparity.toml`.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    pub fn parse(name: &str) -> Option<Service> {
        SERVICES.iter().copied().find(|s| s.name() == name)
    }
}

impl PartialEq for Service {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Service {}

impl std::hash::Hash for Service {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl PartialOrd for Service {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Service {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.name().cmp(other.name())
    }
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Failed connections in a row, across every call of an environment, after which none is retried.
const TRIP_AFTER: u32 = 6;

/// Trips when an environment's endpoint stops answering: once [`TRIP_AFTER`] attempts in a row, over all of the
/// environment's calls, failed to connect or timed out, no failed attempt is retried any more. Every remaining
/// (service, region) then becomes a gap within seconds, instead of each waiting out its own full round of
/// retries (a minute with the default `max_attempts`). Any answer from the endpoint, even an error, resets it.
#[derive(Debug, Clone, Default)]
pub struct EndpointBreaker(std::sync::Arc<std::sync::atomic::AtomicU32>);

impl ClassifyRetry for EndpointBreaker {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(e))
                if e.as_connector_error()
                    .is_some_and(|c| c.is_io() || c.is_timeout()) =>
            {
                match self.0.fetch_add(1, Ordering::Relaxed) + 1 >= TRIP_AFTER {
                    true => RetryAction::RetryForbidden,
                    false => RetryAction::NoActionIndicated,
                }
            }
            Some(_) => {
                self.0.store(0, Ordering::Relaxed);
                RetryAction::NoActionIndicated
            }
            None => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "envparity endpoint breaker"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// Credentials, account and regions of one environment, resolved once.
pub struct Session {
    base: SdkConfig,
    /// The one HTTPS client (and its connection pool) of every call.
    http: SharedHttpClient,
    breaker: EndpointBreaker,
    /// The account the credentials belong to, or why it could not be learned.
    pub account: Result<String, CollectError>,
    pub regions: Vec<String>,
}

/// Why an environment could not be reached at all (bad profile, no credentials, no region).
#[derive(Debug, thiserror::Error)]
#[error("environment {environment}: {message}")]
pub struct ConnectError {
    pub environment: String,
    pub message: String,
}

/// Attempts at the first call, which tells whether the endpoint answers at all.
const PROBE_ATTEMPTS: u32 = 2;

/// Checks that a profile is defined in the AWS shared config or credentials file, before anything is asked of
/// AWS: a misspelled profile gets a did-you-mean, not a chain of credential providers' errors. The files are
/// read by aws-config's own profile loader, as the SDK reads them.
async fn known_profile(profile: &str) -> Result<(), String> {
    let (fs, env) = (
        aws_types::os_shim_internal::Fs::real(),
        aws_types::os_shim_internal::Env::real(),
    );
    // The default files, or those AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name.
    let mut names: Vec<String> = match aws_config::profile::load(&fs, &env, &Default::default(), None).await {
        Ok(set) => set.profiles().map(str::to_owned).collect(),
        Err(e) => return Err(format!("the AWS config or credentials file cannot be read: {e}")),
    };
    if names.iter().any(|n| n == profile) {
        return Ok(());
    }
    let home = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    let file = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| home.join(".aws").join(default))
    };
    names.sort();
    let all: Vec<&str> = names.iter().map(String::as_str).collect();
    let suggestion = envparity_model::diagnostic::closest(profile, &all)
        .map(|n| format!(" (did you mean {n:?}?)"))
        .unwrap_or_default();
    Err(format!(
        "the AWS profile {profile:?} is defined neither in {} nor in {}{suggestion}; defined: {}",
        file("AWS_CONFIG_FILE", "config").display(),
        file("AWS_SHARED_CREDENTIALS_FILE", "credentials").display(),
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    ))
}

impl Session {
    /// Loads the SDK configuration (profile, role, endpoint, retries, timeouts) and asks STS for the account.
    pub async fn connect(env: &Environment, settings: &CollectSettings) -> Result<Session, ConnectError> {
        let fail = |message: String| ConnectError {
            environment: env.name.clone(),
            message,
        };
        let retry = match settings.retry_mode {
            RetryMode::Standard => RetryConfig::standard(),
            RetryMode::Adaptive => RetryConfig::adaptive(),
        }
        .with_max_attempts(settings.max_attempts);
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(settings.connect_timeout_secs))
            .read_timeout(Duration::from_secs(settings.read_timeout_secs))
            .operation_attempt_timeout(Duration::from_secs(settings.attempt_timeout_secs))
            .build();
        if let Some(profile) = &env.profile {
            known_profile(profile).await.map_err(fail)?;
        }
        let http = crate::https::client();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http.clone())
            .retry_config(retry)
            .timeout_config(timeouts);
        if let Some(profile) = &env.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &env.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(region) = env.regions.first() {
            loader = loader.region(Region::new(region.clone()));
        }
        let mut base = loader.load().await;

        if let Some(role_arn) = &env.role_arn {
            let provider = assumed_credentials(&base, role_arn, env.external_id.as_deref()).await;
            base = base
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build();
        }

        let regions = if env.regions.is_empty() {
            match base.region() {
                Some(r) => vec![r.to_string()],
                None => {
                    return Err(fail(
                        "no region: set `regions` in envparity.toml or a region in the AWS profile".into(),
                    ));
                }
            }
        } else {
            env.regions.clone()
        };

        let hint = match &env.profile {
            Some(p) => format!("check the AWS profile {p:?} in the shared config and credentials files"),
            None => "set credentials in the environment, a profile, or a role".to_owned(),
        };
        let credentials = base
            .credentials_provider()
            .ok_or_else(|| fail(format!("no AWS credentials: {hint}")))?;
        let credentials = Primed::prime(credentials)
            .await
            .map_err(|e| fail(format!("no usable AWS credentials: {}; {hint}", error_chain(&e))))?;
        let base = base.into_builder().credentials_provider(credentials).build();
        // Credentials are there; an account that cannot be asked for (endpoint unreachable, throttled past
        // retries, unknown region) leaves the whole environment unknown, not the invocation wrong.
        // Asked with few attempts: an endpoint that cannot answer this is down, and every service becomes a gap
        // in seconds, not after a full round of retries.
        let sts = aws_sdk_sts::Client::new(&base);
        let probe = aws_sdk_sts::config::Builder::default().retry_config(
            RetryConfig::standard().with_max_attempts(settings.max_attempts.min(PROBE_ATTEMPTS)),
        );
        let account = match sts
            .get_caller_identity()
            .customize()
            .config_override(probe)
            .send()
            .await
        {
            Ok(identity) => Ok(identity.account().unwrap_or_default().to_owned()),
            Err(e) => Err(sdk_error("GetCallerIdentity", env.endpoint_url.as_deref(), e)),
        };
        Ok(Session {
            base,
            http,
            breaker: EndpointBreaker::default(),
            account,
            regions,
        })
    }

    /// The same regions in another account of the organisation, through `role_name` there (with the environment's
    /// external id): `Err` naming the role when it cannot be assumed.
    pub async fn assume(
        &self,
        account: &str,
        role_name: &str,
        env: &Environment,
    ) -> Result<Session, CollectError> {
        let partition = match self.regions.first().map(String::as_str) {
            Some(r) if r.starts_with("cn-") => "aws-cn",
            Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
            _ => "aws",
        };
        let role_arn = format!("arn:{partition}:iam::{account}:role/{role_name}");
        let provider = assumed_credentials(&self.base, &role_arn, env.external_id.as_deref()).await;
        // The role's credentials are asked for now: a denied AssumeRole is this account's gap, said once.
        let credentials = Primed::prime(SharedCredentialsProvider::new(provider))
            .await
            .map_err(|e| CollectError {
                code: Some("AssumeRole".into()),
                message: format!("cannot assume {role_arn}: {}", error_chain(&e)),
            })?;
        Ok(Session {
            base: self.base.to_builder().credentials_provider(credentials).build(),
            http: self.http.clone(),
            breaker: self.breaker.clone(),
            account: Ok(account.to_owned()),
            regions: self.regions.clone(),
        })
    }

    /// The SDK configuration for one region, its calls held to `bucket`'s rate.
    pub fn region_config(&self, region: &str, bucket: Option<pacing::Bucket>) -> SdkConfig {
        let config = self
            .base
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build();
        pacing::paced(config, bucket, &self.http)
    }
}

/// A credentials provider whose first answer was asked for ahead of any call, to fail early and clearly: the SDK
/// is handed that answer first, so it is not asked for twice (one AssumeRole per role, not two), then the provider
/// as the credentials expire.
#[derive(Debug)]
struct Primed {
    first: std::sync::Mutex<Option<aws_credential_types::Credentials>>,
    provider: SharedCredentialsProvider,
}

impl Primed {
    async fn prime(
        provider: SharedCredentialsProvider,
    ) -> Result<SharedCredentialsProvider, aws_credential_types::provider::error::CredentialsError> {
        let first = provider.provide_credentials().await?;
        Ok(SharedCredentialsProvider::new(Primed {
            first: std::sync::Mutex::new(Some(first)),
            provider,
        }))
    }
}

impl ProvideCredentials for Primed {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        match self.first.lock().expect("never poisoned").take() {
            Some(first) => aws_credential_types::provider::future::ProvideCredentials::ready(Ok(first)),
            None => self.provider.provide_credentials(),
        }
    }
}

/// Credentials of `role_arn`, assumed with `base`'s, refreshed as they expire.
async fn assumed_credentials(
    base: &SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
) -> aws_config::sts::AssumeRoleProvider {
    let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn).session_name("envparity");
    if let Some(external_id) = external_id {
        builder = builder.external_id(external_id);
    }
    builder.configure(base).build().await
}

/// The tags of every tagged resource of one (account, region), by ARN: read once, for every service of the
/// region that has no batch call for its tags (see [`RegionContext::tags_by_arn`]).
pub type RegionTags = std::sync::Arc<SharedTags>;

/// The region's tags, once read, and the calls reading them took (reported with the `tagging` source, not with
/// whichever service happened to ask first: snapshots stay deterministic).
#[derive(Debug, Default)]
pub struct SharedTags {
    tags: tokio::sync::OnceCell<Result<TagsByArn, CollectError>>,
    calls: AtomicU64,
}

impl SharedTags {
    /// How many calls reading the region's tags took.
    pub fn api_calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

/// Tags by resource ARN.
pub type TagsByArn = std::collections::HashMap<String, BTreeMap<String, String>>;

/// What every collection job of one environment shares.
#[derive(Clone, Copy)]
pub struct Shared<'a> {
    pub env: &'a Environment,
    pub settings: &'a CollectSettings,
    pub redactor: &'a Redactor,
    pub pacing: &'a Pacing,
}

/// What a collector needs for one (account, region, service).
pub struct RegionContext<'a> {
    pub sdk: SdkConfig,
    pub region: String,
    pub account: String,
    pub env: &'a Environment,
    pub settings: &'a CollectSettings,
    /// Keys for references (launch templates, target groups, parameter groups, security groups).
    pub keys: KeyRule,
    /// Whether resource tags must be read even where that costs extra calls (tag filter or key tag).
    pub needs_tags: bool,
    pub redactor: &'a Redactor,
    /// Shared by every call of the environment.
    pub breaker: EndpointBreaker,
    /// Shared by the services of the region.
    region_tags: RegionTags,
    pacing: &'a Pacing,
    /// The HTTP client every paced client wraps.
    http: SharedHttpClient,
    calls: AtomicU64,
    /// The configured scopes (SSM paths) that held nothing.
    empty: std::sync::Mutex<Vec<String>>,
}

impl<'a> RegionContext<'a> {
    pub fn new(
        shared: Shared<'a>,
        session: &Session,
        account: &str,
        region: &str,
        region_tags: RegionTags,
        service: &'static str,
    ) -> Self {
        let env = shared.env;
        RegionContext {
            sdk: session.region_config(region, shared.pacing.bucket(account, region, service)),
            region: region.to_owned(),
            account: account.to_owned(),
            env,
            settings: shared.settings,
            keys: KeyRule {
                key_tag: None,
                tokens: env.tokens.clone(),
                rekey: false,
            },
            needs_tags: !env.tags.is_empty() || env.key_tag.is_some(),
            redactor: shared.redactor,
            breaker: session.breaker.clone(),
            region_tags,
            pacing: shared.pacing,
            http: session.http.clone(),
            calls: AtomicU64::new(0),
            empty: Default::default(),
        }
    }

    /// The same (account, region) for another service's calls, with its own rate limit and call count.
    fn for_service(&self, service: &'static str) -> RegionContext<'a> {
        let bucket = self.pacing.bucket(&self.account, &self.region, service);
        RegionContext {
            sdk: pacing::paced(self.sdk.clone(), bucket, &self.http),
            region: self.region.clone(),
            account: self.account.clone(),
            env: self.env,
            settings: self.settings,
            keys: self.keys.clone(),
            needs_tags: self.needs_tags,
            redactor: self.redactor,
            breaker: self.breaker.clone(),
            region_tags: self.region_tags.clone(),
            pacing: self.pacing,
            http: self.http.clone(),
            calls: AtomicU64::new(0),
            empty: Default::default(),
        }
    }

    /// Counts one API call (one page).
    fn call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// How many API calls (pages) the collection made.
    pub fn api_calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// The tags of the region's tagged resources by ARN, from the Resource Groups Tagging API a hundred at a time,
    /// read by the first service that asks: for services whose own APIs read tags one resource at a time. A
    /// resource the API does not list has no tags.
    async fn tags_by_arn(&self) -> Result<&TagsByArn, CollectError> {
        let shared = &self.region_tags;
        let read = async {
            let tagging = self.for_service(envparity_model::snapshot::COVERAGE_SERVICE);
            let tags = tagging::tags_by_arn(&tagging).await;
            shared.calls.fetch_add(tagging.api_calls(), Ordering::Relaxed);
            tags
        };
        shared
            .tags
            .get_or_init(|| read)
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// [`RegionContext::tags_by_arn`] when a tag filter or key tag needs tags, else `None`.
    async fn tags_if_needed(&self) -> Result<Option<&TagsByArn>, CollectError> {
        match self.needs_tags {
            true => self.tags_by_arn().await.map(Some),
            false => Ok(None),
        }
    }

    /// Notes a configured scope (an SSM path) under which nothing was found: the snapshot records it.
    fn found_nothing_in(&self, scope: &str) {
        self.empty.lock().expect("never poisoned").push(scope.to_owned());
    }

    /// The configured scopes under which nothing was found.
    pub fn empty_scopes(&self) -> Vec<String> {
        self.empty.lock().expect("never poisoned").clone()
    }

    /// The logical key a reference by name resolves to.
    fn key_of_name(&self, name: &str) -> String {
        derive_key(name, &self.keys.tokens)
    }

    /// A resource of this account and region with the endpoints other resources reach it by.
    fn reachable_resource<'i>(
        &self,
        kind: &str,
        name: &str,
        id: Option<&str>,
        tags: BTreeMap<String, String>,
        attributes: impl Serialize,
        identifiers: impl IntoIterator<Item = Option<&'i str>>,
    ) -> Resource {
        let mut identifiers: Vec<String> = identifiers
            .into_iter()
            .flatten()
            .filter(|i| !i.is_empty())
            .map(str::to_owned)
            .collect();
        identifiers.sort();
        identifiers.dedup();
        Resource {
            identifiers,
            ..self.resource(kind, name, id, tags, attributes)
        }
    }

    /// A resource of this account and region.
    fn resource(
        &self,
        kind: &str,
        name: &str,
        id: Option<&str>,
        tags: BTreeMap<String, String>,
        attributes: impl Serialize,
    ) -> Resource {
        Resource {
            kind: kind.to_owned(),
            key: None,
            name: Some(name.to_owned()),
            id: id.map(str::to_owned),
            account: Some(self.account.clone()),
            region: Some(self.region.clone()),
            tags: tags.into(),
            identifiers: Vec::new(),
            attributes: Attributes::of(&attributes),
        }
    }

    /// Sends one call and counts it; its error becomes a [`CollectError`] naming the operation.
    async fn send<O, E, R>(
        &self,
        operation: &'static str,
        call: impl std::future::Future<Output = Result<O, SdkError<E, R>>>,
    ) -> Result<O, CollectError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + 'static,
    {
        self.call();
        tracing::debug!(region = %self.region, operation, "call");
        call.await
            .map_err(|e| sdk_error(operation, self.env.endpoint_url.as_deref(), e))
    }

    /// Sends one call whose errors with one of the `absent` codes mean "not configured" (S3's
    /// NoSuchLifecycleConfiguration): `None` then, a [`CollectError`] for any other error.
    async fn send_unless<O, E, R>(
        &self,
        operation: &'static str,
        absent: &[&str],
        call: impl std::future::Future<Output = Result<O, SdkError<E, R>>>,
    ) -> Result<Option<O>, CollectError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + 'static,
    {
        self.call();
        tracing::debug!(region = %self.region, operation, "call");
        match call.await {
            Ok(output) => Ok(Some(output)),
            Err(e) if e.code().is_some_and(|c| absent.contains(&c)) => Ok(None),
            Err(e) => Err(sdk_error(operation, self.env.endpoint_url.as_deref(), e)),
        }
    }

    /// Reads every page of a paginated call; any failed page fails the whole list.
    async fn pages<O, E, R>(
        &self,
        operation: &'static str,
        mut stream: PaginationStream<Result<O, SdkError<E, R>>>,
    ) -> Result<Vec<O>, CollectError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + 'static,
    {
        let mut pages = Vec::new();
        while let Some(page) = stream.next().await {
            self.call();
            tracing::debug!(region = %self.region, operation, page = pages.len() + 1, "page");
            pages.push(page.map_err(|e| sdk_error(operation, self.env.endpoint_url.as_deref(), e))?);
        }
        Ok(pages)
    }
}

/// Runs `call` for every item, a bounded number at a time, keeping the items' order. The first failure fails
/// them all: no half-collected lists.
async fn each<'i, T, O, F, Fut>(
    ctx: &RegionContext<'_>,
    items: &'i [T],
    call: F,
) -> Result<Vec<O>, CollectError>
where
    F: FnMut(&'i T) -> Fut,
    Fut: std::future::Future<Output = Result<O, CollectError>>,
{
    use futures::{StreamExt, TryStreamExt};
    futures::stream::iter(items)
        .map(call)
        .buffered(ctx.settings.calls_per_service)
        .try_collect()
        .await
}

/// Keeps the AWS error code (AccessDenied, Throttling) and the message; an answer that never came names the
/// configured endpoint it was asked of (`endpoint`), since that is what to check.
fn sdk_error<E, R>(operation: &str, endpoint: Option<&str>, err: SdkError<E, R>) -> CollectError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    let code = err.code().map(str::to_owned);
    let unanswered = matches!(err, SdkError::DispatchFailure(_) | SdkError::TimeoutError(_));
    let message = match (err.message(), endpoint) {
        (_, Some(url)) if unanswered => format!("{operation}: {url} did not answer: {}", error_chain(&err)),
        (Some(m), _) => format!("{operation}: {m}"),
        (None, _) => format!("{operation}: {}", error_chain(&err)),
    };
    CollectError { code, message }
}

/// Runs one service's collector for one region.
pub async fn collect(service: Service, ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    (service.0.collect)(ctx).await
}

/// One resource's tags from [`RegionContext::tags_if_needed`]: none when not needed or not tagged.
fn tags_of(tags: Option<&TagsByArn>, arn: Option<&str>) -> BTreeMap<String, String> {
    tags.zip(arn)
        .and_then(|(tags, arn)| tags.get(arn))
        .cloned()
        .unwrap_or_default()
}

/// AWS tags as a sorted map.
fn tag_map<'t>(
    pairs: impl IntoIterator<Item = (Option<&'t str>, Option<&'t str>)>,
) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| Some((k?.to_owned(), v.unwrap_or_default().to_owned())))
        .collect()
}

/// An ARN's service and resource parts: `arn:aws:sqs:eu-west-1:1:jobs` gives `("sqs", "jobs")`; `None` for
/// what is not an ARN.
fn split_arn(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some("arn"), Some(_), Some(service), Some(_), Some(_), Some(resource)) => Some((service, resource)),
        _ => None,
    }
}

/// The service and the resource's own name of an ARN: `arn:aws:sqs:eu-west-1:1:jobs` gives `("sqs", "jobs")`,
/// `arn:aws:lambda:eu-west-1:1:function:worker` gives `("lambda", "worker")`.
pub(crate) fn service_and_name(arn: &str) -> Option<(&str, &str)> {
    let (service, resource) = split_arn(arn)?;
    Some((service, resource.rsplit([':', '/']).next().unwrap_or(resource)))
}

/// The name part of an ARN such as `arn:aws:elasticloadbalancing:...:targetgroup/NAME/ID`.
pub(crate) fn name_in_arn(arn: &str) -> &str {
    let resource = arn.rsplit(':').next().unwrap_or(arn);
    let mut parts = resource.split('/');
    match (parts.next(), parts.next()) {
        (Some(_), Some(name)) => name,
        _ => resource,
    }
}

/// Attributes AWS returns as strings, typed: "true" becomes true, "60" becomes 60.
fn typed(value: &str) -> Value {
    match value {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => match value.parse::<i64>() {
            Ok(n) if n.to_string() == value => Value::from(n),
            _ => Value::String(value.to_owned()),
        },
    }
}

/// A sorted, de-duplicated list of strings.
pub(crate) fn string_set<I: IntoIterator<Item = String>>(items: I) -> Vec<String> {
    let mut v: Vec<String> = items.into_iter().collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_names() {
        assert_eq!(
            name_in_arn(
                "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/shop-web-prod-tg/73e2d6bc24d8a067"
            ),
            "shop-web-prod-tg"
        );
        assert_eq!(name_in_arn("arn:aws:rds:eu-west-1:1:db:orders-db"), "orders-db");
    }

    #[test]
    fn typed_attributes() {
        assert_eq!(typed("true"), Value::Bool(true));
        assert_eq!(typed("60"), Value::from(60));
        assert_eq!(typed("007"), Value::from("007"));
        assert_eq!(typed("lb_cookie"), Value::from("lb_cookie"));
    }
}
