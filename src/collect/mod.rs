//! Collection: live environments into snapshots.
//!
//! One collector per AWS service ([`aws`]) and one for config files ([`files`]). Each (service, account, region)
//! is read completely or recorded as a gap with its error: unknown is never absent.

mod aws;
pub mod config;
mod files;
pub mod secrets;

use std::collections::BTreeSet;
use std::time::Duration;

use futures::future::join_all;
use tokio::sync::Semaphore;

pub use aws::ConnectError;
use config::{Config, Environment};

use crate::matching::KeyRule;
use crate::snapshot::{Gap, Resource, Snapshot, Source, SourceStatus};

/// The AWS services envparity reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    AutoScaling,
    Ec2,
    ElastiCache,
    Elbv2,
    Rds,
    Ssm,
}

impl Service {
    pub const ALL: [Service; 6] = [
        Service::AutoScaling,
        Service::Ec2,
        Service::ElastiCache,
        Service::Elbv2,
        Service::Rds,
        Service::Ssm,
    ];

    /// The name used in snapshots and in `envparity.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Service::AutoScaling => "autoscaling",
            Service::Ec2 => "ec2",
            Service::ElastiCache => "elasticache",
            Service::Elbv2 => "elbv2",
            Service::Rds => "rds",
            Service::Ssm => "ssm",
        }
    }

    pub fn parse(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The kinds this service's collector produces: the kinds a gap in it leaves unknown.
    pub fn kinds(self) -> &'static [&'static str] {
        match self {
            Service::AutoScaling => &["aws.autoscaling.group"],
            Service::Ec2 => &["aws.ec2.instance", "aws.ec2.launch_template"],
            Service::ElastiCache => &["aws.elasticache.replication_group"],
            Service::Elbv2 => &["aws.elbv2.load_balancer", "aws.elbv2.target_group"],
            Service::Rds => &["aws.rds.cluster", "aws.rds.instance", "aws.rds.parameter_group"],
            Service::Ssm => &["aws.ssm.parameter"],
        }
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
    pub fingerprint_key: Option<Vec<u8>>,
    /// Told of each (service, region) as it finishes.
    pub progress: Option<std::sync::Arc<ProgressFn>>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("progress", &self.progress.is_some())
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
    let key = options.fingerprint_key.as_deref();
    let mut snapshot = Snapshot::new(&env.name, now());

    if !settings.services.is_empty() {
        let session = aws::Session::connect(env, settings).await?;
        match &session.account {
            Ok(account) => {
                collect_services(&session, account, env, settings, options, &mut snapshot).await;
            }
            Err(error) => {
                for region in &session.regions {
                    for &service in &settings.services {
                        snapshot.gaps.push(gap(service, None, region, error));
                    }
                }
            }
        }
    }

    if !env.config_files.is_empty() {
        let mut resources = Vec::new();
        let mut errors = Vec::new();
        for template in &env.config_files {
            let shown = env.expand(template);
            match files::collect_file(&config.base_dir.join(&shown), &shown, &env.tokens, key) {
                Ok(found) => resources.extend(found),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if errors.is_empty() {
            snapshot.sources.push(Source {
                provider: "file".into(),
                service: "config".into(),
                account: None,
                region: None,
                status: SourceStatus::Complete,
                resources: resources.len() as u64,
                api_calls: 0,
            });
            snapshot.resources.extend(resources);
        } else {
            // One unreadable file makes every config key unknown: a key missing from it is not "missing".
            snapshot.gaps.push(Gap {
                provider: "file".into(),
                service: "config".into(),
                account: None,
                region: None,
                kinds: vec!["file.config".into()],
                error: errors.join("; "),
            });
        }
    }

    let keys = KeyRule {
        key_tag: env.key_tag.clone(),
        tokens: env.tokens.clone(),
    };
    for r in &mut snapshot.resources {
        if r.key.is_none() {
            r.key = Some(keys.key_of(r));
        }
    }
    snapshot.normalize();
    Ok(snapshot)
}

/// Every configured service in every region, concurrently but at most `collect.concurrency` at once.
async fn collect_services(
    session: &aws::Session,
    account: &str,
    env: &Environment,
    settings: &config::CollectSettings,
    options: &Options,
    snapshot: &mut Snapshot,
) {
    let key = options.fingerprint_key.as_deref();
    let permits = Semaphore::new(settings.concurrency);
    let timeout = Duration::from_secs(settings.service_timeout_secs);
    let permits = &permits;
    let work: Vec<(Service, &String)> = session
        .regions
        .iter()
        .flat_map(|region| settings.services.iter().map(move |&service| (service, region)))
        .collect();
    let jobs = work.into_iter().map(|(service, region)| async move {
        let _permit = permits.acquire().await.expect("the semaphore is never closed");
        let ctx = aws::RegionContext::new(session, account, region, env, settings, key);
        let result = match tokio::time::timeout(timeout, aws::collect(service, &ctx)).await {
            Ok(result) => result,
            Err(_) => Err(CollectError {
                code: Some("Timeout".into()),
                message: format!("{} did not finish within {}s", service.name(), timeout.as_secs()),
            }),
        };
        if let Some(progress) = &options.progress {
            progress(Progress {
                environment: &env.name,
                service,
                region,
                resources: result.as_ref().ok().map(Vec::len),
            });
        }
        (service, region, ctx.api_calls(), result)
    });
    for (service, region, api_calls, result) in join_all(jobs).await {
        match &result {
            Ok(resources) => tracing::info!(
                environment = %env.name, service = service.name(), %region, resources = resources.len(), api_calls,
                "collected"
            ),
            Err(error) => {
                tracing::warn!(environment = %env.name, service = service.name(), %region, %error, "gap")
            }
        }
        match result {
            Ok(resources) => {
                let resources = belonging_to(env, resources);
                snapshot.sources.push(Source {
                    provider: "aws".into(),
                    service: service.name().into(),
                    account: Some(account.to_owned()),
                    region: Some(region.clone()),
                    status: SourceStatus::Complete,
                    resources: resources.len() as u64,
                    api_calls,
                });
                snapshot.resources.extend(resources);
            }
            Err(error) => snapshot.gaps.push(gap(service, Some(account), region, &error)),
        }
    }
}

/// A (service, account, region) that could not be read: its kinds are unknown.
fn gap(service: Service, account: Option<&str>, region: &str, error: &CollectError) -> Gap {
    Gap {
        provider: "aws".into(),
        service: service.name().into(),
        account: account.map(str::to_owned),
        region: Some(region.to_owned()),
        kinds: service.kinds().iter().map(|k| k.to_string()).collect(),
        error: error.to_string(),
    }
}

/// Kinds whose resources carry no tags in the snapshot: a tag filter cannot choose them (SSM parameters are
/// chosen by path, files by name, parameter groups by the databases using them).
const UNTAGGED_KINDS: &[&str] = &["aws.ssm.parameter", "aws.rds.parameter_group", "file.config"];

/// With a tag filter (environments sharing an account), keeps the tagged resources that carry every filter tag,
/// and the parameter groups that a kept database uses. Untagged kinds (SSM paths, files) are chosen by path.
fn belonging_to(env: &Environment, resources: Vec<Resource>) -> Vec<Resource> {
    if env.tags.is_empty() {
        return resources;
    }
    let mut kept: Vec<Resource> = resources
        .into_iter()
        .filter(|r| {
            UNTAGGED_KINDS.contains(&r.kind.as_str())
                || env.tags.iter().all(|(k, v)| r.tags.get(k) == Some(v))
        })
        .collect();
    let used_groups: BTreeSet<String> = kept
        .iter()
        .filter(|r| r.kind.starts_with("aws.rds.") && r.kind != "aws.rds.parameter_group")
        .filter_map(|r| {
            r.attributes
                .parse()
                .get("parameter_group")?
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    let tokens = &env.tokens;
    kept.retain(|r| {
        r.kind != "aws.rds.parameter_group"
            || used_groups.contains(&crate::matching::derive_key(r.label(), tokens))
    });
    kept
}

/// Now, to the second, in RFC 3339 UTC.
fn now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::KNOWN_KINDS;

    /// The policy checks kinds against the snapshot's catalogue: it must be exactly what the collectors produce.
    #[test]
    fn the_kind_catalogue_is_what_the_collectors_produce() {
        let mut produced: Vec<&str> = Service::ALL
            .iter()
            .flat_map(|s| s.kinds().iter().copied())
            .collect();
        produced.push("file.config");
        produced.sort();
        assert_eq!(produced, KNOWN_KINDS);
        assert!(UNTAGGED_KINDS.iter().all(|k| KNOWN_KINDS.contains(k)));
    }
}
