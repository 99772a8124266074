//! Kubernetes manifests (`k8s.*`): what `kustomize build overlays/prod` or `helm template` renders for one
//! environment, read from files or folders of multi-document YAML. No cluster is asked.

use crate::catalog::Kind;
use crate::catalog::typed::{Map, OrNull, Typed};

macro_rules! kind {
    ($const:ident, $name:literal, $attributes:ty, $doc:literal) => {
        #[doc = concat!("`", $name, "`.")]
        pub const $const: Kind = Kind {
            name: $name,
            provider: "kubernetes",
            service: "manifests",
            tagged: false,
            tagging_types: &[],
            doc: $doc,
            attributes: Typed::of::<$attributes>(),
        };
    };
}

/// The doc of every workload's `containers`.
macro_rules! containers_doc {
    () => {
        " Per container by name (init containers too, with role init or sidecar): image (repository, tag, \
         digest), resources (requests and limits: cpu in millicores, memory in bytes), resources_set (which of them are set), probes (liveness, readiness, \
         startup), env_names, env (values through the secret detection; references as secretKeyRef:NAME/KEY), \
         env_from (configMapRef:NAME, secretRef:NAME, with prefix P when it has one), ports, command, args."
    };
}

crate::attributes! {
    /// The attributes of `k8s.deployment` and `k8s.statefulset`: a workload with replicas.
    pub struct ReplicatedWorkload {
        /// The pods wanted (1 when not set).
        pub replicas: i64,
        #[doc = containers_doc!()]
        pub containers: Map,
    }
}

crate::attributes! {
    /// The attributes of `k8s.daemonset`.
    pub struct DaemonSet {
        #[doc = containers_doc!()]
        pub containers: Map,
    }
}

crate::attributes! {
    /// The attributes of `k8s.job`.
    pub struct Job {
        /// How many pods run at once (1 when not set).
        pub parallelism: i64,
        /// How many pods must succeed, or null (any one).
        pub completions: OrNull<i64>,
        /// Retries before the job fails (6 when not set).
        pub backoff_limit: i64,
        #[doc = containers_doc!()]
        pub containers: Map,
    }
}

crate::attributes! {
    /// The attributes of `k8s.cronjob`.
    pub struct CronJob {
        /// The cron schedule.
        pub schedule: OrNull<String>,
        /// Allow, Forbid or Replace.
        pub concurrency_policy: String,
        #[doc = containers_doc!()]
        pub containers: Map,
    }
}

crate::attributes! {
    /// The attributes of `k8s.service`.
    pub struct Service {
        /// ClusterIP, NodePort, LoadBalancer or ExternalName.
        pub r#type as "type": String,
        /// PORT->TARGET/PROTOCOL.
        pub ports: Vec<String>,
    }
}

crate::attributes! {
    /// The attributes of `k8s.ingress`.
    pub struct Ingress {
        /// The ingress class (spec or annotation).
        pub ingress_class: OrNull<String>,
        /// Whether it terminates TLS.
        pub tls: bool,
        /// The hosts it serves, environment tokens replaced.
        pub hosts: Vec<String>,
        /// PATH -> SERVICE:PORT, for any host.
        pub rules: Vec<String>,
    }
}

crate::attributes! {
    /// The attributes of `k8s.hpa`.
    pub struct Hpa {
        /// The scaled workload, KIND/NAME by logical key.
        pub target: OrNull<String>,
        /// The fewest pods.
        pub min_replicas: i64,
        /// The most pods.
        pub max_replicas: OrNull<i64>,
        /// What it scales on, with its targets.
        pub metrics: Vec<String>,
    }
}

crate::attributes! {
    /// The attributes of `k8s.configmap`.
    pub struct ConfigMap {
        /// Its keys (data and binaryData).
        pub keys: Vec<String>,
        /// Each value, through the secret detection.
        pub data: Map,
    }
}

crate::attributes! {
    /// The attributes of `k8s.secret`.
    pub struct Secret {
        /// Opaque, kubernetes.io/tls, ...
        pub r#type as "type": String,
        /// Its keys (data and stringData).
        pub keys: Vec<String>,
        /// Each value redacted, with its fingerprint.
        pub data: Map,
    }
}

kind!(
    DEPLOYMENT,
    "k8s.deployment",
    ReplicatedWorkload,
    "A Deployment, named NAMESPACE/NAME, with its pod template's containers."
);
kind!(
    STATEFULSET,
    "k8s.statefulset",
    ReplicatedWorkload,
    "A StatefulSet, named NAMESPACE/NAME, with its pod template's containers."
);
kind!(
    DAEMONSET,
    "k8s.daemonset",
    DaemonSet,
    "A DaemonSet, named NAMESPACE/NAME, with its pod template's containers."
);
kind!(
    JOB,
    "k8s.job",
    Job,
    "A Job, named NAMESPACE/NAME, with its parallelism, retries and pod template's containers."
);
kind!(
    CRONJOB,
    "k8s.cronjob",
    CronJob,
    "A CronJob, named NAMESPACE/NAME, with its schedule and its job's containers."
);
kind!(
    SERVICE,
    "k8s.service",
    Service,
    "A Service, named NAMESPACE/NAME."
);
kind!(
    INGRESS,
    "k8s.ingress",
    Ingress,
    "An Ingress, named NAMESPACE/NAME."
);
kind!(
    HPA,
    "k8s.hpa",
    Hpa,
    "A HorizontalPodAutoscaler, named NAMESPACE/NAME."
);
kind!(
    CONFIGMAP,
    "k8s.configmap",
    ConfigMap,
    "A ConfigMap, named NAMESPACE/NAME."
);
kind!(
    SECRET,
    "k8s.secret",
    Secret,
    "A Secret, named NAMESPACE/NAME: its keys, each value only as a fingerprint."
);

crate::attributes! {
    /// The attributes of a custom resource (`k8s.custom.GROUP/KIND`).
    pub struct CustomResource {
        /// The version of its API (`v1` of `monitoring.coreos.com/v1`).
        pub version: String,
        /// Its `spec` (or, for a resource without one, its top-level fields but `status`), with the
        /// environment's tokens replaced in every text; any path below it is valid.
        pub spec: Map,
    }
}

/// How a custom resource's kind begins: `k8s.custom.monitoring.coreos.com/Prometheus` is a Prometheus of the
/// API group `monitoring.coreos.com`. Every such kind is [`CUSTOM`].
pub const CUSTOM_PREFIX: &str = "k8s.custom.";

kind!(
    CUSTOM,
    "k8s.custom",
    CustomResource,
    "A custom resource (a Prometheus, a Rollout, a Certificate), named NAMESPACE/NAME, of the kind \
     k8s.custom.GROUP/KIND (k8s.custom.monitoring.coreos.com/Prometheus): its spec, compared whole."
);

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[
    DEPLOYMENT,
    STATEFULSET,
    DAEMONSET,
    JOB,
    CRONJOB,
    SERVICE,
    INGRESS,
    HPA,
    CONFIGMAP,
    SECRET,
    CUSTOM,
];
