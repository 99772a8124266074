//! Rate limits per (account, region, service): an audit shares AWS's per-account API budgets with the production
//! applications of the account, so it must never be what throttles them.
//!
//! Each (account, region, service) gets its own token bucket, shared by every environment of the process (two
//! environments in one account share it). Shards of a fleet split the (account, region) units between processes,
//! so the limits hold across a fleet too. Concurrency per (account, region, service) is `calls_per_service`.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use governor::{DefaultDirectRateLimiter, Quota};

/// A default rate limit and the published AWS limit it leaves room under.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// A service's name in `envparity.toml`, or `tagging` and `organizations` for the reads of those APIs.
    pub service: &'static str,
    /// Calls per second per (account, region), and the burst allowed at once.
    pub per_second: u32,
    pub why: &'static str,
}

/// The defaults: at most half of a published per-account budget where AWS publishes one (EC2, Lambda, Parameter
/// Store), so the account's own applications keep the rest; a conservative 5 or 10 a second elsewhere.
pub const RATE_LIMITS: &[RateLimit] = &[
    RateLimit {
        service: "autoscaling",
        per_second: 5,
        why: "Auto Scaling's Describe calls share the account's budget with scaling itself",
    },
    RateLimit {
        service: "dynamodb",
        per_second: 5,
        why: "the table reads share the account's control-plane budget with table changes",
    },
    RateLimit {
        service: "ec2",
        per_second: 10,
        why: "EC2 refills Describe* tokens at 20 per second per account and region: half of it",
    },
    RateLimit {
        service: "ecs",
        per_second: 5,
        why: "the Describe and List calls share the account's budget with deployments",
    },
    RateLimit {
        service: "eks",
        per_second: 5,
        why: "the cluster reads share the account's control-plane budget",
    },
    RateLimit {
        service: "elasticache",
        per_second: 5,
        why: "the Describe calls are throttled per account and region",
    },
    RateLimit {
        service: "elbv2",
        per_second: 5,
        why: "Elastic Load Balancing's Describe* bucket holds 40 calls per account and region, shared with the load balancer controller",
    },
    RateLimit {
        service: "lambda",
        per_second: 5,
        why: "Lambda's control plane allows 15 requests per second per account and region: a third of it",
    },
    RateLimit {
        service: "organizations",
        per_second: 5,
        why: "Organizations is throttled per organisation; discovery needs few calls",
    },
    RateLimit {
        service: "rds",
        per_second: 5,
        why: "the Describe calls are throttled per account and region",
    },
    RateLimit {
        service: "s3",
        per_second: 10,
        why: "S3 bucket-configuration calls; applications' object traffic is counted apart",
    },
    RateLimit {
        service: "secretsmanager",
        per_second: 5,
        why: "ListSecrets shares the account's budget with applications' secret reads",
    },
    RateLimit {
        service: "sns",
        per_second: 5,
        why: "the attribute reads are throttled per account; publishing applications share the account",
    },
    RateLimit {
        service: "sqs",
        per_second: 10,
        why: "SQS queue-attribute reads; message traffic is counted apart",
    },
    RateLimit {
        service: "ssm",
        per_second: 10,
        why: "Parameter Store's standard throughput is 40 per second, shared by GetParameter, GetParameters and \
              GetParametersByPath: the application reading its configuration keeps three quarters",
    },
    RateLimit {
        service: "tagging",
        per_second: 5,
        why: "the Resource Groups Tagging API's GetResources is throttled per account and region",
    },
];

/// (account, region, service).
type BucketKey = (String, String, &'static str);

/// One token bucket per (account, region, service), made on first use.
#[derive(Debug)]
pub struct Pacing {
    per_second: BTreeMap<&'static str, u32>,
    buckets: Mutex<HashMap<BucketKey, Arc<DefaultDirectRateLimiter>>>,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing::new(RATE_LIMITS.iter().map(|l| (l.service, l.per_second)).collect())
    }
}

impl Pacing {
    /// Buckets of `per_second` calls a second by service; a service without a limit is not paced.
    pub fn new(per_second: BTreeMap<&'static str, u32>) -> Pacing {
        Pacing {
            per_second,
            buckets: Mutex::default(),
        }
    }

    /// The bucket of one (account, region, service), or `None` when the service is not paced.
    pub fn bucket(&self, account: &str, region: &str, service: &'static str) -> Option<Bucket> {
        let rate = NonZeroU32::new(*self.per_second.get(service)?)?;
        let mut buckets = self.buckets.lock().expect("never poisoned");
        let bucket = buckets
            .entry((account.to_owned(), region.to_owned(), service))
            .or_insert_with(|| Arc::new(DefaultDirectRateLimiter::direct(Quota::per_second(rate))));
        Some(Bucket(bucket.clone()))
    }
}

/// A shared token bucket: each call waits for a token.
#[derive(Debug, Clone)]
pub struct Bucket(Arc<DefaultDirectRateLimiter>);

impl Bucket {
    /// Waits until a call may be made.
    pub async fn ready(&self) {
        self.0.until_ready().await;
    }
}

/// `config` sending through `http`, every request, retries included, waiting for a token of `bucket` first (none
/// when the service is not paced): whatever client `config` had, paced or not, is replaced.
pub fn paced(config: SdkConfig, bucket: Option<Bucket>, http: &SharedHttpClient) -> SdkConfig {
    let client = match bucket {
        Some(bucket) => SharedHttpClient::new(PacedClient {
            inner: http.clone(),
            bucket,
        }),
        None => http.clone(),
    };
    config.into_builder().http_client(client).build()
}

/// An HTTP client whose requests wait for a token of their bucket: the pace is kept at the wire, for every attempt.
#[derive(Debug)]
struct PacedClient {
    inner: SharedHttpClient,
    bucket: Bucket,
}

impl HttpClient for PacedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            bucket: self.bucket.clone(),
        })
    }
}

#[derive(Debug)]
struct PacedConnector {
    inner: SharedHttpConnector,
    bucket: Bucket,
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, bucket) = (self.inner.clone(), self.bucket.clone());
        HttpConnectorFuture::new(async move {
            bucket.ready().await;
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_has_a_default_limit() {
        for service in super::super::SERVICES {
            assert!(
                RATE_LIMITS.iter().any(|l| l.service == service.name()),
                "{}",
                service.name()
            );
        }
    }

    #[test]
    fn one_bucket_per_account_region_and_service() {
        let pacing = Pacing::new([("ssm", 1)].into_iter().collect());
        let a = pacing.bucket("1", "eu-west-1", "ssm").unwrap();
        let b = pacing.bucket("1", "eu-west-1", "ssm").unwrap();
        assert!(Arc::ptr_eq(&a.0, &b.0));
        let other = pacing.bucket("2", "eu-west-1", "ssm").unwrap();
        assert!(!Arc::ptr_eq(&a.0, &other.0));
        assert!(pacing.bucket("1", "eu-west-1", "ec2").is_none());
    }

    #[tokio::test]
    async fn a_bucket_holds_calls_to_its_rate() {
        let pacing = Pacing::new([("ssm", 2)].into_iter().collect());
        let bucket = pacing.bucket("1", "eu-west-1", "ssm").unwrap();
        let start = std::time::Instant::now();
        // Two at once (the burst), then one every half second.
        for _ in 0..4 {
            bucket.ready().await;
        }
        let elapsed = start.elapsed();
        assert!(elapsed >= std::time::Duration::from_millis(900), "{elapsed:?}");
    }
}
