//! Kubernetes manifests (`k8s.*`): what `kustomize build overlays/prod` or `helm template` renders for one
//! environment, read from files or folders of multi-document YAML. No cluster is asked.

use crate::catalog::{Field, FieldType, Kind};

const CONTAINERS: Field = Field {
    path: "containers",
    ty: FieldType::Map(&[]),
    doc: "Per container by name: image (repository, tag, digest), resources (requests and limits: cpu in \
          millicores, memory in bytes), resources_set (which of them are set), probes (liveness, readiness, \
          startup), env_names, env (values through the secret detection; references as secretKeyRef:NAME/KEY), \
          env_from (configMapRef:NAME, secretRef:NAME), ports, command, args.",
};

const REPLICAS: Field = Field {
    path: "replicas",
    ty: FieldType::Integer,
    doc: "The pods wanted (1 when not set).",
};

macro_rules! kind {
    ($name:literal, $doc:literal, [$($field:expr),* $(,)?]) => {
        Kind {
            name: $name,
            provider: "kubernetes",
            service: "manifests",
            tagged: false,
            tagging_types: &[],
            doc: $doc,
            fields: &[$($field),*],
        }
    };
}
/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[
    kind!(
        "k8s.deployment",
        "A Deployment, named NAMESPACE/NAME, with its pod template's containers.",
        [REPLICAS, CONTAINERS]
    ),
    kind!(
        "k8s.statefulset",
        "A StatefulSet, named NAMESPACE/NAME, with its pod template's containers.",
        [REPLICAS, CONTAINERS]
    ),
    kind!(
        "k8s.daemonset",
        "A DaemonSet, named NAMESPACE/NAME, with its pod template's containers.",
        [CONTAINERS]
    ),
    kind!(
        "k8s.cronjob",
        "A CronJob, named NAMESPACE/NAME, with its schedule and its job's containers.",
        [
            Field {
                path: "schedule",
                ty: FieldType::String,
                doc: "The cron schedule."
            },
            Field {
                path: "concurrency_policy",
                ty: FieldType::String,
                doc: "Allow, Forbid or Replace."
            },
            CONTAINERS,
        ]
    ),
    kind!(
        "k8s.service",
        "A Service, named NAMESPACE/NAME.",
        [
            Field {
                path: "type",
                ty: FieldType::String,
                doc: "ClusterIP, NodePort, LoadBalancer or ExternalName."
            },
            Field {
                path: "ports",
                ty: FieldType::List,
                doc: "PORT->TARGET/PROTOCOL."
            },
        ]
    ),
    kind!(
        "k8s.ingress",
        "An Ingress, named NAMESPACE/NAME.",
        [
            Field {
                path: "ingress_class",
                ty: FieldType::String,
                doc: "The ingress class (spec or annotation)."
            },
            Field {
                path: "tls",
                ty: FieldType::Boolean,
                doc: "Whether it terminates TLS."
            },
            Field {
                path: "hosts",
                ty: FieldType::List,
                doc: "The hosts it serves, environment tokens replaced."
            },
            Field {
                path: "rules",
                ty: FieldType::List,
                doc: "PATH -> SERVICE:PORT, for any host."
            },
        ]
    ),
    kind!(
        "k8s.hpa",
        "A HorizontalPodAutoscaler, named NAMESPACE/NAME.",
        [
            Field {
                path: "target",
                ty: FieldType::String,
                doc: "The scaled workload, KIND/NAME by logical key."
            },
            Field {
                path: "min_replicas",
                ty: FieldType::Integer,
                doc: "The fewest pods."
            },
            Field {
                path: "max_replicas",
                ty: FieldType::Integer,
                doc: "The most pods."
            },
            Field {
                path: "metrics",
                ty: FieldType::List,
                doc: "What it scales on, with its targets."
            },
        ]
    ),
    kind!(
        "k8s.configmap",
        "A ConfigMap, named NAMESPACE/NAME.",
        [
            Field {
                path: "keys",
                ty: FieldType::List,
                doc: "Its keys (data and binaryData)."
            },
            Field {
                path: "data",
                ty: FieldType::Map(&[]),
                doc: "Each value, through the secret detection."
            },
        ]
    ),
    kind!(
        "k8s.secret",
        "A Secret, named NAMESPACE/NAME: its keys, each value only as a fingerprint.",
        [
            Field {
                path: "type",
                ty: FieldType::String,
                doc: "Opaque, kubernetes.io/tls, ..."
            },
            Field {
                path: "keys",
                ty: FieldType::List,
                doc: "Its keys (data and stringData)."
            },
            Field {
                path: "data",
                ty: FieldType::Map(&[]),
                doc: "Each value redacted, with its fingerprint."
            },
        ]
    ),
];
